"""Over real HTTP, where the app reaches Meta (META_GRAPH_BASE_URL on the live server)."""

from __future__ import annotations

import httpx
import pytest
from django.conf import settings

from orderguard.sandbox.meta.auth import proof
from orderguard.sandbox.scenarios import loader
from tests.sandbox.helpers import CMS, TOKEN, base_scenario, meta_order


@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_listing_and_following_paging_next_over_http(app_server):
    loader.load(base_scenario([meta_order(f"29100000000000{i:02d}", "CREATED", f"-{i + 2}h") for i in range(5)]))
    url = f"{settings.META_GRAPH_BASE_URL}/{settings.META_GRAPH_API_VERSION}/{CMS}/commerce_orders"
    seen = []
    with httpx.Client(timeout=10) as http:
        response = http.get(url, params={"limit": 2, "fields": "id,buyer_details{name}"},
                            headers={"Authorization": f"Bearer {TOKEN}"}, follow_redirects=False)
        # Without the proof in the query the next link cannot carry one: the app must add it.
        assert response.status_code == 400 and response.json()["error"]["code"] == 100
        response = http.get(url, params={"limit": 2, "access_token": TOKEN, "appsecret_proof": proof(TOKEN)})
        while True:
            assert response.status_code == 200
            assert "X-Business-Use-Case-Usage" in response.headers and "X-App-Usage" in response.headers
            body = response.json()
            seen += [row["id"] for row in body["data"]]
            following = body.get("paging", {}).get("next")
            if not following:
                break
            assert following.startswith(settings.APP_URL + "/_sandbox/meta/graph/")
            response = http.get(following)
    assert len(seen) == len(set(seen)) == 5
