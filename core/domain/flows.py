"""Flows: from an entry point (endpoint, scheduled job, message listener) down to the SQL it runs.

The walk follows resolved calls in source order, stepping from an interface
method into its single implementation, and stops at model / DTO code
(getters and setters say nothing about the flow). A DAO or mapper method
with a MyBatis statement ends in an `sql` step carrying the statement id and
its lines, so a flow can be shown and cited end to end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

MAX_DEPTH = 8
MAX_STEPS = 150
SKIP_LAYERS = frozenset({"model", "dto"})


@dataclass
class MethodInfo:
    symbol_id: str
    owner: str
    path: str
    start_line: int
    end_line: int


class CallGraph:
    def __init__(self, methods: dict[str, MethodInfo], calls: list[tuple], layers: dict[str, str],
                 generated: set[str], sql_by_method: dict[str, list[dict]]):
        """`calls`: (caller_id, callee_id, impl_id, line, path) ordered by caller then line."""
        self.methods, self.layers, self.generated, self.sql_by_method = methods, layers, generated, sql_by_method
        self.out: dict[str, list[tuple[str, str | None, int]]] = defaultdict(list)
        for caller, callee, impl, line, _path in calls:
            target = impl or callee
            if target in methods and target != caller:
                self.out[caller].append((target, callee if impl else None, line))

    def layer(self, method_id: str) -> str:
        return self.layers.get(self.methods[method_id].owner, "other")

    def followable(self, method_id: str) -> bool:
        owner = self.methods[method_id].owner
        if self.layer(method_id) in SKIP_LAYERS:
            return False
        return owner not in self.generated or self.layer(method_id) in ("mapper", "dao")

    def walk(self, entry: str) -> list[dict]:
        """Ordered steps: entry first, then callees depth-first in source order, SQL after its DAO method.

        A method is walked once; every later call site of it is an `again` step (its line, no
        children), so a reader of the flow sees every place a write is reached from.
        """
        steps: list[dict] = []
        seen: set[str] = set()

        def visit(method_id: str, depth: int, call_line: int | None, via: str | None) -> None:
            if len(steps) >= MAX_STEPS:
                return
            info = self.methods[method_id]
            seen.add(method_id)
            steps.append({
                "depth": depth, "symbol_id": method_id, "kind": "entry" if depth == 0 else self.layer(method_id),
                "layer": self.layer(method_id),
                "path": info.path, "start_line": info.start_line, "end_line": info.end_line, "stmt_id": None,
                "call_line": call_line, "via_interface": via,
            })
            for stmt in self.sql_by_method.get(method_id, []):
                steps.append({
                    "depth": depth + 1, "symbol_id": stmt["stmt_id"], "kind": "sql", "layer": "sql", "path": stmt["path"],
                    "start_line": stmt["start_line"], "end_line": stmt["end_line"], "stmt_id": stmt["stmt_id"],
                    "call_line": None, "via_interface": None, "sql_kind": stmt["kind"], "tables": stmt["tables"],
                })
            if depth >= MAX_DEPTH:
                return
            for target, via_iface, line in self.out.get(method_id, []):
                if not self.followable(target) or len(steps) >= MAX_STEPS:
                    continue
                if target in seen:   # walked once already; this call site still counts (its own conditions)
                    again = self.methods[target]
                    steps.append({
                        "depth": depth + 1, "symbol_id": target, "kind": "again", "layer": self.layer(target),
                        "path": again.path, "start_line": again.start_line, "end_line": again.end_line,
                        "stmt_id": None, "call_line": line, "via_interface": via_iface,
                    })
                else:
                    visit(target, depth + 1, line, via_iface)

        visit(entry, 0, None, None)
        return steps

    def reachable_tables(self, method_id: str, depth: int = 4) -> set[str]:
        """Tables touched by SQL reachable from a method within `depth` calls (for domain labels)."""
        tables: set[str] = set()
        frontier, seen = [method_id], {method_id}
        for _ in range(depth + 1):
            nxt = []
            for m in frontier:
                for stmt in self.sql_by_method.get(m, []):
                    tables.update(stmt["tables"] or [])
                for target, _, _ in self.out.get(m, []):
                    if target not in seen and self.followable(target):
                        seen.add(target)
                        nxt.append(target)
            frontier = nxt
        return tables
