from __future__ import annotations

import pytest

from chalicelib.config import ConfigError, load_settings


def test_defaults_derive_issuer_and_jwks_from_the_pool() -> None:
    settings = load_settings({"COGNITO_USER_POOL_ID": "eu-west-1_abc", "AWS_REGION": "eu-west-1"})
    assert settings.region == "eu-west-1"
    assert settings.table_name == "todos"
    assert settings.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc"
    assert settings.jwks_url == settings.issuer + "/.well-known/jwks.json"
    assert settings.dynamodb_endpoint is None
    assert settings.auth_mode == "jwt" and not settings.trust_gateway_authorizer
    assert settings.public_api_origin is None


def test_issuer_and_jwks_url_are_separate_settings() -> None:
    # Locally moto serves the keys while tokens carry the real AWS issuer.
    settings = load_settings(
        {
            "COGNITO_USER_POOL_ID": "us-east-1_x",
            "COGNITO_JWKS_URL": "http://127.0.0.1:5055/us-east-1_x/.well-known/jwks.json",
        }
    )
    assert settings.issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x"
    assert settings.jwks_url.startswith("http://127.0.0.1:5055/")


def test_cors_origins_are_a_trimmed_list() -> None:
    settings = load_settings({"CORS_ORIGINS": " https://a.example , ,http://127.0.0.1:5173"})
    assert settings.cors_origins == ("https://a.example", "http://127.0.0.1:5173")
    assert settings.allows_origin("https://a.example")
    assert not settings.allows_origin("https://b.example")
    assert load_settings({"CORS_ORIGINS": "*"}).allows_origin("https://anything.example")


@pytest.mark.parametrize(
    "env",
    [
        {"AUTH_MODE": "none"},
        {"PUBLIC_API_ORIGIN": "api.example.com"},
        {"PUBLIC_API_ORIGIN": "ftp://api.example.com"},
        {"PUBLIC_API_ORIGIN": "https://api.example.com/?x=1"},
    ],
)
def test_bad_values_fail_loudly(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        load_settings(env)
