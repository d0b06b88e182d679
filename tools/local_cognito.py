"""What moto 5's Cognito lacks, filled by WSGI middleware in front of the local moto
server, against moto's own user pools:

- RevokeToken (moto answers an HTML 500 without CORS headers): the web app's sign-out
  really revokes (the refresh token, and access tokens issued from it, stop working,
  as on AWS).
- GetTokensFromRefreshToken: InitiateAuth REFRESH_TOKEN_AUTH under another name (no
  rotation, like the pools we deploy).
- USER_SRP_AUTH's password check. moto answers InitiateAuth with a random SRP_B and
  SALT and issues tokens for any PASSWORD_CLAIM_SIGNATURE (and for whichever USERNAME
  the answer names). Here moto still checks the client and the user (exists, enabled,
  confirmed) and issues the tokens, but the challenge carries a real SRP-6a B for the
  user's password, and RespondToAuthChallenge reaches moto only with a signature that
  proves that password: the server side of Cognito's SRP (`srp_*` below).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jwt

from tools.local_faults import StartResponse, WsgiApp, read_body, respond

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
JSON_TYPE = "application/x-amz-json-1.1"
# How long an SRP challenge may be answered (Cognito's sessions last 3 minutes).
SRP_CHALLENGE_TTL_S = 180.0


class CognitoGaps:
    """WSGI middleware: answers RevokeToken and GetTokensFromRefreshToken, checks
    USER_SRP_AUTH's password, passes the rest to moto."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.srp = SrpChallenges()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        action = environ.get("HTTP_X_AMZ_TARGET", "").removeprefix(TARGET_PREFIX)
        if environ.get("REQUEST_METHOD") != "POST" or action not in (
            "RevokeToken",
            "GetTokensFromRefreshToken",
            "InitiateAuth",
            "RespondToAuthChallenge",
        ):
            return self.app(environ, start_response)
        try:
            body = json.loads(read_body(environ) or b"{}")
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        if action == "InitiateAuth":
            if body.get("AuthFlow") != "USER_SRP_AUTH":
                return self.app(environ, start_response)
            return self._initiate_srp(environ, start_response, body)
        if action == "RespondToAuthChallenge":
            if body.get("ChallengeName") != "PASSWORD_VERIFIER":
                return self.app(environ, start_response)
            return self._verify_srp(environ, start_response, body)
        if action == "RevokeToken":
            status, answer = _revoke_token(body)
            return respond(start_response, status, answer, JSON_TYPE, *_cors(environ))
        parameters = {"REFRESH_TOKEN": body.get("RefreshToken", "")}
        if body.get("ClientSecret"):
            parameters["SECRET_HASH"] = body["ClientSecret"]
        request = {
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "ClientId": body.get("ClientId", ""),
            "AuthParameters": parameters,
        }
        # InitiateAuth's answer ({"AuthenticationResult": {...}} or an error) has
        # GetTokensFromRefreshToken's shape, and moto adds the CORS headers.
        return self.app(_with_body(environ, request, "InitiateAuth"), start_response)

    def _initiate_srp(
        self, environ: dict[str, Any], start_response: StartResponse, body: dict[str, Any]
    ) -> Iterable[bytes]:
        """moto checks the client and the user; the challenge gets a real B and salt."""
        parameters = body.get("AuthParameters")
        parameters = parameters if isinstance(parameters, dict) else {}
        srp_a = parameters.get("SRP_A")
        try:
            A = int(srp_a, 16) if isinstance(srp_a, str) else 0
        except ValueError:
            A = 0
        if A % SRP_N == 0:
            return _error(environ, start_response, "InvalidParameterException", "Invalid SRP_A.")
        status, headers, raw = self._call_moto(environ, body)
        if not status.startswith("200"):
            start_response(status, headers)
            return [raw]
        answer = json.loads(raw)
        challenge = answer["ChallengeParameters"]
        user = _find_user(str(body.get("ClientId")), challenge["USERNAME"])
        salt, B, secret_block = self.srp.start(
            SrpChallenge(
                client_id=str(body.get("ClientId")),
                pool_name=user.pool_name,
                # moto names an email pool's users by email in the tokens it issues.
                username=str(parameters["USERNAME"]),
                user_id=challenge["USER_ID_FOR_SRP"],
                password=user.password,
                A=A,
                moto_session=challenge["SECRET_BLOCK"],
            )
        )
        challenge.update(SALT=salt, SRP_B=format(B, "x"), SECRET_BLOCK=secret_block)
        return respond(start_response, 200, answer, JSON_TYPE, *_cors(environ))

    def _verify_srp(
        self, environ: dict[str, Any], start_response: StartResponse, body: dict[str, Any]
    ) -> Iterable[bytes]:
        """Only a signature that proves the user's password reaches moto (which issues tokens)."""
        responses = body.get("ChallengeResponses")
        responses = responses if isinstance(responses, dict) else {}
        challenge = self.srp.take(responses.get("PASSWORD_CLAIM_SECRET_BLOCK"))
        if challenge is None or challenge.client_id != body.get("ClientId"):
            return _error(
                environ,
                start_response,
                "NotAuthorizedException",
                "Invalid session for the user, session is expired.",
            )
        if not challenge.proven_by(responses):
            return _error(
                environ, start_response, "NotAuthorizedException", "Incorrect username or password."
            )
        request = {
            **body,
            "ChallengeResponses": {
                **responses,
                "USERNAME": challenge.username,
                "PASSWORD_CLAIM_SECRET_BLOCK": challenge.moto_session,
            },
        }
        return self.app(_with_body(environ, request), start_response)

    def _call_moto(
        self, environ: dict[str, Any], body: dict[str, Any]
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        """moto's answer to `body`: status line, headers and body."""
        answered: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
            answered.update(status=status, headers=headers)
            return lambda _data: None

        chunks = self.app(_with_body(environ, body), start)
        try:
            raw = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        return answered["status"], answered["headers"], raw


# Cognito's SRP-6a, the server side of what amazon-cognito-identity-js (and the web app's
# src/auth/srp.ts) compute: RFC 3526's 3072-bit group, g = 2, SHA-256, k = H(N | g),
# u = H(A | B), x = H(salt | H(poolName | userId | ":" | password)), and a 16-byte HKDF
# key ("Caldera Derived Key") that signs poolName | userId | secret block | timestamp.
# Numbers are hashed as Java's BigInteger.toByteArray writes them (see pad_hex).
SRP_N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
SRP_G = 2


def pad_hex(value: int) -> str:
    """Even-length hex, with a leading 00 when the top bit is set."""
    text = format(value, "x")
    text = "0" + text if len(text) % 2 else text
    return "00" + text if text[0] in "89abcdef" else text


def hash_hex(hex_text: str) -> int:
    return int(hashlib.sha256(bytes.fromhex(hex_text)).hexdigest(), 16)


SRP_K = hash_hex(pad_hex(SRP_N) + pad_hex(SRP_G))


def srp_verifier(pool_name: str, user_id: str, password: str, salt: int) -> int:
    """v = g^x, what Cognito stores for a password."""
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return pow(SRP_G, hash_hex(pad_hex(salt) + inner), SRP_N)


def srp_server_public(verifier: int, b: int) -> int:
    """B = k v + g^b, sent as SRP_B."""
    return (SRP_K * verifier + pow(SRP_G, b, SRP_N)) % SRP_N


def srp_signature(
    pool_name: str,
    user_id: str,
    verifier: int,
    A: int,
    b: int,
    secret_block: str,
    timestamp: str,
) -> bytes:
    """The PASSWORD_CLAIM_SIGNATURE (decoded) a client that knows the password sends."""
    B = srp_server_public(verifier, b)
    u = hash_hex(pad_hex(A) + pad_hex(B))
    S = pow(A * pow(verifier, u, SRP_N), b, SRP_N)
    prk = hmac.digest(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(S)), "sha256")
    key = hmac.digest(prk, b"Caldera Derived Key\x01", "sha256")[:16]
    message = b"".join(
        (pool_name.encode(), user_id.encode(), base64.b64decode(secret_block), timestamp.encode())
    )
    return hmac.digest(key, message, "sha256")


