"""The guided reconnect end to end (steps recorded, the workers' verification passes when the sandbox
heals and escalates when it does not; time moved with time-machine) and the support dossier."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone, translation

from orderguard.health import tasks
from orderguard.health.dossier import health_dossier
from orderguard.health.models import ReconnectEvent, ReconnectSession
from orderguard.health.reconnect import STEP_CODES
from orderguard.health.services import health_checks_run
from orderguard.sandbox.meta.models import MetaCommerceAccount
from tests.health.builders import HEALTH_CMS, HEALTH_SHOP, health_shop
from tests.helpers import bearer, open_app

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
STUCK = {"2904417823359101", "2904417823359102"}


def _do_the_steps(client) -> ReconnectSession:
    assert client.post("/app/health/reconnect/start", headers=bearer(HEALTH_SHOP)).status_code == 200
    session = ReconnectSession.objects.get()
    assert set(session.stuck_order_ids) == STUCK and session.status == "steps"
    for step in STEP_CODES:
        response = client.post(f"/app/health/reconnect/{session.pk}/steps/{step}", headers=bearer(HEALTH_SHOP))
        assert response.status_code == 200
        assert f'data-testid="step-{step}" data-confirmed="yes"' in response.content.decode()
    session.refresh_from_db()
    return session


def test_the_steps_are_recorded_and_the_verification_passes_when_the_channel_heals(client, app_server):
    shop = health_shop(client, "broken-channel")
    health_checks_run(shop=shop)
    session = _do_the_steps(client)
    assert session.status == "verifying" and session.verify_deadline == session.verify_started_at + timedelta(minutes=120)
    assert [e.step for e in session.events.filter(kind=ReconnectEvent.Kind.STEP)] == list(STEP_CODES)

    # The merchant reconnects the channel in the (sandbox) Shopify admin: the channel page is the launchUrl.
    page = open_app(client, HEALTH_SHOP, path="/app/health/reconnect/").content.decode()
    assert "/_sandbox/admin/store/lakeside-goods/apps/facebook" in page
    assert client.post("/_sandbox/admin/store/lakeside-goods/apps/facebook").status_code == 302
    assert MetaCommerceAccount.objects.get(id=HEALTH_CMS).channel_behaviour == "healthy"

    tasks.verify_reconnect_task(session_id=session.pk)  # right away: the channel has not acted yet
    session.refresh_from_db()
    assert session.status == "verifying"
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        tasks.verify_reconnect_task(session_id=session.pk)
    session.refresh_from_db()
    assert (session.status, session.outcome) == ("succeeded", "orders_acknowledged")
    kinds = list(session.events.values_list("kind", flat=True))
    assert kinds[0] == "started" and kinds[-1] == "succeeded" and kinds.count("verified") == 2
    # Progress survives a reload: the page shows the recorded outcome.
    page = open_app(client, HEALTH_SHOP, path="/app/health/reconnect/").content.decode()
    assert 'data-status="succeeded"' in page and page.count('data-confirmed="yes"') == len(STEP_CODES)


@override_settings(HEALTH_RECONNECT_VERIFY_MINUTES=30)
def test_the_verification_escalates_when_nothing_heals(client, app_server):
    health_shop(client, "broken-channel")
    session = _do_the_steps(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        tasks.verify_reconnect_task(session_id=session.pk)
    session.refresh_from_db()
    assert session.status == "verifying"
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        tasks.verify_reconnect_task(session_id=session.pk)
    session.refresh_from_db()
    assert (session.status, session.outcome) == ("escalated", "still_stuck")
    page = open_app(client, HEALTH_SHOP, path="/app/health/reconnect/").content.decode()
    assert 'data-status="escalated"' in page and 'data-testid="escalation-dossier"' in page


def test_steps_of_another_shop_or_unknown_steps_change_nothing(client, app_server):
    health_shop(client, "broken-channel")
    client.post("/app/health/reconnect/start", headers=bearer(HEALTH_SHOP))
    session = ReconnectSession.objects.get()
    assert client.post(f"/app/health/reconnect/{session.pk}/steps/nonsense", headers=bearer(HEALTH_SHOP)).status_code == 404
    assert client.post(f"/app/health/reconnect/{session.pk + 99}/steps/channel_off", headers=bearer(HEALTH_SHOP)).status_code == 404
    assert not session.events.filter(kind="step").exists()
    # Starting again while one is in progress keeps the same one.
    client.post("/app/health/reconnect/start", headers=bearer(HEALTH_SHOP))
    assert ReconnectSession.objects.count() == 1


def _archive(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_dossier_holds_the_report_orders_checks_errors_and_timeline_without_buyers(client, app_server):
    shop = health_shop(client, "variant-deleted")
    health_checks_run(shop=shop)
    client.post("/app/health/reconnect/start", headers=bearer(HEALTH_SHOP))

    response = client.get("/app/health/dossier.zip", headers=bearer(HEALTH_SHOP))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    files = _archive(response.content)
    assert set(files) == {"report.html", "stuck-orders.csv", "checks.json", "api-errors.json", "reconnect-timeline.json"}
    rows = list(csv.DictReader(io.StringIO(files["stuck-orders.csv"].removeprefix("\ufeff"))))
    assert {row["Meta order"] for row in rows} == STUCK and "Buyer" not in rows[0]
    for name in ("Mira Holt", "Jonas Berg", "@marketplace.facebook.com", "100 Main St"):
        assert all(name not in text for text in files.values()), name
    checks = json.loads(files["checks.json"])
    assert checks["format_version"] == 1 and checks["history"]
    assert next(c for c in checks["checks"] if c["code"] == "shopify.variants_exist")["result"] == "failing"
    assert json.loads(files["reconnect-timeline.json"])["events"][0]["kind"] == "started"
    report = files["report.html"]
    assert "Shopify support first" in report and "callback" in report and "Meta Commerce support" in report
    assert "2904417823359101" in report and "shopify.variants_exist" in report


def test_the_dossier_includes_buyers_when_asked_and_speaks_dutch(client, app_server):
    shop = health_shop(client, "variant-deleted")
    health_checks_run(shop=shop)
    files = _archive(health_dossier(shop=shop, include_buyer=True))
    assert "Mira Holt" in files["stuck-orders.csv"] and "Mira Holt" in files["report.html"]
    assert "100 Main St" not in files["report.html"] and "100 Main St" not in files["stuck-orders.csv"]
    with translation.override("nl"):
        dutch = _archive(health_dossier(shop=shop))["report.html"]
    assert "Eerst Shopify-support" in dutch and "niet meer bestaan in Shopify" in dutch


def test_the_dossier_carries_the_platform_error_ids(client, app_server):
    shop = health_shop(client, "token-expired")
    health_checks_run(shop=shop)
    errors = json.loads(_archive(health_dossier(shop=shop))["api-errors.json"])
    assert any(error.get("fbtrace_id") for error in errors)
