"""The serverful path's HTTP server: granian serving ``wsgi:application``.

``python server.py`` (EC2's systemd unit, ``make serve``, the tests and the bench).
Configured by environment variables, so a laptop and the instances run the same file:

  SERVER_BIND               address to listen on; 127.0.0.1:8080 locally, 0.0.0.0:8080 on EC2
  WEB_CONCURRENCY           worker processes; default one per usable core
  SERVER_THREADS            threads per worker running the app (4): while one request
                            waits on DynamoDB, another runs (docs/wsgi.md, "Speed")
  SERVER_KEEPALIVE_SECONDS  how long an idle keep-alive connection stays open (75): above
                            the ALB's idle timeout (60 s), so the ALB always closes first
                            and never sends a request on a connection we are closing (a 502)
  LOG_LEVEL                 the server's own log level (info)

The master imports the app and readies what every request needs (``wsgi.prepare``)
before the workers fork; each worker warms up before it serves (``wsgi.serve``). On
SIGTERM the workers stop accepting, finish their requests (at most DRAIN_SECONDS) and exit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# API Gateway's integration timeout is 30 s; the ALB's deregistration delay is longer
# than this, so a stopping instance finishes every request it took.
DRAIN_SECONDS = 20
DEFAULT_THREADS = 4
DEFAULT_KEEPALIVE_SECONDS = 75


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    workers: int
    threads: int
    keepalive_seconds: int
    log_level: str


def settings(env: Mapping[str, str] = os.environ) -> Settings:
    host, _, port = env.get("SERVER_BIND", "127.0.0.1:8080").rpartition(":")
    return Settings(
        host=host,
        port=int(port),
        workers=int(env.get("WEB_CONCURRENCY") or usable_cores()),
        threads=int(env.get("SERVER_THREADS") or DEFAULT_THREADS),
        keepalive_seconds=int(env.get("SERVER_KEEPALIVE_SECONDS") or DEFAULT_KEEPALIVE_SECONDS),
        log_level=env.get("LOG_LEVEL", "info").lower(),
    )


def granian_options(config: Settings) -> dict[str, Any]:
    """The keyword arguments of granian's server."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    return {
        "target": "wsgi:serve",  # called in each worker: warms it up, returns the app
        "factory": True,
        "interface": Interfaces.WSGI,
        "address": config.host,
        "port": config.port,
        "workers": config.workers,
        "blocking_threads": config.threads,
        "http": HTTPModes.http1,  # the ALB speaks HTTP/1.1 to its targets
        "websockets": False,
        # hyper's header read timeout is also how long a kept-alive connection may idle.
        "http1_settings": HTTP1Settings(header_read_timeout=config.keepalive_seconds * 1000),
        "workers_kill_timeout": DRAIN_SECONDS,
        "respawn_failed_workers": True,
        "log_level": LogLevels(config.log_level),
        # No access log: the app writes one JSON line per request.
        "log_access": False,
    }


def main() -> None:
    from granian.server import Server

    import wsgi  # the app is imported here, once, before the workers fork

    config = settings()
    wsgi.prepare()
    Server(**granian_options(config)).serve()


if __name__ == "__main__":
    main()
