"""Entry-point QA: which requests, jobs or listeners can fail with a given message, and when.

A guard rule says where a check sits; someone calling the API asks which of
its requests can answer with "库存不足", and under which condition. The
question is asked only when the answer is whole and true for every entry:

- the message literal stands in no more places than the checks found (a
  helper or catch block raising it too would be left out);
- every method holding such a check is reached only from known entry points
  (the reverse call walk of `lifecycle_facts.Lifecycles.entries`);
- the failure reaches the entry: a failure helper (`Asserts.fail`) with no
  `try` around any call on the way, or a failed result that every call on the
  way returns as it is (`return service.submit(..)`). A bare `throw` is left
  out: what the caller then sees is up to an exception handler;
- every call on the way runs whenever its method does: no `if`, loop, catch or
  lambda around it, and no `return`, `throw` or check earlier in its method (a
  job that first selects the unpaid orders and pays only those it finds reaches
  "order is not unpaid" only in a race, so the answer's condition would be
  false for it);
- the values the check tests are not fixed by the query that loaded them (a
  coupon found by `findByCode`, whose criteria require the normal status, never
  fails the "expired" check): such a guard is marked `loader_constrained`.
"""

from __future__ import annotations

import html
import re

from core.generate.lifecycle_facts import Lifecycles, _entry_name, entry_claim
from core.generate.qa_templates import (
    Cite,
    _before_part,
    _guard_when,
    _source_words,
    _where_sentence,
    file_name,
    flags_sentence,
    flags_trace,
    helper_decides,
    helpers_sentence,
    helpers_trace,
    pick,
    unique_claims,
    value_claims,
    where_trace,
)
from core.generate.work import WorkItem
from core.models import Span, sha256_text

MAX_SITES = 4
# a failure helper (`Asserts.fail(msg)`) or a failed result carrying the message; a bare `throw new
# RuntimeException(msg)` is not here: what the client then sees depends on an exception handler
FAILS_WITH_MESSAGE = ("assert", "return_failed")
MAX_EVIDENCE = 16
_EXIT = re.compile(r"\b(return|throw)\b")
_GETTER = re.compile(r"\b([a-z]\w*)\.get([A-Z]\w*)\(\)")
# a MyBatis Example criterion on a field, whatever it compares with (`andUserIdEqualTo(userId)`, `andTypeIn(..)`)
# a column a WHERE compares (`o.user_id = #{..}`, `status in (..)`, `deleted is null`)
_WHERE_COLUMN = re.compile(r"([A-Za-z_][\w.]*)\s*(?:=|<>|!=|<=|>=|<|>|\bin\b|\blike\b|\bis\b|\bbetween\b)", re.I)
_CRITERION = re.compile(r"\.and([A-Z]\w*?)(?:Not)?(?:EqualTo|In|IsNull|IsNotNull|Between|GreaterThan\w*|LessThan\w*|"
                        r"Like)\(")