@dataclass
class SrpChallenge:
    """One PASSWORD_VERIFIER challenge, until it is answered or expires."""

    client_id: str
    pool_name: str
    username: str  # the name the sign-in started with (what password auth passes moto)
    user_id: str  # USER_ID_FOR_SRP, what the client signs with
    password: str
    A: int
    moto_session: str
    salt: int = 0
    b: int = 0
    secret_block: str = ""
    started: float = 0.0

    def proven_by(self, responses: dict[str, Any]) -> bool:
        """Does the answer prove the password (for this challenge's user)?"""
        signature, timestamp = responses.get("PASSWORD_CLAIM_SIGNATURE"), responses.get("TIMESTAMP")
        if not (isinstance(signature, str) and isinstance(timestamp, str)):
            return False
        if responses.get("USERNAME") != self.user_id:
            return False
        try:
            given = base64.b64decode(signature, validate=True)
        except ValueError:
            return False
        verifier = srp_verifier(self.pool_name, self.user_id, self.password, self.salt)
        expected = srp_signature(
            self.pool_name, self.user_id, verifier, self.A, self.b, self.secret_block, timestamp
        )
        return hmac.compare_digest(given, expected)


class SrpChallenges:
    """The challenges given out and not yet answered, each answerable once; a salt per user."""

    def __init__(self) -> None:
        self._pending: dict[str, SrpChallenge] = {}
        self._salts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def start(self, challenge: SrpChallenge) -> tuple[str, int, str]:
        """Fills in the challenge's secrets; returns SALT, B and SECRET_BLOCK."""
        now = time.monotonic()
        with self._lock:
            for block, pending in list(self._pending.items()):
                if now - pending.started > SRP_CHALLENGE_TTL_S:
                    del self._pending[block]
            user = (challenge.pool_name, challenge.user_id)
            challenge.salt = self._salts.setdefault(user, secrets.randbits(128))
            challenge.b = secrets.randbelow(SRP_N - 1) + 1
            challenge.secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
            challenge.started = now
            self._pending[challenge.secret_block] = challenge
        verifier = srp_verifier(
            challenge.pool_name, challenge.user_id, challenge.password, challenge.salt
        )
        return (
            pad_hex(challenge.salt),
            srp_server_public(verifier, challenge.b),
            challenge.secret_block,
        )

    def take(self, secret_block: Any) -> SrpChallenge | None:
        if not isinstance(secret_block, str):
            return None
        with self._lock:
            challenge = self._pending.pop(secret_block, None)
        if challenge is None or time.monotonic() - challenge.started > SRP_CHALLENGE_TTL_S:
            return None
        return challenge


