"""Reads of stored health results (never a platform call): the panel, each stuck order's root causes,
and the stable JSON of `health_checks --json` (docs/health-checks-json.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext

from orderguard.health.models import HealthCheckChange, HealthCheckResult, HealthSchedule, ReconnectEvent, ReconnectSession, Result
from orderguard.health.reconnect import STEPS, reconnect_current
from orderguard.health.registry import REGISTRY, Check, checks
from orderguard.orders.models import SocialOrder
from orderguard.shops.models import Shop

JSON_FORMAT_VERSION = 1
PROBLEMS = (Result.FAILING, Result.WARNING)
GROUPS = ("meta", "shopify", "orderguard")


def render_message(message: str, params: dict) -> str:
    """A stored msgid in the active language, with its parameters (a bad catalogue entry shows the English)."""
    translated = gettext(message) if message else ""
    try:
        return translated % params if params else translated
    except (KeyError, ValueError, TypeError):
        return message % params if params else message


@dataclass(frozen=True)
class CheckRow:
    code: str
    title: str
    group: str
    result: str
    explanation: str
    fix_url: str
    ran_at: datetime | None
    since: datetime | None
    details: dict
    error_ids: dict

    @property
    def fix_is_external(self) -> bool:
        return not self.fix_url.startswith("/")


def _row(registered: Check, stored: HealthCheckResult | None) -> CheckRow:
    if stored is None:
        return CheckRow(registered.code, gettext(registered.title), registered.group, Result.UNKNOWN,
                        gettext("Not checked yet."), "", None, None, {}, {})
    return CheckRow(registered.code, gettext(registered.title), registered.group, stored.result,
                    render_message(stored.message, stored.params), stored.fix_url, stored.ran_at, stored.since,
                    stored.details, stored.error_ids)


def health_check_rows(*, shop: Shop) -> list[CheckRow]:
    stored = {r.code: r for r in HealthCheckResult.objects.filter(shop=shop)}
    return [_row(registered, stored.get(registered.code)) for registered in checks()]


@dataclass(frozen=True)
class HealthPanel:
    rows: list[CheckRow]
    groups: list[tuple[str, list[CheckRow]]]
    counts: dict[str, int]
    last_run_at: datetime | None

    @property
    def worst(self) -> str:
        for result in (Result.FAILING, Result.WARNING, Result.UNKNOWN):
            if self.counts.get(result):
                return result
        return Result.PASS


def health_panel(*, shop: Shop) -> HealthPanel:
    rows = health_check_rows(shop=shop)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.result] = counts.get(row.result, 0) + 1
    schedule = HealthSchedule.objects.filter(shop=shop).first()
    groups = [(group, [row for row in rows if row.group == group]) for group in GROUPS]
    return HealthPanel(rows=rows, groups=[(g, rs) for g, rs in groups if rs], counts=counts,
                       last_run_at=schedule.cheap_ran_at if schedule else None)


@dataclass(frozen=True)
class RootCause:
    code: str
    cause: str
    explanation: str
    fix_url: str
    result: str


def order_root_causes(*, shop: Shop, order: SocialOrder) -> list[RootCause]:
    """The problems that explain why this order is stuck: checks failing for every order (an expired
    token, a disconnected channel) and per-order checks that name it (a deleted variant)."""
    if not order.needs_action:
        return []
    causes = []
    for stored in HealthCheckResult.objects.filter(shop=shop, result__in=PROBLEMS).order_by("pk"):
        registered = REGISTRY.get(stored.code)
        if registered is None:
            continue
        per_order = (stored.details or {}).get("orders") or {}
        if order.meta_order_id in per_order:
            labels = per_order[order.meta_order_id]
        elif registered.explains_all_orders and stored.result == Result.FAILING:
            labels = [registered.cause]
        else:
            continue
        for label in labels:
            causes.append(RootCause(stored.code, gettext(label), render_message(stored.message, stored.params), stored.fix_url, stored.result))
    return causes


def health_results_json(*, shop: Shop) -> dict:
    """The stable JSON document of docs/health-checks-json.md (English explanations)."""
    rows = health_check_rows(shop=shop)
    return {
        "format_version": JSON_FORMAT_VERSION,
        "shop": shop.domain,
        "checks": [
            {"code": row.code, "result": row.result, "explanation": row.explanation, "ran_at": _iso(row.ran_at),
             "since": _iso(row.since), "fix_url": row.fix_url, "error_ids": row.error_ids, "details": row.details}
            for row in rows
        ],
    }


def health_history(*, shop: Shop, limit: int = 500) -> list[dict]:
    """Every recorded change of a check's result, oldest first (the dossier's "over time")."""
    changes = HealthCheckChange.objects.filter(shop=shop).order_by("-at", "-pk")[:limit]
    return [
        {"code": c.code, "from": c.from_result, "to": c.to_result, "at": _iso(c.at),
         "explanation": render_message(c.message, c.params), "error_ids": c.error_ids}
        for c in reversed(list(changes))
    ]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class ReconnectStepRow:
    code: str
    title: str
    body: str
    link: str
    link_label: str
    confirmed_at: datetime | None


@dataclass(frozen=True)
class ReconnectTimelineRow:
    kind: str
    step: str
    detail: dict
    at: datetime


@dataclass(frozen=True)
class ReconnectPage:
    session: ReconnectSession | None
    steps: list[ReconnectStepRow]
    timeline: list[ReconnectTimelineRow]
    stuck_count: int
    remaining: int | None

    @property
    def next_step(self) -> str:
        return next((step.code for step in self.steps if step.confirmed_at is None), "")


def reconnect_page(*, shop: Shop) -> ReconnectPage:
    session = reconnect_current(shop=shop)
    events = list(session.events.all()) if session else []
    confirmed = {event.step: event.at for event in events if event.kind == ReconnectEvent.Kind.STEP}
    steps = [ReconnectStepRow(step.code, gettext(step.title), gettext(step.body), step.link(shop), gettext(step.link_label), confirmed.get(step.code))
             for step in STEPS]
    remaining = None
    if session is not None:
        remaining = SocialOrder.objects.filter(shop=shop, meta_order_id__in=session.stuck_order_ids, needs_action=True).count()
    return ReconnectPage(
        session=session, steps=steps, timeline=[ReconnectTimelineRow(e.kind, e.step, e.detail, e.at) for e in events],
        stuck_count=SocialOrder.objects.filter(shop=shop, needs_action=True).count(), remaining=remaining,
    )