class EntryChecks:
    def __init__(self, planner, rules: list[dict], lifecycles: Lifecycles | None = None):
        self.p, self.rules = planner, rules
        self.life = lifecycles or Lifecycles(planner, rules)

    def _reaches_entry(self, guard: dict, chain: list[dict]) -> bool:
        """The failure comes out of the entry: nothing on the way catches the exception or drops the result, and
        no call on the way runs only under a condition the answer would not state."""
        for call in chain:
            if self._in_try(call["path"], call["line"]) or not self._unconditional(call):
                return False
            if guard["action"] == "return_failed" and not self._returned(call):
                return False
        return True

    def _unconditional(self, call: dict) -> bool:
        """The call runs every time its method runs: nothing encloses it (if, loop, catch, lambda, `a && f()`) and
        nothing before it in the method can leave early (`return`, `throw`, a check rule)."""
        path, line = call["path"], call["line"]
        if self.p.outline.controls(path, line, call["callee_name"].rsplit(".", 1)[-1]):
            return False
        node = self.p.outline.statement_at(path, line)
        while node is not None and node.type not in ("method_declaration", "constructor_declaration"):
            node = node.parent
        if node is None:
            return False
        first = node.start_point[0] + 1
        if _EXIT.search("\n".join(self.p.files.get(path).lines[first - 1:line - 1])):
            return False
        return not any(r["kind"] == "guard" and r["evidence"][0]["path"] == path
                       and first <= r["facts"].get("line", 0) < line for r in self.rules)

    def _in_try(self, path: str, line: int) -> bool:
        node = self.p.outline.statement_at(path, line)
        while node is not None and node.type not in ("method_declaration", "constructor_declaration"):
            if node.type in ("try_statement", "try_with_resources_statement"):
                return True
            node = node.parent
        return False

    def _returned(self, call: dict) -> bool:
        text = self.p.files.get(call["path"]).lines[call["line"] - 1].strip()
        name = call["callee_name"].rsplit(".", 1)[-1]
        return text.startswith("return ") and f"{name}(" in text

    def items(self) -> list[WorkItem]:
        by_message: dict[str, list[dict]] = {}
        for r in self.rules:
            f = r["facts"]
            if r["kind"] == "guard" and f.get("message") and f.get("action") in FAILS_WITH_MESSAGE:
                by_message.setdefault(f["message"], []).append(r)
        out = []
        for message, rules in sorted(by_message.items()):
            if len(rules) > MAX_SITES or self._raised_elsewhere(message, rules):
                continue
            if any(r["facts"].get("loader_constrained") for r in rules):
                continue    # a check the loading query makes dead: "who can fail with it" has no true answer
            sites = [self._site(r) for r in rules]
            if any(s is None for s in sites):
                continue
            out += self._message_items(message, rules, sites)
        return out

    def _loader_decides(self, f: dict, path: str, method_id: str) -> bool:
        """The check tests a field of a record whose loading query already constrains that field: an order found
        by `findById(userId, id)` (criteria `andUserIdEqualTo(userId)`) never fails `order.getUserId() != userId`,
        a coupon found by code only with the normal status is never expired. Whether the check can fire then
        depends on what the query compares with; the answer could not say, so the question is not asked."""
        tested = _GETTER.findall(f["condition"]) + [g for x in f.get("sources") or [] for g in _GETTER.findall(x["expr"])]
        sym = next((x for x in self.p.data["symbols"] if x["symbol_id"] == method_id), None)
        if not tested or sym is None:
            return False
        lines = self.p.files.get(path).lines
        for var, fld in tested:
            fields = self._loader_fields(path, lines, sym["start_line"], f["line"], var)
            if fld in fields:
                return True
        return False

    def _loader_fields(self, path: str, lines: list[str], first: int, before: int, var: str) -> set[str]:
        """The fields the query that loaded `var` (its last assignment before line `before`) has criteria on: in
        the called method's body (a data service's `findByCode`), or in the Example built in this method."""
        loaded = self._loaded_by(path, lines, first, before, var)
        if loaded is None:
            return set()
        line, callee = loaded
        fields: set[str] = set()
        if "Example" in lines[line - 1]:   # `mapper.selectByExample(example)`: the criteria built above it here
            fields |= set(_CRITERION.findall("\n".join(lines[first - 1:line])))
        if callee:
            body = self.p.files.get(callee["path"]).lines[callee["start_line"] - 1:callee["end_line"]]
            fields |= set(_CRITERION.findall("\n".join(body)))
            fields |= self._where_fields(callee["symbol_id"])
        return fields

    def _where_fields(self, method_id: str) -> set[str]:
        """The fields a hand-written SELECT of the mapper method tests in its WHERE (`where order_no = #{orderNo}
        and is_deleted = 0` -> OrderNo, IsDeleted), as Example criteria name them: a loader by SQL constrains what
        it returns as much as one by criteria."""
        out: set[str] = set()
        for st in self.p.statements:
            if st.get("method_id") != method_id or st.get("kind") != "select":
                continue
            where = re.split(r"\bwhere\b", st.get("sql") or "", maxsplit=1, flags=re.I)
            if len(where) < 2:
                continue
            clause = re.split(r"\b(?:order\s+by|group\s+by|limit)\b", where[1], maxsplit=1, flags=re.I)[0]
            clause = re.sub(r"#\{[^}]*\}|\$\{[^}]*\}|'[^']*'", " ", html.unescape(clause))
            for col in _WHERE_COLUMN.findall(clause):
                out.add("".join(w.capitalize() for w in col.rsplit(".", 1)[-1].split("_")))
        return out

    def _loaded_by(self, path: str, lines: list[str], first: int, before: int, var: str) -> tuple[int, dict | None] | None:
        """The line of `var`'s last assignment from a call before line `before`, and the called method's symbol."""
        assigned = [(n, m) for n in range(first, before)
                    for m in [re.search(rf"\b{re.escape(var)}\s*=\s*(?:\([\w.<>]+\)\s*)?(?:[\w.]+\.)?(\w+)\s*\(",
                                        lines[n - 1])] if m]
        if not assigned:
            return None
        line, m = assigned[-1]
        for call in self.life.calls_at.get((path, line), []):
            target = call.get("impl_id") or call.get("callee_id")
            if call["callee_name"].rsplit(".", 1)[-1] == m.group(1) and target:
                callee = next((x for x in self.p.data["symbols"] if x["symbol_id"] == target and x.get("path")), None)
                return line, callee
        return line, None

    def _null_filter(self, f: dict, path: str, method_id: str) -> dict | None:
        """For `x == null` where `x` comes from a data method whose query has criteria (`findByCode`: code, type,
        status): that criteria line, since `x` is null for every row it leaves out, not only a missing one."""
        m = re.fullmatch(r"(?:(\w+)\s*==\s*null|null\s*==\s*(\w+))", f["condition"].strip())
        sym = next((x for x in self.p.data["symbols"] if x["symbol_id"] == method_id), None)
        if not m or sym is None:
            return None
        loaded = self._loaded_by(path, self.p.files.get(path).lines, sym["start_line"], f["line"], m[1] or m[2])
        callee = loaded and loaded[1]
        if not callee:
            return None
        body = self.p.files.get(callee["path"]).lines
        line = next((n for n in range(callee["start_line"], callee["end_line"] + 1) if _CRITERION.search(body[n - 1])),
                    None)
        return None if line is None else {"var": m[1] or m[2], "method": callee["name"], "path": callee["path"],
                                           "start_line": callee["start_line"], "line": line,
                                           "criteria": body[line - 1].strip().rstrip(";")}

    def _raised_elsewhere(self, message: str, rules: list[dict]) -> bool:
        """The message (its literal, or the named constant the checks take it from, `Enum.NO_PERMISSION.getResult()`)
        is used in more places than the checks found."""
        return self.p._raised_elsewhere(message, len(rules), [r["facts"].get("message_expr") for r in rules])

    def _site(self, rule: dict) -> dict | None:
        from core.generate.plan import _exits_known  # plan imports this module

        f, path = rule["facts"], rule["evidence"][0]["path"]
        if not _exits_known([f]) or helper_decides(f):
            return None    # an exit before the check the answer could not list (the order it skips when not unpaid)
        method_id = self.life._method_id_at(path, f["line"])
        if method_id is None or self.p.inactive.get(method_id.split("#")[0]) or self._loader_decides(f, path, method_id):
            return None
        reached = self.life.entries(method_id)
        if not reached or not all(self._reaches_entry(f, chain) for _, chain in reached):
            return None
        helpers = self.p.predicates(f["condition"])   # what `OrderUtil.isConfirmStatus(order)` tests
        flags = self.p.flags(f["condition"], f.get("sources"))   # what `handleOption.isConfirm()` lets through
        f = {**f, **({"helpers": helpers} if helpers else {}), **({"flags": flags} if flags else {})}
        return {"facts": f, "path": path,
                "entries": [self.life._entry_facts(flow, chain) for flow, chain in reached],
                "null_filter": self._null_filter(f, path, method_id)}

    def _message_items(self, message: str, rules: list[dict], sites: list[dict]) -> list[WorkItem]:
        spans = [Span(**e) for r in rules for e in r["evidence"]]
        for r, s in zip(rules, sites):
            spans += [Span(path=s["path"], start_line=x["line"], end_line=x["end_line"])
                      for x in r["facts"].get("sources") or []]
            spans += [Span(path=p[0] if len(p) == 3 else s["path"], start_line=p[-2], end_line=p[-1])
                      for p in r["facts"].get("before_spans") or []]   # the exits the answer lists
            spans += [Span(path=h["path"], start_line=h["line"], end_line=h["line"]) for h in s["facts"].get("helpers") or []]
            spans += [Span(path=x["path"], start_line=n, end_line=n) for x in s["facts"].get("flags") or []
                      for n in [v["line"] for v in x["locals"]] + [k for w in x["when"] for k in (w["line"], w["set_line"])]]
            if r["facts"].get("message_line"):   # the constant that holds the text (`Enum.NO_PERMISSION`)
                spans.append(Span(path=r["facts"]["message_path"], start_line=r["facts"]["message_line"],
                                  end_line=r["facts"]["message_line"]))
            if s.get("null_filter"):   # the data method and its criteria line
                n = s["null_filter"]
                spans.append(Span(path=n["path"], start_line=n["start_line"], end_line=n["line"]))
            for e in s["entries"]:
                spans.append(Span(path=e["path"], start_line=e["line"], end_line=e["end_line"]))
                if e.get("mapping_line"):   # the controller's own path prefix, which the full path includes
                    spans.append(Span(path=e["path"], start_line=e["mapping_line"], end_line=e["mapping_line"]))
                spans += [Span(path=c["path"], start_line=c["line"], end_line=c["line"]) for c in e["calls"]]
        evidence = self.p.evidence(spans)
        if self.p.weight(evidence) > MAX_EVIDENCE:
            return []
        facts = {"message": message, "sites": sites, "_path": sites[0]["path"]}
        ref = "entry-check:" + sha256_text(message)[:16]
        return [self.p._item(ref, "rule", "entry_check", qkind, lang, rules[0]["domain"], question, facts, evidence)
                for lang in self.p.languages for qkind, question in entry_questions(facts, lang, ref)]


