"""ID tokens, webhook signatures and shop domains: forged inputs are refused, genuine ones accepted."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import jwt
import pytest
from django.conf import settings

from orderguard.integrations.shopify.auth import (
    InvalidIdToken,
    normalize_shop_domain,
    verify_id_token,
    verify_webhook_signature,
    webhook_signature,
)
from tests.helpers import SHOP_A, id_token_claims, make_id_token

SECRET = settings.SHOPIFY_API_SECRET
KEY = settings.SHOPIFY_API_KEY


def _verify(token: str, **kwargs):
    return verify_id_token(token, client_id=KEY, secret=SECRET, **kwargs)


def _unsigned(claims: dict) -> str:
    """An `alg: none` token: header and payload, empty signature."""
    def part(data: dict) -> str:
        import json

        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _rs256(claims: dict) -> str:
    from cryptography.hazmat.primitives.asymmetric import rsa

    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, private_key, algorithm="RS256")


def _hs256_with_public_key_confusion(claims: dict) -> str:
    # An RS256 header over an HMAC signature made with the app's secret: the classic algorithm confusion.
    import json

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")

    signing_input = f"{part(json.dumps({'alg': 'RS256', 'typ': 'JWT'}).encode())}.{part(json.dumps(claims).encode())}"
    signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{part(signature)}"


FORGED = {
    "alg none": lambda: _unsigned(id_token_claims()),
    "RS256 with an attacker key": lambda: _rs256(id_token_claims()),
    "RS256 header, HMAC signature": lambda: _hs256_with_public_key_confusion(id_token_claims()),
    "wrong secret": lambda: make_id_token(secret="a-secret-that-is-not-this-apps-secret-at-all"),
    "wrong aud": lambda: make_id_token(aud="another-apps-client-id"),
    "expired beyond the leeway": lambda: make_id_token(exp=int(time.time()) - 11, nbf=int(time.time()) - 71, iat=int(time.time()) - 71),
    "nbf in the future": lambda: make_id_token(nbf=int(time.time()) + 30),
    "iss != dest": lambda: make_id_token(iss="https://bravo-supply.myshopify.com/admin"),
    "iss without /admin": lambda: make_id_token(iss=f"https://{SHOP_A}"),
    "dest is another domain": lambda: make_id_token("x.myshopify.com.evil.tld", iss="https://x.myshopify.com.evil.tld/admin"),
    "dest over http": lambda: make_id_token(dest=f"http://{SHOP_A}", iss=f"http://{SHOP_A}/admin"),
    "dest with a path": lambda: make_id_token(dest=f"https://{SHOP_A}/evil", iss=f"https://{SHOP_A}/evil/admin"),
    "missing sid": lambda: make_id_token(sid=None),
    "missing jti": lambda: make_id_token(jti=None),
    "missing sub": lambda: make_id_token(sub=None),
    "missing exp": lambda: make_id_token(exp=None),
    "empty": lambda: "",
    "garbage": lambda: "not.a.jwt",
    "oversized": lambda: "a" * 5000,
}


@pytest.mark.parametrize("case", FORGED, ids=list(FORGED))
def test_forged_id_tokens_are_refused(case):
    with pytest.raises(InvalidIdToken):
        _verify(FORGED[case]())


def test_a_valid_id_token_is_accepted_and_names_its_shop():
    claims = _verify(make_id_token(SHOP_A))
    assert claims.shop_domain == SHOP_A
    assert claims.user_id == "42"
    assert SHOP_A in repr(claims) and claims.token not in repr(claims)


def test_clock_skew_within_ten_seconds_is_tolerated():
    now = int(time.time())
    assert _verify(make_id_token(nbf=now + 8, iat=now)).shop_domain == SHOP_A
    assert _verify(make_id_token(exp=now - 8, nbf=now - 68, iat=now - 68)).shop_domain == SHOP_A


def test_tokens_signed_with_the_previous_secret_pass_during_rotation():
    token = make_id_token(secret="the-previous-client-secret-of-this-app")
    with pytest.raises(InvalidIdToken):
        _verify(token)
    assert _verify(token, previous_secret="the-previous-client-secret-of-this-app").shop_domain == SHOP_A


@pytest.mark.parametrize(
    "value, expected",
    [
        ("alpha-goods.myshopify.com", "alpha-goods.myshopify.com"),
        ("Alpha-Goods.MyShopify.com", "alpha-goods.myshopify.com"),
        ("x.myshopify.com.evil.tld", None),
        ("x.myshopify.com/", None),
        ("x.myshopify.com@evil.tld", None),
        ("evil.tld/x.myshopify.com", None),
        ("-x.myshopify.com", None),
        ("x_y.myshopify.com", None),
        ("évil.myshopify.com", None),
        ("x.myshopify.com\n", "x.myshopify.com"),
        ("x.myshopify.com\x00", None),
        ("myshopify.com", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_shop_domains_are_validated_with_an_anchored_pattern(value, expected):
    assert normalize_shop_domain(value) == expected


BODY = b'{"id": 1, "name": "Alpha Goods"}'


def test_webhook_signature_over_the_raw_body_is_accepted():
    assert verify_webhook_signature(BODY, webhook_signature(BODY, SECRET), secrets=[SECRET])


def test_a_flipped_byte_in_the_body_or_the_signature_is_refused():
    signature = webhook_signature(BODY, SECRET)
    tampered_body = bytes([BODY[0] ^ 1]) + BODY[1:]
    raw = bytearray(base64.b64decode(signature))
    raw[5] ^= 1
    assert not verify_webhook_signature(tampered_body, signature, secrets=[SECRET])
    assert not verify_webhook_signature(BODY, base64.b64encode(bytes(raw)).decode(), secrets=[SECRET])


@pytest.mark.parametrize(
    "header",
    [None, "", "not base64!", base64.b64encode(b"short").decode(), base64.b64encode(b"x" * 33).decode(), "é" * 44, "A" * 10_000],
)
def test_malformed_signature_headers_are_refused_without_raising(header):
    assert verify_webhook_signature(BODY, header, secrets=[SECRET]) is False


def test_previous_secret_is_accepted_during_rotation_and_empty_secrets_never_match():
    old = base64.b64encode(hmac.new(b"the-previous-client-secret-of-this-app", BODY, hashlib.sha256).digest()).decode()
    assert not verify_webhook_signature(BODY, old, secrets=[SECRET])
    assert verify_webhook_signature(BODY, old, secrets=[SECRET, "the-previous-client-secret-of-this-app"])
    empty = base64.b64encode(hmac.new(b"", BODY, hashlib.sha256).digest()).decode()
    assert not verify_webhook_signature(BODY, empty, secrets=[SECRET, ""])
