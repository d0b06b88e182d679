"""Cognito APIs that moto 5 lacks (it answers an HTML 500 without CORS headers),
answered by WSGI middleware in front of the local moto server, against moto's own
user pools: the web app's sign-out calls RevokeToken, which really revokes (the
refresh token, and access tokens issued from it, stop working, as on AWS), and
Amplify's refresher calls GetTokensFromRefreshToken, which is InitiateAuth
REFRESH_TOKEN_AUTH under another name (no rotation, like the pools we deploy).
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
CONTENT_TYPE = "application/x-amz-json-1.1"


class CognitoGaps:
    """WSGI middleware: answers RevokeToken and GetTokensFromRefreshToken, passes the rest."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        action = environ.get("HTTP_X_AMZ_TARGET", "").removeprefix(TARGET_PREFIX)
        if environ.get("REQUEST_METHOD") == "POST" and action == "RevokeToken":
            return _answer(environ, start_response, *_revoke_token(_read_json(environ)))
        if environ.get("REQUEST_METHOD") == "POST" and action == "GetTokensFromRefreshToken":
            return self._tokens_from_refresh_token(environ, start_response)
        return self.app(environ, start_response)

    def _tokens_from_refresh_token(
        self, environ: dict[str, Any], start_response: StartResponse
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


def _revoke_token(body: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """RevokeToken's HTTP status and answer."""
    token, client_id = body.get("Token"), body.get("ClientId")
    if not (token and client_id and isinstance(token, str) and isinstance(client_id, str)):
        return _error("InvalidParameterException", "Token and ClientId are required.")
    for pool in _user_pools():
        issued = pool.refresh_tokens.get(token)
        if issued is None:
            continue
        if issued[0] != client_id:
            # AWS: a token can only be revoked by the client it was issued to.
            return _error("NotAuthorizedException", "Invalid token for this client.")
        pool.refresh_tokens[token] = None  # what moto's own sign-out does
        _drop_access_tokens(pool, origin_jti=issued[2])
    # An unknown or already revoked token is not an error (RFC 7009, and AWS).
    return "200 OK", {}


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


def _error(code: str, message: str) -> tuple[str, dict[str, str]]:
    return "400 Bad Request", {"__type": code, "message": message}


def _answer(
    environ: dict[str, Any], start_response: StartResponse, status: str, body: dict[str, Any]
) -> list[bytes]:
    payload = json.dumps(body).encode()
    headers = [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(payload)))]
    origin = environ.get("HTTP_ORIGIN")
    if origin:  # as moto's flask-cors answers: any origin, echoed
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    start_response(status, headers)
    return [payload]
