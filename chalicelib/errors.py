"""Errors that become HTTP responses, in the API's one JSON error shape.

``ApiError`` derives from Chalice's ``ChaliceUnhandledError`` so that Chalice
lets it propagate out of a view to the app's middleware, which renders it.
"""

from __future__ import annotations

from typing import Any

from chalice import ChaliceUnhandledError


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
        self.fields = fields
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


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"

    def __init__(self, message: str) -> None:
        # RFC 6750: tell the client which scheme to use and why it failed.
        description = message.replace('"', "'")
        challenge = f'Bearer error="invalid_token", error_description="{description}"'
        super().__init__(message, headers={"WWW-Authenticate": challenge})


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


class IdempotencyKeyReused(ApiError):
    status = 422
    code = "idempotency_key_reused"


class ServiceUnavailable(ApiError):
    status = 503
    code = "service_unavailable"

    def __init__(self, message: str, *, retry_after_seconds: int = 1) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after_seconds)})
