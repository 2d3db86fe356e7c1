"""Meta (Facebook/Instagram) Graph API: commerce orders, commerce accounts, Pages and tokens.

Plain integration layer: no Django imports; credentials, URLs and stored throttle waits are passed in by
the caller. `MetaGraphClient` (client.py) is the entry point; errors.py holds the error tree, types.py the
typed results, usage.py the rate-limit headers and fields.py the field selections.
"""

from orderguard.integrations.meta.client import MetaGraphClient, appsecret_proof
from orderguard.integrations.meta.errors import (
    MetaAuthError,
    MetaError,
    MetaInvalidRequestError,
    MetaPermissionError,
    MetaThrottledError,
    MetaTransientError,
)
from orderguard.integrations.meta.fields import ITEM_FIELDS, ORDER_FIELDS
from orderguard.integrations.meta.types import (
    CancelledItem,
    CancelResult,
    CommerceAccount,
    GranularScope,
    MetaApp,
    MetaCancellation,
    MetaOrder,
    MetaOrderItem,
    MetaPage,
    SetupStatus,
    TokenInfo,
)
from orderguard.integrations.meta.usage import AppUsage, BusinessUseCaseUsage, Usage

__all__ = [
    "ITEM_FIELDS",
    "ORDER_FIELDS",
    "AppUsage",
    "BusinessUseCaseUsage",
    "CancelResult",
    "CancelledItem",
    "CommerceAccount",
    "GranularScope",
    "MetaApp",
    "MetaAuthError",
    "MetaCancellation",
    "MetaError",
    "MetaGraphClient",
    "MetaInvalidRequestError",
    "MetaOrder",
    "MetaOrderItem",
    "MetaPage",
    "MetaPermissionError",
    "MetaThrottledError",
    "MetaTransientError",
    "SetupStatus",
    "TokenInfo",
    "Usage",
    "appsecret_proof",
]
