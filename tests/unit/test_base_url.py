"""base_url: links from the configured public origin, or on Lambda from what API
Gateway wrote in the event; never from the client's Host or X-Forwarded-*."""

from __future__ import annotations

from typing import Any

from chalice.app import Request

from chalicelib.config import load_settings
from chalicelib.http import LOCAL_API_ORIGIN, base_url

SPOOFED = {"host": "evil.example.com", "x-forwarded-proto": "gopher"}


def request(path: str = "/todos", context_path: str = "/prod/todos") -> Request:
    event: dict[str, Any] = {
        "resource": "/todos",
        "path": path,
        "httpMethod": "GET",
        "headers": SPOOFED,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
        "requestContext": {
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "path": context_path,
            "stage": "prod",
            "resourcePath": "/todos",
            "httpMethod": "GET",
        },
    }
    return Request(event)


def test_the_setting_wins_everywhere() -> None:
    for env in ({}, {"AWS_LAMBDA_FUNCTION_NAME": "todo-api"}):
        settings = load_settings({**env, "PUBLIC_API_ORIGIN": "https://api.example.com/v1/"})
        assert base_url(request(), settings) == "https://api.example.com/v1"


def test_on_lambda_without_the_setting_api_gateways_domain_and_stage() -> None:
    settings = load_settings({"AWS_LAMBDA_FUNCTION_NAME": "todo-api"})
    assert (
        base_url(request(), settings) == "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"
    )
    # A custom domain without a base path: no prefix.
    unprefixed = request(context_path="/todos")
    assert base_url(unprefixed, settings) == "https://abc123.execute-api.eu-west-1.amazonaws.com"


def test_off_lambda_without_the_setting_never_the_clients_host() -> None:
    assert base_url(request(), load_settings({})) == LOCAL_API_ORIGIN
