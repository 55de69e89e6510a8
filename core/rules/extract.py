"""From the index and the domain map to named, domain-tagged rules with minimal evidence.

The finders (java_rules, sql_rules) see one method or statement at a time;
here they are placed in the architecture: which domain a rule belongs to (the
map's class domains), what a status code means (map_status_dicts, else the
comment on the line), which guards a transition must pass first.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from core.evidence import SourceCache
from core.models import Rule, Span, sha256_text
from core.rules import java_rules, sql_rules, statements
from core.rules.java_rules import Found, Method

# Layers whose methods hold behaviour; models and DTOs are getters and setters.
BEHAVIOUR_LAYERS = frozenset({"controller", "service", "service_impl", "component", "config", "other", "dao"})


@dataclass
class MapView:
    """What extraction needs from the index and map, as loaded by storage.rules_store."""

    files: list[dict]
    classes: list[dict]
    status_dicts: list[dict]
    sql_statements: list[dict]
    entities: list[dict] = field(default_factory=list)

    def encodings(self) -> dict[str, str]:
        return {f["path"]: f["encoding"] for f in self.files}


def rule_id(kind: str, spans: list[tuple[int, int]], path: str, key: str) -> str:
    return sha256_text(json.dumps([kind, path, spans, key], ensure_ascii=False))[:16]


def _pick_domain(candidates: list[str], text: str) -> str:
    """A class in several domains: the one its rule talks about most (stock arithmetic is stock)."""
    if len(candidates) == 1:
        return candidates[0]
    low = text.lower()
    scores = [(low.count(d.lower()), -n, d) for n, d in enumerate(candidates)]
    return max(scores)[2]


class Extractor:
    def __init__(self, view: MapView, root: Path, domains: list[str]):
        self.view, self.domains = view, domains
        self.files = SourceCache(root, view.encodings())
        self.class_info = {c["symbol_id"]: c for c in view.classes}
        self.dicts: dict[tuple[str, str], dict] = {}
        for d in view.status_dicts:
            self.dicts.setdefault((d["owner"], d["field"]), d)
        self.table_owner: dict[str, str] = {}
        for e in view.entities:
            for table in e.get("tables") or []:
                self.table_owner.setdefault(table, e["symbol_id"].rsplit(".", 1)[-1])

    # ----------------------------------------------------------- domains --
    def _class_domains(self, class_id: str) -> tuple[list[str], dict | None]:
        info = self.class_info.get(class_id)
        while info is None and "." in class_id:
            class_id = class_id.rsplit(".", 1)[0]  # nested class: its outer class's place
            info = self.class_info.get(class_id)
        if info is None or info.get("is_generated"):
            return [], info
        return [d for d in (info.get("domains") or []) if d in self.domains], info

    # -------------------------------------------------------------- java --
    def java_files(self) -> list[str]:
        paths = set()
        for c in self.view.classes:
            if c.get("path") and not c.get("is_generated") and c.get("layer") in BEHAVIOUR_LAYERS and (
                set(c.get("domains") or []) & set(self.domains)
            ):
                paths.add(c["path"])
        return sorted(paths)

    def rules(self) -> list[Rule]:
        out: dict[str, Rule] = {}
        for path in self.java_files():
            source = self.files.get(path)
            for method in java_rules.methods_of(path, source.text):
                domains, info = self._class_domains(method.class_id)
                if not domains or (info and info.get("layer") not in BEHAVIOUR_LAYERS):
                    continue
                found = [f for finder in java_rules.FINDERS for f in finder(method)]
                self._link_transitions(method, found)
                for item in found:
                    rule = self._rule(item.kind, domains, method.class_id, path, item.spans, item.facts)
                    out.setdefault(rule.rule_id, rule)
        for rule in self._sql_rules() + self._dict_rules():
            out.setdefault(rule.rule_id, rule)
        return sorted(out.values(), key=lambda r: (r.domain, r.kind, r.evidence[0].path, r.evidence[0].start_line))

    def _labels(self, entity: str, field_name: str, inline: dict[str, str]) -> tuple[dict[str, str], str | None]:
        d = self.dicts.get((entity, field_name))
        if d:
            return {e["code"]: e["label"] for e in d["entries"]}, d["dict_id"]
        return inline, None

    def _link_transitions(self, method: Method, found: list[Found]) -> None:
        """Give each transition its labels, the state(s) it starts from and the guards before it."""
        guards = [f for f in found if f.kind == "guard"]
        criteria = java_rules.status_criteria(method)
        for t in (f for f in found if f.kind == "transition"):
            facts = t.facts
            facts["labels"], facts["dict_id"] = self._labels(facts["entity"], facts["field"], facts.pop("inline_dict"))
            getter = "get" + facts["field"][0].upper() + facts["field"][1:] + "()"
            before = [g for g in guards if g.facts["line"] < facts["line"] and g.facts["action"] != "return"]
            status_guards = [g for g in before if getter in g.facts["condition"]]
            facts["from_codes"] = _codes_allowed(status_guards, getter)
            for field_name, values, line in criteria:
                if field_name == facts["field"] and line < facts["line"] + 15:
                    facts["from_codes"] = sorted(set(facts["from_codes"]) | set(re.findall(r"-?\d+", values)))
                    facts["criteria_line"] = line
                    t.spans.append((line, line))
            facts["requires"] = [{"condition": g.facts["condition"], "line": g.facts["line"], "message": g.facts.get("message")}
                                 for g in status_guards]
            for g in status_guards:
                t.spans.extend(g.spans)
            t.spans[:] = sorted(set(t.spans))

    def _rule(self, kind: str, domains: list[str], symbol: str | None, path: str,
              spans: list[tuple[int, int]], facts: dict) -> Rule:
        en, zh = statements.RENDER[kind](facts)
        domain = _pick_domain(domains, en + json.dumps(facts, ensure_ascii=False))
        evidence = [Span(path=path, start_line=s, end_line=e) for s, e in _merge(spans)]
        return Rule(
            rule_id=rule_id(kind, [list(s) for s in _merge(spans)], path, en), repo_id="", kind=kind, domain=domain,
            symbol_id=symbol, statement_en=en, statement_zh=zh, evidence=evidence, facts=facts,
        )

    # --------------------------------------------------------------- sql --
    def _sql_rules(self) -> list[Rule]:
        out = []
        for stmt in self.view.sql_statements:
            domains, _ = self._class_domains(stmt["namespace"])
            if not domains:
                continue
            file_lines = self.files.get(stmt["path"]).lines
            for item in sql_rules.find(stmt, file_lines):
                facts = item.facts
                if item.kind == "transition":
                    owner = self.table_owner.get(facts["table"], "")
                    field_name = _camel(facts["field"])
                    facts["entity"], facts["field"] = owner, field_name
                    facts["labels"], facts["dict_id"] = self._labels(owner, field_name, {})
                    facts["from_codes"] = [c for f in facts.pop("from") if f["op"] in ("=", "in") for c in f["codes"]]
                out.append(self._rule(item.kind, domains, stmt.get("method_id"), stmt["path"], item.spans, facts))
        return out

    def _dict_rules(self) -> list[Rule]:
        out = []
        for d in self.view.status_dicts:
            domains = [x for x in (d.get("domains") or []) if x in self.domains]
            if not domains:
                continue
            facts = {"owner": d["owner"], "field": d["field"], "entries": d["entries"], "dict_id": d["dict_id"],
                     "source": d["source"]}
            out.append(self._rule("status_dict", domains, d["dict_id"], d["path"],
                                  [(d["start_line"], d["end_line"])], facts))
        return out


def _camel(column: str) -> str:
    head, *rest = column.lower().split("_")
    return head + "".join(w.title() for w in rest)


def _codes_allowed(status_guards: list[Found], getter: str) -> list[str]:
    """Codes a status may have for the operation to go on, read from `if (x.getStatus() != 0) fail`."""
    allowed: set[str] = set()
    for g in status_guards:
        cond = g.facts["condition"]
        neq = re.findall(re.escape(getter) + r"\s*!=\s*(-?\d+)", cond)
        if neq and g.facts.get("holds", True):
            allowed |= set(neq)
    return sorted(allowed)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones merged (touching ones stay apart: each proves its own step)."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def group_by_method(rules: list[Rule]) -> dict[str, list[Rule]]:
    by: dict[str, list[Rule]] = defaultdict(list)
    for r in rules:
        by[r.facts.get("method", r.symbol_id or "")].append(r)
    return by
