"""Faults injected per commerce account, applied to each request that reaches the account.

A fault is a dict in MetaCommerceAccount.faults:
    {"type": "throttle", "code": 80001, "regain_minutes": 5, "remaining": 1, "until": null}
    {"type": "expired_token", "remaining": 2}
    {"type": "server_error", "status": 500, "until": "2026-11-27T12:00:00+00:00"}
    {"type": "slow", "seconds": 3, "remaining": 1}
    {"type": "order_writes_refused"}
    {"type": "usage", "regain_minutes": 3, "remaining": 1}
    {"type": "order_rewrite", "order_id": "2904417823351201", "answer": {"order_status": {"state": "ON_HOLD"}}}
    {"type": "version_upgraded", "remaining": 1}
`remaining` counts the requests it still applies to (consumed one per request); `until` keeps it active
until that time; with neither it applies to every request until cleared.

A throttle fault, when it fires, throttles the account for `regain_minutes` (throttled_until): until then
every call is refused with the same code and X-Business-Use-Case-Usage says how long remains. The Page's
own budget (4800 calls per 24 h per engaged user) throttles the same way when it runs out.

A usage fault fails nothing: the answer succeeds, but its X-Business-Use-Case-Usage says the limit is
reached and access returns in `regain_minutes`, as Meta does on the call that spends the last of a budget.
It is consumed by the usage headers (meta/usage.py), one per answer.

An order_rewrite fault fails nothing either: while active, every answer that shows the order shows it
with `answer`'s top-level fields in place of its own (a state Meta added later, a `created` in another
format), so detection can be tested on data the stand-in's own model would never hold.

A version_upgraded fault fails nothing: the answer succeeds, but its x-fb-api-version names the next
version (v25.0 asked, v26.0 answered), as Meta answers a call whose version has passed its end of support
with the oldest version still supported. It is consumed by the answer's headers (take_version).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.dateparse import parse_datetime

from orderguard.sandbox.meta import errors
from orderguard.sandbox.meta.models import MetaCommerceAccount

TYPES = ("throttle", "expired_token", "server_error", "slow", "order_writes_refused", "usage", "order_rewrite", "version_upgraded")
# Faults that change an answer's headers, not the answer.
HEADER_FAULTS = frozenset({"usage", "version_upgraded"})
# Standing faults describe the account rather than a request: checked by the handlers they concern.
# A usage fault changes the headers, not the answer (take_usage).
STANDING = frozenset({"order_writes_refused", "order_rewrite"})
THROTTLE_CODES = (4, 17, 32, 613, 80001, 80004)


def apply(*, account: MetaCommerceAccount, now: datetime) -> None:
    """Raise the GraphError of an active fault (after sleeping for a `slow` one), consuming it."""
    with transaction.atomic(using="sandbox"):
        locked = MetaCommerceAccount.objects.select_for_update().get(pk=account.pk)
        if locked.throttled_until is not None and now < locked.throttled_until:
            raise errors.throttled(locked.throttle_code or 80001)
        sleep_seconds = 0.0
        failure: errors.GraphError | None = None
        kept = []
        for fault in locked.faults:
            if not _active(fault, now):
                continue
            if fault["type"] in STANDING or fault["type"] in HEADER_FAULTS:
                kept.append(fault)
                continue
            # At most one slow fault and one failing fault act on a request; later ones wait their turn.
            fires = not sleep_seconds if fault["type"] == "slow" else failure is None
            if fires:
                if fault["type"] == "slow":
                    sleep_seconds = float(fault.get("seconds", 1))
                else:
                    failure = _failure(locked, fault, now)
                if fault.get("remaining") is not None:
                    fault = {**fault, "remaining": fault["remaining"] - 1}
            if _active(fault, now):
                kept.append(fault)
        locked.faults = kept
        locked.save(update_fields=["faults", "throttled_until", "throttle_code"])
    # Sleep outside the transaction: a slow answer must not hold the sandbox's write lock.
    if sleep_seconds:
        time.sleep(sleep_seconds)
    if failure is not None:
        raise failure


def refuse_order_write(*, account: MetaCommerceAccount, app_id: str, now: datetime) -> None:
    """The Order API is invite-only: with "order_writes_refused", Meta refuses order writes from any app
    other than the account's registered order-management app (Shopify's), as a capability error."""
    refused = any(fault["type"] == "order_writes_refused" and _active(fault, now) for fault in account.faults)
    if refused and app_id not in {str(app.get("id")) for app in account.order_management_apps}:
        raise errors.GraphError("(#3) Application does not have the capability to make this API call.", code=3)


def rewritten_order(*, account: MetaCommerceAccount, body: dict, now: datetime) -> dict:
    """The order's answer with the fields of an active order_rewrite fault for it in place of its own."""
    for fault in account.faults:
        if fault["type"] == "order_rewrite" and fault.get("order_id") == body.get("id") and _active(fault, now):
            body = {**body, **fault.get("answer", {})}
    return body


