"""Benchmark: alert fan-out for many shops with one event each (issue 13).

Sets up N shops (its own SQLite files under var/bench/, or DATABASE_URL), each with one Slack destination
pointing at a loopback Slack receiver (a threaded HTTP server in its own process, answering 200 "ok") and
one order that just became stuck (the event, at stuck_since). Then, in this one process, as the Celery
beat task and a worker would:

  evaluate   evaluate_alerts over every shop: each raises one order_stuck alert and its delivery
  deliver    every due delivery sent (claim, build, POST to the receiver, complete), by --workers threads

Prints alerts delivered per second, the delay from the event to delivery (p50/p95/max), SQL statements
per alert, and the machine's load average before and after (the machine is shared: read the figures
with it).

    .venv/bin/python bench/alert_fanout.py                # 10,000 shops
    .venv/bin/python bench/alert_fanout.py --shops 1000   # a quicker run
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from _setup import configure, count_queries, percentile

PORT = 18795
RECEIVER_PORT = 18796
RECEIVER = """
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
ThreadingHTTPServer(("127.0.0.1", %d), H).serve_forever()
"""


def seed(shops: int) -> None:
    from decimal import Decimal

    from django.utils import timezone

    from orderguard.alerts.models import AlertDestination
    from orderguard.orders.models import SocialOrder
    from orderguard.shops.models import Shop

    now = timezone.now()
    Shop.objects.bulk_create([Shop(domain=f"fanout-{n:05d}.myshopify.com", name=f"Fan-out {n}", iana_timezone="Europe/Amsterdam") for n in range(shops)], batch_size=1000)
    rows = list(Shop.objects.filter(domain__startswith="fanout-").order_by("pk"))
    url = f"http://127.0.0.1:{RECEIVER_PORT}/services/T0/B0/bench"
    AlertDestination.objects.bulk_create([AlertDestination(shop=shop, kind="slack", label="Ops", target=url) for shop in rows], batch_size=1000)
    SocialOrder.objects.bulk_create([
        SocialOrder(shop=shop, meta_order_id=str(9000000000000000 + n), commerce_account_id="1", channel="facebook", meta_state="CREATED",
                    meta_created_at=now - timedelta(hours=2), meta_updated_at=now, status="missing_from_shopify", reason="not_in_shopify",
                    needs_action=True, stuck_since=now, deadline_at=now + timedelta(days=28), total_amount=Decimal("49.95"), currency="EUR")
        for n, shop in enumerate(rows)
    ], batch_size=1000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shops", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, help="sending threads (SQLite serialises writes: keep 1 unless DATABASE_URL)")
    args = parser.parse_args()
    load_before = os.getloadavg()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER % RECEIVER_PORT])
    try:
        configure(name="alert_fanout", port=PORT)
        from django.conf import settings
        from django.db import connections

        # Enqueues land in the bench's own broker folder (no worker reads it: this process sends).
        (settings.BROKER_FOLDER / "queue").mkdir(parents=True, exist_ok=True)
        from django.utils import timezone

        from orderguard.alerts.delivery import alert_deliveries_due, alert_delivery_send
        from orderguard.alerts.evaluation import alerts_evaluate_shop, shops_to_evaluate
        from orderguard.alerts.models import AlertDelivery
        from orderguard.core.durable import GRACE
        from orderguard.orders.models import SocialOrder

        seed(args.shops)
        time.sleep(0.5)
        started = time.perf_counter()
        with count_queries() as queries:
            for shop in shops_to_evaluate().iterator():
                alerts_evaluate_shop(shop=shop)
        evaluated = time.perf_counter() - started
        evaluate_queries = queries["n"]

        ids = alert_deliveries_due(now=timezone.now() + GRACE, limit=args.shops * 2)

        def send(pk: int) -> str:
            try:
                return alert_delivery_send(delivery_id=pk)
            finally:
                connections.close_all()

        started = time.perf_counter()
        with count_queries() as queries:
            if args.workers == 1:  # in this thread, so the statements are counted
                outcomes = [alert_delivery_send(delivery_id=pk) for pk in ids]
            else:
                with ThreadPoolExecutor(max_workers=args.workers) as pool:
                    outcomes = list(pool.map(send, ids))
        delivered_seconds = time.perf_counter() - started
        delivered = sum(o == "delivered" for o in outcomes)
        stuck_since = dict(SocialOrder.objects.values_list("shop_id", "stuck_since"))
        delays = [(at - stuck_since[shop_id]).total_seconds() for shop_id, at in AlertDelivery.objects.filter(delivered_at__isnull=False).values_list("shop_id", "delivered_at")]
        print(f"shops: {args.shops}  workers: {args.workers}  database: {connections['default'].vendor}")
        print(f"evaluate: {evaluated:.1f} s for {args.shops} shops ({args.shops / evaluated:.0f} shops/s, {evaluate_queries / args.shops:.1f} SQL per shop)")
        print(f"deliver:  {delivered}/{len(ids)} delivered in {delivered_seconds:.1f} s = {delivered / delivered_seconds:.0f} alerts/s "
              f"({queries['n'] / max(len(ids), 1):.1f} SQL per delivery{'' if args.workers == 1 else ', this thread only'})")
        print(f"event -> delivery delay: p50 {percentile(delays, 0.5):.1f} s, p95 {percentile(delays, 0.95):.1f} s, max {max(delays):.1f} s "
              "(evaluation of every shop first, then sending: a beat tick of 60 s adds up to a minute)")
        print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f}; after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (cores: {os.cpu_count()})")
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)


if __name__ == "__main__":
    main()
