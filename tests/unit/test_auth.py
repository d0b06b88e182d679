from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import pytest
from jwt.algorithms import RSAAlgorithm
from moto.utilities.utils import load_resource

from chalicelib.auth import (
    JWKS_MAX_AGE_SECONDS,
    JWKS_RETRY_SECONDS,
    LEEWAY_SECONDS,
    Authenticator,
    Identity,
    JwksCache,
    TokenVerifier,
    Verified,
    VerifiedTokens,
    bearer_token,
)
from chalicelib.config import load_settings
from chalicelib.errors import AuthFailure, ServiceUnavailable, Unauthorized
from tests.tokens import (
    MOTO_KID,
    claims_for,
    other_rsa_key,
    signed,
)

POOL = "us-east-1_TESTPOOL"
CLIENT = "testclient123"
ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
SETTINGS = load_settings(
    {
        "COGNITO_USER_POOL_ID": POOL,
        "COGNITO_APP_CLIENT_ID": CLIENT,
        "COGNITO_JWKS_URL": "http://127.0.0.1:1/jwks.json",
    }
)
# On Lambda behind API Gateway's Cognito authorizer (infra/serverless/merge.yaml).
ON_LAMBDA = load_settings(
    {
        "COGNITO_APP_CLIENT_ID": CLIENT,
        "AWS_LAMBDA_FUNCTION_NAME": "todo-api",
        "AUTH_MODE": "gateway",
    }
)


class CountingFetch:
    """The pool's JWKS endpoint: what it answers (a document, or an exception raised),
    how often it was asked, and, when a test clears `release`, a fetch that hangs."""

    def __init__(self, document: Any = None) -> None:
        self.document = document or load_resource("cognitoidp/resources/jwks-public.json")
        self.calls = 0
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, url: str) -> Any:
        self.calls += 1
        self.started.set()
        self.release.wait(10)
        if isinstance(self.document, Exception):
            raise self.document
        return self.document


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fetch() -> CountingFetch:
    return CountingFetch()


@pytest.fixture
def verifier(fetch: CountingFetch) -> TokenVerifier:
    return TokenVerifier(SETTINGS, JwksCache(SETTINGS.jwks_url, fetch=fetch))


def test_valid_access_token_is_checked_against_client_id(verifier: TokenVerifier) -> None:
    claims = claims_for(ISSUER, CLIENT, aud=None, token_use="access", client_id=CLIENT)
    assert verifier.verify(signed(claims)).sub == claims["sub"]
    claims["client_id"] = "another-client"
    with pytest.raises(Unauthorized, match="another app client"):
        verifier.verify(signed(claims))


def test_valid_id_tokens_give_their_subject_and_the_keys_are_fetched_once(
    verifier: TokenVerifier, fetch: CountingFetch
) -> None:
    for i in range(3):
        identity = verifier.verify(signed(claims_for(ISSUER, CLIENT, sub=f"user-{i}")))
        assert (identity.sub, identity.email) == (f"user-{i}", "someone@example.com")
    assert fetch.calls == 1


# What the app's verifier refuses beyond the tokens the contract suite sends on every
# runtime (tests/contract/test_auth.py: none, garbage, alg none, HS256 keyed with the
# public key, wrong key, expired, wrong issuer or client; their reasons are checked
# by tests/unit/test_metrics.py). On Lambda, API Gateway checks tokens.
@pytest.mark.parametrize(
    ("make_token", "message", "reason"),
    [
        (lambda: "a.b.c", "malformed", "malformed_token"),
        (lambda: signed(claims_for(ISSUER, CLIENT), kid="other"), "unknown key", "unknown_key"),
        (
            lambda: signed(claims_for(ISSUER, CLIENT, iat=int(time.time()) + 3600)),
            "invalid",
            "invalid_token",
        ),
        (
            lambda: signed(claims_for(ISSUER, CLIENT, token_use="refresh")),
            "id or access",
            "invalid_token",
        ),
        (lambda: signed(claims_for(ISSUER, CLIENT, token_use=None)), "token_use", "invalid_token"),
        (lambda: signed(claims_for(ISSUER, CLIENT, exp=None)), "exp", "invalid_token"),
        (lambda: signed(claims_for(ISSUER, CLIENT, iat=None)), "iat", "invalid_token"),
        (lambda: signed(claims_for(ISSUER, CLIENT, sub="")), "subject", "invalid_token"),
        (lambda: signed(claims_for(ISSUER, CLIENT, exp="soon")), "malformed", "malformed_token"),
    ],
    ids=[
        "bad-segments", "unknown-kid", "issued-in-future", "wrong-token-use", "no-token-use",
        "no-expiry", "no-issued-at", "empty-subject", "expiry-not-a-number",
    ],
)  # fmt: skip
def test_bad_tokens_are_rejected(
    verifier: TokenVerifier, make_token: Any, message: str, reason: str
) -> None:
    with pytest.raises(Unauthorized, match=message) as raised:
        verifier.verify(make_token())
    assert raised.value.reason == reason


