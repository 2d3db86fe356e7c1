"""Benchmark: a burst of Shopify webhooks (issue 11 item 13). Prints figures; not a test.

The app under gunicorn (bench/_setup.web_server), the production default worker (`-Q alerts,default`),
and a load client on loopback sending --deliveries signed `orders/create` deliveries, evenly paced over
--seconds, a --duplicates share of them sent again (same X-Shopify-Event-Id, as Shopify retries). A
--social share are orders of the Facebook & Instagram channel (its source name and "Facebook Order ID"),
half of them matching a Meta order OrderGuard holds as missing, so the worker stores and reclassifies
those as it would in a real shop; the rest are web-store orders it ignores. Prints
the response times (p50, p99, max), then waits for the worker and counts: one WebhookDelivery row per
distinct event (none lost, no duplicate row), each done after exactly one attempt.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/og_burst REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python bench/webhook_burst.py
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time

from _setup import ROOT, configure, percentile, web_server

PORT = 18796
DOMAIN = "burst-shop.myshopify.com"


META_ORDER_BASE = 7_300_000_000_000_000


def deliveries(count: int, duplicates: float, social: float) -> tuple[list, int, list[str]]:
    """The signed deliveries in sending order (duplicates resent a little later), the distinct count, and
    the Meta order ids the matching channel orders carry (to be stored as missing before the burst)."""
    from orderguard.reconciliation.matching import META_CHANNEL_SOURCE_NAME
    from orderguard.sandbox.shopify import webhooks as sender

    example = sender.for_shop(sender.example_payload("orders/create"), DOMAIN)
    unique = round(count / (1 + duplicates))
    every = round(1 / social) if social > 0 else 0
    matched: list[str] = []

    def payload(n: int) -> dict:
        shopify_id = 820982911946154508 + n
        order = {**example, "id": shopify_id, "admin_graphql_api_id": f"gid://shopify/Order/{shopify_id}", "name": f"#{5000 + n}"}
        if every and n % every == 0:
            meta_id = str(META_ORDER_BASE + n)
            order |= {"source_name": META_CHANNEL_SOURCE_NAME, "note_attributes": [{"name": "Facebook Order ID", "value": meta_id}]}
            if (n // every) % 2 == 0:
                matched.append(meta_id)
        return order

    signed = [sender.sign(topic="orders/create", shop_domain=DOMAIN, payload=payload(n)) for n in range(unique)]
    random.seed(13)
    order = list(signed)
    for webhook in random.sample(signed, count - unique):
        order.insert(min(len(order), order.index(webhook) + random.randint(1, 50)), webhook)
    return order, unique, matched


def held_as_missing(shop, meta_ids: list[str]) -> None:
    """The Meta orders the burst's channel orders answer: CREATED an hour ago, not in Shopify."""
    from datetime import timedelta

    from django.utils import timezone

    from orderguard.orders.models import PollState, SocialOrder

    placed = timezone.now() - timedelta(hours=1)
    PollState.objects.create(shop=shop, next_poll_at=timezone.now() + timedelta(minutes=5), shopify_checked_at=placed)
    SocialOrder.objects.bulk_create(
        SocialOrder(shop=shop, meta_order_id=meta_id, meta_state="CREATED", meta_created_at=placed, meta_updated_at=placed,
                    commerce_account_id="781204456120017", status="missing_from_shopify", reason="not_in_shopify", needs_action=True)
        for meta_id in meta_ids
    )


def send(order: list, *, seconds: float, senders: int) -> tuple[list[float], list[int]]:
    import httpx

    times, statuses, lock = [], [], threading.Lock()
    start = time.monotonic() + 0.5
    gap = seconds / len(order)

    def sender(offset: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", timeout=30) as client:
            for index in range(offset, len(order), senders):
                time.sleep(max(0.0, start + index * gap - time.monotonic()))
                webhook, began = order[index], time.monotonic()
                status = client.post(f"/webhooks/{webhook.topic}", content=webhook.body, headers=webhook.headers).status_code
                with lock:
                    times.append(time.monotonic() - began)
                    statuses.append(status)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"sent {len(order)} in {time.monotonic() - start:.1f} s")
    return times, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of deliveries sent twice")
    parser.add_argument("--social", type=float, default=0.3, help="share of channel orders (half match a missing Meta order)")
    parser.add_argument("--senders", type=int, default=32, help="client threads (connections) at once")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers (x 8 threads)")
    args = parser.parse_args()

    var = configure(name="burst", port=PORT)
    from django.db import connection
    from django.utils import timezone

    from orderguard.shops.models import Shop, WebhookDelivery

    WebhookDelivery.objects.all().delete()
    Shop.objects.filter(domain=DOMAIN).delete()
    shop = Shop.objects.create(domain=DOMAIN, name="Burst Shop", currency_code="USD", installed_at=timezone.now())
    if os.environ.get("REDIS_URL"):
        subprocess.run(["redis-cli", "-u", os.environ["REDIS_URL"], "flushdb"], check=True, capture_output=True)
    order, unique, matched = deliveries(args.deliveries, args.duplicates, args.social)
    held_as_missing(shop, matched)
    print(f"OrderGuard webhook burst: {len(order)} orders/create deliveries ({unique} distinct) in {args.seconds:.0f} s, "
          f"database {connection.vendor}, broker {'redis' if os.environ.get('REDIS_URL') else 'filesystem'}, "
          f"load average {os.getloadavg()[0]:.2f}")

    log = (var / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "orderguard", "worker", "-Q", "alerts,default",
                               "--loglevel", "WARNING", "--without-mingle", "--without-gossip"],
                              cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT)
    try:
        with web_server(port=PORT, workers=args.web_workers, threads=8):
            times, statuses = send(order, seconds=args.seconds, senders=args.senders)
            sent_at = time.monotonic()
            done = WebhookDelivery.objects.filter(status="done")
            while done.count() < unique and time.monotonic() - sent_at < 300:
                assert worker.poll() is None, (var / "worker.log").read_text()[-3000:]
                time.sleep(0.5)
            drained = time.monotonic() - sent_at
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    rows = WebhookDelivery.objects.filter(topic="orders/create")
    print(f"response time p50 {percentile(times, .5) * 1000:.0f} ms, p99 {percentile(times, .99) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms; statuses {sorted(set(statuses))} (non-200: {sum(s != 200 for s in statuses)})")
    print(f"rows {rows.count()} for {unique} distinct deliveries; done {rows.filter(status='done').count()}, "
          f"attempts > 1: {rows.filter(attempts__gt=1).count()}, not done: {rows.exclude(status='done').count()}; "
          f"queue drained {drained:.1f} s after the last send")
    print("outcomes: " + ", ".join(f"{outcome!r} x {n}" for outcome, n in _outcomes(rows)))
    from orderguard.orders.models import SocialOrder

    recovered = SocialOrder.objects.filter(shop=shop, meta_order_id__in=matched).exclude(shopify_order_id="").count()
    print(f"Meta orders held as missing: {len(matched)}; matched to their Shopify order by the burst: {recovered}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


def _outcomes(rows):
    """Outcomes counted by kind (the order numbers in them replaced by N)."""
    import re
    from collections import Counter

    return Counter(re.sub(r"\d+", "N", outcome) for outcome in rows.values_list("outcome", flat=True)).most_common()


if __name__ == "__main__":
    main()
