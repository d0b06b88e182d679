"""scripts/local_cognito.py against a real served moto (local_stack's serialized
moto, as `make dev` runs it): RevokeToken really revokes, GetTokensFromRefreshToken
issues tokens, and the browser gets CORS headers on both."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from scripts.local_stack import Stack, aws_client, create_user, moto_server, provision

pytestmark = pytest.mark.integration
ORIGIN = "http://127.0.0.1:5999"
PASSWORD = "Local-Passw0rd!"


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
