"""Cognito APIs that moto 5 lacks, answered in front of the local moto server.

The web app's sign-out calls `RevokeToken` and Amplify's refresher calls
`GetTokensFromRefreshToken`; moto answers both with an HTML 500 and no CORS
header, so every sign-out in `make dev` logged console errors and the refresh
token stayed valid. This WSGI middleware answers them against moto's own
user pools (same process, composed in local_stack's serialized moto):

- RevokeToken really revokes: a later REFRESH_TOKEN_AUTH or
  GetTokensFromRefreshToken with that token fails with NotAuthorizedException,
  and access tokens issued from it stop working, as on AWS.
- GetTokensFromRefreshToken is moto's InitiateAuth REFRESH_TOKEN_AUTH under
  another name (no refresh-token rotation, like the pools we deploy).

Every other request goes to moto untouched.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"


class CognitoGaps:
    """WSGI middleware: answers RevokeToken and GetTokensFromRefreshToken, passes the rest."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if environ.get("REQUEST_METHOD") != "POST" or not target.startswith(TARGET_PREFIX):
            return self.app(environ, start_response)
        action = target.removeprefix(TARGET_PREFIX)
        if action == "RevokeToken":
            return self._revoke_token(environ, start_response)
        if action == "GetTokensFromRefreshToken":
            return self._tokens_from_refresh_token(environ, start_response)
        return self.app(environ, start_response)

    def _revoke_token(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> list[bytes]:
        body = _read_json(environ)
        token, client_id = body.get("Token"), body.get("ClientId")
        if (
            not isinstance(token, str)
            or not isinstance(client_id, str)
            or not token
            or not client_id
        ):
            return _error(
                environ,
                start_response,
                "InvalidParameterException",
                "Token and ClientId are required.",
            )
        for pool in _user_pools():
            issued = pool.refresh_tokens.get(token)
            if issued is None:
                continue
            if issued[0] != client_id:
                # AWS: a token can only be revoked by the client it was issued to.
                return _error(
                    environ,
                    start_response,
                    "NotAuthorizedException",
                    "Invalid token for this client.",
                )
            pool.refresh_tokens[token] = None  # what moto's own sign-out does
            _drop_access_tokens(pool, origin_jti=issued[2])
        # An unknown or already revoked token is not an error (RFC 7009, and AWS).
        return _json(environ, start_response, "200 OK", {})

    def _tokens_from_refresh_token(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        body = _read_json(environ)
        parameters = {"REFRESH_TOKEN": body.get("RefreshToken", "")}
        if body.get("ClientSecret"):
            parameters["SECRET_HASH"] = body["ClientSecret"]
        request = {
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "ClientId": body.get("ClientId", ""),
            "AuthParameters": parameters,
        }
        payload = json.dumps(request).encode()
        environ = {
            **environ,
            "HTTP_X_AMZ_TARGET": f"{TARGET_PREFIX}InitiateAuth",
            "CONTENT_LENGTH": str(len(payload)),
            "wsgi.input": io.BytesIO(payload),
        }
        # InitiateAuth's answer ({"AuthenticationResult": {...}} or an error) has
        # GetTokensFromRefreshToken's shape, and moto adds the CORS headers.
        return self.app(environ, start_response)


def _user_pools() -> Iterator[Any]:
    from moto.cognitoidp.models import cognitoidp_backends

    for account in list(cognitoidp_backends.values()):
        for backend in list(account.values()):
            yield from list(backend.user_pools.values())


def _drop_access_tokens(pool: Any, origin_jti: str) -> None:
    """Access tokens issued from a revoked refresh token are revoked with it."""
    for access_token in list(pool.access_tokens):
        if _claims(access_token).get("origin_jti") == origin_jti:
            pool.access_tokens.pop(access_token, None)


def _claims(jwt: str) -> dict[str, Any]:
    """A JWT's payload, unverified (moto issued it; only its origin_jti is read)."""
    try:
        payload = jwt.split(".")[1]
        claims: dict[str, Any] = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        return claims
    except (IndexError, ValueError):
        return {}


def _read_json(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    try:
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error(
    environ: dict[str, Any], start_response: Callable[..., Any], code: str, message: str
) -> list[bytes]:
    return _json(environ, start_response, "400 Bad Request", {"__type": code, "message": message})


def _json(
    environ: dict[str, Any], start_response: Callable[..., Any], status: str, body: dict[str, Any]
) -> list[bytes]:
    payload = json.dumps(body).encode()
    headers = [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(payload)))]
    origin = environ.get("HTTP_ORIGIN")
    if origin:  # as moto's flask-cors answers: any origin, echoed
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    start_response(status, headers)
    return [payload]
