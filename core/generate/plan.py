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
from core.generate.flow_facts import TooBroad, complete, conditional, flow_writes, repeated
from core.generate.flow_templates import flow_questions, undo_pairs, undo_questions
from core.generate.qa_templates import QA
from core.generate.spans import MAX_LINES, JavaOutline, merge
from core.generate.work import WorkItem
from core.models import Evidence, SampleSource, Span, sha256_text
from core.rules.render import lower_first

MAX_FLOW_EVIDENCE = 12   # the validator's length limits for one sample
MAX_FLOW_CLAIMS = 20
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
        self.outline = JavaOutline(self.files)
        self.class_domains = {c["symbol_id"]: c.get("domains") or [] for c in data["classes"]}
        self.table_domains: dict[str, list[str]] = {}
        for e in data.get("entities") or []:
            for table in e.get("tables") or []:
                self.table_domains.setdefault(table, []).extend(e.get("domains") or [])

    # ------------------------------------------------------------ evidence --
    def evidence(self, spans: list[Span]) -> list[Evidence]:
        """Evidence in the order given, each span widened to whole statements and the branch or loop header
        that governs them, spans of one file that overlap or nearly touch merged (up to MAX_LINES).

        One cited line hides the condition two lines above it and the rest of
        a call that spans several lines; a reader must verify the answer from
        the evidence alone. A span another one covers goes (it would never be
        cited: claims cite the first evidence holding their line).
        """
        widened = [w for span in spans for w in self.outline.widen(span)]
        return [make_evidence(self.files, span, f"E{n}") for n, span in enumerate(merge(widened), 1)]

    def _item(self, ref: str, source_kind: str, rule_kind: str | None, qkind: str, lang: str, domain: str,
              question: str, facts: dict, evidence: list[Evidence], task: str = "qa") -> WorkItem:
        return WorkItem(
            sample_id=sample_id(self.repo_id, ref, qkind, lang), repo_id=self.repo_id, task_type=task, domain=domain,
            language=lang, source=SampleSource(kind=source_kind, ref=ref, rule_kind=rule_kind, question_kind=qkind),
            question=question, facts=facts, evidence=evidence,
        )

    # ------------------------------------------------------------------ QA --
    def rule_items(self, rules: list[dict]) -> list[WorkItem]:
        """One item per question a rule answers completely. Where several checks answer one question (one
        message raised in several places, one method failing the same way under several conditions), the
        question is asked once and the answer lists every check."""
        items, prepared = [], {}
        for rule in rules:
            spans = [Span(**e) for e in rule["evidence"]]
            facts = dict(rule["facts"])
            roles = {}
            dict_rec = self.dicts.get(facts.get("dict_id") or "")
            if rule["kind"] == "status_dict":   # each constant's declaration and the line that labels it
                for e in facts["entries"]:
                    lines_ = ([(e["line"], e["line"])] if e.get("line") else []) + \
                        ([tuple(e["label_lines"])] if e.get("label_lines") else [])
                    spans += [Span(path=spans[0].path, start_line=n, end_line=m) for n, m in lines_]
            if rule["kind"] == "transition" and dict_rec:
                spans.append(Span(path=dict_rec["path"], start_line=dict_rec["start_line"], end_line=dict_rec["end_line"]))
            evidence = self.evidence(spans)
            if rule["kind"] == "transition" and dict_rec:
                roles["dict"] = next(e.id for e in evidence if e.path == dict_rec["path"]
                                     and e.start_line <= dict_rec["start_line"] and dict_rec["end_line"] <= e.end_line)
            facts["_roles"], facts["_path"] = roles, spans[0].path
            prepared[rule["rule_id"]] = (rule, facts, spans, evidence)
        groups = _guard_groups([(r, f) for r, f, _, _ in prepared.values() if r["kind"] == "guard"])
        shared = {(rid, qkind) for (qkind, _), rids in groups.items() for rid in rids}
        for rule, facts, _, evidence in prepared.values():
            questions, _ = QA[rule["kind"]]
            for lang in self.languages:
                for qkind, question in questions(facts, lang, rule["rule_id"]):
                    if (rule["rule_id"], qkind) not in shared:
                        items.append(self._item(rule["rule_id"], "rule", rule["kind"], qkind, lang, rule["domain"],
                                                question, facts, evidence))
        for (qkind, key), rids in groups.items():
            members = [prepared[rid] for rid in rids]
            if len(members) > MAX_SHARED_CHECKS:
                continue   # too many places for one answer a reader can check: not asked
            ref = "guards:" + sha256_text(f"{qkind}|{key}")[:16]
            facts = {"sites": [f for _, f, _, _ in members], "_path": members[0][1]["_path"]}
            evidence = self.evidence([s for _, _, spans, _ in members for s in spans])
            first_rule, first_facts = members[0][0], members[0][1]
            for lang in self.languages:
                question = dict(QA["guard"][0](first_facts, lang, ref)).get(qkind)
                if question:
                    items.append(self._item(ref, "rule", "guard", qkind, lang, first_rule["domain"], question, facts,
                                            evidence))
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

    def flow_items(self, flows: list[dict], sql: list[dict]) -> list[WorkItem]:
        """What an entry point writes, in order and under which branches and loops, for entries whose
        writes fall in the requested domains; read-only flows and a single unconditional write (shallow)
        are not asked about, nor flows the walk could not follow to the end."""
        stmts = {s["stmt_id"]: s for s in sql}
        items = []
        for flow in flows:
            steps = flow["steps"]
            if not steps or not complete(steps):
                continue
            try:
                writes = flow_writes(steps, stmts, self.outline)
            except TooBroad:
                continue
            if not writes or any(not w["tables"] for w in writes):
                continue
            if len(writes) < 2 and not (conditional(writes[0]) or repeated(writes[0])):
                continue
            domain = self._write_domain(writes)
            if domain is None:
                continue
            evidence = self.evidence(self._flow_spans(steps[0], writes))
            claims = 1 + sum(1 + sum(1 + sum(1 for h in s["hops"] if h["controls"]) for s in w["sites"]) for w in writes)
            if len(evidence) > MAX_FLOW_EVIDENCE or claims > MAX_FLOW_CLAIMS:
                continue   # more than a reader (and the length check) takes in one answer
            for w in writes:
                w["label"] = _label(w["stmt_id"].rsplit(".", 1)[0] + "#" + w["stmt_id"].rsplit(".", 1)[1])
                for site in w["sites"]:
                    for hop in site["hops"]:
                        hop["label"] = _label(hop["caller"])
            facts = {"name": flow["name"], "entry_kind": flow["entry_kind"], "entry_id": flow["entry_id"],
                     "entry_label": _entry_label(flow, "en"), "entry_label_zh": _entry_label(flow, "zh"),
                     "entry_method": _label(flow["entry_id"]), "entry_line": steps[0]["start_line"],
                     "writes": writes, "_path": steps[0]["path"]}
            for lang in self.languages:
                for qkind, question in flow_questions(facts, lang, flow["flow_id"]):
                    items.append(self._item(flow["flow_id"], "flow", None, qkind, lang, domain, question, facts, evidence))
        return items

    def _flow_spans(self, entry: dict, writes: list[dict]) -> list[Span]:
        """The entry's declaration, then per write its call sites (with the headers of their branches and loops)
        and the SQL statement itself."""
        spans = [Span(path=entry["path"], start_line=entry["start_line"],
                      end_line=min(entry["end_line"], entry["start_line"] + 3))]
        for w in writes:
            for site in w["sites"]:
                for hop in site["hops"]:
                    spans += [Span(path=hop["path"], start_line=c["line"], end_line=min(c["header_end"], c["line"] + 5))
                              for c in hop["controls"]]
                    spans.append(Span(path=hop["path"], start_line=hop["line"], end_line=hop["line"]))
            spans.append(Span(path=w["path"], start_line=w["start_line"],
                              end_line=min(w["end_line"], w["start_line"] + MAX_LINES - 1)))
        return spans

    def _write_domain(self, writes: list[dict]) -> str | None:
        """The first requested domain that a written table (its entity) or the mapper writing it belongs to:
        a flow is about what it changes, not about every class it passes through."""
        found: set[str] = set()
        for w in writes:
            found.update(self.class_domains.get(w["stmt_id"].rsplit(".", 1)[0], []))
            for table in w["tables"]:
                found.update(self.table_domains.get(table, []))
        return next((d for d in self.domains if d in found), None)

    # -------------------------------------------------------------- design --
    def design_items(self, specs: list[design_mod.DesignSpec], conventions: dict[str, design_mod.Conventions]) -> list[WorkItem]:
        items = []
        for spec in specs:
            evidence = self.evidence([Span(path=r.path, start_line=r.start_line, end_line=r.end_line) for r in spec.refs])
            if not evidence:
                continue
            for r in spec.refs:       # a span another one covers was merged into it: cite that one
                r.eid = next(e.id for e in evidence if e.path == r.path and e.start_line <= r.start_line
                             and (r.end_line <= e.end_line or e.start_line == r.start_line))
            facts = {"spec": asdict(spec), "conventions": asdict(conventions[spec.domain])}
            for lang in self.languages:
                question = spec.text_en if lang == "en" else spec.text_zh
                items.append(self._item(spec.req_id, "requirement" if spec.kind == "user" else "map", None, spec.kind,
                                        lang, spec.domain, question, facts, evidence, task="design"))
        return items


