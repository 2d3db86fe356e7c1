"""The Graph API client: one instance per Meta connection, built by the caller with that connection's token.

What it owns, so callers don't have to:
- Authentication. Every call that carries an access token also carries its `appsecret_proof`
  (HMAC-SHA256 of the token keyed by the app secret), so a leaked token alone is useless when the app has
  "Require App Secret" on. The token, the proof and the app secret never appear in logs, reprs or errors.
- Timeouts on every call.
- Retries. Only reads (GET) are retried, only on transient failures, with exponential backoff and jitter,
  at most `max_attempts` times. Writes are never retried here: a write that timed out may have run, and
  only the caller can replay it safely (same idempotency key).
- Throttling. Throttled errors are raised, not retried: calling Meta while throttled extends the throttle.
  After a throttle, or a response whose X-Business-Use-Case-Usage says access returns later, the client
  refuses further calls until `not_before` (no HTTP request at all). The caller stores `not_before` (or the
  error's `retry_after`) and passes it back when it builds the next client for the same connection.
- Paging. `paging.next` is followed only when it points at our own base URL (it carries our token in its
  query string); otherwise the `after` cursor is used on the original path.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import requests

from orderguard.integrations.meta.errors import (
    MetaError,
    MetaThrottledError,
    MetaTransientError,
    error_from_response,
)
from orderguard.integrations.meta.fields import (
    CANCEL_REASON_CODES,
    CANCELLATION_FIELDS,
    COMMERCE_ACCOUNT_FIELDS,
    ITEM_FIELDS,
    ORDER_FIELDS,
    ORDER_FILTERS,
    ORDER_STATES,
    PAGE_FIELDS,
)
from orderguard.integrations.meta.types import (
    CancelResult,
    CommerceAccount,
    MetaApp,
    MetaCancellation,
    MetaOrder,
    MetaOrderItem,
    MetaPage,
    SetupStatus,
    TokenInfo,
)
from orderguard.integrations.meta.health_types import CheckoutSettings, MetaShop, SetupStatusDetail
from orderguard.integrations.meta.usage import Usage

logger = logging.getLogger("orderguard.integrations.meta")

BACKOFF_BASE = 1.0  # seconds before the first retry (before jitter)
BACKOFF_CAP = 10.0
HIGH_USAGE_PERCENT = 80  # log when any limit is this used up
_AUTH_PARAMS = frozenset({"access_token", "appsecret_proof"})


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """Hex HMAC-SHA256 of the access token keyed by the app secret."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


