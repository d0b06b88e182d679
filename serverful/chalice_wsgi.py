"""Serve this Chalice app from a WSGI server (gunicorn on EC2).

``ChaliceWSGIAdapter`` turns each WSGI request into the API Gateway REST proxy event
(payload v1) Chalice receives on Lambda and calls the very same ``app``. What API
Gateway does before Lambda is done as ``chalice.local`` does it (its RouteMatcher, the
generated preflight) and the app's own contract is kept for what never reaches the app
(an unknown route, a body over API Gateway's limit): ``{"error": {...}}``, never a
request's header echoed back. No ``authorizer`` block is ever put in
``requestContext``: the app verifies tokens.

Several threads may run the app at once: Chalice keeps the current request on the app
object, and ``chalice.local.LocalChalice`` (what ``chalice local``'s threaded server
runs) keeps it per thread.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.app import Chalice
from chalice.local import LocalChalice, RouteMatcher

from chalicelib.errors import ApiError, NotFound, PayloadTooLarge

StartResponse = Callable[..., Any]
WSGIEnviron = Mapping[str, Any]

# API Gateway's payload limit: larger requests never reach the function there.
MAX_BODY_BYTES = 10 * 1024 * 1024
STAGE = "api"

# Headers whose single value may itself contain commas: never split at commas.
_COMMA_IN_VALUE_HEADERS = frozenset({
    "authorization", "cookie", "date", "expires", "if-modified-since", "if-range",
    "if-unmodified-since", "last-modified", "retry-after", "user-agent",
})  # fmt: skip
# Hop-by-hop headers, and the ones the server sets itself.
_NOT_FORWARDED_RESPONSE_HEADERS = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailers", "transfer-encoding", "upgrade", "content-length",
})  # fmt: skip


class ChaliceWSGIAdapter:
    """A WSGI application that runs a Chalice app's REST routes."""

    def __init__(self, app: Chalice, *, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = per_thread_requests(app)
        self.max_body_bytes = max_body_bytes
        self._routes = RouteMatcher(list(app.routes))

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        request_id = str(uuid.uuid4())
        try:
            event = self.build_event(environ, request_id)
        except ApiError as error:
            return _respond_error(start_response, error, request_id)
        if event is None:
            # Never the request's headers (its token) echoed back.
            return _respond_error(start_response, _NO_ROUTE, request_id)
        if event["httpMethod"] == "OPTIONS" and "OPTIONS" not in self.app.routes[event["resource"]]:
            headers = list(self._preflight_headers(event["resource"]).items())
            return _respond(start_response, 200, headers, b"", request_id)
        result = self.app(event, None)
        status, headers, body = response_from_result(result)
        return _respond(start_response, status, headers, body, request_id)

    def build_event(self, environ: WSGIEnviron, request_id: str) -> dict[str, Any] | None:
        """The API Gateway proxy event for this request, or None if no route matches."""
        method = environ["REQUEST_METHOD"].upper()
        raw_path = _raw_path(environ)
        query = environ.get("QUERY_STRING", "")
        try:
            # On the still percent-encoded path, so an encoded '/' stays in its segment
            # (';' encoded too: urlparse would cut it off as "params").
            target = raw_path.replace(";", "%3B")
            match = self._routes.match_route(f"{target}?{query}" if query else target)
        except ValueError:
            return None
        multi_query = match.query_params
        headers, multi_headers = _headers(environ)
        path = unquote(raw_path)
        return {
            "resource": match.route,
            "path": path,
            "httpMethod": method,
            "headers": headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            # Decoded, as API Gateway does (chalice local leaves them encoded).
            "pathParameters": {k: unquote(v) for k, v in match.captured.items()} or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": match.route,
                "httpMethod": method,
                "path": path,
                "stage": STAGE,
                "requestId": request_id,
                "requestTimeEpoch": int(time.time() * 1000),
                "identity": {"sourceIp": environ.get("REMOTE_ADDR", "")},
            },
            **self._body(environ),
        }

    def _body(self, environ: WSGIEnviron) -> dict[str, Any]:
        raw = _read_body(environ, self.max_body_bytes)
        if not raw:
            return {"body": None, "isBase64Encoded": False}
        try:
            return {"body": raw.decode("utf-8"), "isBase64Encoded": False}
        except UnicodeDecodeError:  # not text: hand it over intact rather than mangled
            return {"body": base64.b64encode(raw).decode("ascii"), "isBase64Encoded": True}

    def _preflight_headers(self, route: str) -> dict[str, str]:
        views = self.app.routes[route]
        methods = [method for method, entry in views.items() if entry.cors is not None]
        if not methods:
            return {"Access-Control-Allow-Methods": "OPTIONS"}
        cors_headers: dict[str, str] = views[methods[0]].cors.get_access_control_headers()
        cors_headers["Access-Control-Allow-Methods"] = ",".join([*methods, "OPTIONS"])
        return cors_headers


