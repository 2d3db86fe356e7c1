"""Idempotency keys of state-changing calls, as Meta's order best practices describe them: the same key
with the same request is not executed again and gets the first answer (errors included); the same key
with a different request is an error. A key is unique per app, across every endpoint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from orderguard.sandbox.meta import errors
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaIdempotencyRecord

IGNORED_PARAMS = {"access_token", "appsecret_proof", "idempotency_key"}


def fingerprint(*, method: str, path: str, params: dict) -> str:
    canonical = {key: value for key, value in params.items() if key not in IGNORED_PARAMS}
    # JSON-encoded params (orders, items, cancel_reason) compare by meaning, not by spelling.
    for key, value in canonical.items():
        if isinstance(value, str) and value[:1] in "[{":
            try:
                canonical[key] = json.loads(value)
            except ValueError:
                pass
    text = json.dumps({"method": method, "path": path, "params": canonical}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def required_key(params: dict) -> str:
    key = str(params.get("idempotency_key") or "").strip()
    if not key:
        raise errors.invalid_parameter("The parameter idempotency_key is required")
    return key


def run_once(
    *, key: str, print_: str, account: MetaCommerceAccount | None, now: datetime, operation: Callable[[], dict]
) -> tuple[int, dict]:
    """Run `operation` (returns the body; raises GraphError) once per key. Returns (status, body)."""
    app_id = settings.META_APP_ID
    try:
        with transaction.atomic(using="sandbox"):
            record = MetaIdempotencyRecord.objects.select_for_update().filter(app_id=app_id, key=key).first()
            if record is not None:
                return _replay(record, print_)
            try:
                with transaction.atomic(using="sandbox"):
                    status, body = 200, operation()
            except errors.GraphError as error:
                status, body = error.status, error.body()
            MetaIdempotencyRecord.objects.create(
                app_id=app_id, key=key, fingerprint=print_, account=account, status_code=status, body=body, created_at=now
            )
            return status, body
    except IntegrityError:
        # A concurrent request with the same key committed first: this one's work was rolled back.
        return _replay(MetaIdempotencyRecord.objects.get(app_id=app_id, key=key), print_)


def _replay(record: MetaIdempotencyRecord, print_: str) -> tuple[int, dict]:
    if record.fingerprint != print_:
        raise errors.invalid_parameter(
            "The idempotency_key has already been used for a different request. Use a new idempotency_key."
        )
    return record.status_code, record.body
