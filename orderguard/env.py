"""The one place that reads the process environment.

Every setting OrderGuard has comes through here, typed, with its default. Outside the demo and test
profiles a missing secret is an error at start-up (fail fast), never a silent fallback.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

PROFILES = ("production", "demo", "test")

_MISSING = object()


def profile() -> str:
    value = os.environ.get("ORDERGUARD_ENV", "production").strip().lower()
    if value not in PROFILES:
        raise ImproperlyConfigured(f"ORDERGUARD_ENV must be one of {', '.join(PROFILES)}, not {value!r}")
    return value


def is_local() -> bool:
    """Demo and test profiles may fall back to development defaults; production may not."""
    return profile() in ("demo", "test")


def string(name: str, *, default=_MISSING, local_default=_MISSING) -> str:
    """Read a string. `local_default` applies only in the demo and test profiles."""
    raw = os.environ.get(name)
    if raw is not None and raw.strip() != "":
        return raw.strip()
    if local_default is not _MISSING and is_local():
        return local_default
    if default is not _MISSING:
        return default
    raise ImproperlyConfigured(f"Environment variable {name} is required (ORDERGUARD_ENV={profile()}).")


def boolean(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be a boolean, not {raw!r}")


def integer(name: str, *, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name} must be an integer, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"Environment variable {name} must be at least {minimum}")
    return value


def string_list(name: str, *, default=_MISSING, local_default=_MISSING) -> list[str]:
    """Comma-separated list; empty items are dropped."""
    raw = string(name, default=default, local_default=local_default)
    if isinstance(raw, list):
        return raw
    return [item.strip() for item in raw.split(",") if item.strip()]


def choice(name: str, *, choices: tuple[str, ...], default: str, local_default: str | None = None) -> str:
    """One of `choices`; `local_default` applies only in the demo and test profiles."""
    value = string(name, default=default, local_default=local_default if local_default is not None else default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"Environment variable {name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def path(name: str, *, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw and raw.strip() else default
