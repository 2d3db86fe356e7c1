"""Injected faults: throttling (each code, with a regain time), expired tokens, 5xx, slowness, and usage
headers that ask for a pause on a successful answer."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from orderguard.sandbox.meta import services
from tests.sandbox.helpers import CMS, PAGE, base_scenario, error_of, meta_order

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


@pytest.fixture
def world(load):
    load(base_scenario([meta_order("2400000000000001", "CREATED", "-2h")]))


def regain(response) -> int:
    return json.loads(response.headers["X-Business-Use-Case-Usage"])[PAGE][0]["estimated_time_to_regain_access"]


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001, 80004])
def test_throttle_refuses_until_the_regain_time(graph, world, clock, code):
    services.inject_fault(CMS, "throttle", code=code, regain_minutes=10)
    first = graph.get(f"{CMS}/commerce_orders")
    assert first.status_code == 400
    error = error_of(first)
    assert error["code"] == code and error["is_transient"] is True and f"(#{code})" in error["message"]
    assert regain(first) == 10
    assert json.loads(first.headers["X-Business-Use-Case-Usage"])[PAGE][0]["call_count"] == 100
    clock.shift(timedelta(minutes=4))
    still = graph.get(f"{CMS}/commerce_orders")
    assert error_of(still)["code"] == code and regain(still) == 6
    clock.shift(timedelta(minutes=6, seconds=1))
    after = graph.get(f"{CMS}/commerce_orders")
    assert after.status_code == 200 and regain(after) == 0


def test_expired_token_fault_is_consumed_per_request(graph, world):
    services.inject_fault(CMS, "expired_token", times=2)
    for _ in range(2):
        error = error_of(graph.get(f"{CMS}/commerce_orders"))
        assert (error["code"], error["error_subcode"]) == (190, 463)
    assert graph.get(f"{CMS}/commerce_orders").status_code == 200


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_fault(graph, world, status):
    services.inject_fault(CMS, "server_error", status=status)
    response = graph.get(f"{CMS}/commerce_orders")
    assert response.status_code == status
    error = error_of(response)
    assert error["is_transient"] is True and error["code"] == 2
    assert graph.get(f"{CMS}/commerce_orders").status_code == 200


def test_a_fault_with_minutes_lasts_until_then(graph, world, clock):
    services.inject_fault(CMS, "server_error", minutes=5)
    for _ in range(3):
        assert graph.get(f"{CMS}/commerce_orders").status_code == 500
    clock.shift(timedelta(minutes=5))
    assert graph.get(f"{CMS}/commerce_orders").status_code == 200


def test_slow_fault_delays_the_answer(graph, world):
    services.inject_fault(CMS, "slow", seconds=0.4)
    started = time.monotonic()
    assert graph.get(f"{CMS}/commerce_orders").status_code == 200
    assert time.monotonic() - started >= 0.4
    started = time.monotonic()
    graph.get(f"{CMS}/commerce_orders")
    assert time.monotonic() - started < 0.4  # consumed


def test_usage_fault_asks_for_a_pause_on_a_successful_answer(graph, world):
    services.inject_fault(CMS, "usage", regain_minutes=3)
    paused = graph.get(f"{CMS}/commerce_orders")
    assert paused.status_code == 200 and paused.json()["data"]
    assert regain(paused) == 3
    assert json.loads(paused.headers["X-Business-Use-Case-Usage"])[PAGE][0]["call_count"] == 100
    after = graph.get(f"{CMS}/commerce_orders")
    assert after.status_code == 200 and regain(after) == 0  # consumed; the sandbox itself never throttled


def test_faults_apply_in_order_and_can_be_cleared(graph, world):
    services.inject_fault(CMS, "server_error")
    services.inject_fault(CMS, "throttle", code=613, regain_minutes=1)
    assert graph.get(f"{CMS}/commerce_orders").status_code == 500
    assert error_of(graph.get(f"{CMS}/commerce_orders"))["code"] == 613
    services.clear_faults(CMS)
    assert graph.get(f"{CMS}/commerce_orders").status_code == 200


def test_faults_only_touch_their_account(graph, world):
    services.inject_fault("781200000000002", "server_error", times=5)
    assert graph.get(f"{CMS}/commerce_orders").status_code == 200


def test_invalid_fault_parameters_are_refused(world):
    with pytest.raises(ValueError):
        services.inject_fault(CMS, "throttle", code=999)
    with pytest.raises(ValueError):
        services.inject_fault(CMS, "earthquake")


def test_sandbox_meta_command(graph, world, capsys):
    call_command("sandbox_meta", CMS, "--fault", "throttle:code=80004,regain_minutes=2", "--fault", "server_error:times=2")
    output = capsys.readouterr().out
    assert "channel: broken" in output and "80004" in output
    assert error_of(graph.get(f"{CMS}/commerce_orders"))["code"] == 80004
    call_command("sandbox_meta", CMS, "--clear-faults", "--behaviour", "healthy", "--ack-delay", "1")
    assert "channel: healthy" in capsys.readouterr().out
    assert graph.get(f"{CMS}/commerce_orders").status_code == 200
    with pytest.raises(CommandError):
        call_command("sandbox_meta", CMS, "--fault", "throttle:colour=red")
    with pytest.raises(CommandError):
        call_command("sandbox_meta", "999", "--behaviour", "healthy")