_NO_ROUTE = NotFound("no route matches this path")


def per_thread_requests(app: Chalice) -> Chalice:
    """`app`, its current request kept per thread (as `chalice local` does it)."""
    if not isinstance(app, LocalChalice):
        if type(app) is not Chalice:
            raise TypeError(f"a Chalice app is needed, not a {type(app).__name__}")
        app.__class__ = LocalChalice
    return app


def _respond_error(start_response: StartResponse, error: ApiError, request_id: str) -> list[bytes]:
    body = json.dumps(error.body()).encode()
    return _respond(start_response, error.status, list(error.headers.items()), body, request_id)


def _respond(
    start_response: StartResponse,
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    request_id: str,
) -> list[bytes]:
    out = [(n, v) for n, v in headers if n.lower() not in _NOT_FORWARDED_RESPONSE_HEADERS]
    names = {name.lower() for name, _ in out}
    if "content-type" not in names:
        out.append(("Content-Type", "application/json"))
    if "x-amzn-requestid" not in names:
        out.append(("x-amzn-RequestId", request_id))
    out.append(("Content-Length", str(len(body))))
    start_response(f"{status} {HTTPStatus(status).phrase}", out)  # ValueError: not HTTP
    return [body]


def response_from_result(result: Mapping[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, header list and body bytes from a proxy-integration result dict."""
    single = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    # API Gateway lets multiValueHeaders win over headers of the same name.
    multi_names = {name.lower() for name in multi}
    headers = [(n, _header_value(v)) for n, v in single.items() if n.lower() not in multi_names]
    headers += [(name, _header_value(v)) for name, values in multi.items() for v in values]
    body = result.get("body")
    if body is None:
        raw = b""
    elif result.get("isBase64Encoded"):
        raw = base64.b64decode(body)
    else:
        raw = body if isinstance(body, bytes) else str(body).encode("utf-8")
    return int(result.get("statusCode", 200)), headers, raw


def _header_value(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if "\r" in text or "\n" in text:
        # Chalice refuses these too; never let a value split the header block.
        raise ValueError("response header value contains a line break")
    # WSGI header values are latin-1 strings that stand for the raw bytes.
    return text if text.isascii() else text.encode("utf-8").decode("latin-1")


def _wsgi_text(value: str) -> str:
    """A WSGI "bytes as latin-1" string decoded as the UTF-8 it usually is."""
    return value if value.isascii() else value.encode("latin-1").decode("utf-8", "replace")


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
    section 5.3): ``headers`` carries the folded value and ``multiValueHeaders`` the
    values it folds, except for headers whose one value may hold commas.
    """
    headers: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:  # "" means no such header
            name = key.replace("_", "-").lower()
        else:
            continue
        value = _wsgi_text(value)
        headers[name] = value
        split = "," in value and name not in _COMMA_IN_VALUE_HEADERS
        multi[name] = [part.strip() for part in value.split(",")] if split else [value]
    return headers, multi


def _read_body(environ: WSGIEnviron, limit: int) -> bytes:
    stream = environ.get("wsgi.input")
    length_text = environ.get("CONTENT_LENGTH") or ""
    if stream is None:
        return b""
    if length_text:
        length = int(length_text) if length_text.isdigit() else -1
        if length < 0:
            raise ApiError("the Content-Length header is malformed")
        if length > limit:
            raise _too_large(limit)
        return bytes(stream.read(length)) if length else b""
    if "HTTP_TRANSFER_ENCODING" in environ and environ.get("wsgi.input_terminated"):
        # Chunked upload: the server ends the stream; read one byte past the limit.
        # (Without Content-Length or Transfer-Encoding a request has no body.)
        data = bytes(stream.read(limit + 1))
        if len(data) > limit:
            raise _too_large(limit)
        return data
    return b""


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the body must be at most {limit} bytes")
