"""The words of an alert, in the destination's language, independent of how a channel lays them out.

A channel gets an AlertMessage and only decides the layout (Block Kit, Adaptive Card, JSON, email).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from orderguard.alerts import noise
from orderguard.alerts.links import app_link
from orderguard.alerts.models import Alert
from orderguard.reconciliation.matching import SOCIAL_CHANNELS

_BABEL_LOCALES = {"en": "en_US", "nl": "nl_NL"}
# How a digest or the cap's summary names each kind of alert.
EVENT_LABELS = {
    Alert.Event.ORDER_STUCK: gettext_lazy("Stuck orders"),
    Alert.Event.AUTO_CANCEL_NEAR_7D: gettext_lazy("Auto-cancel in 7 days"),
    Alert.Event.AUTO_CANCEL_NEAR_1D: gettext_lazy("Auto-cancel tomorrow"),
    Alert.Event.ACCEPTED_UNSHIPPED_NEAR_CANCEL: gettext_lazy("Accepted, not shipped"),
    Alert.Event.CHECK_FAILING: gettext_lazy("Failing checks"),
    Alert.Event.POLLER_STALLED: gettext_lazy("Checking stopped"),
    Alert.Event.BACKLOG_CLEARED: gettext_lazy("Backlog cleared"),
    Alert.Event.NEW_SOCIAL_ORDER: gettext_lazy("New orders"),
    Alert.Event.HEARTBEAT_DROP: gettext_lazy("Channel quieter than usual"),
    Alert.Event.ORDER_STILL_STUCK_24H: gettext_lazy("Still stuck after 24 hours"),
}


@dataclass(frozen=True)
class OrderLine:
    name: str
    amount: str = ""
    url: str = ""

    @property
    def text(self) -> str:
        return f"{self.name} · {self.amount}" if self.amount else self.name


@dataclass(frozen=True)
class AlertMessage:
    event: str
    title: str
    summary: str
    shop_domain: str
    language: str = "en"
    urgent: bool = False
    facts: tuple[tuple[str, str], ...] = ()
    orders: tuple[OrderLine, ...] = ()
    link_url: str = ""
    link_label: str = ""
    # The alert as data, for the signed webhook (machines read this, people read the rest).
    data: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """A plain-text rendering: email bodies and chat notification fallbacks."""
        lines = [self.title, "", self.summary]
        lines += [f"{label}: {value}" for label, value in self.facts]
        if self.orders:
            lines += [""] + [f"- {order.text}" for order in self.orders]
        if self.link_url:
            lines += ["", f"{self.link_label}: {self.link_url}"]
        return "\n".join(lines)


def money(amount, currency: str, *, language: str) -> str:
    if amount in (None, "") or not currency:
        return ""
    try:
        return format_currency(Decimal(str(amount)), currency, locale=_BABEL_LOCALES.get(language, "en_US"))
    except (InvalidOperation, ValueError, LookupError):
        return f"{amount} {currency}"


def alert_message_build(*, alert: Alert, shop_domain: str, language: str) -> AlertMessage:
    with translation.override(language):
        payload = alert.payload or {}
        orders = tuple(
            OrderLine(
                name=str(order.get("name") or order.get("id") or ""),
                amount=money(order.get("amount"), order.get("currency", ""), language=language),
                url=str(order.get("url") or ""),
            )
            for order in payload.get("orders") or []
        )
        count = len(orders)
        title, summary = _words(alert.event, count=count, payload=payload)
        facts = [(_("Shop"), shop_domain)]
        stake = payload.get("money_at_stake") or {}
        at_stake = money(stake.get("amount"), stake.get("currency", ""), language=language)
        if at_stake:
            facts.append((_("Money at stake"), at_stake))
        if count:
            facts.append((_("Orders"), str(count)))
        return AlertMessage(
            event=alert.event,
            title=title,
            summary=summary,
            shop_domain=shop_domain,
            language=language,
            urgent=alert.urgency == Alert.Urgency.URGENT,
            facts=tuple(facts),
            orders=orders,
            link_url=str(payload.get("link") or ""),
            link_label=_("Open in OrderGuard"),
            data={"event": alert.event, "dedupe_key": alert.dedupe_key, "urgency": alert.urgency, **payload},
        )


def alert_test_message_build(*, shop_domain: str, language: str, link_url: str = "") -> AlertMessage:
    with translation.override(language):
        return AlertMessage(
            event="test",
            title=_("Test alert from OrderGuard"),
            summary=_("If you can read this, OrderGuard's alerts reach this destination."),
            shop_domain=shop_domain,
            language=language,
            facts=((_("Shop"), shop_domain),),
            link_url=link_url,
            link_label=_("Open in OrderGuard"),
            data={"event": "test"},
        )


def alert_summary_message_build(*, alerts: list[Alert], shop, language: str, digest: bool) -> AlertMessage:
    """One message for several alerts: the daily digest, or what the hourly cap held back."""
    pending = [_pending(alert) for alert in alerts]
    summary = noise.summarise(pending)
    with translation.override(language):
        if digest:
            title = ngettext("Daily digest: %(count)d alert", "Daily digest: %(count)d alerts", summary.count) % {"count": summary.count}
            text = _("Everything OrderGuard noticed since the last digest.")
        else:
            title = ngettext("%(count)d alert held back", "%(count)d alerts held back", summary.count) % {"count": summary.count}
            text = _("More alerts than this destination's hourly limit came in; here they are together.")
        facts = [(_("Shop"), shop.domain)]
        facts += [(str(EVENT_LABELS.get(event, event)), str(count)) for event, count in summary.by_event.items()]
        facts += [(_("Money at stake"), money(amount, currency, language=language)) for currency, amount in summary.money.items()]
        return AlertMessage(
            event="digest" if digest else "summary",
            title=title,
            summary=text,
            shop_domain=shop.domain,
            language=language,
            urgent=any(alert.urgency == Alert.Urgency.URGENT for alert in alerts),
            facts=tuple(facts),
            link_url=app_link(shop=shop),
            link_label=_("Open in OrderGuard"),
            data={
                "event": "digest" if digest else "summary",
                "alerts": [{"event": a.event, "dedupe_key": a.dedupe_key, "urgency": a.urgency, **a.payload} for a in alerts],
            },
        )


def _pending(alert: Alert) -> noise.PendingAlert:
    stake = (alert.payload or {}).get("money_at_stake") or {}
    try:
        amount = Decimal(str(stake.get("amount") or 0))
    except InvalidOperation:
        amount = Decimal(0)
    return noise.PendingAlert(
        alert_id=alert.pk, event=alert.event, created_at=alert.created_at, urgent=alert.urgency == Alert.Urgency.URGENT,
        money=amount, currency=str(stake.get("currency") or ""),
    )


def _heartbeat_sentence(facts: dict, channel: str) -> str:
    """The heartbeat's finding in words (call inside the language's override); empty if unknown. A watch of
    one social channel names it; the combined watch ("all", or an alert from before) speaks of the channel."""
    one = facts.get("channel") in SOCIAL_CHANNELS
    if "window_hours" in facts:
        values = {"observed": facts["observed"], "hours": facts["window_hours"], "expected": round(facts["expected"]), "channel": channel}
        if one:
            return _(
                "%(observed)s %(channel)s orders reached Shopify in the last %(hours)s hours; usually about %(expected)s. "
                "This is unlikely to be chance: check that the sales channel still brings in %(channel)s orders."
            ) % values
        return _(
            "%(observed)s orders from the channel reached Shopify in the last %(hours)s hours; usually about %(expected)s. "
            "This is unlikely to be chance: check that the sales channel is still connected."
        ) % values
    if "meta_orders" in facts:
        if one:
            return _(
                "Meta shows %(count)s new %(channel)s orders, but Shopify received none from %(channel)s since the first of them."
            ) % {"count": facts["meta_orders"], "channel": channel}
        return _(
            "Meta shows %(count)s new orders, but Shopify received none from the channel since the first of them."
        ) % {"count": facts["meta_orders"]}
    return ""


def _heartbeat_title(facts: dict, channel: str) -> str:
    if facts.get("channel") in SOCIAL_CHANNELS and (facts.get("observed") == 0 or "meta_orders" in facts):
        return _("%(channel)s orders stopped arriving in your shop") % {"channel": channel}
    return _("Fewer %(channel)s orders than usual reach your shop") % {"channel": channel}


def _words(event: str, *, count: int, payload: dict) -> tuple[str, str]:
    """(title, one-sentence summary) of an event; call inside the language's override."""
    channel = str(payload.get("channel") or "Facebook/Instagram")
    detail = str(payload.get("detail") or "")
    match event:
        case Alert.Event.ORDER_STUCK:
            return (
                ngettext("%(count)d order is stuck on Meta", "%(count)d orders are stuck on Meta", count) % {"count": count},
                _("These orders were paid on Facebook or Instagram but have not reached your shop."),
            )
        case Alert.Event.AUTO_CANCEL_NEAR_7D:
            return (
                ngettext(
                    "Meta cancels %(count)d stuck order in 7 days", "Meta cancels %(count)d stuck orders in 7 days", count
                )
                % {"count": count},
                _("Meta cancels and refunds orders that are not acknowledged in time."),
            )
        case Alert.Event.AUTO_CANCEL_NEAR_1D:
            return (
                ngettext(
                    "Meta cancels %(count)d stuck order tomorrow", "Meta cancels %(count)d stuck orders tomorrow", count
                )
                % {"count": count},
                _("Meta cancels and refunds orders that are not acknowledged in time."),
            )
        case Alert.Event.ACCEPTED_UNSHIPPED_NEAR_CANCEL:
            return (
                ngettext(
                    "%(count)d accepted order is not shipped yet", "%(count)d accepted orders are not shipped yet", count
                )
                % {"count": count},
                _("Meta cancels accepted orders that are not marked as shipped in time."),
            )
        case Alert.Event.CHECK_FAILING:
            return _("A health check is failing"), detail or _("Open OrderGuard to see which check and how to fix it.")
        case Alert.Event.POLLER_STALLED:
            return (
                _("OrderGuard cannot check your Meta orders"),
                _("New stuck orders are not noticed until checking works again."),
            )
        case Alert.Event.BACKLOG_CLEARED:
            return _("All stuck orders are resolved"), _("Every order that needed action has reached your shop.")
        case Alert.Event.NEW_SOCIAL_ORDER:
            return _("New order on %(channel)s") % {"channel": channel}, _("Meta received a new order.")
        case Alert.Event.HEARTBEAT_DROP:
            return (
                _heartbeat_title(payload.get("heartbeat") or {}, channel),
                _heartbeat_sentence(payload.get("heartbeat") or {}, channel)
                or detail
                or _("This is unlikely to be chance: check that the sales channel is still connected."),
            )
        case Alert.Event.ORDER_STILL_STUCK_24H:
            return (
                ngettext(
                    "%(count)d order is still stuck after 24 hours",
                    "%(count)d orders are still stuck after 24 hours",
                    count,
                )
                % {"count": count},
                _("Nobody has resolved these orders yet."),
            )
    return event, detail
