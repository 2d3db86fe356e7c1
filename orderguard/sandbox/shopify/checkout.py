"""The buyer's side of a draft order's invoice link: a checkout page whose "Pay now" completes the draft
(sandbox/shopify/drafts.py: draft_order_complete), as paying Shopify's invoice checkout does."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template import Context, Engine
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from orderguard.sandbox.calls import record_call
from orderguard.sandbox.shopify.draft_models import SandboxDraftOrder
from orderguard.sandbox.shopify.drafts import DraftCheckoutError, draft_order_complete, draft_order_node

_PAGE = Engine(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout - {{ shop }}</title></head>
<body>
<main>
<h1>{{ shop }}</h1>
<p>Draft order {{ draft.name }}</p>
<ul>{% for line in draft.lineItems.nodes %}<li>{{ line.quantity }} &times; {{ line.title }}</li>{% endfor %}</ul>
<p>Total: <strong data-total>{{ draft.totalPriceSet.presentmentMoney.amount }} {{ draft.totalPriceSet.presentmentMoney.currencyCode }}</strong></p>
{% if error %}<p role="alert">{{ error }}</p>{% endif %}
{% if order %}<p data-paid>Thank you! Your order {{ order.name }} is confirmed.</p>
{% else %}<form method="post"><button type="submit">Pay now</button></form>{% endif %}
</main>
</body></html>""")


@csrf_exempt  # the simulated buyer's one button; nothing here is an app credential
@require_http_methods(["GET", "POST"])
def invoice_checkout(request: HttpRequest, shop_domain: str, shop_id: int, token: str) -> HttpResponse:
    draft = SandboxDraftOrder.objects.select_related("shop", "order").filter(shop__domain=shop_domain, invoice_token=token).first()
    if draft is None or draft.shop.numeric_id != shop_id:
        raise Http404("No such invoice")
    error, order = "", draft.order
    if request.method == "POST":
        try:
            order = draft_order_complete(draft=draft)
        except DraftCheckoutError as failure:
            error = str(failure)
        draft.refresh_from_db()
        record_call("shopify", "checkout:pay", shop_domain, 409 if error else 200)
    context = {"shop": draft.shop.name, "draft": draft_order_node(draft), "order": order, "error": error}
    return HttpResponse(_PAGE.render(Context(context)), status=409 if error else 200)
