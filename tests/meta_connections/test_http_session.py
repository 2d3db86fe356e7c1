"""The Meta HTTP session reads the environment's proxy and CA settings once, when a thread first needs it,
instead of on every request (requests' trust_env), and still honours them."""

from __future__ import annotations

import threading

from orderguard.meta_connections.clients import meta_http_session


def _session_of_a_new_thread():
    found = {}
    thread = threading.Thread(target=lambda: found.update(session=meta_http_session()))
    thread.start()
    thread.join()
    return found["session"]


def test_a_proxy_and_a_ca_bundle_from_the_environment_are_kept_and_never_read_again(monkeypatch, settings):
    settings.META_GRAPH_BASE_URL = "https://graph.facebook.com"
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/corporate.pem")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    session = _session_of_a_new_thread()

    assert session.trust_env is False  # no per-request re-read of the environment or ~/.netrc
    assert session.proxies.get("https") == "http://proxy.internal:3128"
    assert session.verify == "/etc/ssl/corporate.pem"


def test_no_proxy_for_the_graph_host_means_a_direct_connection(monkeypatch, settings):
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:8000/_sandbox/meta/graph"
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)

    session = _session_of_a_new_thread()

    assert "http" not in session.proxies and session.verify is True


def test_each_thread_has_its_own_session_and_keeps_it():
    assert meta_http_session() is meta_http_session()
    assert _session_of_a_new_thread() is not meta_http_session()
