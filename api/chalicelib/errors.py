"""Errors that become HTTP responses, in the API's one JSON error shape.

``ApiError`` derives from Chalice's ``ChaliceUnhandledError`` so that Chalice
lets it propagate out of a view to the app's middleware, which renders it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from chalice import ChaliceUnhandledError

# Error bodies name at most this many fields, each name cut to this length:
# field names come from the client, and are not echoed unbounded.
REPORTED_FIELDS_MAX = 10
REPORTED_NAME_MAX = 64


def bounded_fields(fields: dict[str, str]) -> dict[str, str]:
    """The first REPORTED_FIELDS_MAX fields, names cut and made printable UTF-8."""
    shown: dict[str, str] = {}
    for name, problem in list(fields.items())[:REPORTED_FIELDS_MAX]:
        if len(name) > REPORTED_NAME_MAX:
            name = name[: REPORTED_NAME_MAX - 1] + "\u2026"
        shown[name.encode("utf-8", "replace").decode("utf-8")] = problem
    return shown


class ApiError(ChaliceUnhandledError):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = bounded_fields(fields) if fields else None
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


class ValidationError(ApiError):
    status = 400
    code = "validation_error"


class InvalidJson(ApiError):
    status = 400
    code = "invalid_json"


class AuthFailure(StrEnum):
    """Why a request's credentials were refused: a small, fixed set, so the
    AuthFailures metric's `reason` dimension stays bounded (chalicelib.observability)."""

    MISSING_TOKEN = "missing_token"  # noqa: S105 - reasons, not passwords (and below)
    MALFORMED_HEADER = "malformed_header"
    MALFORMED_TOKEN = "malformed_token"  # noqa: S105
    BAD_ALGORITHM = "bad_algorithm"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    WRONG_ISSUER = "wrong_issuer"
    WRONG_CLIENT = "wrong_client"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - any other claim missing or wrong


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str, reason: AuthFailure) -> None:
        # RFC 6750: tell the client which scheme to use and why it failed.
        description = message.replace('"', "'")
        challenge = f'Bearer error="invalid_token", error_description="{description}"'
        super().__init__(message, headers={"WWW-Authenticate": challenge})
        self.reason = reason


class NotFound(ApiError):
    status = 404
    code = "not_found"


class PreconditionFailed(ApiError):
    status = 412
    code = "precondition_failed"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class IdempotencyKeyInUse(ApiError):
    """The IETF Idempotency-Key draft's answer to a retry racing the original."""

    status = 409
    code = "idempotency_key_in_use"


class QuotaExceeded(ApiError):
    status = 409
    code = "quota_exceeded"


class IdempotencyKeyReused(ApiError):
    status = 422
    code = "idempotency_key_reused"


class ServiceUnavailable(ApiError):
    status = 503
    code = "service_unavailable"

    def __init__(self, message: str, *, retry_after_seconds: int = 1) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after_seconds)})
