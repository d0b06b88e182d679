"""The local Cognito's USER_SRP_AUTH (tools/local_cognito.py, on a served moto as
`make dev` runs it) checks the password as Cognito does, so the web app's sign-in
tests mean something: AWS's own vectors hold on both sides, a wrong or tampered
answer is refused, an answer counts once. (Its RevokeToken and refresh are what the
browser tests sign out and refresh with: tests/e2e/test_todo_flow.py,
test_shared_browser.py.)"""

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
from botocore.exceptions import ClientError

from tools.local_cognito import (
    SRP_G,
    SRP_K,
    SRP_N,
    hash_hex,
    pad_hex,
    srp_server_public,
    srp_signature,
    srp_verifier,
)
from tools.local_stack import Stack, aws_client, create_user, moto_server, provision

pytestmark = pytest.mark.integration
PASSWORD = "Local-Passw0rd!"
# Made by AWS's amazon-cognito-identity-js: web/src/auth/srp.test.ts checks them.
VECTORS = json.loads((Path(__file__).parents[2] / "web/src/auth/srp-vectors.json").read_text())


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Stack, Any]]:
    with moto_server() as endpoint:
        yield provision(endpoint), aws_client("cognito-idp", endpoint)


def error_code(call: Any, *args: Any, **kwargs: Any) -> str:
    """The AWS error code `call(*args, **kwargs)` fails with."""
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    code: str = raised.value.response["Error"]["Code"]
    return code


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
    user_id, password = VECTORS["userIdForSrp"], VECTORS["password"]
    timestamp = VECTORS["timestamp"]
    verifier = srp_verifier(pool_name, user_id, password, int(VECTORS["salt"], 16))
    b, A = int(VECTORS["b"], 16), int(VECTORS["A"], 16)
    assert format(srp_server_public(verifier, b), "x") == VECTORS["B"]
    signature = srp_signature(pool_name, user_id, verifier, A, b, VECTORS["secretBlock"], timestamp)
    assert base64.b64encode(signature).decode() == VECTORS["signature"]
    challenge = {
        "USER_ID_FOR_SRP": user_id,
        "SRP_B": VECTORS["B"],
        "SALT": VECTORS["salt"],
        "SECRET_BLOCK": VECTORS["secretBlock"],
    }
    a = int(VECTORS["a"], 16)
    assert (
        password_claim(VECTORS["userPoolId"], password, a, challenge, timestamp)
        == (VECTORS["signature"])
    )


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


@pytest.mark.parametrize(
    ("password", "tamper"),
    [
        pytest.param(PASSWORD + "x", lambda r: r, id="wrong-password"),
        pytest.param(
            PASSWORD,
            lambda r: {**r, "PASSWORD_CLAIM_SIGNATURE": _flip(r["PASSWORD_CLAIM_SIGNATURE"])},
            id="signature",
        ),
        pytest.param(PASSWORD, lambda r: {**r, "USERNAME": str(uuid.uuid4())}, id="another-user"),
    ],
)
def test_srp_answer_with_a_wrong_password_or_tampered_with_is_refused(
    served: tuple[Stack, Any], password: str, tamper: Any
) -> None:
    email = new_user_email(served)
    assert error_code(srp_sign_in, served, email, password, tamper) == "NotAuthorizedException"


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


@pytest.mark.parametrize("srp_a", ["0", format(SRP_N, "x"), "not-hex"])
def test_srp_a_that_would_fix_the_secret_is_refused(served: tuple[Stack, Any], srp_a: str) -> None:
    """A = 0 mod N makes the shared secret 0 whatever the password (SRP-6a's safety check)."""
    stack, cognito = served
    started = {
        "ClientId": stack.client_id,
        "AuthFlow": "USER_SRP_AUTH",
        "AuthParameters": {"USERNAME": new_user_email(served), "SRP_A": srp_a},
    }
    assert error_code(cognito.initiate_auth, **started) == "InvalidParameterException"
