"""Issue 13 item 2: a health check that turns failing is an alert, through the health app's
result-changed signal (health never imports alerts)."""

from __future__ import annotations

import pytest

from orderguard.alerts.models import Alert
from orderguard.health.services import health_checks_run
from tests.alerts.factories import destination
from tests.health.builders import health_shop

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def test_a_check_that_turns_failing_raises_one_alert(client, app_server):
    shop = health_shop(client, "variant-deleted")
    destination(shop, "email", "ops@example.com")

    health_checks_run(shop=shop)
    health_checks_run(shop=shop)  # the same results again: no change, no second alert

    alerts = Alert.objects.filter(shop=shop, event=Alert.Event.CHECK_FAILING)
    assert "shopify.variants_exist" in {alert.payload["check"] for alert in alerts}
    assert alerts.filter(payload__check="shopify.variants_exist").count() == 1
    assert all(alert.payload["detail"] for alert in alerts)
