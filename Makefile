# isb-go — see README.md. `make test` runs every test; `make bench` prints
# the benchmark figures; `make synth`/`make deploy` come from mk/infra.mk.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
PYTHON    ?= $(or $(ISB_PYTHON),python3)
MOTO_WANT := 5.2
GO_MODULES := common cmd test
# Every Go module the linters read (functions and infra are vetted by test-infra).
LINT_MODULES := common cmd functions infra test
# Pinned linter, installed once into build/tools/ (a new version, a new path).
STATICCHECK_VERSION := v0.8.2
STATICCHECK := build/tools/staticcheck-$(STATICCHECK_VERSION)/staticcheck
MAX_LINE := 120
export ISB_PYTHON := $(PYTHON)
export AWS_EC2_METADATA_DISABLED := true

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: check-emulator
check-emulator: ## fail clearly unless Python with moto[server] 5.2.x is installed
	@command -v $(PYTHON) >/dev/null || { \
	  echo "error: $(PYTHON) not found. The emulator-backed tests need Python 3 with moto[server]==5.2.1." >&2; \
	  echo "       Set ISB_PYTHON to a Python that has it, or install: pip install 'moto[server]==5.2.1'" >&2; exit 1; }
	@$(PYTHON) -c 'import moto, flask' 2>/dev/null || { \
	  echo "error: $(PYTHON) cannot import moto and flask. The emulator-backed tests need moto[server]==5.2.1." >&2; \
	  if $(PYTHON) -m pip download --no-deps -q -d /tmp/isb-pip-probe 'moto==5.2.1' >/dev/null 2>&1; then \
	    echo "PyPI is reachable: installing moto[server]==5.2.1" >&2; $(PYTHON) -m pip install -q 'moto[server]==5.2.1'; \
	  else echo "       PyPI is not reachable from here; use a machine image that ships moto[server]==5.2.1." >&2; exit 1; fi; }
	@v=$$($(PYTHON) -c 'import moto; print(moto.__version__)'); case $$v in $(MOTO_WANT).*) ;; \
	  *) echo "warning: moto $$v found; the launcher's fixes target 5.2.1" >&2;; esac

.PHONY: fmt-check
fmt-check: ## fail on Go files gofmt would change, lines over 120 columns (string literals aside), issue numbers in code
	@out=$$(gofmt -l $(GO_MODULES) $(wildcard infra functions cmd)); \
	  if [ -n "$$out" ]; then echo "gofmt needed:" >&2; echo "$$out" >&2; exit 1; fi
	@cd tools/linelen && GOWORK=off $(GO) run . -max $(MAX_LINE) $(addprefix ../../,$(LINT_MODULES))
	@if git grep -nE '[Ii]ssue ?#?[0-9]+' -- ':!*.md' ':!docs/'; then \
	  echo "issue numbers in code or comments: say why instead" >&2; exit 1; fi

$(STATICCHECK):
	@mkdir -p $(@D)
	GOBIN=$(abspath $(@D)) GOWORK=off $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

.PHONY: lint
lint: $(STATICCHECK) ## staticcheck (pinned, see staticcheck.conf) over every module, zero findings
	@for m in $(LINT_MODULES); do (cd $$m && $(abspath $(STATICCHECK)) ./...) || exit 1; done

.PHONY: vet
vet: ## go vet every module
	@for m in $(GO_MODULES); do (cd $$m && $(GO) vet ./...); done

.PHONY: test-unit
test-unit: ## domain and unit tests (no emulator)
	cd common && $(GO) test -count=1 ./...
	cd cmd && $(GO) test -count=1 ./...
	cd tools/linelen && GOWORK=off $(GO) test -count=1 ./...

.PHONY: test-emulator
test-emulator: check-emulator ## store and adapter tests against the moto emulator, and test/e2e (local mode end to end)
	cd test && $(GO) test -count=1 -timeout 15m ./...

.PHONY: test
test: fmt-check vet lint test-unit test-emulator test-infra ## every test (what CI runs)
	@echo "make test: all tests passed"

.PHONY: bench
bench: bench-startup check-emulator aws-nuke ## benchmark figures: each function's start-up and size, then against the emulator (grant latency by pool size; transactions per grant for 200 concurrent requests on 50 accounts; one lease-monitoring pass over 10,000 leases; 1,000 lease terminations through the lifecycle manager, deployed vs upstream sizing; local mode request→Active and termination→Available)
	cd test && $(GO) test -run '^$$' -bench '^Benchmark(Grant|UpstreamScanPick|IndexFloor)$$' -benchtime 10x -timeout 30m ./bench/
	cd test && $(GO) test -run '^$$' -bench 'ConcurrentGrants' -benchtime 3x -timeout 30m ./bench/
	cd test && $(GO) test -run '^$$' -bench 'LeaseMonitoring' -benchtime 1x -timeout 30m ./bench/
	cd test && $(GO) test -run '^$$' -bench 'LifecycleThroughput' -benchtime 1x -timeout 60m ./bench/
	cd test && $(GO) test -run '^$$' -bench 'LocalModeLatency' -benchtime 1x -timeout 30m ./e2e/

ISB_BIN := bin/isb

.PHONY: isb
isb: ## build the isb CLI (bin/isb)
	@mkdir -p $(dir $(ISB_BIN))
	cd cmd && $(GO) build -o $(abspath $(ISB_BIN)) ./isb

.PHONY: bench-startup
bench-startup: ## each function's start-up (to its first Lambda Runtime API call), peak RSS and size, next to a bare aws-lambda-go program
	cd test && $(GO) run ./bench/startup -root ..

.PHONY: local
local: check-emulator isb build/aws-nuke/aws-nuke ## run the whole platform locally (README "Local mode"; Ctrl-C stops it)
	$(ISB_BIN) local up

-include mk/*.mk
