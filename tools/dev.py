"""`make dev`: the whole stack on this machine, no AWS account needed. Starts moto
server (the local AWS) with the table, user pool and app client, writes
.dev/stack.json, then runs `chalice local` (restarted when the API's code
changes) and the web app; Ctrl-C (or SIGTERM) stops everything it started.
`make user` runs `dev.py user`: a confirmed user in that pool, and an ID token.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path

from botocore.exceptions import EndpointConnectionError

from tools.deploy_web import runtime_config
from tools.local_stack import (
    FAKE_CREDENTIALS,
    ROOT,
    ServerDidNotStart,
    Stack,
    aws_client,
    background_process,
    create_user,
    local_cors_origins,
    moto_server,
    provision,
)

API = ROOT / "api"  # the Chalice project
FRONTEND = ROOT / "web"
STATE_DIR = Path(os.environ.get("DEV_STATE_DIR", ROOT / ".dev"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-web", action="store_true", help="do not start the web app")
    commands = parser.add_subparsers(dest="command")
    user = commands.add_parser("user", help="create a confirmed user; print its ID token")
    user.add_argument("--email", required=True)
    user.add_argument("--password", required=True)
    args = parser.parse_args()
    if args.command == "user":
        return print_user_token(args.email, args.password)
    try:
        return run(web=not args.no_web and (FRONTEND / "package.json").exists())
    except KeyboardInterrupt:
        # Raised wherever Ctrl-C lands; the ExitStack in run() has already
        # stopped everything started so far.
        print("\nstopped", file=sys.stderr)
        return 0


def print_user_token(email: str, password: str) -> int:
    stack = Stack.from_file(STATE_DIR / "stack.json")
    cognito = aws_client("cognito-idp", stack.endpoint, stack.region)
    try:
        print(create_user(cognito, stack, email, password)["id_token"])
    except EndpointConnectionError:
        sys.exit(f"cannot reach the local AWS at {stack.endpoint}: is `make dev` running?")
    except cognito.exceptions.InvalidPasswordException as exc:
        print(f"password rejected: {exc.response['Error']['Message']}", file=sys.stderr)
        return 2
    except cognito.exceptions.NotAuthorizedException:
        print("that user exists with another password", file=sys.stderr)
        return 2
    return 0


def run(web: bool) -> int:
    defaults = {"MOTO_PORT": 5055, "API_PORT": 8000, "WEB_PORT": 5173}
    ports = {name: int(os.environ.get(name, default)) for name, default in defaults.items()}
    api_url = f"http://127.0.0.1:{ports['API_PORT']}"
    web_url = f"http://127.0.0.1:{ports['WEB_PORT']}"
    for setting, port in ports.items():
        if (web or setting != "WEB_PORT") and not port_is_free(port):
            print(f"port {port} is in use: stop what holds it, or set {setting}", file=sys.stderr)
            return 1
    STATE_DIR.mkdir(parents=True, exist_ok=True)

    # The local stack must never reach a real account, whatever the shell has.
    os.environ.update(FAKE_CREDENTIALS)
    # Ctrl-C, SIGINT and SIGTERM all stop the stack, even when a parent
    # started us with SIGINT ignored (as shells do for background jobs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    with ExitStack() as running:
        endpoint = running.enter_context(
            moto_server(ports["MOTO_PORT"], log_path=STATE_DIR / "moto.log")
        )
        stack = replace(provision(endpoint), api_url=api_url, web_url=web_url)
        (STATE_DIR / "stack.json").write_text(json.dumps(stack.to_json(), indent=2) + "\n")
        # Links in answers point at the API's own address, never at a client's Host;
        # readable request lines in the terminal (LOG_FORMAT=json shows what AWS gets).
        env = {"LOG_FORMAT": "text", **os.environ, **stack.app_environment(local_cors_origins())}
        # (behind a front door, as in the browser tests: the door's, PUBLIC_API_ORIGIN).
        env["PUBLIC_API_ORIGIN"] = os.environ.get("PUBLIC_API_ORIGIN") or api_url
        serve = partial(background_process, env=env, show_output=True, start_timeout=60)
        # Chalice's own autoreload polls every file under the project (node_modules,
        # .venv, logs...), slow and set off by unrelated writes: this watches the code.
        chalice = [str(Path(sys.executable).parent / "chalice"), "local", "--stage", "local"]
        chalice += ["--no-autoreload", "--host", "127.0.0.1", "--port", str(ports["API_PORT"])]
        api_runs = running.enter_context(ExitStack())

        def start_api() -> subprocess.Popen[bytes]:
            return api_runs.enter_context(serve(chalice, ready_url=f"{api_url}/health", cwd=API))

        try:
            processes = [start_api()]
        except ServerDidNotStart as error:
            print(f"chalice local did not start: {error}", file=sys.stderr)
            return 1
        if web:
            write_web_config(stack)
            if not (FRONTEND / "node_modules").exists():
                subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)
            vite = ["npm", "run", "dev", "--", "--host", "127.0.0.1", "--strictPort"]
            vite += ["--port", str(ports["WEB_PORT"])]
            processes.append(running.enter_context(serve(vite, ready_url=web_url, cwd=FRONTEND)))

        print(
            f"""
Local stack is up ({STATE_DIR / "stack.json"}):
  local AWS (moto)  {stack.endpoint}
  API               {api_url}
  web app           {web_url if web else "(not started)"}
  user pool         {stack.user_pool_id}  client {stack.client_id}

Create a user and get a token:  make user EMAIL=you@example.com PASSWORD='Correct-Horse-9'
Press Ctrl-C to stop.
""",
            flush=True,
        )
        snapshot = code_snapshot()
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
            latest = code_snapshot()
            if latest != snapshot:
                snapshot = latest
                print("API code changed: restarting chalice local", file=sys.stderr, flush=True)
                api_runs.close()
                processes[0] = start_api()
        print("a process exited; stopping the stack", file=sys.stderr)
        return 1


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        # As the servers bind: a port held only by closing connections is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def code_snapshot() -> dict[Path, float]:
    files = [ROOT / "api" / "app.py", *sorted((ROOT / "api" / "chalicelib").rglob("*.py"))]
    return {path: path.stat().st_mtime for path in files if path.exists()}


def write_web_config(stack: Stack) -> None:
    """A deployed stack's config.json, plus moto as Cognito."""
    config = runtime_config({**stack.to_json(), "user_pool_client_id": stack.client_id})
    config["cognitoEndpoint"] = str(stack.endpoint)
    (FRONTEND / "public").mkdir(exist_ok=True)
    (FRONTEND / "public" / "config.json").write_text(json.dumps(config, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
