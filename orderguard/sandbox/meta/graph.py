"""Graph API mechanics shared by every endpoint: the `fields` parameter (nested selections such as
`items{id,retailer_id}` and `edge.limit(n){...}`), node types with their default fields, and cursor paging
(`paging.cursors`, absolute `paging.next` / `paging.previous` URLs pointing back at the sandbox).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from orderguard.sandbox.meta import errors

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


# Node types
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A Graph type: its fields (None for a scalar, a Node for an object or an edge) and the fields a
    request without `fields` gets (None: all of them)."""

    name: str
    fields: dict[str, Node | None]
    defaults: tuple[str, ...] | None = None
    is_edge: bool = False  # a list in {"data": [...], "paging": {...}}
    edge_path: str = ""  # the edge's own path under its parent node, for paging.next


def edge(node: Node, path: str) -> Node:
    return Node(node.name, node.fields, node.defaults, is_edge=True, edge_path=path)


# The `fields` parameter
# ------------------------------------------------------------------------------------------------------


@dataclass
class Selection:
    fields: dict[str, Selection | None] = field(default_factory=dict)
    limits: dict[str, int] = field(default_factory=dict)


def parse_fields(spec: str | None) -> Selection | None:
    """`id,items.limit(5){id,status},buyer_details{name}` -> Selection; None or "" -> None (defaults)."""
    if spec is None or not spec.strip():
        return None
    parser = _FieldsParser(spec)
    selection = parser.selection()
    if parser.position != len(spec):
        raise errors.invalid_parameter(f'Syntax error "Expected end of string instead of "{spec[parser.position]}"." at character {parser.position}: {spec}')
    return selection


class _FieldsParser:
    def __init__(self, text: str):
        self.text = text
        self.position = 0

    def selection(self) -> Selection:
        selection = Selection()
        while True:
            name = self._name()
            if not name:
                raise errors.invalid_parameter(f'Syntax error "Expected a field name." at character {self.position}: {self.text}')
            if self.text.startswith(".limit(", self.position):
                self.position += len(".limit(")
                end = self.text.find(")", self.position)
                digits = self.text[self.position:end] if end != -1 else ""
                if not digits.isdigit():
                    raise errors.invalid_parameter(f"Syntax error in limit modifier at character {self.position}: {self.text}")
                selection.limits[name] = int(digits)
                self.position = end + 1
            nested = None
            if self._peek() == "{":
                self.position += 1
                nested = self.selection()
                if self._peek() != "}":
                    raise errors.invalid_parameter(f'Syntax error "Expected "}}"." at character {self.position}: {self.text}')
                self.position += 1
            selection.fields[name] = nested
            self._spaces()
            if self._peek() != ",":
                return selection
            self.position += 1

    def _name(self) -> str:
        self._spaces()
        start = self.position
        while self.position < len(self.text) and (self.text[self.position].isalnum() or self.text[self.position] == "_"):
            self.position += 1
        name = self.text[start:self.position]
        self._spaces()
        return name

    def _spaces(self) -> None:
        while self.position < len(self.text) and self.text[self.position] == " ":
            self.position += 1

    def _peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""


# Selecting fields from a full representation
# ------------------------------------------------------------------------------------------------------


EdgeUrl = Callable[[str, str, str, int], str]  # (node id, edge path, after cursor, limit) -> next URL


def select(value: dict, selection: Selection | None, node: Node, *, edge_url: EdgeUrl | None = None) -> dict:
    """Keep what `selection` asks for (or the node's defaults). Unknown fields are Meta's (#100) error;
    fields absent from `value` (hidden, or unset) are left out, as Meta leaves out empty fields."""
    names: Sequence[str]
    if selection is None:
        names = node.defaults if node.defaults is not None else tuple(node.fields)
    else:
        names = tuple(selection.fields)
    for name in names:
        if name not in node.fields:
            raise errors.nonexisting_field(name, node.name)
    result: dict = {}
    if "id" in node.fields and "id" in value:
        result["id"] = value["id"]  # `id` is always returned
    for name in names:
        if name not in value or name in result:
            continue
        child_type = node.fields[name]
        child = value[name]
        nested = selection.fields.get(name) if selection is not None else None
        if child_type is None or child is None:
            result[name] = child
        elif child_type.is_edge:
            limit = selection.limits.get(name, DEFAULT_LIMIT) if selection is not None else DEFAULT_LIMIT
            result[name] = _select_edge(child, nested, child_type, limit, value.get("id", ""), edge_url)
        else:
            result[name] = select(child, nested, child_type, edge_url=edge_url)
    return result


