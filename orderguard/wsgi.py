import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orderguard.settings")
application = get_wsgi_application()


def _warm() -> None:
    """Do before the first request what Django otherwise does during it: import every view (the URLconf)
    and load the translation catalogs. A cold process made its first requests wait 0.5 to 1.2 s each, which
    was the whole p99 of a webhook burst after a start (bench/webhook_burst.py)."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("OrderGuard")  # loads the language's catalog


_warm()
