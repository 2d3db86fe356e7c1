"""URL map. Everything under /app is the embedded app (ID-token authenticated by middleware); the rest
is public: Shopify webhooks (HMAC), the bounce page, the landing page, a health probe, and the sandbox
when enabled (never in production)."""

from django.conf import settings
from django.urls import include, path

from orderguard.meta_connections import views as meta_views
from orderguard.shops import views as shop_views
from orderguard.shops.webhook_views import shopify_webhook
from orderguard.shops.webhooks import TOPICS

urlpatterns = [
    path("", shop_views.landing, name="landing"),
    path("healthz", shop_views.healthz, name="healthz"),
    path("auth/patch-id-token", shop_views.patch_id_token, name="patch-id-token"),
    path("app/alerts/", include("orderguard.alerts.urls")),
    path("app/", include("orderguard.dashboard.urls")),
    path("app/health/", include("orderguard.health.urls")),
    # Facebook Login runs top-level (it cannot run inside the admin iframe); see meta_connections/login.py.
    path("meta/login/start", meta_views.login_start, name="meta-login-start"),
    path("meta/login/callback", meta_views.login_callback, name="meta-login-callback"),
    path("meta/login/choose", meta_views.login_choose, name="meta-login-choose"),
    *[
        path(f"webhooks/{topic}", shopify_webhook, {"topic": topic}, name=f"webhook-{topic.replace('/', '-')}")
        for topic in TOPICS
    ],
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("_sandbox/", include("orderguard.sandbox.urls")))
