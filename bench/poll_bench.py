"""Benchmark: polling many shops through the local Meta and Shopify (issue 3).

Sets up N shops x M open Meta orders in the sandbox (its own SQLite files under var/bench/, or
DATABASE_URL), starts the sandbox in its own gunicorn process, then polls every shop from this one process,
exactly as a Celery worker process runs poll_shop_task, in three phases:

  first poll     the full sweep: every order is new (Meta + Shopify read, orders inserted, classified)
  no change      an incremental poll where nothing changed on either platform
  scaling        one shop at 10, 50 and 200 orders: SQL statements per poll must not grow with the orders

Each poll loads its shop by id first, as the task does, and that read is counted with the poll.
Prints shop-polls per second (this process), CPU ms per poll (this process only; the sandbox runs
beside it on the other core), SQL statements per poll, API calls per poll and peak memory.

    .venv/bin/python bench/poll_bench.py                 # 1000 shops x 50 orders
    .venv/bin/python bench/poll_bench.py --shops 100     # a quicker run
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import time

from _setup import configure, count_queries, web_server

PORT = 18791


def scenario(index: int, orders: int) -> dict:
    cms, page, user = str(700000000000000 + index), str(600000000000000 + index), str(100000000000000 + index)
    kinds = [
        {"state": "CREATED", "created": "-3h"},  # not in Shopify: missing
        {"state": "CREATED", "created": "-5h"},
        {"state": "IN_PROGRESS", "created": "-2d"},  # imported and acknowledged
        {"state": "CREATED", "created": "-26h", "shopify": "imported"},  # imported, not acknowledged
        {"state": "FB_PROCESSING", "created": "-10m"},  # in Meta's review
    ]
    return {
        "name": f"bench-{index}",
        "shop": {"domain": f"bench-{index:04d}.myshopify.com", "name": f"Bench Shop {index}", "currency": "USD"},
        "meta_users": [{"id": user, "name": f"Owner {index}"}],
        "accounts": [{"id": cms, "display_name": f"Bench Shop {index}", "page": {"id": page, "name": f"Bench {index}", "admin": user},
                      "behaviour": "broken"}],
        "tokens": [{"value": f"EAABench{index:06d}SystemUserToken0ReadOrders", "account": cms}],
        "orders": [
            {"id": str(8000000000000000 + index * 1000 + number), "channel": "facebook" if number % 2 else "instagram",
             "items": [{"retailer_id": f"SKU-{number % 7}", "name": "Bench Tee", "price": "25.00", "quantity": 1 + number % 3}],
             "shipping": "4.95", **kinds[number % len(kinds)]}
            for number in range(orders)
        ],
    }


def install(index: int, orders: int):
    """A shop as the app knows it after install and connect (created directly: this bench measures polls)."""
    from datetime import timedelta

    from django.utils import timezone

    from orderguard.meta_connections.models import MetaConnection
    from orderguard.orders.models import PollState
    from orderguard.sandbox.admin_views import app_toml_scopes
    from orderguard.sandbox.models import SandboxShop
    from orderguard.sandbox.scenarios.loader import load
    from orderguard.sandbox.shopify import tokens as sandbox_tokens
    from orderguard.shops.models import OfflineToken, Shop

    data = scenario(index, orders)
    result = load(data)
    sandbox_shop = SandboxShop.objects.get(domain=result.shop)
    SandboxShop.objects.filter(pk=sandbox_shop.pk).update(app_installed=True, granted_scopes=app_toml_scopes())
    sandbox_shop.granted_scopes = app_toml_scopes()
    grant = sandbox_tokens._issue(sandbox_shop, expiring=True)
    now = timezone.now()
    shop = Shop.objects.create(domain=result.shop, name=data["shop"]["name"], currency_code="USD", installed_at=now, scopes="read_orders")
    OfflineToken.objects.create(shop=shop, access_token=grant["access_token"], expires_at=now + timedelta(hours=1),
                                refresh_token=grant["refresh_token"], refresh_token_expires_at=now + timedelta(days=90), scope="read_orders")
    MetaConnection.objects.create(shop=shop, source="operator", commerce_account_id=data["accounts"][0]["id"],
                                  access_token=data["tokens"][0]["value"], token_type="SYSTEM_USER",
                                  order_management_apps=[{"id": "2329312", "name": "Shopify"}], apps_checked_at=now)
    PollState.objects.create(shop=shop, next_poll_at=now)
    return shop


def phase(title: str, shops, *, full: bool | None, profile: bool = False) -> dict:
    from orderguard.orders.polling import poll_shop
    from orderguard.shops.selectors import shop_with_preferences

    reports = []
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU time: the share that counts
    load_start = os.getloadavg()[0]
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    with count_queries() as queries:
        if profiler:
            profiler.enable()
        for shop in shops:
            # As poll_shop_task runs it: the shop (with its preferences) loaded by id, then polled.
            reports.append(poll_shop(shop=shop_with_preferences(shop_id=shop.pk), full=full))
        if profiler:
            profiler.disable()
    wall, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    n = len(reports)
    failed = [r for r in reports if r.outcome != "ok"]
    figures = {
        "polls": n,
        "polls_per_second": n / wall,
        "cpu_ms_per_poll": cpu * 1000 / n,
        "wall_ms_per_poll": wall * 1000 / n,
        "sql_per_poll": queries["n"] / n,
        "meta_calls_per_poll": sum(r.meta_calls for r in reports) / n,
        "shopify_calls_per_poll": sum(r.shopify_calls for r in reports) / n,
        "needs_action_per_shop": sum(r.needs_action for r in reports) / n,
        "failed": len(failed),
    }
    print(f"\n{title} (load average {load_start:.2f} -> {os.getloadavg()[0]:.2f})")
    print(f"  shop-polls per second (one process) {figures['polls_per_second']:8.1f}")
    print(f"  wall ms per shop-poll               {figures['wall_ms_per_poll']:8.1f}")
    print(f"  CPU ms per shop-poll (this process) {figures['cpu_ms_per_poll']:8.1f}")
    print(f"  SQL statements per shop-poll        {figures['sql_per_poll']:8.1f}")
    print(f"  Meta calls per shop-poll            {figures['meta_calls_per_poll']:8.2f}")
    print(f"  Shopify calls per shop-poll         {figures['shopify_calls_per_poll']:8.2f}")
    print(f"  orders needing action per shop      {figures['needs_action_per_shop']:8.1f}")
    if failed:
        print(f"  FAILED polls: {len(failed)} (first: {failed[0].message})")
    if profiler:
        print("  CPU profile (cProfile makes the CPU figure above larger; read the shares, not the times):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shops", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the unchanged polls")
    args = parser.parse_args()

    configure(name="poll", port=PORT)
    from django.db import connection

    print(f"OrderGuard poll benchmark: {args.shops} shops x {args.orders} open Meta orders, database {connection.vendor}, "
          f"load average {os.getloadavg()[0]:.2f}")
    started = time.perf_counter()
    shops = [install(index, args.orders) for index in range(args.shops)]
    scaling = {size: install(args.shops + offset, size) for offset, size in enumerate((10, 50, 200))}
    print(f"set-up: {time.perf_counter() - started:.0f} s")

    with web_server(port=PORT, workers=1, threads=4):
        phase("First poll (full sweep, every order new)", shops, full=True)
        phase("Incremental poll, nothing changed", shops, full=False)
        phase("Incremental poll, nothing changed (again)", shops, full=False, profile=args.profile)
        print("\nScaling: SQL statements per poll against the number of orders (the task's shop read included)")
        from orderguard.orders.polling import poll_shop
        from orderguard.shops.selectors import shop_with_preferences

        for size, shop in scaling.items():
            with count_queries() as first:
                poll_shop(shop=shop_with_preferences(shop_id=shop.pk), full=True)
            with count_queries() as again:
                poll_shop(shop=shop_with_preferences(shop_id=shop.pk), full=False)
            print(f"  {size:4d} orders: first poll {first['n']:3d} statements, incremental poll {again['n']:3d} statements")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of the polling process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
