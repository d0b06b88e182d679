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
import functools
import itertools
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from chalice.app import Chalice, _matches_content_type

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
_SIGNATURE_MESSAGE = (
    "Authorization header requires 'Credential' parameter. Authorization header "
    "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
    "parameter. Authorization header requires existence of either a 'X-Amz-Date' or "
    "a 'Date' header. Authorization="
)


class _BadRequest(Exception):
    """The request cannot be turned into an event; answered like API Gateway would."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RouteTable:
    """Finds the route pattern for a path, by chalice.local.RouteMatcher's rules.

    Concrete routes win over ones with captures, a trailing '/' is ignored (as API
    Gateway does), a capture is one whole path segment. Unlike RouteMatcher it is
    indexed once and matches the still percent-encoded path, so an encoded '/'
    stays inside its segment.
    """

    def __init__(self, routes: Iterable[str]) -> None:
        ordered = sorted(routes)
        self._concrete = {route for route in ordered if "{" not in route}
        self._by_length: dict[int, list[tuple[str, list[str]]]] = {}
        for route in ordered:
            if "{" in route:
                parts = route.split("/")
                self._by_length.setdefault(len(parts), []).append((route, parts))

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        if path != "/" and path.endswith("/"):
            path = path[:-1]
        if path in self._concrete:
            return path, {}
        segments = path.split("/")
        for route, parts in self._by_length.get(len(segments), ()):
            captured: dict[str, str] = {}
            for segment, part in zip(segments, parts, strict=True):
                if part.startswith("{") and part.endswith("}"):
                    captured[part[1:-1]] = segment
                elif segment != part:
                    break
            else:
                return route, captured
        return None


class LambdaContext:
    """What a Chalice view may read from the Lambda context (``app.lambda_context``)."""

    __slots__ = ("_deadline", "aws_request_id", "function_name", "memory_limit_in_mb")

    def __init__(self, function_name: str, request_id: str, timeout_ms: int) -> None:
        self.function_name = function_name
        self.aws_request_id = request_id
        self.memory_limit_in_mb = 0
        self._deadline = time.monotonic() + timeout_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


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
        public_origin: str | None = None,
    ) -> None:
        """``trusted_proxy_hops``: how many proxies in front of this server append to
        X-Forwarded-For (EC2 behind API Gateway + ALB: 2). The client address is the
        entry those proxies recorded; anything further left is client-controlled.

        ``public_origin`` (e.g. ``https://abc.execute-api.eu-west-1.amazonaws.com``,
        with the stage path if the API has one): the URL root clients call. Behind
        API Gateway and an ALB a request arrives with the ALB's Host and
        ``X-Forwarded-Proto: http``; the app builds its absolute URLs from those
        headers, so the adapter presents the public origin instead, as API Gateway
        does for Lambda."""
        if trusted_proxy_hops < 0:
            raise ValueError("trusted_proxy_hops must be >= 0")
        self._public_headers: dict[str, str] = {}
        self._public_prefix = ""  # a stage path clients call the API under, if any
        if public_origin:
            origin = urlsplit(public_origin)
            if origin.scheme not in ("http", "https") or not origin.netloc or origin.query:
                raise ValueError(f"public_origin must be scheme://host[/stage]: {public_origin!r}")
            self._public_headers = {"host": origin.netloc, "x-forwarded-proto": origin.scheme}
            self._public_prefix = origin.path.rstrip("/")
        self.app = app
        self.stage = stage
        self.trusted_proxy_hops = trusted_proxy_hops
        self.max_body_bytes = max_body_bytes
        self.function_timeout_ms = function_timeout_ms
        self._routes = RouteTable(app.routes)
        # Chalice keeps the current request on the app object, so two threads must
        # never run the app at once (a threaded worker would mix up requests).
        self._app_lock = threading.Lock()

    # -- WSGI entry point -------------------------------------------------------

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        request_id = _request_ids.next_id()
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
        context = LambdaContext(self.app.app_name, request_id, self.function_timeout_ms)
        with self._app_lock:
            result = self.app(event, context)
        status, headers, body = response_from_result(result)
        return self._respond(start_response, status, headers, body, request_id)

    # -- request -> event -------------------------------------------------------

    def build_event(self, environ: WSGIEnviron, request_id: str) -> Event | None:
        """The API Gateway proxy event for this request, or None if no route matches."""
        method = environ["REQUEST_METHOD"].upper()
        raw_path = _raw_path(environ)
        match = self._routes.match(raw_path)
        if match is None:
            return None
        route, captured = match
        path_parameters = {name: unquote(value) for name, value in captured.items()} or None
        path = unquote(raw_path)

        query = environ.get("QUERY_STRING", "")
        multi_query = parse_qs(query, keep_blank_values=True) if query else {}
        headers, multi_headers = _headers(environ)
        for name, value in self._public_headers.items():
            headers[name] = value
            multi_headers[name] = [value]
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
                # As on API Gateway: the path as called, stage prefix included.
                "path": self._public_prefix + path,
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
            # json.dumps: the header is the client's, so it must not break the JSON.
            message = _SIGNATURE_MESSAGE + _wsgi_text(authorization)
            body = json.dumps({"message": message}).encode()
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
        out: list[tuple[str, str]] = []
        has_content_type = has_request_id = False
        for name, value in headers:
            lower = name.lower()
            if lower in _NOT_FORWARDED_RESPONSE_HEADERS:
                continue  # hop-by-hop, or the server's to set
            has_content_type = has_content_type or lower == "content-type"
            has_request_id = has_request_id or lower == "x-amzn-requestid"
            out.append((name, value))
        if not has_content_type:
            out.append(("Content-Type", "application/json"))
        if not has_request_id:
            out.append(("x-amzn-RequestId", request_id))
        out.append(("Content-Length", str(len(body))))
        start_response(_status_line(status), out)
        return [body]


_NOT_FORWARDED_RESPONSE_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


class _RequestIds:
    """UUID-shaped request ids: a random per-process prefix and a counter.

    As unique as uuid4 across workers and hosts, at a fraction of its cost per
    request; a forked worker draws a new prefix (os.register_at_fork below).
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        prefix = uuid.uuid4().hex
        self._prefix = f"{prefix[:8]}-{prefix[8:12]}-4{prefix[13:16]}-{prefix[16:20]}-"
        self._counter = itertools.count()

    def next_id(self) -> str:
        return f"{self._prefix}{next(self._counter) & 0xFFFFFFFFFFFF:012x}"


