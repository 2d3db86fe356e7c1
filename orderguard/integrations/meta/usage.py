"""Rate-limit usage that Meta reports in response headers, parsed on every response.

- `X-App-Usage`: `{"call_count": 28, "total_time": 25, "total_cputime": 25}`, percents of the app's limit.
- `X-Business-Use-Case-Usage`: a dict of business-object id -> LIST of objects (one per use-case type), each
  `{type, call_count, total_cputime, total_time, estimated_time_to_regain_access}`. The percents reach 100
  when throttled; `estimated_time_to_regain_access` is in MINUTES (a flat-dict parser, or reading it as
  seconds, is the classic bug).

Headers only appear once enough calls were made, and a malformed header is ignored rather than failing the
call it came with.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("orderguard.integrations.meta")

APP_USAGE_HEADER = "X-App-Usage"
BUC_USAGE_HEADER = "X-Business-Use-Case-Usage"


@dataclass(frozen=True)
class AppUsage:
    call_count: int
    total_time: int
    total_cputime: int

    @property
    def max_percent(self) -> int:
        return max(self.call_count, self.total_time, self.total_cputime)


@dataclass(frozen=True)
class BusinessUseCaseUsage:
    """One entry of X-Business-Use-Case-Usage: the usage of one use case (`type`) of one business object."""

    object_id: str
    type: str
    call_count: int
    total_cputime: int
    total_time: int
    regain_minutes: float

    @property
    def max_percent(self) -> int:
        return max(self.call_count, self.total_cputime, self.total_time)

    @property
    def regain_seconds(self) -> float:
        return self.regain_minutes * 60.0


@dataclass(frozen=True)
class Usage:
    """What the latest response said about our rate limits."""

    app: AppUsage | None = None
    business: tuple[BusinessUseCaseUsage, ...] = ()

    @property
    def max_percent(self) -> int:
        """The highest percent of any limit reported (0 when Meta sent no usage headers)."""
        percents = [entry.max_percent for entry in self.business]
        if self.app is not None:
            percents.append(self.app.max_percent)
        return max(percents, default=0)

    @property
    def regain_seconds(self) -> float:
        """How long until access returns, in seconds (0 when Meta is not throttling us)."""
        return max((entry.regain_seconds for entry in self.business), default=0.0)

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Usage:
        """Parse both headers; `headers` must be case-insensitive (requests' are)."""
        return cls(
            app=_app_usage(_json_header(headers, APP_USAGE_HEADER)),
            business=_business_usage(_json_header(headers, BUC_USAGE_HEADER)),
        )


def _json_header(headers: Mapping[str, str], name: str) -> Any:
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        logger.warning("Ignoring a malformed %s header", name)
        return None


def _app_usage(value: Any) -> AppUsage | None:
    if not isinstance(value, Mapping):
        return None
    return AppUsage(
        call_count=_number(value.get("call_count")),
        total_time=_number(value.get("total_time")),
        total_cputime=_number(value.get("total_cputime")),
    )


def _business_usage(value: Any) -> tuple[BusinessUseCaseUsage, ...]:
    if not isinstance(value, Mapping):
        return ()
    entries = []
    for object_id, items in value.items():
        if isinstance(items, Mapping):  # tolerate a single object where Meta documents a list
            items = [items]
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, Mapping):
                continue
            entries.append(
                BusinessUseCaseUsage(
                    object_id=str(object_id),
                    type=str(item.get("type") or ""),
                    call_count=_number(item.get("call_count")),
                    total_cputime=_number(item.get("total_cputime")),
                    total_time=_number(item.get("total_time")),
                    regain_minutes=float(_number(item.get("estimated_time_to_regain_access"))),
                )
            )
    return tuple(entries)


def _number(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0
