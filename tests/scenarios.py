"""What the shipped sandbox scenarios contain, as the tests rely on it (orderguard/sandbox/scenarios/)."""

from __future__ import annotations

# broken-channel: Fernhill Supply Co., whose Facebook & Instagram channel stopped importing orders.
BROKEN_CHANNEL = "broken-channel"
BROKEN_SHOP = "fernhill-supply.myshopify.com"
BROKEN_CMS = "781204456120017"
# After the first poll: the orders that need action, and why.
EXPECTED_STUCK = {
    "2904417823351201": "missing_from_shopify",
    "2904417823351202": "missing_from_shopify",
    "2904417823351203": "missing_from_shopify",
    "2904417823351204": "missing_from_shopify",
    "2904417823351207": "stuck_processing",
}
