"""Serve a Chalice app from any WSGI server (gunicorn on EC2).

Chalice ships no WSGI adapter. ``ChaliceWSGIAdapter`` turns each WSGI request into
the API Gateway REST proxy event (payload v1) that Chalice receives on Lambda and
calls the very same ``app`` object, so routing, validation, errors, middleware and
CORS stay Chalice's own. What API Gateway itself does before a request reaches
Lambda is mirrored here the way Chalice's local gateway (``chalice.local``, which
the in-process test client uses) does it: unknown routes get API Gateway's 403
"Missing Authentication Token", and OPTIONS on a route without an OPTIONS view
gets the auto-generated CORS preflight answer.

Identity is never taken from the request here: no ``authorizer`` block is ever
put in ``requestContext``, so the app verifies the bearer token itself.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from wsgiref.util import is_hop_by_hop

from chalice.app import Chalice, _matches_content_type
from chalice.local import LambdaContext, RouteMatcher

Event = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIEnviron = Mapping[str, Any]

# API Gateway's payload limit: larger requests never reach the function there.
MAX_BODY_BYTES = 10 * 1024 * 1024

# Headers whose single value may itself contain commas, so splitting a folded
# value at commas would cut one value in two.
_COMMA_IN_VALUE_HEADERS = frozenset(
    {
        "authorization",
        "cookie",
        "date",
        "expires",
        "if-modified-since",
        "if-range",
        "if-unmodified-since",
        "last-modified",
        "retry-after",
        "user-agent",
    }
)

# The bodies API Gateway sends for requests that never reach the function; the
# same bytes chalice.local sends, so every runtime answers alike.
_MISSING_TOKEN_BODY = b'{"message": "Missing Authentication Token"}'
_SIGNATURE_BODY = (
    b'{"message": "Authorization header requires \'Credential\''
    b" parameter. Authorization header requires 'Signature'"
    b" parameter. Authorization header requires "
    b"'SignedHeaders' parameter. Authorization header "
    b"requires existence of either a 'X-Amz-Date' or a"
    b" 'Date' header. Authorization=%s\"}"
)


class _BadRequest(Exception):
    """The request cannot be turned into an event; answered like API Gateway would."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ChaliceWSGIAdapter:
    """A WSGI application that runs a Chalice app's REST routes."""

    def __init__(
        self,
        app: Chalice,
        *,
        stage: str = "api",
        trusted_proxy_hops: int = 0,
        max_body_bytes: int = MAX_BODY_BYTES,
        function_timeout_ms: int = 30_000,
    ) -> None:
        """``trusted_proxy_hops``: how many proxies in front of this server append to
        X-Forwarded-For (EC2 behind API Gateway + ALB: 2). The client address is the
        entry those proxies recorded; anything further left is client-controlled."""
        if trusted_proxy_hops < 0:
            raise ValueError("trusted_proxy_hops must be >= 0")
        self.app = app
        self.stage = stage
        self.trusted_proxy_hops = trusted_proxy_hops
        self.max_body_bytes = max_body_bytes
        self.function_timeout_ms = function_timeout_ms
        self._route_matcher = RouteMatcher(list(app.routes))
        # Chalice keeps the current request on the app object, so two threads must
        # never run the app at once (a threaded worker would mix up requests).
        self._app_lock = threading.Lock()

    # -- WSGI entry point -------------------------------------------------------

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        request_id = str(uuid.uuid4())
        try:
            event = self.build_event(environ, request_id)
        except _BadRequest as error:
            body = json.dumps({"message": error.message}).encode()
            return self._respond(start_response, error.status, [], body, request_id)
        if event is None:
            return self._missing_route(environ, start_response, request_id)
        if event["httpMethod"] == "OPTIONS" and "OPTIONS" not in self.app.routes[event["resource"]]:
            headers = list(self._preflight_headers(event["resource"]).items())
            return self._respond(start_response, 200, headers, b"", request_id)
        context = LambdaContext(
            function_name=self.app.app_name,
            memory_size=0,
            max_runtime_ms=self.function_timeout_ms,
        )
        context.aws_request_id = request_id
        with self._app_lock:
            result = self.app(event, context)
        status, headers, body = response_from_result(result)
        return self._respond(start_response, status, headers, body, request_id)

    # -- request -> event -------------------------------------------------------

    def build_event(self, environ: WSGIEnviron, request_id: str) -> Event | None:
        """The API Gateway proxy event for this request, or None if no route matches."""
        method = environ["REQUEST_METHOD"].upper()
        raw_path = _raw_path(environ)
        try:
            # urlparse inside RouteMatcher would cut a ';' segment parameter off.
            match = self._route_matcher.match_route(raw_path.replace(";", "%3B"))
        except ValueError:
            return None
        route = match.route
        # RouteMatcher keeps captures from routes it tried before; keep the route's own.
        names = [part[1:-1] for part in route.split("/") if part.startswith("{")]
        path_parameters = {name: unquote(match.captured[name]) for name in names} or None
        path = unquote(raw_path)

        query = environ.get("QUERY_STRING", "")
        multi_query = parse_qs(query, keep_blank_values=True) if query else {}
        headers, multi_headers = _headers(environ)
        body, is_base64 = self._body(environ, headers)

        return {
            "resource": route,
            "path": path,
            "httpMethod": method,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": (
                {key: values[-1] for key, values in multi_query.items()} or None
            ),
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_parameters,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route,
                "httpMethod": method,
                "path": path,
                "stage": self.stage,
                "requestId": request_id,
                "requestTimeEpoch": int(time.time() * 1000),
                "protocol": environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "domainName": headers.get("host", ""),
                "identity": {
                    "sourceIp": self.source_ip(environ),
                    "userAgent": headers.get("user-agent"),
                },
            },
            "body": body,
            "isBase64Encoded": is_base64,
        }

    def source_ip(self, environ: WSGIEnviron) -> str:
        """The client address as recorded by the trusted proxies in front of us."""
        peer = environ.get("REMOTE_ADDR", "")
        if not self.trusted_proxy_hops:
            return peer
        forwarded = [part.strip() for part in environ.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [part for part in forwarded if part] + [peer]
        if len(hops) <= self.trusted_proxy_hops:
            # Fewer hops than proxies: not the path we trust, so keep the peer.
            return peer
        # Each trusted proxy appended the address it saw; step left past them.
        return hops[-1 - self.trusted_proxy_hops]

    def _body(self, environ: WSGIEnviron, headers: Mapping[str, str]) -> tuple[str | None, bool]:
        raw = _read_body(environ, self.max_body_bytes)
        if not raw:
            return None, False
        content_type = headers.get("content-type", "")
        if content_type and _matches_content_type(content_type, self.app.api.binary_types):
            return base64.b64encode(raw).decode("ascii"), True
        try:
            return raw.decode("utf-8"), False
        except UnicodeDecodeError:
            # Not text: hand it over intact rather than mangled.
            return base64.b64encode(raw).decode("ascii"), True

    # -- what API Gateway answers without calling the function ------------------

    def _missing_route(
        self, environ: WSGIEnviron, start_response: StartResponse, request_id: str
    ) -> Iterable[bytes]:
        authorization = environ.get("HTTP_AUTHORIZATION")
        if authorization is None:
            body = _MISSING_TOKEN_BODY
        else:
            body = _SIGNATURE_BODY % authorization.encode("latin-1")
        headers = [("x-amzn-ErrorType", "UnauthorizedException")]
        return self._respond(start_response, 403, headers, body, request_id)

    def _preflight_headers(self, route: str) -> dict[str, str]:
        views = self.app.routes[route]
        methods = [method for method, entry in views.items() if entry.cors is not None]
        if not methods:
            return {"Access-Control-Allow-Methods": "OPTIONS"}
        cors_headers: dict[str, str] = views[methods[0]].cors.get_access_control_headers()
        cors_headers["Access-Control-Allow-Methods"] = ",".join([*methods, "OPTIONS"])
        return cors_headers

    # -- response ---------------------------------------------------------------

    def _respond(
        self,
        start_response: StartResponse,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        request_id: str,
    ) -> list[bytes]:
        names = {name.lower() for name, _ in headers}
        out = [(name, value) for name, value in headers if not is_hop_by_hop(name)]
        out = [(name, value) for name, value in out if name.lower() != "content-length"]
        if "content-type" not in names:
            out.append(("Content-Type", "application/json"))
        if "x-amzn-requestid" not in names:
            out.append(("x-amzn-RequestId", request_id))
        out.append(("Content-Length", str(len(body))))
        start_response(_status_line(status), out)
        return [body]


def response_from_result(result: Mapping[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, header list and body bytes from a proxy-integration result dict."""
    status = int(result.get("statusCode", 200))
    headers: list[tuple[str, str]] = []
    multi = result.get("multiValueHeaders") or {}
    multi_names = {name.lower() for name in multi}
    for name, value in (result.get("headers") or {}).items():
        # API Gateway lets multiValueHeaders win over headers of the same name.
        if name.lower() not in multi_names:
            headers.append((name, _header_value(value)))
    for name, values in multi.items():
        headers.extend((name, _header_value(value)) for value in values)
    body = result.get("body")
    if body is None:
        raw = b""
    elif result.get("isBase64Encoded"):
        raw = base64.b64decode(body)
    elif isinstance(body, bytes):
        raw = body
    else:
        raw = str(body).encode("utf-8")
    return status, headers, raw


def _status_line(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"{status} {phrase}"


def _header_value(value: Any) -> str:
    text = str(value)
    if "\r" in text or "\n" in text:
        # Chalice refuses these too; never let a value split the header block.
        raise ValueError("response header value contains a line break")
    # WSGI header values are latin-1 strings that stand for the raw bytes.
    return text.encode("utf-8").decode("latin-1")


def _wsgi_text(value: str) -> str:
    """A WSGI "bytes as latin-1" string decoded as the UTF-8 it usually is."""
    return value.encode("latin-1").decode("utf-8", "replace")


def _raw_path(environ: WSGIEnviron) -> str:
    """The request path still percent-encoded, so an encoded '/' stays in its segment."""
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw_uri:
        path = urlsplit(raw_uri).path
        if path.startswith("/"):
            return _wsgi_text(path)
    path_info = _wsgi_text(environ.get("PATH_INFO", "") or "/")
    # PATH_INFO is already decoded; re-encode what would break segment matching.
    return path_info.replace("%", "%25").replace("?", "%3F").replace("#", "%23")


def _headers(environ: WSGIEnviron) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Request headers, lower-cased, as API Gateway's ``headers``/``multiValueHeaders``.

    WSGI servers fold repeated header lines into one comma-joined value (RFC 9110
    section 5.3), so ``headers`` carries the folded value and ``multiValueHeaders``
    the list of values it folds, except for headers whose one value may hold commas.
    """
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").lower()
        else:
            continue
        if value == "" and key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            continue
        headers[name] = _wsgi_text(value)
    multi: dict[str, list[str]] = {}
    for name, value in headers.items():
        if name in _COMMA_IN_VALUE_HEADERS or "," not in value:
            multi[name] = [value]
        else:
            multi[name] = [part.strip() for part in value.split(",")]
    return headers, multi


def _read_body(environ: WSGIEnviron, limit: int) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length_text = environ.get("CONTENT_LENGTH") or ""
    if length_text:
        try:
            length = int(length_text)
        except ValueError:
            raise _BadRequest(400, "Invalid Content-Length header") from None
        if length < 0:
            raise _BadRequest(400, "Invalid Content-Length header")
        if length > limit:
            raise _BadRequest(413, "Request Too Long")
        return bytes(stream.read(length)) if length else b""
    if environ.get("wsgi.input_terminated"):
        # Chunked upload: the server ends the stream; read one byte past the limit.
        data = bytes(stream.read(limit + 1))
        if len(data) > limit:
            raise _BadRequest(413, "Request Too Long")
        return data
    return b""
