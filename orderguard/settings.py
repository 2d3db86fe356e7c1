"""Django settings for OrderGuard: everything comes from the environment through orderguard.env.

Three profiles (ORDERGUARD_ENV): `production` (the default; every secret required), `demo` (the embedded
default: SQLite, a broker that needs no server, the local sandbox) and `test`. Production differs from
the others only by what the environment says; there is no production-only code path.
"""

from __future__ import annotations

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from orderguard import env

BASE_DIR = env.BASE_DIR
# Local state of the embedded default (SQLite files, the broker folder); benchmarks use their own.
VAR_DIR = env.path("ORDERGUARD_VAR_DIR", default=BASE_DIR / "var")
PROFILE = env.profile()

# Development-only credentials. They only ever apply in the demo and test profiles (env.is_local()).
_DEV_SECRET_KEY = "dev-only-L4WSSy7kSDum6on--jFnxEaOkprpUqitNw7Y8CZqFQJVoqmkyh5EPBveFZ3g5KouBHs"
_DEV_SHOPIFY_API_KEY = "orderguard-dev-client-id"
_DEV_SHOPIFY_API_SECRET = "orderguard-dev-client-secret-not-for-production"
_DEV_TOKEN_KEY = "CLN2Ojt2t7Zoy80hapCk5fqlX6sNvlw6xRzE9hOK9lA="
_DEV_META_APP_ID = "1234567890123456"
_DEV_META_APP_SECRET = "orderguard-dev-meta-app-secret"

# DJANGO
# ------------------------------------------------------------------------------
SECRET_KEY = env.string("DJANGO_SECRET_KEY", local_default=_DEV_SECRET_KEY)
DEBUG = env.boolean("DJANGO_DEBUG", default=False)
ORDERGUARD_PORT = env.integer("ORDERGUARD_PORT", default=8000, minimum=1)
# The public URL of the app (Shopify's application_url). In the demo the app is served from 127.0.0.1 and
# the sandbox admin from localhost, so the admin frames the app across origins as Shopify admin does.
APP_URL = env.string("APP_URL", local_default=f"http://127.0.0.1:{ORDERGUARD_PORT}").rstrip("/")
# The sandbox's stand-in of Shopify admin (demo and tests): another origin than the app, like the real one.
SANDBOX_ADMIN_URL = env.string("SANDBOX_ADMIN_URL", default=f"http://localhost:{ORDERGUARD_PORT}").rstrip("/")
ALLOWED_HOSTS = env.string_list("DJANGO_ALLOWED_HOSTS", local_default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "django_htmx",
    "orderguard.core",
    "orderguard.shops",
    "orderguard.meta_connections",
    "orderguard.orders",
    "orderguard.remediation",
    "orderguard.health",
    "orderguard.alerts",
    "orderguard.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sends X-Frame-Options: DENY on the way out, except on responses the framing middleware marked as
    # embeddable (it sits further in, so it sees the response first).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The Shopify admin's language (`locale`), not the browser's: orderguard/core/i18n.py.
    "orderguard.core.i18n.AdminLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Cache-Control: no-store on every /app response (they show buyer data), 401s and bounces included.
    "orderguard.core.cache_control.NoStoreAppResponsesMiddleware",
    # CSP frame-ancestors for the verified shop, or 'none'. Reads request.shop on the way out.
    "orderguard.core.csp.FrameAncestorsMiddleware",
    # Verifies the App Bridge ID token on every app request and sets request.shop (its docstring records
    # the CSRF decision).
    "orderguard.shops.middleware.ShopifyAppAuthMiddleware",
]

ROOT_URLCONF = "orderguard.urls"
WSGI_APPLICATION = "orderguard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "orderguard.core.context_processors.shopify_app",
            ],
        },
    }
]

# DATABASES
# https://docs.djangoproject.com/en/6.1/ref/databases/#sqlite-notes
# ------------------------------------------------------------------------------
# SQLite serves several processes in the embedded default (web, worker, beat): WAL lets readers run beside
# the writer, IMMEDIATE transactions take the write lock up front (no deadlocking upgrades), and the
# timeout makes a busy writer wait instead of failing.
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def _database(url: str | None, *, sqlite_path) -> dict:
    if url:
        # Persistent connections, except in tests, whose server and worker threads come and go.
        config = dj_database_url.parse(url, conn_max_age=0 if PROFILE == "test" else 60, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(sqlite_path)}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        (VAR_DIR / "test").mkdir(parents=True, exist_ok=True)  # SQLite creates files, not folders
        config.setdefault("OPTIONS", {}).update(_SQLITE_OPTIONS)
        # A file, not :memory:, so that test threads, live servers and worker processes share it.
        config["TEST"] = {"NAME": str(VAR_DIR / "test" / f"test-{sqlite_path.stem}.sqlite3")}
    return config


