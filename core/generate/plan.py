"""Planning a generation run: which samples to write, with which question and which evidence.

Everything here is deterministic, so sample ids are stable across runs:
sample_id = hash(source ref + question kind + language). The evidence of a
QA item is the rule's own minimal spans (plus the status dictionary that
names its codes, and the enclosing `if` of a nested guard); of a design item,
one span per reused component.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict
from functools import cached_property
from pathlib import Path

from core.domain.flows import CallGraph
from core.domain.schema import snake
from core.evidence import SourceCache, make_evidence
from core.generate import design as design_mod
from core.generate.entry_facts import entry_items
from core.generate.flow_facts import (
    READS,
    WRITES,
    TooBroad,
    call_graph,
    complete,
    conditional,
    flow_writes,
    inherited_statements,
    mapper_statements,
    method_ref_calls,
    repeated,
    statement_label,
    stores_values,
)
from core.generate.flow_facts import member_label as _label
from core.generate.flow_templates import flow_questions, table_questions
from core.generate.interceptors import Interceptor, registered, touching
from core.generate.lifecycle_facts import class_mapping_line, lifecycle_items, on_new_record
from core.generate.qa_templates import QA
from core.generate.query_sql import xml_query
from core.generate.read_facts import read_items
from core.generate.reflection import may_reflect, reflected_methods
from core.generate.spans import MAX_LINES, JavaOutline, merge
from core.generate.work import WorkItem
from core.index.java_ast import lines as node_lines
from core.models import Evidence, SampleSource, Span, sha256_text
from core.rules.java_rules import failure
from core.rules.render import lower_first

MAX_FLOW_EVIDENCE = 16   # every item is needed to verify the answer; the validator warns above 12
MAX_FLOW_CLAIMS = 20
MAX_TABLE_STATEMENTS = 8   # statements on one table a 'who writes T' answer lists
MAX_TABLE_SITES = 10
MAX_READ_CONDITIONS = 4   # a SELECT's WHERE said where a local it fills is tested (more reads as a query answer)
MAX_TABLE_EVIDENCE = 28   # a call site, its SQL and its callers per statement: short items, one answer a reader checks
_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')   # a Java string literal's text
_CHAR = re.compile(r"'(?:[^'\\\n]|\\.)'")   # a char literal ('"' would open a string)
MAX_UP_CALLERS = 4   # callers of a write's caller a 'who writes T' answer names (a data service's users)


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
        inherited, self._inherited_calls, self._inherited_methods = inherited_statements(data)
        self.statements = data["sql_statements"] + mapper_statements(data) + inherited
        self.stmts = {s["stmt_id"]: s for s in self.statements}
        self.layers = {c["symbol_id"]: c.get("layer") for c in data["classes"]}
        self.inactive = {c["symbol_id"]: bool(c.get("inactive")) for c in data["classes"]}
        self.generated = {f["path"] for f in data["files"] if f.get("is_generated")}
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
        signed = self.outline.with_signatures(merge(widened))   # whose lines they are
        return [make_evidence(self.files, span, f"E{n}") for n, span in enumerate(signed, 1)]

    def predicates(self, condition: str) -> list[dict]:
        """The static helpers a condition calls (`OrderUtil.isConfirmStatus(order)`) whose body is one `return`:
        what they test, so that an answer need not stop at the helper's name (blind read B0 on litemall).
        [{call, params, returns, path, line}]."""
        out = []
        for cls, name in dict.fromkeys(re.findall(r"\b([A-Z]\w*)\.([a-z]\w*)\(", condition)):
            found = [s for s in self.data["symbols"] if s["name"] == name and s["kind"] == "method"
                     and (s.get("parent_id") or "").rsplit(".", 1)[-1] == cls and "static" in (s.get("modifiers") or "")]
            if len(found) != 1:
                continue
            sym = found[0]
            lines = self.files.get(sym["path"]).lines[sym["start_line"] - 1:sym["end_line"]]
            body = "\n".join(lines).split("{", 1)[-1].rsplit("}", 1)[0]
            m = re.fullmatch(r"\s*return\s+([^;]+);\s*", body)
            if m is None or "\n" in m[1].strip():
                continue
            line = sym["start_line"] + next(n for n, t in enumerate(lines) if re.search(r"\breturn\b", t))
            params = re.findall(r"(\w+)\s*[,)]", (sym.get("signature") or "").split("(", 1)[-1])
            out.append({"call": f"{cls}.{name}", "params": params, "returns": m[1].strip(), "path": sym["path"],
                        "line": line})
        return out

    def thrower(self, helper: str, literal: bool) -> dict | None:
        """Where a project's failure helper (`Asserts.fail`, `NewBeeMallException.fail`) throws: 'the exception
        propagates' rests on it, so it is cited (blind read 20B: newbee S3/S12/S15 showed only the call). Of its
        overloads, the one a `literal` message string calls (`fail(String)`), else the other (blind read 20C: mall S25
        cited `fail(IErrorCode)`). {call, exception, path, line}; None for a helper outside the repository, one that
        does not always throw, or overloads the call cannot be told apart by."""
        cls, _, name = helper.rpartition(".")
        found = [s for s in self.data["symbols"] if s["name"] == name and s["kind"] == "method"
                 and (s.get("parent_id") or "").rsplit(".", 1)[-1] == cls]
        if len(found) > 1:
            found = [s for s in found if bool(re.search(r"\(\s*(final\s+)?String\s+\w+\s*\)",
                                                        s.get("signature") or "")) == literal]
        throws = []
        for sym in found:
            lines = self.files.get(sym["path"]).lines[sym["start_line"] - 1:sym["end_line"]]
            body = "\n".join(lines).split("{", 1)[-1]
            if re.search(r"\b(if|return|try|switch)\b|\?", body):
                return None    # a branch or an early return: it may not throw
            at = next((n for n, t in enumerate(lines) if re.search(r"\bthrow\s+new\s+\w+", t)), None)
            if at is None:
                return None
            throws.append({"call": helper, "exception": re.search(r"\bthrow\s+new\s+([\w.]+)", lines[at]).group(1),
                           "path": sym["path"], "line": sym["start_line"] + at})
        return throws[0] if len(throws) == 1 else None

    def count_handling(self, method_id: str | None) -> list[dict] | None:
        """What each hand-written caller of a conditional UPDATE does with its row count: "the caller can detect it"
        says nothing until the answer says whether one does (blind read 22T: mall S25 left out that `cancelOrder`
        fails with "库存不足，无法释放！" on 0 rows). None where a caller is a generated class or there are many."""
        from core.generate.design_facts import CodeFacts  # it reads the whole call graph: built once, when asked

        if not method_id:
            return None
        if not hasattr(self, "_code_facts"):
            self._code_facts = CodeFacts(self.data, self.files)
        code = self._code_facts
        m = code.methods.get(method_id)
        calls = [c for c in code.callers(m) if not self.inactive.get(c["caller_id"].split("#")[0])] if m else []
        if len(calls) > 3 or any(c["path"] in code.generated_paths or c["caller_id"] not in code.methods for c in calls):
            return None
        out = []
        for c in calls:
            caller, check = code.methods[c["caller_id"]], code.row_check(c)
            if check is None and not re.match(r"\s*[\w.]+\s*\(", code.text(c["path"], c["line"])):
                return None   # the count is kept or passed on: tested further down, perhaps, so "ignored" is not known
            out.append({"caller": f"{caller['parent_id'].rsplit('.', 1)[-1]}.{caller['name']}", "path": c["path"],
                        "line": c["line"], "check": check})
        return out

    def flags(self, condition: str, sources: list[dict]) -> list[dict]:
        """A test of a flag on an object a static builder made (`handleOption = OrderUtil.build(order)`, then
        `!handleOption.isConfirm()`): the branches of the builder that call `setConfirm(true)`, with their
        conditions and the local they test, so an answer need not stop at the flag's name (blind read G litemall
        S17/S21: 'isConfirm' is status 301 only). [{call, builder, setter, path, when: [{cond, line, set_line}],
        locals: [{var, expr, line}]}]; none where a branch cannot be read or the flag is also set false."""
        out = []
        for var, flag in dict.fromkeys(re.findall(r"\b([a-z]\w*)\.is([A-Z]\w*)\(\)", condition)):
            src = next((x for x in sources or [] if x.get("var") == var
                        and re.fullmatch(r"[A-Z]\w*\.\w+", x.get("call", ""))), None)
            if src is None:
                continue
            cls, name = src["call"].split(".")
            found = [y for y in self.data["symbols"] if y["name"] == name and y["kind"] == "method" and "static" in
                     (y.get("modifiers") or "") and (y.get("parent_id") or "").rsplit(".", 1)[-1] == cls]
            if len(found) != 1:
                continue
            sym = found[0]
            lines = self.files.get(sym["path"]).lines[sym["start_line"] - 1:sym["end_line"]]
            text = "\n".join(lines)
            if re.search(rf"\.set{flag}\(\s*(?!true\s*\))", text):
                continue   # set to something other than `true` somewhere: not a plain "only when"
            when = []
            for n, line in enumerate(lines):
                if not re.search(rf"\.set{flag}\(\s*true\s*\)", line):
                    continue
                indent = len(line) - len(line.lstrip())
                head = next((k for k in range(n - 1, -1, -1) if lines[k].strip() and len(lines[k]) - len(lines[k].lstrip())
                             < indent), None)
                m = re.search(r"\bif\s*\((.*)\)\s*\{\s*$", lines[head]) if head is not None else None
                if m is None:
                    when = []
                    break
                when.append({"cond": m[1].strip(), "line": sym["start_line"] + head, "set_line": sym["start_line"] + n})
            if not when:
                continue
            tested = set(re.findall(r"\b([a-z]\w*)\b", " ".join(w["cond"] for w in when)))
            locals_ = [{"var": m[1], "expr": m[2].strip(), "line": sym["start_line"] + k} for k, line in enumerate(lines)
                       if (m := re.match(r"\s*(?:final\s+)?[A-Za-z]\w*\s+(\w+)\s*=\s*([^;]+);\s*$", line)) and m[1] in tested]
            out.append({"call": f"{var}.is{flag}()", "builder": src["call"], "setter": f"set{flag}(true)",
                        "path": sym["path"], "when": when, "locals": locals_})
        return out

    def update_where(self, path: str, source: dict) -> list[Span]:
        """A local that is an UPDATE's (or DELETE's) row count (`count = portalOrderDao.releaseStockBySkuId(..)`): the WHERE
        conditions of the statement the call reaches, each with its line, go into the source (`where`), since
        "its SQL WHERE decides" without them stops short of the rule (blind read G mall S12). A local a hand-written
        SELECT fills gets the rows it reads (`reads_where`): "`timeOutOrders` comes from `getTimeOutOrders(..)`" hid
        what makes an order timed out (blind read 22T: mall S3). Only a WHERE whose every condition always applies
        (no `<if>`); the spans to cite are returned."""
        if not hasattr(self, "_calls_at"):
            self._calls_at = {(c["path"], c["line"], c["callee_name"]): c["callee_id"] for c in self.data["calls"]
                              if c.get("callee_id")}
        callee = self._calls_at.get((path, source["line"], source["call"]))
        stmts = [st for st in self.statements if callee and st.get("method_id") == callee and st.get("sql")]
        if len(stmts) != 1 or not stmts[0]["path"].endswith(".xml") or stmts[0].get("kind") not in ("update", "delete",
                                                                                                     "select"):
            return []
        st = stmts[0]
        q = xml_query(self.files.get(st["path"]).lines, st["start_line"], st["end_line"])
        if q is None or not q.conditions or any(c.when for c in q.conditions) or (st["kind"] == "select" and (
                len(q.conditions) > MAX_READ_CONDITIONS or source.get("update_count") or source.get("criteria")
                or st["path"] in self.generated or _by_key(q.conditions))):
            return []      # a generated `selectByPrimaryKey` says nothing its name does not
        where = [{"text": c.text, "line": c.line, "path": st["path"], "head": st["start_line"]} for c in q.conditions]
        source["reads_where" if st["kind"] == "select" else "where"] = where
        if st["end_line"] - st["start_line"] <= 15:   # the whole statement: which table, what it sets, its WHERE
            return [Span(path=st["path"], start_line=st["start_line"], end_line=st["end_line"])]
        return [Span(path=st["path"], start_line=st["start_line"], end_line=st["start_line"]),
                Span(path=st["path"], start_line=min(c.line for c in q.conditions), end_line=max(c.line for c in q.conditions))]

    def _exit_wheres(self, facts: dict, key: str, path: str) -> list[Span]:
        """update_where for the locals an earlier exit tests (a transition's `exits`, a guard's `before`), copied; not
        for a status check a transition states as the state it starts from (`requires`), whose answer names no local."""
        stated = {r.get("line") for r in facts.get("requires") or []}
        facts[key] = [{**e, "sources": [dict(x) for x in e.get("sources") or []]} for e in facts.get(key) or []]
        return [sp for e in facts[key] if e["line"] not in stated for x in e["sources"] if x.get("call")
                for sp in self.update_where(path, x)]

    def _row_count_wheres(self, facts: dict, path: str) -> list[Span]:
        """update_where for each row-count local of a guard or calculation (copied: the rule's facts stay as read)."""
        facts["sources"] = [dict(x) for x in facts.get("sources") or []]
        if facts.get("sites") and "target" in facts:
            facts["sites"] = [{**site, "sources": [dict(x) for x in site.get("sources") or []]} for site in facts["sites"]]
        found = [*facts["sources"], *(x for site in facts.get("sites") or [] for x in site.get("sources") or [])]
        return [sp for x in found if x.get("call") for sp in self.update_where(path, x)]   # any name: the SQL says what

    def weight(self, evidence: list[Evidence]) -> int:
        """How many places the evidence asks a reader to check: the items, less those that only show a method's
        declaration (added so that each line is seen to be that method's)."""
        return sum(not self.outline.declares(Span(path=e.path, start_line=e.start_line, end_line=e.end_line))
                   for e in evidence)

    def asked(self, ref: str, source_kind: str, rule_kind: str, domain: str, facts: dict, spans: list[Span],
              questions) -> list[WorkItem]:
        """The items of one fact in every language, or none when its evidence is more than a reader checks."""
        evidence = self.evidence(spans)
        if self.weight(evidence) > MAX_FLOW_EVIDENCE:
            return []
        return [self._item(ref, source_kind, rule_kind, qkind, lang, domain, question, facts, evidence)
                for lang in self.languages for qkind, question in questions(facts, lang, ref)]

    def _item(self, ref: str, source_kind: str, rule_kind: str | None, qkind: str, lang: str, domain: str,
              question: str, facts: dict, evidence: list[Evidence], task: str = "qa") -> WorkItem:
        decls = [{"id": e.id, "path": e.path, "lines": list(ext)} for e in evidence if (ext := self.outline.declared(
            Span(path=e.path, start_line=e.start_line, end_line=e.end_line)))]
        if decls:   # the items that only show a method's declaration: claims on that method's lines cite them too
            facts = {**facts, "_decls": decls}
        return WorkItem(
            sample_id=sample_id(self.repo_id, ref, qkind, lang), repo_id=self.repo_id, task_type=task, domain=domain,
            language=lang, source=SampleSource(kind=source_kind, ref=ref, rule_kind=rule_kind, question_kind=qkind),
            question=question, facts=facts, evidence=evidence,
        )

    def _raised_elsewhere(self, message: str | None, sites: int, exprs: list[str | None] = ()) -> bool:
        """The message stands in more places of the Java code than the facts hold checks for it (a helper, a
        catch block, a branch the finder does not read): "when does M fail with it" would then be answered
        with part of the story, so it is not asked. A place is any string literal holding the message
        (`"订单不存在 sn=" + orderSn` too), and any use of the named constant a check takes it from
        (`ServiceResultEnum.ORDER_STATUS_ERROR.getResult()` returned in other methods). One pass over the Java
        files, on first use."""
        if not message:
            return False
        if not hasattr(self, "_java_text"):
            self._java_text = "\n".join(self.files.get(f["path"]).text for f in self.data["files"]
                                        if f["path"].endswith(".java"))
            self._literals = _LITERAL.findall(_CHAR.sub("", self._java_text))
        if sum(message in lit for lit in self._literals) > sites:
            return True
        for expr in set(exprs) - {None}:
            name = re.sub(r"(\.\w+\(\))+$", "", expr).rsplit(".", 1)[-1]
            if len(re.findall(rf"\.{re.escape(name)}\b", self._java_text)) > list(exprs).count(expr):
                return True
        return False

    # ------------------------------------------------------------------ QA --
    def rule_items(self, rules: list[dict]) -> list[WorkItem]:
        """One item per question a rule answers completely. Where several checks answer one question (one
        message raised in several places, one method failing the same way under several conditions), the
        question is asked once and the answer lists every check."""
        items, prepared, path_evidence, exit_evidence = [], {}, {}, {}
        for rule in rules:
            if rule["facts"].get("loader_constrained"):
                continue   # the record's loader already filters on the tested field: the check never fires
            spans = [Span(**e) for e in rule["evidence"]]
            facts = dict(rule["facts"])
            roles = {}
            dict_rec = self.dicts.get(facts.get("dict_id") or "")
            if rule["kind"] == "status_dict":   # each constant's declaration and the line that labels it
                for e in facts["entries"]:
                    lines_ = ([(e["line"], e["line"])] if e.get("line") else []) + \
                        ([tuple(e["label_lines"])] if e.get("label_lines") else [])
                    spans += [Span(path=spans[0].path, start_line=n, end_line=m) for n, m in lines_]
            if rule["kind"] == "guard" and facts.get("action") == "assert" \
                    and (t := self.thrower(facts["helper"], bool(facts.get("message")))):
                facts["thrower"] = t
                spans.append(Span(path=t["path"], start_line=t["line"], end_line=t["line"]))
            if rule["kind"] == "sql_invariant" and facts.get("operation") == "update" and not facts.get("batch") \
                    and (handled := self.count_handling(facts.get("method_id"))) is not None:
                # not for one UPDATE per item in a call: the count a caller gets back is the first statement's only
                # (JDBC getUpdateCount), so "the caller checks it" would read as a check of every item (23W newbee S3)
                facts["callers"] = handled
                spans += [Span(path=c["path"], start_line=c["line"], end_line=c["check"]["line"] + (
                    0 if c["check"]["then"] and c["check"]["then"] in self.files.get(c["path"]).lines[c["check"]["line"] - 1]
                    else 1) if c["check"] else c["line"]) for c in handled]
            if rule["kind"] == "guard" and (helpers := self.predicates(facts["condition"])):
                facts["helpers"] = helpers   # `OrderUtil.isConfirmStatus(order)`: the one line it returns, cited
                spans += [Span(path=h["path"], start_line=h["line"], end_line=h["line"]) for h in helpers]
            if rule["kind"] == "transition" and facts.get("write"):   # the call that persists the value
                spans.append(Span(path=spans[0].path, start_line=facts["write"]["line"], end_line=facts["write"]["end_line"]))
                spans += [Span(path=spans[0].path, start_line=c["line"], end_line=c["line"])
                          for c in facts["write"].get("within") or []]
            if rule["kind"] == "transition" and (check := self._write_check(rule)):   # the write's own row count
                facts["write_check"] = check
                spans.append(Span(path=spans[0].path, start_line=check["line"], end_line=check["then_line"]))
            if rule["kind"] == "transition" and (after := self._fails_after(rule)):   # failures past the write
                facts["after"] = after
                spans += [Span(path=spans[0].path, start_line=n, end_line=n) for a in after
                          for n in [*(c["line"] for c in a["controls"]), a["line"]]]
                if after[0].get("tx"):
                    spans.append(Span(path=after[0]["tx"]["path"], start_line=after[0]["tx"]["start_line"],
                                      end_line=after[0]["tx"]["end_line"]))
            if rule["kind"] == "transition":   # the `if`s the setter sits in: the answer names them
                spans += [Span(path=spans[0].path, start_line=c["line"], end_line=c["line"])
                          for c in facts.get("within") or []]
            tests = [(facts["condition"], facts.get("sources"))] if rule["kind"] == "guard" else \
                [(e["condition"], e.get("sources")) for e in facts.get("exits") or []] if rule["kind"] == "transition" else []
            if flags := [x for cond, srcs in tests for x in self.flags(cond, srcs)]:   # `handleOption.isConfirm()`
                facts["flags"] = flags
                spans += [Span(path=x["path"], start_line=n, end_line=n) for x in flags for w in x["when"]
                          for n in (w["line"], w["set_line"])] + \
                    [Span(path=x["path"], start_line=v["line"], end_line=v["line"]) for x in flags for v in x["locals"]]
            if rule["kind"] in ("guard", "calculation"):   # the WHERE of an UPDATE whose row count is tested or summed
                spans += self._row_count_wheres(facts, spans[0].path)
            if rule["kind"] == "guard":   # where a local the check tests comes from (`count = dao.update(..)`)
                spans += [Span(path=spans[0].path, start_line=s["line"], end_line=s["end_line"])
                          for s in facts.get("sources") or []]
                # earlier exits on the same value (`commentId == -1` before `commentId != 0`): the answer names them
                spans += [Span(path=spans[0].path, start_line=n, end_line=m) for e in facts.get("same_subject") or []
                          for n, m in [(e["line"], e["exit_line"])] + [(x["line"], x["end_line"]) for x in e["sources"]]
                          + [(c["line"], c["line"]) for c in e.get("within") or []]]
            exit_where = self._exit_wheres(facts, "exits" if rule["kind"] == "transition" else "before", spans[0].path) \
                if rule["kind"] in ("transition", "guard") else []
            label_spans = []
            if rule["kind"] == "transition" and dict_rec:
                spans.append(Span(path=dict_rec["path"], start_line=dict_rec["start_line"], end_line=dict_rec["end_line"]))
                # codes labelled elsewhere (a mapping method `if (status == 101) return "未付款"`): the lines that say so
                label_spans = [Span(path=dict_rec["path"], start_line=e["label_lines"][0], end_line=e["label_lines"][1])
                               for e in dict_rec["entries"] if e.get("label_lines")]
                spans += label_spans
            evidence = self.evidence(spans)
            path_key = {"transition": "path_spans", "guard": "before_spans"}.get(rule["kind"], "")
            if facts.get(path_key):   # every check on the way to the setter, or to the check
                path_spans = [Span(path=p[0] if len(p) == 3 else spans[0].path, start_line=p[-2], end_line=p[-1])
                              for p in facts[path_key]]
                path_evidence[rule["rule_id"]] = (self.evidence(spans + path_spans + exit_where), {})
            if rule["kind"] == "transition" and dict_rec:
                roles = _dict_roles(evidence, dict_rec, label_spans)
            facts["_roles"], facts["_path"] = roles, spans[0].path
            if rule["kind"] == "transition" and facts.get("exits") and facts.get("via") != "sql":
                exit_spans = [Span(path=spans[0].path, start_line=n, end_line=m) for e in facts["exits"]
                              for n, m in [(e["line"], e["exit_line"])] +
                              [(x["line"], x["end_line"]) for x in e.get("sources") or []] +
                              [(c["line"], c["line"]) for c in e.get("within") or []]]   # the branch the exit is in
                exit_spans += [Span(path=p, start_line=n, end_line=m) for e in facts["exits"]
                               for p, n, m in e.get("message_spans") or []] + exit_where   # a quoted message's declaration
                ev = self.evidence(spans + exit_spans)
                exit_evidence[rule["rule_id"]] = (ev, _dict_roles(ev, dict_rec, label_spans) if dict_rec else {})
            if rule["rule_id"] in path_evidence and dict_rec:   # its own ids for the same dictionary lines
                path_evidence[rule["rule_id"]] = (path_evidence[rule["rule_id"]][0], _dict_roles(
                    path_evidence[rule["rule_id"]][0], dict_rec, label_spans))
            prepared[rule["rule_id"]] = (rule, facts, spans, evidence)
        setters = Counter((f.get("method"), f.get("entity"), f.get("field")) for r, f, _, _ in prepared.values()
                          if r["kind"] == "transition" and f.get("method"))
        groups = _guard_groups([(r, f) for r, f, _, _ in prepared.values() if r["kind"] == "guard"])
        shared = {(rid, qkind) for (qkind, _), rids in groups.items() for rid in rids}
        for rule, facts, spans, evidence in prepared.values():
            questions, _ = QA[rule["kind"]]
            for lang in self.languages:
                for qkind, question in questions(facts, lang, rule["rule_id"]):
                    if (rule["rule_id"], qkind) not in shared and qkind != "checks_of":   # that one: per method
                        if rule["kind"] == "guard" and qkind in ("under_which_condition", "where_implemented") \
                                and self._raised_elsewhere(facts.get("message"), 1, [facts.get("message_expr")]):
                            continue
                        if rule["kind"] == "guard" and qkind == "under_which_condition" and not _exits_known([facts]):
                            continue
                        if rule["kind"] == "transition" and qkind != "under_which_condition" and \
                                setters[(facts.get("method"), facts.get("entity"), facts.get("field"))] > 1:
                            continue   # "what does M do to X.f" has one answer only where M sets it in one place
                        if rule["kind"] == "transition" and qkind != "under_which_condition" and facts.get("rewritten"):
                            continue   # a later write stores the record (or its like) again: not what M leaves it in
                        if rule["kind"] == "transition" and qkind in ("what_happens", "under_which_condition") and \
                                on_new_record(self.files, self.data["symbols"], {**facts, "path": spans[0].path}):
                            continue   # the value a record being created starts with (`deleteStatus = 0`): no move
                            # ("when can add set useStatus to 0" read as a transition; blind read B0 S32)
                        ev, f = evidence, facts
                        if rule["kind"] == "schedule" and qkind == "when_runs":   # the schedule alone: its annotation
                            head = facts.get("class_head") if facts.get("inactive") else None   # and why it never runs
                            ev = self.evidence([s for s in spans if s.start_line <= facts["line"] <= s.end_line] + (
                                [Span(path=spans[0].path, start_line=head[0], end_line=head[1])] if head else []))
                        if qkind != "under_which_condition" and rule["rule_id"] in exit_evidence:
                            ev, exit_roles = exit_evidence[rule["rule_id"]]   # the checks it names, cited
                            f = {**facts, "_roles": exit_roles}
                        # the exits on the way are part of the answer: "when" it fires, and "what happens" once there
                        if (qkind == "under_which_condition" or (rule["kind"] == "guard" and qkind == "what_happens")) \
                                and rule["rule_id"] in path_evidence:
                            ev, path_roles = path_evidence[rule["rule_id"]]
                            f = {**facts, "_roles": path_roles}
                        items.append(self._item(rule["rule_id"], "rule", rule["kind"], qkind, lang, rule["domain"],
                                                question, f, ev))
        groups.update(_method_checks([(r, f) for r, f, _, _ in prepared.values() if r["kind"] == "guard"]))
        for (qkind, key), rids in groups.items():
            members = sorted((prepared[rid] for rid in rids), key=lambda m: (m[1]["_path"], m[1]["line"]))
            if len(members) > (MAX_METHOD_CHECKS if qkind == "checks_of" else MAX_SHARED_CHECKS):
                continue   # too many places for one answer a reader can check: not asked
            if qkind != "checks_of" and self._raised_elsewhere(members[0][1].get("message"), len(members),
                                                               [f.get("message_expr") for _, f, _, _ in members]):
                continue
            if qkind == "under_which_condition" and not _exits_known([f for _, f, _, _ in members]):
                continue
            methods = {f["method"] for _, f, _, _ in members}
            if qkind == "where_implemented" and len(methods) == 1 and \
                    ("under_which_condition", f"{methods.pop()}|{key}") in groups:
                continue   # every place is in one method: "when does M fail with X" already lists them
            ref = "guards:" + sha256_text(f"{qkind}|{key}")[:16]
            facts = {"sites": [f for _, f, _, _ in members], "_path": members[0][1]["_path"]}
            spans = [s for _, _, spans, _ in members for s in spans]
            if qkind == "under_which_condition":   # the exits before the first check, which the answer lists
                spans += [Span(path=p[0] if len(p) == 3 else members[0][1]["_path"], start_line=p[-2], end_line=p[-1])
                          for p in members[0][1].get("before_spans") or []]
            evidence = self.evidence(spans)
            first_rule, first_facts = members[0][0], members[0][1]
            for lang in self.languages:
                question = dict(QA["guard"][0](first_facts, lang, ref)).get(qkind)
                if question:
                    items.append(self._item(ref, "rule", "guard", qkind, lang, first_rule["domain"], question, facts,
                                            evidence))
        return items

    @staticmethod
    def _hop_spans(hops: list[dict]) -> list[Span]:
        """Each call on the way to a write, with the headers of the branches and loops around it."""
        spans = []
        for hop in hops:
            spans += [Span(path=hop["path"], start_line=c["line"], end_line=min(c["header_end"], c["line"] + 5))
                      for c in hop["controls"]]
            spans.append(Span(path=hop["path"], start_line=hop["line"], end_line=hop["line"]))
            spans += [Span(path=hop["path"], start_line=n, end_line=n) for v in hop.get("sets") or []
                      for n in [v["line"], *(c["line"] for c in v.get("controls") or [])]]   # and the branch it is in
            origin = hop.get("origin")
            if origin and any(h.get("sets") for h in hops):   # where the written record comes from (flow_templates)
                spans += [Span(path=hop["path"], start_line=n, end_line=n)
                          for n in [origin["line"], *(f["line"] for f in origin["fills"])]]
            if hop.get("paged"):   # PageHelper.startPage before a query, and its branches (read_facts)
                paged = hop["paged"]
                spans += [Span(path=hop["path"], start_line=c["line"], end_line=min(c["header_end"], c["line"] + 5))
                          for c in paged["controls"]] + [Span(path=hop["path"], start_line=paged["line"], end_line=paged["line"])]
        return spans

    def _sql_span(self, write: dict) -> Span:
        stmt = self.stmts[write["stmt_id"]]
        return Span(path=stmt["path"], start_line=stmt["start_line"],
                    end_line=min(stmt["end_line"], stmt["start_line"] + MAX_LINES - 1))

    def _sql_spans(self, write: dict) -> list[Span]:
        """The statement, whole when it fits; a long one (a generated `updateByPrimaryKeySelective` lists every column)
        by its head, the lines of the columns the answer says it writes, and its WHERE: a fixed window showed forty
        unrelated columns and missed those (blind read 21I: mall S7 `integration`, S29 `pay_type`/`status`)."""
        stmt = self.stmts[write["stmt_id"]]
        if stmt["end_line"] - stmt["start_line"] < MAX_LINES:
            return [self._sql_span(write)]
        named = {snake(v["field"]) for site in write["sites"] for hop in site["hops"] for v in hop.get("sets") or []
                 if v.get("field")}
        lines = self.files.get(stmt["path"]).lines
        at = [n for n in range(stmt["start_line"], stmt["end_line"] + 1)
              if any(re.search(rf"(?<![\w.]){c}\s*=\s*#", lines[n - 1]) for c in named)
              or re.search(r"\bwhere\b", lines[n - 1], re.I)]
        window = self._sql_span(write)
        if all(n <= window.end_line for n in at):
            return [window]
        head = Span(path=stmt["path"], start_line=stmt["start_line"], end_line=stmt["start_line"] + 1)
        if at[-1] - at[0] < MAX_LINES:
            return [head, Span(path=stmt["path"], start_line=at[0], end_line=at[-1])]
        return [head] + [Span(path=stmt["path"], start_line=n, end_line=n) for n in at]

    def flow_items(self, flows: list[dict]) -> list[WorkItem]:
        """What an entry point writes, in order and under which branches and loops, for entries whose
        writes fall in the requested domains; read-only flows and a single unconditional write that stores
        fewer than two known values (shallow) are not asked about, nor flows the walk could not follow to the end,
        nor inactive components, nor endpoints whose interceptors write too."""
        items = []
        for flow in flows:
            steps = self.flow_steps(flow)
            try:
                writes = flow_writes(steps, self.stmts, self.outline) if steps else []
            except TooBroad:
                continue
            if writes and all(w["tables"] for w in writes) and (len(writes) > 1 or conditional(writes[0])
                                                                 or repeated(writes[0]) or stores_values(writes[0])) \
                    and not self.intercepted(flow, WRITES):
                items += self.entry_flow_items(flow, steps, writes, "writes", flow_questions)
        return items

    def read_items(self, flows: list[dict]) -> list[WorkItem]:
        """Which tables a read-only endpoint or job queries, and through which statements (core.generate.read_facts)."""
        return read_items(self, flows)

    def flow_steps(self, flow: dict) -> list[dict] | None:
        """The walk from an active entry (the stored walk, plus statements of mappers without SQL); None when it
        stopped early (SQL below the cut may be missing)."""
        if flow["entry_id"] not in self.graph.methods or self.inactive.get(flow["entry_id"].split("#")[0]):
            return None
        steps = self.graph.walk(flow["entry_id"])
        return steps if complete(steps) else None

    def entry_flow_items(self, flow: dict, steps: list[dict], records: list[dict], key: str, questions) -> list[WorkItem]:
        """The items of one question about what an entry reaches (`records` of statements, under `key` in the
        facts), with the entry, its class mapping, each call on the way and each statement as evidence; none when
        no requested domain owns a table, or the answer is more than a reader takes in at once."""
        domain = self._write_domain(records)
        if domain is None:
            return []
        entry = steps[0]
        spans = [Span(path=entry["path"], start_line=entry["start_line"],
                      end_line=min(entry["end_line"], entry["start_line"] + 3))]
        mapping = class_mapping_line(self.files, self.data["classes"], entry["path"],
                                     flow["entry_id"].split("#")[0]) if flow["entry_kind"] == "endpoint" else None
        if mapping:   # the class-level path prefix the endpoint's full path includes
            spans.append(Span(path=entry["path"], start_line=mapping, end_line=mapping))
        spans += [s for w in records for site in w["sites"] for s in self._hop_spans(site["hops"])]
        spans += [s for w in records for s in self._sql_spans(w)]
        evidence = self.evidence(spans)
        claims = 1 + sum(1 + sum(1 + sum(1 for h in s["hops"] if h["controls"]) for s in w["sites"]) for w in records)
        if self.weight(evidence) > MAX_FLOW_EVIDENCE + bool(mapping) or claims > MAX_FLOW_CLAIMS:   # the class line: one more
            return []   # more than a reader (and the length check) takes in one answer
        facts = {"name": flow["name"], "entry_kind": flow["entry_kind"], "entry_id": flow["entry_id"],
                 "entry_label": _entry_label(flow, "en"), "entry_label_zh": _entry_label(flow, "zh"),
                 "entry_method": _label(flow["entry_id"]), "entry_line": entry["start_line"],
                 "mapping_line": mapping, key: records, "_path": entry["path"]}
        ref = flow["flow_id"] if key == "writes" else f"{flow['flow_id']}:{key}"
        return [self._item(ref, "flow", None, qkind, lang, domain, question, facts, evidence)
                for lang in self.languages for qkind, question in questions(facts, lang, flow["flow_id"])]

    def lifecycle_items(self, rules: list[dict]) -> list[WorkItem]:
        """'Which code sets X.f to which value' over all transitions of a field (core.generate.lifecycle_facts)."""
        return lifecycle_items(self, rules)

    def entry_items(self, rules: list[dict]) -> list[WorkItem]:
        """'Which requests can fail with MSG, and when' over a message's checks (core.generate.entry_facts)."""
        return entry_items(self, rules)

    def table_items(self, kinds: frozenset[str] = WRITES) -> list[WorkItem]:
        """'Which code writes table T' (or, with READS, 'reads' it): every such statement on T that the code calls,
        with every call site (and the branches and loops around it); tables with more of them than one answer can
        show are skipped."""
        callers: dict[str, list[tuple[str, int]]] = {}
        for caller, edges in self.graph.out.items():
            for target, _via, line in edges:
                callers.setdefault(target, []).append((caller, line))
        by_table: dict[str, list[dict]] = {}
        for st in self.statements:
            if st["kind"] in kinds:
                for table in st["tables"] or []:
                    by_table.setdefault(table, []).append(st)
        in_tests = {c for c, m in self.graph.methods.items() if TEST_SOURCES.search(m.path)}
        items = []
        for table, stmts in sorted(by_table.items()):
            tested = sum(c in in_tests for s in stmts for c, _ in callers.get(s.get("method_id") or "", []))
            live = {s["stmt_id"]: [(c, line) for c, line in callers.get(s.get("method_id") or "", []) if c not in in_tests]
                    for s in stmts}   # what the application runs; a test's calls are counted, not listed
            called = [s for s in stmts if live[s["stmt_id"]]]
            if any(may_reflect(self.reflected, *s["stmt_id"].rsplit(".", 1)) for s in stmts if not live[s["stmt_id"]]):
                continue   # a statement called by reflection: the call sites found are not all of them
            sites = [(s, c, line) for s in called for c, line in sorted(live[s["stmt_id"]], key=lambda x: (x[0], x[1]))]
            if not called or len(called) > MAX_TABLE_STATEMENTS or len(sites) > MAX_TABLE_SITES:
                continue
            writes = [{"stmt_id": s["stmt_id"], "label": statement_label(s["stmt_id"]), "kind": s["kind"],
                       "tables": s["tables"], "path": s["path"], "start_line": s["start_line"],
                       "sites": [{"hops": [{"caller": c, "label": _label(c), "path": self.graph.methods[c].path,
                                            "line": line, "controls": [asdict(x) for x in self.outline.controls(
                                                self.graph.methods[c].path, line, s["stmt_id"].rsplit(".", 1)[-1])]}],
                                  "up": self._callers_up(callers, c)}
                                 for st, c, line in sites if st is s]} for s in called]
            domain = self._write_domain(writes)
            if domain is None:
                continue
            spans = [sp for w in writes for site in w["sites"] for sp in self._hop_spans(site["hops"])]
            spans += [Span(path=u["path"], start_line=u.get("route_line") or u["line"], end_line=u["line"])
                      for w in writes for site in w["sites"] for u in site["up"] or []]
            spans += [Span(path=u["path"], start_line=u["mapping_line"], end_line=u["mapping_line"])
                      for w in writes for site in w["sites"] for u in site["up"] or [] if u.get("mapping_line")]
            spans += [Span(path=u["path"], start_line=u["head"][0], end_line=u["head"][1])
                      for w in writes for site in w["sites"] for u in site["up"] or [] if u.get("head")]
            spans += [self._sql_span(w) for w in writes]
            evidence = self.evidence(spans)
            if self.weight(evidence) > MAX_TABLE_EVIDENCE:
                continue
            facts = {"table": table, "writes": writes, "uncalled": len(stmts) - len(called), "_path": writes[0]["path"],
                     "reads": kinds == READS, "test_calls": tested}
            ref = f"table-{'reads' if kinds == READS else 'writes'}:{table}"
            for lang in self.languages:
                for qkind, question in table_questions(facts, lang, ref):
                    items.append(self._item(ref, "flow", None, qkind, lang, domain, question, facts, evidence))
        return items

    def _callers_up(self, callers: dict[str, list[tuple[str, int]]], method_id: str) -> list[dict] | None:
        """Who calls a method that calls a write (a data service's `updateById` is reached from controllers and
        jobs): [{caller, label, path, line}], [] when nothing does, None when too many to list. Tests are no
        callers here."""
        ups = sorted({(c, line) for c, line in callers.get(method_id) or []
                      if c in self.graph.methods and not TEST_SOURCES.search(self.graph.methods[c].path)})
        if len(ups) > MAX_UP_CALLERS:
            return None
        return [{"caller": c, "label": _label(c), "path": self.graph.methods[c].path, "line": line,
                 **self._overload_route(c, line), **self._inactive_head(c)} for c, line in ups if c in self.graph.methods]

    def _inactive_head(self, method_id: str) -> dict:
        """{inactive: why, head: [first, last]} for a method of a class that never runs (`//@Component` above
        `class OrderTimeOutCancelTask`), the lines that show it; {} for an active one (blind read 22S: mall S4 listed
        the disabled job as a caller)."""
        cls = next((c for c in self.data["classes"] if c["symbol_id"] == method_id.split("#")[0]), None)
        if not cls or not cls.get("inactive") or not cls.get("path") or not cls.get("start_line"):
            return {}
        lines = self.files.get(cls["path"]).lines
        decl = next((n for n in range(cls["start_line"], min(cls["start_line"] + 8, len(lines)) + 1)
                     if re.search(r"\b(class|interface)\s+\w", lines[n - 1])), cls["start_line"])
        first = next((n for n in range(decl - 1, max(decl - 6, 0), -1) if "@" in lines[n - 1]
                      and lines[n - 1].lstrip().startswith("//")), decl)
        return {"inactive": cls["inactive"], "head": [first, decl]}

    def _overload_route(self, method_id: str, line: int) -> dict:
        """An endpoint whose Java name another method of its class shares (mall OmsOrderController.updateReceiverInfo
        serves /order/update/moneyInfo and /order/update/receiverInfo) is told by its route, its mapping shown."""
        label = _label(method_id)
        flow = next((f for f in self.data["flows"] if f["entry_id"] == method_id and f["entry_kind"] == "endpoint"), None)
        sym = next((s for s in self.data["symbols"] if s["symbol_id"] == method_id), None)
        if not flow or not sym or line - sym["start_line"] >= 30 \
                or sum(_label(m) == label for m in self.graph.methods) + sum(
                    s["kind"] == "method" and s.get("parent_id") == sym.get("parent_id") and s["name"] == sym["name"]
                    and s["symbol_id"] != method_id and s["symbol_id"] not in self.graph.methods
                    for s in self.data["symbols"]) < 2:
            return {}
        return {"route": flow["name"], "route_line": sym["start_line"],
                "mapping_line": class_mapping_line(self.files, self.data["classes"], sym["path"], sym.get("parent_id"))}

    def _write_domain(self, writes: list[dict]) -> str | None:
        """The first requested domain that a written table (its entity) or the mapper writing it belongs to:
        a flow is about what it changes, not about every class it passes through."""
        found: set[str] = set()
        for w in writes:   # a table's own domain first: a stock update kept in an order DAO changes stock
            by_table = {d for table in w["tables"] for d in self.table_domains.get(table, [])}
            found.update(by_table or self.class_domains.get(w["stmt_id"].rsplit(".", 1)[0], []))
        return next((d for d in self.domains if d in found), None)

    def _write_check(self, rule: dict) -> dict | None:
        """The test of the write's own row count that ends the method (`if (updateWithOptimisticLocker(order) == 0)
        throw ..`): the value is kept only when the write changes a row, which is one more condition of the move
        (blind read 24GG: litemall S15 listed every check before the write and left this one out)."""
        from core.generate.design_facts import row_check
        write = rule["facts"].get("write") or {}
        if not write.get("line") or rule["facts"].get("via") == "sql":
            return None
        check = row_check(self.files, {"path": rule["evidence"][0]["path"], "line": write["line"]})
        cond = re.search(r"\bif\s*\((.*)\)\s*\{?\s*$", check["test"]) if check else None
        if not (check and cond and check["then_line"] and (check["fails"] or check["then"].startswith("return"))):
            return None
        return {"line": check["line"], "then_line": check["then_line"], "condition": cond.group(1).strip(),
                "then": check["then"]}

    def _fails_after(self, rule: dict) -> list[dict]:
        """The lines after a transition's write, in its method, that throw (`throw`, `Asserts.fail(..)`), with the
        branches they sit in, the first one carrying the method's @Transactional: the write is not the end of it
        (blind read 22M: paySuccess's stock check after the status update rolls it back)."""
        from core.generate.atomicity import transaction_of
        write, path = rule["facts"].get("write") or {}, rule["evidence"][0]["path"]
        sym = next((s for s in self.data["symbols"] if s["kind"] == "method" and s["path"] == path
                    and s["start_line"] <= (write.get("line") or 0) <= s["end_line"]), None)
        if not write.get("end_line") or sym is None or rule["facts"].get("via") == "sql":
            return []
        lines = self.files.get(path).lines
        at_write = {(c.line, c.kind) for c in self.outline.controls(path, write["line"])}
        own = re.search(r"(\w+)\s*=[^=]", lines[write["line"] - 1])   # `int count = mapper.update(..)`
        out = []
        for n in range(write["end_line"] + 1, sym["end_line"] + 1):
            st = self.outline.statement_at(path, n)
            if st is None or node_lines(st)[0] != n or (failure(st) or {}).get("action") not in ("throw", "assert"):
                continue   # a returned `X.fail(..)` builds an answer (litemall's WxPayNotifyResponse.fail): no throw
            controls = self.outline.controls(path, n)
            if any((c.line, {"if": "else", "else": "if"}.get(c.kind)) in at_write for c in controls):
                continue   # the other branch of an `if` the write sits in: it never runs after the write (22P S30)
            if any(c.kind == "if" and (c.line == write["line"] or own and re.search(
                    rf"\b{own.group(1)}\s*(==\s*0|<\s*1|<=\s*0)", c.code)) for c in controls):
                continue   # the write's own "changed no row" check: there is no change to undo
            out.append({"line": n, "code": " ".join(lines[n - 1].split())[:120],
                        "controls": [{"kind": c.kind, "code": c.code, "line": c.line} for c in controls
                                     if c.line > write["end_line"]]})
        if out:
            out[0]["tx"] = transaction_of(self, sym["symbol_id"])
        return out

    @cached_property
    def reflected(self) -> dict[str, set[str] | None]:
        """Methods application code looks up by name (`dao.getClass().getMethod("insertList", List.class)`), which
        may be called where no call edge shows it (core.generate.reflection)."""
        return reflected_methods(self.data, self.files, TEST_SOURCES.search)

    @cached_property
    def interceptors(self) -> list[Interceptor]:
        return registered(self.data, self.files)

    def intercepted(self, flow: dict, kinds: frozenset[str]) -> bool:
        """An endpoint whose registered interceptors reach SQL of `kinds` too: a list of what the handler reaches
        would not be all the request runs, so it is not asked (core.generate.interceptors)."""
        return flow["entry_kind"] == "endpoint" and bool(touching(self, flow["name"].split(" ", 1)[-1], kinds))

    # -------------------------------------------------------------- design --
    @cached_property
    def graph(self) -> CallGraph:
        calls = method_ref_calls(self.data, lambda p: self.files.get(p).text) + self._inherited_calls
        return call_graph(self.data, self.statements, calls, self._inherited_methods)

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


TEST_SOURCES = re.compile(r"(?:^|/)src/test/|^tests?/")   # Maven/Gradle test sources, a top-level test tree


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


def _by_key(conditions: list) -> bool:
    """A WHERE that only picks a row by its id (`o.id = #{orderId}`)."""
    return len(conditions) == 1 and bool(re.fullmatch(r"(?:\w+\.)?`?id`?\s*=\s*#\{[^}]*\}", conditions[0].text.strip()))


def _entry_label(flow: dict, lang: str) -> str:
    """`GET /order/{id}` is not code in the repository (the route is split over annotations): plain text."""
    if flow["entry_kind"] == "endpoint":
        if lang == "zh":
            return f"接口 {flow['name']}（`{_label(flow['entry_id'])}`）"
        return f"the endpoint {flow['name']} (`{_label(flow['entry_id'])}`)"
    return f"`{_label(flow['entry_id'])}`"


def route_for(base: str, field_name: str) -> str:
    return f"/{lower_first(base)}/countBy{field_name[0].upper() + field_name[1:]}"


MAX_SHARED_CHECKS = 6


MAX_METHOD_CHECKS = 8


def _method_checks(guards: list[tuple[dict, dict]]) -> dict[tuple[str, str], list[str]]:
    """("checks_of", method) -> every guard of a method with two or more, when they are all its early exits
    (the finder counted the method's exits): "what can stop M" then has one complete answer."""
    by_method: dict[str, list[tuple[dict, dict]]] = {}
    for rule, f in guards:
        by_method.setdefault(f["method"], []).append((rule, f))
    return {("checks_of", m): [r["rule_id"] for r, _ in members] for m, members in by_method.items()
            if len(members) >= 2 and all(f.get("method_exits") == len(members) and not f.get("calls_checks")
                                         and not f.get("calls_throw") for _, f in members)}


MAX_BEFORE = 8   # earlier exits an "exactly when" answer still lists readably


def _exits_known(members: list[dict]) -> bool:
    """"When does M fail with X / return X" has a complete answer: every statement of M that exits that way is
    one of these checks (a message-less exit is counted over M's returns and throws, `catch` blocks included),
    and every exit before the first of them is known (no call that can throw on the way) and few enough to list."""
    first = members[0]
    if not first.get("message") and first.get("exit_sites") != len(members):
        return False
    own = {f["line"] for f in members}
    earlier = [e for e in first.get("before") or [] if e["line"] not in own] + (first.get("throwing_calls") or [])
    # the answer lists the exits before the first check; a later one must have no others of its own on the way
    # (blind read 21H: litemall S14, the second "优惠券已领完" comes after five more exits)
    between = [e for f in members[1:] if f.get("method") == first.get("method")
               for e in f.get("before") or [] if e["line"] not in own and e["line"] > first["line"]]
    later_known = all(f.get("before_known") for f in members[1:] if f.get("method") == first.get("method"))
    return bool(first.get("before_known")) and len(earlier) <= MAX_BEFORE and not between and later_known


def _dict_roles(evidence: list, dict_rec: dict, label_spans: list[Span]) -> dict:
    """The evidence ids of a transition's dictionary and of the lines that label its codes."""
    return {"dict": next(e.id for e in evidence if e.path == dict_rec["path"] and e.start_line <= dict_rec["start_line"]
                         and dict_rec["end_line"] <= e.end_line),
            "labels": sorted({e.id for s in label_spans for e in evidence if e.path == s.path
                              and e.start_line <= s.start_line and s.end_line <= e.end_line})}


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
