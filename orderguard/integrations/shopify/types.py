"""Typed results parsed from Admin API responses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    def seconds_until(self, points: float) -> float:
        """How long until `points` are available again."""
        missing = points - self.currently_available
        if missing <= 0 or self.restore_rate <= 0:
            return 0.0
        return missing / self.restore_rate


@dataclass(frozen=True)
class QueryCost:
    requested: float
    actual: float | None
    throttle: ThrottleStatus | None

    @classmethod
    def from_extensions(cls, extensions: dict | None) -> QueryCost | None:
        cost = (extensions or {}).get("cost")
        if not isinstance(cost, dict):
            return None
        status = cost.get("throttleStatus") or {}
        throttle = None
        if status:
            throttle = ThrottleStatus(
                maximum_available=float(status.get("maximumAvailable", 0)),
                currently_available=float(status.get("currentlyAvailable", 0)),
                restore_rate=float(status.get("restoreRate", 0)),
            )
        actual = cost.get("actualQueryCost")
        return cls(
            requested=float(cost.get("requestedQueryCost") or 0),
            actual=float(actual) if actual is not None else None,
            throttle=throttle,
        )


@dataclass(frozen=True)
class GraphQLResponse:
    data: dict[str, Any]
    cost: QueryCost | None
    request_id: str | None


@dataclass(frozen=True)
class ShopDetails:
    name: str
    currency_code: str
    myshopify_domain: str
    iana_timezone: str
    primary_domain_url: str

    @classmethod
    def from_data(cls, data: dict) -> ShopDetails:
        shop = data["shop"]
        return cls(
            name=shop.get("name") or "",
            currency_code=shop.get("currencyCode") or "",
            myshopify_domain=shop.get("myshopifyDomain") or "",
            iana_timezone=shop.get("ianaTimezone") or "",
            primary_domain_url=(shop.get("primaryDomain") or {}).get("url") or "",
        )
