"""Benchmark: the whole polling system as production runs it (issue 11 item 12). Prints figures; not a test.

PostgreSQL (DATABASE_URL, a database of its own: it is emptied), Redis (REDIS_URL), one `celery beat`, the
production worker commands (README, Processes) and a fast local Meta stand-in (bench/meta_standin.py) that
answers every call after --latency seconds. N shops are created installed and connected, each with its due
time spread over the first interval and nothing new on Meta (every poll is an unchanged poll: one Meta
call). The system runs --intervals intervals after one warm-up interval; per interval it prints the share of
shops polled, the lag between each shop's due time and its poll (the Meta call's arrival), polls per second;
over the run: worker CPU per poll, database transactions per poll (each autocommit statement is one, so
this is SQL statements per poll, with a dispatch batch counted once), Meta and Shopify calls per poll.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/og_bench REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python bench/scale_bench.py --shops 2000 --interval 1 --intervals 3 --workers 1
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _setup import ROOT, configure, percentile
from meta_standin import capacity, serve

PORT = 18795
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def create_shops(count: int, *, start: datetime, interval: timedelta) -> dict[str, float]:
    """Shops as install + connect leave them after a first poll; returns each account's phase (seconds)."""
    from orderguard.meta_connections.models import MetaConnection
    from orderguard.orders.models import PollState
    from orderguard.shops.models import OfflineToken, Shop

    for model in (PollState, MetaConnection, OfflineToken, Shop):
        model.objects.all().delete()
    random.seed(11)
    phases = {str(700000000000000 + n): random.uniform(0, interval.total_seconds()) for n in range(count)}
    shops = Shop.objects.bulk_create(
        [Shop(domain=f"scale-{n:05d}.myshopify.com", name=f"Scale {n}", currency_code="USD", installed_at=start) for n in range(count)]
    )
    OfflineToken.objects.bulk_create([OfflineToken(shop=shop, access_token=f"shpat_scale{n}", expires_at=start + timedelta(days=1))
                                      for n, shop in enumerate(shops)])
    earlier = start - interval
    MetaConnection.objects.bulk_create([
        MetaConnection(shop=shop, source="operator", commerce_account_id=cms, access_token=f"EAAScale{n}", token_type="SYSTEM_USER",
                       order_management_apps=[{"id": "2329312", "name": "Shopify"}], apps_checked_at=start, connected_at=earlier - interval)
        for n, (shop, cms) in enumerate(zip(shops, phases))
    ])
    PollState.objects.bulk_create([
        PollState(shop=shop, next_poll_at=start + timedelta(seconds=phases[cms]), last_attempt_at=earlier, dispatched_at=earlier,
                  last_success_at=earlier, meta_cursor=earlier, last_full_sweep_at=start, channels_checked_at=start,
                  shopify_checked_at=start)
        for shop, cms in zip(shops, phases)
    ], batch_size=1000)
    return phases


def transactions() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])  # utime stime cutime cstime
    return total / CLOCK_TICKS


def processes(*, workers: int, concurrency: int, env: dict, var: Path) -> list[subprocess.Popen]:
    celery = [sys.executable, "-m", "celery", "-A", "orderguard"]
    quiet = ["--loglevel", "WARNING", "--without-mingle", "--without-gossip"]
    commands = [[*celery, "beat", "--schedule", str(var / "beat-schedule"), "--loglevel", "WARNING"],
                [*celery, "worker", "-Q", "alerts,default", "-n", "default@%h", *quiet]]
    commands += [[*celery, "worker", "-Q", "dispatch,polling", "--pool", "threads", "--concurrency", str(concurrency),
                  "-n", f"polling{n}@%h", *quiet] for n in range(workers)]
    log = (var / "celery.log").open("w")
    return [subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT) for command in commands]


