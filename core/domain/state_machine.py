"""State machines of status fields, read off what extraction already found: the states a status dictionary
names and the transition rules that write the field.

Nothing here is inferred: a transition whose starting state the extractor could not prove keeps an empty
`from_codes` and is drawn from a pseudo-state ("not derived"), with the status tests that stand before the
write (if any) as its guard, so a curator sees what the code checks rather than a guessed arrow.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

UNKNOWN = "?"   # the pseudo-state of transitions whose from-state is not derived


@dataclass
class Transition:
    """One write of a status field by one method (or SQL statement), possibly from several states."""

    from_codes: list[str]
    to: str
    method: str
    guards: list[str]        # conditions before the write that test this field (what stands for "from")
    rule_ids: list[str]
    via: str                 # "code" (a setter in Java) or "sql" (an UPDATE in a mapper)
    evidence: list[dict]

    @property
    def method_name(self) -> str:
        return self.method.rsplit(".", 1)[-1]


@dataclass
class StateMachine:
    entity: str
    field: str
    dict_id: str | None
    domain: str
    states: list[dict]               # [{code, label}] in dictionary order, then codes seen only in transitions
    transitions: list[Transition] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.entity}.{self.field}"

    def label(self, code: str) -> str:
        return next((s["label"] for s in self.states if s["code"] == code), "")

    @property
    def has_unknown_from(self) -> bool:
        return any(not t.from_codes for t in self.transitions)


def _getter(field_name: str) -> str:
    return "get" + field_name[:1].upper() + field_name[1:] + "("


def _guards(facts: dict) -> list[str]:
    """What the code tests about this field before writing it: the guards extraction linked, else any exit or
    enclosing branch whose condition reads the field (kept verbatim; never turned into states)."""
    if facts.get("requires"):
        return [r["condition"] for r in facts["requires"]]
    name = facts.get("field", "")
    receiver = facts.get("receiver")
    # in Java, the getter on the very object written (`order.getStatus()`, not `rules.getStatus()`)
    java = re.compile((rf"\b{re.escape(receiver)}\s*\.\s*" if receiver else "") + re.escape(_getter(name)))
    found = [c["condition"] for c in (*facts.get("exits", []), *facts.get("within", []))
             if java.search(c.get("condition", ""))]
    # in SQL, the column in the WHERE clause (`status = 0`, `order_status <> 1`)
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
    column = re.compile(rf"\b({re.escape(name)}|{re.escape(snake)})\b")
    found += [c for c in facts.get("conditions", []) if column.search(c)]
    return list(dict.fromkeys(found))


def build(transition_rules: list[dict], dicts: list[dict]) -> list[StateMachine]:
    """One machine per (entity, field) written by a transition rule; busiest first.

    `transition_rules` are rows of the rules table of kind "transition" (facts carry entity, field, to,
    from_codes, method or name, dict_id, labels); `dicts` are map_status_dicts rows (dict_id, entries).
    """
    entries = {d["dict_id"]: d["entries"] for d in dicts}
    by_field: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for rule in transition_rules:
        f = rule["facts"]
        if f.get("field") and f.get("to") is not None:
            by_field[(f.get("entity") or "", f["field"])].append(rule)
    machines = []
    for (entity, field_name), rules in by_field.items():
        dict_id = next((r["facts"]["dict_id"] for r in rules if r["facts"].get("dict_id")), None)
        labels: dict[str, str] = {}
        for r in rules:
            for code, label in (r["facts"].get("labels") or {}).items():
                labels.setdefault(str(code), label)
        states = [{"code": str(e["code"]), "label": e.get("label") or ""} for e in entries.get(dict_id, [])]
        merged: dict[tuple, Transition] = {}
        for r in rules:
            f = r["facts"]
            method = f.get("method") or f.get("name") or r.get("symbol_id") or ""
            froms = sorted(str(c) for c in f.get("from_codes") or [])
            key = (tuple(froms), str(f["to"]), method)
            if key in merged:
                merged[key].rule_ids.append(r["rule_id"])
                continue
            merged[key] = Transition(from_codes=froms, to=str(f["to"]), method=method, guards=_guards(f),
                                     rule_ids=[r["rule_id"]], via="sql" if f.get("via") == "sql" else "code",
                                     evidence=r.get("evidence") or [])
        known = {s["code"] for s in states}
        for t in merged.values():
            for code in (*t.from_codes, t.to):
                if code not in known:
                    states.append({"code": code, "label": labels.get(code, "")})
                    known.add(code)
        machines.append(StateMachine(entity=entity, field=field_name, dict_id=dict_id, domain=rules[0]["domain"],
                                     states=states, transitions=list(merged.values())))
    machines.sort(key=lambda m: (-len(m.transitions), m.key))
    return machines


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(machine: StateMachine) -> str:
    """Graphviz DOT, left to right: one node per state ("code\\nlabel"), one edge per (from, to) pair labelled
    with the methods that make it (qualified by class where a name is shared); transitions with no derived
    from-state start at a dashed "?" node."""
    lines = ["digraph states {", "  rankdir=LR; nodesep=0.5; ranksep=0.9;",
             '  node [shape=ellipse, style=filled, fillcolor="#e0e7ff", fontname="Helvetica", fontsize=13];',
             '  edge [fontname="Helvetica", fontsize=11];']
    written = {t.to for t in machine.transitions} | {c for t in machine.transitions for c in t.from_codes}
    for s in machine.states:
        fill = "#e0e7ff" if s["code"] in written else "#f3f4f6"
        lines.append(f"  {_quote('s' + s['code'])} [label={_quote(s['code'] + chr(10) + s['label'])}, "
                     f"fillcolor={_quote(fill)}];")
    idle = [s["code"] for s in machine.states if s["code"] not in written]
    for a, b in zip(idle, idle[1:]):   # states no rule writes: one row, not a tall column of strays
        lines.append(f"  {_quote('s' + a)} -> {_quote('s' + b)} [style=invis];")
    if machine.has_unknown_from:
        lines.append(f'  {_quote("s" + UNKNOWN)} [label="from: not derived", shape=box, style="dashed,rounded", '
                     'fillcolor="#ffffff", fontsize=11];')
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    tips: dict[tuple[str, str], list[str]] = defaultdict(list)
    owners: dict[str, set[str]] = defaultdict(set)
    for t in machine.transitions:
        owners[t.method_name].add(t.method)
    for t in machine.transitions:
        for source in t.from_codes or [UNKNOWN]:
            # the bare method name, unless two classes of this machine share it (`OrderUnpaidTask.run`)
            name = (t.method if len(owners[t.method_name]) > 1 else t.method_name) + (" (SQL)" if t.via == "sql" else "")
            if name not in edges[(source, t.to)]:
                edges[(source, t.to)].append(name)
                tips[(source, t.to)].append(f"{t.method}: {' && '.join(t.guards) or 'no status test before the write'}")
    for (source, target), names in edges.items():
        style = ', style=dashed, color="#6b7280"' if source == UNKNOWN else ""
        lines.append(f"  {_quote('s' + source)} -> {_quote('s' + target)} [label={_quote(chr(10).join(names))}, "
                     f"tooltip={_quote(chr(10).join(tips[(source, target)]))}{style}];")
    lines.append("}")
    return "\n".join(lines)
