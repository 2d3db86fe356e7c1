"""The Meta HTTP session reads the environment's proxy and CA settings once, when a thread first needs it,
instead of on every request (requests' trust_env), and still honours them."""

from __future__ import annotations

import threading

from orderguard.meta_connections.clients import meta_http_session

PROXY_AND_CA = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def _session_of_a_new_thread(monkeypatch, settings, *, graph_url: str, **environment):
    """The session a fresh thread gets with only `environment` set of the proxy and CA variables."""
    settings.META_GRAPH_BASE_URL = graph_url
    for name in PROXY_AND_CA:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    found = {}
    thread = threading.Thread(target=lambda: found.update(session=meta_http_session()))
    thread.start()
    thread.join()
    return found["session"]


def test_a_proxy_and_a_ca_bundle_from_the_environment_are_kept_and_never_read_again(monkeypatch, settings):
    session = _session_of_a_new_thread(monkeypatch, settings, graph_url="https://graph.facebook.com",
                                       HTTPS_PROXY="http://proxy.internal:3128", REQUESTS_CA_BUNDLE="/etc/ssl/corporate.pem")

    assert session.trust_env is False  # no per-request re-read of the environment or ~/.netrc
    assert session.proxies.get("https") == "http://proxy.internal:3128"
    assert session.verify == "/etc/ssl/corporate.pem"


def test_no_proxy_for_the_graph_host_means_a_direct_connection(monkeypatch, settings):
    session = _session_of_a_new_thread(monkeypatch, settings, graph_url="http://127.0.0.1:8000/_sandbox/meta/graph",
                                       HTTP_PROXY="http://proxy.internal:3128", NO_PROXY="127.0.0.1,localhost")

    assert "http" not in session.proxies and session.verify is True


def test_each_thread_has_its_own_session_and_keeps_it(monkeypatch, settings):
    assert meta_http_session() is meta_http_session()
    assert _session_of_a_new_thread(monkeypatch, settings, graph_url=settings.META_GRAPH_BASE_URL) is not meta_http_session()
