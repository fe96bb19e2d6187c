# mk/cleaner.mk — the account cleaner: the pinned aws-nuke build,
# the isb-cleaner program that runs it inside CodeBuild, and the cleaner's
# tests. Included by the top-level Makefile.
#
#   make aws-nuke        build/aws-nuke/aws-nuke, pinned and sha256-verified
#   make aws-nuke-pin    rebuild and record a new sha256 (after a deliberate change)
#   make isb-cleaner     build/cleaner/isb-cleaner (linux/amd64, what CodeBuild runs)
#   make cleaner-bundle  build/lambda/cleanup-build/{isb-cleaner,aws-nuke}: the CodeBuild
#                        source asset (make build-lambdas, and so synth, builds it)
#   make test-cleaner    asl-validator on the state machine; the cleaner's emulator
#                        tests (test/cleanup, real aws-nuke) run in test-emulator
#
# aws-nuke is built from tools/aws-nuke, a throwaway module whose go.sum
# pins aws-nuke's whole dependency graph by checksum (GOFLAGS=-mod=readonly:
# nothing is resolved anew). The build is reproducible (-trimpath, no VCS
# stamp, static), so its sha256 is recorded in tools/aws-nuke/aws-nuke.sha256
# and checked after every build. CodeBuild gets this exact file as a CDK asset
# and checks the same sha256 before running it (infra/internal/cleaner).
# The first build takes about 5 minutes on 2 cores; later ones are no-ops
# (make compares timestamps) or cache hits.

GO                  ?= go
# Also set by mk/infra.mk (same default); this file is included first.
LAMBDA_BUILD_DIR    ?= build/lambda
CLEANER_SOURCES     := $(shell find cmd common -name '*.go' -o -name go.mod -o -name go.sum 2>/dev/null) cmd/go.mod cmd/go.sum go.work
AWS_NUKE_MODULE_DIR := tools/aws-nuke
AWS_NUKE_SHA256     := $(AWS_NUKE_MODULE_DIR)/aws-nuke.sha256
AWS_NUKE_BIN        := build/aws-nuke/aws-nuke
ISB_CLEANER_BIN     := build/cleaner/isb-cleaner
# CodeBuild runs on linux/amd64 (see infra/internal/cleaner); so do the tests here.
CLEANER_GOARCH      ?= amd64
NUKE_BUILD_ENV      := GOWORK=off GOFLAGS=-mod=readonly GONOSUMDB=github.com CGO_ENABLED=0 GOOS=linux GOARCH=$(CLEANER_GOARCH)
NUKE_BUILD_FLAGS    := -trimpath -buildvcs=false -ldflags='-s -w'
ASL_VALIDATOR       ?= node_modules/.bin/asl-validator
CLEANUP_DEFINITION  := build/cleaner/cleanup-state-machine.json

.PHONY: aws-nuke
aws-nuke: $(AWS_NUKE_BIN) ## build the pinned aws-nuke (v3.48.0) and verify its sha256

$(AWS_NUKE_BIN): $(AWS_NUKE_MODULE_DIR)/go.mod $(AWS_NUKE_MODULE_DIR)/go.sum $(AWS_NUKE_SHA256)
	@mkdir -p $(@D)
	cd $(AWS_NUKE_MODULE_DIR) && $(NUKE_BUILD_ENV) $(GO) build $(NUKE_BUILD_FLAGS) \
	  -o $(abspath $@).new github.com/ekristen/aws-nuke/v3
	@want=$$(grep -v '^#' $(AWS_NUKE_SHA256) | awk '{print $$1}'); \
	  got=$$(sha256sum $@.new | awk '{print $$1}'); \
	  if [ "$$want" != "$$got" ]; then rm -f $@.new; \
	    echo "error: aws-nuke sha256 $$got does not match $(AWS_NUKE_SHA256) ($$want)." >&2; \
	    echo "       A different Go toolchain or dependency graph; if the change is deliberate: make aws-nuke-pin" >&2; exit 1; fi
	@mv $@.new $@ && echo "aws-nuke: $@ sha256 verified"

.PHONY: aws-nuke-pin
aws-nuke-pin: ## rebuild aws-nuke and record its sha256 in tools/aws-nuke/aws-nuke.sha256
	@mkdir -p $(dir $(AWS_NUKE_BIN))
	cd $(AWS_NUKE_MODULE_DIR) && $(NUKE_BUILD_ENV) $(GO) build $(NUKE_BUILD_FLAGS) \
	  -o $(abspath $(AWS_NUKE_BIN)) github.com/ekristen/aws-nuke/v3
	@sum=$$(sha256sum $(AWS_NUKE_BIN) | awk '{print $$1}'); \
	  { grep '^#' $(AWS_NUKE_SHA256) | sed "s/go1\.[0-9.]*/$$($(GO) env GOVERSION)/"; echo "$$sum  aws-nuke"; } > $(AWS_NUKE_SHA256).new && \
	  mv $(AWS_NUKE_SHA256).new $(AWS_NUKE_SHA256) && echo "pinned aws-nuke sha256 $$sum"

.PHONY: isb-cleaner
isb-cleaner: $(ISB_CLEANER_BIN) ## build the cleaner program CodeBuild runs

$(ISB_CLEANER_BIN): $(CLEANER_SOURCES)
	@mkdir -p $(@D)
	cd cmd && CGO_ENABLED=0 GOOS=linux GOARCH=$(CLEANER_GOARCH) \
	  $(GO) build $(LAMBDA_GOFLAGS) -o $(abspath $@) ./isb-cleaner

.PHONY: cleaner-bundle
cleaner-bundle: $(LAMBDA_BUILD_DIR)/cleanup-build/aws-nuke $(LAMBDA_BUILD_DIR)/cleanup-build/isb-cleaner ## the CodeBuild source asset: isb-cleaner and the verified aws-nuke

$(LAMBDA_BUILD_DIR)/cleanup-build/aws-nuke: $(AWS_NUKE_BIN)
	@mkdir -p $(@D) && cp $< $@

$(LAMBDA_BUILD_DIR)/cleanup-build/isb-cleaner: $(ISB_CLEANER_BIN)
	@mkdir -p $(@D) && cp $< $@

# The Compute stack's CodeBuild project needs the bundle wherever the
# functions are needed.
build-lambdas: cleaner-bundle

.PHONY: validate-cleanup-definition
validate-cleanup-definition: infra-deps ## check the cleanup state machine with asl-validator
	@mkdir -p $(dir $(CLEANUP_DEFINITION))
	cd cmd && $(GO) run ./isb-cleaner definition > $(abspath $(CLEANUP_DEFINITION))
	$(ASL_VALIDATOR) --json-path $(CLEANUP_DEFINITION)

.PHONY: test-cleaner
test-cleaner: aws-nuke validate-cleanup-definition ## asl-validator on the cleanup state machine (+ the pinned aws-nuke)

.PHONY: test-cleaner-emulator
test-cleaner-emulator: check-emulator aws-nuke ## only the cleaner's emulator tests (real aws-nuke against moto)
	cd test && ISB_AWS_NUKE=$(abspath $(AWS_NUKE_BIN)) $(GO) test -count=1 -timeout 10m ./cleanup/

# make test runs the cleaner's checks too: test-emulator runs test/cleanup,
# which needs the pinned aws-nuke (build/aws-nuke/aws-nuke).
test-emulator: aws-nuke
test: test-cleaner
