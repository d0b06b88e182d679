# Serverful path: Terraform (infra/), the EC2 app artifact, deploy and rehearsal.
# Docs: docs/serverful.md.

TF_PLUGIN_MIRROR ?= /opt/tf-plugins
# Everything Terraform writes (data dirs, CLI config); git-ignored.
TF_WORK          := $(CURDIR)/.tf
TF_CLI_CONFIG    := $(TF_WORK)/cli.tfrc
# Two roots (persistent: the foundation both paths share; app: the EC2 path) and the modules.
TF_ROOT_DIRS     := infra/foundation infra/serverful
TF_MODULE_DIRS   := $(sort $(wildcard infra/modules/*))
TF_DIRS          := $(TF_ROOT_DIRS) $(TF_MODULE_DIRS)
# One data dir per configuration: infra/modules/alb -> .tf/init/modules-alb
tf_name           = $(subst /,-,$(patsubst infra/%,%,$(1)))
TF_SOURCES       := $(shell find infra -name '*.tf' -o -name '*.tftpl' -o -name '*.tftest.hcl' -o -name '*.tfmock.hcl' -o -name '*.sh' 2>/dev/null)
SERVERFUL_ARTIFACT := build/serverful/app.zip
SERVERFUL_ARTIFACT_SOURCES := $(wildcard api/app.py serverful/*.py requirements-server.lock.txt uv.lock) $(shell find api/chalicelib -name '*.py' 2>/dev/null)

# Terraform runs with our CLI config (providers from the mirror, when it exists) and
# one data dir per configuration, so `init` happens once and is reused.
TF_ENV = TF_CLI_CONFIG_FILE=$(TF_CLI_CONFIG) TF_IN_AUTOMATION=1 TF_INPUT=0

export TF_PLUGIN_MIRROR

CHECK_TARGETS += tf-fmt tf-validate tf-test tf-checkov

.PHONY: artifact deploy-serverful deploy-serverful-backend destroy-serverful rehearse-serverful \
        tf-init tf-fmt tf-validate tf-test tf-checkov tf-clean

# Rewritten only when its content changes (TF_PLUGIN_MIRROR), so stamps stay valid.
$(TF_CLI_CONFIG): FORCE install
	@$(BIN)/python -m tools.deploy_serverful cli-config >/dev/null

.PHONY: FORCE
FORCE:

$(TF_WORK)/init/%.stamp: $(TF_CLI_CONFIG) $(TF_SOURCES)
	@command -v terraform >/dev/null || { echo "terraform not found: install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install)" >&2; exit 1; }
	@dir=infra/$(subst -,/,$*); \
	  echo "terraform init -backend=false ($$dir)"; mkdir -p $(TF_WORK)/init; \
	  $(TF_ENV) TF_DATA_DIR=$(TF_WORK)/init/$* terraform -chdir=$$dir init -backend=false -no-color > $(TF_WORK)/init/$*.log 2>&1 \
	  || { cat $(TF_WORK)/init/$*.log; exit 1; }
	@touch $@

tf-init: $(foreach dir,$(TF_DIRS),$(TF_WORK)/init/$(call tf_name,$(dir)).stamp) ## terraform init (offline, from TF_PLUGIN_MIRROR) for both roots and every module

tf-fmt: $(TF_CLI_CONFIG) ## terraform fmt -check over infra/
	$(TF_ENV) terraform fmt -check -recursive -diff infra

# In parallel (2 at a time: the machine's cores): each run spends most of its time
# loading the AWS provider's schema. `terraform test` runs in every root and module
# that has tests/ (plan mode, the mocked provider of infra/tests/mocks).
TF_EACH = printf '%s\n' $(1) | xargs -P 2 -I{} sh -c '\
	  name=$$(echo {} | sed "s|^infra/||; s|/|-|g"); \
	  if out=$$($(TF_ENV) TF_DATA_DIR=$(TF_WORK)/init/$$name terraform -chdir={} $(2) -no-color 2>&1); \
	  then echo "terraform $(firstword $(2)) {}: ok $$(echo "$$out" | grep -E "^Success!.*passed" || true)"; \
	  else echo "terraform $(firstword $(2)) {}: FAILED"; echo "$$out"; exit 1; fi'

tf-validate: tf-init ## terraform validate: both roots and every module
	@$(call TF_EACH,$(TF_DIRS),validate)

tf-test: tf-init ## terraform test: plan-mode promises of each root and module (mocked provider)
	@$(call TF_EACH,$(foreach dir,$(TF_DIRS),$(if $(wildcard $(dir)/tests/*.tftest.hcl),$(dir))),test)

# checkov: the project's one pinned checkov venv (`make checkov-install`).
tf-checkov: checkov-install ## checkov over infra/ (skips and their reasons: infra/.checkov.yaml)
	$(CHECKOV) --config-file infra/.checkov.yaml

$(SERVERFUL_ARTIFACT): $(SERVERFUL_ARTIFACT_SOURCES) tools/build_artifact.py tools/wheels.py tools/locks.py
	$(BIN)/python -m tools.build_artifact --output $@

artifact: install $(SERVERFUL_ARTIFACT) ## Build the EC2 app artifact (code + hash-locked wheels) into build/serverful/app.zip

deploy-serverful-backend: install artifact ## Foundation, then the EC2 path, front door to it (terraform); writes .deploy/serverful-outputs.json
	$(BIN)/python -m tools.deploy_serverful apply --artifact $(SERVERFUL_ARTIFACT)
	$(MAKE) --no-print-directory ready ARCHITECTURE=serverful

deploy-serverful: deploy-serverful-backend ## Serverful backend + web app (build, sync, invalidate, print URLs)
	$(MAKE) --no-print-directory web-build
	$(MAKE) --no-print-directory deploy-web ARCHITECTURE=serverful

destroy-serverful: install ## terraform destroy of the EC2 path (not while the front door routes to it; the foundation stays)
	$(BIN)/python -m tools.deploy_serverful destroy

# The rehearsal is a pytest test (also run by `make test`); its checks are its asserts.
rehearse-serverful: install artifact ## apply + check + destroy the foundation and the EC2 path against a local moto server
	$(BIN)/pytest -q tests/infra/terraform/test_rehearsal.py

tf-clean: ## Remove Terraform data dirs and build/serverful
	rm -rf $(TF_WORK) build/serverful
