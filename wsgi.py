"""WSGI entry point of the serverful path: ``gunicorn wsgi:application``.

The very same Chalice ``app`` as on Lambda, behind ``ChaliceWSGIAdapter``.
Importing this module readies everything a request needs (the settings, the
DynamoDB client, the token signing keys and the crypto imports), so with
gunicorn's ``preload_app`` it happens once in the master and every forked
worker starts warm.
"""

from __future__ import annotations

from app import app, dependencies
from chalicelib.config import ConfigError
from chalicelib.wsgi import ChaliceWSGIAdapter


def prepare() -> None:
    ready = dependencies()
    if not ready.settings.public_api_origin:
        # Behind API Gateway + ALB the request's Host is the ALB's: links need this.
        raise ConfigError("PUBLIC_API_ORIGIN must be set: the URL clients call the API at")
    ready.authenticator.prefetch()  # a failure is retried on the first request
    from chalicelib.dynamo import dynamodb_client

    dynamodb_client()  # builds the botocore client (no connection is opened)


prepare()
application = ChaliceWSGIAdapter(app)
