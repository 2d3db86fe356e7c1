"""Benchmark: a burst of Shopify webhooks (issue 11 item 13). Prints figures; not a test.

The app under gunicorn (bench/_setup.web_server), the production default worker (`-Q alerts,default`),
and a load client on loopback sending --deliveries signed `orders/create` deliveries, evenly paced over
--seconds, a --duplicates share of them sent again (same X-Shopify-Event-Id, as Shopify retries). Prints
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


def deliveries(count: int, duplicates: float) -> tuple[list, int]:
    """The signed deliveries in sending order (duplicates resent a little later) and the distinct count."""
    from orderguard.sandbox.shopify import webhooks as sender

    example = sender.for_shop(sender.example_payload("orders/create"), DOMAIN)
    unique = round(count / (1 + duplicates))
    signed = [sender.sign(topic="orders/create", shop_domain=DOMAIN, payload={**example, "id": 820982911946154508 + n})
              for n in range(unique)]
    random.seed(13)
    order = list(signed)
    for webhook in random.sample(signed, count - unique):
        order.insert(min(len(order), order.index(webhook) + random.randint(1, 50)), webhook)
    return order, unique


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
    parser.add_argument("--senders", type=int, default=32, help="client threads (connections) at once")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers (x 8 threads)")
    args = parser.parse_args()

    var = configure(name="burst", port=PORT)
    from django.db import connection
    from django.utils import timezone

    from orderguard.shops.models import Shop, WebhookDelivery

    WebhookDelivery.objects.all().delete()
    Shop.objects.filter(domain=DOMAIN).delete()
    Shop.objects.create(domain=DOMAIN, name="Burst Shop", currency_code="USD", installed_at=timezone.now())
    if os.environ.get("REDIS_URL"):
        subprocess.run(["redis-cli", "-u", os.environ["REDIS_URL"], "flushdb"], check=True, capture_output=True)
    order, unique = deliveries(args.deliveries, args.duplicates)
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
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


def _outcomes(rows):
    from django.db.models import Count

    return rows.values_list("outcome").annotate(n=Count("id")).order_by("-n").values_list("outcome", "n")


if __name__ == "__main__":
    main()
