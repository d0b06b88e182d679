"""Tokens for auth tests: signed by moto's Cognito key (which the app trusts)
with claims we choose, or forged in the ways attackers try."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.utilities.utils import load_resource

MOTO_KID = "dummy"  # the kid moto's Cognito signs with


def moto_signing_key() -> Any:
    return jwt.PyJWK.from_dict(load_resource("cognitoidp/resources/jwks-private.json")).key


def claims_for(
    issuer: str, audience: str, sub: str = "11111111-2222-3333-4444-555555555555", **overrides: Any
) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": sub,
        "aud": audience,
        "token_use": "id",
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        "email": "someone@example.com",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def signed(claims: dict[str, Any], key: Any = None, kid: str = MOTO_KID, alg: str = "RS256") -> str:
    return jwt.encode(claims, key or moto_signing_key(), algorithm=alg, headers={"kid": kid})


def unsigned(claims: dict[str, Any]) -> str:
    """`alg: none`: a token anyone can write."""
    header = {"alg": "none", "typ": "JWT", "kid": MOTO_KID}
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), ""])


def hmac_signed(claims: dict[str, Any], secret: bytes) -> str:
    """HS256 keyed with `secret`: the algorithm-confusion attack when the
    secret is the RSA public key."""
    header = {"alg": "HS256", "typ": "JWT", "kid": MOTO_KID}
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def moto_public_pem() -> bytes:
    jwk = load_resource("cognitoidp/resources/jwks-public.json")["keys"][0]
    return jwt.PyJWK.from_dict(jwk).key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def other_rsa_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
