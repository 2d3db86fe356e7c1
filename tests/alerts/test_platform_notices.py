"""Platform versions nearing their end of support: one table, notices on the page and in a command."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from orderguard.alerts.platform import platform_notices
from orderguard.core import platform_versions


def test_every_version_in_use_is_in_the_table():
    assert None not in platform_versions.versions_in_use()
    assert platform_versions.unknown_versions() == []


def test_a_version_within_90_days_of_its_end_is_a_notice():
    shopify = next(v for v in platform_versions.versions_in_use() if v.platform == "shopify")
    assert [n for n in platform_notices(today=shopify.supported_until - timedelta(days=91)) if n.platform == "shopify"] == []
    [notice] = [n for n in platform_notices(today=shopify.supported_until - timedelta(days=30)) if n.platform == "shopify"]
    assert shopify.version in notice.text and shopify.supported_until.isoformat() in notice.text


def test_an_unknown_version_is_a_notice(settings):
    settings.META_GRAPH_API_VERSION = "v99.0"
    assert [n.platform for n in platform_notices(today=date(2026, 12, 1))] == ["unknown"]


@pytest.mark.django_db
def test_the_command_lists_versions_and_notices(settings, caplog):
    out = StringIO()
    call_command("platform_notices", stdout=out)
    assert f"shopify {settings.SHOPIFY_API_VERSION}: supported until" in out.getvalue()
    settings.SHOPIFY_API_VERSION = "2020-01"
    out = StringIO()
    with caplog.at_level("WARNING"):
        call_command("platform_notices", stdout=out)
    assert "NOTICE No end-of-support date is known for shopify 2020-01." in out.getvalue()
    assert "Platform notice" in caplog.text
