"""Planning a generation run: which samples to write, with which question and which evidence.

Everything here is deterministic, so sample ids are stable across runs:
sample_id = hash(source ref + question kind + language). The evidence of a
QA item is the rule's own minimal spans (plus the status dictionary that
names its codes, and the enclosing `if` of a nested guard); of a design item,
one span per reused component.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path

from core.evidence import SourceCache, make_evidence
from core.generate import design as design_mod
from core.generate.flow_templates import flow_questions, undo_pairs, undo_questions
from core.generate.qa_templates import QA
from core.generate.work import WorkItem
from core.models import Evidence, SampleSource, Span, sha256_text
from core.rules.render import lower_first

MAX_FLOW_STEPS = 12
PLUMBING_LAYERS = frozenset({"other", "dto", "model", "config"})   # CommonResult, Asserts, DTO getters
PLACE = re.compile(r"^(generate|create|place|submit|add)\w*Order|^(generate|create|place|submit)", re.I)
CANCEL = re.compile(r"^cancel", re.I)


def sample_id(repo_id: str, ref: str, qkind: str, lang: str) -> str:
    return sha256_text(f"{repo_id}|{ref}|{qkind}|{lang}")[:20]


class Planner:
    def __init__(self, repo_id: str, root: Path, data: dict, domains: list[str], languages: list[str]):
        self.repo_id, self.domains, self.languages = repo_id, domains, languages
        self.data = data
        self.files = SourceCache(root, {f["path"]: f["encoding"] for f in data["files"]})
        self.dicts = {d["dict_id"]: d for d in data["status_dicts"]}
        self.symbols = {s["symbol_id"]: s for s in data["symbols"]}

    # ------------------------------------------------------------ evidence --
    def evidence(self, spans: list[Span]) -> list[Evidence]:
        """Evidence in the order given, minus spans another span of the sample already covers.

        A covered span would never be cited (claims cite the first evidence
        holding their line), and evidence nobody cites is noise to train on.
        """
        unique = list(dict.fromkeys(spans))
        kept = [s for s in unique if not any(
            o != s and o.path == s.path and o.start_line <= s.start_line and s.end_line <= o.end_line for o in unique)]
        return [make_evidence(self.files, span, f"E{n}") for n, span in enumerate(kept, 1)]

    def _item(self, ref: str, source_kind: str, rule_kind: str | None, qkind: str, lang: str, domain: str,
              question: str, facts: dict, evidence: list[Evidence], task: str = "qa") -> WorkItem:
        return WorkItem(
            sample_id=sample_id(self.repo_id, ref, qkind, lang), repo_id=self.repo_id, task_type=task, domain=domain,
            language=lang, source=SampleSource(kind=source_kind, ref=ref, rule_kind=rule_kind, question_kind=qkind),
            question=question, facts=facts, evidence=evidence,
        )

    # ------------------------------------------------------------------ QA --
    def rule_items(self, rules: list[dict]) -> list[WorkItem]:
        items = []
        for rule in rules:
            spans = [Span(**e) for e in rule["evidence"]]
            facts = dict(rule["facts"])
            roles = {}
            if rule["kind"] == "guard":
                for w in facts.get("within") or []:
                    spans.append(Span(path=spans[0].path, start_line=w["line"], end_line=w["line"]))
            dict_rec = self.dicts.get(facts.get("dict_id") or "")
            if rule["kind"] == "transition" and dict_rec:
                spans.append(Span(path=dict_rec["path"], start_line=dict_rec["start_line"], end_line=dict_rec["end_line"]))
            evidence = self.evidence(spans)
            if rule["kind"] == "transition" and dict_rec:
                roles["dict"] = next(e.id for e in evidence if e.path == dict_rec["path"]
                                     and e.start_line <= dict_rec["start_line"] and dict_rec["end_line"] <= e.end_line)
            facts["_roles"], facts["_path"] = roles, spans[0].path
            questions, _ = QA[rule["kind"]]
            for lang in self.languages:
                for qkind, question in questions(facts, lang, rule["rule_id"]):
                    items.append(self._item(rule["rule_id"], "rule", rule["kind"], qkind, lang, rule["domain"],
                                            question, facts, evidence))
        return items

    def undo_items(self, rules: list[dict]) -> list[WorkItem]:
        """'How does cancelling undo placing': side-effect sequences of a cancel and a place method of one class."""
        effects = [r for r in rules if r["kind"] == "side_effects"]
        items = []
        for cancel in effects:
            cf = cancel["facts"]
            if not CANCEL.match(cf["method_name"]):
                continue
            for place in effects:
                pf = place["facts"]
                if place is cancel or pf["class"] != cf["class"] or not PLACE.match(pf["method_name"]):
                    continue
                pairs = undo_pairs(pf["steps"], cf["steps"])
                if len(pairs) < 2:
                    continue
                spans = [Span(path=place["evidence"][0]["path"], start_line=p["place"]["span"][0], end_line=p["place"]["span"][1])
                         for p in pairs]
                spans += [Span(path=cancel["evidence"][0]["path"], start_line=p["cancel"]["span"][0],
                               end_line=p["cancel"]["span"][1]) for p in pairs]
                evidence = self.evidence(spans)
                ref = f"undo:{cancel['rule_id']}:{place['rule_id']}"
                facts = {"place_method": pf["method"], "cancel_method": cf["method"], "pairs": pairs,
                         "_path": spans[0].path}
                for lang in self.languages:
                    for qkind, question in undo_questions(facts, lang, ref):
                        items.append(self._item(ref, "rule", "side_effects", qkind, lang, cancel["domain"], question,
                                                facts, evidence))
        return items

    def flow_items(self, flows: list[dict], calls: list[dict], sql: list[dict]) -> list[WorkItem]:
        """A flow's steps with the call site that proves each one; plumbing (result wrappers, models) left out."""
        by_member: dict[tuple[str, str], tuple[str, int]] = {}
        for c in calls:
            if c["callee_id"]:
                # a call to an interface method proves the step into its implementation too
                by_member.setdefault((c["caller_id"], c["callee_id"].partition("#")[2]), (c["path"], c["line"]))
        layers = {c["symbol_id"]: c.get("layer") for c in self.data["classes"]}
        stmts = {s["stmt_id"]: s for s in sql}
        items = []
        for flow in flows:
            domains = [d for d in (flow.get("domains") or []) if d in self.domains]
            if not domains:
                continue
            steps, spans, stack, skip_below = [], [], [], None
            for raw in flow["steps"]:
                depth = raw.get("depth", 0)
                if skip_below is not None and depth > skip_below:
                    continue
                skip_below = None
                stack = stack[:depth]
                parent = stack[-1] if stack else None
                sym = raw.get("symbol_id") or ""
                if not raw.get("stmt_id") and layers.get(sym.split("#")[0]) in PLUMBING_LAYERS:
                    skip_below = depth
                    continue
                step = {"depth": depth, "label": _label(sym or raw.get("stmt_id") or ""), "stmt_id": raw.get("stmt_id")}
                if raw.get("stmt_id") and raw["stmt_id"] in stmts:
                    s = stmts[raw["stmt_id"]]
                    step.update(path=s["path"], line=s["start_line"], caller=_label(parent) if parent else None)
                    spans.append(Span(path=s["path"], start_line=s["start_line"],
                                      end_line=min(s["end_line"], s["start_line"] + 5)))
                elif parent and (parent, sym.partition("#")[2]) in by_member:
                    path, line = by_member[(parent, sym.partition("#")[2])]
                    step.update(path=path, line=line, caller=_label(parent))
                    spans.append(Span(path=path, start_line=line, end_line=line))
                elif sym in self.symbols and not parent:
                    s = self.symbols[sym]
                    head = min(s["end_line"], s["start_line"] + 3)
                    step.update(path=s["path"], line=s["start_line"])
                    spans.append(Span(path=s["path"], start_line=s["start_line"], end_line=head))
                else:
                    stack.append(sym)
                    continue
                steps.append(step)
                stack.append(sym)
                if len(steps) >= MAX_FLOW_STEPS:
                    break
            if len(steps) < 3 or not any(s.get("stmt_id") for s in steps):
                continue
            evidence = self.evidence(spans)
            facts = {"name": flow["name"], "entry_kind": flow["entry_kind"], "entry_id": flow["entry_id"],
                     "entry_label": _entry_label(flow, "en"), "entry_label_zh": _entry_label(flow, "zh"),
                     "steps": steps, "_path": steps[0]["path"]}
            for lang in self.languages:
                for qkind, question in flow_questions(facts, lang, flow["flow_id"]):
                    items.append(self._item(flow["flow_id"], "flow", None, qkind, lang, domains[0], question, facts, evidence))
        return items

    # -------------------------------------------------------------- design --
    def design_items(self, specs: list[design_mod.DesignSpec], conventions: dict[str, design_mod.Conventions]) -> list[WorkItem]:
        items = []
        for spec in specs:
            evidence = self.evidence([Span(path=r.path, start_line=r.start_line, end_line=r.end_line) for r in spec.refs])
            if not evidence:
                continue
            facts = {"spec": asdict(spec), "conventions": asdict(conventions[spec.domain])}
            for lang in self.languages:
                question = spec.text_en if lang == "en" else spec.text_zh
                items.append(self._item(spec.req_id, "requirement" if spec.kind == "user" else "map", None, spec.kind,
                                        lang, spec.domain, question, facts, evidence, task="design"))
        return items


def _entry_label(flow: dict, lang: str) -> str:
    """`GET /order/{id}` is not code in the repository (the route is split over annotations): plain text."""
    if flow["entry_kind"] == "endpoint":
        if lang == "zh":
            return f"接口 {flow['name']}（`{_label(flow['entry_id'])}`）"
        return f"the endpoint {flow['name']} (`{_label(flow['entry_id'])}`)"
    return f"`{_label(flow['entry_id'])}`"


def _label(symbol_id: str) -> str:
    """`pkg.OmsOrderController#list(Long)` -> 'OmsOrderController.list'."""
    head, _, member = symbol_id.partition("#")
    cls = head.rsplit(".", 1)[-1]
    return f"{cls}.{member.split('(')[0]}" if member else cls


def route_for(base: str, field_name: str) -> str:
    return f"/{lower_first(base)}/countBy{field_name[0].upper() + field_name[1:]}"
