"""HTTP mapping shared by the routes: parsing requests, shaping responses.

Kept out of app.py so the routes read as a list of use cases.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from chalice import Response
from chalice.app import Request

from chalicelib.config import Settings
from chalicelib.errors import (
    ApiError,
    InvalidJson,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationError,
)
from chalicelib.service import LIMIT_DEFAULT, LIMIT_MAX

MAX_BODY_BYTES = 64 * 1024
JSON_CONTENT_TYPE = "application/json"
CORS_ALLOW_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
CORS_ALLOW_HEADERS = "Authorization, Content-Type, If-Match, Idempotency-Key"
CORS_EXPOSE_HEADERS = "ETag, Link, Location, Retry-After, Idempotent-Replayed, X-Request-Id"
CORS_MAX_AGE_SECONDS = "600"
_ETAG_PATTERN = re.compile(r'^(W/)?"(\d{1,18})"$')
_LIMIT_PATTERN = re.compile(r"^\d{1,4}$")
NO_VERSION = 0  # versions start at 1

# Chalice's own error codes (its {"Code", "Message"} bodies) mapped to ours.
_CHALICE_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    415: "unsupported_media_type",
    500: "internal_error",
}


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, Any] | None = None
) -> Response:
    return Response(
        body=json.dumps(body, separators=(",", ":")),
        status_code=status,
        headers={"Content-Type": JSON_CONTENT_TYPE, **(headers or {})},
    )


def empty_response(status: int = 204, headers: Mapping[str, str] | None = None) -> Response:
    return Response(body="", status_code=status, headers=dict(headers or {}))


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), error.status, error.headers)


def normalise_chalice_error(response: Response) -> Response:
    """Rewrite Chalice's built-in error bodies (405, 415, 500...) into our shape."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    status = response.status_code
    code = _CHALICE_ERROR_CODES.get(status, "error")
    message = body.get("Message") or "request failed"
    if status >= 500:
        message = "internal error"  # never leak internals
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return json_response({"error": {"code": code, "message": message}}, status, headers)


def read_json_body(request: Request) -> Any:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body must be at most {MAX_BODY_BYTES} bytes")
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media_type != JSON_CONTENT_TYPE:
        raise UnsupportedMediaType("send the body as application/json")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[…
        raise InvalidJson("the body is not valid JSON") from None


def query_params(request: Request, allowed: tuple[str, ...]) -> dict[str, str]:
    """Single-valued query parameters; unknown or repeated ones are errors."""
    params = request.query_params
    if not params:
        return {}
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name in params:
        given = params.getlist(name)
        if name not in allowed:
            errors[name] = "unknown query parameter"
        elif len(given) != 1:
            errors[name] = "give it once"
        else:
            values[name] = given[0]
    if errors:
        raise ValidationError("invalid query parameters", fields=errors)
    return values


def parse_completed(value: str | None) -> bool | None:
    if value is None:
        return None
    if value not in ("true", "false"):
        raise ValidationError("completed must be true or false", fields={"completed": "invalid"})
    return value == "true"


def parse_limit(value: str | None) -> int:
    if value is None:
        return LIMIT_DEFAULT
    if not _LIMIT_PATTERN.match(value) or not 1 <= int(value) <= LIMIT_MAX:
        raise ValidationError(
            f"limit must be an integer from 1 to {LIMIT_MAX}", fields={"limit": "invalid"}
        )
    return int(value)


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request: Request) -> int | None:
    """The version an If-Match header asks for; None when absent or `*`."""
    value = request.headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    match = _ETAG_PATTERN.match(value.strip())
    if not match:
        raise ValidationError(
            'If-Match must be an ETag such as "3"', fields={"If-Match": "invalid"}
        )
    if match[1]:
        # RFC 9110 13.1.1: If-Match compares strongly, so a weak tag never
        # matches: ask for version 0, which no todo has (412, or 404 if missing).
        return NO_VERSION
    return int(match[2])


# Off Lambda with no PUBLIC_API_ORIGIN (a bare `chalice local`): its default address.
LOCAL_API_ORIGIN = "http://localhost:8000"


def base_url(request: Request, settings: Settings) -> str:
    """The absolute URL of the API root clients call (stage included).

    Never from the request's Host or X-Forwarded-* headers, which the client
    chooses: from PUBLIC_API_ORIGIN, or on Lambda from what API Gateway put in
    the event (its domain, and the stage prefix of the path it was called on).
    """
    if settings.public_api_origin:
        return settings.public_api_origin
    if not settings.running_on_lambda:
        return LOCAL_API_ORIGIN
    context = request.context
    event_path = request.to_original_event().get("path") or ""
    full_path = context.get("path") or event_path
    prefix = full_path[: -len(event_path)] if event_path and full_path.endswith(event_path) else ""
    return f"https://{context.get('domainName')}{prefix.rstrip('/')}"


def cors_headers(origin: str | None, allowed: bool) -> dict[str, str]:
    # Vary on every response: the answer depends on Origin, allowed or not,
    # so a shared cache must not serve one origin's answer to another.
    if not origin or not allowed:
        return {"Vary": "Origin"}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": CORS_EXPOSE_HEADERS,
        "Vary": "Origin",
    }


def preflight_headers() -> dict[str, str]:
    return {
        "Access-Control-Allow-Methods": CORS_ALLOW_METHODS,
        "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
        "Access-Control-Max-Age": CORS_MAX_AGE_SECONDS,
    }
