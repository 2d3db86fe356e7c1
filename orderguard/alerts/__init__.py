"""Alerts: where they go (destinations), what was raised (alerts), and each send (deliveries)."""
