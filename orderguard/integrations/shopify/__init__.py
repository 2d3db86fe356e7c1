"""Shopify: ID tokens, webhook HMAC, token exchange/refresh and the Admin GraphQL client.

Thin wrappers over Shopify's official `shopifyapp` package (import `shopify_app`) where it fits, with the
hardening Shopify's own older libraries did and the new one leaves to apps.
"""
