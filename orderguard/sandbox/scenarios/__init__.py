"""Sandbox scenarios: JSON files describing a Shopify shop, its Meta commerce account(s), tokens and
orders, loaded with `python manage.py sandbox_load <file>` (format: docs/sandbox-scenarios.md)."""

from pathlib import Path

SCENARIOS_DIR = Path(__file__).resolve().parent