class MetaGraphClient:
    def __init__(
        self,
        *,
        access_token: str,
        app_secret: str,
        api_version: str = "v25.0",
        base_url: str = "https://graph.facebook.com",
        app_id: str = "",
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = (5, 20),
        max_attempts: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        not_before: float | None = None,
        on_deprecation: Callable[[str, str], None] | None = None,
    ):
        if not app_secret:
            raise ValueError("app_secret is required: every call carries an appsecret_proof")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._access_token = access_token
        self._app_secret = app_secret
        self.app_id = app_id
        self.api_version = api_version.strip("/")
        self.base_url = base_url.rstrip("/")
        self._origin = _origin(self.base_url)
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self.timeout = timeout
        self.max_attempts = max_attempts
        self._sleep = sleep
        self._clock = clock
        self._random = random.Random()
        # Unix time before which no call is made (a throttle still running). Persist it across clients.
        self.not_before = not_before
        self.last_usage: Usage | None = None
        # Meta's deprecation signal: `x-fb-api-version` names the version that answered; a different one
        # than asked for means ours is past its end and Meta upgraded the call (empty while they agree).
        self.last_version_mismatch: str = ""
        # Told (the signal, the call that drew it) on each one; the project's factory makes it durable.
        self.on_deprecation = on_deprecation
        self.calls = 0  # HTTP requests actually sent

    def __repr__(self) -> str:
        return f"MetaGraphClient(base_url={self.base_url!r}, api_version={self.api_version!r}, app_id={self.app_id!r})"

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> MetaGraphClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # Core API
    # --------------------------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict:
        """A read; retried on transient failures."""
        return self._call("GET", self._url(path), params=params)

    def post(self, path: str, data: Mapping[str, Any]) -> dict:
        """A write, form-encoded (dicts and lists JSON-encoded, as Graph expects). Never retried."""
        return self._call("POST", self._url(path), data=data)

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> dict:
        """A delete. Never retried."""
        return self._call("DELETE", self._url(path), params=params)

    def paginate(self, path: str, params: Mapping[str, Any] | None = None) -> Iterator[dict]:
        """Every element of `data` across all pages of a Graph edge, page sizes as Meta chooses them."""
        first_url, first_params = self._url(path), dict(params or {})
        url, query = first_url, first_params
        seen: set[tuple[str, tuple]] = set()
        while True:
            seen.add((url, tuple(sorted((key, str(value)) for key, value in query.items()))))
            page = self._call("GET", url, params=query)
            yield from (item for item in page.get("data") or () if isinstance(item, dict))
            following = self._next_page(page, first_url, first_params)
            if following is None:
                return
            url, query = following
            if (url, tuple(sorted((key, str(value)) for key, value in query.items()))) in seen:
                logger.warning("Meta paging for %s repeated a page; stopping", urlsplit(first_url).path)
                return

    # Orders
    # --------------------------------------------------------------------------------------------------

    def list_orders(
        self,
        cms_id: str,
        *,
        states: Sequence[str],
        updated_after: datetime | None = None,
        filters: Sequence[str] = (),
        fields: str = ORDER_FIELDS,
        limit: int = 25,
    ) -> Iterator[MetaOrder]:
        """Orders of a commerce account in any of `states` (OR), matching all `filters` (AND).

        `updated_after` (aware) limits to orders whose status changed after it; sent as unix seconds.
        """
        states, filters = _as_tuple(states), _as_tuple(filters)
        _check_values("state", states, ORDER_STATES, required=True)
        _check_values("filter", filters, ORDER_FILTERS)
        params: dict[str, Any] = {"state": ",".join(states), "fields": fields, "limit": limit}
        if filters:
            params["filters"] = ",".join(filters)
        if updated_after is not None:
            if updated_after.tzinfo is None:
                raise ValueError("updated_after must be timezone-aware")
            params["updated_after"] = int(updated_after.timestamp())
        pages = self.paginate(f"{cms_id}/commerce_orders", params)
        return (self._with_all_items(MetaOrder.from_api(data)) for data in pages)

    def get_order(self, order_id: str, *, fields: str = ORDER_FIELDS) -> MetaOrder:
        return self._with_all_items(MetaOrder.from_api(self.get(str(order_id), {"fields": fields})))

    def acknowledge_order(
        self, order_id: str, *, idempotency_key: str, merchant_order_reference: str | None = None
    ) -> dict:
        """CREATED -> IN_PROGRESS. Returns Meta's answer, e.g. {"id": ..., "state": "IN_PROGRESS"}.

        The caller generates `idempotency_key` (a UUID) and persists it BEFORE calling, and reuses it when
        it replays the same acknowledgement: Meta then returns the first result instead of acting twice.
        """
        data = {"idempotency_key": _required_key(idempotency_key)}
        if merchant_order_reference:
            data["merchant_order_reference"] = merchant_order_reference
        return self.post(f"{order_id}/acknowledge_order", data)

    def cancel_order(
        self,
        order_id: str,
        *,
        idempotency_key: str,
        reason_code: str = "CANCEL_REASON_OTHER",
        reason_description: str = "",
        restock_items: bool = False,
    ) -> CancelResult:
        """Cancel a whole unshipped order. `reason_description` may be shown to the buyer.

        The caller generates `idempotency_key` (a UUID) and persists it BEFORE calling, and reuses it when
        it replays the same cancellation: Meta then does not cancel twice. Never retried here: after a
        timeout (MetaTransientError) the caller reads `order_cancellations` to learn whether it ran.
        """
        if reason_code not in CANCEL_REASON_CODES:
            raise ValueError(f"Unknown cancel reason code {reason_code!r}")
        cancel_reason = {"reason_code": reason_code}
        if reason_description:
            cancel_reason["reason_description"] = reason_description
        data = {
            "cancel_reason": cancel_reason,
            "restock_items": restock_items,
            "idempotency_key": _required_key(idempotency_key),
        }
        body = self.post(f"{order_id}/cancellations", data)
        return CancelResult(success=body.get("success") is True, idempotency_key=idempotency_key)

    def order_cancellations(self, order_id: str) -> list[MetaCancellation]:
        """Every cancellation of the order: how a caller whose cancel timed out learns whether it ran."""
        rows = self.paginate(f"{order_id}/cancellations", {"fields": CANCELLATION_FIELDS})
        return [MetaCancellation.from_api(row) for row in rows]

    # Commerce account
    # --------------------------------------------------------------------------------------------------

    def order_management_apps(self, cms_id: str) -> list[MetaApp]:
        """Apps registered to manage the account's orders; orders wait in CREATED only if there is one."""
        apps = self.paginate(f"{cms_id}/order_management_apps", {"fields": "id,name"})
        return [MetaApp.from_api(app) for app in apps]

    def setup_status(self, cms_id: str) -> SetupStatus:
        entries = self.get(f"{cms_id}/setup_status").get("data") or [{}]
        return SetupStatus.from_api(entries[0] if isinstance(entries[0], dict) else {})

    def commerce_account(self, cms_id: str) -> CommerceAccount:
        return CommerceAccount.from_api(self.get(str(cms_id), {"fields": COMMERCE_ACCOUNT_FIELDS}))

    def pages(self) -> list[MetaPage]:
        """The Pages the token's user manages, each with its Page access token."""
        return [MetaPage.from_api(page) for page in self.paginate("me/accounts", {"fields": PAGE_FIELDS})]

    def page_commerce_accounts(self, page_id: str) -> list[str]:
        """Ids of the commerce accounts (CMS) attached to a Page."""
        body = self.get(str(page_id), {"fields": "commerce_merchant_settings"})
        settings = body.get("commerce_merchant_settings")
        entries = settings.get("data") if isinstance(settings, dict) else None
        return [str(entry["id"]) for entry in entries or () if isinstance(entry, dict) and entry.get("id")]

    # Tokens
    # --------------------------------------------------------------------------------------------------

    def debug_token(self, input_token: str) -> TokenInfo:
        """Inspect a token with the app access token ("{app_id}|{app_secret}")."""
        app_token = f"{self._required_app_id()}|{self._app_secret}"
        params = {"input_token": input_token}
        body = self._call("GET", self._url("debug_token"), params=params, token=app_token, secrets=(input_token,))
        return TokenInfo.from_api(body.get("data") or {})

    def exchange_code_for_token(self, *, code: str, redirect_uri: str) -> str:
        """Trade a Facebook Login code for a (short-lived) user access token.

        Authenticated by client_id/client_secret as Meta documents, so no access token (and no proof) is
        sent. Not retried: a code works once, so a replay after a lost response could only fail.
        """
        params = {
            "client_id": self._required_app_id(),
            "client_secret": self._app_secret,
            "redirect_uri": redirect_uri,
            "code": code,
        }
        body = self._call("GET", self._url("oauth/access_token"), params=params, token="", secrets=(code,), retry=False)
        return _token_from(body)

    def exchange_for_long_lived_token(self, short_lived_token: str) -> str:
        """Trade a short-lived user token for a long-lived one (about 60 days)."""
        params = {
            "grant_type": "fb_exchange_token",
            "client_id": self._required_app_id(),
            "client_secret": self._app_secret,
            "fb_exchange_token": short_lived_token,
        }
        body = self._call("GET", self._url("oauth/access_token"), params=params, token="", secrets=(short_lived_token,))
        return _token_from(body)

    # Internals
    # --------------------------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{self.api_version}/{str(path).lstrip('/')}"

    def _required_app_id(self) -> str:
        if not self.app_id:
            raise ValueError("This call needs the client built with app_id")
        return self.app_id

    def _call(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        token: str | None = None,
        secrets: Iterable[str] = (),
        retry: bool = True,
    ) -> dict:
        token = self._access_token if token is None else token
        attempts = self.max_attempts if method == "GET" and retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._send_once(method, url, params=params, data=data, token=token, secrets=secrets)
            except MetaTransientError as error:
                if attempt == attempts:
                    raise
                if self._throttled_for() > 0:
                    continue  # the failed response also said we are throttled: the next attempt refuses at once
                delay = self._backoff(attempt)
                logger.info(
                    "Meta %s %s transient failure (fbtrace_id=%s); attempt %d of %d, retrying in %.2fs",
                    method, urlsplit(url).path, error.fbtrace_id, attempt, attempts, delay,
                )
                self._sleep(delay)
        raise AssertionError("unreachable")

    def _send_once(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        token: str,
        secrets: Iterable[str],
    ) -> dict:
        self._refuse_while_throttled(method, url)
        payload = {**_encode(params if method != "POST" else data), **self._auth(token)}
        path = urlsplit(url).path
        self.calls += 1
        failure: MetaError | None = None
        try:
            response = self._session.request(
                method,
                url,
                params=payload if method != "POST" else None,
                data=payload if method == "POST" else None,
                timeout=self.timeout,
                allow_redirects=False,  # a redirect would carry the token's query string to wherever it points
            )
        # The requests exception (and its message) holds the URL, whose query carries the token: raise ours
        # outside the except block so the original is not even chained as __context__.
        except requests.Timeout:
            failure = MetaTransientError(f"Meta {method} {path} timed out")
        except requests.ConnectionError:
            failure = MetaTransientError(f"Meta {method} {path} could not connect")
        except requests.RequestException as exc:
            failure = MetaError(f"Meta {method} {path} failed ({type(exc).__name__})")
        if failure is not None:
            raise self._logged(failure, method, path)

        usage = Usage.from_headers(response.headers)
        self.last_usage = usage
        self._note_usage(usage, path)
        self._note_version(response.headers.get("x-fb-api-version", ""), method, path)
        body = _json(response.content)
        succeeded = 200 <= response.status_code < 300
        if succeeded and isinstance(body, dict) and "error" not in body:
            return body
        if succeeded and isinstance(body, bool):  # a few endpoints answer a bare `true`
            return {"success": body}
        scrubbed = _json(self._scrub(response.text, token, secrets).encode())
        error = error_from_response(response.status_code, scrubbed, regain_seconds=usage.regain_seconds)
        if isinstance(error, MetaThrottledError):
            self._hold_until(self._clock() + error.retry_after)
        raise self._logged(error, method, path)

    def _with_all_items(self, order: MetaOrder) -> MetaOrder:
        """An order whose nested `items` edge was cut at a page boundary, completed from /{order-id}/items."""
        if not order.has_more_items:
            return order
        items = self.paginate(f"{order.id}/items", {"fields": ITEM_FIELDS, "limit": 100})
        return replace(order, items=tuple(MetaOrderItem.from_api(item) for item in items), has_more_items=False)

    def _auth(self, token: str) -> dict[str, str]:
        if not token:
            return {}
        return {"access_token": token, "appsecret_proof": appsecret_proof(token, self._app_secret)}

    def _throttled_for(self) -> float:
        return 0.0 if self.not_before is None else self.not_before - self._clock()

    def _refuse_while_throttled(self, method: str, url: str) -> None:
        wait = self._throttled_for()
        if wait > 0:
            logger.info("Meta %s %s not sent: throttled for another %.0fs", method, urlsplit(url).path, wait)
            raise MetaThrottledError(
                f"Meta rate limit still in force for {wait:.0f}s; request not sent", retry_after=wait
            )

    def _hold_until(self, when: float) -> None:
        self.not_before = max(self.not_before or 0.0, when)

    def _note_version(self, served: str, method: str = "GET", path: str = "") -> None:
        served = served.strip()[:16]
        if served and served != self.api_version:
            self.last_version_mismatch = served
            # The call by its shape, ids left out ("GET /{id}/commerce_orders"): one signal per kind of call.
            parts = path.strip("/").split("/")
            parts = parts[parts.index(self.api_version) + 1:] if self.api_version in parts else parts
            call = f"{method} /" + "/".join("{id}" if part.isdigit() else part for part in parts)
            logger.warning("Meta answered with Graph API %s instead of %s: ours is deprecated (%s)", served, self.api_version, call)
            if self.on_deprecation is not None:
                self.on_deprecation(f"Graph API {self.api_version} answered as {served}", call)

    def _note_usage(self, usage: Usage, path: str) -> None:
        if usage.regain_seconds > 0:
            self._hold_until(self._clock() + usage.regain_seconds)
            logger.warning(
                "Meta usage for %s: access returns in %.0fs; holding further calls", path, usage.regain_seconds
            )
        elif usage.max_percent >= HIGH_USAGE_PERCENT:
            logger.info("Meta usage for %s at %d%% of a rate limit", path, usage.max_percent)

    def _backoff(self, attempt: int) -> float:
        """Exponential with equal jitter: between half and all of BACKOFF_BASE * 2^(attempt-1), capped."""
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        return ceiling / 2 + self._random.uniform(0, ceiling / 2)

    def _scrub(self, text: str, token: str, secrets: Iterable[str]) -> str:
        """Remove every credential this call used from text Meta sent back."""
        values = {token, self._app_secret, *secrets}
        if token:
            values.add(appsecret_proof(token, self._app_secret))
        for value in sorted((value for value in values if value), key=len, reverse=True):
            text = text.replace(value, "[redacted]").replace(quote(value, safe=""), "[redacted]")
        return text

    def _logged(self, error: MetaError, method: str, path: str) -> MetaError:
        logger.warning(
            "Meta %s %s failed: %s code=%s subcode=%s http=%s fbtrace_id=%s: %s",
            method, path, type(error).__name__, error.code, error.subcode, error.http_status, error.fbtrace_id,
            error.message[:300],
            extra={"fbtrace_id": error.fbtrace_id, "meta_error_code": error.code},
        )
        return error

    def _next_page(self, page: dict, url: str, params: dict) -> tuple[str, dict] | None:
        paging = page.get("paging") if isinstance(page.get("paging"), dict) else {}
        next_url = paging.get("next")
        if not next_url or not isinstance(next_url, str):
            return None  # the last page (it may still carry cursors)
        if _origin(next_url) == self._origin:
            parts = urlsplit(next_url)
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            query = {key: value for key, value in pairs if key not in _AUTH_PARAMS}
            return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), query
        cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
        after = cursors.get("after")
        # Log only the host: the URL's query would carry a token.
        logger.warning(
            "Meta paging.next for %s points at %s, not %s",
            urlsplit(url).path, urlsplit(next_url).netloc, self._origin[1],
        )
        if not after:
            return None
        return url, {**params, "after": after}

    # Health reads (the checks of orderguard/health)
    # --------------------------------------------------------------------------------------------------

    def setup_status_detail(self, cms_id: str) -> SetupStatusDetail:
        """/setup_status with the review's reasons and Meta's help links."""
        entries = self.get(f"{cms_id}/setup_status", {"fields": "shop_setup,payment_setup,review_status"}).get("data") or [{}]
        return SetupStatusDetail.from_api(entries[0] if isinstance(entries[0], dict) else {})

    def commerce_shops(self, cms_id: str) -> list[MetaShop]:
        """The account's Shops with the status of their Facebook and Instagram sales channels."""
        rows = self.paginate(f"{cms_id}/shops", {"fields": "id,fb_sales_channel{status},ig_sales_channel{status},shop_status"})
        return [MetaShop.from_api(row) for row in rows]

    def checkout_settings(self, cms_id: str) -> CheckoutSettings:
        fields = "id,cta,onsite_commerce_merchant,offsite_iab_checkout_enabled_countries"
        return CheckoutSettings.from_api(self.get(str(cms_id), {"fields": fields}))


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _encode(values: Mapping[str, Any] | None) -> dict[str, str]:
    """Form/query values as Graph reads them: booleans lowercase, objects and arrays as JSON."""
    encoded = {}
    for key, value in (values or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            encoded[key] = "true" if value else "false"
        elif isinstance(value, (dict, list, tuple)):
            encoded[key] = json.dumps(value, separators=(",", ":"))
        else:
            encoded[key] = str(value)
    return encoded


def _json(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


def _token_from(body: dict) -> str:
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise MetaError("Meta's token endpoint answered without an access_token")
    return token


def _as_tuple(values: Sequence[str] | str) -> tuple[str, ...]:
    return (values,) if isinstance(values, str) else tuple(values)


def _check_values(name: str, values: tuple[str, ...], allowed: frozenset[str], *, required: bool = False) -> None:
    if required and not values:
        raise ValueError(f"At least one {name} is required")
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValueError(f"Unknown {name}(s): {', '.join(unknown)}")


def _required_key(idempotency_key: str) -> str:
    if not idempotency_key:
        raise ValueError("idempotency_key is required (generate and persist it before calling)")
    return idempotency_key
