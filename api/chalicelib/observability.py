"""What an operator sees: one log line and one metrics document per request.

Built on Powertools for AWS Lambda (Python), the same on every runtime (Lambda,
gunicorn through the WSGI shim, ``chalice local``, tests):

- ``Logger``: one JSON object a line on stdout. The request's line carries the
  request id as ``correlation_id`` (API Gateway's on Lambda, the shim's on EC2,
  generated elsewhere; the same one the response returns in ``X-Request-Id``),
  method, route, status, latency, DynamoDB requests and ``user``, a keyed hash
  of the Cognito ``sub``. Only these fields are logged: never a token, an email
  or a todo's content. An unhandled exception's stack trace joins the line.
- ``Metrics``: CloudWatch embedded metric format (EMF) documents, written to
  stdout beside the logs. CloudWatch Logs turns them into metrics (on EC2 the
  CloudWatch agent ships the file), so no request waits for ``PutMetricData``.
- ``Tracer``: on Lambda only, where X-Ray is on (docs/operations.md says why not
  on EC2).

Chalice logs an unhandled view exception on ``app.log``; app.py points that at
Powertools' logger, so the record passes through here and is folded into the
request's line.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.config import LOG_FORMAT_TEXT, Settings
from chalicelib.errors import AuthFailure

# One namespace for both deployments; the `service` dimension (the stack's name,
# settings.service_name) tells stacks apart.
METRICS_NAMESPACE = "TodoApp"

# Metric names (the alarms and dashboards in infra/serverless/merge.yaml and
# infra/modules/monitoring use these names).
REQUESTS = "Requests"
LATENCY = "Latency"
DYNAMODB_REQUESTS = "DynamoDBRequests"
DYNAMODB_THROTTLES = "DynamoDBThrottles"
AUTH_FAILURES = "AuthFailures"
TODOS_CREATED = "TodosCreated"
TODOS_COMPLETED = "TodosCompleted"
TODOS_DELETED = "TodosDeleted"
TODO_EVENTS = (TODOS_CREATED, TODOS_COMPLETED, TODOS_DELETED)

# DynamoDB's "slow down" answers (counted per attempt, retries included).
THROTTLE_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)


def status_class(status: int) -> str:
    return f"{status // 100}xx"


@dataclass
class RequestRecord:
    """What one request did, filled in while it runs."""

    request_id: str
    method: str
    route: str
    started: float = field(default_factory=time.perf_counter)
    dynamodb_requests: int = 0
    dynamodb_throttles: int = 0
    user: str | None = None
    auth_failure: str | None = None
    todo_events: Counter[str] = field(default_factory=Counter)
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_current: ContextVar[RequestRecord | None] = ContextVar("todo_request", default=None)


class TextFormatter(LambdaPowertoolsFormatter):
    """Readable lines for `make dev`: time, level, message, then the fields."""

    _SHOWN_FIRST = ("timestamp", "level", "message")
    _HIDDEN = frozenset({"service", "location", "exception_name", "stack_trace", "exception"})

    def serialize(self, log: Any) -> str:
        when = str(log.get("timestamp", ""))[11:23]
        fields = " ".join(
            f"{key}={value}"
            for key, value in log.items()
            if key not in self._SHOWN_FIRST and key not in self._HIDDEN
        )
        line = f"{when} {log.get('level', ''):<7} {log.get('message', '')}  {fields}".rstrip()
        if log.get("exception"):
            line += "\n" + str(log["exception"])
        return line


class _FoldChaliceExceptions(logging.Filter):
    """Chalice logs an unhandled view exception from _unhandled_exception_to_response;
    during a request, keep its exc_info for the request's line instead of a line
    of its own (one line per request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current.get()
        if request is None or not record.exc_info:
            return True
        if record.funcName != "_unhandled_exception_to_response":
            return True
        request.exc_info = record.exc_info  # type: ignore[assignment]
        return False


class Observability:
    """The process's logger, metrics and (on Lambda) tracer, and the request scope."""

    def __init__(self, settings: Settings, stream: IO[str] | None = None) -> None:
        self._stream = stream or sys.stdout
        text = settings.log_format == LOG_FORMAT_TEXT
        formatter = TextFormatter(utc=True, use_rfc3339=True) if text else None
        self.service = settings.service_name
        self.logger = Logger(
            service=self.service,
            level=settings.log_level,
            logger_handler=logging.StreamHandler(self._stream),
            logger_formatter=formatter,
            utc=True,
            use_rfc3339=True,
        )
        self.logger.addFilter(_FoldChaliceExceptions())
        # Ours is the one output: the Lambda runtime's handler on the root logger
        # would print every line a second time.
        self.app_logger.propagate = False
        # Metrics are for CloudWatch; the readable local format leaves them out.
        self.metrics_enabled = settings.log_format != LOG_FORMAT_TEXT
        self.metrics = Metrics(namespace=METRICS_NAMESPACE, service=self.service)
        # Default dimensions join every dimension set, so each set includes service.
        self.metrics.set_default_dimensions(service=self.service)
        # One metric set per process: a request's metrics are added, written and
        # cleared under this lock, so threads never mix their documents.
        self._metrics_lock = threading.Lock()
        # Keyed, so the user key cannot be joined with another system's plain hash
        # of the same sub; per user pool, so it differs between stacks.
        self._user_key_secret = f"todo-user-key:{settings.user_pool_id}".encode()
        self._tracer: Any = None
        self._tracing = settings.running_on_lambda
        self._watched_clients: list[Any] = []

    @property
    def app_logger(self) -> logging.Logger:
        """The standard-library logger behind Powertools' (named after the service)."""
        return logging.getLogger(self.service)

    def set_stream(self, stream: IO[str]) -> None:
        """Send logs and metrics elsewhere (tests)."""
        self._stream = stream
        handler = self.logger.registered_handler
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)

    @contextmanager
    def to_nowhere(self) -> Iterator[None]:
        """The block's log lines and metrics are written to nowhere: the requests that
        warm a new worker (wsgi.warm_worker), which no client sent."""
        stream = self._stream
        self.set_stream(io.StringIO())
        try:
            yield
        finally:
            self.set_stream(stream)

    def warm_up(self) -> None:
        """An authenticated request's line and metrics (the user key), to nowhere."""
        with self.to_nowhere():
            with self.request(None, "GET", "/warm-up") as record:
                record.user = self.user_key("warm-up")
            self.finish(record, 200)

    # -- the request scope ------------------------------------------------------

    @contextmanager
    def request(
        self, request_id: str | None, method: str, route: str, **extra: Any
    ) -> Iterator[RequestRecord]:
        record = RequestRecord(
            request_id=request_id or str(uuid.uuid4()),
            method=method,
            route=route,
            extra={k: v for k, v in extra.items() if v is not None},
        )
        token = _current.set(record)
        # This thread's own (several threads may serve requests in one process).
        self.logger.thread_safe_append_keys(correlation_id=record.request_id)
        try:
            with self._traced(record):
                yield record
        finally:
            _current.reset(token)
            self.logger.thread_safe_remove_keys(["correlation_id"])

    @contextmanager
    def _traced(self, record: RequestRecord) -> Iterator[None]:
        tracer = self._get_tracer()
        if tracer is None:
            yield
            return
        with tracer.provider.in_subsegment(f"## {record.method} {record.route}") as subsegment:
            subsegment.put_annotation("route", f"{record.method} {record.route}")
            subsegment.put_annotation("request_id", record.request_id)
            yield

    def _get_tracer(self) -> Any:
        if not self._tracing:
            return None
        if self._tracer is None:
            # Imported on the first request: X-Ray's SDK (from the Powertools layer)
            # is slow to import and only Lambda traces. Patches botocore, so each
            # DynamoDB call is a subsegment.
            try:
                from aws_lambda_powertools import Tracer

                self._tracer = Tracer(service=self.service)
            except ImportError:
                # A layer without the X-Ray SDK costs the traces, never a request.
                self.logger.warning("tracing is off: the X-Ray SDK is not installed")
                self._tracing = False
                return None
        return self._tracer

    def finish(self, record: RequestRecord, status: int) -> None:
        """Write the request's one log line and its metrics."""
        latency_ms = round((time.perf_counter() - record.started) * 1000, 2)
        fields: dict[str, Any] = {
            "method": record.method,
            "route": record.route,
            "status": status,
            "latency_ms": latency_ms,
            "dynamodb_requests": record.dynamodb_requests,
            **record.extra,
        }
        if record.user:
            fields["user"] = record.user
        if record.dynamodb_throttles:
            fields["dynamodb_throttles"] = record.dynamodb_throttles
        if record.auth_failure:
            fields["auth_failure"] = record.auth_failure
        message = f"{record.method} {record.route} {status}"
        if record.exc_info is not None:
            self.logger.error(message, exc_info=record.exc_info, extra=fields, stacklevel=3)
        elif status >= 500:
            self.logger.warning(message, extra=fields, stacklevel=3)
        else:
            self.logger.info(message, extra=fields, stacklevel=3)
        if self.metrics_enabled:
            self._emit_metrics(record, status, latency_ms)

    # -- metrics ----------------------------------------------------------------

    def _emit_metrics(self, record: RequestRecord, status: int, latency_ms: float) -> None:
        with self._metrics_lock:
            self._emit_metrics_locked(record, status, latency_ms)

    def _emit_metrics_locked(self, record: RequestRecord, status: int, latency_ms: float) -> None:
        metrics = self.metrics
        # Every metric once for the whole service (what the alarms watch) and once
        # per route and status class (what the dashboard breaks down).
        route = f"{record.method} {record.route}"
        metrics.add_dimensions(route=route, status_class=status_class(status))
        metrics.add_metric(REQUESTS, MetricUnit.Count, 1)
        metrics.add_metric(LATENCY, MetricUnit.Milliseconds, latency_ms)
        metrics.add_metric(DYNAMODB_REQUESTS, MetricUnit.Count, record.dynamodb_requests)
        if record.dynamodb_throttles:
            metrics.add_metric(DYNAMODB_THROTTLES, MetricUnit.Count, record.dynamodb_throttles)
        for name, count in record.todo_events.items():
            if count:
                metrics.add_metric(name, MetricUnit.Count, count)
        metrics.add_metadata("request_id", record.request_id)
        self._write_metrics()
        if record.auth_failure:
            # Its own document: the reason is a dimension of this metric only.
            metrics.add_dimensions(reason=record.auth_failure)
            metrics.add_metric(AUTH_FAILURES, MetricUnit.Count, 1)
            self._write_metrics()

    def _write_metrics(self) -> None:
        document = self.metrics.serialize_metric_set()
        self.metrics.clear_metrics()
        self._stream.write(json.dumps(document, separators=(",", ":")) + "\n")
        self._stream.flush()

    # -- what the app reports during a request ----------------------------------

    def set_user(self, sub: str) -> None:
        record = _current.get()
        if record is not None:
            record.user = self.user_key(sub)

    def user_key(self, sub: str) -> str:
        return hmac.new(self._user_key_secret, sub.encode(), hashlib.sha256).hexdigest()[:16]

    def auth_failed(self, reason: AuthFailure) -> None:
        """Why this request's credentials were refused: the Unauthorized error's
        ``reason`` (chalicelib.errors.AuthFailure, a small fixed set), which becomes
        the log line's ``auth_failure`` and the AuthFailures metric's ``reason``."""
        record = _current.get()
        if record is not None:
            record.auth_failure = reason.value

    def todo_event(self, name: str, count: int = 1) -> None:
        if name not in TODO_EVENTS:
            raise ValueError(f"not a todo event: {name}")
        record = _current.get()
        if record is not None:
            record.todo_events[name] += count

    def watch_dynamodb(self, client: Any) -> None:
        """Count this botocore client's DynamoDB requests and throttles per request."""
        if any(watched is client for watched in self._watched_clients):
            return
        events = client.meta.events
        events.register("before-send.dynamodb", _count_dynamodb_request)
        events.register("needs-retry.dynamodb", _count_dynamodb_throttle)
        # A client is replaced only when its credentials go missing; keep a few.
        self._watched_clients = [*self._watched_clients[-3:], client]


def _count_dynamodb_request(**_: Any) -> None:
    record = _current.get()
    if record is not None:
        record.dynamodb_requests += 1


def _count_dynamodb_throttle(response: Any = None, **_: Any) -> None:
    """botocore's needs-retry event: one per attempt, with (http, parsed) or None."""
    record = _current.get()
    if record is None or not response:
        return
    parsed = response[1] if isinstance(response, tuple) and len(response) > 1 else {}
    code = (parsed or {}).get("Error", {}).get("Code")
    if code in THROTTLE_CODES:
        record.dynamodb_throttles += 1
