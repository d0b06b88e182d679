"""Fault injection for the local AWS stand-in (moto): the next N matching
requests fail the way AWS fails, so tests can prove the app still ends in a
correct result or 503 + Retry-After, never a 500 or a 401 for a valid token.

Off unless asked for: the plan starts empty, and the control answers only
requests from 127.0.0.1 (the moto server listens nowhere else).

    POST   /_faults  {"target": "dynamodb", "kind": "throttle", "count": 2,
                      "operation": "TransactWriteItems"}   (operation: any if left out)
    POST   /_faults  {"target": "jwks", "kind": "fail", "count": 3}
    GET    /_faults  the faults still pending
    DELETE /_faults  clear them all

Kinds, for target "dynamodb":
- throttle: ThrottlingException (HTTP 400), which botocore retries;
- transaction_conflict: TransactWriteItems cancelled with a TransactionConflict
  on every item; any other operation a TransactionConflictException;
- unprocessed: BatchWriteItem answered with every item unprocessed;
- 5xx: InternalServerError (HTTP 500);
- delay: the request reaches moto only after `seconds` (default 3, past the
  app's read timeout), as when DynamoDB is slow: the write may land after the
  client gave up.
For target "jwks" (the user pool's /.well-known/jwks.json): fail (HTTP 503),
garbage (HTTP 200 whose body is not a JWKS).

`FaultInjection` wraps the moto server's WSGI app (scripts/local_stack.py);
`install_in_process` applies the same plan to a botocore client over
in-process moto, so the contract suite faults every runtime alike.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

CONTROL_PATH = "/_faults"
JWKS_SUFFIX = "/.well-known/jwks.json"
KINDS = {
    "dynamodb": ("throttle", "transaction_conflict", "unprocessed", "5xx", "delay"),
    "jwks": ("fail", "garbage"),
}
DEFAULT_DELAY_SECONDS = 3.0
_DYNAMODB_TARGET_PREFIX = "DynamoDB_20120810."
_ERROR_TYPE = "com.amazonaws.dynamodb.v20120810#"
_LOCALHOST = "127.0.0.1"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass
class Fault:
    target: str
    kind: str
    count: int = 1
    operation: str | None = None  # DynamoDB operation name; None matches any
    seconds: float = DEFAULT_DELAY_SECONDS

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        if not isinstance(data, dict) or set(data) - {
            "target",
            "kind",
            "count",
            "operation",
            "seconds",
        }:
            raise ValueError("a fault is {target, kind, count?, operation?, seconds?}")
        fault = cls(**data)
        if fault.kind not in KINDS.get(fault.target, ()):
            raise ValueError(f"kinds by target: {KINDS}")
        if not isinstance(fault.count, int) or fault.count < 1:
            raise ValueError("count must be a positive integer")
        if fault.kind == "unprocessed" and fault.operation not in (None, "BatchWriteItem"):
            raise ValueError("unprocessed applies to BatchWriteItem only")
        return fault


class FaultPlan:
    """The faults still to inject, shared by every request thread."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(fault) for fault in self._faults]

    def take(self, target: str, operation: str | None = None) -> Fault | None:
        """The first fault matching this request, used up once."""
        with self._lock:
            for fault in self._faults:
                if fault.target != target or fault.operation not in (None, operation):
                    continue
                if fault.kind == "unprocessed" and operation != "BatchWriteItem":
                    continue
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
                return fault
        return None


def dynamodb_answer(fault: Fault, operation: str, body: bytes) -> tuple[int, bytes] | None:
    """DynamoDB's HTTP answer for this fault, or None to pass the request on."""
    if fault.kind == "delay":
        time.sleep(fault.seconds)
        return None
    if fault.kind == "unprocessed":
        request = json.loads(body or b"{}")
        return 200, _json({"UnprocessedItems": request.get("RequestItems", {})})
    if fault.kind == "throttle":
        return 400, _error(
            "ThrottlingException", "Rate of requests exceeds the allowed throughput."
        )
    if fault.kind == "5xx":
        return 500, _error("InternalServerError", "Internal server error")
    if operation != "TransactWriteItems":
        return 400, _error("TransactionConflictException", "Transaction is ongoing for the item")
    items = json.loads(body or b"{}").get("TransactItems", [])
    reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing"} for _ in items]
    message = "Transaction cancelled, please refer cancellation reasons for specific reasons"
    codes = ", ".join(reason["Code"] for reason in reasons)
    return 400, _json(
        {
            "__type": _ERROR_TYPE + "TransactionCanceledException",
            "Message": f"{message} [{codes}]",
            "CancellationReasons": reasons,
        }
    )


