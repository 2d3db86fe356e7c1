"""Benchmark: the orders page of a big shop (issue 4).

A shop with 10,000 social orders of which 500 need action. Measures, in this process through Django's
request handling (ID-token verification included):

  server time of the page and of each htmx partial: median and p95 over repeated requests
  SQL statements per request (and the same at 1,000 orders: they must not grow with the orders)

then serves the app with gunicorn and measures Largest Contentful Paint of the app inside the sandbox
admin in Debian's chromium (headless), as Shopify's Built for Shopify bar does (LCP <= 2.5 s).

    .venv/bin/python bench/page_bench.py
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from _setup import configure, count_queries, percentile, web_server

PORT = 18792
DOMAIN = "big-catalog.myshopify.com"
STATUSES_NEEDING_ACTION = [("missing_from_shopify", "not_in_shopify"), ("imported_not_acknowledged", "imported_not_acknowledged"),
                           ("stuck_processing", "review_over_24h"), ("awaiting_acknowledgement", "not_acknowledged")]
STATUSES_DONE = [("fine", "acknowledged"), ("fine", "completed"), ("resolved", "acknowledged"), ("fine", "cancelled"), ("processing", "meta_reviewing")]
BUYERS = ["Ada Lovelace", "Marcus Bell", "Priya Shah", "Chloe Dubois", "Jonas Berg", "Grace O'Connell", "Ben Lindqvist", "Maya Patel"]


def populate(*, orders: int, needing_action: int):
    from django.utils import timezone

    from orderguard.meta_connections.models import MetaConnection
    from orderguard.orders.models import PollState, SocialOrder
    from orderguard.sandbox.admin_views import app_toml_scopes
    from orderguard.sandbox.models import SandboxShop
    from orderguard.shops.models import OfflineToken, Shop

    SandboxShop.objects.update_or_create(domain=DOMAIN, defaults={"name": "Big Catalog Co.", "app_installed": True, "granted_scopes": app_toml_scopes()})
    now = timezone.now()
    shop, _ = Shop.objects.update_or_create(domain=DOMAIN, defaults={"name": "Big Catalog Co.", "currency_code": "USD", "installed_at": now})
    OfflineToken.objects.update_or_create(shop=shop, defaults={"access_token": "shpat_bench", "expires_at": now + timedelta(days=1)})
    MetaConnection.objects.update_or_create(shop=shop, defaults={
        "source": "operator", "commerce_account_id": "1000000000000001", "commerce_account_name": "Big Catalog",
        "access_token": "EAAbench", "order_management_apps": [{"id": "2329312", "name": "Shopify"}]})
    PollState.objects.update_or_create(shop=shop, defaults={"next_poll_at": now, "last_success_at": now})
    SocialOrder.objects.filter(shop=shop).delete()
    rows = []
    for number in range(orders):
        needs = number < needing_action
        status, reason = (STATUSES_NEEDING_ACTION if needs else STATUSES_DONE)[number % (4 if needs else 5)]
        created = now - timedelta(minutes=90 + number * 4)
        buyer = BUYERS[number % len(BUYERS)]
        rows.append(SocialOrder(
            shop=shop, meta_order_id=str(9000000000000000 + number), commerce_account_id="1000000000000001",
            channel="facebook" if number % 3 else "instagram", meta_state="CREATED" if needs else "IN_PROGRESS",
            meta_created_at=created, meta_updated_at=created, buyer_name=f"{buyer} {number}", buyer_email=f"b{number}@marketplace.facebook.com",
            shipping_address={"name": buyer, "street1": "1 Main St", "city": "Portland", "postal_code": "04101", "country": "US"},
            items=[{"product_name": "Trail Jacket - Navy, M", "retailer_id": f"SKU-{number % 40}", "quantity": 1, "price_per_unit": "89.00", "currency": "USD"}],
            total_amount=Decimal("89.00") + number % 50, currency="USD", status=status, reason=reason, needs_action=needs,
            stuck_since=created + timedelta(hours=1) if needs else None, deadline_at=created + timedelta(days=30),
        ))
    SocialOrder.objects.bulk_create(rows, batch_size=1000)
    return shop


def requests_to_measure(order_pk: int) -> dict[str, tuple[str, dict, dict]]:
    htmx = {"HX-Request": "true"}
    return {
        "page (document load)": ("/app/", {}, {}),
        "list partial: needs action": ("/app/", {}, {**htmx, "HX-Target": "orders-list"}),
        "list partial: all, page 200": ("/app/", {"tab": "all", "page": "200"}, {**htmx, "HX-Target": "orders-list"}),
        "list partial: search a buyer": ("/app/", {"tab": "all", "q": "Priya Shah 7"}, {**htmx, "HX-Target": "orders-list"}),
        "list partial: deadline sort": ("/app/", {"sort": "deadline"}, {**htmx, "HX-Target": "orders-list"}),
        "summary partial": ("/app/orders/summary", {}, htmx),
        "freshness check": ("/app/orders/freshness", {"seen": "x"}, htmx),
        "order detail drawer": (f"/app/orders/{order_pk}/", {}, htmx),
    }


def measure(name, path, params, headers, *, repeat: int) -> tuple[float, float, int]:
    from django.test import Client

    from orderguard.sandbox.shopify.id_tokens import mint_id_token

    client = Client()
    timings, statements = [], 0
    for attempt in range(repeat + 5):
        token = mint_id_token(shop_domain=DOMAIN)
        request_headers = dict(headers)
        query = dict(params)
        if "HX-Request" in headers:
            request_headers["Authorization"] = f"Bearer {token}"
        else:
            query["id_token"] = token
        with count_queries() as counter:
            started = time.perf_counter()
            response = client.get(path, query, headers=request_headers)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code in (200, 204), (name, response.status_code)
        if attempt >= 5:  # warm-up excluded
            timings.append(elapsed)
            statements = counter["n"]
    return statistics.median(timings), percentile(timings, 0.95), statements


LCP_SCRIPT = """
window.__lcp = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__lcp = Math.max(window.__lcp, entry.startTime);
}).observe({ type: "largest-contentful-paint", buffered: true });
"""


def measure_lcp(*, loads: int = 5) -> list[float]:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    url = f"{settings.SANDBOX_ADMIN_URL}/_sandbox/admin/store/{DOMAIN.removesuffix('.myshopify.com')}/apps/orderguard"
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP localhost 127.0.0.1"])
        for _ in range(loads):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_init_script(LCP_SCRIPT)
            page = context.new_page()
            page.goto(url)
            page.frame_locator("#app-frame").get_by_test_id("needs-action-count").wait_for(timeout=20_000)
            page.wait_for_timeout(1500)
            app = page.frame(url=lambda frame_url: frame_url.startswith(settings.APP_URL))
            # LCP of the app's own document, from its navigation start (what App Bridge reports to Shopify).
            results.append(app.evaluate("window.__lcp"))
            context.close()
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--needing-action", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    configure(name="page", port=PORT)
    from django.db import connection

    print(f"OrderGuard orders page benchmark: {args.orders} orders, {args.needing_action} needing action, database {connection.vendor}")
    shop = populate(orders=1000, needing_action=50)
    small = {name: measure(name, *spec, repeat=10)[2] for name, spec in requests_to_measure(_first_pk(shop)).items()}
    shop = populate(orders=args.orders, needing_action=args.needing_action)
    print(f"\n{'request':32} {'median ms':>10} {'p95 ms':>8} {'SQL':>5} {'SQL at 1k':>10}")
    for name, spec in requests_to_measure(_first_pk(shop)).items():
        median, p95, statements = measure(name, *spec, repeat=args.repeat)
        print(f"{name:32} {median:10.1f} {p95:8.1f} {statements:5d} {small[name]:10d}")

    if not args.no_browser:
        with web_server(port=PORT, workers=2, threads=4):
            lcp = measure_lcp()
        print(f"\nLargest Contentful Paint of the app in the sandbox admin (chromium, {len(lcp)} loads): "
              f"median {statistics.median(lcp):.0f} ms, worst {max(lcp):.0f} ms")


def _first_pk(shop) -> int:
    from orderguard.orders.models import SocialOrder

    return SocialOrder.objects.filter(shop=shop, needs_action=True).order_by("pk").values_list("pk", flat=True).first()


if __name__ == "__main__":
    main()
