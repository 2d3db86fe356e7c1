"""The checks' schedule (cheap ones after each poll, all daily at the shop's own minute), the beat task
that dispatches them, and `manage.py health_checks` with its documented JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from orderguard.health import schedule, tasks
from orderguard.health.models import HealthCheckResult, HealthSchedule
from orderguard.health.registry import REGISTRY
from tests.factories import make_poll_state, make_shop
from tests.health.builders import HEALTH_SHOP, health_shop

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_daily_slots_spread_shops_over_the_day():
    slots = {schedule.daily_slot(shop_id) for shop_id in range(1, 1001)}
    assert len(slots) > 400  # not all at once
    hours = {slot // timedelta(hours=1) for slot in slots}
    assert hours == set(range(24))
    assert schedule.daily_slot(7) == schedule.daily_slot(7)


def test_last_slot_before_is_today_once_passed_else_yesterday():
    slot = schedule.daily_slot(3)
    midnight = NOW.replace(hour=0)
    assert schedule.last_slot_before(3, midnight + slot) == midnight + slot
    assert schedule.last_slot_before(3, midnight + slot - timedelta(seconds=1)) == midnight + slot - timedelta(days=1)


@pytest.mark.django_db
def test_cheap_checks_are_due_for_shops_polled_since_their_last_run():
    polled, quiet, never = make_shop(domain="a.myshopify.com"), make_shop(domain="b.myshopify.com"), make_shop(domain="c.myshopify.com")
    make_poll_state(shop=polled, last_success_at=NOW)
    make_poll_state(shop=quiet, last_success_at=NOW - timedelta(hours=1))
    HealthSchedule.objects.create(shop=polled, cheap_ran_at=NOW - timedelta(minutes=5))
    HealthSchedule.objects.create(shop=quiet, cheap_ran_at=NOW - timedelta(minutes=5))
    assert schedule.health_cheap_due(now=NOW) == [polled.pk]
    assert never.pk not in schedule.health_cheap_due(now=NOW)  # never polled: nothing to check after
    HealthSchedule.objects.filter(shop=polled).update(cheap_ran_at=NOW)
    assert schedule.health_cheap_due(now=NOW) == []


@pytest.mark.django_db
def test_daily_checks_are_due_once_per_day_at_the_shops_minute():
    shop = make_shop()
    slot_today = NOW.replace(hour=0) + schedule.daily_slot(shop.pk)
    HealthSchedule.objects.create(shop=shop, full_ran_at=slot_today - timedelta(hours=1))
    assert schedule.health_daily_due(now=slot_today - timedelta(minutes=1)) == []
    assert schedule.health_daily_due(now=slot_today) == [shop.pk]
    HealthSchedule.objects.filter(shop=shop).update(full_ran_at=slot_today)
    assert schedule.health_daily_due(now=slot_today + timedelta(hours=5)) == []


@pytest.mark.django_db
def test_the_beat_task_enqueues_one_run_per_due_shop(monkeypatch):
    daily, cheap = make_shop(domain="daily.myshopify.com"), make_shop(domain="cheap.myshopify.com")
    make_poll_state(shop=cheap, last_success_at=timezone.now())
    make_poll_state(shop=daily, last_success_at=timezone.now())
    HealthSchedule.objects.create(shop=cheap, cheap_ran_at=timezone.now() - timedelta(minutes=5), full_ran_at=timezone.now())
    sent = []
    monkeypatch.setattr(tasks.run_health_checks_task, "delay", lambda **kwargs: sent.append(kwargs))
    tasks.dispatch_health_checks_task()
    assert sorted(sent, key=lambda k: k["shop_id"]) == sorted(
        [{"shop_id": daily.pk, "cheap_only": False}, {"shop_id": cheap.pk, "cheap_only": True}], key=lambda k: k["shop_id"])


@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
def test_the_run_task_runs_the_cheap_checks_and_records_when(client, app_server):
    shop = health_shop(client, "broken-channel")
    tasks.run_health_checks_task(shop_id=shop.pk, cheap_only=True)
    ran = HealthSchedule.objects.get(shop=shop)
    assert ran.cheap_ran_at and ran.full_ran_at is None
    assert set(HealthCheckResult.objects.filter(shop=shop).values_list("code", flat=True)) == {c for c, r in REGISTRY.items() if r.cheap}


@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
def test_the_command_prints_each_code_and_result(client, app_server):
    health_shop(client, "variant-deleted")
    out = StringIO()
    call_command("health_checks", HEALTH_SHOP, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(REGISTRY)
    assert any(line.startswith("shopify.variants_exist") and "failing" in line for line in lines)


@pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])
def test_the_command_json_is_the_documented_format(client, app_server):
    health_shop(client, "variant-deleted")
    out = StringIO()
    call_command("health_checks", HEALTH_SHOP, "--json", stdout=out)
    document = json.loads(out.getvalue())
    assert document["format_version"] == 1 and document["shop"] == HEALTH_SHOP
    assert [check["code"] for check in document["checks"]] == list(REGISTRY)
    check = next(c for c in document["checks"] if c["code"] == "shopify.variants_exist")
    assert set(check) == {"code", "result", "explanation", "ran_at", "since", "fix_url", "error_ids", "details"}
    assert check["result"] == "failing" and check["details"]["orders"] == {"2904417823359101": ["variant deleted"]}
    assert {c["result"] for c in document["checks"]} <= {"pass", "warning", "failing", "unknown"}


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_shop():
    with pytest.raises(CommandError):
        call_command("health_checks", "nobody.myshopify.com")