def jwks_answer(fault: Fault) -> tuple[int, bytes]:
    if fault.kind == "fail":
        return 503, _json({"message": "injected JWKS failure"})
    return 200, b"<html>not a key set</html>"


def _error(code: str, message: str) -> bytes:
    return _json({"__type": _ERROR_TYPE + code, "message": message})


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


class FaultInjection:
    """WSGI middleware around the moto server: the control, and the faults it plans."""

    def __init__(self, app: WsgiApp, plan: FaultPlan | None = None) -> None:
        self._app = app
        self.plan = plan or FaultPlan()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == CONTROL_PATH:
            return self._control(environ, start_response)
        amz_target = environ.get("HTTP_X_AMZ_TARGET", "")
        if amz_target.startswith(_DYNAMODB_TARGET_PREFIX):
            operation = amz_target[len(_DYNAMODB_TARGET_PREFIX) :]
            fault = self.plan.take("dynamodb", operation)
            if fault:
                body = _read_body(environ)
                answer = dynamodb_answer(fault, operation, body)
                if answer:
                    return _respond(start_response, *answer, "application/x-amz-json-1.0")
        elif path.endswith(JWKS_SUFFIX) and (fault := self.plan.take("jwks")):
            return _respond(start_response, *jwks_answer(fault), "application/json")
        return self._app(environ, start_response)

    def _control(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REMOTE_ADDR") != _LOCALHOST:
            return _respond(start_response, 403, _json({"message": "local only"}))
        method = environ.get("REQUEST_METHOD")
        if method == "DELETE":
            self.plan.clear()
        elif method == "POST":
            try:
                self.plan.add(Fault.from_json(json.loads(_read_body(environ))))
            except (ValueError, TypeError) as exc:
                return _respond(start_response, 400, _json({"message": str(exc)}))
        elif method != "GET":
            return _respond(start_response, 405, _json({"message": "GET, POST or DELETE"}))
        return _respond(start_response, 200, _json({"pending": self.plan.pending()}))


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the body once and put it back, so the wrapped app can read it too."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _respond(
    start_response: StartResponse, status: int, body: bytes, content_type: str = "application/json"
) -> list[bytes]:
    reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 405: "Method Not Allowed"}
    start_response(
        f"{status} {reason.get(status, 'Error')}",
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
    )
    return [body]


def install_in_process(client: Any, plan: FaultPlan) -> Callable[[], None]:
    """Apply `plan` to a botocore DynamoDB client over in-process moto; returns the undo."""
    from botocore.awsrequest import AWSResponse
    from botocore.exceptions import ReadTimeoutError

    class _Raw:
        def __init__(self, body: bytes) -> None:
            self._body = body

        def stream(self, **_: Any) -> Iterable[bytes]:
            yield self._body

    def before_send(request: Any, **_: Any) -> AWSResponse | None:
        operation = request.headers.get("X-Amz-Target", b"")
        operation = operation.decode() if isinstance(operation, bytes) else operation
        operation = operation.removeprefix(_DYNAMODB_TARGET_PREFIX)
        fault = plan.take("dynamodb", operation)
        if fault is None:
            return None
        if fault.kind == "delay":  # no clock to wait out in-process: the timeout itself
            raise ReadTimeoutError(endpoint_url=request.url)
        body = request.body or b""
        status, payload = dynamodb_answer(fault, operation, body) or (200, b"")
        url = request.url
        # botocore runs every before-send handler and takes the first answer:
        # moto's own stub must not find (and so apply) the faulted request.
        request.url = "https://faults.invalid/"
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(url, status, headers, _Raw(payload))

    events = client.meta.events
    events.register_first("before-send.dynamodb", before_send)
    return lambda: events.unregister("before-send.dynamodb", before_send)