def test_small_clock_skew_is_tolerated(verifier: TokenVerifier) -> None:
    claims = claims_for(ISSUER, CLIENT, exp=int(time.time()) - 5, iat=int(time.time()) + 5)
    assert verifier.verify(signed(claims)).sub == claims["sub"]


def test_unknown_kid_refetches_at_most_once_per_interval(fetch: CountingFetch) -> None:
    clock = FakeClock()
    cache = JwksCache("http://x", fetch=fetch, min_refresh_seconds=60, clock=clock)
    verifier = TokenVerifier(SETTINGS, cache)
    forged = signed(claims_for(ISSUER, CLIENT), kid="rotated-key")
    for _ in range(50):
        with pytest.raises(Unauthorized):
            verifier.verify(forged)
    assert fetch.calls == 1
    clock.now += 61
    with pytest.raises(Unauthorized):
        verifier.verify(forged)
    assert fetch.calls == 2


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic abc", "Token abc", "Bearer a b", "bearer"],
)
def test_malformed_authorization_headers(header: str) -> None:
    with pytest.raises(Unauthorized):
        bearer_token({"authorization": header})


def test_bearer_scheme_is_case_insensitive() -> None:
    assert bearer_token({"authorization": "bearer abc"}) == "abc"


def test_on_lambda_identity_comes_from_the_authorizer_claims() -> None:
    authenticator = Authenticator(ON_LAMBDA)
    context = {"authorizer": {"claims": {"sub": "from-gateway", "aud": CLIENT, "token_use": "id"}}}
    # The header is ignored on Lambda: API Gateway already verified the token.
    identity = authenticator.identify({"authorization": "Bearer forged"}, context)
    assert identity.sub == "from-gateway"
    with pytest.raises(Unauthorized):
        authenticator.identify({}, {})
    foreign = {"authorizer": {"claims": {"sub": "x", "aud": "other", "token_use": "id"}}}
    with pytest.raises(Unauthorized, match="another app client"):
        authenticator.identify({}, foreign)


@pytest.mark.parametrize(
    "env",
    [
        {},  # chalice local, the WSGI shim: a context claiming an identity is not believed
        {"AUTH_MODE": "gateway"},  # not on Lambda: e.g. the WSGI shim misconfigured
        {"AWS_LAMBDA_FUNCTION_NAME": "f"},  # on Lambda without the gateway authorizer
    ],
)
def test_authorizer_claims_need_both_lambda_and_gateway_mode(env: dict[str, str]) -> None:
    settings = load_settings({**env, "COGNITO_APP_CLIENT_ID": CLIENT})
    assert not settings.trust_gateway_authorizer
    context = {"authorizer": {"claims": {"sub": "victim", "aud": CLIENT, "token_use": "id"}}}
    with pytest.raises(Unauthorized, match="missing bearer token"):
        Authenticator(settings).identify({}, context)


# -- The JWKS endpoint failing -----------------------------------------------------


def verifier_for(fetch: CountingFetch, clock: FakeClock) -> TokenVerifier:
    cache = JwksCache("http://x", fetch=fetch, min_refresh_seconds=60, retry_seconds=2, clock=clock)
    return TokenVerifier(SETTINGS, cache)


def moto_jwk() -> dict[str, Any]:
    key: dict[str, Any] = load_resource("cognitoidp/resources/jwks-public.json")["keys"][0]
    return key


