# The switch between the two paths, rehearsed here (tests/e2e/test_switch_rehearsal.py,
# also run by `make test`), and what each path costs (docs/choosing.md).

REQUESTS ?= 10000000

.PHONY: rehearse-switch cost

# -s: the rehearsal prints its figures (requests and failures per switch, latency, cold starts).
rehearse-switch: install package-serverless-offline lambda-runtime web-build ## Both compute paths behind a local front door: switch there and back under load in Chromium; 0 failed requests
	$(BIN)/pytest -q -s tests/e2e/test_switch_rehearsal.py

cost: install ## Monthly AWS cost of each path and the break-even: make cost REQUESTS=<per month> [LAMBDA_MS=<billed ms>]
	$(BIN)/python -m tools.cost --requests $(REQUESTS) $(if $(LAMBDA_MS),--lambda-ms $(LAMBDA_MS))
