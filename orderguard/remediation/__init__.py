"""Remedies for a stuck Facebook/Instagram order, as pure decisions the action executor builds on.

cancel_rules.py: may Meta's order be cancelled now, and with which reason code.
item_mapping.py: Meta line items -> Shopify variants (variant id, Google-style offer id, SKU).
apology.py: the buyer's apology email, in the buyer's language (templates/remediation/).
No ORM here: callers pass facts in and persist what comes out.
"""
