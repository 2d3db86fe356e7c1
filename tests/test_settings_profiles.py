"""Settings come from the environment; production fails fast and refuses the sandbox; check --deploy is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION_ENV = {
    "ORDERGUARD_ENV": "production",
    "DJANGO_SECRET_KEY": "a-production-secret-key-that-is-long-and-random-1234567890-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "orderguard.example.com",
    "APP_URL": "https://orderguard.example.com",
    "SHOPIFY_API_KEY": "prod-client-id",
    "SHOPIFY_API_SECRET": "prod-client-secret-0123456789abcdef",
    "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "DATABASE_URL": "postgres://orderguard@db.internal:5432/orderguard",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "META_APP_ID": "1234",
    "META_APP_SECRET": "meta-secret",
}


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("ORDERGUARD_", "DJANGO_", "SHOPIFY_", "META_", "SANDBOX_"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    clean.pop("TOKEN_ENCRYPTION_KEYS", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "orderguard.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_fails_fast_without_a_secret():
    env = dict(PRODUCTION_ENV)
    del env["SHOPIFY_API_SECRET"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SHOPIFY_API_SECRET is required" in result.stderr


def test_production_refuses_the_sandbox():
    result = _manage("check", env={**PRODUCTION_ENV, "SANDBOX_ENABLED": "1"})
    assert result.returncode != 0
    assert "sandbox cannot be enabled with production settings" in result.stderr


def test_a_malformed_token_key_is_a_startup_error():
    result = _manage("check", env={**PRODUCTION_ENV, "TOKEN_ENCRYPTION_KEYS": "not-a-fernet-key"})
    assert result.returncode != 0
    assert "TOKEN_ENCRYPTION_KEYS" in result.stdout + result.stderr