def test_a_failed_fetch_is_a_503_and_retried_after_a_short_back_off(
    fetch: CountingFetch,
) -> None:
    clock = FakeClock()
    verifier = verifier_for(fetch, clock)
    fetch.document = OSError("HTTP Error 500")
    token = signed(claims_for(ISSUER, CLIENT))
    with pytest.raises(ServiceUnavailable) as raised:
        verifier.verify(token)
    assert raised.value.headers["Retry-After"] == "2"
    # Within the back-off: still a 503 (never a 401), and no new fetch.
    clock.now += 1
    with pytest.raises(ServiceUnavailable):
        verifier.verify(token)
    assert fetch.calls == 1
    # The endpoint recovers: seconds later (not a minute) the token is accepted.
    fetch.document = {"keys": [moto_jwk()]}
    clock.now += 1.5
    assert verifier.verify(token).sub
    assert fetch.calls == 2


@pytest.mark.parametrize(
    "garbage",
    [
        ValueError("<html>gateway timeout</html> is not JSON"),
        {"keys": "none"},
        {"keys": []},
        [1, 2],
        {"keys": [{"kty": "EC", "kid": "x"}]},
        {"keys": [{"kty": "RSA", "kid": "dummy", "n": "!!", "e": "AQAB"}]},
    ],
    ids=["html", "keys-not-a-list", "no-keys", "not-an-object", "no-rsa-key", "malformed-key"],
)
def test_garbage_keeps_the_keys_we_had(fetch: CountingFetch, garbage: Any) -> None:
    clock = FakeClock()
    verifier = verifier_for(fetch, clock)
    assert verifier.verify(signed(claims_for(ISSUER, CLIENT, sub="before"))).sub == "before"
    fetch.document = garbage
    clock.now += 61
    # An unknown kid makes it refetch; the garbage answer must not empty the key set.
    with pytest.raises(ServiceUnavailable):
        verifier.verify(signed(claims_for(ISSUER, CLIENT), kid="rotated"))
    assert fetch.calls == 2
    assert verifier.verify(signed(claims_for(ISSUER, CLIENT, sub="after"))).sub == "after"


def test_a_malformed_key_entry_does_not_cost_the_good_ones(fetch: CountingFetch) -> None:
    bad = {"kty": "RSA", "kid": "bad", "n": 5, "e": None}
    fetch.document = {"keys": [bad, "not-a-key", {"kid": "no-kty"}, moto_jwk()]}
    verifier = verifier_for(fetch, FakeClock())
    assert verifier.verify(signed(claims_for(ISSUER, CLIENT))).sub
    # The fetch worked, so a token naming the bad entry is an unknown key: 401.
    with pytest.raises(Unauthorized, match="unknown key"):
        verifier.verify(signed(claims_for(ISSUER, CLIENT), kid="bad"))


def test_no_lock_is_held_while_the_keys_are_fetched(fetch: CountingFetch) -> None:
    clock = FakeClock()
    verifier = verifier_for(fetch, clock)
    verifier.verify(signed(claims_for(ISSUER, CLIENT)))
    clock.now += 61
    fetch.release.clear()  # the next fetch hangs until released
    fetch.started.clear()
    unknown_kid = signed(claims_for(ISSUER, CLIENT), kid="new")
    outcomes: list[str] = []

    def present_unknown_kid() -> None:
        try:
            verifier.verify(unknown_kid)
        except Unauthorized:
            outcomes.append("401")

    slow = threading.Thread(target=present_unknown_kid)
    slow.start()
    try:
        assert fetch.started.wait(5)
        # While that fetch hangs: a token with a known key is verified at once,
        # and another unknown key is a prompt 503 rather than a wait.
        known, also_new = (
            signed(claims_for(ISSUER, CLIENT, sub="other")),
            signed(claims_for(ISSUER, CLIENT), kid="also-new"),
        )
        started = time.monotonic()
        assert verifier.verify(known).sub == "other"
        with pytest.raises(ServiceUnavailable):
            verifier.verify(also_new)
        # Far less than the 10 s the fetch hangs for.
        assert time.monotonic() - started < 5
    finally:
        fetch.release.set()
        slow.join(10)
    assert outcomes == ["401"]  # the fetch succeeded and "new" is not in it
    assert fetch.calls == 2


