"""Load a scenario (docs/sandbox-scenarios.md) into the sandbox platforms.

Loading is idempotent: it replaces what the scenario names (the shop's orders, the commerce accounts and
their orders, the tokens) and leaves everything else alone. All times are relative to the load. A
scenario that contradicts the stand-in's rules (an FB_PROCESSING order past its processing period that
is not marked stuck, an unknown state, a missing field) is refused with the path of the problem, so a
case never silently means something else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from orderguard.sandbox.admin_views import app_toml_scopes
from orderguard.sandbox.meta import faults, orders, shopify_channel
from orderguard.sandbox.meta.models import MetaCommerceAccount, MetaOrder, MetaToken, MetaUser
from orderguard.sandbox.models import SandboxShop, SandboxShopifyOrder
from orderguard.sandbox.scenarios import SCENARIOS_DIR
from orderguard.sandbox.scenarios.health_keys import HealthScenarioError, load_health
from orderguard.sandbox.scenarios.times import parse_time
from orderguard.sandbox.shopify.draft_models import SandboxProductVariant

State = MetaOrder.State
SHOPIFY_APP = {"id": shopify_channel.APP_ID, "name": "Shopify"}
ORDER_ID_DIGITS = (15, 16)
WEB_CHANNELS = {
    "web": ("online_store", "Online Store"),
    "pos": ("pos", "Point of Sale"),
    "shopify_draft_order": ("", ""),
}


class ScenarioError(ValueError):
    pass


@dataclass
class LoadedToken:
    value: str
    kind: str
    accounts: list[str]
    scopes: list[str]
    file: str


@dataclass
class LoadResult:
    name: str
    shop: str
    accounts: dict[str, dict] = field(default_factory=dict)  # id -> {"behaviour", "states": {state: n}}
    shopify_orders: int = 0
    variants: int = 0
    tokens: list[LoadedToken] = field(default_factory=list)


def resolve_path(name_or_path: str | Path) -> Path:
    """A file path, or the name of a shipped scenario ("demo" -> scenarios/demo.json)."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = SCENARIOS_DIR / f"{str(name_or_path).removesuffix('.json')}.json"
    if shipped.is_file():
        return shipped
    raise ScenarioError(f"No scenario file {name_or_path!r} (shipped ones: {', '.join(shipped_names())})")


def shipped_names() -> list[str]:
    return sorted(path.stem for path in SCENARIOS_DIR.glob("*.json"))


def load_file(name_or_path: str | Path, *, now: datetime | None = None) -> LoadResult:
    path = resolve_path(name_or_path)
    try:
        data = json.loads(path.read_text())
    except ValueError as error:
        raise ScenarioError(f"{path}: not valid JSON ({error})") from None
    return load(data, now=now, default_name=path.stem)


def load(data: dict, *, now: datetime | None = None, default_name: str = "scenario") -> LoadResult:
    now = now or timezone.now()
    with transaction.atomic(using="sandbox"):
        return _Loader(data, now).run(default_name)


