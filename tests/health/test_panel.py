"""The health panel (/app/health), "check now", the order drawer's root causes, in English and Dutch;
the page renders stored results only."""

from __future__ import annotations

import pytest

from orderguard.health.services import health_checks_run
from orderguard.orders.models import SocialOrder
from orderguard.sandbox.models import SandboxCall
from tests.health.builders import HEALTH_SHOP, health_shop
from tests.helpers import bearer, open_app

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])


def test_the_panel_shows_every_check_from_the_database_without_calling_a_platform(client, app_server):
    shop = health_shop(client, "variant-deleted")
    health_checks_run(shop=shop)
    calls = SandboxCall.objects.count()

    page = open_app(client, HEALTH_SHOP, path="/app/health/").content.decode()

    assert SandboxCall.objects.count() == calls
    assert 'data-testid="check-shopify.variants_exist" data-result="failing"' in page
    assert "no longer exist in Shopify (LK-MUG)" in page
    assert "/_sandbox/admin/store/lakeside-goods/products" in page  # the fix link
    assert 'data-testid="check-meta.token_valid" data-result="pass"' in page


def test_the_panel_speaks_dutch(client, app_server):
    shop = health_shop(client, "channel-not-installed")
    health_checks_run(shop=shop)
    page = open_app(client, HEALTH_SHOP, path="/app/health/", locale="nl").content.decode()
    assert "Het Facebook &amp; Instagram-kanaal is niet geïnstalleerd in Shopify" in page
    assert "Nu controleren" in page and "Gezondheid" in page


def test_check_now_runs_the_checks_and_answers_with_the_panel(client, app_server):
    health_shop(client, "out-of-stock")
    response = client.post("/app/health/check-now", headers={**bearer(HEALTH_SHOP), "HX-Target": "health-checks"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="health-checks"' in body and "<html" not in body
    assert 'data-testid="check-shopify.variants_in_stock" data-result="failing"' in body


def test_check_now_is_post_only(client, app_server):
    health_shop(client, "healthy", poll=False)
    assert client.get("/app/health/check-now", headers=bearer(HEALTH_SHOP)).status_code == 405


def test_the_order_drawer_names_the_root_causes(client, app_server):
    shop = health_shop(client, "variant-deleted")
    health_checks_run(shop=shop)
    mug = SocialOrder.objects.get(shop=shop, meta_order_id="2904417823359101")
    tee = SocialOrder.objects.get(shop=shop, meta_order_id="2904417823359102")

    mug_drawer = client.get(f"/app/orders/{mug.pk}/", headers=bearer(HEALTH_SHOP)).content.decode()
    tee_drawer = client.get(f"/app/orders/{tee.pk}/", headers=bearer(HEALTH_SHOP)).content.decode()

    assert 'data-testid="root-cause-shopify.variants_exist"' in mug_drawer and "Variant deleted" in mug_drawer
    assert 'data-testid="root-cause-shopify.variants_exist"' not in tee_drawer
    # A failing check that explains every stuck order is named on both.
    assert 'data-testid="root-cause-meta.orders_acknowledged"' in mug_drawer and 'data-testid="root-cause-meta.orders_acknowledged"' in tee_drawer


def test_an_order_that_is_fine_has_no_root_causes(client, app_server):
    shop = health_shop(client, "variant-deleted")
    health_checks_run(shop=shop)
    fine = SocialOrder.objects.get(shop=shop, meta_order_id="2904417823359103")
    assert 'data-testid="root-causes"' not in client.get(f"/app/orders/{fine.pk}/", headers=bearer(HEALTH_SHOP)).content.decode()


def test_the_nav_links_to_the_health_panel(client, app_server):
    health_shop(client, "healthy", poll=False)
    page = open_app(client, HEALTH_SHOP).content.decode()
    assert page.count('href="/app/health/') >= 2


def test_before_the_first_run_the_panel_says_not_checked_yet_not_that_checks_failed_to_run(client, app_server):
    health_shop(client, "healthy", poll=False)
    page = open_app(client, HEALTH_SHOP, path="/app/health/").content.decode()
    heading = page.split('id="health-summary-title">', 1)[1].split("</h2>", 1)[0]
    assert heading == "Not checked yet."
    assert "The checks have not run yet." in page and "Some checks could not run" not in page
