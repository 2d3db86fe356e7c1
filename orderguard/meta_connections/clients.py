"""The one place where settings meet `orderguard.integrations.meta`: the Graph API client factory."""

from __future__ import annotations

import os
import threading

import requests
from django.conf import settings

from orderguard.core.platform_signals import platform_signal_listener
from orderguard.integrations.meta.client import MetaGraphClient
from orderguard.meta_connections.models import MetaConnection


_local = threading.local()


def meta_http_session() -> requests.Session:
    """One pooled HTTP session per thread (requests does not promise a Session is thread-safe, and the
    polling worker runs a thread pool), shared by every connection's client on that thread.

    The environment's proxy and CA-bundle settings are read once, here, instead of on every request
    (requests' trust_env re-reads them, and ~/.netrc, per call: a sixth of an unchanged poll's CPU)."""
    if not hasattr(_local, "session"):
        session = requests.Session()
        session.proxies.update(requests.utils.get_environ_proxies(settings.META_GRAPH_BASE_URL))
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        session.trust_env = False  # the Graph API authenticates by token: no .netrc credentials to pick up
        _local.session = session
    return _local.session


def meta_graph_client(*, connection: MetaConnection | None = None, access_token: str = "") -> MetaGraphClient:
    """A Graph API client for a connection (honouring its stored throttle), or for a bare token.

    With neither, the client calls with the app's own credentials only (`/debug_token`, OAuth).
    """
    not_before = None
    listener = None
    if connection is not None:
        # Meta answering with another Graph API version than asked becomes a notice on the shop's page (a
        # bare-token call, in the connect flow, has no shop yet: its signal shows at the first poll).
        listener = platform_signal_listener(shop_id=connection.shop_id, platform="meta")
        access_token = connection.access_token
        if connection.throttled_until:
            not_before = connection.throttled_until.timestamp()
    return MetaGraphClient(
        access_token=access_token,
        app_secret=settings.META_APP_SECRET,
        app_id=settings.META_APP_ID,
        api_version=settings.META_GRAPH_API_VERSION,
        base_url=settings.META_GRAPH_BASE_URL,
        session=meta_http_session(),
        not_before=not_before,
        on_deprecation=listener,
    )
