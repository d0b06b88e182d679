# Serverful path: Terraform (terraform/), the EC2 app artifact, deploy and rehearsal.
# Docs: docs/serverful.md.

TF_PLUGIN_MIRROR ?= /opt/tf-plugins
# Everything Terraform writes (data dirs, CLI config); git-ignored.
TF_WORK          := $(CURDIR)/.tf
TF_CLI_CONFIG    := $(TF_WORK)/cli.tfrc
TF_MODULE_DIRS   := $(sort $(wildcard terraform/modules/*))
TF_SOURCES       := $(shell find terraform -name '*.tf' -o -name '*.tftpl' -o -name '*.tftest.hcl' -o -name '*.sh' 2>/dev/null)
SERVERFUL_ARTIFACT := build/serverful/app.zip
SERVERFUL_ARTIFACT_SOURCES := $(wildcard app.py wsgi.py gunicorn.conf.py requirements*.txt) $(shell find chalicelib -name '*.py' 2>/dev/null)

# Terraform runs with our CLI config (providers from the mirror, when it exists) and
# one data dir per configuration, so `init` happens once and is reused.
TF_ENV = TF_CLI_CONFIG_FILE=$(TF_CLI_CONFIG) TF_IN_AUTOMATION=1 TF_INPUT=0

export TF_PLUGIN_MIRROR

CHECK_TARGETS += tf-fmt tf-validate tf-test tf-checkov

.PHONY: artifact deploy-serverful deploy-serverful-backend destroy-serverful rehearse-serverful \
        tf-init tf-fmt tf-validate tf-test tf-checkov tf-clean

# Rewritten only when its content changes (TF_PLUGIN_MIRROR), so stamps stay valid.
$(TF_CLI_CONFIG): FORCE install
	@$(BIN)/python scripts/deploy_serverful.py cli-config >/dev/null

.PHONY: FORCE
FORCE:

$(TF_WORK)/init/%.stamp: $(TF_CLI_CONFIG) $(TF_SOURCES)
	@command -v terraform >/dev/null || { echo "terraform not found: install Terraform >= 1.5 (https://developer.hashicorp.com/terraform/install)" >&2; exit 1; }
	@dir=$(if $(filter root,$*),terraform,terraform/modules/$*); \
	  echo "terraform init -backend=false ($$dir)"; mkdir -p $(TF_WORK)/init; \
	  $(TF_ENV) TF_DATA_DIR=$(TF_WORK)/init/$* terraform -chdir=$$dir init -backend=false -no-color > $(TF_WORK)/init/$*.log 2>&1 \
	  || { cat $(TF_WORK)/init/$*.log; exit 1; }
	@touch $@

tf-init: $(TF_WORK)/init/root.stamp $(patsubst terraform/modules/%,$(TF_WORK)/init/%.stamp,$(TF_MODULE_DIRS)) ## terraform init (offline, from TF_PLUGIN_MIRROR) for the root and every module

tf-fmt: $(TF_CLI_CONFIG) ## terraform fmt -check over terraform/
	$(TF_ENV) terraform fmt -check -recursive -diff terraform

# In parallel: each run spends most of its time loading the AWS provider's schema.
tf-validate: tf-init ## terraform validate: the root and every module
	@printf '%s\n' terraform $(TF_MODULE_DIRS) | xargs -P 4 -I{} sh -c '\
	  name=$$(basename {}); [ {} = terraform ] && name=root; \
	  if out=$$($(TF_ENV) TF_DATA_DIR=$(TF_WORK)/init/$$name terraform -chdir={} validate -no-color 2>&1); \
	  then echo "terraform validate {}: ok"; else echo "terraform validate {}: FAILED"; echo "$$out"; exit 1; fi'

tf-test: tf-init ## terraform test: plan-mode promises with a mocked provider
	$(TF_ENV) TF_DATA_DIR=$(TF_WORK)/init/root terraform -chdir=terraform test -no-color

# checkov: the project's one pinned checkov venv (`make checkov-install`).
tf-checkov: checkov-install ## checkov over terraform/ (skips and their reasons: terraform/.checkov.yaml)
	$(CHECKOV) --config-file terraform/.checkov.yaml

$(SERVERFUL_ARTIFACT): $(SERVERFUL_ARTIFACT_SOURCES) scripts/build_artifact.py
	$(BIN)/python scripts/build_artifact.py --output $@

artifact: install $(SERVERFUL_ARTIFACT) ## Build the EC2 app artifact (code + pinned wheels) into build/serverful/app.zip

deploy-serverful-backend: install artifact ## terraform apply the serverful stack; writes .deploy/serverful-outputs.json
	$(BIN)/python scripts/deploy_serverful.py apply --artifact $(SERVERFUL_ARTIFACT)
	$(MAKE) --no-print-directory ready ARCHITECTURE=serverful

deploy-serverful: deploy-serverful-backend ## Serverful backend + web app (build, sync, invalidate, print URLs)
	$(MAKE) --no-print-directory web-build
	$(MAKE) --no-print-directory deploy-web ARCHITECTURE=serverful

destroy-serverful: install ## terraform destroy the serverful stack (the table and user pool are retained)
	$(BIN)/python scripts/deploy_serverful.py destroy

rehearse-serverful: install artifact ## apply + destroy the whole stack against a local moto server
	$(BIN)/python scripts/rehearse_serverful.py --artifact $(SERVERFUL_ARTIFACT)

tf-clean: ## Remove Terraform data dirs and build/serverful
	rm -rf $(TF_WORK) build/serverful
