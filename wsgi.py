"""WSGI entry point of the serverful path: ``gunicorn wsgi:application``.

The very same Chalice ``app`` as on Lambda, behind ``ChaliceWSGIAdapter``.
Its two settings (TRUSTED_PROXY_HOPS, PUBLIC_API_ORIGIN) are read with the
rest in chalicelib.config.
"""

from __future__ import annotations

from app import app
from chalicelib.config import get_settings
from chalicelib.wsgi import ChaliceWSGIAdapter

_settings = get_settings()
application = ChaliceWSGIAdapter(
    app,
    trusted_proxy_hops=_settings.trusted_proxy_hops,
    public_origin=_settings.public_api_origin,
)
