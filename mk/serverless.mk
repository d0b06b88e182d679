# Serverless deployment path: Chalice -> SAM -> CloudFormation (docs/serverless.md).
# Deploy parameters, read by scripts/deploy_serverless.py from the environment (make
# exports command-line variables): STAGE (default prod), STACK_NAME (default
# todo-<stage>), AWS_REGION, ARTIFACT_BUCKET, SES_IDENTITY_ARN and EMAIL_FROM (Cognito's
# emails through SES); credentials from the standard AWS chain.

SERVERLESS_OUT      := build/serverless
SERVERLESS_TEMPLATE := $(SERVERLESS_OUT)/package/sam.yaml
# Wheels for the Lambda package, so packaging can run with PIP_NO_INDEX=1.
WHEELHOUSE          ?= build/wheelhouse
CHECKOV_SKIPS       := $(shell grep -oE '^CKV[A-Z0-9_]+' serverless/checkov-skips.txt | paste -sd, -)
ARCHITECTURE        ?= serverless

CHECK_TARGETS += serverless-check
TEST_PREREQS  += checkov-install serverless-wheelhouse

.PHONY: package-serverless deploy-serverless deploy-serverless-backend destroy-serverless \
        rehearse-serverless deploy-web serverless-check serverless-wheelhouse

$(WHEELHOUSE)/.done: requirements.txt
	$(BIN)/python scripts/deploy_serverless.py wheelhouse --dest $(WHEELHOUSE)
	@touch $@

serverless-wheelhouse: install $(WHEELHOUSE)/.done ## Download the Lambda package's wheels (for offline packaging)

package-serverless: install ## Build build/serverless/package/{deployment.zip,sam.yaml} (honours PIP_NO_INDEX/PIP_FIND_LINKS)
	$(BIN)/python scripts/deploy_serverless.py package --out $(SERVERLESS_OUT)

serverless-check: install checkov-install serverless-wheelhouse ## cfn-lint and checkov on the merged template (packaged offline)
	PIP_NO_INDEX=1 PIP_FIND_LINKS=$(abspath $(WHEELHOUSE)) \
	  $(BIN)/python scripts/deploy_serverless.py package --out $(SERVERLESS_OUT)
	$(BIN)/cfn-lint $(SERVERLESS_TEMPLATE)
	BC_SKIP_MAPPING=TRUE $(CHECKOV) --quiet --compact --skip-download --framework cloudformation \
	  --skip-check $(CHECKOV_SKIPS) -f $(SERVERLESS_TEMPLATE)

rehearse-serverless: package-serverless ## Create and delete the stack in a local moto CloudFormation
	$(BIN)/python scripts/rehearse_serverless.py --package-dir $(SERVERLESS_OUT)/package

deploy-serverless-backend: package-serverless ## Deploy the stack (change set) and write .deploy/serverless-outputs.json
	$(BIN)/python scripts/deploy_serverless.py deploy --out $(SERVERLESS_OUT) \
	  --outputs .deploy/serverless-outputs.json
	$(MAKE) --no-print-directory ready ARCHITECTURE=serverless

deploy-serverless: deploy-serverless-backend ## Deploy the stack, then build and publish the web app
	$(MAKE) --no-print-directory web-build
	$(MAKE) --no-print-directory deploy-web ARCHITECTURE=serverless

destroy-serverless: install ## Delete the stack (the table and the user pool are retained)
	$(BIN)/python scripts/deploy_serverless.py destroy

deploy-web: install ## Publish frontend/dist to the stack's bucket: make deploy-web ARCHITECTURE=serverless|serverful
	$(BIN)/python scripts/deploy_web.py --outputs .deploy/$(ARCHITECTURE)-outputs.json
