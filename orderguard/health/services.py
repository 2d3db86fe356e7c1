"""Running the checks for a shop and storing what they found.

Every check runs inside its own guard: a platform error becomes an `unknown` result carrying Meta's
fbtrace_id or Shopify's request id, a bug in one check never stops the others. A result that differs
from the stored one (or is the first) adds a HealthCheckChange row, which the alerts and the dossier read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
# Messages are marked, not translated, here: they are stored and translated when shown (registry.py).
from django.utils.translation import gettext_noop as _

from orderguard.health.context import CheckContext
from orderguard.health.models import HealthCheckChange, HealthCheckResult, HealthSchedule
from orderguard.health.registry import Check, Outcome, checks, unknown
from orderguard.health.signals import check_result_changed
from orderguard.integrations.meta.errors import MetaError
from orderguard.integrations.shopify.errors import ShopifyError
from orderguard.shops.models import Shop

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSummary:
    shop_id: int
    ran: int
    changed: list[str]
    results: dict[str, str]


def health_checks_run(*, shop: Shop, cheap_only: bool = False, codes: list[str] | None = None, now: datetime | None = None) -> RunSummary:
    """Run the checks (all, the cheap ones, or `codes`) and store each result."""
    now = now or timezone.now()
    ctx = CheckContext(shop=shop, now=now)
    selected = [c for c in checks(cheap_only=cheap_only) if codes is None or c.code in codes]
    outcomes = [(c, _run_one(c, ctx)) for c in selected]
    changed = []
    with transaction.atomic():
        for registered, outcome in outcomes:
            if _store(shop=shop, code=registered.code, outcome=outcome, now=now):
                changed.append(registered.code)
        schedule, _ = HealthSchedule.objects.get_or_create(shop=shop)
        schedule.cheap_ran_at = now
        if not cheap_only and codes is None:
            schedule.full_ran_at = now
        schedule.save()
    if changed:
        logger.info("Health of %s changed: %s", shop.domain, ", ".join(changed))
        stored = {registered.code: outcome for registered, outcome in outcomes}
        for code in changed:
            check_result_changed.send(sender=HealthSchedule, shop=shop, code=code, result=stored[code].result,
                                      explanation=_english(stored[code])[:300], changed_at=now)
    return RunSummary(shop_id=shop.pk, ran=len(outcomes), changed=changed, results={c.code: o.result for c, o in outcomes})


def _english(outcome: Outcome) -> str:
    try:
        return outcome.message % outcome.params if outcome.params else outcome.message
    except (KeyError, TypeError, ValueError):
        return outcome.message


def _run_one(registered: Check, ctx: CheckContext) -> Outcome:
    try:
        return registered.run(ctx)
    except MetaError as error:
        return unknown(_("Meta could not answer this check (%(error)s). It runs again soon."),
                       error=error.message[:200] or type(error).__name__, error_ids=_ids(fbtrace_id=error.fbtrace_id))
    except ShopifyError as error:
        return unknown(_("Shopify could not answer this check (%(error)s). It runs again soon."),
                       error=str(error)[:200] or type(error).__name__, error_ids=_ids(shopify_request_id=error.request_id))
    except Exception:
        logger.exception("Health check %s failed for shop %s", registered.code, ctx.shop.pk)
        return unknown(_("This check could not run. It runs again soon."))


def _ids(**ids) -> dict:
    return {key: value for key, value in ids.items() if value}


def _store(*, shop: Shop, code: str, outcome: Outcome, now: datetime) -> bool:
    """Store the latest result; True when it changed (a history row was added)."""
    current = HealthCheckResult.objects.select_for_update().filter(shop=shop, code=code).first()
    previous = current.result if current else ""
    changed = current is None or previous != outcome.result
    fields = {"result": outcome.result, "message": outcome.message, "params": outcome.params, "fix_url": outcome.fix_url[:500],
              "details": outcome.details, "error_ids": outcome.error_ids, "ran_at": now}
    if current is None:
        HealthCheckResult.objects.create(shop=shop, code=code, since=now, **fields)
    else:
        for name, value in fields.items():
            setattr(current, name, value)
        if changed:
            current.since = now
        current.save()
    if changed:
        HealthCheckChange.objects.create(shop=shop, code=code, from_result=previous,
                                         to_result=outcome.result, message=outcome.message, params=outcome.params,
                                         error_ids=outcome.error_ids, at=now)
    return changed
