"""Load a sandbox scenario (docs/sandbox-scenarios.md): a shop, its Meta commerce accounts, tokens and
orders. Idempotent: loading again replaces what the scenario describes.

Each token is also written to a file (0600) so the operator command can use it, e.g.
`./og connect_meta <shop> --cms-id <id> --token-file var/sandbox-tokens/<file>`.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from orderguard.sandbox.scenarios import loader


class Command(BaseCommand):
    help = "Load a sandbox scenario file (or a shipped one by name: " + ", ".join(loader.shipped_names()) + ")."

    def add_arguments(self, parser):
        parser.add_argument("scenario", help="A scenario JSON file, or the name of a shipped scenario.")
        parser.add_argument(
            "--token-dir", type=Path, default=None,
            help="Where to write the scenario's tokens (default: var/sandbox-tokens).",
        )

    def handle(self, *args, scenario: str, token_dir: Path | None, **options):
        if not settings.SANDBOX_ENABLED:
            raise CommandError("The sandbox is not enabled (ORDERGUARD_ENV=demo or test).")
        try:
            result = loader.load_file(scenario)
        except loader.ScenarioError as error:
            raise CommandError(f"Scenario not loaded: {error}") from None
        token_dir = token_dir or settings.VAR_DIR / "sandbox-tokens"
        token_dir.mkdir(parents=True, exist_ok=True)

        write = self.stdout.write
        write(self.style.SUCCESS(f"Loaded scenario {result.name!r}"))
        write(f"  Shopify shop   {result.shop} ({result.shopify_orders} orders)")
        for cms_id, account in result.accounts.items():
            states = ", ".join(f"{state} {count}" for state, count in sorted(account["states"].items())) or "no orders"
            write(f"  Meta account   {cms_id} {account['display_name']!r}: channel {account['behaviour']}; {states}")
        for token in result.tokens:
            path = token_dir / token.file
            path.write_text(token.value + "\n")
            os.chmod(path, 0o600)
            write(f"  Token          {token.kind} for {', '.join(token.accounts)} -> {path}")
            write(f"                 ./og connect_meta {result.shop} --cms-id {token.accounts[0]} --token-file {path}")
