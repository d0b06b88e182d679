from __future__ import annotations

import time
from typing import Any

import pytest
from moto.utilities.utils import load_resource

from chalicelib.auth import Authenticator, JwksCache, TokenVerifier, bearer_token
from chalicelib.config import load_settings
from chalicelib.errors import ServiceUnavailable, Unauthorized
from tests.tokens import (
    claims_for,
    hmac_signed,
    moto_public_pem,
    other_rsa_key,
    signed,
    unsigned,
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


class CountingFetch:
    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.document = document or load_resource("cognitoidp/resources/jwks-public.json")
        self.calls = 0

    def __call__(self, url: str) -> dict[str, Any]:
        self.calls += 1
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


def test_valid_id_token_gives_the_subject(verifier: TokenVerifier) -> None:
    identity = verifier.verify(signed(claims_for(ISSUER, CLIENT, sub="abc")))
    assert identity.sub == "abc"
    assert identity.email == "someone@example.com"


def test_valid_access_token_is_checked_against_client_id(verifier: TokenVerifier) -> None:
    claims = claims_for(ISSUER, CLIENT, aud=None, token_use="access", client_id=CLIENT)
    assert verifier.verify(signed(claims)).sub == claims["sub"]
    claims["client_id"] = "another-client"
    with pytest.raises(Unauthorized, match="another app client"):
        verifier.verify(signed(claims))


def test_keys_are_fetched_once_for_many_tokens(
    verifier: TokenVerifier, fetch: CountingFetch
) -> None:
    for i in range(20):
        verifier.verify(signed(claims_for(ISSUER, CLIENT, sub=f"user-{i}")))
    assert fetch.calls == 1


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (lambda: "", "malformed"),
        (lambda: "not-a-jwt", "malformed"),
        (lambda: "a.b.c", "malformed"),
        (lambda: unsigned(claims_for(ISSUER, CLIENT)), "RS256"),
        (lambda: signed(claims_for(ISSUER, CLIENT), key=other_rsa_key()), "invalid token"),
        (lambda: signed(claims_for(ISSUER, CLIENT), kid="unknown-kid"), "unknown key"),
        (lambda: signed(claims_for(ISSUER, CLIENT, exp=int(time.time()) - 120)), "expired"),
        (lambda: signed(claims_for(ISSUER, CLIENT, iat=int(time.time()) + 3600)), "invalid"),
        (lambda: signed(claims_for(ISSUER + "x", CLIENT)), "not issued by this user pool"),
        (lambda: signed(claims_for("https://evil.example.com", CLIENT)), "not issued"),
        (lambda: signed(claims_for(ISSUER, "other-client")), "another app client"),
        (lambda: signed(claims_for(ISSUER, CLIENT, token_use="refresh")), "id or access"),
        (lambda: signed(claims_for(ISSUER, CLIENT, token_use=None)), "token_use"),
        (lambda: signed(claims_for(ISSUER, CLIENT, exp=None)), "exp"),
        (lambda: signed(claims_for(ISSUER, CLIENT, sub="")), "subject"),
    ],
    ids=[
        "empty",
        "garbage",
        "bad-segments",
        "alg-none",
        "wrong-key",
        "unknown-kid",
        "expired",
        "issued-in-future",
        "wrong-issuer-suffix",
        "wrong-issuer",
        "wrong-client",
        "wrong-token-use",
        "no-token-use",
        "no-expiry",
        "empty-subject",
    ],
)
def test_bad_tokens_are_rejected(verifier: TokenVerifier, make_token: Any, message: str) -> None:
    with pytest.raises(Unauthorized, match=message):
        verifier.verify(make_token())


def test_hmac_signed_with_the_public_key_is_rejected(verifier: TokenVerifier) -> None:
    token = hmac_signed(claims_for(ISSUER, CLIENT), secret=moto_public_pem())
    with pytest.raises(Unauthorized, match="RS256"):
        verifier.verify(token)


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


def test_a_rotated_key_is_picked_up(fetch: CountingFetch) -> None:
    clock = FakeClock()
    cache = JwksCache("http://x", fetch=fetch, min_refresh_seconds=60, clock=clock)
    verifier = TokenVerifier(SETTINGS, cache)
    verifier.verify(signed(claims_for(ISSUER, CLIENT)))
    # The pool rotates: the old key is now published under a new kid.
    rotated = dict(fetch.document["keys"][0], kid="new-kid")
    fetch.document = {"keys": [*fetch.document["keys"], rotated]}
    clock.now += 61
    assert verifier.verify(signed(claims_for(ISSUER, CLIENT), kid="new-kid")).sub
    assert fetch.calls == 2


def test_unreachable_jwks_is_a_503_not_a_401() -> None:
    def down(url: str) -> Any:
        raise OSError("connection refused")

    verifier = TokenVerifier(SETTINGS, JwksCache("http://x", fetch=down))
    with pytest.raises(ServiceUnavailable):
        verifier.verify(signed(claims_for(ISSUER, CLIENT)))


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
    settings = load_settings(
        {
            "COGNITO_APP_CLIENT_ID": CLIENT,
            "AWS_LAMBDA_FUNCTION_NAME": "todo-api-prod",
            "AUTH_MODE": "gateway",
        }
    )
    authenticator = Authenticator(settings)
    context = {"authorizer": {"claims": {"sub": "from-gateway", "aud": CLIENT, "token_use": "id"}}}
    # The header is ignored on Lambda: API Gateway already verified the token.
    identity = authenticator.identify({"authorization": "Bearer forged"}, context)
    assert identity.sub == "from-gateway"


def test_on_lambda_missing_or_foreign_claims_are_rejected() -> None:
    settings = load_settings(
        {
            "COGNITO_APP_CLIENT_ID": CLIENT,
            "AWS_LAMBDA_FUNCTION_NAME": "todo-api-prod",
            "AUTH_MODE": "gateway",
        }
    )
    authenticator = Authenticator(settings)
    with pytest.raises(Unauthorized):
        authenticator.identify({}, {})
    foreign = {"authorizer": {"claims": {"sub": "x", "aud": "other", "token_use": "id"}}}
    with pytest.raises(Unauthorized, match="another app client"):
        authenticator.identify({}, foreign)


@pytest.mark.parametrize(
    "env",
    [
        {"AUTH_MODE": "gateway"},  # not on Lambda: e.g. the WSGI shim misconfigured
        {"AWS_LAMBDA_FUNCTION_NAME": "f"},  # on Lambda without the gateway authorizer
    ],
)
def test_authorizer_claims_need_both_lambda_and_gateway_mode(env: dict[str, str]) -> None:
    settings = load_settings({**env, "COGNITO_APP_CLIENT_ID": CLIENT})
    assert not settings.trust_gateway_authorizer
    context = {"authorizer": {"claims": {"sub": "victim", "aud": CLIENT, "token_use": "id"}}}
    with pytest.raises(Unauthorized):
        Authenticator(settings).identify({}, context)


def test_off_lambda_authorizer_context_is_never_trusted(verifier: TokenVerifier) -> None:
    # chalice local / WSGI: a context claiming an identity must not be believed.
    authenticator = Authenticator(SETTINGS, verifier)
    context = {"authorizer": {"claims": {"sub": "victim", "aud": CLIENT, "token_use": "id"}}}
    with pytest.raises(Unauthorized, match="missing bearer token"):
        authenticator.identify({}, context)