def entry_items(planner, rules: list[dict], lifecycles: Lifecycles | None = None) -> list[WorkItem]:
    return EntryChecks(planner, rules, lifecycles).items()


def without_overlaps(items: list[WorkItem], entries: list[WorkItem]) -> list[WorkItem]:
    """Drops the guard's "where is the check behind MSG" of every message an entry question answers: its answer
    names the same checks, their lines and who reaches them."""
    messages = {i.facts["message"] for i in entries}
    return [i for i in items if not (i.source.rule_kind == "guard" and i.source.question_kind == "where_implemented"
                                     and i.facts.get("message") in messages)]


# ------------------------------------------------------------- templates --
def entry_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    msg = f["message"]
    if lang == "en":
        return [("fails_with", pick(seed, [f'Which requests or jobs can fail with "{msg}", and when?',
                                           f'Where can a request be rejected with "{msg}", and under which '
                                           "condition?"]))]
    return [("fails_with", f"哪些接口或任务会以“{msg}”失败？分别在什么条件下？")]


def _site_text(s: dict, lang: str, before: str) -> str:
    """One check: who reaches it, its condition, where its values come from, and the exits before it (`before`,
    said in full: a request those exits end never sees the message)."""
    f = s["facts"]
    at = f"{file_name(s['path'])}:{f['line']}"
    names = [_entry_name(e, lang) for e in s["entries"]]
    where = _where_sentence(f, lang).strip()
    src = _source_words(f, lang, set())
    n = s.get("null_filter")
    if lang == "en":
        entries = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        text = f"{entries}: `{f['method']}` ({at}) fails when {_guard_when(f, lang)}."
        if n:
            text += (f" `{n['method']}` only returns a row matching `{n['criteria']}` ({file_name(n['path'])}:"
                     f"{n['line']}), so `{n['var']}` is null whenever no row matches all of it.")
        return text + (f" Here {src}." if src else "") + helpers_sentence(f, lang) + flags_sentence(f, lang) + \
            (f" {where}" if where else "") + before
    if n:
        where += (f"`{n['method']}` 只返回满足 `{n['criteria']}`（{file_name(n['path'])}:{n['line']}）的记录，"
                  f"不满足其中任一条件时 `{n['var']}` 都为 null。")
    return (f"{'、'.join(names)}：当{_guard_when(f, lang)}时，`{f['method']}`（{at}）失败。"
            + (f"其中{src}。" if src else "") + helpers_sentence(f, lang) + flags_sentence(f, lang) + where + before)


