"""What an entry point writes to the database: every SQL write on its path, in order, with the
branches and loops that decide whether (and how often) each one runs.

Built from a stored flow (core.domain.flows: the walk from an endpoint, job or
listener through the project's own services, DAOs and mappers, with every
call site of a method, not only the first) and the Java outline that tells
which `if`, `else`, loop or lambda encloses each call. A flow whose walk was
cut short (too deep, too many steps) or that reaches too many writes to
answer readably yields nothing: a partial list of writes would be presented
as the whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.domain.flows import MAX_DEPTH, MAX_STEPS
from core.generate.spans import Control, JavaOutline

WRITES = frozenset({"insert", "update", "delete"})
MAX_WRITES = 8          # more and the answer is a dump, not something a developer reads
MAX_SITES = 4           # call sites reaching one statement
MAX_PATHS = 400         # call paths enumerated per flow before giving up


@dataclass
class _Method:
    path: str
    edges: list[tuple[int, str]] = field(default_factory=list)    # (call line, callee) in source order
    sql: list[str] = field(default_factory=list)


class TooBroad(Exception):
    """The flow cannot be answered completely within the limits above."""


def _graph(steps: list[dict]) -> dict[str, _Method]:
    """Methods of the walk with their call sites (`again` steps included) and their own SQL statements."""
    methods: dict[str, _Method] = {}
    stack: list[str] = []
    for s in steps:
        depth, sym = s["depth"], s["symbol_id"]
        if s["kind"] == "sql":
            methods[stack[depth - 1]].sql.append(s["stmt_id"])
            continue
        if s["kind"] != "again":
            methods.setdefault(sym, _Method(s["path"]))
        if depth:
            methods[stack[depth - 1]].edges.append((s["call_line"], sym))
        if s["kind"] != "again":
            del stack[depth:]
            stack.append(sym)
    return methods


def complete(steps: list[dict]) -> bool:
    """False when the walk stopped early: its step budget ran out or a method at the depth limit was not
    followed further, so SQL below it may be missing."""
    return len(steps) < MAX_STEPS and not any(s["depth"] >= MAX_DEPTH and s["kind"] not in ("sql", "again")
                                              for s in steps)


def write_sites(steps: list[dict], stmts: dict[str, dict]) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """(statement id, call chain) for every way the entry reaches a write, in execution order of the code;
    a chain is [(caller id, caller path, call line), ...] from the entry down to the DAO/mapper method."""
    methods = _graph(steps)
    out: list[tuple[str, list[tuple[str, str, int]]]] = []
    budget = [MAX_PATHS]

    def go(method_id: str, chain: list[tuple[str, str, int]], on_path: frozenset[str]) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise TooBroad(f"more than {MAX_PATHS} call paths")
        node = methods[method_id]
        out.extend((st, chain) for st in node.sql if stmts.get(st, {}).get("kind") in WRITES)
        for line, callee in node.edges:
            if callee not in on_path and callee in methods:
                go(callee, [*chain, (method_id, node.path, line)], on_path | {callee})

    entry = steps[0]["symbol_id"]
    go(entry, [], frozenset({entry}))
    return out


def flow_writes(steps: list[dict], stmts: dict[str, dict], outline: JavaOutline) -> list[dict]:
    """One record per written statement, in the order first reached, each with every call site reaching it:
    {stmt_id, kind, tables, path, start_line, end_line, sites: [{hops: [{caller, path, line, controls}]}]}."""
    writes: dict[str, dict] = {}
    for stmt_id, chain in write_sites(steps, stmts):
        st = stmts[stmt_id]
        rec = writes.setdefault(stmt_id, {"stmt_id": stmt_id, "kind": st["kind"], "tables": st["tables"] or [],
                                          "path": st["path"], "start_line": st["start_line"],
                                          "end_line": st["end_line"], "sites": []})
        hops = [{"caller": caller, "path": path, "line": line,
                 "controls": [_control_fact(c) for c in outline.controls(path, line)]} for caller, path, line in chain]
        rec["sites"].append({"hops": hops})
    if len(writes) > MAX_WRITES or any(len(w["sites"]) > MAX_SITES for w in writes.values()):
        raise TooBroad(f"{len(writes)} written statements")
    return list(writes.values())


def _control_fact(c: Control) -> dict:
    return {"kind": c.kind, "code": c.code, "line": c.line, "header_end": c.header_end, "branch_line": c.branch_line}


def conditional(write: dict) -> bool:
    """True when no call site reaches the statement outside a branch (each path runs it only sometimes)."""
    return all(any(c["kind"] in ("if", "else", "catch") for h in s["hops"] for c in h["controls"]) for s in write["sites"])


def repeated(write: dict) -> bool:
    return any(c["kind"] in ("loop", "lambda") for s in write["sites"] for h in s["hops"] for c in h["controls"])
