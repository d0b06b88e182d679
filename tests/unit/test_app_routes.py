"""app.py wiring that the contract suite cannot see: how routes are guarded on Lambda."""

from __future__ import annotations

import json
import subprocess
import sys

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
