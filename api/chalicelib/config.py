"""The one place the environment is read.

Every setting (table, pool, region, endpoints, CORS origins) is read here once
and passed around as a frozen ``Settings``; nothing else calls ``os.environ``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

DEFAULT_REGION = "us-east-1"
DEFAULT_TABLE_NAME = "todos"
DEFAULT_SERVICE_NAME = "todo-api"
AUTH_MODE_GATEWAY = "gateway"
AUTH_MODE_JWT = "jwt"
LOG_FORMAT_JSON = "json"
LOG_FORMAT_TEXT = "text"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# How long a deleted todo stays restorable (POST /todos/{id}/restore, the web
# app's Undo): it is a hidden tombstone until then, and DynamoDB's TTL purges it.
DELETE_UNDO_WINDOW = dt.timedelta(minutes=10)


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    region: str
    table_name: str
    user_pool_id: str
    app_client_id: str
    # Kept apart from the JWKS URL: locally the keys are served by moto while
    # the tokens still carry the real AWS issuer.
    issuer: str
    jwks_url: str
    # Only set locally (moto); on AWS the SDK finds the regional endpoint.
    dynamodb_endpoint: str | None
    cors_origins: tuple[str, ...]
    # "gateway": API Gateway's Cognito authorizer guards the routes (the
    # Lambda deployment). "jwt": the app verifies tokens itself (everywhere
    # else: chalice local, tests, the WSGI shim on EC2).
    auth_mode: str
    running_on_lambda: bool
    # The URL root (scheme://host[/stage]) clients call; absolute links are built
    # from it, never from a request's Host or X-Forwarded-* headers. Required by
    # the WSGI server (requests reach it with the internal ALB's Host); on Lambda,
    # when unset, API Gateway's domain and stage from the event are used.
    public_api_origin: str | None
    # Logs (chalicelib.observability): LOG_LEVEL, and LOG_FORMAT "json" (one
    # JSON object a line, plus the EMF metrics; every deployment) or "text"
    # (readable lines without metrics, for `make dev`).
    log_level: str
    log_format: str
    # The `service` of every log line and metric: POWERTOOLS_SERVICE_NAME, which
    # the stacks set to their name, so stacks sharing the metrics namespace stay apart.
    service_name: str

    @property
    def trust_gateway_authorizer(self) -> bool:
        """Take identity from the event's authorizer claims: only on Lambda
        behind the Cognito authorizer. Anywhere else those claims could be forged."""
        return self.auth_mode == AUTH_MODE_GATEWAY and self.running_on_lambda

    def allows_origin(self, origin: str) -> bool:
        return "*" in self.cors_origins or origin in self.cors_origins


def cognito_issuer(region: str, user_pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    user_pool_id = env.get("COGNITO_USER_POOL_ID", "")
    issuer = env.get("COGNITO_ISSUER") or (
        cognito_issuer(region, user_pool_id) if user_pool_id else ""
    )
    jwks_url = env.get("COGNITO_JWKS_URL") or (f"{issuer}/.well-known/jwks.json" if issuer else "")
    origins = tuple(o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip())
    auth_mode = env.get("AUTH_MODE") or AUTH_MODE_JWT
    if auth_mode not in (AUTH_MODE_GATEWAY, AUTH_MODE_JWT):
        raise ConfigError(f"AUTH_MODE must be {AUTH_MODE_GATEWAY!r} or {AUTH_MODE_JWT!r}")
    log_level = (env.get("LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    log_format = env.get("LOG_FORMAT") or LOG_FORMAT_JSON
    if log_format not in (LOG_FORMAT_JSON, LOG_FORMAT_TEXT):
        raise ConfigError(f"LOG_FORMAT must be {LOG_FORMAT_JSON!r} or {LOG_FORMAT_TEXT!r}")
    return Settings(
        region=region,
        table_name=env.get("TABLE_NAME") or DEFAULT_TABLE_NAME,
        user_pool_id=user_pool_id,
        app_client_id=env.get("COGNITO_APP_CLIENT_ID", ""),
        issuer=issuer,
        jwks_url=jwks_url,
        dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT") or None,
        cors_origins=origins,
        auth_mode=auth_mode,
        running_on_lambda=bool(env.get("AWS_LAMBDA_FUNCTION_NAME")),
        public_api_origin=public_origin(env.get("PUBLIC_API_ORIGIN") or ""),
        log_level=log_level,
        log_format=log_format,
        service_name=env.get("POWERTOOLS_SERVICE_NAME") or DEFAULT_SERVICE_NAME,
    )


def public_origin(value: str) -> str | None:
    """PUBLIC_API_ORIGIN checked: scheme://host[/stage], without a trailing '/'."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"PUBLIC_API_ORIGIN must be scheme://host[/stage]: {value!r}")
    return value.rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return load_settings()