@unique_claims
def entry_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str,
                                                                                                     list[str]]]]:
    sites = f["sites"]
    if lang == "en":
        head = (f'"{f["message"]}" is raised by one check, and only these entry points reach it:' if len(sites) == 1
                else f'"{f["message"]}" is raised by {len(sites)} checks, and only these entry points reach them:')
    else:
        head = f"“{f['message']}”来自 {len(sites)} 处校验，只有以下入口会走到："
    rows, trace = [], []
    for s in sites:
        g = s["facts"]
        before, before_trace = _before_part([g], lang, cite, s["path"])
        rows.append(f"- {_site_text(s, lang, before)}")
        trace += before_trace
        holds = g.get("holds", True)
        shown = f"`{g['message_expr']}`" if g.get("message_expr") else (
            f"\"{f['message']}\"" if lang == "en" else f"“{f['message']}”")
        trace.append(((f"{g['method']} fails with {shown} when `{g['condition']}` {'holds' if holds else 'does not hold'}"
                       if lang == "en"
                       else f"{g['method']} 在 `{g['condition']}` {'成立' if holds else '不成立'}时以 {shown} 失败"),
                      [cite.at(g["line"], s["path"])]))
        if g.get("message_expr") and g.get("message_line"):
            trace.append(((f"`{g['message_expr']}` is \"{f['message']}\"" if lang == "en"
                           else f"`{g['message_expr']}` 的文字是“{f['message']}”"),
                          [cite.at(g["message_line"], g["message_path"])]))
        trace += [((f"`{x['var']}` is assigned from `{x['call']}`" if lang == "en" else f"`{x['var']}` 由 `{x['call']}` 赋值"),
                   [cite.at(x["line"], s["path"])]) for x in g.get("sources") or []] + helpers_trace(g, lang, cite) + \
            flags_trace(g, lang, cite) + value_claims(g, lang, cite) + \
            where_trace(g.get("sources") or [], lang, cite, s["path"])
        if s.get("null_filter"):
            n = s["null_filter"]
            trace.append(((f"{n['method']} selects with `{n['criteria']}`" if lang == "en"
                           else f"{n['method']} 的查询条件是 `{n['criteria']}`"), [cite.at(n["line"], n["path"])]))
        for e in s["entries"]:
            trace.append(entry_claim(e, lang, cite))
            trace += [((f"{c['caller']} calls `{c['written']}`" if lang == "en" else f"{c['caller']} 调用 `{c['written']}`"),
                       [cite.at(c["line"], c["path"])]) for c in e["calls"]]
    return head + "\n" + "\n".join(rows), trace
