"""GraphQL documents: one `.graphql` file per operation in ./graphql, loaded by name.

Shared field selections are fragments in ./graphql/fragments (one `fragment` per file). A document spreads
one (`...OrderGuardDraftOrderFields`) and `load` appends the definitions it spreads, transitively, so what is
sent is one self-contained document. Only the fragments used are appended: GraphQL refuses unused ones.

Every document, with its fragments, is validated against Shopify's real 2026-10 schema by
tests/integrations/test_graphql_documents.py.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from graphql import FragmentDefinitionNode, FragmentSpreadNode, Visitor, parse, visit

GRAPHQL_DIR = Path(__file__).resolve().parent / "graphql"
FRAGMENTS_DIR = GRAPHQL_DIR / "fragments"


@lru_cache(maxsize=None)
def load(name: str) -> str:
    path = GRAPHQL_DIR / f"{name}.graphql"
    if not path.is_file():
        raise KeyError(f"No GraphQL document named {name!r} in {GRAPHQL_DIR}")
    return with_fragments(path.read_text())


def all_documents() -> dict[str, str]:
    return {path.stem: load(path.stem) for path in sorted(GRAPHQL_DIR.glob("*.graphql"))}


@lru_cache(maxsize=1)
def fragments() -> dict[str, str]:
    """Fragment name -> the text of its file."""
    found: dict[str, str] = {}
    for path in sorted(FRAGMENTS_DIR.glob("*.graphql")):
        text = path.read_text()
        names = [d.name.value for d in parse(text).definitions if isinstance(d, FragmentDefinitionNode)]
        if len(names) != 1 or names[0] in found:
            raise ValueError(f"{path} must define exactly one fragment, with a name no other fragment file uses")
        found[names[0]] = text
    return found


def with_fragments(document: str) -> str:
    """`document` followed by every shared fragment it spreads (and those spread in turn)."""
    library = fragments()
    defined = _defined(document)
    parts = [document]
    pending = sorted(_spread(document) - defined)
    while pending:
        name = pending.pop(0)
        if name in defined:
            continue
        if name not in library:
            raise KeyError(f"No GraphQL fragment named {name!r} in {FRAGMENTS_DIR}")
        defined.add(name)
        parts.append(library[name])
        pending.extend(sorted(_spread(library[name]) - defined))
    return "\n".join(part.rstrip("\n") + "\n" for part in parts) if len(parts) > 1 else document


def _defined(text: str) -> set[str]:
    return {d.name.value for d in parse(text).definitions if isinstance(d, FragmentDefinitionNode)}


def _spread(text: str) -> set[str]:
    names: set[str] = set()

    class Spreads(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_args) -> None:
            names.add(node.name.value)

    visit(parse(text), Spreads())
    return names
