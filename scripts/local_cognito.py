"""Cognito APIs that moto 5 lacks (it answers an HTML 500 without CORS headers),
answered by WSGI middleware in front of the local moto server, against moto's own
user pools: the web app's sign-out calls RevokeToken, which really revokes (the
refresh token, and access tokens issued from it, stop working, as on AWS), and
Amplify's refresher calls GetTokensFromRefreshToken, which is InitiateAuth
REFRESH_TOKEN_AUTH under another name (no rotation, like the pools we deploy).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

import jwt

from scripts.local_faults import StartResponse, WsgiApp, read_body, respond

TARGET_PREFIX = "AWSCognitoIdentityProviderService."


class CognitoGaps:
    """WSGI middleware: answers RevokeToken and GetTokensFromRefreshToken, passes the rest."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        action = environ.get("HTTP_X_AMZ_TARGET", "").removeprefix(TARGET_PREFIX)
        if environ.get("REQUEST_METHOD") != "POST" or action not in (
            "RevokeToken",
            "GetTokensFromRefreshToken",
        ):
            return self.app(environ, start_response)
        try:
            body = json.loads(read_body(environ) or b"{}")
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        if action == "RevokeToken":
            status, answer = _revoke_token(body)
            origin = environ.get("HTTP_ORIGIN")  # echoed, as moto's flask-cors answers
            cors = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")] if origin else []
            return respond(start_response, status, answer, "application/x-amz-json-1.1", *cors)
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


def _revoke_token(body: dict[str, Any]) -> tuple[int, dict[str, str]]:
    """RevokeToken's HTTP status and answer."""
    token, client_id = body.get("Token"), body.get("ClientId")
    if not (token and client_id and isinstance(token, str) and isinstance(client_id, str)):
        return 400, {
            "__type": "InvalidParameterException",
            "message": "Token and ClientId are required.",
        }
    for pool in _user_pools():
        issued = pool.refresh_tokens.get(token)
        if issued is None:
            continue
        if issued[0] != client_id:
            # AWS: a token can only be revoked by the client it was issued to.
            return 400, {
                "__type": "NotAuthorizedException",
                "message": "Invalid token for this client.",
            }
        pool.refresh_tokens[token] = None  # what moto's own sign-out does
        # Access tokens issued from a revoked refresh token are revoked with it.
        for access_token in list(pool.access_tokens):
            # Unverified: moto issued it, and only its origin_jti is read.
            claims = jwt.decode(access_token, options={"verify_signature": False})
            if claims.get("origin_jti") == issued[2]:
                pool.access_tokens.pop(access_token, None)
    # An unknown or already revoked token is not an error (RFC 7009, and AWS).
    return 200, {}


def _user_pools() -> Iterator[Any]:
    from moto.cognitoidp.models import cognitoidp_backends

    for account in list(cognitoidp_backends.values()):
        for backend in list(account.values()):
            yield from list(backend.user_pools.values())
