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
  out: what the caller then sees is up to an exception handler.
"""

from __future__ import annotations

import re

from core.generate.lifecycle_facts import Lifecycles, _entry_name
from core.generate.qa_templates import Cite, _guard_when, _source_words, _where_sentence, file_name, pick
from core.generate.work import WorkItem
from core.models import Span, sha256_text

MAX_SITES = 4
# a failure helper (`Asserts.fail(msg)`) or a failed result carrying the message; a bare `throw new
# RuntimeException(msg)` is not here: what the client then sees depends on an exception handler
FAILS_WITH_MESSAGE = ("assert", "return_failed")
MAX_EVIDENCE = 16


class EntryChecks:
    def __init__(self, planner, rules: list[dict], lifecycles: Lifecycles | None = None):
        self.p, self.rules = planner, rules
        self.life = lifecycles or Lifecycles(planner, rules)

    def _reaches_entry(self, guard: dict, chain: list[dict]) -> bool:
        """The failure comes out of the entry: nothing on the way catches the exception or drops the result."""
        for call in chain:
            if self._in_try(call["path"], call["line"]):
                return False
            if guard["action"] == "return_failed" and not self._returned(call):
                return False
        return True

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
            sites = [self._site(r) for r in rules]
            if any(s is None for s in sites):
                continue
            out += self._message_items(message, rules, sites)
        return out

    def _raised_elsewhere(self, message: str, rules: list[dict]) -> bool:
        """The message (its literal, or the named constant the checks take it from, `Enum.NO_PERMISSION.getResult()`)
        is used in more places than the checks found."""
        if self.p._raised_elsewhere(message, len(rules)):
            return True
        for expr in {r["facts"].get("message_expr") for r in rules} - {None}:
            name = re.sub(r"(\.\w+\(\))+$", "", expr).rsplit(".", 1)[-1]
            uses = len(re.findall(rf"\.{re.escape(name)}\b", self.p._java_text))
            if uses > sum(1 for r in rules if r["facts"].get("message_expr") == expr):
                return True
        return False

    def _site(self, rule: dict) -> dict | None:
        f, path = rule["facts"], rule["evidence"][0]["path"]
        method_id = self.life._method_id_at(path, f["line"])
        if method_id is None or self.p.inactive.get(method_id.split("#")[0]):
            return None
        reached = self.life.entries(method_id)
        if not reached or not all(self._reaches_entry(f, chain) for _, chain in reached):
            return None
        return {"facts": f, "path": path, "entries": [self.life._entry_facts(flow, chain) for flow, chain in reached]}

    def _message_items(self, message: str, rules: list[dict], sites: list[dict]) -> list[WorkItem]:
        spans = [Span(**e) for r in rules for e in r["evidence"]]
        for r, s in zip(rules, sites):
            spans += [Span(path=s["path"], start_line=x["line"], end_line=x["end_line"])
                      for x in r["facts"].get("sources") or []]
            if r["facts"].get("message_line"):   # the constant that holds the text (`Enum.NO_PERMISSION`)
                spans.append(Span(path=r["facts"]["message_path"], start_line=r["facts"]["message_line"],
                                  end_line=r["facts"]["message_line"]))
            for e in s["entries"]:
                spans.append(Span(path=e["path"], start_line=e["line"], end_line=e["end_line"]))
                spans += [Span(path=c["path"], start_line=c["line"], end_line=c["line"]) for c in e["calls"]]
        evidence = self.p.evidence(spans)
        if len(evidence) > MAX_EVIDENCE:
            return []
        facts = {"message": message, "sites": sites, "_path": sites[0]["path"]}
        ref = "entry-check:" + sha256_text(message)[:16]
        return [self.p._item(ref, "rule", "entry_check", qkind, lang, rules[0]["domain"], question, facts, evidence)
                for lang in self.p.languages for qkind, question in entry_questions(facts, lang, ref)]


def entry_items(planner, rules: list[dict], lifecycles: Lifecycles | None = None) -> list[WorkItem]:
    return EntryChecks(planner, rules, lifecycles).items()


# ------------------------------------------------------------- templates --
def entry_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    msg = f["message"]
    if lang == "en":
        return [("fails_with", pick(seed, [f'Which requests or jobs can fail with "{msg}", and when?',
                                           f'Where can a request be rejected with "{msg}", and under which '
                                           "condition?"]))]
    return [("fails_with", f"哪些接口或任务会以“{msg}”失败？分别在什么条件下？")]


def _site_text(s: dict, lang: str) -> str:
    f = s["facts"]
    at = f"{file_name(s['path'])}:{f['line']}"
    names = [_entry_name(e, lang) for e in s["entries"]]
    where = _where_sentence(f, lang).strip()
    src = _source_words(f, lang, set())
    if lang == "en":
        entries = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
        after = ", once its earlier checks have passed" if f.get("before") else ""
        text = f"{entries}: `{f['method']}` ({at}) fails when {_guard_when(f, lang)}{after}."
        return text + (f" Here {src}." if src else "") + (f" {where}" if where else "")
    after = "（在该方法前面的校验都通过之后）" if f.get("before") else ""
    return (f"{'、'.join(names)}：当{_guard_when(f, lang)}时，`{f['method']}`（{at}）失败{after}。"
            + (f"其中{src}。" if src else "") + where)


def entry_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str,
                                                                                                     list[str]]]]:
    sites = f["sites"]
    if lang == "en":
        head = (f'"{f["message"]}" is raised by one check, and only these entry points reach it:' if len(sites) == 1
                else f'"{f["message"]}" is raised by {len(sites)} checks, and only these entry points reach them:')
    else:
        head = f"“{f['message']}”来自 {len(sites)} 处校验，只有以下入口会走到："
    body = head + "\n" + "\n".join(f"- {_site_text(s, lang)}" for s in sites)
    trace = []
    for s in sites:
        g = s["facts"]
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
                   [cite.at(x["line"], s["path"])]) for x in g.get("sources") or []]
        for e in s["entries"]:
            trace.append(((f"{e['method']} is an entry point ({e['kind']})" if lang == "en"
                           else f"{e['method']} 是入口（{e['kind']}）"),
                          [cite.at(e["line"], e["path"])]))
            trace += [((f"{c['caller']} calls `{c['written']}`" if lang == "en" else f"{c['caller']} 调用 `{c['written']}`"),
                       [cite.at(c["line"], c["path"])]) for c in e["calls"]]
    return body, trace
