"""GraphQL documents: one `.graphql` file per operation in ./graphql, loaded by name.

Every file is validated against Shopify's real 2026-10 schema by tests/integrations/test_graphql_documents.py.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

GRAPHQL_DIR = Path(__file__).resolve().parent / "graphql"


@lru_cache(maxsize=None)
def load(name: str) -> str:
    path = GRAPHQL_DIR / f"{name}.graphql"
    if not path.is_file():
        raise KeyError(f"No GraphQL document named {name!r} in {GRAPHQL_DIR}")
    return path.read_text()


def all_documents() -> dict[str, str]:
    return {path.stem: path.read_text() for path in sorted(GRAPHQL_DIR.glob("*.graphql"))}