def _select_edge(rows: list[dict], nested, node: Node, limit: int, parent_id: str, edge_url: EdgeUrl | None) -> dict:
    page = rows[:limit]
    body: dict = {"data": [select(row, nested, node, edge_url=edge_url) for row in page]}
    if page:
        paging: dict = {"cursors": {"before": encode_cursor(0), "after": encode_cursor(len(page) - 1)}}
        if len(rows) > limit and edge_url is not None:
            paging["next"] = edge_url(parent_id, node.edge_path, encode_cursor(len(page) - 1), limit)
        body["paging"] = paging
    return body


# Cursor paging
# ------------------------------------------------------------------------------------------------------


def encode_cursor(key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str):
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        raise errors.invalid_parameter("Invalid cursor") from None


def parse_limit(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise errors.invalid_parameter("Param limit must be an integer") from None
    if limit < 1:
        raise errors.invalid_parameter("Param limit must be a positive integer")
    return min(limit, MAX_LIMIT)  # Graph clamps oversized pages rather than failing


@dataclass
class Page:
    rows: list
    before: str | None
    after: str | None
    has_next: bool
    has_previous: bool


def paginate(rows: list, *, key: Callable[[object], list], after: str | None, before: str | None, limit: int) -> Page:
    """`rows` in display order; `key(row)` increases along that order (a JSON-able list)."""
    keys = [key(row) for row in rows]
    start, end = 0, len(rows)
    if after:
        cursor = decode_cursor(after)
        start = next((i for i, k in enumerate(keys) if k > cursor), len(rows))
    if before:
        cursor = decode_cursor(before)
        end = next((i for i, k in enumerate(keys) if k >= cursor), len(rows))
        start = max(start, end - limit) if not after else start
    window = rows[start:end][:limit]
    first, last = start, start + len(window)
    return Page(
        rows=window,
        before=encode_cursor(keys[first]) if window else None,
        after=encode_cursor(keys[last - 1]) if window else None,
        has_next=last < len(rows),
        has_previous=first > 0,
    )


def paged_body(data: list, page: Page, *, url: Callable[[dict], str]) -> dict:
    """{"data": [...], "paging": {"cursors", "next", "previous"}}; `url(params)` builds a link."""
    body: dict = {"data": data}
    if page.before is None:
        return body
    paging: dict = {"cursors": {"before": page.before, "after": page.after}}
    if page.has_previous:
        paging["previous"] = url({"before": page.before})
    if page.has_next:
        paging["next"] = url({"after": page.after})
    body["paging"] = paging
    return body


def link(base: str, params: dict, changes: dict) -> str:
    """`base`?params with paging cursors replaced by `changes`."""
    merged = {k: v for k, v in params.items() if k not in ("after", "before")}
    merged.update(changes)
    return f"{base}?{urlencode(merged)}"


def list_edge_body(rows: list[dict], node: Node, *, params: dict, selection: Selection | None, page_link: Callable[[dict], str],
                   edge_url: EdgeUrl | None = None) -> dict:
    """A list-valued edge (an order's items, an account's apps) as one page of selected rows, with cursors."""
    page = paginate(
        list(range(len(rows))), key=lambda index: index, after=params.get("after"),
        before=params.get("before"), limit=parse_limit(params.get("limit")),
    )
    return paged_body([select(rows[index], selection, node, edge_url=edge_url) for index in page.rows], page, url=page_link)
