"""Who is calling: identity only ever comes from verified claims.

On Lambda, API Gateway's Cognito authorizer has verified the token and passes
its claims in the event. Everywhere else (``chalice local``, tests, the WSGI
shim) nothing has checked the token, so we verify it here with PyJWT against
the user pool's JWKS.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.config import Settings
from chalicelib.errors import ServiceUnavailable, Unauthorized

LEEWAY_SECONDS = 30
# An unknown `kid` triggers a JWKS refetch at most this often, so forged
# tokens cannot make us hammer Cognito.
JWKS_MIN_REFRESH_SECONDS = 60.0
JWKS_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Identity:
    sub: str
    email: str | None = None


def fetch_json(url: str) -> Any:
    import urllib.request  # only needed off Lambda, on the first token

    if not url.startswith(("https://", "http://")):
        raise ValueError(f"JWKS URL must be http(s): {url}")
    with urllib.request.urlopen(url, timeout=JWKS_TIMEOUT_SECONDS) as response:  # noqa: S310
        return json.load(response)


class JwksCache:
    """Signing keys by `kid`, fetched once and refetched only for a new `kid`."""

    def __init__(
        self,
        url: str,
        fetch: Callable[[str], Any] = fetch_json,
        min_refresh_seconds: float = JWKS_MIN_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._fetch = fetch
        self._min_refresh = min_refresh_seconds
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._last_fetch: float | None = None
        self._lock = threading.Lock()
        self.fetch_count = 0

    def key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys and self._may_refresh():
                self._refresh()
            try:
                return self._keys[kid]
            except KeyError:
                raise Unauthorized("token signed with an unknown key") from None

    def _may_refresh(self) -> bool:
        return self._last_fetch is None or self._clock() - self._last_fetch >= self._min_refresh

    def _refresh(self) -> None:
        import jwt  # imported here: Lambda never verifies tokens itself

        self._last_fetch = self._clock()
        self.fetch_count += 1
        try:
            document = self._fetch(self._url)
        except Exception as exc:
            raise ServiceUnavailable("cannot fetch the token signing keys") from exc
        keys = {}
        for entry in document.get("keys", []):
            if entry.get("kty") == "RSA" and entry.get("kid"):
                keys[entry["kid"]] = jwt.PyJWK.from_dict(entry, algorithm="RS256").key
        self._keys = keys


class TokenVerifier:
    def __init__(self, settings: Settings, jwks: JwksCache | None = None) -> None:
        self._issuer = settings.issuer
        self._client_id = settings.app_client_id
        self._jwks = jwks or JwksCache(settings.jwks_url)

    @property
    def jwks(self) -> JwksCache:
        return self._jwks

    def verify(self, token: str) -> Identity:
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("malformed token") from None
        # Pin the algorithm: never `none`, never HMAC with the public key.
        if header.get("alg") != "RS256":
            raise Unauthorized("token algorithm must be RS256")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unauthorized("token has no key id")
        key = self._jwks.key(kid)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={
                    "require": ["exp", "iat", "iss", "sub", "token_use"],
                    "verify_aud": False,  # checked below, by token type
                },
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token has expired") from None
        except jwt.InvalidIssuerError:
            raise Unauthorized("token was not issued by this user pool") from None
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from None
        return identity_from_claims(claims, self._client_id)


def identity_from_claims(claims: Mapping[str, Any], client_id: str) -> Identity:
    """Check the claims are for this app client; same rules on every runtime."""
    token_use = claims.get("token_use")
    if token_use == "id":  # noqa: S105 - a claim value, not a password
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if client_id not in audiences:
            raise Unauthorized("token is for another app client")
    elif token_use == "access":  # noqa: S105
        if claims.get("client_id") != client_id:
            raise Unauthorized("token is for another app client")
    else:
        raise Unauthorized("token must be a Cognito id or access token")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthorized("token has no subject")
    email = claims.get("email")
    return Identity(sub=sub, email=email if isinstance(email, str) else None)


class Authenticator:
    """Turns a request's headers and context into a verified Identity."""

    def __init__(self, settings: Settings, verifier: TokenVerifier | None = None) -> None:
        self._trust_gateway = settings.trust_gateway_authorizer
        self._client_id = settings.app_client_id
        self._verifier = verifier or TokenVerifier(settings)

    @property
    def verifier(self) -> TokenVerifier:
        return self._verifier

    def identify(self, headers: Mapping[str, str], context: Mapping[str, Any]) -> Identity:
        if self._trust_gateway:
            claims = (context.get("authorizer") or {}).get("claims")
            if not isinstance(claims, Mapping):
                raise Unauthorized("no verified claims from the API Gateway authorizer")
            return identity_from_claims(claims, self._client_id)
        return self._verifier.verify(bearer_token(headers))


def bearer_token(headers: Mapping[str, str]) -> str:
    value = headers.get("authorization")
    if not value:
        raise Unauthorized("missing bearer token")
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise Unauthorized("Authorization header must be 'Bearer <token>'")
    return token
