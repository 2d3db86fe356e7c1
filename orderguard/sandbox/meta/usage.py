"""Rate-limit usage: the X-App-Usage and X-Business-Use-Case-Usage headers on every response, and the
Page's own Business Use Case budget.

Percentages come from the call log (SandboxCall): the app's calls in the last hour against an hourly
budget, and an account's calls in the last 24 hours against 4800 x its Page's engaged users (Meta's Pages
BUC formula). The BUC header is keyed by the business object (the Page) and lists one entry of type
"pages"; estimated_time_to_regain_access is in minutes. An injected usage fault (meta/faults.py) makes a
successful answer report a spent budget with a regain time.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

from orderguard.sandbox.meta import errors, faults
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaToken
from orderguard.sandbox.models import SandboxCall

APP_CALLS_PER_HOUR = 20_000
PAGE_CALLS_PER_DAY_PER_USER = 4800


def app_percent(now: datetime) -> int:
    calls = SandboxCall.objects.filter(platform="meta", created_at__gte=now - timedelta(hours=1)).count()
    return min(100, math.ceil(100 * calls / APP_CALLS_PER_HOUR))


def page_calls(account: MetaCommerceAccount, now: datetime) -> int:
    return SandboxCall.objects.filter(platform="meta", account=account.id, created_at__gte=now - timedelta(hours=24)).count()


def page_budget(account: MetaCommerceAccount) -> int:
    return PAGE_CALLS_PER_DAY_PER_USER * max(account.engaged_users, 1)


def check_budget(*, account: MetaCommerceAccount, caller, now: datetime) -> None:
    """Throttle the account once its Page's 24-hour budget is spent: 80001 for Page and system-user tokens,
    32 for user tokens."""
    if page_calls(account, now) < page_budget(account):
        return
    code = 32 if isinstance(caller, MetaToken) and caller.kind == MetaToken.Kind.USER else 80001
    faults.throttle(account=account, code=code, until=now + timedelta(hours=1))
    raise errors.throttled(code)


def headers(*, account: MetaCommerceAccount | None, now: datetime) -> dict[str, str]:
    percent = app_percent(now)
    result = {"X-App-Usage": json.dumps({"call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2})}
    if account is not None:
        result["X-Business-Use-Case-Usage"] = json.dumps({account.page_id: [_buc_entry(account, now)]})
    return result


def _buc_entry(account: MetaCommerceAccount, now: datetime) -> dict:
    throttled = account.throttled_until is not None and now < account.throttled_until
    regain = math.ceil((account.throttled_until - now).total_seconds() / 60) if throttled else faults.take_usage(account=account, now=now)
    if regain:
        return {"type": "pages", "call_count": 100, "total_cputime": 100, "total_time": 100, "estimated_time_to_regain_access": math.ceil(regain)}
    percent = min(100, math.ceil(100 * page_calls(account, now) / page_budget(account)))
    return {"type": "pages", "call_count": percent, "total_cputime": percent // 2, "total_time": percent // 2, "estimated_time_to_regain_access": 0}
