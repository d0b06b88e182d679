# Serverless deployment path: Chalice -> SAM -> CloudFormation (docs/serverless.md), on
# the foundation both paths share (infra/foundation, docs/foundation.md).
# Deploy settings, read by tools/deploy_serverless.py from the environment (make
# exports command-line variables): STAGE (default prod), STACK_NAME (default
# todo-<stage>), AWS_REGION, ARTIFACT_BUCKET (else SAM's own bucket),
# PERMISSIONS_BOUNDARY_ARN; the foundation's (SES_IDENTITY_ARN, EMAIL_FROM,
# THREAT_PROTECTION, ENABLE_WAF, ALARM_EMAIL) go to Terraform; credentials from the
# standard AWS chain. The compute stack is `sam deploy`ed / `sam delete`d.

SERVERLESS_OUT      := build/serverless
SERVERLESS_TEMPLATE := $(SERVERLESS_OUT)/package/sam.yaml
# Wheels for the Lambda package, so packaging can run with PIP_NO_INDEX=1.
WHEELHOUSE          ?= build/wheelhouse
CHECKOV_SKIPS       := $(shell grep -oE '^CKV[A-Z0-9_]+' infra/serverless/checkov-skips.txt | paste -sd, -)
ARCHITECTURE        ?= serverless

# The "lambda" contract runtime (tests/contract/runtimes/lambda_package.py) runs the built
# package in a Python with only what the Lambda runtime provides.
LAMBDA_RUNTIME      := build/lambda-runtime

CHECK_TARGETS += serverless-check
TEST_PREREQS  += checkov-install serverless-wheelhouse package-serverless-offline lambda-runtime

.PHONY: deploy-serverless-account sam-install lambda-runtime package-serverless-offline package-serverless deploy-serverless deploy-serverless-backend destroy-serverless \
        deploy-web serverless-check serverless-wheelhouse switch

$(WHEELHOUSE)/.done: requirements-lambda.txt
	$(BIN)/python -m tools.deploy_serverless wheelhouse --dest $(WHEELHOUSE)
	@touch $@

serverless-wheelhouse: install $(WHEELHOUSE)/.done ## Download the Lambda package's wheels (for offline packaging)

$(LAMBDA_RUNTIME)/$(INSTALLED): pyproject.toml uv.lock | $(UV)
	rm -rf $(LAMBDA_RUNTIME)
	UV_PROJECT_ENVIRONMENT=$(LAMBDA_RUNTIME) $(UV_SYNC) --only-group lambda-runtime
	$(PYTHON) -m tools.locks --layers $(LAMBDA_RUNTIME)/layers.txt
	UV_PYTHON=$(LAMBDA_RUNTIME)/bin/python $(UV) pip install --quiet --no-deps \
	  --target $(LAMBDA_RUNTIME)/opt/python -r $(LAMBDA_RUNTIME)/layers.txt
	@touch $@

# aws-sam-cli pins its own boto3 and friends, so it lives in a venv of its own
# (pyproject.toml's sam group).
SAM_VENV := .venv-sam

$(SAM_VENV)/$(INSTALLED): pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(SAM_VENV) $(UV_SYNC) --only-group sam
	@touch $@

sam-install: $(SAM_VENV)/$(INSTALLED) ## Install the AWS SAM CLI (own venv) for deploy/destroy

lambda-runtime: $(LAMBDA_RUNTIME)/$(INSTALLED) ## A Python with only what the Lambda runtime provides (for the lambda contract runtime)

package-serverless-offline: install serverless-wheelhouse ## Build the package from the wheelhouse, no index (tests and checks)
	PIP_NO_INDEX=1 PIP_FIND_LINKS=$(abspath $(WHEELHOUSE)) \
	  $(BIN)/python -m tools.deploy_serverless package --out $(SERVERLESS_OUT)

package-serverless: install ## Build build/serverless/package/{deployment.zip,sam.yaml} (honours PIP_NO_INDEX/PIP_FIND_LINKS)
	$(BIN)/python -m tools.deploy_serverless package --out $(SERVERLESS_OUT)

serverless-check: checkov-install package-serverless-offline ## cfn-lint and checkov on the merged template (packaged offline)
	$(BIN)/cfn-lint $(SERVERLESS_TEMPLATE) infra/serverless/account.yaml
	BC_SKIP_MAPPING=TRUE $(CHECKOV) --quiet --compact --skip-download --framework cloudformation \
	  --external-checks-dir infra/ci/checkov_checks \
	  --skip-check $(CHECKOV_SKIPS) -f $(SERVERLESS_TEMPLATE) -f infra/serverless/account.yaml

deploy-serverless-backend: package-serverless sam-install ## Foundation (terraform), the compute stack (sam deploy), front door to it; writes .deploy/serverless-outputs.json
	$(BIN)/python -m tools.deploy_serverless deploy --out $(SERVERLESS_OUT) \
	  --outputs .deploy/serverless-outputs.json
	$(MAKE) --no-print-directory ready ARCHITECTURE=serverless

deploy-serverless: deploy-serverless-backend ## Deploy the stack, then build and publish the web app
	$(MAKE) --no-print-directory web-build
	$(MAKE) --no-print-directory deploy-web ARCHITECTURE=serverless

deploy-serverless-account: sam-install ## Once per account and region, before the first stack: API Gateway's logging role
	$(SAM_VENV)/bin/sam deploy --template-file infra/serverless/account.yaml --stack-name todo-account \
	  --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset --no-confirm-changeset \
	  $(if $(PERMISSIONS_BOUNDARY_ARN),--parameter-overrides PermissionsBoundaryArn=$(PERMISSIONS_BOUNDARY_ARN))

destroy-serverless: install sam-install ## sam delete the compute stack (not while the front door routes to it; the foundation stays)
	$(BIN)/python -m tools.deploy_serverless destroy

deploy-web: install ## Publish web/dist to the stack's bucket: make deploy-web ARCHITECTURE=serverless|serverful
	$(BIN)/python -m tools.deploy_web --outputs .deploy/$(ARCHITECTURE)-outputs.json

# The switch between architectures (tools/switch.py, docs/foundation.md): deploy the
# target compute, /ready on it, front door to it, /ready through it, previous removed.
ifneq ($(filter switch,$(MAKECMDGOALS)),)
ifeq ($(filter command line environment,$(origin ARCHITECTURE)),)
$(error make switch needs ARCHITECTURE=serverless or ARCHITECTURE=serverful)
endif
endif
# Both directions need SAM: to deploy the Lambda path, or to `sam delete` it after leaving it.
switch: install sam-install $(if $(filter serverless,$(ARCHITECTURE)),package-serverless,artifact) ## Move the product: make switch ARCHITECTURE=serverless|serverful [KEEP_PREVIOUS=1]
	$(BIN)/python -m tools.switch $(ARCHITECTURE) $(if $(KEEP_PREVIOUS),--keep-previous)