def report(*, calls, phases: dict[str, float], start: float, interval: float, intervals: int) -> tuple[list[float], int, int]:
    """Per interval: each shop's Meta calls in [its due time, the next one). Returns the shares polled, the
    Meta calls and the shop-polls (shop x interval with at least one call) counted."""
    meta = [(at, cms) for at, kind, cms in calls if kind == "meta" and cms in phases]
    print(f"\n{'interval':>8} {'polled':>8} {'lag p50':>8} {'lag p95':>8} {'lag max':>8} {'polls/s':>8}")
    shares, counted_calls, shop_polls = [], 0, 0
    for k in range(1, intervals + 1):  # interval 0 is the warm-up
        lags, polled = [], set()
        for at, cms in meta:
            due = start + phases[cms] + k * interval
            if due <= at < due + interval:
                lags.append(at - due)
                polled.add(cms)
        window = [at for at, _ in meta if start + k * interval <= at < start + (k + 1) * interval]
        share = len(polled) / len(phases)
        shares.append(share)
        counted_calls, shop_polls = counted_calls + len(lags), shop_polls + len(polled)
        print(f"{k:8d} {share:8.1%} {percentile(lags, .5) if lags else 0:7.1f}s {percentile(lags, .95) if lags else 0:7.1f}s "
              f"{max(lags, default=0):7.1f}s {len(window) / interval:8.1f}")
    return shares, counted_calls, shop_polls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shops", type=int, default=2000)
    parser.add_argument("--interval", type=int, default=1, help="POLL_INTERVAL_MINUTES")
    parser.add_argument("--intervals", type=int, default=3, help="measured intervals (after one warm-up)")
    parser.add_argument("--workers", type=int, default=1, help="polling worker processes")
    parser.add_argument("--concurrency", type=int, default=32, help="threads per polling worker")
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the stand-in takes per call")
    parser.add_argument("--tick", type=int, default=10, help="POLL_DISPATCH_SECONDS")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL, a database of its own) and REDIS_URL (a db number of its own).")

    var = configure(name="scale", port=PORT)
    interval = timedelta(minutes=args.interval)
    server, recorder = serve(port=PORT, latency=args.latency)
    needed = args.shops / interval.total_seconds()
    print(f"OrderGuard scale benchmark: {args.shops} shops every {args.interval} min ({needed:.1f} polls/s needed), "
          f"{args.workers} polling worker(s) x {args.concurrency} threads, Meta latency {args.latency * 1000:.0f} ms, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"Meta stand-in capacity: {capacity(port=PORT, clients=64, seconds=3):.0f} calls/s with 64 callers at once "
          f"(so it is not the bottleneck below {needed:.0f}/s)")

    subprocess.run(["redis-cli", "-u", os.environ["REDIS_URL"], "flushdb"], check=True, capture_output=True)
    start = datetime.now(UTC) + timedelta(seconds=20)  # time to start the processes
    phases = create_shops(args.shops, start=start, interval=interval)
    env = {**os.environ, "ORDERGUARD_ENV": "demo", "DJANGO_SETTINGS_MODULE": "orderguard.settings", "LOG_LEVEL": "WARNING",
           "POLL_INTERVAL_MINUTES": str(args.interval), "POLL_DISPATCH_SECONDS": str(args.tick),
           "META_GRAPH_BASE_URL": f"http://127.0.0.1:{PORT}", "SHOPIFY_API_BASE_URL": f"http://127.0.0.1:{PORT}/shopify"}
    running = processes(workers=args.workers, concurrency=args.concurrency, env=env, var=var)
    pollers = [process.pid for process in running[2:]]
    try:
        began = start.timestamp()
        time.sleep(max(0, began + interval.total_seconds() - time.time()))  # the warm-up interval
        cpu_before, xact_before, measured_from = cpu_seconds(pollers), transactions(), time.time()
        time.sleep(max(0, began + (args.intervals + 1) * interval.total_seconds() + 30 - time.time()))
        cpu, xact, wall = cpu_seconds(pollers) - cpu_before, transactions() - xact_before, time.time() - measured_from
        for process in running:
            assert process.poll() is None, (var / "celery.log").read_text()[-3000:]
    finally:
        for process in running:
            process.terminate()
        for process in running:
            process.wait(timeout=30)
        server.shutdown()

    calls = recorder.since(began)
    shares, counted_calls, shop_polls = report(calls=calls, phases=phases, start=began, interval=interval.total_seconds(), intervals=args.intervals)
    window = [call for call in calls if measured_from <= call[0] < measured_from + wall]
    polls = sum(1 for _, kind, _ in window if kind == "meta") or 1
    print(f"\npolls measured: {polls} in {wall:.0f} s ({polls / wall:.1f}/s)")
    print(f"worker CPU per poll (polling processes)   {cpu * 1000 / polls:6.2f} ms  ({cpu / wall:.0%} of one core)")
    print(f"SQL per poll (database transactions)      {xact / polls:6.2f}")
    print(f"Meta calls per poll                       {counted_calls / max(shop_polls, 1):6.2f}  (calls per shop and interval polled)")
    print(f"Shopify calls per poll                    {sum(1 for _, k, _ in window if k == 'shopify') / polls:6.2f}")
    print(f"other stand-in calls                      {sum(1 for _, k, _ in window if k == 'other')}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}; every interval >= 99% polled: {all(s >= .99 for s in shares)}")


if __name__ == "__main__":
    main()
