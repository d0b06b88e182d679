"""Readiness (GET /ready): can this process serve requests right now?

Liveness (GET /health) calls nothing, so a load balancer never takes healthy
instances out for a dependency's bad minute. Readiness calls what a request
needs: one cheap DynamoDB read and, where the app verifies tokens itself, the
JWKS. Deploy steps and smoke checks ask it (docs/operations.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalicelib.config import Settings
from chalicelib.errors import ServiceUnavailable

# One answer serves every caller for this long, so polling /ready (or a flood of
# it) costs at most one DynamoDB read and one JWKS fetch per process per interval.
CACHE_SECONDS = 5.0
RETRY_AFTER_SECONDS = 5


def ping_dynamodb() -> None:
    from chalicelib.dynamo import ping

    ping()


def fetch_jwks(url: str) -> Any:
    from chalicelib.auth import fetch_json

    return fetch_json(url)


class Readiness:
    def __init__(
        self,
        settings: Settings,
        *,
        ping_storage: Callable[[], None] = ping_dynamodb,
        fetch_keys: Callable[[str], Any] = fetch_jwks,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # On Lambda API Gateway verifies the tokens: the app never fetches the JWKS.
        self._jwks_url = "" if settings.trust_gateway_authorizer else settings.jwks_url
        self._ping_storage = ping_storage
        self._fetch_keys = fetch_keys
        self._clock = clock
        self._checked_at: float | None = None
        self._problems: list[str] = []

    def check(self) -> None:
        """Return when ready; raise ServiceUnavailable (503 + Retry-After) naming what is not."""
        now = self._clock()
        if self._checked_at is None or now - self._checked_at >= CACHE_SECONDS:
            self._problems = self._probe()
            self._checked_at = now
        if self._problems:
            raise ServiceUnavailable(
                "not ready: " + "; ".join(self._problems),
                retry_after_seconds=RETRY_AFTER_SECONDS,
            )

    def _probe(self) -> list[str]:
        problems = []
        try:
            self._ping_storage()
        except Exception:
            problems.append("DynamoDB does not answer")
        if self._jwks_url:
            try:
                document = self._fetch_keys(self._jwks_url)
                if not isinstance(document, dict) or not document.get("keys"):
                    raise ValueError("no keys")
            except Exception:
                problems.append("the token signing keys (JWKS) cannot be fetched")
        return problems
