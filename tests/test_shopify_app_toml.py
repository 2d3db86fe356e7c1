"""shopify.app.toml agrees with the code: API version, webhook routes, handlers, scopes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.conf import settings
from django.urls import resolve

from orderguard.shops.webhooks import COMPLIANCE_TOPICS, TOPICS

ROOT = Path(__file__).resolve().parents[1]
TOML_TEXT = (ROOT / "shopify.app.toml").read_text()
TOML = tomllib.loads(TOML_TEXT)


def _subscriptions() -> list[dict]:
    return TOML["webhooks"]["subscriptions"]


def test_webhook_api_version_equals_the_code_constant():
    assert TOML["webhooks"]["api_version"] == settings.SHOPIFY_API_VERSION == "2026-10"


def test_app_is_embedded_with_managed_installation():
    assert TOML["embedded"] is True
    assert TOML["access_scopes"]["use_legacy_install_flow"] is False


def test_every_scope_has_a_reason_in_a_comment():
    scopes = [scope.strip() for scope in TOML["access_scopes"]["scopes"].split(",")]
    assert scopes
    for scope in scopes:
        assert re.search(rf"^#\s*{scope}:", TOML_TEXT, re.MULTILINE), f"no '# {scope}: why' comment"


def test_subscribed_topics_are_exactly_the_routed_topics():
    subscribed = set()
    for subscription in _subscriptions():
        subscribed.update(subscription.get("topics", []))
        subscribed.update(subscription.get("compliance_topics", []))
    assert subscribed == set(TOPICS)
    compliance = {t for s in _subscriptions() for t in s.get("compliance_topics", [])}
    assert compliance == set(COMPLIANCE_TOPICS)


def test_each_subscription_uri_resolves_to_the_webhook_view_for_its_topic():
    for subscription in _subscriptions():
        (topic,) = subscription.get("topics", []) or subscription.get("compliance_topics", [])
        match = resolve(subscription["uri"])
        assert match.func.__name__ == "shopify_webhook"
        assert match.kwargs["topic"] == topic


def test_each_subscription_names_an_existing_handler():
    handled_by = re.findall(r"# Handled by: (\S+)::(\w+)", TOML_TEXT)
    assert len(handled_by) == len(_subscriptions())
    for path, function in handled_by:
        source = (ROOT / path).read_text()
        assert re.search(rf"^def {function}\(", source, re.MULTILINE), f"{path} has no {function}"
