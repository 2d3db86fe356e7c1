"""The check registry: one small function per check, registered with `@check(...)`, returning an
Outcome built with pass_/warning/failing/unknown.

Messages are English msgids marked with gettext_noop and stored with their parameters; the panel
translates them when it shows them, so a result recorded by a worker reads in the viewer's language.
Adding a check is one function here (in checks/) and one message in the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orderguard.health.models import Result

if TYPE_CHECKING:
    from orderguard.health.context import CheckContext


@dataclass(frozen=True)
class Outcome:
    result: str
    message: str
    params: dict = field(default_factory=dict)
    fix_url: str = ""
    details: dict = field(default_factory=dict)
    error_ids: dict = field(default_factory=dict)


def pass_(message: str, *, fix_url: str = "", details: dict | None = None, **params) -> Outcome:
    return Outcome(Result.PASS, message, params, fix_url, details or {})


def warning(message: str, *, fix_url: str = "", details: dict | None = None, **params) -> Outcome:
    return Outcome(Result.WARNING, message, params, fix_url, details or {})


def failing(message: str, *, fix_url: str = "", details: dict | None = None, **params) -> Outcome:
    return Outcome(Result.FAILING, message, params, fix_url, details or {})


def unknown(message: str, *, fix_url: str = "", details: dict | None = None, error_ids: dict | None = None, **params) -> Outcome:
    return Outcome(Result.UNKNOWN, message, params, fix_url, details or {}, error_ids or {})


@dataclass(frozen=True)
class Check:
    code: str
    title: str  # msgid
    run: Callable[[CheckContext], Outcome]
    group: str  # "meta", "shopify" or "orderguard"
    cheap: bool  # runs after every poll; the others run daily (and on demand)
    # When failing, the root cause of every stuck order (e.g. an expired token); per-order checks instead
    # name the orders they explain in details["orders"] = {meta order id: [cause msgid, ...]}.
    explains_all_orders: bool = False
    cause: str = ""  # msgid: the root cause as the order drawer names it


REGISTRY: dict[str, Check] = {}


def check(*, code: str, title: str, group: str, cheap: bool = False, explains_all_orders: bool = False, cause: str = ""):
    def decorator(fn: Callable[[CheckContext], Outcome]):
        if code in REGISTRY:
            raise ValueError(f"Two checks with code {code!r}")
        REGISTRY[code] = Check(code=code, title=title, run=fn, group=group, cheap=cheap,
                               explains_all_orders=explains_all_orders, cause=cause)
        return fn

    return decorator


def checks(*, cheap_only: bool = False) -> list[Check]:
    """The registered checks in registration order (the panel's order)."""
    return [c for c in REGISTRY.values() if c.cheap or not cheap_only]
