"""Fault injection for moto: the next `count` matching requests fail as AWS fails
(KINDS), to prove the app still ends in a correct result or a 503 + Retry-After.
The control answers 127.0.0.1 only: `POST /_faults {"target": "dynamodb", "kind":
"throttle", "count": 2, "operation": "GetItem"}` plans one (any operation if left
out), `GET` lists those pending, `DELETE` clears them. `FaultInjection` wraps the
moto server; `install_in_process` fakes the same in a botocore client over in-process
moto, so the contract suite faults every runtime alike."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from http import HTTPStatus
from typing import Any

CONTROL_PATH = "/_faults"
KINDS = {
    "dynamodb": {
        "throttle": "ThrottlingException (HTTP 400), which botocore retries",
        "transaction_conflict": "TransactWriteItems cancelled with a TransactionConflict "
        "on every item; any other operation a TransactionConflictException",
        "unprocessed": "BatchWriteItem answered with every item unprocessed",
        "5xx": "InternalServerError (HTTP 500)",
        "delay": "the request reaches moto only after `seconds`, past the app's read "
        "timeout: the write may land after the client gave up",
    },
    "jwks": {"fail": "HTTP 503", "garbage": "HTTP 200 whose body is not a key set"},
}
_DYNAMODB_TARGET_PREFIX = "DynamoDB_20120810."
_ERROR_TYPE = "com.amazonaws.dynamodb.v20120810#"
_ERRORS = {  # kind: (status, error code, message)
    "throttle": (400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."),
    "5xx": (500, "InternalServerError", "Internal server error"),
    "transaction_conflict": (
        400,
        "TransactionConflictException",
        "Transaction is ongoing for the item",
    ),
}

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass
class Fault:
    target: str
    kind: str
    count: int = 1
    operation: str | None = None  # DynamoDB operation name; None matches any
    seconds: float = 3.0  # for "delay"

    def __post_init__(self) -> None:
        if self.kind not in KINDS.get(self.target, {}):
            raise ValueError(f"kinds by target: { {t: list(k) for t, k in KINDS.items()} }")
        if not isinstance(self.count, int) or self.count < 1:
            raise ValueError("count must be a positive integer")
        if self.kind == "unprocessed" and self.operation not in (None, "BatchWriteItem"):
            raise ValueError("unprocessed applies to BatchWriteItem only")

    def matches(self, target: str, operation: str | None) -> bool:
        if self.kind == "unprocessed" and operation != "BatchWriteItem":
            return False
        return self.target == target and self.operation in (None, operation)


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
            fault = next((f for f in self._faults if f.matches(target, operation)), None)
            if fault:
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
            return fault


def dynamodb_answer(fault: Fault, operation: str, body: bytes) -> tuple[int, Any] | None:
    """DynamoDB's HTTP status and JSON answer for this fault, or None to pass it on."""
    if fault.kind == "delay":
        time.sleep(fault.seconds)
        return None
    request = json.loads(body or b"{}")
    if fault.kind == "unprocessed":
        return 200, {"UnprocessedItems": request.get("RequestItems", {})}
    if fault.kind == "transaction_conflict" and operation == "TransactWriteItems":
        reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing"}]
        reasons *= len(request.get("TransactItems", []))
        codes = ", ".join(reason["Code"] for reason in reasons)
        return 400, {
            "__type": _ERROR_TYPE + "TransactionCanceledException",
            "Message": "Transaction cancelled, please refer cancellation reasons for "
            f"specific reasons [{codes}]",
            "CancellationReasons": reasons,
        }
    status, code, message = _ERRORS[fault.kind]
    return status, {"__type": _ERROR_TYPE + code, "message": message}


class FaultInjection:
    """WSGI middleware around the moto server: the control, and the faults it plans."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self.plan = FaultPlan()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == CONTROL_PATH:
            return self._control(environ, start_response)
        amz_target = environ.get("HTTP_X_AMZ_TARGET", "")
        if amz_target.startswith(_DYNAMODB_TARGET_PREFIX):
            operation = amz_target.removeprefix(_DYNAMODB_TARGET_PREFIX)
            fault = self.plan.take("dynamodb", operation)
            answer = fault and dynamodb_answer(fault, operation, read_body(environ))
            if answer:
                return respond(start_response, *answer, "application/x-amz-json-1.0")
        elif path.endswith("/.well-known/jwks.json") and (fault := self.plan.take("jwks")):
            if fault.kind == "fail":
                return respond(start_response, 503, {"message": "injected JWKS failure"})
            return respond(start_response, 200, b"<html>not a key set</html>")
        return self._app(environ, start_response)

    def _control(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REMOTE_ADDR") != "127.0.0.1":
            return respond(start_response, 403, {"message": "local only"})
        method = environ.get("REQUEST_METHOD")
        if method == "DELETE":
            self.plan.clear()
        elif method == "POST":
            try:
                self.plan.add(Fault(**json.loads(read_body(environ))))
            except (ValueError, TypeError) as exc:  # TypeError: not an object, or unknown keys
                return respond(start_response, 400, {"message": str(exc)})
        elif method != "GET":
            return respond(start_response, 405, {"message": "GET, POST or DELETE"})
        return respond(start_response, 200, {"pending": self.plan.pending()})


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the body once and put it back, so the wrapped app can read it too."""
    body: bytes = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def respond(
    start_response: StartResponse,
    status: int,
    body: Any,
    content_type: str = "application/json",
    *headers: Any,
) -> list[bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = (("Content-Type", content_type), ("Content-Length", str(len(data))), *headers)
    start_response(f"{status} {HTTPStatus(status).phrase}", list(headers))
    return [data]


def install_in_process(client: Any, plan: FaultPlan) -> Callable[[], None]:
    """Apply `plan` to a botocore DynamoDB client over in-process moto; returns the undo."""
    from botocore.awsrequest import AWSResponse
    from botocore.exceptions import ReadTimeoutError
    from moto.core.botocore_stubber import MockRawResponse

    def before_send(request: Any, **_: Any) -> AWSResponse | None:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        operation = target.removeprefix(_DYNAMODB_TARGET_PREFIX)
        fault = plan.take("dynamodb", operation)
        if fault is None:
            return None
        if fault.kind == "delay":  # no clock to wait out in-process: the timeout itself
            raise ReadTimeoutError(endpoint_url=request.url)
        status, payload = dynamodb_answer(fault, operation, request.body or b"") or (200, {})
        url = request.url
        # botocore runs every before-send handler and takes the first answer:
        # moto's own stub must not find (and so apply) the faulted request.
        request.url = "https://faults.invalid/"
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        return AWSResponse(url, status, headers, MockRawResponse(json.dumps(payload)))

    events = client.meta.events
    events.register_first("before-send.dynamodb", before_send)
    return lambda: events.unregister("before-send.dynamodb", before_send)
