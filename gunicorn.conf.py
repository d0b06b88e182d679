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

import json
import os
import sys
import time
from typing import Any

from gunicorn import glogging


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8080")]
# Threaded workers (measured, docs/wsgi.md "Speed"): the app still runs one request
# at a time per process (the shim's lock: Chalice keeps the current request on the
# app object), but connections are kept alive and parsed beside it, which cuts the
# CPU per request by about a third against sync workers that close every connection.
worker_class = "gthread"
threads = 4
# Longer than the ALB's idle timeout (60 s), so the ALB, not gunicorn, closes an idle
# connection (else a request can meet a connection gunicorn is closing: a 502).
keepalive = 75
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
accesslog = "-"


class JsonAccessLogger(glogging.Logger):
    """One JSON object per request on the access log, with the request id."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        response_headers = {name.lower(): value for name, value in resp.headers}
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            # Set by ChaliceWSGIAdapter; the same id the app sees as the request id.
            "request_id": response_headers.get("x-amzn-requestid"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(record, separators=(",", ":")))
        except Exception:
            self.exception("access log failed")


logger_class = JsonAccessLogger


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
