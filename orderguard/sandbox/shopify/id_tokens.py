"""What Shopify admin does for an embedded app: mint one-minute ID tokens signed with the app's secret."""

from __future__ import annotations

import time
import uuid

import jwt
from django.conf import settings

ID_TOKEN_LIFETIME = 60


def mint_id_token(*, shop_domain: str, user_id: int = 1, now: float | None = None, lifetime: int = ID_TOKEN_LIFETIME) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": f"https://{shop_domain}/admin",
        "dest": f"https://{shop_domain}",
        "aud": settings.SHOPIFY_API_KEY,
        "sub": str(user_id),
        "exp": issued + lifetime,
        "nbf": issued,
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "sid": uuid.uuid5(uuid.NAMESPACE_URL, f"{shop_domain}/{user_id}").hex,
    }
    return jwt.encode(claims, settings.SHOPIFY_API_SECRET, algorithm="HS256")
