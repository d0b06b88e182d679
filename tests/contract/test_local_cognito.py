"""scripts/local_cognito.py against a real served moto (local_stack's serialized
moto, as `make dev` runs it): RevokeToken really revokes, GetTokensFromRefreshToken
issues tokens, USER_SRP_AUTH checks the password, and the browser gets CORS headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from scripts.local_cognito import (
    SRP_G,
    SRP_K,
    SRP_N,
    hash_hex,
    pad_hex,
    srp_server_public,
    srp_signature,
    srp_verifier,
)
from scripts.local_stack import Stack, aws_client, create_user, moto_server, provision

pytestmark = pytest.mark.integration
ORIGIN = "http://127.0.0.1:5999"
PASSWORD = "Local-Passw0rd!"
# Made by AWS's amazon-cognito-identity-js: frontend/src/auth/srp.test.ts checks them.
VECTORS = json.loads((Path(__file__).parents[2] / "frontend/src/auth/srp-vectors.json").read_text())


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Stack, Any]]:
    with moto_server() as endpoint:
        yield provision(endpoint), aws_client("cognito-idp", endpoint)


def new_user(served: tuple[Stack, Any]) -> dict[str, str]:
    stack, cognito = served
    return create_user(cognito, stack, f"u-{uuid.uuid4().hex[:8]}@example.com", PASSWORD)


def refresh(cognito: Any, stack: Stack, refresh_token: str) -> dict[str, Any]:
    result: dict[str, Any] = cognito.initiate_auth(
        ClientId=stack.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    return result


def error_code(call: Any, *args: Any, **kwargs: Any) -> str:
    """The AWS error code `call(*args, **kwargs)` fails with."""
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    code: str = raised.value.response["Error"]["Code"]
    return code


def test_revoked_refresh_token_no_longer_refreshes(served: tuple[Stack, Any]) -> None:
    stack, cognito = served
    tokens = new_user(served)
    assert refresh(cognito, stack, tokens["refresh_token"])["AuthenticationResult"]["IdToken"]

    cognito.revoke_token(Token=tokens["refresh_token"], ClientId=stack.client_id)

    revoked = tokens["refresh_token"]
    assert error_code(refresh, cognito, stack, revoked) == "NotAuthorizedException"
    again = {"RefreshToken": revoked, "ClientId": stack.client_id}
    assert error_code(cognito.get_tokens_from_refresh_token, **again) == "NotAuthorizedException"
    # The access token issued with it is revoked too, as on AWS.
    access = tokens["access_token"]
    assert error_code(cognito.get_user, AccessToken=access) == "NotAuthorizedException"


def test_revoking_one_session_leaves_another(served: tuple[Stack, Any]) -> None:
    stack, cognito = served
    mine, other = new_user(served), new_user(served)
    cognito.revoke_token(Token=mine["refresh_token"], ClientId=stack.client_id)
    assert refresh(cognito, stack, other["refresh_token"])["AuthenticationResult"]["AccessToken"]
    assert cognito.get_user(AccessToken=other["access_token"])["Username"]


def test_revoke_needs_the_issuing_client_and_ignores_unknown_tokens(
    served: tuple[Stack, Any],
) -> None:
    stack, cognito = served
    tokens = new_user(served)
    wrong_client = {"Token": tokens["refresh_token"], "ClientId": "someoneelse"}
    assert error_code(cognito.revoke_token, **wrong_client) == "NotAuthorizedException"
    assert refresh(cognito, stack, tokens["refresh_token"])["AuthenticationResult"]["IdToken"]
    cognito.revoke_token(Token="not-a-token", ClientId=stack.client_id)  # 200, as RFC 7009 says


def test_get_tokens_from_refresh_token_issues_new_tokens(served: tuple[Stack, Any]) -> None:
    stack, cognito = served
    tokens = new_user(served)
    result = cognito.get_tokens_from_refresh_token(
        RefreshToken=tokens["refresh_token"], ClientId=stack.client_id
    )["AuthenticationResult"]
    assert result["IdToken"] and result["IdToken"] != tokens["id_token"]
    assert cognito.get_user(AccessToken=result["AccessToken"])["Username"]


@pytest.mark.parametrize(
    ("action", "body"),
    [
        (
            "RevokeToken",
            lambda stack, tokens: {"Token": tokens["refresh_token"], "ClientId": stack.client_id},
        ),
        (
            "GetTokensFromRefreshToken",
            lambda stack, tokens: {
                "RefreshToken": tokens["refresh_token"],
                "ClientId": stack.client_id,
            },
        ),
    ],
)
def test_browser_calls_get_cors_headers(served: tuple[Stack, Any], action: str, body: Any) -> None:
    """What Amplify sends from the page: unsigned, with an Origin (preflighted)."""
    stack, _ = served
    assert stack.endpoint
    headers = {
        "Origin": ORIGIN,
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}",
        "Content-Type": "application/x-amz-json-1.1",
    }
    preflight = requests.options(
        stack.endpoint,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent",
        },
        timeout=5,
    )
    assert preflight.ok and preflight.headers["Access-Control-Allow-Origin"] in (ORIGIN, "*")
    answer = requests.post(
        stack.endpoint, json=body(stack, new_user(served)), headers=headers, timeout=5
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] in (ORIGIN, "*")
    assert answer.headers["Content-Type"].startswith("application/x-amz-json-1.1")


def password_claim(
    pool_id: str, password: str, a: int, challenge: dict[str, str], timestamp: str
) -> str:
    """The client's side of Cognito's SRP (what the web app's srp.ts computes):
    PASSWORD_CLAIM_SIGNATURE for `challenge`, held to AWS's vectors below."""
    pool_name, user_id = pool_id.split("_", 1)[1], challenge["USER_ID_FOR_SRP"]
    A, B, salt = pow(SRP_G, a, SRP_N), int(challenge["SRP_B"], 16), int(challenge["SALT"], 16)
    u = hash_hex(pad_hex(A) + pad_hex(B))
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    x = hash_hex(pad_hex(salt) + inner)
    S = pow(B - SRP_K * pow(SRP_G, x, SRP_N), a + u * x, SRP_N)
    prk = hmac.digest(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(S)), "sha256")
    key = hmac.digest(prk, b"Caldera Derived Key\x01", "sha256")[:16]
    secret_block = base64.b64decode(challenge["SECRET_BLOCK"])
    message = pool_name.encode() + user_id.encode() + secret_block + timestamp.encode()
    return base64.b64encode(hmac.digest(key, message, "sha256")).decode()


