"""Every message catalogue is complete and its compiled .mo matches the .po (adding a language is adding
a catalogue: these checks then cover it too)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

CATALOGUES = sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po"))


def test_every_language_but_english_has_a_catalogue():
    languages = {path.parts[-3] for path in CATALOGUES}
    assert languages == {code for code, _ in settings.LANGUAGES} - {"en"}


@pytest.mark.parametrize("po_path", CATALOGUES, ids=[path.parts[-3] for path in CATALOGUES])
def test_catalogue_is_complete_and_compiled(po_path):
    with po_path.open("rb") as file:
        po = read_po(file)
    with po_path.with_suffix(".mo").open("rb") as file:
        mo = read_mo(file)
    entries = [message for message in po if message.id]
    assert entries
    untranslated = [message.id for message in entries if not message.string or (isinstance(message.string, tuple) and not all(message.string))]
    assert untranslated == []
    assert [message.id for message in entries if message.fuzzy] == []
    compiled = {_key(message.id): _key(message.string) for message in mo if message.id}
    source = {_key(message.id): _key(message.string) for message in entries}
    assert source == compiled, "run: python manage.py compilemessages --ignore=.venv"


def _key(value):
    """Plural messages are sequences (a tuple in .po, a list in .mo)."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


# The same word in Dutch: nothing to translate.
SAME_IN_DUTCH = {"Account", "In Meta", "Product", "SKU", "Meta", "Meta:", "Shopify", "Shopify:", "Status", "OrderGuard", "code"}
TRANSLATE_TAG = re.compile(r"""\{% translate "([^"]+)"( context "[^"]+")? %\}""")


def test_every_translate_tag_in_the_templates_renders_in_dutch():
    """Through Django's own tag, as a page renders it: a message with a percent sign is looked up with the
    sign doubled, so a catalogue entry written with a single one is never found."""
    untranslated = []
    with translation.override("nl"):
        for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
            for tag in TRANSLATE_TAG.finditer(path.read_text()):
                english = tag.group(1)
                if english in SAME_IN_DUTCH:
                    continue
                dutch = Template("{% load i18n %}{% autoescape off %}" + tag.group(0) + "{% endautoescape %}").render(Context())
                if dutch == english:
                    untranslated.append(f"{path.name}: {english}")
    assert untranslated == []
