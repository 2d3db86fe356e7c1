"""Credentials never reach the log output, whatever a library or an exception puts in a message."""

from __future__ import annotations

import io
import logging

from orderguard.core.logging import RedactSecretsFilter, redact

SECRETS = [
    "shpat_0123456789abcdef0123456789abcdef",
    "shprt_fedcba9876543210fedcba9876543210",
    "EAAFernhillSandboxSystemUser0ReadOrders0v1Qm7Tz2Kp9Wd4",
]


def test_secrets_in_messages_arguments_and_tracebacks_are_masked():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("token %s refused", SECRETS[0])
        logger.warning("GET https://graph.facebook.com/v25.0/1/commerce_orders?access_token=%s&appsecret_proof=abc123", SECRETS[2])
        logger.warning("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.sig")
        try:
            raise RuntimeError(f"refresh failed for {SECRETS[1]}")
        except RuntimeError:
            logger.exception("shop refresh")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    for secret in SECRETS + ["abc123", "eyJhbGciOiJIUzI1NiJ9"]:
        assert secret not in output
    assert output.count("[redacted]") >= 5
    assert "token [redacted] refused" in output and "shop refresh" in output


def test_ordinary_text_is_left_alone():
    text = "Meta order 2904417823351201 is missing from Shopify (#1042)"
    assert redact(text) == text