def test_srp_vectors_made_by_aws_hold_on_both_sides() -> None:
    """The stand-in's server side and this test's client agree with AWS's library."""
    pool_name = VECTORS["userPoolId"].split("_", 1)[1]
    verifier = srp_verifier(
        pool_name, VECTORS["userIdForSrp"], VECTORS["password"], int(VECTORS["salt"], 16)
    )
    b, A = int(VECTORS["b"], 16), int(VECTORS["A"], 16)
    assert format(srp_server_public(verifier, b), "x") == VECTORS["B"]
    signature = srp_signature(
        pool_name,
        VECTORS["userIdForSrp"],
        verifier,
        A,
        b,
        VECTORS["secretBlock"],
        VECTORS["timestamp"],
    )
    assert base64.b64encode(signature).decode() == VECTORS["signature"]
    challenge = {
        "USER_ID_FOR_SRP": VECTORS["userIdForSrp"],
        "SRP_B": VECTORS["B"],
        "SALT": VECTORS["salt"],
        "SECRET_BLOCK": VECTORS["secretBlock"],
    }
    claim = password_claim(
        VECTORS["userPoolId"],
        VECTORS["password"],
        int(VECTORS["a"], 16),
        challenge,
        VECTORS["timestamp"],
    )
    assert claim == VECTORS["signature"]


