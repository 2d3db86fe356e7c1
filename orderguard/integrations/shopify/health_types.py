"""Typed results of the health reads (health.py): what the checks compare, parsed from Shopify's answers."""

from __future__ import annotations

from dataclasses import dataclass

FACEBOOK_APP_GID = "gid://shopify/App/2329312"


@dataclass(frozen=True)
class ChannelPublication:
    id: str
    catalog_title: str
    catalog_status: str
    app_id: str


@dataclass(frozen=True)
class ChannelHealth:
    """The shop's basics and the Facebook & Instagram channel app (null installation: not installed)."""

    currency: str
    presentment_currencies: tuple[str, ...]
    country: str
    ships_to_countries: tuple[str, ...]
    shipping_rest_of_world: bool
    plan: str
    app_found: bool
    installed: bool
    launch_url: str
    app_handle: str
    feedback_state: str
    feedback_messages: tuple[str, ...]
    publications: tuple[ChannelPublication, ...]

    @property
    def channel_publication(self) -> ChannelPublication | None:
        """The publication whose app catalog belongs to the channel app."""
        return next((p for p in self.publications if p.app_id == FACEBOOK_APP_GID), None)

    @classmethod
    def from_data(cls, data: dict) -> ChannelHealth:
        shop = data.get("shop") or {}
        app = data.get("metaApp") or {}
        installation = app.get("installation") or {}
        zones = shop.get("countriesInShippingZones") or {}
        feedback = app.get("feedback") or {}
        publications = []
        for node in (data.get("publications") or {}).get("nodes") or ():
            catalog = (node or {}).get("catalog") or {}
            apps = ((catalog.get("apps") or {}).get("nodes")) or [{}]
            publications.append(ChannelPublication(
                id=str(node.get("id") or ""), catalog_title=str(catalog.get("title") or ""),
                catalog_status=str(catalog.get("status") or ""), app_id=str((apps[0] or {}).get("id") or ""),
            ))
        return cls(
            currency=str(shop.get("currencyCode") or ""),
            presentment_currencies=tuple(shop.get("enabledPresentmentCurrencies") or ()),
            country=str((shop.get("shopAddress") or {}).get("countryCodeV2") or ""),
            ships_to_countries=tuple(shop.get("shipsToCountries") or ()),
            shipping_rest_of_world=bool(zones.get("includeRestOfWorld")),
            plan=str((shop.get("plan") or {}).get("publicDisplayName") or ""),
            app_found=bool(app),
            installed=bool(installation),
            launch_url=str(installation.get("launchUrl") or ""),
            app_handle=str(app.get("handle") or ""),
            feedback_state=str(feedback.get("state") or ""),
            feedback_messages=tuple(str(m.get("message") or "") for m in feedback.get("messages") or () if m),
            publications=tuple(publications),
        )


@dataclass(frozen=True)
class VariantOnChannel:
    id: str
    sku: str
    product_title: str
    product_status: str
    available_for_sale: bool
    inventory_policy: str
    inventory_quantity: int | None
    published: bool | None

    @property
    def in_stock(self) -> bool:
        """Sellable now: stock left, or overselling allowed (CONTINUE)."""
        if self.inventory_policy == "CONTINUE":
            return True
        return self.available_for_sale and (self.inventory_quantity is None or self.inventory_quantity > 0)

    @classmethod
    def from_node(cls, node: dict) -> VariantOnChannel:
        product = node.get("product") or {}
        published = product.get("publishedOnPublication")
        quantity = node.get("inventoryQuantity")
        return cls(
            id=str(node.get("id") or ""), sku=str(node.get("sku") or ""), product_title=str(product.get("title") or ""),
            product_status=str(product.get("status") or ""), available_for_sale=bool(node.get("availableForSale")),
            inventory_policy=str(node.get("inventoryPolicy") or ""),
            inventory_quantity=int(quantity) if isinstance(quantity, int) else None,
            published=published if isinstance(published, bool) else None,
        )


@dataclass(frozen=True)
class DeliveryCoverage:
    countries: frozenset[str]
    rest_of_world: bool

    def covers(self, country: str) -> bool:
        return self.rest_of_world or country.upper() in self.countries

    @classmethod
    def from_data(cls, data: dict) -> DeliveryCoverage:
        countries: set[str] = set()
        rest = False
        for profile in (data.get("deliveryProfiles") or {}).get("nodes") or ():
            for group in (profile or {}).get("profileLocationGroups") or ():
                for zone_node in ((group or {}).get("locationGroupZones") or {}).get("nodes") or ():
                    methods = ((zone_node.get("methodDefinitions") or {}).get("nodes")) or ()
                    if not any((method or {}).get("active") for method in methods):
                        continue  # a zone without an active rate ships nothing
                    for country in ((zone_node.get("zone") or {}).get("countries")) or ():
                        code = (country or {}).get("code") or {}
                        if code.get("restOfWorld"):
                            rest = True
                        elif code.get("countryCode"):
                            countries.add(str(code["countryCode"]).upper())
        return cls(countries=frozenset(countries), rest_of_world=rest)


@dataclass(frozen=True)
class PaymentsStatus:
    activated: bool
    country: str
    default_currency: str

    @classmethod
    def from_data(cls, data: dict) -> PaymentsStatus | None:
        account = data.get("shopifyPaymentsAccount")
        if not account:
            return None
        return cls(activated=bool(account.get("activated")), country=str(account.get("country") or ""),
                   default_currency=str(account.get("defaultCurrency") or ""))