class _Loader:
    def __init__(self, data: dict, now: datetime):
        if not isinstance(data, dict):
            raise ScenarioError("A scenario is a JSON object")
        self.data = data
        self.now = now
        self.shopify_pending: list[tuple[datetime, str, dict]] = []

    # Helpers ------------------------------------------------------------------------------------------

    def time(self, value, where: str) -> datetime:
        try:
            return parse_time(value, now=self.now)
        except ValueError as error:
            raise ScenarioError(f"{where}: {error}") from None

    @staticmethod
    def money(value, where: str) -> Decimal:
        try:
            return Decimal(str(value)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ScenarioError(f"{where}: {value!r} is not an amount") from None

    @staticmethod
    def need(mapping: dict, key: str, where: str):
        if key not in mapping or mapping[key] in (None, ""):
            raise ScenarioError(f"{where}: {key} is required")
        return mapping[key]

    # Steps ---------------------------------------------------------------------------------------------

    def run(self, default_name: str) -> LoadResult:
        self.shop = self.load_shop(self.need(self.data, "shop", "scenario"))
        result = LoadResult(name=self.data.get("name") or default_name, shop=self.shop.domain)
        if "variants" in self.data:
            result.variants = self.load_variants(self.data["variants"])
        for index, user in enumerate(self.data.get("meta_users", [])):
            where = f"meta_users[{index}]"
            MetaUser.objects.update_or_create(id=str(self.need(user, "id", where)), defaults={"name": self.need(user, "name", where)})
        self.accounts = {}
        for index, spec in enumerate(self.need(self.data, "accounts", "scenario")):
            account = self.load_account(spec, f"accounts[{index}]")
            self.accounts[account.id] = account
        for index, spec in enumerate(self.data.get("tokens", [])):
            result.tokens.append(self.load_token(spec, f"tokens[{index}]"))
        for index, spec in enumerate(self.data.get("orders", [])):
            self.load_order(spec, f"orders[{index}]")
        for index, spec in enumerate(self.data.get("shopify_orders", [])):
            self.queue_shopify_order(spec, f"shopify_orders[{index}]")
        result.shopify_orders = self.create_shopify_orders()
        for index, spec in enumerate(self.data.get("faults", [])):
            self.load_fault(spec, f"faults[{index}]")
        try:
            load_health(self.data.get("health"), shop=self.shop, accounts=self.accounts)
        except HealthScenarioError as error:
            raise ScenarioError(str(error)) from None
        for account in self.accounts.values():
            orders.advance(account=account, now=self.now)
            states: dict[str, int] = {}
            for state in account.orders.values_list("state", flat=True):
                states[state] = states.get(state, 0) + 1
            result.accounts[account.id] = {"display_name": account.display_name, "behaviour": account.channel_behaviour, "states": states}
        return result

    def load_shop(self, spec: dict) -> SandboxShop:
        domain = str(self.need(spec, "domain", "shop"))
        if not domain.endswith(".myshopify.com"):
            raise ScenarioError(f"shop.domain: {domain!r} must end with .myshopify.com")
        defaults = {
            "name": self.need(spec, "name", "shop"),
            "currency_code": spec.get("currency", "USD"),
            "email": spec.get("email", ""),
            "iana_timezone": spec.get("timezone", "America/New_York"),
            "primary_domain_url": spec.get("primary_domain_url", ""),
            "plan_name": spec.get("plan", "Basic"),
            "facebook_channel_installed": bool(spec.get("facebook_channel_installed", True)),
        }
        if "app_installed" in spec:
            installed = bool(spec["app_installed"])
            defaults.update(app_installed=installed, granted_scopes=app_toml_scopes() if installed else "")
        shop, _ = SandboxShop.objects.update_or_create(domain=domain, defaults=defaults)
        shop.orders.all().delete()  # the scenario owns the shop's orders
        self.first_order_number = int(spec.get("first_order_number", shopify_channel.FIRST_ORDER_NUMBER))
        return shop

    def load_variants(self, specs) -> int:
        """The shop's product variants (what Meta's items map to); a scenario with the field owns them."""
        if not isinstance(specs, list):
            raise ScenarioError("variants: a list of variants")
        rows = []
        for index, spec in enumerate(specs):
            where = f"variants[{index}]"
            try:
                numeric_id, product_id = int(self.need(spec, "id", where)), int(self.need(spec, "product_id", where))
            except (TypeError, ValueError):
                raise ScenarioError(f"{where}: id and product_id are numbers") from None
            status = spec.get("status", "ACTIVE")
            if status not in ("ACTIVE", "ARCHIVED", "DRAFT"):
                raise ScenarioError(f"{where}.status: {status!r} is not ACTIVE, ARCHIVED or DRAFT")
            rows.append(SandboxProductVariant(
                shop=self.shop, numeric_id=numeric_id, product_numeric_id=product_id, product_title=self.need(spec, "product", where),
                title=spec.get("title", "Default Title"), sku=str(spec.get("sku", "")), product_status=status,
                price=self.money(self.need(spec, "price", where), f"{where}.price"), inventory_quantity=int(spec.get("inventory", 10)),
            ))
        ids = [row.numeric_id for row in rows]
        if len(set(ids)) != len(ids):
            raise ScenarioError("variants: two variants share an id")
        SandboxProductVariant.objects.filter(shop=self.shop).delete()
        SandboxProductVariant.objects.filter(numeric_id__in=ids).delete()
        SandboxProductVariant.objects.bulk_create(rows)
        return len(rows)

    def load_account(self, spec: dict, where: str) -> MetaCommerceAccount:
        cms_id = str(self.need(spec, "id", where))
        page = self.need(spec, "page", where)
        page_id = str(self.need(page, "id", f"{where}.page"))
        MetaCommerceAccount.objects.filter(id=cms_id).delete()
        MetaCommerceAccount.objects.filter(page_id=page_id).delete()
        behaviour = spec.get("behaviour", "healthy")
        if behaviour not in MetaCommerceAccount.Behaviour.values:
            raise ScenarioError(f"{where}.behaviour: {behaviour!r} is not one of {MetaCommerceAccount.Behaviour.values}")
        checkout = spec.get("checkout", "onsite")
        if checkout not in MetaCommerceAccount.Checkout.values:
            raise ScenarioError(f"{where}.checkout: {checkout!r} is not one of {MetaCommerceAccount.Checkout.values}")
        admin = page.get("admin")
        if admin is not None and not MetaUser.objects.filter(id=str(admin)).exists():
            raise ScenarioError(f"{where}.page.admin: no meta_users entry with id {admin!r}")
        setup = spec.get("setup_status", {})
        return MetaCommerceAccount.objects.create(
            id=cms_id,
            display_name=spec.get("display_name", self.shop.name),
            business_id=str(spec.get("business_id", "")),
            page_id=page_id,
            page_name=self.need(page, "name", f"{where}.page"),
            page_admin_id=str(admin) if admin is not None else None,
            instagram_user_id=str(spec.get("instagram_user_id", "")),
            contact_email=spec.get("contact_email", self.shop.email),
            currency=spec.get("currency", self.shop.currency_code),
            shopify_shop=self.shop if spec.get("syncs_with_shop", True) else None,
            order_management_apps=self.oms_apps(spec.get("order_management_app", "shopify"), f"{where}.order_management_app"),
            checkout=checkout,
            merchant_status=spec.get("merchant_status", "ENABLED"),
            shop_setup=setup.get("shop_setup", "SETUP"),
            payment_setup=setup.get("payment_setup", "SETUP"),
            review_status=setup.get("review_status", "APPROVED"),
            channel_behaviour=behaviour,
            behaviour_since=self.time(spec.get("behaviour_since", "now"), f"{where}.behaviour_since"),
            ack_delay_minutes=int(spec.get("ack_delay_minutes", 3)),
            engaged_users=int(spec.get("engaged_users", 1)),
        )

    @staticmethod
    def oms_apps(value, where: str) -> list[dict]:
        if value in (None, False, "none"):
            return []
        if value == "shopify":
            return [dict(SHOPIFY_APP)]
        if isinstance(value, dict) and value.get("id"):
            return [{"id": str(value["id"]), "name": value.get("name", "")}]
        raise ScenarioError(f'{where}: use "shopify", null or {{"id": ..., "name": ...}}')

    def load_token(self, spec: dict, where: str) -> LoadedToken:
        value = str(self.need(spec, "value", where))
        kind = spec.get("type", "SYSTEM_USER")
        if kind not in MetaToken.Kind.values:
            raise ScenarioError(f"{where}.type: {kind!r} is not one of {MetaToken.Kind.values}")
        account_ids = [str(a) for a in (spec.get("accounts") or [self.need(spec, "account", where)])]
        targets = []
        for account_id in account_ids:
            account = self.accounts.get(account_id) or MetaCommerceAccount.objects.filter(id=account_id).first()
            if account is None:
                raise ScenarioError(f"{where}: no account {account_id!r}")
            targets += [account.id, account.page_id]
        expires = spec.get("expires", "never")
        issued = self.time(spec.get("issued", "-1d"), f"{where}.issued")
        MetaToken.objects.filter(value=value).delete()
        first = self.accounts.get(account_ids[0]) or MetaCommerceAccount.objects.get(id=account_ids[0])
        MetaToken.objects.create(
            value=value,
            kind=kind,
            app_id=str(spec.get("app_id", settings.META_APP_ID)),
            scopes=list(spec.get("scopes", ["commerce_account_read_orders", "commerce_account_read_settings"])),
            target_ids=targets,
            user_id=str(spec.get("user_id", first.page_admin_id or f"6100{first.page_id[-8:]}")),
            profile_id=first.page_id if kind == MetaToken.Kind.PAGE else "",
            issued_at=issued,
            expires_at=None if expires == "never" else self.time(expires, f"{where}.expires"),
            data_access_expires_at=None if kind == MetaToken.Kind.SYSTEM_USER else issued + timedelta(days=90),
            is_valid=bool(spec.get("valid", True)),
        )
        file = spec.get("file") or f"{account_ids[0]}-{kind.lower().replace('_', '-')}.token"
        return LoadedToken(value=value, kind=kind, accounts=account_ids, scopes=list(spec.get("scopes", [])), file=file)

    def load_order(self, spec: dict, where: str) -> None:
        order_id = str(self.need(spec, "id", where))
        if not order_id.isdigit() or len(order_id) not in ORDER_ID_DIGITS:
            raise ScenarioError(f"{where}.id: Meta order ids are strings of 15 or 16 digits, not {order_id!r}")
        account = self.order_account(spec, where)
        if account.checkout != MetaCommerceAccount.Checkout.ONSITE:
            raise ScenarioError(f"{where}: account {account.id} uses website checkout, which creates no Meta orders")
        state = spec.get("state", "CREATED")
        if state not in State.values:
            raise ScenarioError(f"{where}.state: {state!r} is not one of {State.values}")
        created = self.time(self.need(spec, "created", where), f"{where}.created")
        processing = int(spec.get("processing_minutes", 30))
        stuck = bool(spec.get("stuck_in_processing", False))
        became_created = None if state == State.FB_PROCESSING else created + timedelta(minutes=processing)
        if spec.get("became_created"):
            became_created = self.time(spec["became_created"], f"{where}.became_created")
        if state == State.FB_PROCESSING and not stuck and created + timedelta(minutes=processing) <= self.now:
            raise ScenarioError(
                f"{where}: FB_PROCESSING since {spec['created']} is past its {processing}-minute processing period; "
                "set stuck_in_processing: true (or a longer processing_minutes)"
            )
        currency = spec.get("currency", account.currency)
        items = self.order_items(order_id, spec, where)
        subtotal = sum((Decimal(row["price_per_unit"]) * row["quantity"] for row in items), Decimal("0"))
        shipping = self.money(spec.get("shipping", "0"), f"{where}.shipping")
        tax = self.money(spec.get("tax", "0"), f"{where}.tax")
        buyer = spec.get("buyer", {})
        buyer_name = buyer.get("name", "Meta Buyer")
        order = MetaOrder(
            id=order_id,
            account=account,
            state=state,
            created=created,
            last_updated=became_created or created,
            channel=spec.get("channel", "facebook"),
            buyer_name=buyer_name,
            buyer_email=buyer.get("email", _relay_email(buyer_name, order_id)),
            buyer_phone=buyer.get("phone", ""),
            email_remarketing_option=bool(buyer.get("email_remarketing_option", False)),
            shipping_address=spec.get("shipping_address") or _default_address(buyer_name),
            selected_shipping_option={
                "name": spec.get("shipping_option", "Standard"),
                "price": str(shipping),
                "min_days": int(spec.get("shipping_days", [3, 7])[0]),
                "max_days": int(spec.get("shipping_days", [3, 7])[1]),
            },
            currency=currency,
            subtotal_items=subtotal,
            subtotal_shipping=shipping,
            tax=tax,
            total=subtotal + shipping + tax,
            items=items,
            merchant_order_id=str(spec.get("merchant_order_id", "")),
            ship_by_date=(became_created or created).date() + timedelta(days=int(spec.get("handling_days", 3))),
            is_test_order=bool(spec.get("is_test_order", False)),
            processing_minutes=processing,
            stuck_in_processing=stuck,
            became_created_at=became_created,
        )
        if order.channel not in shopify_channel.DEFINITIONS:
            raise ScenarioError(f"{where}.channel: {order.channel!r} is not facebook or instagram")
        cancelled = spec.get("cancelled")
        shipped = spec.get("shipped")
        if cancelled and state != State.COMPLETED:
            raise ScenarioError(f"{where}: a cancelled order is COMPLETED (Meta completes fully cancelled orders)")
        # A completed order went through IN_PROGRESS unless it was cancelled before anyone acknowledged it.
        if state == State.COMPLETED:
            acknowledged = bool(shipped) or not cancelled or bool(spec.get("acknowledged"))
        else:
            acknowledged = state == State.IN_PROGRESS
        if acknowledged:
            default_ack = became_created + timedelta(minutes=account.ack_delay_minutes)
            order.acknowledged_at = self.time(spec["acknowledged"], f"{where}.acknowledged") if spec.get("acknowledged") else default_ack
            order.last_updated = order.acknowledged_at
        if state == State.COMPLETED:
            if not cancelled and not shipped:
                shipped = {"at": _iso(min((order.acknowledged_at or created) + timedelta(days=2), self.now - timedelta(minutes=5)))}
            if shipped:
                self.ship(order, shipped, where)
        if cancelled:
            at = self.time(cancelled.get("at", "now"), f"{where}.cancelled.at")
            reason = cancelled.get("reason_code", "CANCEL_REASON_OTHER")
            if reason not in orders.CANCEL_REASON_CODES:
                raise ScenarioError(f"{where}.cancelled.reason_code: {reason!r} is not one of {orders.CANCEL_REASON_CODES}")
            record = orders.cancel_by_meta(order, at=at, reason_code=reason, description=cancelled.get("reason_description", ""))
            record["by"] = cancelled.get("by", "meta")
        order.save()
        self.queue_import(order, spec, where, acknowledged=acknowledged)

    def order_account(self, spec: dict, where: str) -> MetaCommerceAccount:
        """The account named by `account`, or the first account of the scenario."""
        account_id = str(spec.get("account") or next(iter(self.accounts), ""))
        if account_id not in self.accounts:
            raise ScenarioError(f"{where}.account: name one of {list(self.accounts)}")
        return self.accounts[account_id]

    def order_items(self, order_id: str, spec: dict, where: str) -> list[dict]:
        rows = []
        for index, item in enumerate(self.need(spec, "items", where)):
            at = f"{where}.items[{index}]"
            retailer_id = str(self.need(item, "retailer_id", at))
            rows.append({
                "id": str(item.get("id", f"{order_id[-9:]}{index + 1:03d}{order_id[:4]}")),
                "retailer_id": retailer_id,
                "product_id": str(item.get("product_id", _product_id(retailer_id))),
                "product_name": self.need(item, "name", at),
                "quantity": int(item.get("quantity", 1)),
                "price_per_unit": str(self.money(self.need(item, "price", at), f"{at}.price")),
                "cancelled": 0,
                "fulfilled": 0,
            })
        return rows

    def ship(self, order: MetaOrder, shipped: dict, where: str) -> None:
        at = self.time(shipped.get("at", "now"), f"{where}.shipped.at")
        for row in order.items:
            row["fulfilled"] = row["quantity"]
        order.shipments = [{
            "id": orders.new_id(15),
            "tracking_info": {"tracking_number": shipped.get("tracking_number", f"1Z{order.id[-10:]}"), "carrier": shipped.get("carrier", "UPS")},
            "items": [{"id": row["id"], "quantity": row["quantity"]} for row in order.items],
            "shipped_at": at.isoformat(),
        }]
        order.last_updated = at

    def queue_import(self, order: MetaOrder, spec: dict, where: str, *, acknowledged: bool) -> None:
        shopify = spec.get("shopify", "imported" if acknowledged else "absent")
        if shopify == "absent":
            return
        options = {} if shopify == "imported" else dict(shopify)
        if not isinstance(options, dict):
            raise ScenarioError(f'{where}.shopify: use "imported", "absent" or an object of overrides')
        if not (self.shop.facebook_channel_installed and order.account.shopify_shop_id == self.shop.pk):
            raise ScenarioError(f"{where}.shopify: the order's account does not sync with a shop that has the Facebook & Instagram channel")
        default_at = order.acknowledged_at or (order.became_created_at or order.created) + timedelta(minutes=order.account.ack_delay_minutes)
        at = self.time(options.pop("imported_at"), f"{where}.shopify.imported_at") if "imported_at" in options else default_at
        self.shopify_pending.append((at, "import", {"order": order, "options": options, "where": where}))

    def queue_shopify_order(self, spec: dict, where: str) -> None:
        created = self.time(self.need(spec, "created", where), f"{where}.created")
        self.shopify_pending.append((created, "extra", {"spec": spec, "where": where}))

    def create_shopify_orders(self) -> int:
        """Create the queued Shopify orders oldest first, so order numbers rise with time."""
        explicit = {int(str(item["spec"]["name"]).lstrip("#")) for _, kind, item in self.shopify_pending if kind == "extra" and item["spec"].get("name")}
        explicit |= {int(str(item["options"]["name"]).lstrip("#")) for _, kind, item in self.shopify_pending if kind == "import" and item["options"].get("name")}
        next_number = self.first_order_number
        next_id = (SandboxShopifyOrder.objects.aggregate(highest=Max("numeric_id"))["highest"] or shopify_channel.FIRST_ORDER_ID - 1) + 1
        for at, kind, item in sorted(self.shopify_pending, key=lambda entry: entry[0]):
            named = item["spec"].get("name") if kind == "extra" else item["options"].get("name")
            if named:
                number = int(str(named).lstrip("#"))
            else:
                while next_number in explicit:
                    next_number += 1
                number, next_number = next_number, next_number + 1
            numbers = {"numeric_id": next_id, "order_number": number, "name": f"#{number}"}
            next_id += 1
            if kind == "import":
                self.create_import(item["order"], at, item["options"], numbers, item["where"])
            else:
                self.create_extra(item["spec"], at, numbers, item["where"])
        return len(self.shopify_pending)

    def create_import(self, order: MetaOrder, at: datetime, options: dict, numbers: dict, where: str) -> None:
        overrides = dict(numbers)
        for key in ("financial_status", "fulfillment_status", "note", "tags"):
            if key in options:
                overrides[key] = options[key]
        updated = at
        if order.shipments and "fulfillment_status" not in options:
            overrides.update(fulfillment_status="FULFILLED", financial_status=options.get("financial_status", "PAID"))
            updated = max(updated, datetime.fromisoformat(order.shipments[0]["shipped_at"]))
        shopify_order = shopify_channel.import_order(order, self.shop, at=at, **overrides)
        cancellation = next((c for c in order.cancellations), None)
        if cancellation is not None and options.get("cancelled", True):
            shopify_channel.cancel_in_shopify(order, at=datetime.fromisoformat(cancellation["created"]))
            shopify_order.refresh_from_db()
            updated = max(updated, shopify_order.updated_at)
        if updated != shopify_order.updated_at:
            SandboxShopifyOrder.objects.filter(pk=shopify_order.pk).update(updated_at=updated)
        if order.acknowledged_at and not order.merchant_order_id:
            MetaOrder.objects.filter(pk=order.pk).update(merchant_order_id=str(shopify_order.numeric_id))

    def create_extra(self, spec: dict, created: datetime, numbers: dict, where: str) -> None:
        source = str(spec.get("source_name", "web"))
        handle, channel_name = WEB_CHANNELS.get(source, ("", ""))
        channel = spec.get("channel") or {}
        cancelled = self.time(spec["cancelled"], f"{where}.cancelled") if spec.get("cancelled") else None
        updated = self.time(spec["updated"], f"{where}.updated") if spec.get("updated") else max(created, cancelled or created)
        SandboxShopifyOrder.objects.create(
            shop=self.shop,
            created_at=created,
            updated_at=updated,
            cancelled_at=cancelled,
            source_name=source,
            source_identifier=str(spec.get("source_identifier", "")),
            note=spec.get("note", ""),
            tags=list(spec.get("tags", [])),
            custom_attributes=[{"key": str(a["key"]), "value": a.get("value")} for a in spec.get("custom_attributes", [])],
            financial_status=spec.get("financial_status", "VOIDED" if cancelled else "PAID"),
            fulfillment_status=spec.get("fulfillment_status", "UNFULFILLED" if cancelled else "FULFILLED"),
            total_amount=self.money(self.need(spec, "total", where), f"{where}.total"),
            currency_code=spec.get("currency", self.shop.currency_code),
            channel_handle=channel.get("handle", handle),
            channel_name=channel.get("name", channel_name),
            sub_channel_name=channel.get("sub_channel_name", ""),
            **numbers,
        )

    def load_fault(self, spec: dict, where: str) -> None:
        account = self.order_account(spec, where)
        try:
            fault = faults.make(
                kind=self.need(spec, "type", where), now=self.now, times=spec.get("times"), minutes=spec.get("minutes"),
                code=spec.get("code"), status=spec.get("status"), seconds=spec.get("seconds"), regain_minutes=spec.get("regain_minutes"),
                order_id=spec.get("order_id"), answer=spec.get("answer"),
            )
        except ValueError as error:
            raise ScenarioError(f"{where}: {error}") from None
        account.faults = [*account.faults, fault]
        account.save(update_fields=["faults"])


def _relay_email(name: str, order_id: str) -> str:
    """Meta shares a relay address, never the buyer's own."""
    slug = "".join(ch for ch in name.lower() if ch.isalpha())[:12] or "buyer"
    return f"{slug}.{order_id[-6:]}@marketplace.facebook.com"


def _default_address(name: str) -> dict:
    return {"name": name, "street1": "100 Main St", "street2": "", "city": "Burlington", "state": "VT", "postal_code": "05401", "country": "US"}


def _product_id(retailer_id: str) -> str:
    return str(7_000_000_000_000_000 + sum(ord(ch) * 7919 ** i for i, ch in enumerate(retailer_id)) % 1_000_000_000_000_000)


def _iso(value: datetime) -> str:
    return value.isoformat()
