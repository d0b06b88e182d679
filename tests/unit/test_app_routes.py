"""app.py wiring that the contract suite cannot see: how routes are guarded
on Lambda, and that a storage outage is a 503."""

from __future__ import annotations

import json
import subprocess
import sys

from chalice.test import Client

import app as app_module
from chalicelib.dynamo import bind_models
from tests.runtimes.base import User
from tests.runtimes.inprocess import in_process_aws

ROUTES_SCRIPT = """
import json, app
print(json.dumps({
    f"{method} {path}": (entry.authorizer.name if entry.authorizer else None)
    for path, methods in app.app.routes.items() for method, entry in methods.items()
}))
"""


def route_authorizers(auth_mode: str) -> dict[str, str | None]:
    result = subprocess.run(
        [sys.executable, "-c", ROUTES_SCRIPT],
        env={"AUTH_MODE": auth_mode, "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    authorizers: dict[str, str | None] = json.loads(result.stdout)
    return authorizers


def test_in_gateway_mode_every_todo_route_has_the_cognito_authorizer() -> None:
    authorizers = route_authorizers("gateway")
    for route, authorizer in authorizers.items():
        method, path = route.split(" ")
        if path.startswith("/todos") and method != "OPTIONS":
            assert authorizer == "CognitoAuthorizer", route
        else:
            assert authorizer is None, route  # health check and CORS preflight are open
    assert len([a for a in authorizers.values() if a]) == 8


def test_in_jwt_mode_no_gateway_authorizer_is_attached() -> None:
    assert set(route_authorizers("jwt").values()) == {None}


def test_storage_outage_is_503_with_retry_after() -> None:
    with in_process_aws() as aws:
        user: User = aws.new_user()
        # DynamoDB becomes unreachable (nothing listens on port 9).
        bind_models(aws.stack.table, aws.stack.region, "http://127.0.0.1:9")
        with Client(app_module.app) as client:
            response = client.http.get("/todos", headers=user.auth_headers)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert json.loads(response.body)["error"]["code"] == "service_unavailable"
