"""`make bench` (``python -m bench.lambda_cold_start``): the Lambda package's cold start.

In the contract suite's fourth runtime (tests/contract/runtimes/lambda_package.py): the
built deployment.zip in a clean Python with only what Lambda provides, behind the
API Gateway emulation, DynamoDB a moto server. Each round replaces the execution
environments with new ones, then times a new environment's start (process start
to the handler imported), its first authenticated ``GET /todos/{id}`` and the median
of the next ones, through the gateway. Needs `make package-serverless-offline
lambda-runtime`. Issue 13: the first request stays small next to a steady one.
"""

from __future__ import annotations

import statistics
import sys
import time

from tests.contract.runtimes.lambda_package import EXECUTION_ENVIRONMENTS, lambda_runtime

ROUNDS = 5
STEADY_REQUESTS = 20


def main() -> int:
    with lambda_runtime() as api:
        user = api.new_user()
        created = api.request("POST", "/todos", headers=user.auth_headers, json={"title": "cold"})
        assert created.status == 201, created.body
        path = created.json()["url"]

        def get_ms() -> float:
            started = time.perf_counter()
            response = api.request("GET", path, headers=user.auth_headers)
            assert response.status == 200, response.body
            return (time.perf_counter() - started) * 1000

        inits, firsts, steadies = [], [], []
        for _ in range(ROUNDS):
            inits.append(api.function.cold_start() * 1000)
            # Requests go round the environments: the first of each is its first.
            firsts += [get_ms() for _ in range(EXECUTION_ENVIRONMENTS)]
            steadies.append(statistics.median(get_ms() for _ in range(STEADY_REQUESTS)))

    init, first, steady = (statistics.median(values) for values in (inits, firsts, steadies))
    print(f"Lambda package, medians of {ROUNDS} cold starts (wall time, through the gateway):")
    print(f"  new execution environment, process start to handler imported: {init:6.1f} ms")
    print(f"  its first authenticated GET /todos/{{id}}:                      {first:6.1f} ms")
    print(f"  a steady one:                                                  {steady:6.1f} ms")
    print(f"  first / steady: {first / steady:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
