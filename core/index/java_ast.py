"""The one place that sets up tree-sitter-java, for every stage that reads Java.

Indexing parses whole files; later stages (rules, generation) re-parse a
method chunk to look at its guard clauses, assignments or BigDecimal chains.
Both go through here so the grammar, the parser and the compiled queries are
built once per process, and line numbers are converted to 1-based file lines
in one way only.

tree-sitter 0.26: `Query(lang, src)` + `QueryCursor(q).captures(node)`;
positions are byte offsets and 0-based (row, column) points.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import tree_sitter_java
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

LANGUAGE = Language(tree_sitter_java.language())

# Wrapper that turns a bare method (a chunk's text) into a parseable unit.
# The method starts on the wrapper's second row, so row r maps to file line
# r - 1 + chunk.start_line.
_WRAP_HEAD = "class __Chunk__ {\n"
_WRAP_TAIL = "\n}\n"

TYPE_DECLARATIONS = frozenset({
    "class_declaration", "interface_declaration", "enum_declaration",
    "record_declaration", "annotation_type_declaration",
})
METHOD_DECLARATIONS = frozenset({"method_declaration", "constructor_declaration", "compact_constructor_declaration"})


@cache
def parser() -> Parser:
    return Parser(LANGUAGE)


@cache
def query(source: str) -> Query:
    """A compiled query, cached by its source text (compiling costs milliseconds)."""
    return Query(LANGUAGE, source)


def captures(source: str, node: Node) -> dict[str, list[Node]]:
    """Captures of `source` under `node`, by capture name, in document order.

    The cursor's own order is not stable for nodes starting at the same byte (`a.b().c()` holds
    two calls), so an enclosing node is put before the nodes inside it, as a tree walk would.
    """
    found = QueryCursor(query(source)).captures(node)
    return {name: sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte)) for name, nodes in found.items()}


def parse(data: bytes | str) -> Tree:
    return parser().parse(data.encode("utf-8") if isinstance(data, str) else data)


def text(node: Node | None) -> str:
    return node.text.decode("utf-8", errors="replace") if node is not None and node.text is not None else ""


def modifiers(node: Node) -> Node | None:
    """A declaration's `modifiers` child (annotations, `public`, `static` ...), if it has any."""
    return next((c for c in node.children if c.type == "modifiers"), None)


def lines(node: Node) -> tuple[int, int]:
    """1-based inclusive (start_line, end_line) of a node in its parsed source."""
    end_row, end_col = node.end_point
    if end_col == 0 and end_row > node.start_point[0]:
        end_row -= 1  # a node ending at the start of a line does not occupy that line
    return node.start_point[0] + 1, end_row + 1


def walk(node: Node, types: frozenset[str] | set[str] | None = None) -> Iterator[Node]:
    """Named descendants of `node` (itself included) in document order, optionally of given types."""
    cursor = node.walk()
    while True:
        current = cursor.node
        if current is not None and current.is_named and (types is None or current.type in types):
            yield current
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent() or cursor.node == node:
                return


def error_regions(tree: Tree) -> list[list[int]]:
    """[[start_line, end_line], ...] of ERROR and MISSING nodes; empty for a clean parse."""
    root = tree.root_node
    if not root.has_error:
        return []
    regions: list[list[int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            regions.append(list(lines(node)))
            continue
        if node.has_error:
            stack.extend(node.children)
    regions.sort()
    merged: list[list[int]] = []
    for start, end in regions:
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


@dataclass(frozen=True)
class Snippet:
    """A method chunk re-parsed on its own; `line()` gives file lines for its nodes."""

    tree: Tree
    start_line: int  # file line of the chunk's first line

    @property
    def method(self) -> Node | None:
        """The first method or constructor declared in the chunk."""
        body = self.tree.root_node.child(0)
        body = body.child_by_field_name("body") if body is not None else None
        if body is None:
            return None
        return next((c for c in body.named_children if c.type in METHOD_DECLARATIONS), None)

    def line(self, node: Node) -> int:
        return node.start_point[0] - 1 + self.start_line

    def span(self, node: Node) -> tuple[int, int]:
        start, end = lines(node)  # 1-based rows of the wrapped text; the chunk starts on row 2
        return start - 2 + self.start_line, end - 2 + self.start_line


def parse_method(chunk_text: str, start_line: int = 1) -> Snippet:
    """Parse a method's source (e.g. `chunks.text`) whose first line is file line `start_line`."""
    return Snippet(parse(_WRAP_HEAD + chunk_text + _WRAP_TAIL), start_line)


def method_declarations(node: Node) -> Iterator[Node]:
    yield from walk(node, METHOD_DECLARATIONS)


def find_method(node: Node, name: str) -> Node | None:
    """The first method named `name` under `node`."""
    return next((m for m in method_declarations(node) if text(m.child_by_field_name("name")) == name), None)


def enclosing(node: Node, types: frozenset[str] | set[str], root: Node | None = None) -> Node | None:
    """The nearest ancestor of one of `types` (at or below `root`, an ancestor of `node`, when given).

    tree-sitter finds `node.parent` by descending from the tree's root, so climbing `.parent` costs
    O(depth²): minutes per method for code nested 1,500 deep. With `root`, one descent with
    `child_with_descendant` finds every ancestor in O(depth).
    """
    if root is None:
        parent = node.parent
        while parent is not None and parent.type not in types:
            parent = parent.parent
        return parent
    found, current = None, root
    while current is not None and current != node:
        if current.type in types:
            found = current
        current = current.child_with_descendant(node)
    return found
