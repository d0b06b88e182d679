"""API Gateway's route list (infra/modules/api) is exactly the app's routes."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.infra.terraform.conftest import run_console
from tools.deploy_serverful import ROOT, Terraform


def app_routes() -> dict[str, set[str]]:
    """The app's routes, split by whether they need a token (gateway mode names the authorizer)."""
    # A fresh interpreter: the authorizer is attached only when the app is imported
    # with AUTH_MODE=gateway, as on the deployed stacks.
    script = (
        "import json, app\n"
        "routes = {'todo': [], 'public': []}\n"
        "for path, methods in app.app.routes.items():\n"
        "    for method, entry in methods.items():\n"
        "        if method != 'OPTIONS':\n"
        "            kind = 'todo' if entry.authorizer else 'public'\n"
        "            routes[kind].append(f'{method} {path}')\n"
        "print(json.dumps(routes))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={"AUTH_MODE": "gateway", "PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return {kind: set(keys) for kind, keys in json.loads(result.stdout).items()}


def test_gateway_routes_are_the_apps_routes(api_module: Terraform) -> None:
    gateway = json.loads(
        json.loads(
            run_console(
                api_module, "jsonencode({todo = local.todo_routes, public = local.public_routes})"
            )
        )
    )
    app = app_routes()
    # OPTIONS is answered by API Gateway's CORS configuration, not routed.
    assert set(gateway["todo"]) == app["todo"], "routes that need a token differ from app.py"
    assert set(gateway["public"]) == app["public"], "open routes differ from app.py"