@dataclass(frozen=True)
class _PoolUser:
    pool_name: str
    password: str


def _find_user(client_id: str, username: str) -> _PoolUser:
    """The user moto just let start a sign-in through `client_id`."""
    for pool in _user_pools():
        if client_id in pool.clients and username in pool.users:
            return _PoolUser(pool.id.split("_", 1)[1], pool.users[username].password)
    raise LookupError(f"moto has no user {username!r} for client {client_id!r}")


def _with_body(environ: dict[str, Any], body: dict[str, Any], action: str = "") -> dict[str, Any]:
    """The request with another JSON body (and, if given, another action)."""
    payload = json.dumps(body).encode()
    changed = {**environ, "CONTENT_LENGTH": str(len(payload)), "wsgi.input": io.BytesIO(payload)}
    if action:
        changed["HTTP_X_AMZ_TARGET"] = TARGET_PREFIX + action
    return changed


def _cors(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """The CORS headers moto's flask-cors adds to its own answers (the origin echoed)."""
    origin = environ.get("HTTP_ORIGIN")
    return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")] if origin else []


def _error(
    environ: dict[str, Any], start_response: StartResponse, error_type: str, message: str
) -> list[bytes]:
    answer = {"__type": error_type, "message": message}
    return respond(start_response, 400, answer, JSON_TYPE, *_cors(environ))


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
