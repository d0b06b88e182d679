# Operating a deployed stack (docs/operations.md).
# STAGE / STACK_NAME / AWS_REGION pick the stack as for the deploy targets;
# ARCHITECTURE (serverless, the default, or serverful) picks its log group.

SINCE  ?= 10m
FILTER ?=

.PHONY: logs

logs: install ## Tail the deployed stack's app log: make logs [ARCHITECTURE=serverful] [SINCE=1h] [FILTER='"status":500']
	$(BIN)/python -m tools.logs --architecture $(ARCHITECTURE) --since $(SINCE) $(if $(FILTER),--filter '$(FILTER)')

.PHONY: ready

ready: install ## Wait until the deployed API's GET /ready answers 200 (ARCHITECTURE picks .deploy/<it>-outputs.json)
	$(BIN)/python -m tools.ready --outputs .deploy/$(ARCHITECTURE)-outputs.json
