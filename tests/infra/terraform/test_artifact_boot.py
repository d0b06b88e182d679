"""The artifact, installed the way the EC2 user data installs it, boots its server."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.infra.terraform.conftest import env_file_settings, render_user_data
from tools.deploy_serverful import Terraform
from tools.local_stack import FAKE_CREDENTIALS, free_port, stop_process, wait_for_http

pytestmark = pytest.mark.integration


def test_artifact_installs_and_the_server_answers_health(
    artifact: Path, compute_module: Terraform, tmp_path: Path
) -> None:
    port = free_port()
    user_data = render_user_data(compute_module, app_port=port)
    dest = tmp_path / "opt-todo"

    # The user data's install step, with this machine's python instead of python3.13.
    install_line = re.search(r"bash /opt/todo/install_app\.sh .*", user_data)
    assert install_line, "the user data no longer runs install_app.sh"
    install_script = compute_module.working_dir / "templates" / "install_app.sh"
    install = subprocess.run(
        ["bash", str(install_script), str(artifact), str(dest), sys.executable],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert not (dest / "app" / "wheels").exists()

    # The systemd unit's command and environment; only the bind address is changed,
    # so the test listens on 127.0.0.1 alone.
    exec_start = re.search(r"^ExecStart=(.+)$", user_data, re.MULTILINE)
    assert exec_start
    command = shlex.split(exec_start.group(1).replace("/opt/todo", str(dest)))
    settings = env_file_settings(user_data)
    assert settings["SERVER_BIND"] == f"0.0.0.0:{port}"
    env = {
        **settings,
        **FAKE_CREDENTIALS,
        "SERVER_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            command,
            cwd=dest / "app",
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/health", process=server)
        health = requests.get(f"{base}/health", timeout=10)
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}
        # The todo routes are there, and refuse a request without a token.
        anonymous = requests.get(f"{base}/todos", timeout=10)
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"].startswith("application/json")
    finally:
        stop_process(server)
    output = log_path.read_text()
    assert f"Listening at: http://127.0.0.1:{port}" in output, output
