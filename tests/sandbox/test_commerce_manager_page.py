"""The sandbox's Commerce Manager order page, where the app's "Open in Commerce Manager" lands, over HTTP."""

from __future__ import annotations

import httpx
import pytest
from django.conf import settings

from orderguard.sandbox.scenarios import loader
from tests.sandbox.helpers import CMS, base_scenario, meta_order

ORDER_ID = "2910000000000042"


@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_the_order_page_answers_with_its_items(app_server):
    loader.load(base_scenario([meta_order(ORDER_ID, "CREATED", "-3h")]))
    url = settings.META_COMMERCE_MANAGER_ORDER_URL.format(cms_id=CMS, order_id=ORDER_ID)
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200
    assert "<td>Trail Jacket</td>" in response.text and "<td>SKU-1</td>" in response.text


@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_an_unknown_order_is_a_404(app_server):
    loader.load(base_scenario([]))
    url = settings.META_COMMERCE_MANAGER_ORDER_URL.format(cms_id=CMS, order_id="2910000000000999")
    assert httpx.get(url, timeout=10).status_code == 404