def take_usage(*, account: MetaCommerceAccount, now: datetime) -> float | None:
    """The regain minutes of an active usage fault, consuming it for this answer; None without one."""
    if not any(fault["type"] == "usage" for fault in account.faults):
        return None  # the common case, without a locking transaction
    with transaction.atomic(using="sandbox"):
        locked = MetaCommerceAccount.objects.select_for_update().get(pk=account.pk)
        regain, kept = None, []
        for fault in locked.faults:
            if not _active(fault, now):
                continue
            if regain is None and fault["type"] == "usage":
                regain = float(fault["regain_minutes"])
                if fault.get("remaining") is not None:
                    fault = {**fault, "remaining": fault["remaining"] - 1}
            if _active(fault, now):
                kept.append(fault)
        if regain is not None:
            locked.faults = kept
            locked.save(update_fields=["faults"])
    return regain


def take_version(*, account: MetaCommerceAccount, version: str, now: datetime) -> str:
    """The version an answer names: the next one while a version_upgraded fault lasts (consuming it)."""
    if not any(fault["type"] == "version_upgraded" for fault in account.faults):
        return version
    with transaction.atomic(using="sandbox"):
        locked = MetaCommerceAccount.objects.select_for_update().get(pk=account.pk)
        upgraded, kept = False, []
        for fault in locked.faults:
            if not _active(fault, now):
                continue
            if not upgraded and fault["type"] == "version_upgraded":
                upgraded = True
                if fault.get("remaining") is not None:
                    fault = {**fault, "remaining": fault["remaining"] - 1}
            if _active(fault, now):
                kept.append(fault)
        if upgraded:
            locked.faults = kept
            locked.save(update_fields=["faults"])
    if not upgraded:
        return version
    major = int(version.removeprefix("v").split(".")[0])
    return f"v{major + 1}.0"


def throttle(*, account: MetaCommerceAccount, code: int, until: datetime) -> None:
    MetaCommerceAccount.objects.filter(pk=account.pk).update(throttled_until=until, throttle_code=code)
    account.throttled_until, account.throttle_code = until, code


def _failure(account: MetaCommerceAccount, fault: dict, now: datetime) -> errors.GraphError:
    kind = fault["type"]
    if kind == "throttle":
        code = int(fault.get("code", 80001))
        account.throttled_until = now + timedelta(minutes=float(fault.get("regain_minutes", 1)))
        account.throttle_code = code
        return errors.throttled(code)
    if kind == "expired_token":
        return errors.expired_token(now - timedelta(minutes=1), now)
    return errors.server_error(int(fault.get("status", 500)))


def _active(fault: dict, now: datetime) -> bool:
    if fault.get("remaining") is not None and fault["remaining"] <= 0:
        return False
    until = fault.get("until")
    return until is None or now < parse_datetime(until)


def make(*, kind: str, now: datetime, times: int | None = None, minutes: float | None = None, code: int | None = None,
         status: int | None = None, seconds: float | None = None, regain_minutes: float | None = None,
         order_id: str | None = None, answer: dict | None = None) -> dict:
    """Build a fault dict, checking its parameters. Without `times` or `minutes` it applies once."""
    if kind not in TYPES:
        raise ValueError(f"Unknown fault {kind!r}; expected one of {', '.join(TYPES)}")
    fault: dict = {"type": kind, "remaining": None, "until": None}
    if minutes is not None:
        fault["until"] = (now + timedelta(minutes=minutes)).isoformat()
    elif kind in STANDING and times is None:
        pass  # until cleared
    else:
        fault["remaining"] = 1 if times is None else int(times)
    if kind in ("throttle", "usage"):
        fault["regain_minutes"] = 5 if regain_minutes is None else float(regain_minutes)
    if kind == "throttle":
        code = 80001 if code is None else int(code)
        if code not in THROTTLE_CODES:
            raise ValueError(f"Throttle code must be one of {THROTTLE_CODES}, not {code}")
        fault["code"] = code
    elif kind == "server_error":
        fault["status"] = 500 if status is None else int(status)
        if not 500 <= fault["status"] <= 599:
            raise ValueError("A server error's status must be 5xx")
    elif kind == "slow":
        fault["seconds"] = 3 if seconds is None else float(seconds)
    elif kind == "order_rewrite":
        if not order_id or not isinstance(answer, dict) or not answer:
            raise ValueError("An order_rewrite fault needs an order_id and the answer's fields to rewrite")
        fault.update(order_id=str(order_id), answer=answer)
    return fault
