"""WSGI entry point of the serverful path: ``gunicorn wsgi:application``.

The very same Chalice ``app`` as on Lambda, behind ``ChaliceWSGIAdapter``.
"""

from __future__ import annotations

import os

from app import app
from chalicelib.wsgi import ChaliceWSGIAdapter

# How many proxies append to X-Forwarded-For in front of gunicorn: 2 on EC2
# (API Gateway HTTP API, then the ALB), 0 locally where clients connect directly.
# It only decides the logged source IP; identity always comes from the JWT.
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))
# The origin clients call (the API Gateway URL) on EC2, where requests arrive with
# the ALB's Host; unset locally, where the Host header is already the right one.
PUBLIC_API_ORIGIN = os.environ.get("PUBLIC_API_ORIGIN") or None

application = ChaliceWSGIAdapter(
    app, trusted_proxy_hops=TRUSTED_PROXY_HOPS, public_origin=PUBLIC_API_ORIGIN
)