DATABASE_URL = env.string("DATABASE_URL", local_default="")
DATABASES = {"default": _database(DATABASE_URL, sqlite_path=VAR_DIR / "orderguard.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# INTERNATIONALISATION (the app follows the Shopify admin's locale)
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# STATIC FILES (served by WhiteNoise; no CDN of ours)
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
if env.is_local():
    STATIC_ROOT = VAR_DIR / "staticfiles"  # unused (files are served from the finders), but must exist
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = env.is_local()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if env.is_local()
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# SECURITY
# https://docs.djangoproject.com/en/6.1/howto/deployment/checklist/
# ------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.boolean("DJANGO_SECURE_SSL_REDIRECT", default=not env.is_local())
# Only behind a proxy that overwrites X-Forwarded-Proto; otherwise a client could claim https.
if env.boolean("DJANGO_TRUST_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if env.is_local() else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = not env.is_local()
CSRF_COOKIE_SECURE = not env.is_local()
CSRF_COOKIE_HTTPONLY = True
# The cookie binding a Facebook Login to the browser that started it (meta_connections/login.py). Secure
# except on the demo's and tests' plain-http loopback, where browsers would drop a Secure cookie.
META_LOGIN_COOKIE_SECURE = env.boolean("META_LOGIN_COOKIE_SECURE", default=not env.is_local())
CSRF_TRUSTED_ORIGINS = env.string_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[APP_URL])
X_FRAME_OPTIONS = "DENY"
# Webhook bodies are capped: Shopify's largest order payloads are well under 1 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# SHOPIFY
# https://shopify.dev/docs/apps/build/authentication-authorization
# ------------------------------------------------------------------------------
# The Admin API and webhook version. One constant: shopify.app.toml's [webhooks] api_version must agree
# (tests/test_shopify_app_toml.py checks it).
SHOPIFY_API_VERSION = "2026-10"
SHOPIFY_API_KEY = env.string("SHOPIFY_API_KEY", local_default=_DEV_SHOPIFY_API_KEY)
SHOPIFY_API_SECRET = env.string("SHOPIFY_API_SECRET", local_default=_DEV_SHOPIFY_API_SECRET)
# During a client-secret rotation Shopify may sign with either secret for up to an hour.
SHOPIFY_API_SECRET_PREVIOUS = env.string("SHOPIFY_API_SECRET_PREVIOUS", default="")
# Empty in production: requests go to https://<shop>.myshopify.com. The sandbox sets a base URL and the
# HTTP transport maps every shop origin onto it (orderguard/integrations/shopify/transport.py).
SHOPIFY_API_BASE_URL = env.string("SHOPIFY_API_BASE_URL", local_default=f"{APP_URL}/_sandbox/shopify", default="")
SHOPIFY_APP_BRIDGE_URL = env.string(
    "SHOPIFY_APP_BRIDGE_URL",
    local_default=f"{APP_URL}/_sandbox/shopify/cdn/app-bridge.js",
    default="https://cdn.shopify.com/shopifycloud/app-bridge.js",
)
# Polaris web components; empty disables them (the local stylesheet keeps every page usable without).
SHOPIFY_POLARIS_URL = env.string(
    "SHOPIFY_POLARIS_URL", local_default="", default="https://cdn.shopify.com/shopifycloud/polaris.js"
)
# Origins allowed to frame the app besides the verified shop itself.
SHOPIFY_ADMIN_ORIGINS = env.string_list(
    "SHOPIFY_ADMIN_ORIGINS",
    local_default=["https://admin.shopify.com", SANDBOX_ADMIN_URL],
    default=["https://admin.shopify.com"],
)
# Where links into Shopify admin point ({shop} is the shop's myshopify subdomain).
SHOPIFY_ADMIN_URL_TEMPLATE = env.string(
    "SHOPIFY_ADMIN_URL_TEMPLATE",
    local_default=f"{SANDBOX_ADMIN_URL}/_sandbox/admin/store/{{shop}}",
    default="https://admin.shopify.com/store/{shop}",
)
# Refresh an expiring offline token this long before it expires (Shopify's JS library uses 5 minutes).
SHOPIFY_TOKEN_REFRESH_MARGIN_SECONDS = 300

# META (Graph API: commerce orders)
# https://developers.facebook.com/docs/graph-api/guides/versioning
# ------------------------------------------------------------------------------
# Pinned in one place; v25.0 is available until 2028-07-29.
META_GRAPH_API_VERSION = "v25.0"
META_APP_ID = env.string("META_APP_ID", local_default=_DEV_META_APP_ID)
META_APP_SECRET = env.string("META_APP_SECRET", local_default=_DEV_META_APP_SECRET)
META_GRAPH_BASE_URL = env.string(
    "META_GRAPH_BASE_URL", local_default=f"{APP_URL}/_sandbox/meta/graph", default="https://graph.facebook.com"
).rstrip("/")
# Facebook Login's dialog (a top-level page: it cannot run inside the admin iframe).
META_OAUTH_DIALOG_URL = env.string(
    "META_OAUTH_DIALOG_URL",
    local_default=f"{SANDBOX_ADMIN_URL}/_sandbox/meta/dialog/oauth",
    default=f"https://www.facebook.com/{META_GRAPH_API_VERSION}/dialog/oauth",
)
# Where "open in Commerce Manager" points for an order.
META_COMMERCE_MANAGER_ORDER_URL = env.string(
    "META_COMMERCE_MANAGER_ORDER_URL",
    local_default=f"{SANDBOX_ADMIN_URL}/_sandbox/meta/commerce_manager/{{cms_id}}/orders/{{order_id}}",
    default="https://www.facebook.com/commerce_manager/{cms_id}/orders/{order_id}",
)
# A cancellation on Meta that has not answered within this (connect, read) is treated as "outcome unknown":
# the remedy reads the order's cancellations before sending it again (orderguard/remediation/cancel_and_link.py).
REMEDY_META_WRITE_TIMEOUT = (5.0, float(env.integer("REMEDY_META_WRITE_TIMEOUT_SECONDS", default=20, minimum=1)))
META_OAUTH_SCOPES = ["commerce_account_read_orders", "commerce_account_read_settings", "pages_show_list", "business_management"]

# DETECTION (see orderguard/reconciliation/engine.py)
# ------------------------------------------------------------------------------
POLL_INTERVAL_MINUTES = env.integer("POLL_INTERVAL_MINUTES", default=5, minimum=1)
# Meta holds new orders in FB_PROCESSING for about 30 minutes; an order still CREATED after this long is
# stuck.
STUCK_GRACE_MINUTES = env.integer("STUCK_GRACE_MINUTES", default=60, minimum=1)
# Meta cancels an accepted order not shipped 30 days after it was placed: this many days before, it needs
# action (a shop may choose its own on the Settings page: orderguard/shops/preferences.py), and this many
# days before, it is imminent.
AUTO_CANCEL_WARNING_DAYS = env.integer("AUTO_CANCEL_WARNING_DAYS", default=7, minimum=1)
AUTO_CANCEL_IMMINENT_DAYS = env.integer("AUTO_CANCEL_IMMINENT_DAYS", default=1, minimum=1)
# How often beat looks for shops due a poll (each shop is polled every POLL_INTERVAL_MINUTES, on its due
# time): the tick bounds how late a poll starts, and an idle tick costs three SQL statements.
POLL_DISPATCH_SECONDS = env.integer("POLL_DISPATCH_SECONDS", default=10, minimum=1)
# How long a guided reconnect's verification watches for the stuck orders to drain before it escalates.
HEALTH_RECONNECT_VERIFY_MINUTES = env.integer("HEALTH_RECONNECT_VERIFY_MINUTES", default=120, minimum=5)
# Buyer data (name, email, address) of an order resolved or closed longer ago than this is erased
# (orderguard/orders/retention.py); the order itself stays, for the counts and the history.
BUYER_DATA_RETENTION_DAYS = env.integer("BUYER_DATA_RETENTION_DAYS", default=90, minimum=1)
# Where in a Shopify order to look for the Meta order id, in order (orderguard/reconciliation/matching.py).
ORDER_MATCH_FIELDS = env.string_list(
    "ORDER_MATCH_FIELDS", default=["source_identifier", "attribute:Facebook Order ID", "tags", "note"]
)

# TOKENS AT REST
# https://cryptography.io/en/latest/fernet/#cryptography.fernet.MultiFernet
# ------------------------------------------------------------------------------
# Comma-separated Fernet keys: the first encrypts, all decrypt. Rotate by prepending a new key and running
# `python manage.py rotate_token_keys`, then drop the old key.
TOKEN_ENCRYPTION_KEYS = env.string_list("TOKEN_ENCRYPTION_KEYS", local_default=[_DEV_TOKEN_KEY])

# CELERY
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# ------------------------------------------------------------------------------
REDIS_URL = env.string("REDIS_URL", local_default="")
BROKER_FOLDER = VAR_DIR / ("test/broker" if PROFILE == "test" else "broker")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Longer than any task's hard time limit, or a running acks_late task would be delivered twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # A local folder as the broker: the embedded default needs no server. Worker, beat and producers in
    # separate processes all use the same folder.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER / "queue"),
        "data_folder_out": str(BROKER_FOLDER / "queue"),
        "control_folder": str(BROKER_FOLDER / "control"),
        "store_processed": False,
    }
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Outcomes live in our own rows (deliveries, polls, actions); nothing reads Celery results.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 270
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Only the test profile may run tasks inline, and only when a test asks for it explicitly.
CELERY_TASK_ALWAYS_EAGER = False
# Durable work (orderguard/core/durable.py): the lease of a claimed row, renewed every third of it while
# the task runs, and how often beat sweeps for expired leases and lost enqueues. A dead worker's work is
# retried within lease + sweep (two minutes by default).
DURABLE_LEASE_SECONDS = env.integer("DURABLE_LEASE_SECONDS", default=60, minimum=1)
DURABLE_SWEEP_SECONDS = env.integer("DURABLE_SWEEP_SECONDS", default=60, minimum=1)

# SANDBOX (local stand-ins for Shopify and Meta; never with production settings)
# ------------------------------------------------------------------------------
SANDBOX_ENABLED = env.boolean("SANDBOX_ENABLED", default=env.is_local())
if SANDBOX_ENABLED and PROFILE == "production":
    raise ImproperlyConfigured("The sandbox cannot be enabled with production settings (ORDERGUARD_ENV=production).")
if SANDBOX_ENABLED:
    # The stand-in platforms, and the demo that installs the app on them (manage.py rundemo).
    INSTALLED_APPS += ["orderguard.sandbox", "orderguard.demo"]
    # The stand-in platforms keep their state in a database of their own, as the real ones would: the
    # app can hold a lock on its own rows while it waits for the sandbox to answer.
    DATABASES["sandbox"] = _database(
        env.string("SANDBOX_DATABASE_URL", default=""), sqlite_path=VAR_DIR / "sandbox.sqlite3"
    )
    DATABASE_ROUTERS = ["orderguard.sandbox.routers.SandboxRouter"]
    # The schema of the API version the client targets (see its README for provenance).
    SANDBOX_SHOPIFY_SCHEMA_PATH = BASE_DIR / "orderguard" / "integrations" / "shopify" / "schema" / "admin-2026-10.introspection.json.gz"

# MAIL (Django 6.1 mailers: https://docs.djangoproject.com/en/6.1/topics/email/)
# ------------------------------------------------------------------------------
# The apology email the merchant sends from the app (orderguard/remediation/apology_send.py). SMTP only:
# any provider with an SMTP relay works through these variables. The demo and the test profile's worker
# processes use the sandbox mailer, which prints each message and stores it for /_sandbox/mail/; pytest
# itself swaps every mailer for locmem (django.core.mail.outbox).
MAIL_BACKEND = env.choice("MAIL_BACKEND", choices=("smtp", "console", "sandbox"), default="smtp", local_default="sandbox")
if MAIL_BACKEND == "sandbox" and not SANDBOX_ENABLED:
    raise ImproperlyConfigured("MAIL_BACKEND=sandbox needs the sandbox (SANDBOX_ENABLED, demo or test profile).")
_MAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "sandbox": "orderguard.sandbox.mail.SandboxMailBackend",
}
_SMTP_OPTIONS = {
    "host": env.string("SMTP_HOST", default="localhost"),
    "port": env.integer("SMTP_PORT", default=587, minimum=1),
    "username": env.string("SMTP_USERNAME", default=""),
    "password": env.string("SMTP_PASSWORD", default=""),
    "use_tls": env.boolean("SMTP_USE_TLS", default=True),  # STARTTLS on 587
    "use_ssl": env.boolean("SMTP_USE_SSL", default=False),  # implicit TLS on 465 (not with SMTP_USE_TLS)
    "timeout": env.integer("SMTP_TIMEOUT_SECONDS", default=20, minimum=1),
}
MAILERS = {"default": {"BACKEND": _MAIL_BACKENDS[MAIL_BACKEND], "OPTIONS": _SMTP_OPTIONS if MAIL_BACKEND == "smtp" else {}}}
# The envelope sender when the shop has no contact address; the shop's own address is the From and Reply-To.
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", default="OrderGuard <no-reply@orderguard.example.com>")

# LOGGING (never a token, secret or buyer's personal data; see orderguard/core/logging.py)
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "orderguard.core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request URLs carry Shopify's id_token; Django's request logger must not print them at INFO.
        "django.server": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        # At DEBUG these print full request URLs, and Graph API URLs carry access tokens.
        "urllib3": {"level": "INFO"},
    },
}
