"""The order drawer's root causes (templates/health/order_root_causes.html), read from stored results."""

from django import template

from orderguard.health.selectors import order_root_causes as root_causes_of

register = template.Library()


@register.simple_tag
def order_root_causes(shop, order):
    return root_causes_of(shop=shop, order=order)
