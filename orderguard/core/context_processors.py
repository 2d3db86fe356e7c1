from django.conf import settings


def shopify_app(request):
    """What every page's <head> needs to load App Bridge (and Polaris when configured)."""
    return {
        "shopify_api_key": settings.SHOPIFY_API_KEY,
        "app_bridge_url": settings.SHOPIFY_APP_BRIDGE_URL,
        "polaris_url": settings.SHOPIFY_POLARIS_URL,
    }