def test_a_prefetch_that_fails_is_a_503_until_the_keys_come_back(fetch: CountingFetch) -> None:
    # A server booted while the JWKS is down serves: a valid token is a 503, never a 401.
    clock = FakeClock()
    verifier = verifier_for(fetch, clock)
    fetch.document = {"keys": "garbage"}
    verifier.prefetch()
    token = signed(claims_for(ISSUER, CLIENT))
    with pytest.raises(ServiceUnavailable) as raised:
        verifier.verify(token)
    assert raised.value.headers["Retry-After"] == "2"
    fetch.document = {"keys": [moto_jwk()]}
    clock.now += 2
    assert verifier.verify(token).sub


# -- The verified-token cache ----------------------------------------------------


def test_a_verified_token_is_not_verified_again(
    verifier: TokenVerifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = signed(claims_for(ISSUER, CLIENT, sub="cached"))
    assert verifier.verify(token).sub == "cached"
    monkeypatch.setattr(verifier, "_verified_claims", _must_not_be_called)
    assert verifier.verify(token).sub == "cached"


def _must_not_be_called(*args: Any) -> Any:
    raise AssertionError("the token was verified again")


@pytest.mark.parametrize(
    ("claims", "later", "message"),
    [
        ({"exp": 100}, 100 + LEEWAY_SECONDS + 1, "expired"),
        # nbf within the leeway; then a clock stepped back: the cached entry must not answer.
        ({"nbf": 20}, -60, "not yet valid"),
    ],
    ids=["exp", "nbf"],
)
def test_a_cached_token_still_keeps_its_time_limits(
    fetch: CountingFetch, claims: dict[str, int], later: int, message: str
) -> None:
    clock = FakeClock()
    clock.now = time.time()
    verifier = TokenVerifier(SETTINGS, JwksCache("http://x", fetch=fetch), clock=clock)
    times = {name: int(clock.now) + offset for name, offset in claims.items()}
    token = signed({**claims_for(ISSUER, CLIENT), **times})
    assert verifier.verify(token).sub
    clock.now += later
    with pytest.raises(Unauthorized, match=message):
        verifier.verify(token)


def test_a_tampered_copy_of_a_cached_token_is_rejected(verifier: TokenVerifier) -> None:
    token = signed(claims_for(ISSUER, CLIENT))
    verifier.verify(token)
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    with pytest.raises(Unauthorized):
        verifier.verify(tampered)
    other_payload = signed(claims_for(ISSUER, CLIENT, sub="victim")).split(".")[1]
    with pytest.raises(Unauthorized, match="signature"):
        verifier.verify(f"{header}.{other_payload}.{signature}")


def test_the_cache_is_bounded() -> None:
    cache = VerifiedTokens(max_entries=2)
    for name in ("a", "b", "c"):
        cache.add(VerifiedTokens.digest(name), Verified(Identity(name), MOTO_KID, 0, 100))
    assert cache.get(VerifiedTokens.digest("a")) is None
    assert cache.get(VerifiedTokens.digest("c")) == Verified(Identity("c"), MOTO_KID, 0, 100)


# -- Keys leaving the JWKS (issue 20 item 7) ---------------------------------------


class Rotation:
    """The pool's key set over time: moto's key ("dummy") and a second key ("next")."""

    def __init__(self) -> None:
        self.next_key = other_rsa_key()
        next_jwk = json.loads(RSAAlgorithm.to_jwk(self.next_key.public_key()))
        self.next_jwk = {**next_jwk, "kid": "next", "alg": "RS256", "use": "sig"}
        self.fetch = CountingFetch({"keys": [moto_jwk(), self.next_jwk]})
        self.clock = FakeClock()
        jwks = JwksCache("http://x", fetch=self.fetch, min_refresh_seconds=60, clock=self.clock)
        self.verifier = TokenVerifier(SETTINGS, jwks)

    def withdraw_the_moto_key(self) -> None:
        self.fetch.document = {"keys": [self.next_jwk]}

    def signed_by_next(self, sub: str) -> str:
        return signed(claims_for(ISSUER, CLIENT, sub=sub), key=self.next_key, kid="next")


def test_a_withdrawn_key_stops_verifying_cached_and_new_tokens_after_the_timed_refresh() -> None:
    pool = Rotation()
    cached = signed(claims_for(ISSUER, CLIENT, sub="cached"))
    assert pool.verifier.verify(cached).sub == "cached"
    pool.withdraw_the_moto_key()
    # Until the keys are due again, the key set in hand still holds it.
    pool.clock.now += JWKS_MAX_AGE_SECONDS - 1
    assert pool.verifier.verify(cached).sub == "cached"
    assert pool.fetch.calls == 1
    # Then the keys are fetched again, though no unknown kid came along.
    pool.clock.now += 2
    never_seen = signed(claims_for(ISSUER, CLIENT, sub="new"))
    for token in (cached, never_seen, cached):
        with pytest.raises(Unauthorized, match="unknown key") as raised:
            pool.verifier.verify(token)
        assert raised.value.reason == AuthFailure.UNKNOWN_KEY
    assert pool.verifier.verify(pool.signed_by_next("next")).sub == "next"
    # One fetch on the timer; the unknown kids then waited for min_refresh_seconds.
    assert pool.fetch.calls == 2


def test_a_refresh_for_an_unknown_kid_also_drops_the_withdrawn_keys_tokens() -> None:
    pool = Rotation()
    pool.fetch.document = {"keys": [moto_jwk()]}  # "next" is not published yet
    cached = signed(claims_for(ISSUER, CLIENT, sub="cached"))
    assert pool.verifier.verify(cached).sub == "cached"
    # The pool rotates: "next" in, moto's key out; a token signed by "next" comes.
    pool.withdraw_the_moto_key()
    pool.clock.now += 61  # past the unknown-kid refetch interval, before the timer
    assert pool.verifier.verify(pool.signed_by_next("rotated")).sub == "rotated"
    with pytest.raises(Unauthorized, match="unknown key"):
        pool.verifier.verify(cached)
    assert pool.fetch.calls == 2


def test_a_failed_timed_refresh_keeps_the_keys_and_is_retried_soon() -> None:
    pool = Rotation()
    cached = signed(claims_for(ISSUER, CLIENT, sub="cached"))
    assert pool.verifier.verify(cached).sub == "cached"
    document = pool.fetch.document
    pool.fetch.document = {"keys": "the endpoint answered garbage"}
    pool.clock.now += JWKS_MAX_AGE_SECONDS + 1
    # The keys in hand still verify (a JWKS outage is not an outage of ours).
    assert pool.verifier.verify(cached).sub == "cached"
    assert pool.verifier.verify(signed(claims_for(ISSUER, CLIENT, sub="new"))).sub == "new"
    assert pool.fetch.calls == 2
    pool.fetch.document = document
    pool.clock.now += JWKS_RETRY_SECONDS
    assert pool.verifier.verify(cached).sub == "cached"
    assert pool.fetch.calls == 3


# -- A new worker's warm-up tokens ------------------------------------------------


def test_the_warm_up_tokens_are_one_per_key_and_all_refused(
    fetch: CountingFetch, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two keys: the pool's, and the same key published under a second kid.
    fetch.document = {"keys": [*fetch.document["keys"], dict(fetch.document["keys"][0], kid="k2")]}
    verifier = TokenVerifier(SETTINGS, JwksCache(SETTINGS.jwks_url, fetch=fetch))
    verifier.prefetch()
    tokens = verifier.refused_tokens()
    headers = [token.split(".")[0] for token in tokens]
    kids = {json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))["kid"] for h in headers}
    assert kids == {MOTO_KID, "k2"} and len(tokens) == 2
    for token in tokens:
        with pytest.raises(Unauthorized, match="signature"):
            verifier.verify(token)
    assert fetch.calls == 1  # known keys: no fetch
    # Refused every time: failures are never remembered as verified.
    monkeypatch.setattr(verifier, "_verified_claims", _must_not_be_called)
    for token in tokens:
        with pytest.raises(AssertionError, match="verified again"):
            verifier.verify(token)


def test_on_lambda_api_gateway_checks_tokens_so_there_are_none_to_warm_with() -> None:
    assert Authenticator(ON_LAMBDA).refused_tokens() == []
