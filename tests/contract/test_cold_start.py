"""The Lambda package from a cold start: new execution environments (as after a
deploy or a scale-out) serve an authenticated request straight away, with what
their init did and nothing left from the old ones. `make bench` times it."""

from __future__ import annotations

from tests.contract.runtimes.lambda_package import EXECUTION_ENVIRONMENTS, lambda_runtime


def test_new_execution_environments_serve_an_authenticated_request_first() -> None:
    with lambda_runtime() as api:
        user = api.new_user()
        created = api.request("POST", "/todos", headers=user.auth_headers, json={"title": "t"})
        assert created.status == 201, created.body
        api.function.cold_start()
        for _ in range(EXECUTION_ENVIRONMENTS):  # each new environment's first request
            response = api.request("GET", created.json()["url"], headers=user.auth_headers)
            assert response.status == 200, response.body
            assert response.json()["title"] == "t"
