"""Who is calling: identity only ever comes from verified claims.

On Lambda, API Gateway's Cognito authorizer has verified the token and passes
its claims in the event. Everywhere else (``chalice local``, tests, the WSGI
shim) nothing has checked the token, so we verify it here with PyJWT as shipped
(``jwt.decode`` against the user pool's keys, parsed by ``jwt.PyJWKSet``):
RS256 only, the required claims, issuer, expiry, then token use and app client.
Every refusal is an ``Unauthorized`` whose ``reason`` (an ``AuthFailure``) the
request's log line and the AuthFailures metric record.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from chalicelib.config import Settings
from chalicelib.errors import AuthFailure, ServiceUnavailable, Unauthorized

if TYPE_CHECKING:
    from jwt import PyJWK

logger = logging.getLogger(__name__)

LEEWAY_SECONDS = 30
ALGORITHMS = ["RS256"]  # pinned: never `none`, never HMAC keyed with the public key
# An unknown `kid` triggers a JWKS refetch at most this often, so forged
# tokens cannot make us hammer Cognito.
JWKS_MIN_REFRESH_SECONDS = 60.0
# The keys in hand are fetched again this long after the last good fetch (PyJWKClient's
# default lifespan), so a key the pool has withdrawn stops verifying tokens, cached
# or not, within this time, though no token with an unknown `kid` comes along.
JWKS_MAX_AGE_SECONDS = 300.0
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
    """The pool's RSA signing keys (PyJWT's ``PyJWK``) by `kid`.

    Not PyJWKClient: it fetches again for every unknown `kid` (forged tokens would
    make every request wait on Cognito) and cannot tell "the keys are unreachable"
    (a 503: the token may be good) from "no such key" (a 401). So the fetch is ours
    and the parsing PyJWT's (``PyJWKSet``).

    A key in hand is read without a lock. A fetch happens at start-up (``prefetch``),
    when the keys are ``max_age_seconds`` old, and for an unknown `kid` at most every
    ``min_refresh_seconds``; no lock is held while it runs, and only one runs at a
    time. A fetch that fails, or returns no usable RSA key, keeps the keys we had and
    is retried after ``retry_seconds``; until it succeeds an unknown `kid` may be a
    real key, so it is a 503, not a 401. A good fetch replaces the keys: one the pool
    no longer publishes is gone.
    """

    def __init__(
        self,
        url: str,
        fetch: Callable[[str], Any] = fetch_json,
        min_refresh_seconds: float = JWKS_MIN_REFRESH_SECONDS,
        retry_seconds: float = JWKS_RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_age_seconds: float = JWKS_MAX_AGE_SECONDS,
    ) -> None:
        self._url = url
        self._fetch = fetch
        self._min_refresh = min_refresh_seconds
        self._retry = retry_seconds
        self._max_age = max_age_seconds
        self._clock = clock
        self._keys: dict[str, PyJWK] = {}
        self._next_fetch = float("-inf")  # the earliest fetch for an unknown kid
        self._stale_at = float("-inf")  # when the keys in hand are fetched again
        self._failing = False  # the latest fetch failed
        self._fetching = False
        self._state = threading.Lock()  # guards the fields above, never held to fetch

    def key(self, kid: str) -> PyJWK:
        self.refresh_if_stale()
        key = self._keys.get(kid)
        if key is None:
            self._refresh(for_unknown_kid=True)
            key = self._keys.get(kid)
        if key is not None:
            return key
        if self._failing or self._fetching:
            raise ServiceUnavailable(
                "cannot fetch the token signing keys", retry_after_seconds=self._retry_after()
            )
        raise Unauthorized("token signed with an unknown key", AuthFailure.UNKNOWN_KEY)

    def has(self, kid: str) -> bool:
        """Whether the pool still publishes this key (as of the latest good fetch)."""
        return kid in self._keys

    def prefetch(self) -> None:
        """Fetch the keys now (at start-up, before serving); a failure is retried later."""
        self._refresh(for_unknown_kid=False)

    def kids(self) -> list[str]:
        return list(self._keys)

    def refresh_if_stale(self) -> None:
        """Fetch the keys again if they are max_age_seconds old (one comparison if not)."""
        if self._clock() >= self._stale_at:
            self._refresh(for_unknown_kid=False)

    def _refresh(self, *, for_unknown_kid: bool) -> None:
        with self._state:
            due = self._next_fetch if for_unknown_kid else self._stale_at
            if self._fetching or self._clock() < due:
                return
            self._fetching = True
        keys: dict[str, PyJWK] = {}
        try:
            keys = rsa_keys(self._fetch(self._url))
        except Exception as exc:  # any failure: keep the old keys, retry soon
            logger.warning("cannot fetch the JWKS from %s: %r", self._url, exc)
        if not keys:
            logger.warning("no usable RSA key in the JWKS from %s", self._url)
        with self._state:
            self._fetching = False
            self._failing = not keys
            now = self._clock()
            if keys:
                withdrawn = sorted(set(self._keys) - set(keys))
                if withdrawn:
                    logger.warning("signing keys withdrawn from the JWKS: %s", withdrawn)
                self._keys = keys
                self._next_fetch = now + self._min_refresh
                self._stale_at = now + self._max_age
            else:
                self._next_fetch = self._stale_at = now + self._retry

    def _retry_after(self) -> int:
        return max(1, math.ceil(self._next_fetch - self._clock()))


def rsa_keys(document: Any) -> dict[str, PyJWK]:
    """The RS256 signing keys of a JWKS document by `kid`. PyJWKSet skips the entries
    it cannot use; of the rest, we keep RSA keys for signatures that have a `kid`."""
    import jwt  # imported here: Lambda never verifies tokens itself

    if not isinstance(document, dict):
        return {}
    try:
        key_set = jwt.PyJWKSet.from_dict(document)
    except jwt.PyJWTError:
        return {}
    keys = {}
    for key in key_set.keys:
        usable = key.key_type == "RSA" and key.algorithm_name == "RS256"
        if usable and key.public_key_use in ("sig", None) and key.key_id:
            prepared(key.key)
            keys[key.key_id] = key
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


class Verified(NamedTuple):
    """A verified token, as remembered: who, which key signed it, and when it is valid."""

    identity: Identity
    kid: str
    not_before: float
    expires: float


class VerifiedTokens:
    """Tokens this process has verified, by the token's SHA-256.

    A client presents the same token for up to an hour; verifying it costs ~100 us,
    a lookup ~2 us. Each entry keeps the `kid` of the key that signed it, so the
    verifier can drop it once the key leaves the JWKS. Failures are never stored,
    and the oldest entry goes when full.
    """

    def __init__(self, max_entries: int = VERIFIED_TOKENS_MAX) -> None:
        self._max = max_entries
        self._entries: dict[bytes, Verified] = {}
        self._lock = threading.Lock()

    @staticmethod
    def digest(token: str) -> bytes:
        return hashlib.sha256(token.encode()).digest()

    def get(self, digest: bytes) -> Verified | None:
        return self._entries.get(digest)

    def add(self, digest: bytes, verified: Verified) -> None:
        with self._lock:
            while len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[digest] = verified

    def drop(self, digest: bytes) -> None:
        with self._lock:
            self._entries.pop(digest, None)


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
        import jwt  # noqa: F401 - warm import

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
        self._jwks.refresh_if_stale()
        digest = VerifiedTokens.digest(token)
        verified = self._verified.get(digest)
        if verified is not None:
            if self._jwks.has(verified.kid):
                return self._still_valid(digest, verified)
            self._verified.drop(digest)  # its key was withdrawn: checked again, and refused
        claims, kid = self._verified_claims(token)
        identity = identity_from_claims(claims, self._client_id)
        # int(), as PyJWT read them when it checked them.
        not_before = int(claims["nbf"]) - LEEWAY_SECONDS if "nbf" in claims else -math.inf
        expires = int(claims["exp"]) + LEEWAY_SECONDS
        self._verified.add(digest, Verified(identity, kid, not_before, expires))
        return identity

    def _still_valid(self, digest: bytes, verified: Verified) -> Identity:
        """A remembered token's time claims, checked on every use."""
        now = self._clock()
        if now >= verified.expires:
            self._verified.drop(digest)
            raise Unauthorized("token has expired", AuthFailure.EXPIRED)
        if now < verified.not_before:
            raise Unauthorized(
                "invalid token: the token is not yet valid (nbf)", AuthFailure.INVALID_TOKEN
            )
        return verified.identity

    def _verified_claims(self, token: str) -> tuple[dict[str, Any], str]:
        """The token's claims and key id, once PyJWT has checked its RS256 signature
        with the pool's key, the required claims, the time claims and the issuer.

        PyJWT as shipped, though slower than the hand-written parse it replaced
        (~170-255 µs against ~74-88 µs a new token, `make bench`): ~8-13% of a
        request's CPU, once per token per process, under the 20% that would justify
        a replacement of the library (docs/wsgi.md)."""
        import jwt

        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("malformed token", AuthFailure.MALFORMED_TOKEN) from None
        # Checked before the key is looked up, so a forged header costs no JWKS fetch;
        # jwt.decode pins the algorithm again.
        if header.get("alg") not in ALGORITHMS:
            raise Unauthorized("token algorithm must be RS256", AuthFailure.BAD_ALGORITHM)
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unauthorized("token has no key id", AuthFailure.MALFORMED_TOKEN)
        key = self._jwks.key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                # The audience depends on the token's use: identity_from_claims, the
                # same rules API Gateway's claims go through on Lambda.
                options={"require": list(REQUIRED_CLAIMS), "verify_aud": False},
            )
        except jwt.PyJWTError as exc:
            raise refusal(exc) from None
        return claims, kid