def unique_questions(items: list[WorkItem]) -> list[WorkItem]:
    """At most one item per (task, language, question): no two samples of a repository ask the same thing.

    Where several facts produce one question, an item whose evidence covers
    all the others' lines answers it for all of them and is kept (the first
    such, in plan order); otherwise the question is ambiguous (each answer
    would give one site of several as the whole) and none of them is asked.
    """
    groups: dict[tuple[str, str, str], list[WorkItem]] = {}
    for item in items:
        groups.setdefault((item.task_type, item.language, item.question), []).append(item)
    keep: set[int] = set()
    for group in groups.values():
        best = next((i for i in group if all(_covers(i, o) for o in group)), None)
        if best is not None:
            keep.add(id(best))
    return [i for i in items if id(i) in keep]


def _covers(item: WorkItem, other: WorkItem) -> bool:
    lines = {(e.path, n) for e in item.evidence for n in range(e.start_line, e.end_line + 1)}
    return all((e.path, n) in lines for e in other.evidence for n in range(e.start_line, e.end_line + 1))


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


MAX_SHARED_CHECKS = 6


def _guard_groups(guards: list[tuple[dict, dict]]) -> dict[tuple[str, str], list[str]]:
    """Guards that answer the same question, by (question kind, key): a message names its checks across the
    repository ("where is the check behind X"); within one method, a message or an exit (return value,
    exception, failure helper) names its checks ("when does M fail with X"). Only keys with several checks."""
    found: dict[tuple[str, str], list[str]] = {}
    for rule, f in guards:
        exit_of = f.get("message") or f"{f['action']}:{f.get('value') or f.get('exception') or f.get('helper') or ''}"
        if f.get("message"):
            found.setdefault(("where_implemented", f["message"]), []).append(rule["rule_id"])
        found.setdefault(("under_which_condition", f"{f['method']}|{exit_of}"), []).append(rule["rule_id"])
    return {k: v for k, v in found.items() if len(v) > 1}
