"""`make dev`: the whole stack on this machine, no AWS account needed.

Starts moto server (the local AWS), creates the table, user pool and app
client, writes .dev/stack.json, then runs `chalice local` and the web app.
Ctrl-C (or SIGTERM) stops everything it started.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.local_stack import (  # noqa: E402 - needs the repo root on sys.path
    FAKE_CREDENTIALS,
    ServerDidNotStart,
    moto_server,
    provision,
    stop_process,
    wait_for_http,
)

FRONTEND = ROOT / "frontend"


def main() -> int:
    try:
        return run()
    except KeyboardInterrupt:
        # Raised wherever Ctrl-C lands; the ExitStack in run() has already
        # stopped everything started so far.
        print("\nstopped", file=sys.stderr)
        return 0


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-web", action="store_true", help="do not start the web app")
    args = parser.parse_args()

    moto_port = int(os.environ.get("MOTO_PORT", "5055"))
    api_port = int(os.environ.get("API_PORT", "8000"))
    web_port = int(os.environ.get("WEB_PORT", "5173"))
    state_dir = Path(os.environ.get("DEV_STATE_DIR", ROOT / ".dev"))
    state_dir.mkdir(parents=True, exist_ok=True)
    web_url = f"http://127.0.0.1:{web_port}"
    api_url = f"http://127.0.0.1:{api_port}"
    cors_origins = os.environ.get("CORS_ORIGINS") or f"{web_url},http://localhost:{web_port}"

    ports = {"MOTO_PORT": moto_port, "API_PORT": api_port}
    if not args.no_web:
        ports["WEB_PORT"] = web_port
    for setting, port in ports.items():
        if not port_is_free(port):
            print(f"port {port} is in use: stop what holds it, or set {setting}", file=sys.stderr)
            return 1

    # The local stack must never reach a real account, whatever the shell has.
    os.environ.update(FAKE_CREDENTIALS)

    # Ctrl-C, SIGINT and SIGTERM all stop the stack, even when a parent
    # started us with SIGINT ignored (as shells do for background jobs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    with ExitStack() as running:
        endpoint = running.enter_context(
            moto_server(moto_port, log_path=state_dir / "moto.log", serialized=True)
        )
        stack = provision(endpoint)
        stack = type(stack)(**{**stack.to_json(), "api_url": api_url, "web_url": web_url})
        (state_dir / "stack.json").write_text(json.dumps(stack.to_json(), indent=2) + "\n")

        env = {**os.environ, **stack.app_environment(cors_origins)}
        api = ApiServer(api_port, env)
        running.callback(api.stop)
        try:
            api.start()
        except ServerDidNotStart as error:
            print(f"chalice local did not start: {error}", file=sys.stderr)
            return 1

        web = None
        if not args.no_web and (FRONTEND / "package.json").exists():
            write_web_config(stack.to_json(), endpoint)
            if not (FRONTEND / "node_modules").exists():
                subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)
            web = start(
                [
                    "npm",
                    "run",
                    "dev",
                    "--",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(web_port),
                    "--strictPort",
                ],
                env,
                cwd=FRONTEND,
            )
            running.callback(stop_process, web)
            wait_for_http(web_url, timeout=60, process=web)

        print_summary(stack.to_json(), state_dir, web is not None)
        while api.running() and (web is None or web.poll() is None):
            time.sleep(0.5)
            api.reload_if_code_changed()
        print("a process exited; stopping the stack", file=sys.stderr)
        return 1


class ApiServer:
    """`chalice local`, restarted when the API's Python code changes.

    Chalice's own autoreload polls every file under the project (node_modules,
    .venv, logs...), which is slow and restarts on unrelated writes; this
    watches only the code.
    """

    def __init__(self, port: int, env: dict[str, str]) -> None:
        self._port = port
        self._env = env
        self._process: subprocess.Popen[Any] | None = None
        self._snapshot = code_snapshot()

    def start(self) -> None:
        chalice = str(Path(sys.executable).parent / "chalice")
        self._process = start(
            [
                chalice,
                "local",
                "--stage",
                "local",
                "--no-autoreload",
                "--host",
                "127.0.0.1",
                "--port",
                str(self._port),
            ],
            self._env,
        )
        wait_for_http(f"http://127.0.0.1:{self._port}/health", timeout=60, process=self._process)

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def reload_if_code_changed(self) -> None:
        snapshot = code_snapshot()
        if snapshot != self._snapshot:
            self._snapshot = snapshot
            print("API code changed: restarting chalice local", file=sys.stderr, flush=True)
            self.stop()
            self.start()


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
    files = [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]
    return {path: path.stat().st_mtime for path in files if path.exists()}


def start(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.Popen[Any]:
    # Own process group, so stopping it also stops its children (e.g. vite).
    return subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)


def write_web_config(stack: dict[str, Any], endpoint: str) -> None:
    config = {
        "apiUrl": stack["api_url"],
        "region": stack["region"],
        "userPoolId": stack["user_pool_id"],
        "userPoolClientId": stack["client_id"],
        "cognitoEndpoint": endpoint,
        # moto answers SRP without checking the password; the deployed stacks use SRP.
        "authFlow": "USER_PASSWORD_AUTH",
    }
    public = FRONTEND / "public"
    public.mkdir(exist_ok=True)
    (public / "config.json").write_text(json.dumps(config, indent=2) + "\n")


def print_summary(stack: dict[str, Any], state_dir: Path, web: bool) -> None:
    print(
        f"""
Local stack is up ({state_dir / "stack.json"}):
  local AWS (moto)  {stack["endpoint"]}
  API               {stack["api_url"]}
  web app           {stack["web_url"] if web else "(not started)"}
  user pool         {stack["user_pool_id"]}  client {stack["client_id"]}

Create a user and get a token:  make user EMAIL=you@example.com PASSWORD='Correct-Horse-9'
Press Ctrl-C to stop.
""",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