def refusal(error: Exception) -> Unauthorized:
    """PyJWT's reason for refusing a token, as ours."""
    import jwt

    if isinstance(error, jwt.InvalidSignatureError):
        return Unauthorized(
            "invalid token: signature verification failed", AuthFailure.BAD_SIGNATURE
        )
    if isinstance(error, jwt.DecodeError):
        return Unauthorized("malformed token", AuthFailure.MALFORMED_TOKEN)
    if isinstance(error, jwt.ExpiredSignatureError):
        return Unauthorized("token has expired", AuthFailure.EXPIRED)
    if isinstance(error, jwt.InvalidIssuerError):
        return Unauthorized("token was not issued by this user pool", AuthFailure.WRONG_ISSUER)
    if isinstance(error, jwt.InvalidAlgorithmError):
        return Unauthorized("token algorithm must be RS256", AuthFailure.BAD_ALGORITHM)
    if isinstance(error, jwt.MissingRequiredClaimError):
        return Unauthorized(
            f'invalid token: token is missing the "{error.claim}" claim',
            AuthFailure.INVALID_TOKEN,
        )
    # PyJWT's messages for the rest are fixed text, never the token's content.
    return Unauthorized(f"invalid token: {error}", AuthFailure.INVALID_TOKEN)


def identity_from_claims(claims: Mapping[str, Any], client_id: str) -> Identity:
    """Check the claims are for this app client; same rules on every runtime."""
    token_use = claims.get("token_use")
    if token_use == "id":  # noqa: S105 - a claim value, not a password
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if client_id not in audiences:
            raise Unauthorized("token is for another app client", AuthFailure.WRONG_CLIENT)
    elif token_use == "access":  # noqa: S105
        if claims.get("client_id") != client_id:
            raise Unauthorized("token is for another app client", AuthFailure.WRONG_CLIENT)
    else:
        raise Unauthorized("token must be a Cognito id or access token", AuthFailure.INVALID_TOKEN)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthorized("token has no subject", AuthFailure.INVALID_TOKEN)
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
                raise Unauthorized(
                    "no verified claims from the API Gateway authorizer",
                    AuthFailure.INVALID_TOKEN,
                )
            return identity_from_claims(claims, self._client_id)
        return self._verifier.verify(bearer_token(headers))


def bearer_token(headers: Mapping[str, str]) -> str:
    value = headers.get("authorization")
    if not value:
        raise Unauthorized("missing bearer token", AuthFailure.MISSING_TOKEN)
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise Unauthorized(
            "Authorization header must be 'Bearer <token>'", AuthFailure.MALFORMED_HEADER
        )
    return token
