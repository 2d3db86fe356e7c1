"""The models and their migrations agree, and no app has two migration leaves (parallel work merged
without renumbering)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

# makemigrations reads each database's migration history (its consistency check).
pytestmark = pytest.mark.django_db(databases="__all__")


# makemigrations reads each database's applied migrations (its consistency check) before it compares.
@pytest.mark.django_db(databases=["default", "sandbox"])
def test_every_model_change_has_its_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()