_request_ids = _RequestIds()
os.register_at_fork(after_in_child=_request_ids.reset)


def response_from_result(result: Mapping[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, header list and body bytes from a proxy-integration result dict."""
    status = int(result.get("statusCode", 200))
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders")
    if multi:
        # API Gateway lets multiValueHeaders win over headers of the same name.
        multi_names = {name.lower() for name in multi}
        headers = [
            (name, _header_value(value))
            for name, value in single.items()
            if name.lower() not in multi_names
        ]
        for name, values in multi.items():
            headers.extend((name, _header_value(value)) for value in values)
    else:
        headers = [(name, _header_value(value)) for name, value in single.items()]
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


@functools.lru_cache(maxsize=64)
def _status_line(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"{status} {phrase}"


def _header_value(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if "\r" in text or "\n" in text:
        # Chalice refuses these too; never let a value split the header block.
        raise ValueError("response header value contains a line break")
    if text.isascii():
        return text
    # WSGI header values are latin-1 strings that stand for the raw bytes.
    return text.encode("utf-8").decode("latin-1")


def _wsgi_text(value: str) -> str:
    """A WSGI "bytes as latin-1" string decoded as the UTF-8 it usually is."""
    if value.isascii():
        return value
    return value.encode("latin-1").decode("utf-8", "replace")


def _raw_path(environ: WSGIEnviron) -> str:
    """The request path still percent-encoded, so an encoded '/' stays in its segment."""
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw_uri:
        if not raw_uri.startswith("/"):  # absolute form: http://host/path
            raw_uri = urlsplit(raw_uri).path
        path = raw_uri.split("?", 1)[0].split("#", 1)[0]
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
    multi: dict[str, list[str]] = {}
    names = _HEADER_NAMES
    for key, value in environ.items():
        name = names.get(key)
        if name is None:
            # "" marks an environ key that is not a header (REQUEST_METHOD, wsgi.input...).
            name = key[5:].replace("_", "-").lower() if key.startswith("HTTP_") else ""
            if len(names) < _MAX_CACHED_NAMES:
                names[key] = name
        if not name:
            continue
        if not value:
            if name in _CONTENT_HEADERS:
                continue  # the server's placeholder for "no such header"
        elif not value.isascii():
            value = _wsgi_text(value)
        headers[name] = value
        if "," in value and name not in _COMMA_IN_VALUE_HEADERS:
            multi[name] = [part.strip() for part in value.split(",")]
        else:
            multi[name] = [value]
    return headers, multi


# environ key -> header name ("" if not a header), filled as keys are seen; bounded,
# since clients choose the keys.
_HEADER_NAMES = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}
_CONTENT_HEADERS = frozenset(_HEADER_NAMES.values())
_MAX_CACHED_NAMES = 512


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
    if "HTTP_TRANSFER_ENCODING" in environ and environ.get("wsgi.input_terminated"):
        # Chunked upload: the server ends the stream; read one byte past the limit.
        # (Without Content-Length or Transfer-Encoding a request has no body.)
        data = bytes(stream.read(limit + 1))
        if len(data) > limit:
            raise _BadRequest(413, "Request Too Long")
        return data
    return b""
