# mk/infra.mk — CDK infrastructure (infra/), Lambda builds (functions/) and
# the project-local Node.js tools (package.json). Included by the top-level
# Makefile; every path is a variable so the fragment can be reused.
#
#   make infra-deps     npm ci, only when package-lock.json changed
#   make build-lambdas  functions/<name>/main.go -> build/lambda/<name>/bootstrap.zip
#   make synth          cloud assembly in cdk.out/ (builds the Lambdas first)
#   make test-infra     CDK assertions + cdk-nag + cfn-lint, functions unit tests
#   make deploy         AccountPool -> IDC -> Data -> Compute (real AWS; see infra/README.md)
#
# Deployment parameters come from the environment or CDK context
# (CDK_CONTEXT='-c hubAccountId=… -c deploymentMode=prod'); see
# infra/internal/config. In dev mode every parameter has a dummy default.

GO               ?= go
NPM              ?= npm
NPX              ?= npx
CFN_LINT         ?= cfn-lint
INFRA_DIR        ?= infra
FUNCTIONS_DIR    ?= functions
LAMBDA_BUILD_DIR ?= build/lambda
CDK_OUT          ?= cdk.out
# Extra CDK CLI arguments for synth, for example -c deploymentMode=prod.
CDK_CONTEXT      ?=
# Extra arguments for cdk deploy (approval, profile, …).
CDK_DEPLOY_FLAGS ?= --require-approval broadening
# Stacks in deploy order. SandboxAccount is deployed by the AccountPool
# StackSet, never directly. Each may use its own profile:
# make deploy PROFILE_AccountPool=org-mgmt PROFILE_IDC=idc PROFILE_Data=hub PROFILE_Compute=hub
INFRA_DEPLOY_ORDER := AccountPool IDC Data Compute

# The CDK CLI and jsii run on the machine's Node.js 20; silence jsii's notice.
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

INFRA_NODE_STAMP := node_modules/.package-lock.json
# A function is a directory under functions/ with a main.go.
LAMBDAS          := $(patsubst $(FUNCTIONS_DIR)/%/main.go,%,$(wildcard $(FUNCTIONS_DIR)/*/main.go))
LAMBDA_ZIPS      := $(foreach f,$(LAMBDAS),$(LAMBDA_BUILD_DIR)/$(f)/bootstrap.zip)
LAMBDA_SOURCES   := $(shell find $(FUNCTIONS_DIR) common -name '*.go' -o -name go.mod -o -name go.sum 2>/dev/null) go.work
# Reproducible binaries (no VCS stamp, no paths) so the asset hash, and so
# the deployed function, changes only when the code does.
LAMBDA_GOFLAGS   := -tags lambda.norpc -trimpath -buildvcs=false -ldflags='-s -w'

.PHONY: infra-deps
infra-deps: $(INFRA_NODE_STAMP) ## install the pinned CDK CLI and asl-validator (npm ci, skipped when up to date)

$(INFRA_NODE_STAMP): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

.PHONY: build-lambdas
build-lambdas: $(LAMBDA_ZIPS) ## build every function as an arm64 bootstrap.zip under build/lambda/<name>/
	@for z in $(LAMBDA_ZIPS); do printf '  %-48s %8d bytes zipped\n' "$$z" "$$(stat -c %s "$$z")"; done

$(LAMBDA_BUILD_DIR)/%/bootstrap.zip: $(LAMBDA_SOURCES)
	@mkdir -p $(@D)
	cd $(FUNCTIONS_DIR) && CGO_ENABLED=0 GOOS=linux GOARCH=arm64 \
	  $(GO) build $(LAMBDA_GOFLAGS) -o $(abspath $(@D))/bootstrap ./$*
	@TZ=UTC touch -t 198001010000 $(@D)/bootstrap
	@rm -f $@ && cd $(@D) && TZ=UTC zip -X -q bootstrap.zip bootstrap

.PHONY: synth
synth: infra-deps build-lambdas ## synthesize the five stacks into cdk.out/ with the pinned CDK CLI (cdk-nag runs here too)
	$(NPX) cdk synth --quiet --output $(CDK_OUT) $(CDK_CONTEXT)

.PHONY: lint-templates
lint-templates: synth ## cfn-lint the templates in cdk.out/ (test-infra already lints its own synth)
	$(CFN_LINT) --ignore-checks W3005 -- $(CDK_OUT)/*.template.json

.PHONY: test-infra
test-infra: ## infra tests (assertions, cdk-nag, cfn-lint on every template) and the functions' unit tests
	cd $(INFRA_DIR) && $(GO) vet ./... && $(GO) test -count=1 ./...
	cd $(FUNCTIONS_DIR) && $(GO) vet ./... && $(GO) test -count=1 ./...

.PHONY: deploy
deploy: synth ## deploy AccountPool -> IDC -> Data -> Compute from cdk.out/ (needs credentials for each account)
	@$(foreach s,$(INFRA_DEPLOY_ORDER),echo ">> deploy $(s)" && \
	  $(NPX) cdk deploy --app $(CDK_OUT) $(CDK_DEPLOY_FLAGS) $(if $(PROFILE_$(s)),--profile $(PROFILE_$(s))) '*-$(s)' &&) true

.PHONY: clean-infra
clean-infra: ## remove cdk.out/ and the built Lambdas
	rm -rf $(CDK_OUT) $(LAMBDA_BUILD_DIR)
