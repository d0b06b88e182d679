"""Who is calling: identity only ever comes from verified claims.

On Lambda, API Gateway's Cognito authorizer has verified the token and passes
its claims in the event. Everywhere else (``chalice local``, tests, the WSGI
shim) nothing has checked the token, so we verify it here against the user
pool's JWKS: RS256 only, issuer, expiry, token use and app client.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.config import Settings
from chalicelib.errors import ServiceUnavailable, Unauthorized

logger = logging.getLogger(__name__)

LEEWAY_SECONDS = 30
# An unknown `kid` triggers a JWKS refetch at most this often, so forged
# tokens cannot make us hammer Cognito.
JWKS_MIN_REFRESH_SECONDS = 60.0
# After a failed fetch, the next attempt waits this long (and clients are told
# to retry after it): short, so an outage of the JWKS ends quickly for us too.
JWKS_RETRY_SECONDS = 2.0
JWKS_TIMEOUT_SECONDS = 3
# Verified tokens remembered per process; a token is ~1 KB, so ~10 MB at most.
VERIFIED_TOKENS_MAX = 10_000
REQUIRED_CLAIMS = ("exp", "iat", "iss", "sub", "token_use")


@dataclass(frozen=True)
class Identity:
    sub: str
    email: str | None = None


def fetch_json(url: str) -> Any:
    import urllib.request

    if not url.startswith(("https://", "http://")):
        raise ValueError(f"JWKS URL must be http(s): {url}")
    with urllib.request.urlopen(url, timeout=JWKS_TIMEOUT_SECONDS) as response:  # noqa: S310
        return json.load(response)


class JwksCache:
    """The pool's RSA signing keys by `kid`.

    A key in hand is read without a lock. A fetch happens at start-up
    (``prefetch``), or for an unknown `kid` at most every ``min_refresh_seconds``;
    no lock is held while it runs, and only one runs at a time. A fetch that fails,
    or returns no usable RSA key, keeps the keys we had and is retried after
    ``retry_seconds``; until it succeeds an unknown `kid` may be a real key, so it
    is a 503, not a 401.
    """

    def __init__(
        self,
        url: str,
        fetch: Callable[[str], Any] = fetch_json,
        min_refresh_seconds: float = JWKS_MIN_REFRESH_SECONDS,
        retry_seconds: float = JWKS_RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._fetch = fetch
        self._min_refresh = min_refresh_seconds
        self._retry = retry_seconds
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._next_fetch = float("-inf")
        self._failing = False  # the latest fetch failed
        self._fetching = False
        self._state = threading.Lock()  # guards the three fields above, never held to fetch

    def key(self, kid: str) -> Any:
        key = self._keys.get(kid)
        if key is None:
            self.refresh_if_due()
            key = self._keys.get(kid)
        if key is not None:
            return key
        if self._failing or self._fetching:
            raise ServiceUnavailable(
                "cannot fetch the token signing keys", retry_after_seconds=self._retry_after()
            )
        raise Unauthorized("token signed with an unknown key")

    def prefetch(self) -> None:
        """Fetch the keys now (at start-up, before serving); a failure is retried later."""
        self.refresh_if_due()

    def kids(self) -> list[str]:
        return list(self._keys)

    def refresh_if_due(self) -> None:
        with self._state:
            if self._fetching or self._clock() < self._next_fetch:
                return
            self._fetching = True
        keys: dict[str, Any] = {}
        try:
            keys = rsa_keys(self._fetch(self._url))
        except Exception as exc:  # any failure: keep the old keys, retry soon
            logger.warning("cannot fetch the JWKS from %s: %r", self._url, exc)
        if not keys:
            logger.warning("no usable RSA key in the JWKS from %s", self._url)
        with self._state:
            self._fetching = False
            self._failing = not keys
            if keys:
                self._keys = keys
            self._next_fetch = self._clock() + (self._min_refresh if keys else self._retry)

    def _retry_after(self) -> int:
        return max(1, math.ceil(self._next_fetch - self._clock()))


def rsa_keys(document: Any) -> dict[str, Any]:
    """The usable RSA keys of a JWKS document by `kid`; malformed entries are skipped."""
    import jwt  # imported here: Lambda never verifies tokens itself

    entries = document.get("keys") if isinstance(document, dict) else None
    keys = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        kid = entry.get("kid")
        try:
            key = jwt.PyJWK.from_dict(entry, algorithm="RS256").key
        except Exception:  # noqa: S112 - one bad entry must not cost the good ones
            continue
        if isinstance(kid, str) and kid:
            keys[kid] = prepared(key)
    return keys


def prepared(key: Any) -> Any:
    """OpenSSL readies a public key's arithmetic on its first verification (~1 ms):
    do it here, when the keys are fetched (before gunicorn forks), not on a request."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    with contextlib.suppress(InvalidSignature, ValueError):  # as expected: no key signs this
        key.verify(b"\0" * (key.key_size // 8), b"", padding.PKCS1v15(), hashes.SHA256())
    return key


class VerifiedTokens:
    """Identities of tokens this process has verified, by the token's SHA-256.

    A client presents the same token for up to an hour; re-verifying it costs ~100 us,
    a lookup ~2 us. ``exp``/``nbf`` are checked on every hit, failures are never
    stored, and the oldest entry goes when full.
    """

    def __init__(self, max_entries: int = VERIFIED_TOKENS_MAX) -> None:
        self._max = max_entries
        self._entries: dict[bytes, tuple[Identity, float, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def digest(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, digest: bytes, now: float) -> Identity | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        identity, not_before, expires = entry
        if not_before <= now < expires:
            return identity
        with self._lock:
            self._entries.pop(digest, None)
        return None

    def add(self, digest: bytes, identity: Identity, not_before: float, expires: float) -> None:
        with self._lock:
            while len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[digest] = (identity, not_before, expires)


class TokenVerifier:
    def __init__(
        self,
        settings: Settings,
        jwks: JwksCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = settings.issuer
        self._client_id = settings.app_client_id
        self._jwks = jwks or JwksCache(settings.jwks_url)
        self._clock = clock
        self._verified = VerifiedTokens()

    def prefetch(self) -> None:
        from cryptography.hazmat.primitives.asymmetric import padding  # noqa: F401 - warm import

        self._jwks.prefetch()

    def refused_tokens(self) -> list[str]:
        """A token per signing key in hand, shaped as the pool's but with a signature
        the key did not make: refused, as it must be. For the requests that warm a
        new worker (wsgi.warm_worker), so they check signatures as a user's would."""
        tokens = []
        for kid in self._jwks.kids():
            header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": kid}).encode())
            tokens.append(f"{header.decode().rstrip('=')}.e30.{'A' * 342}")
        return tokens

    def verify(self, token: str) -> Identity:
        now = self._clock()
        digest = VerifiedTokens.digest(token)
        identity = self._verified.get(digest, now)
        if identity is not None:
            return identity
        claims = self._verified_claims(token, now)
        identity = identity_from_claims(claims, self._client_id)
        not_before = float(claims.get("nbf", -math.inf)) - LEEWAY_SECONDS
        self._verified.add(digest, identity, not_before, claims["exp"] + LEEWAY_SECONDS)
        return identity

    def _verified_claims(self, token: str, now: float) -> dict[str, Any]:
        """Parse once, check the RS256 signature, then the time and issuer claims."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        parts = token.split(".")
        if len(parts) != 3:
            raise Unauthorized("malformed token")
        header = _json_segment(parts[0])
        # Pin the algorithm: never `none`, never HMAC with the public key.
        if header.get("alg") != "RS256":
            raise Unauthorized("token algorithm must be RS256")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unauthorized("token has no key id")
        key = self._jwks.key(kid)
        signing_input = f"{parts[0]}.{parts[1]}".encode()
        try:
            key.verify(_b64url(parts[2]), signing_input, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise Unauthorized("invalid token: signature verification failed") from None
        claims = _json_segment(parts[1])
        missing = [name for name in REQUIRED_CLAIMS if name not in claims]
        if missing:
            raise Unauthorized(f'invalid token: token is missing the "{missing[0]}" claim')
        for name in ("exp", "iat", "nbf"):
            value = claims.get(name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise Unauthorized(f"invalid token: {name} must be a number")
        if claims["exp"] <= now - LEEWAY_SECONDS:
            raise Unauthorized("token has expired")
        if claims["iat"] > now + LEEWAY_SECONDS:
            raise Unauthorized("invalid token: the token is not yet valid (iat)")
        if claims.get("nbf", -math.inf) > now + LEEWAY_SECONDS:
            raise Unauthorized("invalid token: the token is not yet valid (nbf)")
        if claims["iss"] != self._issuer:
            raise Unauthorized("token was not issued by this user pool")
        return claims


def _b64url(segment: str) -> bytes:
    try:
        return base64.b64decode(segment + "=" * (-len(segment) % 4), b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise Unauthorized("malformed token") from None


def _json_segment(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64url(segment))
    except (ValueError, RecursionError):
        raise Unauthorized("malformed token") from None
    if not isinstance(value, dict):
        raise Unauthorized("malformed token")
    return value


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
        self._verifier = None if self._trust_gateway else (verifier or TokenVerifier(settings))

    def prefetch(self) -> None:
        """Before serving: the signing keys and the crypto imports, so a fresh
        worker's first request is as fast as the next."""
        if self._verifier is not None:
            self._verifier.prefetch()

    def refused_tokens(self) -> list[str]:
        """See TokenVerifier.refused_tokens; none when API Gateway checks tokens."""
        return [] if self._verifier is None else self._verifier.refused_tokens()

    def identify(self, headers: Mapping[str, str], context: Mapping[str, Any]) -> Identity:
        if self._verifier is None:
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
