"""gunicorn settings for the serverful path (`gunicorn -c gunicorn.conf.py wsgi:application`).

Configured by environment variables so that a laptop (`make serve`) and the EC2
instances (systemd unit) run the same file:

  GUNICORN_BIND     address to listen on; 127.0.0.1:8080 locally, 0.0.0.0:8080 on EC2
  WEB_CONCURRENCY   worker processes; default 2 x usable cores + 1
  GUNICORN_TIMEOUT  seconds a request may take before its worker is replaced (30)
  LOG_LEVEL         gunicorn's error-log level (info)

(Not PORT: gunicorn itself would read that and bind 0.0.0.0.)
"""

from __future__ import annotations

import os
import sys
from typing import Any


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8080")]
# Sync workers (measured, docs/wsgi.md "Speed"): the app runs one request at a time
# per process anyway (Chalice keeps the current request on the app object), and on
# 2 cores a sync worker costs half the CPU per request of a gthread one, whose
# threads contend for the GIL. The ALB in front buffers slow clients.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _usable_cores() + 1)
# API Gateway HTTP API gives up after 30 s, so a longer request helps nobody.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM, finish in-flight requests (the ALB has stopped sending new ones).
graceful_timeout = 20
# Import the app, build the DynamoDB client and fetch the token signing keys once,
# in the master (wsgi.prepare, from when_ready below): every forked worker starts warm and
# shares them, so a new worker's first request costs what any other does.
preload_app = True
# A leak guard far above any load run (hours at full speed), not a restart every
# few seconds on the request path; jitter keeps workers from restarting together.
max_requests = 1_000_000
max_requests_jitter = 100_000
# Heartbeat files in memory, not on the instance's disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
proc_name = "todo-api"

# gunicorn >= 25.1 opens a control socket in $XDG_RUNTIME_DIR or ~/.gunicorn;
# nothing uses it and it would be left behind, so switch it off (older gunicorn
# ignores unknown settings).
control_socket_disable = True

loglevel = os.environ.get("LOG_LEVEL", "info")
errorlog = "-"
# No access log: the app writes one JSON line per request (chalicelib/observability.py);
# what never reaches the app is in the API Gateway access log.
accesslog = None


def _entry_point() -> Any:
    """wsgi.py if that is what is served (a test may serve another app with this file)."""
    return sys.modules.get("wsgi")


def when_ready(server: Any) -> None:
    """In the master, after preload_app loaded the app and before any worker forks."""
    entry_point = _entry_point()
    if entry_point is not None:
        entry_point.prepare()


def post_worker_init(worker: Any) -> None:
    """In each new worker, before it serves."""
    entry_point = _entry_point()
    if entry_point is not None and worker.wsgi is entry_point.application:
        entry_point.warm_worker()