def srp_sign_in(
    served: tuple[Stack, Any],
    email: str,
    password: str,
    tamper: Any = lambda responses: responses,
) -> dict[str, Any]:
    """USER_SRP_AUTH as the web app signs in: InitiateAuth, then the password claim."""
    stack, cognito = served
    a = secrets.randbits(1024)
    started = cognito.initiate_auth(
        ClientId=stack.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": email, "SRP_A": format(pow(SRP_G, a, SRP_N), "x")},
    )
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    challenge = started["ChallengeParameters"]
    assert {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"} <= challenge.keys()
    timestamp = "Mon Dec 7 01:02:03 UTC 2026"
    responses = {
        "USERNAME": challenge["USER_ID_FOR_SRP"],
        "PASSWORD_CLAIM_SECRET_BLOCK": challenge["SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": password_claim(
            stack.user_pool_id, password, a, challenge, timestamp
        ),
        "TIMESTAMP": timestamp,
    }
    answer: dict[str, Any] = cognito.respond_to_auth_challenge(
        ClientId=stack.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=tamper(responses),
        Session=started["Session"],
    )
    return answer


def test_srp_sign_in_with_the_password_issues_tokens_as_password_auth_does(
    served: tuple[Stack, Any],
) -> None:
    stack, cognito = served
    email = f"srp-{uuid.uuid4().hex[:8]}@example.com"
    by_password = create_user(cognito, stack, email, PASSWORD)

    tokens = srp_sign_in(served, email, PASSWORD)["AuthenticationResult"]

    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"]
    claims, expected = (
        jwt.decode(token, options={"verify_signature": False})
        for token in (tokens["IdToken"], by_password["id_token"])
    )
    same = ("iss", "aud", "sub", "email", "token_use")
    assert {key: claims[key] for key in same} == {key: expected[key] for key in same}
    assert refresh(cognito, stack, tokens["RefreshToken"])["AuthenticationResult"]["IdToken"]


def test_srp_sign_in_with_a_wrong_password_is_refused(served: tuple[Stack, Any]) -> None:
    email = new_user_email(served)
    code = error_code(srp_sign_in, served, email, PASSWORD + "x")
    assert code == "NotAuthorizedException"


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda r: {**r, "PASSWORD_CLAIM_SIGNATURE": _flip(r["PASSWORD_CLAIM_SIGNATURE"])},
            id="signature",
        ),
        pytest.param(
            lambda r: {**r, "TIMESTAMP": r["TIMESTAMP"].replace("01:02", "01:03")},
            id="timestamp",
        ),
        pytest.param(lambda r: {**r, "USERNAME": str(uuid.uuid4())}, id="another-user"),
        pytest.param(
            lambda r: {**r, "PASSWORD_CLAIM_SECRET_BLOCK": base64.b64encode(b"x" * 64).decode()},
            id="unknown-secret-block",
        ),
    ],
)
def test_srp_answer_that_was_tampered_with_is_refused(
    served: tuple[Stack, Any], tamper: Any
) -> None:
    email = new_user_email(served)
    assert error_code(srp_sign_in, served, email, PASSWORD, tamper) == "NotAuthorizedException"


def test_srp_answer_counts_once(served: tuple[Stack, Any]) -> None:
    stack, cognito = served
    email, sent = new_user_email(served), {}

    def keep(responses: dict[str, str]) -> dict[str, str]:
        sent.update(responses)
        return responses

    assert srp_sign_in(served, email, PASSWORD, keep)["AuthenticationResult"]
    again = {
        "ClientId": stack.client_id,
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeResponses": sent,
    }
    assert error_code(cognito.respond_to_auth_challenge, **again) == "NotAuthorizedException"


def new_user_email(served: tuple[Stack, Any]) -> str:
    stack, cognito = served
    email = f"srp-{uuid.uuid4().hex[:8]}@example.com"
    create_user(cognito, stack, email, PASSWORD)
    return email


def _flip(signature: str) -> str:
    raw = bytearray(base64.b64decode(signature))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("srp_a", ["0", format(SRP_N, "x"), format(2 * SRP_N, "x"), "not-hex"])
def test_srp_a_that_would_fix_the_secret_is_refused(served: tuple[Stack, Any], srp_a: str) -> None:
    """A = 0 mod N makes the shared secret 0 whatever the password (SRP-6a's safety check)."""
    stack, cognito = served
    started = {
        "ClientId": stack.client_id,
        "AuthFlow": "USER_SRP_AUTH",
        "AuthParameters": {"USERNAME": new_user_email(served), "SRP_A": srp_a},
    }
    assert error_code(cognito.initiate_auth, **started) == "InvalidParameterException"
