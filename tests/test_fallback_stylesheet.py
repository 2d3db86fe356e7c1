"""The local fallback stylesheet stands on Polaris' vendored design tokens, loaded before it on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

TOKENS = "vendor/polaris-tokens/styles.css"
OURS = "css/orderguard.css"


def _static_text(path: str) -> str:
    found = finders.find(path)
    assert found, f"{path} is not found by the static files finders"
    return Path(found).read_text()


def test_the_vendored_tokens_ship_with_their_licence():
    assert "--p-color-bg-surface:" in _static_text(TOKENS)
    assert "Shopify" in _static_text("vendor/polaris-tokens/LICENSE.md")


def test_every_token_the_stylesheet_uses_is_defined():
    defined = set(re.findall(r"(--p-[\w-]+):", _static_text(TOKENS)))
    used = set(re.findall(r"var\((--p-[\w-]+)\)", _static_text(OURS)))
    assert used and not used - defined, sorted(used - defined)


@pytest.mark.parametrize("template", ["base.html", "standalone.html"])
def test_the_tokens_load_before_the_stylesheet(template):
    page = render_to_string(template)
    assert 0 < page.index(f'href="/static/{TOKENS}"') < page.index(f'href="/static/{OURS}"')
