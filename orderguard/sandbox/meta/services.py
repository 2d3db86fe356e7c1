"""Operations on the Meta stand-in for the demo, the tests and the sandbox_meta command: switch how
Shopify's channel treats an account's orders, inject and clear faults, and describe an account.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils import timezone

from orderguard.sandbox.meta import faults, orders
from orderguard.sandbox.meta.models import MetaCommerceAccount


def set_channel_behaviour(cms_id: str, behaviour: str, *, ack_delay_minutes: int | None = None) -> MetaCommerceAccount:
    """"healthy", "broken" or "imports_without_ack". The new behaviour applies from now on: what fell due
    under the old behaviour happens first, and a channel that starts acknowledging acks orders waiting
    in CREATED `ack_delay_minutes` from now."""
    if behaviour not in MetaCommerceAccount.Behaviour.values:
        raise ValueError(f"Unknown behaviour {behaviour!r}; expected one of {', '.join(MetaCommerceAccount.Behaviour.values)}")
    now = timezone.now()
    account = _account(cms_id)
    orders.advance(account=account, now=now)
    with transaction.atomic(using="sandbox"):
        account = MetaCommerceAccount.objects.select_for_update().get(pk=account.pk)
        if account.channel_behaviour != behaviour:
            account.channel_behaviour = behaviour
            account.behaviour_since = now
        if ack_delay_minutes is not None:
            account.ack_delay_minutes = ack_delay_minutes
        account.save(update_fields=["channel_behaviour", "behaviour_since", "ack_delay_minutes"])
    return account


def inject_fault(
    cms_id: str,
    kind: str,
    *,
    times: int | None = None,
    minutes: float | None = None,
    code: int | None = None,
    status: int | None = None,
    seconds: float | None = None,
    regain_minutes: float | None = None,
    order_id: str | None = None,
    answer: dict | None = None,
) -> dict:
    """Add a fault to the account (see meta/faults.py); it applies once unless `times` or `minutes` say."""
    fault = faults.make(
        kind=kind, now=timezone.now(), times=times, minutes=minutes, code=code, status=status, seconds=seconds,
        regain_minutes=regain_minutes, order_id=order_id, answer=answer,
    )
    with transaction.atomic(using="sandbox"):
        account = MetaCommerceAccount.objects.select_for_update().get(pk=_account(cms_id).pk)
        account.faults = [*account.faults, fault]
        account.save(update_fields=["faults"])
    return fault


def clear_faults(cms_id: str) -> None:
    """Remove every injected fault and any throttle in progress."""
    MetaCommerceAccount.objects.filter(pk=_account(cms_id).pk).update(faults=[], throttled_until=None, throttle_code=None)


def describe(cms_id: str) -> dict:
    account = _account(cms_id)
    now = timezone.now()
    orders.advance(account=account, now=now)
    account.refresh_from_db()
    return {
        "id": account.id,
        "display_name": account.display_name,
        "behaviour": account.channel_behaviour,
        "behaviour_since": account.behaviour_since,
        "ack_delay_minutes": account.ack_delay_minutes,
        "order_management_apps": [app.get("name") or app.get("id") for app in account.order_management_apps],
        "shopify_shop": account.shopify_shop.domain if account.shopify_shop else None,
        "faults": account.faults,
        "throttled_until": account.throttled_until if account.throttled_until and account.throttled_until > now else None,
        "orders": dict(Counter(account.orders.values_list("state", flat=True))),
    }


def _account(cms_id: str) -> MetaCommerceAccount:
    account = MetaCommerceAccount.objects.select_related("shopify_shop").filter(pk=cms_id).first()
    if account is None:
        raise MetaCommerceAccount.DoesNotExist(f"No sandbox commerce account {cms_id!r}")
    return account
