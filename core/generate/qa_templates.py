"""Offline QA writing: the questions asked about each rule or flow, and the template answers.

Questions are fixed here for every backend (so a sample's id and question
kind do not depend on who answers). Answers are what the `template` backend
writes: composed from the extracted facts, in the voice of an engineer who
knows the code, with several phrasings chosen deterministically per sample so
a data set does not read like one form filled in a thousand times. Every
sentence states something the cited lines show.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from core.models import Evidence, sha256_text
from core.rules.java_rules import inline_dict
from core.rules.render import condition_text, context_text, cron_text, negate_text
from core.rules.statements import site_text, state_name


def pick(seed: str, options: list[str] | tuple[str, ...]) -> str:
    """A deterministic choice: same seed, same phrasing."""
    n = int(sha256_text(seed)[:8], 16)
    return options[n % len(options)]


@dataclass
class Cite:
    """Finds the evidence id that covers a line, for trace claims."""

    evidence: list[Evidence]

    def at(self, line: int | None, path: str | None = None) -> str:
        for e in self.evidence:
            if (path is None or e.path == path) and line is not None and e.start_line <= line <= e.end_line:
                return e.id
        return self.evidence[0].id

    def all(self) -> list[str]:
        return [e.id for e in self.evidence]

    def within(self, path: str, start: int, end: int) -> list[str]:
        """Every item showing part of lines start..end of one file (a long statement cited by its head and by the
        lines it is asked about); the first item when none does."""
        found = [e.id for e in self.evidence if e.path == path and e.start_line <= end and start <= e.end_line]
        return found or [self.evidence[0].id]

    def role(self, role: str, facts: dict) -> str | None:
        return facts.get("_roles", {}).get(role)


def unique_claims(answer: Callable) -> Callable:
    """An answer writer whose trace states each claim once: two checks on the same loaded record both say
    "`order` is assigned from `findById`"; the repeated step becomes one, citing the evidence of all."""
    @functools.wraps(answer)
    def write(*args, **kwargs):
        body, trace = answer(*args, **kwargs)
        merged: dict[str, list[str]] = {}
        for claim, ids in trace:
            merged.setdefault(claim, [])
            merged[claim] += [i for i in ids if i not in merged[claim]]
        return body, list(merged.items())
    return write


def with_declarations(trace: list[tuple[str, list[str]]], evidence: list[Evidence], decls: list[dict]) -> list[
        tuple[str, list[str]]]:
    """Each claim citing lines of a method also cites the item that shows that method's declaration (`Planner._item`
    lists them as `_decls`): the claim is about that method's code, and the item is cited by what it supports."""
    if not decls:
        return trace
    where = {e.id: e for e in evidence}
    out = []
    for claim, ids in trace:
        held = [d["id"] for i in ids if (e := where.get(i)) for d in decls
                if d["path"] == e.path and d["lines"][0] <= e.start_line and e.end_line <= d["lines"][1]]
        out.append((claim, list(dict.fromkeys([*ids, *held]))))
    return out


def _short(method: str) -> str:
    return method.rsplit(".", 1)[-1]


# ---------------------------------------------------------------- guard --
_NAME = re.compile(r"[\w.]+(\(\))?|-?\d+|\"[^\"]*\"|null|空")
_BARE_COMPARED = re.compile(r"`[a-z]\w*` (?:is|is not|is at least|is at most|is greater than|is less than|equals"
                            r"|differs from) `")


def with_values(words: str, f: dict, lang: str = "en") -> str:
    """Each named constant the facts resolved, with its code and the code base's label beside it:
    `OrderUtil.STATUS_PAY` -> `OrderUtil.STATUS_PAY` (201, "已付款")."""
    for c in f.get("constants") or []:
        if c.get("field"):      # a literal code of an entity field (extract._label_codes): only its label is new
            words = words.replace(f"`{c['expr']}`", f"`{c['expr']}` (\"{c['label']}\")" if lang == "en"
                                  else f"`{c['expr']}`（“{c['label']}”）")
            continue
        label = (f', "{c["label"]}"' if lang == "en" else f"，“{c['label']}”") if c.get("label") else ""
        words = words.replace(f"`{c['expr']}`", f"`{c['expr']}` ({c['value']}{label})" if lang == "en"
                              else f"`{c['expr']}`（{c['value']}{label}）")
    return words


def value_claims(f: dict, lang: str, cite: Cite) -> list[tuple[str, list[str]]]:
    """One claim per resolved constant, citing its declaration (and the line that labels it)."""
    out = []
    for c in f.get("constants") or []:
        ids = [cite.at(c["line"], c["path"])] + ([cite.at(c["label_line"], c["path"])] if c.get("label_line") else [])
        label = f" ({c['label']})" if c.get("label") else ""
        if c.get("field"):
            out.append(((f"code {c['value']} of `{c['field']}` is labelled \"{c['label']}\"" if lang == "en"
                         else f"`{c['field']}` 的代码 {c['value']} 表示“{c['label']}”"), list(dict.fromkeys(ids))))
            continue
        out.append(((f"`{c['expr']}` is {c['value']}{label}" if lang == "en" else f"`{c['expr']}` 的值为 {c['value']}{label}"),
                    list(dict.fromkeys(ids))))
    return out


def _guard_when(f: dict, lang: str) -> str:
    words = condition_text(f["condition"], lang) if f.get("holds", True) else negate_text(f["condition"], lang)
    return with_values(words, f, lang)


def speakable(words: str) -> bool:
    """A condition in words whose code fragments are all names (`order.getStatus()`, `count`, a constant),
    not Java expressions pasted into the sentence (`now.before(coupon.getEnableTime())`)."""
    if _BARE_COMPARED.search(words):
        return False   # `count` is `0`: a local whose meaning the question cannot show
    return all(_NAME.fullmatch(frag) for frag in re.findall(r"`([^`]*)`", words))


def _exit_question(f: dict, lang: str) -> str:
    """'When does M …' for an exit without a message, named by what the exit does."""
    m, en = f"`{f['method']}`", lang == "en"
    if f["action"] == "return":
        value = f.get("value")
        if value:
            return f"When does {m} return `{value}` early?" if en else f"{m} 在什么情况下提前返回 `{value}`？"
        # not "stop without doing anything": a later `if (!list.isEmpty())` around the only effect also does nothing
        return f"When does {m} return early?" if en else f"{m} 在什么情况下提前返回？"
    if f["action"] == "throw":
        exc = f.get("exception") or "an exception"
        return f"When does {m} throw `{exc}`?" if en else f"{m} 在什么情况下抛出 `{exc}`？"
    helper = f.get("helper")
    if f["action"] == "return_failed":
        return f"When does {m} return a failed result (`{helper}`)?" if en else f"{m} 在什么情况下返回失败结果（`{helper}`）？"
    return f"When does {m} fail through `{helper}`?" if en else f"{m} 在什么情况下通过 `{helper}` 失败？"


def _tests_derived_local(f: dict) -> bool:
    """The check tests a local computed by a static helper (`handleOption = OrderUtil.build(order)`, then
    `!handleOption.isPay()`): "if `handleOption.isPay()` is false" asks about the code's plumbing, not about
    anything a caller knows; the message question (with where the local comes from) covers the check."""
    return any(s["call"][:1].isupper() for s in f.get("sources") or [])


def helper_decides(f: dict) -> bool:
    """The check tests a local a same-class helper returns under conditions of its own (`integrationAmount =
    getUseIntegrationAmount(..)`, zero in four cases): "exactly when" would stop at "when it is 0" and leave the
    why in a body no answer shows, so no "when" question is asked about it."""
    return any(s.get("chosen") for g in [f, *(f.get("sites") or [])] for s in g.get("sources") or [])


_MISSING = re.compile(r"(?:null\s*==\s*[\w.()]+|[\w.()]+\s*==\s*null|[\w.()]+\.isEmpty\(\)|[\w.]*(?:Utils|Util)\."
                      r"is(?:Empty|Blank)\([\w.()]+\)|[\w.()]+\.(?:size\(\)|length)\s*(?:==\s*0|<\s*1))")


def only_missing(f: dict) -> bool:
    """The check fires only when a value is absent (`order == null`, `list.isEmpty()`, `list.size() == 0`):
    "what happens when `order` is null" restates one return line a senior engineer reads at a glance (blind
    read G: 8 of 9 litemall what_happens samples rated shallow); a message it fails with is still asked by
    "under which condition does M fail with …"."""
    parts = [p.strip() for p in re.split(r"\|\|", f["condition"])]
    parts = [p[1:-1].strip() if p.startswith("(") and p.endswith(")") else p for p in parts]
    return f.get("holds", True) and all(_MISSING.fullmatch(p) for p in parts)


def guard_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    """Questions a guard answers completely: what happens when its condition (in words) holds, and, named
    by its message or its exit, when it fires. A condition that is a Java expression is not put in a question;
    a check that a value is missing gets no "what happens", and no "when does it return early" either where
    the value is the method's own input (mall handleSkuStockCode: `skuStockList` empty, blind read G S11/S36)."""
    m, msg, when = f"`{f['method']}`", f.get("message"), _guard_when(f, lang)
    if any(c.get("branch") == "prior" for c in f.get("within") or []):   # an `else if`: its siblings come first
        when += (" and none of the earlier branches of its `if`/`else if` chain was taken" if lang == "en"
                 else "，且同一 `if`/`else if` 链中更早的分支都未命中")   # (blind read 20F: litemall S21)
    out = []
    # one verdict for both languages: the same questions in each
    missing = only_missing(f)
    plain = speakable(_guard_when(f, "en")) and not _tests_derived_local(f) and not missing
    when_known = not helper_decides(f) and not (missing and not msg and not f.get("sources"))
    if lang == "en":
        if plain and when_known:
            out.append(("what_happens", pick(seed + "q1", [f"What happens in {m} when {when}?",
                                                           f"If {when}, what does {m} do?"])))
        if msg:
            if when_known:
                out.append(("under_which_condition", f"Under which condition does {m} fail with \"{msg}\"?"))
            out.append(("where_implemented", pick(seed + "q3", [f"Where is the check behind \"{msg}\" implemented?",
                                                                f"Which code raises \"{msg}\", and where does it live?"])))
        elif when_known:
            out.append(("under_which_condition", _exit_question(f, lang)))
        return out + _checks_question(f, lang, seed)
    if plain and when_known:
        out.append(("what_happens", f"在 {m} 中，如果{when}，会发生什么？"))
    if msg:
        if when_known:
            out.append(("under_which_condition", f"{m} 在什么条件下会报“{msg}”？"))
        out.append(("where_implemented", f"“{msg}”这个校验是在哪里实现的？"))
    elif when_known:
        out.append(("under_which_condition", _exit_question(f, lang)))
    return out + _checks_question(f, lang, seed)


def _checks_question(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    """'What can stop M?': asked once per method, over all its guards (plan.rule_items groups them)."""
    m = f"`{f['method']}`"
    if lang == "en":
        return [("checks_of", pick(seed + "c", [
            f"Which checks can stop {m}, and what happens when each one fails?",
            f"What does {m} verify before it goes on, and how does it react to each failure?"]))]
    return [("checks_of", f"{m} 有哪些会中止执行的校验？每个校验失败时会怎样？")]


def _guard_effect(f: dict, lang: str) -> str:
    msg = f.get("message")
    if f["action"] == "return":
        value, rest = f.get("value"), f.get("code_after", True)   # nothing follows the last check of a method
        if lang == "en":
            return f"returns {'`' + value + '`' if value else 'immediately'}" + (" and skips the rest of the method"
                                                                                  if rest else "")
        return f"直接返回{'`' + value + '`' if value else ''}" + ("，后面的逻辑都不会执行" if rest else "")
    if lang == "en":
        how = {"throw": f"throws `{f.get('exception')}`", "assert": f"calls `{f.get('helper')}`",
               "return_failed": f"returns `{f.get('helper')}`"}[f["action"]]
        return how + (f" with \"{msg}\"" if msg else "")
    how = {"throw": f"抛出 `{f.get('exception')}`", "assert": f"调用 `{f.get('helper')}`",
           "return_failed": f"返回 `{f.get('helper')}`"}[f["action"]]
    return how + (f"，提示“{msg}”" if msg else "")


_EQUALS = re.compile(r"(?:Objects\.equals\(([\w.()]+),\s*(.+)\)|([\w.()]+?)\.equals\((.+)\)|([\w.()]+?)\s*==\s*(.+))")


def _equality(cond: str) -> tuple[str, str] | None:
    """(subject, value) of `x == 2`, `x.equals(2)` or `Objects.equals(x, 2)`; None for anything else."""
    m = _EQUALS.fullmatch(cond.strip())
    if m is None:
        return None
    subject, value = next((m[i], m[i + 1]) for i in (1, 3, 5) if m[i])
    return subject.strip(), value.strip()


def _without_implied(within: list[dict], holding: list[str]) -> list[dict]:
    """Drop an earlier `else if` sibling whose being false the branch taken already implies: once `status == 2`
    holds, "`status == 1` does not hold" says nothing (it read as an extra condition)."""
    taken = [e for c in holding if (e := _equality(c))]
    return [w for w in within if not (w.get("branch") == "prior" and (e := _equality(w["condition"]))
                                      and any(e[0] == s and e[1] != v for s, v in taken))]


def _where_sentence(f: dict, lang: str) -> str:
    """The branches and loops a guard sits in, as one sentence ('' when it sits at the top of the method)."""
    holding = ([f["condition"]] if f.get("holds", True) else []) + \
        [w["condition"] for w in f.get("within") or [] if w.get("branch") == "then"]
    within = _without_implied(f.get("within") or [], holding)
    ctx = with_values(context_text(sorted((f.get("loops") or []) + within, key=lambda c: c["line"]), lang), f, lang)
    if not ctx:
        return ""
    priors = any(w.get("branch") == "prior" for w in within)
    if lang == "en":
        return (f" The check runs only {ctx}" + (" (it is an `else if`: the earlier branches of the chain did not "
                                                  "match)" if priors else "") + ".")
    return f"该校验的执行范围：{ctx}" + ("（它是 `else if` 分支：前面的分支都不成立）" if priors else "") + "。"


def _context_claims(f: dict, lang: str, cite: Cite, path: str) -> list[tuple[str, list[str]]]:
    """One claim per governing header, saying how it governs the check (an `else if` sibling is not a parent)."""
    out = []
    for w in f.get("within") or []:
        c = w["condition"]
        if lang == "en":
            claim = {"then": f"the check sits inside `if ({c})`",
                     "else": f"the check sits in the `else` branch of `if ({c})`",
                     "prior": f"the check follows `if ({c})` in an `else if` chain, so it runs only when that is false",
                     }[w.get("branch") or ("then" if w.get("holds", True) else "else")]
        else:
            claim = {"then": f"该校验位于 `if ({c})` 分支内", "else": f"该校验位于 `if ({c})` 的 `else` 分支",
                     "prior": f"该校验在 `if ({c})` 之后的 `else if` 分支中，只有该条件不成立时才执行",
                     }[w.get("branch") or ("then" if w.get("holds", True) else "else")]
        out.append((claim, [cite.at(w["line"], path)]))
    for lp in f.get("loops") or []:
        out.append(((f"the check runs inside `{lp['loop']}`" if lang == "en" else f"该校验在循环 `{lp['loop']}` 中执行"),
                    [cite.at(lp["line"], path)]))
    return out


def _guard_trace(f: dict, lang: str, cite: Cite, path: str) -> list[tuple[str, list[str]]]:
    m, effect = f"`{f['method']}`", _guard_effect(f, lang)
    check, fails = cite.at(f["line"], path), [cite.at(f.get("fail_line", f["line"]), path)]
    if f.get("message_expr") and f.get("message_line"):   # the message's text stands where the constant is declared
        fails = list(dict.fromkeys(fails + [cite.at(f["message_line"], f["message_path"])]))
    if lang == "en":
        fires = "when the check fires" if f.get("holds", True) else f"when `{f['condition']}` is false (its `else` branch)"
        trace = [(f"{m} checks `{f['condition']}` at line {f['line']}", [check]),
                 (f"{fires}, {m} {effect}", fails if f.get("holds", True) else list(dict.fromkeys([check, *fails])))]
        if f.get("comment"):
            trace.insert(0, (f"the code labels this check \"{f['comment']}\"", [cite.at(f["line"] - 1, path)]))
        if (t := f.get("thrower")):
            trace.append((f"`{t['call']}` throws `{t['exception']}`", [cite.at(t["line"], t["path"])]))
    else:
        fires = "条件成立时" if f.get("holds", True) else "条件不成立时（`else` 分支）"
        trace = [(f"{m} 在第 {f['line']} 行判断 `{f['condition']}`", [check]), (f"{fires} {m} {effect}", fails)]
        if f.get("comment"):
            trace.insert(0, (f"代码注释把这个校验标为“{f['comment']}”", [cite.at(f["line"] - 1, path)]))
        if (t := f.get("thrower")):
            trace.append((f"`{t['call']}` 抛出 `{t['exception']}`", [cite.at(t["line"], t["path"])]))
    if f.get("message_expr") and f.get("message_line"):   # the message is a named constant: where its text is
        trace.append(((f"`{f['message_expr']}` is the message \"{f['message']}\"" if lang == "en"
                       else f"`{f['message_expr']}` 的提示文字是“{f['message']}”"),
                      [cite.at(f["message_line"], f["message_path"])]))
    trace += [((f"in {m}, `{s['var']}` is assigned from `{s['call']}`" if lang == "en"
                else f"{m} 中 `{s['var']}` 由 `{s['call']}` 赋值"),
               [cite.at(s["line"], path)]) for s in f.get("sources") or []]
    trace += where_trace(f.get("sources") or [], lang, cite, path)
    return trace + _context_claims(f, lang, cite, path) + value_claims(f, lang, cite)


def helpers_sentence(f: dict, lang: str) -> str:
    """What the static helpers the condition calls test, from their one `return` (`OrderUtil.isConfirmStatus` is
    `OrderUtil.STATUS_CONFIRM == litemallOrder.getOrderStatus().shortValue()`): the rule behind the helper's name."""
    said = []
    for h in f.get("helpers") or []:
        call, at = f"`{h['call']}`", f"{file_name(h['path'])}:{h['line']}"   # its parameter is named in the cited head
        said.append(f"{call} returns `{h['returns']}` ({at})" if lang == "en" else f"{call} 返回 `{h['returns']}`（{at}）")
    if not said:
        return ""
    return (" " + "; ".join(said) + ".") if lang == "en" else "；".join(said) + "。"


def helpers_trace(f: dict, lang: str, cite: Cite) -> list[tuple[str, list[str]]]:
    return [((f"`{h['call']}` returns `{h['returns']}`" if lang == "en" else f"`{h['call']}` 返回 `{h['returns']}`"),
             [cite.at(h["line"], h["path"])]) for h in f.get("helpers") or []]


def flags_sentence(f: dict, lang: str) -> str:
    """What a flag a static builder sets means (`handleOption.isConfirm()` holds only where `OrderUtil.build`
    calls `setConfirm(true)`: when `status == 301`), with the builder's local it tests (`status` is
    `order.getOrderStatus().intValue()`)."""
    said = []
    for x in f.get("flags") or []:
        at = file_name(x["path"])
        conds = [f"`{w['cond']}` ({at}:{w['line']})" for w in x["when"]]
        local = "; ".join(f"`{v['var']}` is `{v['expr']}`" if lang == "en" else f"`{v['var']}` 即 `{v['expr']}`"
                          for v in x["locals"])
        if lang == "en":
            said.append(f"`{x['call']}` is true only where `{x['builder']}` calls `{x['setter']}`, that is when "
                        + " or when ".join(conds) + (f" ({local})" if local else ""))
        else:
            said.append(f"`{x['call']}` 只有在 `{x['builder']}` 调用 `{x['setter']}` 时才为真，即 " + " 或 ".join(conds)
                        + (f"（{local}）" if local else ""))
    if not said:
        return ""
    return (" " + "; ".join(said) + ".") if lang == "en" else "；".join(said) + "。"


def flags_trace(f: dict, lang: str, cite: Cite) -> list[tuple[str, list[str]]]:
    out = []
    for x in f.get("flags") or []:
        for w in x["when"]:
            out.append(((f"`{x['builder']}` calls `{x['setter']}` when `{w['cond']}`" if lang == "en"
                         else f"`{x['builder']}` 在 `{w['cond']}` 时调用 `{x['setter']}`"),
                        list(dict.fromkeys([cite.at(w["line"], x["path"]), cite.at(w["set_line"], x["path"])]))))
        out += [((f"in `{x['builder']}`, `{v['var']}` is `{v['expr']}`" if lang == "en"
                  else f"`{x['builder']}` 中 `{v['var']}` 即 `{v['expr']}`"), [cite.at(v["line"], x["path"])])
                for v in x["locals"]]
    return out


def _sources_sentence(f: dict, lang: str) -> str:
    """Where the locals a check tests come from: `count == 0` says nothing until `count` is the row count of
    the UPDATE before it (whose WHERE holds the real rule)."""
    words = _source_words(f, lang, set())
    return (f" Here {words}." if lang == "en" else f"其中{words}。") if words else ""


def _before_part(members: list[dict], lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """The exits a method passes before it reaches the first of these checks: an "exactly when" answer that
    left them out would claim the check fires where an earlier one already returned a different error."""
    own = {f["line"] for f in members}
    earlier = [e for e in members[0].get("before") or [] if e["line"] not in own]
    calls = members[0].get("throwing_calls") or []
    if not earlier and not calls:
        return "", []
    m, said = f"`{members[0]['method']}`", set()
    words = sorted([(e["line"], _requirement(e, lang, said)) for e in earlier] +
                   [(c["line"], _throwing_words(c, lang)) for c in calls])
    reqs = ("; ".join(f"({chr(97 + n)}) {w}" for n, (_, w) in enumerate(words)) if lang == "en"
            else "；".join(f"（{chr(97 + n)}）{w}" for n, (_, w) in enumerate(words)))
    trace = [(_exit_claim(e, m, lang), _exit_ids(e, cite, path)) for e in earlier]
    trace += [_throwing_claim(c, m, lang, cite, path) for c in calls]
    trace += [((f"`{s['var']}` is assigned from `{s['call']}`" if lang == "en" else f"`{s['var']}` 由 `{s['call']}` 赋值"),
               [cite.at(s["line"], path)]) for e in earlier for s in e.get("sources") or []]
    trace += where_trace([s for e in earlier for s in e.get("sources") or []], lang, cite, path)
    if lang == "en":
        return (f" It only gets that far when the earlier exits of {m} did not fire: {reqs}."), trace
    return f"前提是 {m} 之前的提前退出都没有触发：{reqs}。", trace


def _guard_sites_answer(qkind: str, g: dict, lang: str, cite: Cite) -> tuple[str, list[tuple[str, list[str]]]]:
    """Several checks share one message or one exit: every one of them, each with its condition and place."""
    en, rows, trace = lang == "en", [], []
    one_method = qkind == "checks_of"
    for n, f in enumerate(g["sites"], 1):
        path = f["_path"]
        where = f"`{f['class']}.{f['method_name']}` ({path})" if en else f"`{f['class']}.{f['method_name']}`（{path}）"
        if one_method:   # the method is the question's own scope: name each check by its label, if it has one
            labelled = f.get("comment") and not inline_dict(f["comment"])
            what = (f"when {_guard_when(f, lang)}, it {_guard_effect(f, lang)}." if en
                    else f"当{_guard_when(f, lang)}时，{_guard_effect(f, lang)}。")
            rows.append((f"{n}. \"{f['comment']}\": " if labelled else f"{n}. ") + what + _where_sentence(f, lang)
                        + helpers_sentence(f, lang) + flags_sentence(f, lang))
            trace += _guard_trace(f, lang, cite, path) + helpers_trace(f, lang, cite) + flags_trace(f, lang, cite)
            continue
        what = (f"when {_guard_when(f, lang)}, it {_guard_effect(f, lang)}." if en
                else f"当{_guard_when(f, lang)}时，{_guard_effect(f, lang)}。")
        rows.append(f"{n}. {where}: {what}{_where_sentence(f, lang)}{helpers_sentence(f, lang)}{flags_sentence(f, lang)}")
        trace += _guard_trace(f, lang, cite, path) + helpers_trace(f, lang, cite) + flags_trace(f, lang, cite)
    head = (f"There are {len(rows)} such checks:" if en else f"共有 {len(rows)} 处这样的校验：")
    if one_method:
        m = f"`{g['sites'][0]['method']}`"
        head = (f"{m} has these checks that end it early, in source order:" if en
                else f"{m} 中会提前结束执行的校验，按代码顺序：")
    tail = ""
    if qkind == "under_which_condition":   # one method, one exit: what stops it before the first of these
        tail, more = _before_part(g["sites"], lang, cite, g["sites"][0]["_path"])
        trace += more
        tail = ("\n" + tail.strip()) if tail else ""
    return head + "\n" + "\n".join(rows) + tail, trace


@unique_claims
def guard_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    if f.get("sites"):
        return _guard_sites_answer(qkind, f, lang, cite)
    m, when, effect = f"`{f['method']}`", _guard_when(f, lang), _guard_effect(f, lang)
    ctx = _where_sentence(f, lang) + _sources_sentence(f, lang) + helpers_sentence(f, lang) + flags_sentence(f, lang)
    before, before_trace = (_before_part([f], lang, cite, path) if qkind in ("under_which_condition", "what_happens")
                            else ("", []))
    ctx += before
    before_trace = helpers_trace(f, lang, cite) + flags_trace(f, lang, cite) + before_trace
    if lang == "en":
        thrower = f.get("thrower")
        tail = ((f" `{thrower['call']}` throws `{thrower['exception']}` ({file_name(thrower['path'])}:{thrower['line']})"
                 "; the exception propagates out of the method, so nothing after the check is executed.") if thrower else
                " The exception propagates out of the method, so nothing after the check is executed."
                if f["action"] in ("throw", "assert") else "")
        if qkind == "what_happens":
            body = pick(seed + "a", [f"{m} {effect}.{tail}", f"It does not get past the check: {m} {effect}.{tail}"]) + ctx
        elif qkind == "under_which_condition":
            body = pick(seed + "a", [f"Exactly when {when}. {m} tests that condition and {effect}.",
                                     f"{m} does that when {when}; at that point it {effect}."]
                        if not before else [f"{m} does that when {when}; at that point it {effect}."]) + ctx
        else:  # where_implemented
            body = (f"In `{f['class']}.{f['method_name']}` ({path}): the `if` there checks "
                    f"`{f['condition']}`; when {when}, it {effect}.") + ctx
        if qkind == "where_implemented":
            return body + _same_subject(f, lang), _guard_trace(f, lang, cite, path) + \
                _same_subject_trace(f, lang, cite, path) + helpers_trace(f, lang, cite) + flags_trace(f, lang, cite)
        return body, _guard_trace(f, lang, cite, path) + before_trace
    thrower = f.get("thrower")
    tail = ((f"`{thrower['call']}` 会抛出 `{thrower['exception']}`（{file_name(thrower['path'])}:{thrower['line']}），"
             if thrower else "") + "异常会直接抛出方法，校验之后的代码都不会执行。") if f["action"] in ("throw", "assert") else ""
    if qkind == "what_happens":
        body = pick(seed + "a", [f"{m} 会{effect}。{tail}", f"过不了这个校验：{m} {effect}。{tail}"]) + ctx
    elif qkind == "under_which_condition":
        body = f"当{when}时。{m} 判断这个条件，满足时{effect}。" + ctx
    else:  # where_implemented
        body = (f"在 `{f['class']}.{f['method_name']}`（{path}）：那里的 `if` 判断 "
                f"`{f['condition']}`，当{when}时{effect}。" + ctx)
        return body + _same_subject(f, lang), _guard_trace(f, lang, cite, path) + \
            _same_subject_trace(f, lang, cite, path) + helpers_trace(f, lang, cite) + flags_trace(f, lang, cite)
    return body, _guard_trace(f, lang, cite, path) + before_trace


def _same_subject(f: dict, lang: str) -> str:
    """Earlier exits testing the same value (`commentId == -1` before `commentId != 0`): they take some of its
    values away before this check sees them, so "where is the check" names them too."""
    earlier = f.get("same_subject") or []
    if not earlier:
        return ""
    said: set[str] = set()
    words = [_requirement(e, lang, said) for e in earlier]
    if lang == "en":
        return " Earlier in the method, checks on the same value come first: " + "; ".join(words) + "."
    return "在此之前，方法中对同一个值还有检查：" + "；".join(words) + "。"


def _same_subject_trace(f: dict, lang: str, cite: Cite, path: str) -> list[tuple[str, list[str]]]:
    m = f"`{f['method']}`"
    return [(_exit_claim(e, m, lang), _exit_ids(e, cite, path)) for e in f.get("same_subject") or []]


# ----------------------------------------------------------- transition --
def _a(word: str) -> str:
    """The English article for a name: 'an OmsOrder', 'a LitemallOrder'."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def _entity(f: dict) -> str:
    return f.get("entity") or f.get("table") or "record"


def _exception(e: dict, lang: str) -> str:
    """The thrown type, where the exit's facts name it (an exit read through a guard may not)."""
    exc = e.get("exception")
    return (f"`{exc}`" if lang == "en" else f" `{exc}`") if exc else ("an exception" if lang == "en" else "异常")


def _exit_effect(e: dict, lang: str) -> str:
    """What an early exit does instead of going on: its message, exception, returned value or loop jump."""
    msg, act = e.get("message"), e["action"]
    if lang == "en":
        if act == "continue":
            return "it skips to the next element"
        if act == "break":
            return "it leaves the loop"
        if msg and act == "throw":   # the caller sees what the exception handler makes of it, not the message
            return f'it throws {_exception(e, lang)} with "{msg}"'
        if msg:
            return f'it fails with "{msg}"'
        if act == "throw":
            return f"it throws {_exception(e, lang)}"
        if act == "assert":
            return f"`{e.get('helper')}` stops it"
        if act == "return_failed":
            return f"it returns a failure from `{e.get('helper')}`"
        return f"it returns `{e['value']}` without changing anything" if e.get("value") else \
            "it returns without changing anything"
    if act == "continue":
        return "跳过当前元素"
    if act == "break":
        return "跳出循环"
    if msg and act == "throw":
        return f"抛出{_exception(e, lang)}（“{msg}”）"
    if msg:
        return f"提示“{msg}”并失败"
    if act == "throw":
        return f"抛出{_exception(e, lang)}"
    if act == "assert":
        return f"由 `{e.get('helper')}` 中止"
    if act == "return_failed":
        return f"通过 `{e.get('helper')}` 返回失败"
    return f"返回 `{e['value']}`，不做修改" if e.get("value") else "直接返回，不做修改"


def _source_words(e: dict, lang: str, said: set[str]) -> str:
    """Where a tested local comes from (`count` = rows changed by `skuStockMapper.lockStock`), each local
    once (`said` holds those an earlier requirement already explained)."""
    out = []
    for s in e.get("sources") or []:
        if s["var"] in said:
            continue
        said.add(s["var"])
        if s.get("where"):   # the rows it counts: those its WHERE lets through
            conds = [f"`{html.unescape(c['text'])}`" for c in s["where"]]      # as read, not as XML escapes it
            first, last = s["where"][0]["line"], s["where"][-1]["line"]
            at = f"{file_name(s['where'][0]['path'])}:{first}" + (f"-{last}" if last != first else "")
            out.append(f"`{s['var']}` is the number of rows `{s['call']}` changed, that is the rows where "
                       f"{' and '.join(conds)} ({at})" if lang == "en" else
                       f"`{s['var']}` 是 `{s['call']}` 更新的行数，即满足 {' 且 '.join(conds)} 的行（{at}）")
        elif s.get("reads_where"):   # the rows a hand-written SELECT reads: what the local holds
            conds = [f"`{html.unescape(c['text'])}`" for c in s["reads_where"]]
            first, last = s["reads_where"][0]["line"], s["reads_where"][-1]["line"]
            at = f"{file_name(s['reads_where'][0]['path'])}:{first}" + (f"-{last}" if last != first else "")
            out.append(f"`{s['var']}` comes from `{s['expr']}`, which reads the rows where {' and '.join(conds)} ({at})"
                       if lang == "en" else
                       f"`{s['var']}` 来自 `{s['expr']}`，它读取满足 {' 且 '.join(conds)} 的行（{at}）")
        elif s.get("update_count"):
            out.append(f"`{s['var']}` is the number of rows `{s['call']}` changed, so its SQL WHERE decides"
                       if lang == "en" else f"`{s['var']}` 是 `{s['call']}` 更新的行数，真正的条件在其 SQL 的 WHERE 中")
        elif s.get("criteria"):   # the rows a lookup returns: its Example's criteria are the rule
            out.append(f"`{s['var']}` comes from `{s['expr']}`, with the criteria `{s['criteria']}`" if lang == "en"
                       else f"`{s['var']}` 来自 `{s['expr']}`，查询条件为 `{s['criteria']}`")
        else:
            out.append(f"`{s['var']}` comes from `{s['expr']}`" if lang == "en" else f"`{s['var']}` 来自 `{s['expr']}`")
    return ("; " if lang == "en" else "；").join(out)


def where_trace(sources: list[dict], lang: str, cite: Cite, path: str) -> list[tuple[str, list[str]]]:
    """One claim per WHERE condition of an UPDATE whose row count a local holds, citing the condition's line
    and the call (whose receiver the mapper XML does not name)."""
    return [((f"`{s['call']}` updates only rows where `{html.unescape(c['text'])}`" if lang == "en"
              else f"`{s['call']}` 只更新满足 `{html.unescape(c['text'])}` 的行"),
             [cite.at(c["line"], c["path"]), cite.at(s["line"], path)])
            for s in sources for c in s.get("where") or []] + [
        ((f"`{s['call']}` reads only rows where `{html.unescape(c['text'])}`" if lang == "en"
          else f"`{s['call']}` 只读取满足 `{html.unescape(c['text'])}` 的行"),
         list(dict.fromkeys([cite.at(c["line"], c["path"]), cite.at(c["head"], c["path"]), cite.at(s["line"], path)])))
        for s in sources for c in s.get("reads_where") or []]


def _write_check_words(wc: dict, lang: str) -> str:
    """The write's own row-count test as a requirement: the value is kept only when the write changes a row."""
    if lang == "en":
        return f"the write itself must change a row: `{wc['condition']}` must be false (otherwise it runs `{wc['then']}`)"
    return f"写入本身必须改到一行：`{wc['condition']}` 必须不成立（否则执行 `{wc['then']}`）"


def _write_check_claim(wc: dict, who: str, lang: str) -> str:
    return (f"{who} runs `{wc['then']}` when `{wc['condition']}`" if lang == "en"
            else f"`{wc['condition']}` 时 {who} 执行 `{wc['then']}`")


def _requirement(e: dict, lang: str, said: set[str]) -> str:
    """One early exit as a requirement: what must (not) hold, and what happens otherwise."""
    src = _source_words(e, lang, said)
    if e.get("catch"):
        head = (f"the `try` block before it must not end in `{e['condition']}` (otherwise {_exit_effect(e, lang)})"
                if lang == "en" else f"前面的 `try` 块不能进入 `{e['condition']}`（否则{_exit_effect(e, lang)}）")
    elif lang == "en":
        head = f"`{e['condition']}` must be {'false' if e['holds'] else 'true'} (otherwise {_exit_effect(e, lang)})"
    else:
        head = f"`{e['condition']}` 必须{'不成立' if e['holds'] else '成立'}（否则{_exit_effect(e, lang)}）"
    return _exit_scope(e, lang) + head + (f" — {src}" if src and lang == "en" else f"，{src}" if src else "")


def _exit_scope(e: dict, lang: str) -> str:
    """The branches and loops an earlier exit sits in (and the checked code does not), as a lead-in: the coupon
    check of mall's generateOrder only runs when a coupon was given, and said bare it read as a rule for all orders."""
    ctx = context_text(e.get("within") or [], lang)
    return (f"{ctx}: " if lang == "en" else f"{ctx}：") if ctx else ""


def _exit_claim(e: dict, who: str, lang: str, when: str = "earlier") -> str:
    """The trace claim of an earlier exit, with the branch it sits in."""
    scope = context_text(e.get("within") or [], lang)
    if lang == "en":
        return f"{who} exits {when} when `{e['condition']}`" + ("" if e["holds"] else " is false") + \
            (f" ({scope})" if scope else "")
    return (f"{scope}，" if scope else "") + f"{who} 在 `{e['condition']}`{'' if e['holds'] else ' 不成立'}时提前结束"


def _exit_ids(e: dict, cite: Cite, path: str) -> list[str]:
    """The exit's own line and each header it sits in."""
    return list(dict.fromkeys([cite.at(e["line"], path)] + [cite.at(c["line"], path) for c in e.get("within") or []]))


def _throwing_words(c: dict, lang: str) -> str:
    """A call before the statement into code that can throw: one more way the method stops first."""
    where = f"{file_name(c['throw_path'])}:{c['throw_line']}"
    if lang == "en":
        return f"the call to `{c['call']}` must not throw (its code can, at {where})"
    return f"对 `{c['call']}` 的调用不能抛出异常（它在 {where} 处可能抛出）"


def _throwing_claim(c: dict, who: str, lang: str, cite: Cite, path: str) -> tuple[str, list[str]]:
    return ((f"{who} calls `{c['call']}` at line {c['line']}, whose code throws at line {c['throw_line']}" if lang == "en"
             else f"{who} 在第 {c['line']} 行调用 `{c['call']}`，其代码在第 {c['throw_line']} 行可能抛出异常"),
            list(dict.fromkeys([cite.at(c["line"], path), cite.at(c["throw_line"], c["throw_path"])])))


def _setter(f: dict, lang: str) -> str:
    """What sits in the branch: the Java setter, or the call whose SQL sets the column, the status passed to the mapper
    as an argument (blind read 20B/20D: newbee S6/S1 said 'the setter' of a status only the mapper's UPDATE writes)."""
    sql = f.get("via") == "sql" or bool(re.search(r"(?i)(mapper|dao|repository|service)$", f.get("receiver") or ""))
    return ("the write" if sql else "the setter") if lang == "en" else ("写入语句" if sql else "设置语句")


def _branch_words(c: dict, lang: str, what: str = "the setter") -> str:
    """An `if` around the setter: the branch it sits in (an earlier `else if` sibling must be false)."""
    if lang == "en":
        return (f"`{c['condition']}` holds ({what} is in that branch)" if c["branch"] == "then" else
                f"`{c['condition']}` does not hold ({what} is in its else branch)" if c["branch"] == "else" else
                f"`{c['condition']}` does not hold (an earlier branch of the same if/else chain)")
    return (f"`{c['condition']}` 成立（{what}在该分支内）" if c["branch"] == "then" else
            f"`{c['condition']}` 不成立（{what}在 else 分支内）" if c["branch"] == "else" else
            f"`{c['condition']}` 不成立（同一 if/else 链中更早的分支）")


def _path_answer(f: dict, lang: str, who: str, to: str, froms: list[str], cite: Cite, path: str) -> tuple[
        list[str], list[tuple[str, list[str]]]]:
    """Every requirement on the way to the setter, in code order: the records it looks up, each early exit,
    and the `if` branches around the setter; the status it must start from is one of them."""
    items: list[tuple[int, str, str]] = []   # (line, words, trace claim)
    for s in f.get("selects") or []:
        if s.get("when") == "write":
            items.append((s["line"], f"the row matches `{s['criteria']}` (the WHERE of the update that writes it)"
                          if lang == "en" else f"该行满足 `{s['criteria']}`（写入时 UPDATE 的 WHERE 条件）",
                          f"{who} writes the value with the criteria `{s['criteria']}`"))
        else:
            items.append((s["line"], f"the record is one found with `{s['criteria']}`" if lang == "en"
                          else f"记录是通过 `{s['criteria']}` 查出的", f"{who} looks records up with `{s['criteria']}`"))
    said: set[str] = set()
    for e in f.get("exits") or []:
        items.append((e["line"], _requirement(e, lang, said), (_exit_claim(e, who, lang, "early"), _exit_ids(e, cite, path))))
    within = f.get("within") or []
    for c in _without_implied(within, [c["condition"] for c in within if c["branch"] == "then"]):
        src = _source_words(c, lang, said)
        words = _branch_words(c, lang, _setter(f, lang)) + ((f" — {src}" if lang == "en" else f"，{src}") if src else "")
        holds = "true" if c["branch"] == "then" else "false"
        items.append((c["line"], words, f"{_setter(f, 'en')} of {who} runs only when `{c['condition']}` is {holds}"))
    for c in f.get("throwing_calls") or []:
        items.append((c["line"], _throwing_words(c, lang), c))
    if wc := f.get("write_check"):
        items.append((wc["line"], _write_check_words(wc, lang), (_write_check_claim(wc, who, lang),
                                                                  [cite.at(wc["line"], path), cite.at(wc["then_line"], path)])))
    items.sort(key=lambda i: i[0])
    trace = []
    for line, _, claim in items:
        trace.append(_throwing_claim(claim, who, lang, cite, path) if isinstance(claim, dict)
                     else claim if isinstance(claim, tuple) else (claim, [cite.at(line, path)]))
    for s in f.get("selects") or []:   # the update that uses the criteria, not only where they are built
        if s.get("write_line"):
            trace.append((f"{who} passes the criteria to the write at line {s['write_line']}" if lang == "en"
                          else f"{who} 在第 {s['write_line']} 行把该条件交给写入语句", [cite.at(s["write_line"], path)]))
    sources: dict[str, dict] = {}
    for e in (f.get("exits") or []) + (f.get("within") or []):
        for s in e.get("sources") or []:
            sources.setdefault(s["var"], s)
    trace += [(f"`{s['var']}` is assigned from `{s['call']}`", [cite.at(s["line"], path)]) for s in sources.values()]
    trace += where_trace(list(sources.values()), lang, cite, path)
    if lang == "en":
        parts = [f"{who} sets it to {to} under one condition: {items[0][1]}." if len(items) == 1 else
                 f"{who} sets it to {to} only when all of these hold, in code order: " +
                 "; ".join(f"({chr(96 + n)}) {w}" for n, (_, w, _) in enumerate(items, 1)) + "."]
        if froms:
            parts.append(f"So it only starts from {' or '.join(froms)}.")
        return parts, trace
    parts = [f"{who} 只有在以下条件全部满足时才会设为 {to}（按代码顺序）：" +
             "；".join(f"（{chr(96 + n)}）{w}" for n, (_, w, _) in enumerate(items, 1)) + "。"]
    if froms:
        parts.append(f"因此只能从 {' 或 '.join(froms)} 开始。")
    return parts, trace


MAX_PATH_STEPS = 10   # more requirements than this do not make one answer a reader can check
MAX_CODE = 250        # a longer condition is no code a reader (or the validator's 300-character quote) takes in


def _conditions_known(f: dict) -> bool:
    """"When does M set X to V" is asked only where the facts hold every requirement on the way: an UPDATE's
    WHERE, or a Java method whose early exits before the setter are all known (none in a helper, a loop
    or a `try` around it)."""
    steps = len(f.get("exits") or []) + len(f.get("within") or []) + len(f.get("selects") or [])
    if any(len(c["condition"]) > MAX_CODE for c in (f.get("exits") or []) + (f.get("within") or [])):
        return False   # a condition too long to quote as one piece of code (newbee cancelOrder's four-way status test)
    # an UPDATE without a status condition is decided by its callers' checks, which its answer cannot show
    return (f.get("via") == "sql" and bool(f.get("from_codes"))) or (bool(f.get("complete")) and 1 <= steps <= MAX_PATH_STEPS)


def transition_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    if any(len(c.get("condition") or "") > MAX_CODE for c in (f.get("exits") or []) + (f.get("requires") or [])):
        return []   # every answer names the checks before the write, and this one is no code a reader takes in
    labels = f.get("labels") or {}
    to = state_name(f["to"], labels, lang)
    ent, fld = _entity(f), f["field"]
    who = f"`{f['method']}`" if f.get("method") else f"the `{f.get('name') or f['statement']}` statement"
    if lang == "en":
        out = [("what_happens", pick(seed + "q1", [
            f"What does {who} do to {ent}.{fld}?",
            f"Which {fld} does {who} leave the {ent} in?",
        ]))] + ([("under_which_condition", pick(seed + "q2", [
            f"Under which condition does {who} move {_a(ent)} {ent} to {fld} {to}?",
            f"When can {who} set {ent}.{fld} to {to}?",
        ]))] if _conditions_known(f) else [])
        if _labelled(labels):
            out.append(("which_values", f"Which values can {ent}.{fld} take, and which one does {who} set?"))
        return out
    out = [("what_happens", f"{who} 会把 {ent}.{fld} 改成什么？")] + \
        ([("under_which_condition", f"{who} 在什么条件下把 {ent} 的 {fld} 设为 {to}？")] if _conditions_known(f) else [])
    if _labelled(labels):
        out.append(("which_values", f"{ent}.{fld} 有哪些取值？{who} 设置的是哪一个？"))
    return out


def _write_when(write: dict, lang: str) -> str:
    """The branches the write sits in that the setter does not (`if (existing == null) insert(x)`): the value
    reaches the table only then."""
    conds = write.get("within") or []
    if not conds:
        return ""
    if lang == "en":
        return " only when " + " and ".join(f"`{c['condition']}` {'holds' if c['holds'] else 'does not hold'}"
                                            for c in conds)
    return "只在" + "且".join(f"`{c['condition']}` {'成立' if c['holds'] else '不成立'}" for c in conds) + "时"


def _labelled(labels: dict) -> bool:
    """Some code has a label the code base wrote (not only its constant's name): "which values can X take" then
    has an answer that says what they mean; names alone (`STATUS_RECEPT`) would be passed off as meanings."""
    return any(not _CONSTANT_NAME.fullmatch(lab) for lab in labels.values())


@unique_claims
def transition_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str,
    list[str]]]]:
    labels = f.get("labels") or {}
    to = state_name(f["to"], labels, lang)
    ent, fld = _entity(f), f["field"]
    who = f"`{f['method']}`" if f.get("method") else f"`{f.get('name') or f['statement']}`"
    froms = [state_name(c, labels, lang) for c in f.get("from_codes", [])]
    setter = cite.at(f.get("line"), path) if f.get("line") else cite.all()[0]
    limit = cite.at(f["criteria_line"], path) if f.get("criteria_line") else setter
    dict_id = cite.role("dict", f)
    inline = cite.at(f["line"] - 1, path) if f.get("line") and inline_dict(f.get("comment")) else None
    # the field's doc, the comment on the line, and the lines that map codes to labels
    documented = list(dict.fromkeys([i for i in (dict_id, inline) if i] + (f.get("_roles", {}).get("labels") or [])))
    reqs = f.get("requires") or []
    # the guards that reject other states, and the UPDATE's own criteria: each proves the limit
    limited_by = list(dict.fromkeys([cite.at(r["line"], path) for r in reqs] + ([limit] if f.get("criteria_line") else [])))
    limited_by = limited_by or [limit]
    # a status passed to a statement (`SET status = #{status}`): its SET line shows the field the call sets
    through = [cite.at(t["line"], t["path"])] if (t := f.get("through_stmt")) else []
    trace = [(f"{who} sets {fld} to {f['to']}" if lang == "en" else f"{who} 把 {fld} 设为 {f['to']}",
              list(dict.fromkeys([setter, *through])))]
    write = f.get("write")
    if write:   # where the value reaches the database, not only the setter on the object
        trace.append(((f"{who} persists it with `{write['call']}` at line {write['line']}" if lang == "en"
                       else f"{who} 在第 {write['line']} 行通过 `{write['call']}` 写入"), [cite.at(write["line"], path)]))
        trace += [((f"the write runs only when `{c['condition']}` {'holds' if c['holds'] else 'does not hold'}"
                    if lang == "en" else f"只有 `{c['condition']}` {'成立' if c['holds'] else '不成立'}时才写入"),
                   [cite.at(c["line"], path)]) for c in write.get("within") or []]
    if f.get("via") == "sql":   # the statement's opening tag names it and its table
        trace.insert(0, (f"{who} is an UPDATE of `{f['table']}`" if lang == "en" else f"{who} 是对 `{f['table']}` 的 UPDATE",
                         [cite.all()[0]]))
    if qkind == "under_which_condition" and f.get("via") != "sql":
        parts, more = _path_answer(f, lang, who, to, froms, cite, path)
        if flags_sentence(f, lang):   # `!handleOption.isConfirm()` among the checks: which states it lets through
            parts.insert(1, flags_sentence(f, lang).strip())
            more += flags_trace(f, lang, cite)
        if labels.get(str(f["to"])) and documented:   # the label said beside the code
            more.append(((f"code {f['to']} means {labels[str(f['to'])]}" if lang == "en"
                          else f"状态码 {f['to']} 表示{labels[str(f['to'])]}"), documented))
        after = _after_part(f, lang, who, cite, path)
        return (" " if lang == "en" else "").join(parts + after[0]), trace + more + after[1]
    within = f.get("within") or []   # the branches the setter sits in: the change happens only there
    within = _without_implied(within, [c["condition"] for c in within if c["branch"] == "then"])
    for c in within:
        holds = c["branch"] == "then"
        trace.append(((f"{_setter(f, lang)} of {who} runs only when `{c['condition']}` is {'true' if holds else 'false'}"
                       if lang == "en" else
                       f"{who} 的{_setter(f, lang)}只在 `{c['condition']}` {'成立' if holds else '不成立'}时执行"),
                      [cite.at(c["line"], path)]))
    checks = _checks_first(f, reqs, lang, who, cite, path)
    trace += checks[1] + flags_trace(f, lang, cite)
    if wc := f.get("write_check"):
        trace.append((_write_check_claim(wc, who, lang), [cite.at(wc["line"], path), cite.at(wc["then_line"], path)]))
    checks = (checks[0] + ([flags_sentence(f, lang).strip()] if flags_sentence(f, lang) else []), checks[1])
    if lang == "en":
        parts = [f"{who} sets `{ent}.{fld}` to {to}" + (f" and writes it with `{write['call']}`{_write_when(write, lang)}."
                                                        if write else ".")]
        if within:
            parts.append("It does so only when " + "; and ".join(_branch_words(c, lang, _setter(f, lang)) for c in within) + ".")
        parts += checks[0]
        if froms:
            parts.append(pick(seed + "f", [
                f"It only does that for {_a(ent)} {ent} whose {fld} is {' or '.join(froms)}",
                f"The change applies only when the current {fld} is {' or '.join(froms)}",
            ]) + ("; anything else is rejected first" if reqs else "") + ".")
            trace.append((f"the change is limited to {fld} {' or '.join(f.get('from_codes', []))}", limited_by))
        for r in reqs:
            if r.get("message"):
                parts.append(f"If `{r['condition']}` holds {_exit_effect({'action': '', **r}, 'en')} instead.")
        if wc := f.get("write_check"):
            parts.append(f"The write itself must change a row: if `{wc['condition']}`, it runs `{wc['then']}` instead.")
        if f.get("via") == "sql" and f.get("conditions"):
            parts.append("The WHERE clause enforces this in the same UPDATE: " +
                         " and ".join(_sql(c) for c in f["conditions"]) + ".")
        if qkind == "which_values" and labels:
            parts.insert(0, f"{ent}.{fld} is documented as: " + "; ".join(_code_label(c, lab, lang) for c, lab in labels.items())
                         + ".")
            if documented:
                trace.append((f"{fld} codes are labelled " + ", ".join(f"{c} {lab}" for c, lab in labels.items()
                                                                        if not _CONSTANT_NAME.fullmatch(lab)), documented))
        elif labels.get(str(f["to"])) and documented:
            trace.append((f"code {f['to']} means {labels[str(f['to'])]}", documented))
        after = _after_part(f, lang, who, cite, path)
        return " ".join(parts + after[0]), trace + after[1]
    parts = [f"{who} 把 `{ent}.{fld}` 设为 {to}" + (f"，并{_write_when(write, lang)}通过 `{write['call']}` 写入。"
                                                  if write else "。")]
    if within:
        parts.append("只有在以下条件下才会这样做：" + "；".join(_branch_words(c, lang, _setter(f, lang)) for c in within) + "。")
    parts += checks[0]
    if froms:
        parts.append(f"只有当前 `{fld}` 为 {' 或 '.join(froms)} 时才会修改" + ("，否则先被拦下" if reqs else "") + "。")
        trace.append((f"只允许从 {fld}={'/'.join(f.get('from_codes', []))} 变更", limited_by))
    for r in reqs:
        if r.get("message"):
            parts.append(f"如果 `{r['condition']}` 成立，会提示“{r['message']}”并失败。")
    if wc := f.get("write_check"):
        parts.append(f"写入本身必须改到一行：如果 `{wc['condition']}`，会执行 `{wc['then']}`。")
    if f.get("via") == "sql" and f.get("conditions"):
        parts.append("UPDATE 的 WHERE 条件同时保证了这一点：" + " 且 ".join(_sql(c) for c in f["conditions"]) + "。")
    if qkind == "which_values" and labels:
        parts.insert(0, f"`{ent}.{fld}` 的取值：" + "；".join(_code_label(c, lab, lang) for c, lab in labels.items()) + "。")
        if documented:
            trace.append((f"{fld} 的取值含义：" + "，".join(f"{c}={lab}" for c, lab in labels.items()
                                                       if not _CONSTANT_NAME.fullmatch(lab)), documented))
    elif labels.get(str(f["to"])) and documented:
        trace.append((f"状态码 {f['to']} 表示{labels[str(f['to'])]}", documented))
    after = _after_part(f, lang, who, cite, path)
    return "".join(parts + after[0]), trace + after[1]


def _after_part(f: dict, lang: str, who: str, cite: Cite, path: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The throws after the write (plan.Planner._fails_after) and what they do to the change: undone by the
    method's own transaction (for an unchecked exception), else left written unless a caller's transaction covers it."""
    after = f.get("after") or []
    if not after:
        return [], []
    en = lang == "en"
    where = "; ".join(f"`{a['code']}` ({file_name(path)}:{a['line']}"
                      + "".join((", " if en else "，") + control_text(c, lang) for c in a["controls"]) + ")" for a in after)
    tx = after[0].get("tx")
    rules = bool(tx) and "ollback" in (tx.get("args") or "")
    if tx:
        said = (f"{who} runs in a transaction (`@Transactional` on `{tx['label']}`), so Spring undoes the change when "
                + ("such a failure matches the annotation's rollback rules." if rules else
                   "such a failure is an unchecked exception.") if en else
                f"{who} 在事务中执行（`{tx['label']}` 上的 `@Transactional`），"
                + ("这类失败符合该注解的回滚规则时，Spring 会撤销这次修改。" if rules else
                   "这类失败若是非受检异常，Spring 会撤销这次修改。"))
    else:
        said = (f"{who} has no Transactional annotation of its own (nor on its class or interface): unless a caller's "
                "transaction covers it, the change stays written when the call then fails." if en else
                f"{who} 自身（及其类、接口）没有 Transactional 注解：除非调用方的事务覆盖它，之后失败时这次修改仍会保留。")
    text = ((f"The write is not the last step: after it the method can still fail at {where}. " + said) if en
            else f"写入之后方法仍可能失败：{where}。" + said)
    trace = [((f"{who} can still fail after the write: `{a['code']}`" if en else f"{who} 写入后仍可能失败：`{a['code']}`"),
              list(dict.fromkeys([cite.at(c["line"], path) for c in a["controls"]] + [cite.at(a["line"], path)])))
             for a in after]
    if tx:
        trace.append(((f"`{tx['label']}` is annotated `@Transactional`" if en else f"`{tx['label']}` 带有 `@Transactional`"),
                      [cite.at(tx["start_line"], tx["path"])]))
    return [text], trace


def _caught(e: dict, lang: str) -> str:
    """A catch block that ends the method: what it catches and how it ends."""
    how = f' "{e["message"]}"' if e.get("message") else ""
    if lang == "en":
        return f"nothing in its `try` throws what `{e['condition']}` catches (that block ends the method{how})"
    return f"`try` 中没有抛出 `{e['condition']}` 捕获的异常（该 catch 块会结束方法{how}）"


def _checks_first(f: dict, reqs: list[dict], lang: str, who: str, cite: Cite, path: str) -> tuple[
        list[str], list[tuple[str, list[str]]]]:
    """The early exits before the setter (`Asserts.fail("不能确认他人订单！")` when the order is another member's):
    the value is set only for a call that passes them, so the answer names them, in code order. Those the
    `requires` sentences already say (a check on the current status) are not repeated."""
    done = {r.get("line") for r in reqs}
    exits = [e for e in f.get("exits") or [] if e["line"] not in done]
    if not exits or f.get("via") == "sql":
        return [], []
    said: set[str] = set()
    # a catch block that ends the method is an exit too: a list without it reads as if the call it guards could not stop the write
    words = "; ".join(f"({chr(96 + n)}) " + (_exit_scope(e, lang) + _caught(e, lang) if e.get("catch")
                                              else _requirement(e, lang, said))
                      for n, e in enumerate(exits, 1))
    trace = [((f"{who} exits early in `{e['condition']}`" if e.get("catch") else _exit_claim(e, who, "en", "early")),
              _exit_ids(e, cite, path)) for e in exits]
    sources = {x["var"]: x for e in exits for x in e.get("sources") or []}   # what the words say each local is
    trace += [(f"`{x['var']}` is assigned from `{x['call']}`", [cite.at(x["line"], path)]) for x in sources.values()]
    trace += where_trace(list(sources.values()), lang, cite, path)
    if lang == "en":
        return [f"Before that it checks, in code order: {words}."], trace
    return [f"在此之前，它按代码顺序检查：{words}。"], trace


_CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def _code_label(code: str, label: str, lang: str) -> str:
    """`101 = "未付款"`; a code whose only name is its constant's (`STATUS_ADMIN_CANCEL`) is not given a label the
    code base never wrote: it is said to be named so in code."""
    if _CONSTANT_NAME.fullmatch(label):
        return (f"{code} (named `{label}` in code, no label)" if lang == "en" else f"{code}（代码中名为 `{label}`，无文字说明）")
    return f'{code} = "{label}"' if lang == "en" else f"{code}->{label}"


# -------------------------------------------------------- sql invariant --
def _count_callers(f: dict, s: str, lang: str) -> str:
    """What the statement's callers do when it changes no row (Planner.count_handling)."""
    callers = f["callers"]
    if not callers:
        return f"No hand-written code calls {s}." if lang == "en" else f"没有手写代码调用 {s}。"
    said = []
    for c in callers:
        k, at = c["check"], f"{file_name(c['path'])}:{c['line']}"
        if lang == "en":
            said.append(f"`{c['caller']}` ({at}) ignores the count" if not k else
                        f"`{c['caller']}` ({at}) checks it with `{k['test'].rstrip('{').strip()}` and then runs `{k['then']}`"
                        if k["then"] else f"`{c['caller']}` ({at}) tests it with `{k['test'].rstrip('{').strip()}`")
        else:
            said.append(f"`{c['caller']}`（{at}）不检查影响行数" if not k else
                        f"`{c['caller']}`（{at}）用 `{k['test'].rstrip('{').strip()}` 检查，随后执行 `{k['then']}`"
                        if k["then"] else f"`{c['caller']}`（{at}）用 `{k['test'].rstrip('{').strip()}` 检查")
    return (("Its caller: " if len(callers) == 1 else "Its callers: ") + "; ".join(said) + ".") if lang == "en" \
        else "调用方：" + "；".join(said) + "。"


def _count_caller_claims(f: dict, lang: str, cite: Cite) -> list[tuple[str, list[str]]]:
    out = []
    for c in f["callers"]:
        k = c["check"]
        ids = list(dict.fromkeys([cite.at(c["line"], c["path"])] + ([cite.at(k["line"], c["path"])] if k else [])))
        out.append(((f"`{c['caller']}` calls it at line {c['line']}" + (f" and tests `{k['test'].rstrip('{').strip()}`"
                                                                          if k else ", with no test of the count")
                     if lang == "en" else f"`{c['caller']}` 在第 {c['line']} 行调用它" + (
                         f"并判断 `{k['test'].rstrip('{').strip()}`" if k else "，不检查影响行数")), ids))
        if k and k["then"]:
            out.append(((f"when the test holds, `{c['caller']}` runs `{k['then']}`" if lang == "en"
                         else f"条件成立时 `{c['caller']}` 执行 `{k['then']}`"),
                        list(dict.fromkeys([cite.at(k["line"], c["path"]), cite.at(k["line"] + 1, c["path"])]))))
    return out


def _rows_en(keys: list[str]) -> str:
    """' on the row where `id = #{id}`'; a key matched against a list (`id IN #{item.productSkuId}`, a <foreach>)
    picks every listed row, one statement for the whole list (blind read 20A: mall S16 read 'the row where id IN')."""
    listed = [m for k in keys if (m := re.fullmatch(r"(?i)\s*(\w+(?:\.\w+)?)\s+in\s+(.+)", k))]
    if len(listed) == 1 and len(keys) == 1:
        col, values = listed[0].groups()
        return f" on every row whose `{col}` is one of the `{values.strip()}` values of the list, in one statement"
    return f" on the row where {' and '.join(_sql(k) for k in keys)}"


def _change(c: dict) -> str:
    """One SET assignment: as written when it fits on a line, else as arithmetic (a CASE spans lines)."""
    if "CASE" in c["text"].upper():
        return f"{c['column']} = {c['column']} {c['op']} {c['amount']} (one CASE branch per row)"
    return _sql(c["text"])


_SQL_WORDS = frozenset({"and", "or", "not", "null", "is", "in", "like", "between", "now", "date_add", "date_sub",
                        "interval", "minute", "hour", "day"})


def _columns(cond: str) -> str:
    """The columns a WHERE condition tests, as names (`lock_stock` and `stock`), not the SQL pasted into a question."""
    plain = re.sub(r"#\{[^}]*\}|\$\{[^}]*\}|'[^']*'", " ", html.unescape(cond))
    cols = list(dict.fromkeys(w.split(".")[-1] for w in re.findall(r"[A-Za-z_][\w.]*", plain)
                              if w.split(".")[-1].lower() not in _SQL_WORDS))
    if not cols:
        return "its condition"
    named = " and ".join(f"`{c}`" for c in cols)
    return f"the condition on {named}"


def _sql(code: str) -> str:
    """SQL as code when it reads the same in the mapper file; `<`/`>` are escaped there, so plain text."""
    return code if any(ch in code for ch in "<>&") else f"`{code}`"


def _bound(f: dict) -> str | None:
    """The last WHERE condition that keeps a changed column within a limit the way it changes (`stock - #{n} >= 0`
    for a decrease, `lock_stock + #{n} <= stock` for an increase): "why check it in the UPDATE" has that answer.
    A test on another column (`goods_sell_status = 0`) or on the wrong side (`>=` before an increase) has not."""
    out = None
    for cond in f.get("conditions") or []:
        m = re.fullmatch(r"(.+?)(>=|<=|>|<)(.+)", html.unescape(cond), re.S)
        if not m:
            continue
        for c in f["changes"]:
            names = [bool(re.search(rf"\b{c['column']}\b", side)) for side in (m[1], m[3])]
            left = (m[2] in (">=", ">")) == (c["op"] == "-")   # `col .. >=` bounds a decrease, `col .. <=` an increase
            if names[0] and left or names[1] and not left:
                out = cond
    return out


def sql_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    s, table = f"`{f.get('name') or f['statement']}`", f["table"]
    if f["operation"] == "select":
        if lang == "en":
            return [("what_happens", f"Which {table} rows does {s} pick up?"),
                    ("under_which_condition", f"Under which conditions does a row of {table} count as a match for {s}?")]
        return [("what_happens", f"{s} 会查出 {table} 里的哪些记录？"),
                ("under_which_condition", f"{table} 的记录满足什么条件才会被 {s} 查出？")]
    cols = ", ".join(c["column"] for c in f["changes"])
    if lang == "en":
        out = [("what_happens", pick(seed + "q1", [f"What does {s} do to {cols} in {table}?",
                                                    f"How does {s} change {cols}?"]))]
        if f.get("conditions"):
            out.append(("under_which_condition", f"Under which condition does {s} actually update a row?"))
            if _bound(f) and not f.get("batch"):   # a <foreach> of UPDATEs returns one count: no per-row answer
                out.append(("why", f"Why does {s} check {_columns(_bound(f))} in its WHERE clause?"))
        return out
    out = [("what_happens", f"{s} 会对 {table} 的 {cols} 做什么修改？")]
    if f.get("conditions"):
        out.append(("under_which_condition", f"{s} 在什么条件下才会真正更新一行？"))
        if _bound(f) and not f.get("batch"):
            out.append(("why", f"为什么 {s} 要把 {_sql(_bound(f))} 写在 WHERE 条件里？"))
    return out


@unique_claims
def sql_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    s, table = f"`{f.get('name') or f['statement']}`", f["table"]
    ids = [e.id for e in cite.evidence if e.path == path] or cite.all()   # the statement's, not its callers' lines
    conds = f.get("conditions") or []
    if f["operation"] == "select":
        if lang == "en":
            body = f"{s} reads `{table}` rows that satisfy all of: " + "; ".join(_sql(c) for c in conds) + "."
            return body, [(f"{s} filters on {_sql(c)}", ids) for c in conds]
        body = f"{s} 查询 `{table}` 中同时满足以下条件的记录：" + "；".join(_sql(c) for c in conds) + "。"
        return body, [(f"{s} 的过滤条件包含 {_sql(c)}", ids) for c in conds]
    changes_en = ", ".join(_change(c) for c in f["changes"])
    if lang == "en":
        trace = [(f"{s} sets {changes_en}", ids)] + [(f"{s} requires {_sql(c)}", ids) for c in conds]
        keys = f.get("keys") or []     # the row the statement selects: without it 'only on rows where' reads as all
        trace += [(f"{s} selects the row by {_sql(k)}", ids) for k in keys]
        if qkind == "what_happens":
            body = f"{s} updates `{table}` with {changes_en}" + (" for each item of the list it loops over," if f.get("batch")
                                                                 else "") + (
                _rows_en(keys) if keys else "") + (
                f", but only {'if' if keys else 'on rows where'} {' and '.join(_sql(c) for c in conds)}"
                + (" holds for that row." if keys else ".") if conds else ".")
        elif qkind == "under_which_condition" and f.get("batch"):    # one UPDATE per item, one count for all
            body = (f"{s} runs one UPDATE per item of the list it loops over; each changes its row only when "
                    f"{' and '.join(_sql(c) for c in conds)} holds for that row (besides matching the id). An item that "
                    "fails it updates nothing, while the UPDATE statements of the other items still run.")
        elif qkind == "under_which_condition":
            body = (f"Only when {' and '.join(_sql(c) for c in conds)} holds for the row (besides matching the id). "
                    "Otherwise the UPDATE matches nothing and reports no affected row.")
        else:
            body = pick(seed + "w", [
                "Because it makes check and change one atomic statement: two requests racing on the same row cannot both "
                "pass a Java-side check and then push the value past what is allowed. ",
                "Putting the condition in the UPDATE turns it into a compare-and-set: the database evaluates it on the "
                "locked row, so concurrent requests cannot both change it past that limit. ",
            ]) + f"If {_sql(_bound(f))} does not hold, {s} updates no row, which the caller can detect from the returned count."
        if f.get("callers") is not None:
            body += " " + _count_callers(f, s, lang)
            trace += _count_caller_claims(f, lang, cite)
        return body, trace
    changes_zh = "、".join(_change(c) for c in f["changes"])
    trace = [(f"{s} 执行 {changes_zh}", ids)] + [(f"{s} 要求 {_sql(c)}", ids) for c in conds]
    keys = f.get("keys") or []
    trace += [(f"{s} 按 {_sql(k)} 选中要更新的行", ids) for k in keys]
    if qkind == "what_happens":
        row = ("对循环列表中的每一项，" if f.get("batch") else "") + (
            f"对 {' 且 '.join(_sql(k) for k in keys)} 的那一行" if keys else "")
        only = (f"，但只在该行满足 {' 且 '.join(_sql(c) for c in conds)} 时更新。" if keys else
                f"，但只更新满足 {' 且 '.join(_sql(c) for c in conds)} 的行。") if conds else "。"
        body = f"{s} {row or f'对 `{table}` '}执行 {changes_zh}" + only
    elif qkind == "under_which_condition" and f.get("batch"):
        body = (f"{s} 对循环列表中的每一项各执行一条 UPDATE；每条只在该行满足 {' 且 '.join(_sql(c) for c in conds)}"
                "（且匹配 id）时才更新。不满足的那一项不更新任何行，其他项的 UPDATE 照样执行。")
    elif qkind == "under_which_condition":
        body = (f"除了按 id 匹配之外，还必须满足 {' 且 '.join(_sql(c) for c in conds)}；"
                "否则 UPDATE 不匹配任何行，返回的影响行数为零。")
    else:
        body = (f"这样校验和修改在同一条 SQL 里原子完成：并发请求无法同时通过 Java 层的检查后把数量改成非法值。"
                f"{_sql(_bound(f))} 不成立时 {s} 一行都不会更新，调用方据返回的行数判断失败。")
    if f.get("callers") is not None:
        body += _count_callers(f, s, lang)
        trace += _count_caller_claims(f, lang, cite)
    return body, trace


# ---------------------------------------------------------- calculation --
def _returned(f: dict) -> bool:
    """The calculation is the method's own return value (target `name()`), not an assignment."""
    return f["target"] == f"{f.get('method_name')}()"


def _business_label(f: dict, lang: str) -> str:
    """The code base's own name for what is computed, as a parenthesis for the question: the first sentence of
    the method's Javadoc; '' when the code names it nowhere. A comment near a step is not used: it often
    labels the next step or the block (litemall's comment over a loop named another value)."""
    if not _returned(f):
        return ""   # the method's Javadoc names what the method does, not each value it computes
    doc = (f.get("doc") or "").strip()
    first = doc.split()[0] if doc and not doc.isascii() else doc.split(". ")[0].rstrip(".")
    if not first or len(first) > 40:
        return ""
    return f' ("{first}")' if lang == "en" else f"（“{first}”）"


_INPUT = re.compile(r"(?<![\w.])[a-z_]\w*(?:\.\w+\(\))*")


def _inputs(expr: str, target: str = "") -> set[str]:
    """The values an expression reads (`item.getPrice()`, `reduceAmount`), not its constants, wrappers or the
    target it adds to."""
    return set(_INPUT.findall(re.sub(r'"[^"]*"', "", expr))) - {"new", "true", "false", "null", target}


def one_liner(f: dict) -> bool:
    """A value read off one line: a local set once from at most two values (`realPrice = price - reduceAmount`),
    any target set once from one value (`delayTimes = minutes * 60 * 1000`, `setCount(getCount() - 1)`), or a
    running sum of one value over all items (`count += item.getQuantity()`). Blind read G rated each shallow
    (mall S1, S2, S28): a calculation is asked where it combines several inputs, branches or conditions."""
    sites = [s for s in f["sites"] if not (s["op"] == "init" and not _inputs(s["expression"]))]
    if len(sites) != 1 or sites[0]["op"] == "return":
        return False
    s = sites[0]
    if s.get("accumulates"):
        return len(f["sites"]) == 2 and len(_inputs(s["accumulates"][1], f["target"])) <= 1 and not any(
            "condition" in c for c in s.get("context") or []) and not s.get("sources")
    n = len(_inputs(s["expression"], f["target"]))
    return n <= 1 or (n <= 2 and s["op"] != "set" and "." not in f["target"] and not s.get("sources"))


def calc_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    """One question per computed value, scoped to its method; the answer lists every site. None on a one-liner."""
    if one_liner(f):
        return []
    m, about, en = f"`{f['method']}`", _business_label(f, lang), lang == "en"
    if _returned(f):
        if en:
            return [("how_computed", pick(seed + "q", [f"What does {m}{about} return, and how is it computed?",
                                                        f"How does {m}{about} compute its result?"]))]
        return [("how_computed", f"{m}{about} 返回什么？是怎么计算的？")]
    target = f"`{f['target']}`"
    if all(s["op"] == "set" for s in f["sites"]):
        if any(s.get("earlier_exits") for s in f["sites"]):   # "when" would be the checks before it: not answered here
            return [("how_computed", f"What value does {m}{about} pass to {target}?" if en
                     else f"{m}{about} 以什么值调用 {target}？")]
        return [("how_computed", f"What value does {m}{about} pass to {target}, and when?" if en
                 else f"{m}{about} 以什么值调用 {target}？在什么情况下？")]
    if en:
        return [("how_computed", pick(seed + "q", [f"How is {target} computed in {m}{about}?",
                                                    f"In {m}, how does {target} get its value{about}?"]))]
    return [("how_computed", f"{m} 中 {target} 是怎么计算的{about}？")]


def _site_ids(site: dict, cite: Cite, path: str) -> list[str]:
    """The evidence that shows a site and every header that governs it."""
    lines_ = [site["line"]] + [c["line"] for c in site.get("context") or []] + [e["line"] for e in site.get("exits_before") or []]
    return list(dict.fromkeys(cite.at(n, path) for n in lines_))


@unique_claims
def calc_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    sites, target, m, en = f["sites"], f["target"], f"`{f['method']}`", lang == "en"
    trace = []
    for s in sites:
        claim = site_text(s, target, lang)
        # no "the comment above reads …" step: such a comment often labels the next statement or the block
        # (litemall's "取得规格的信息,判断规格库存" above `num`, mall's max-percent check above the amount; blind reads F, B0)
        trace.append(((f"line {s['line']}: " if en else f"第 {s['line']} 行：") + claim, _site_ids(s, cite, path)))
    if _returned(f):
        decl = cite.at(f.get("decl_line"), path) if f.get("decl_line") else None
        listed = "\n".join(f"{n}. {site_text(s, target, lang)}" for n, s in enumerate(sites, 1))
        if len(sites) == 1:
            body = f"{m} {site_text(sites[0], target, lang)}." if en else f"{m} {site_text(sites[0], target, lang)}。"
        else:
            body = (f"{m} has {len(sites)} `return` statements:\n{listed}" if en
                    else f"{m} 共有 {len(sites)} 个 `return`：\n{listed}")
        cited = {i for _, ids in trace for i in ids}
        if decl and decl not in cited:
            trace.insert(0, ((f"{m} is the method declared here" if en else f"{m} 在此声明"), [decl]))
        return with_values(body, f, lang), trace + value_claims(f, lang, cite)
    listed = "\n".join(f"{n}. {site_text(s, target, lang)}" for n, s in enumerate(sites, 1))
    calls = all(s["op"] == "set" for s in sites)   # a setter is called, not assigned
    if len(sites) == 1:
        if en:
            body = (f"{m} calls `{target}` in one place: " if calls else f"`{target}` is assigned in one place in {m}: ") + \
                f"{site_text(sites[0], target, lang)}."
        else:
            body = (f"{m} 中只有一处调用 `{target}`：" if calls else f"{m} 中只有一处给 `{target}` 赋值：") + \
                f"{site_text(sites[0], target, lang)}。"
    elif f.get("alternatives") == "some":   # some sites on different branches of one `if`
        body = (f"{m} {'calls' if calls else 'assigns'} `{target}` in {len(sites)} places, in source order (those on "
                f"different branches of one `if` are alternatives: only one of them runs):\n{listed}" if en else
                f"{m} 中共有 {len(sites)} 处{'调用' if calls else '给'} `{target}`{'' if calls else ' 赋值'}，按代码顺序"
                f"（位于同一个 `if` 不同分支的几处互斥，只会执行其一）：\n{listed}")
    elif f.get("alternatives"):   # sites on different branches: one runs, not each in turn
        body = (f"{m} {'calls' if calls else 'assigns'} `{target}` in {len(sites)} places, on different branches "
                f"(each run takes the one whose conditions hold):\n{listed}" if en else
                f"{m} 中共有 {len(sites)} 处{'调用' if calls else '给'} `{target}`{'' if calls else ' 赋值'}，"
                f"分别位于不同分支（每次只执行条件成立的那一处）：\n{listed}")
    elif en:
        body = f"{m} {'calls' if calls else 'assigns'} `{target}` in {len(sites)} places, in this order:\n{listed}"
    else:
        body = f"{m} 中共有 {len(sites)} 处{'调用' if calls else '给'} `{target}`{'' if calls else ' 赋值'}，按顺序：\n{listed}"
    body = with_values(body, f, lang)
    said: set[str] = set()
    for s in sites:   # a bare local added or assigned: say where it comes from (an UPDATE's row count, a lookup)
        words = _source_words(s, lang, said)
        if words:
            body += f"\nHere {words}." if en else f"\n其中{words}。"
            trace += [((f"in {m}, `{x['var']}` is assigned from `{x['call']}`" if en
                        else f"{m} 中 `{x['var']}` 由 `{x['call']}` 赋值"), [cite.at(x["line"], path)]) for x in s["sources"]]
            trace += where_trace(s["sources"], lang, cite, path)
    return body + _running_total(sites, lang), trace + value_claims(f, lang, cite)


def _running_total(sites: list[dict], lang: str) -> str:
    """What an addition inside a loop sums: every item, or only those a branch inside the loop lets through
    (`if (ids.contains(item.getCategoryId())) total = total.add(..)` sums the items of those categories). ''
    when something else inside the loop gates it (a nested loop, a catch), or the sites gate differently."""
    gates = set()
    for s in sites:
        ctx = s.get("context") or []
        loops = [c for c in ctx if "loop" in c]
        if not s.get("accumulates") or not loops:
            continue
        inner = [c for c in ctx if c["line"] > loops[0]["line"]]
        if any("condition" not in c for c in inner):
            return ""
        gates.add(tuple((c["condition"], bool(c.get("holds", True))) for c in inner))
    if len(gates) != 1:
        return ""
    (gate,) = gates
    en = lang == "en"
    if not gate:
        return ("\nBecause the additions run inside the loop, the result is the running total over all items." if en
                else "\n由于累加发生在循环中，结果是所有条目的累计值。")
    conds = [f"`{c}` {'holds' if holds else 'does not hold'}" if en else f"`{c}` {'成立' if holds else '不成立'}"
             for c, holds in gate]
    return (f"\nBecause the additions run inside the loop under that branch, the result is the running total over "
            f"the items for which {' and '.join(conds)}, not over all items." if en else
            f"\n由于累加发生在循环中且仅当{'且'.join(conds)}时执行，结果只是满足该条件的条目的累计值，而非所有条目。")


# ------------------------------------------------------------- schedule --
def _shown_inactive(f: dict) -> bool | None:
    """None: the component is active. True: it is inactive and its class head shows why (a commented-out
    stereotype). False: inactive for a reason no cited line shows (no @EnableScheduling anywhere): not asked."""
    reason = f.get("inactive")
    if not reason:
        return None
    return "commented out" in reason and bool(f.get("class_head"))


def schedule_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    if _shown_inactive(f) is False:
        return []
    c = f"`{f['method']}`"   # the method: a class may hold several jobs on other schedules
    listed = f.get("call_sites") is not None    # every call of the job is known: "what happens" has a whole answer
    if lang == "en":   # "when" is the schedule alone; what a run does is its own question
        return [("when_runs", pick(seed, [f"When does {c} run?", f"How often does {c} fire?"]))] + \
            ([("what_happens", f"What happens each time `{f['method']}` is triggered?")] if listed else [])
    return [("when_runs", f"{c} 什么时候执行？")] + \
        ([("what_happens", f"`{f['method']}` 每次触发时会做什么？")] if listed else [])


def _writes_text(writes: list[dict], lang: str) -> str:
    """The values a job sets, each under its loop or branch: "for each `coupon` in `couponList`: `coupon.status`
    to `CouponConstant.STATUS_EXPIRED`"."""
    rows = []
    for w in writes:
        ctx = context_text(w.get("context") or [], lang)
        what = (f"`{w['receiver']}.{w['field']}` to `{w['value']}`" if lang == "en"
                else f"把 `{w['receiver']}.{w['field']}` 设为 `{w['value']}`")
        rows.append((f"{ctx}: " if lang == "en" else f"{ctx}：") + what if ctx else what)
    return ("; " if lang == "en" else "；").join(rows)


def _calls_text(sites: list[dict], lang: str) -> str:
    """A job's calls in order, those under the same loop or branch together:
    "`a.find`; for each `x` in `xs`: `b.update`, `c.notify`"."""
    groups: list[tuple[str, list[str]]] = []
    for site in sites:
        ctx = context_text(site.get("context") or [], lang)
        if groups and groups[-1][0] == ctx:
            groups[-1][1].append(f"`{site['call']}`")
        else:
            groups.append((ctx, [f"`{site['call']}`"]))
    sep, colon = (", ", ": ") if lang == "en" else ("、", "：")
    return ("; " if lang == "en" else "；").join((f"{ctx}{colon}" if ctx else "") + sep.join(calls) for ctx, calls in groups)


def _inactive_claim(f: dict, lang: str, cite: Cite, path: str) -> tuple[str, tuple[str, list[str]]]:
    """The sentence and claim that a job or listener never runs, citing its class head."""
    reason = f["inactive"]
    head = cite.at(f["class_head"][0], path)
    if lang == "en":
        return (f" But it never runs: on `{f['class']}`, {reason}, so Spring does not create it.",
                (f"`{f['class']}` is inactive: {reason}", [head]))
    return (f"但它不会运行：`{f['class']}` 上 {reason}，Spring 不会创建它。", (f"`{f['class']}` 未生效：{reason}", [head]))


@unique_claims
def schedule_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    when = cron_text(f["cron"], lang) if f.get("cron") else (f"with `{f.get('rate')}` ms" if lang == "en"
                                                             else f"按 `{f.get('rate')}` 毫秒")
    ann = cite.at(f["line"], path)
    sites = f.get("call_sites") or []
    en = lang == "en"
    trace = [(f"`{f['method']}` is scheduled {when}" if en else f"`{f['method']}` 的调度周期是{when}", [ann])]
    for site in sites:
        ids = [cite.at(site["line"], path)] + [cite.at(c["line"], path) for c in site.get("context") or []]
        trace.append((f"the job calls `{site['call']}`" if en else f"任务调用 `{site['call']}`", list(dict.fromkeys(ids))))
    if f.get("impl"):
        trace.append((f"the job's calls lead to `{f['impl']}`" if en else f"任务的调用会进入 `{f['impl']}`",
                      [cite.at(f["impl_line"], f["impl_path"])]))
    writes = f.get("writes") or [] if qkind == "what_happens" else []
    if qkind != "what_happens":
        sites = []
        trace = trace[:1]
    for w in writes:
        ids = [cite.at(w["line"], path)] + [cite.at(c["line"], path) for c in w.get("context") or []]
        trace.append((f"the job sets `{w['receiver']}.{w['field']}` to `{w['value']}`" if en
                      else f"任务把 `{w['receiver']}.{w['field']}` 设为 `{w['value']}`", list(dict.fromkeys(ids))))
    if en:
        body = f"`{f['method']}` is annotated `@Scheduled` to run {when}"
        body += f" (cron `{f['cron']}`)." if f.get("cron") else "."
        if writes:
            body += f" The values each run sets on records: {_writes_text(writes, lang)}."
        if sites:
            body += (" Apart from getters, setters, logging and static helpers, each run calls, in order: "
                     f"{_calls_text(sites, lang)}.")
        if sites and f.get("impl"):
            body += f" One of these calls runs `{f['impl']}` ({f['impl_path']})."
    else:
        cron = f"（cron `{f['cron']}`）" if f.get("cron") else ""
        body = f"`{f['method']}` 带有 `@Scheduled` 注解，{when}执行一次{cron}。"
        if writes:
            body += f"每次执行：{_writes_text(writes, lang)}。"
        if sites:
            body += f"除 getter、setter、日志和静态工具方法外，每次执行依次调用：{_calls_text(sites, lang)}。"
        if sites and f.get("impl"):
            body += f"其中一个调用会进入 `{f['impl']}`（{f['impl_path']}）。"
    if _shown_inactive(f):
        sentence, claim = _inactive_claim(f, lang, cite, path)
        body, trace = body + sentence, trace + [claim]
    return body, trace


# ------------------------------------------------------------ messaging --
def messaging_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    m = f"`{f['method']}`"
    role = f["role"]
    if role == "send":
        if lang == "en":
            out = [("what_happens", f"What message does {m} send, and where to?")]
            if f.get("delay"):
                out.append(("why", f"How does {m} make the message arrive later instead of immediately?"))
            return out
        out = [("what_happens", f"{m} 发送什么消息，发到哪里？")]
        if f.get("delay"):
            out.append(("why", f"{m} 是怎么让消息延迟投递的？"))
        return out
    if role == "trigger":
        if lang == "en":
            return [("what_happens", pick(seed, [f"How does {m} hand work to `{f['sender']}`?",
                                                 f"What does {m} pass to `{f['sender']}`, and how is it computed?"]))]
        return [("what_happens", f"{m} 是如何调用 `{f['sender']}` 的？传入的参数怎么计算？")]
    if role == "after_commit":
        if lang == "en":
            return [("why", f"Why does {m} send its message from an `{f['hook']}` callback instead of directly?")]
        return [("why", f"为什么 {m} 要在 `{f['hook']}` 回调里发送消息，而不是直接发送？")]
    if role == "listen":
        if _shown_inactive(f) is False:
            return []
        q = ", ".join(f.get("queues") or [])
        return ([("what_happens", f"What happens when a message arrives on `{q}`?")] if lang == "en"
                else [("what_happens", f"`{q}` 队列收到消息后会发生什么？")])
    return ([("why", f"Why does {m} set `{f['argument']}` on the queue it declares?")] if lang == "en"
            else [("why", f"{m} 声明队列时为什么要设置 `{f['argument']}`？")])


def _send_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, en, delay = f"`{f['method']}`", lang == "en", f.get("delay")
    exchange, key = f.get("exchange"), f.get("routing_key")
    if qkind == "why" and delay:
        body = (f"It sets a per-message expiration: inside the message post-processor, `{delay['call']}` is given "
                f"`{delay['value']}`. The message goes to exchange `{exchange}` (routing key `{key}`) and is only "
                "delivered onward when that time-to-live runs out." if en else
                f"通过设置单条消息的过期时间：在消息后处理器里调用 `{delay['call']}`，值为 `{delay['value']}`。"
                f"消息发到交换机 `{exchange}`（路由键 `{key}`），过期后才被继续投递。")
    elif en:
        body = (f"{m} sends `{f.get('payload')}` through `convertAndSend` to exchange `{exchange}` with routing key "
                f"`{key}`." + (f" It also sets the message expiration to `{delay['value']}`." if delay else ""))
    else:
        body = (f"{m} 通过 `convertAndSend` 把 `{f.get('payload')}` 发到交换机 `{exchange}`，路由键 `{key}`。"
                + (f"同时把消息过期时间设为 `{delay['value']}`。" if delay else ""))
    trace = [(f"{m} calls convertAndSend with exchange `{exchange}`" if en else f"{m} 调用 convertAndSend，交换机为 `{exchange}`",
              [cite.at(f["line"], path)])]
    if delay:
        trace.append((f"the expiration is set from `{delay['value']}`" if en else f"过期时间取自 `{delay['value']}`",
                      [cite.at(delay["line"], path)]))
    return body, trace


def _trigger_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, en, d, args = f"`{f['method']}`", lang == "en", f.get("delay"), f.get("arguments")
    body = f"{m} calls `{f['sender']}`" if en else f"{m} 调用 `{f['sender']}`"
    if args:   # every argument as written: naming only the computed one reads as if it were the whole call
        body += (" with " + ", ".join(f"`{a}`" for a in args) if en else "，传入 " + "、".join(f"`{a}`" for a in args))
    trace = [(body, [cite.at(f["line"], path)])]
    if d:
        body += ((f"; `{d['variable']}`" if args else f" with `{d['variable']}`")
                 + f", which it computes just before as `{d['expression']}`" if en
                 else f"，其中 `{d['variable']}` 在调用前计算为 `{d['expression']}`")
        trace.insert(0, (f"`{d['variable']}` = `{d['expression']}`", [cite.at(d["line"], path)]))
    return body + ("." if en else "。"), trace


def _after_commit_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, main = f"`{f['method']}`", cite.at(f["line"], path)
    calls = ", ".join(f"`{c}`" for c in f.get("calls") or [])
    if lang == "en":
        body = (f"{m} registers a `TransactionSynchronization` and calls {calls} from its `{f['hook']}` hook, so the message "
                "leaves only once the database transaction has committed. Sending it directly could deliver a message about "
                "an order whose insert is later rolled back, or arrive before the row is visible to the consumer.")
        return body, [(f"{m} calls {calls} inside `{f['hook']}`", [main])]
    body = (f"{m} 注册了 `TransactionSynchronization`，在 `{f['hook']}` 回调中调用 {calls}，"
            "因此只有数据库事务提交后才发送消息。"
            "如果直接发送，可能发出一条关于后来被回滚的订单的消息，或者消费者收到消息时还查不到这条记录。")
    return body, [(f"{m} 在 `{f['hook']}` 中调用 {calls}", [main])]


def _listen_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, en = f"`{f['method']}`", lang == "en"
    q = ", ".join(f"`{x}`" for x in f.get("queues") or [])
    calls = f.get("calls") or []
    trace = [(f"`{f['class']}` is bound to queue {q}" if en else f"`{f['class']}` 绑定队列 {q}", [cite.at(f["line"], path)])]
    if f.get("handler_line"):
        trace.append((f"{m} is the method that receives the messages" if en else f"{m} 是接收消息的方法",
                      [cite.at(f["handler_line"], path)]))
    if calls:
        trace.append((f"{m} calls `{calls[0]}`" if en else f"{m} 调用 `{calls[0]}`", [cite.evidence[-1].id]))
    if en:
        body = f"`{f['class']}` listens on {q} (`@{f['annotation']}`); {m} receives the payload"
        body += f" and passes it to `{calls[0]}`." if calls else "."
    else:
        body = f"`{f['class']}` 通过 `@{f['annotation']}` 监听 {q}；{m} 收到消息后" + (
            f"调用 `{calls[0]}`。" if calls else "进行处理。")
    if _shown_inactive(f):
        sentence, claim = _inactive_claim(f, lang, cite, path)
        body, trace = body + sentence, trace + [claim]
    return body, trace


def _dead_letter_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    m, main = f"`{f['method']}`", cite.at(f["line"], path)
    key = "routing-key" in f["argument"]   # the exchange a dead letter goes to, or the routing key it goes with
    if lang == "en":
        where = "with that routing key" if key else "to that exchange"
        body = (f"{m} declares the queue with `{f['argument']}` = `{f.get('value')}`. Messages that expire in this queue "
                f"are not dropped: the broker re-publishes them {where} (dead-lettering), which is how a TTL queue becomes "
                "a delay queue.")
        return body, [(f"{m} sets `{f['argument']}` to `{f.get('value')}`", [main])]
    where = "按这个路由键" if key else "到这个交换机"
    body = (f"{m} 为队列设置 `{f['argument']}` = `{f.get('value')}`。"
            f"消息在该队列过期后不会被丢弃，而是被重新发布{where}（死信转发），这样带 TTL 的队列就成了延迟队列。")
    return body, [(f"{m} 设置 `{f['argument']}` 为 `{f.get('value')}`", [main])]


_MESSAGING_ANSWERS = {"send": _send_answer, "trigger": _trigger_answer, "after_commit": _after_commit_answer,
                      "listen": _listen_answer, "dead_letter": _dead_letter_answer}


@unique_claims
def messaging_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """One answer builder per messaging role (what the method does with the broker)."""
    return _MESSAGING_ANSWERS[f["role"]](qkind, f, lang, cite, path)


# ---------------------------------------------------------- status dict --
def _dict_names(f: dict) -> tuple[str, str]:
    """(owner, field) for display; an enum's dictionary has no field: the enum is the value."""
    return f["owner"], f["field"] or "code"


def dict_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    """One "which values" question per dictionary: a "what does code N mean" twin is a one-line lookup of an
    entry the same answer already lists."""
    (o, fld) = _dict_names(f)
    if f.get("source") in ("constants", "enum"):   # codes of a constant class or an enum: ask by the class's names
        if not any(e["label"] != e.get("name") for e in f["entries"]):   # names only: nothing says what they mean
            return [("which_values", f"Which status codes does `{o}` declare, and with which values?" if lang == "en"
                     else f"`{o}` 声明了哪些状态码常量？取值分别是多少？")]
        return [("which_values", f"Which status codes does `{o}` define, and what does each stand for?" if lang == "en"
                 else f"`{o}` 定义了哪些状态码？各代表什么？")]
    if lang == "en":
        return [("which_values", pick(seed, [f"Which values can {o}.{fld} take?", f"What do the codes of {o}.{fld} mean?"]))]
    return [("which_values", f"{o}.{fld} 有哪些取值？")]


def _constant_claims(f: dict, entries: list[dict], lang: str, cite: Cite, path: str) -> list[tuple[str, list[str]]]:
    """Per constant: its declaration proves the code, the comment or mapping line proves the label."""
    out = []
    for e in entries:
        ids = [cite.at(e["line"], path)] if e.get("line") else cite.all()[:1]
        if e.get("label_lines") and e["label"] != e.get("name"):
            ids.append(cite.at(e["label_lines"][0], path))
        label = f" ({e['label']})" if e["label"] != e.get("name") else ""
        out.append(((f"`{f['owner']}.{e['name']}` is {e['code']}{label}" if lang == "en"
                     else f"`{f['owner']}.{e['name']}` 为 {e['code']}{label}"), list(dict.fromkeys(ids))))
    return out


def _constants_answer(qkind: str, f: dict, lang: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    o, en = f["owner"], lang == "en"

    def one(e: dict) -> str:
        label = (f' ("{e["label"]}")' if en else f"（“{e['label']}”）") if e["label"] != e.get("name") else ""
        return f"`{e['name']}` = {e['code']}{label}"
    named = [e for e in f["entries"] if e.get("name")]
    body = (f"`{o}` declares these codes: " + "; ".join(one(e) for e in named) + "." if en
            else f"`{o}` 定义的状态码：" + "；".join(one(e) for e in named) + "。")
    claims = _constant_claims(f, named, lang, cite, path)
    fb = f.get("fallback")
    if fb:   # declared, but no status: what the lookup hands out for a code no other constant has
        by = f"`{fb['method']}`" if fb.get("method") else "its lookup"
        said = (f"`{o}` also declares `{fb['name']}` = {fb['code']} (\"{fb['label']}\"), which {by} returns for a code "
                "no other constant has: it marks an unknown code, not a status" if en else
                f"`{o}` 还声明了 `{fb['name']}` = {fb['code']}（“{fb['label']}”），{by} 在找不到匹配编码时返回它："
                "它表示未知编码，不是一种状态")
        body += f" {said}." if en else f"{said}。"
        claims.append((said, list(dict.fromkeys([cite.at(fb["line"], path), cite.at(fb["returned_at"], path)]))))
    if f.get("code_field_line"):   # an enum keeps its code in a field of its own (never a made-up `.code`)
        held = (f"`{o}` keeps the code in its field `{f['code_field']}`" if en
                else f"`{o}` 的编码存于字段 `{f['code_field']}`")
        body += f" {held}." if en else f"{held}。"
        claims.append((held, [cite.at(f["code_field_line"], path)]))
    return body, claims


@unique_claims
def dict_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    if f.get("source") in ("constants", "enum"):
        return _constants_answer(qkind, f, lang, cite, path)
    (o, fld), entries = _dict_names(f), f["entries"]
    ids = cite.all()
    src = {"comment": "comment", "annotation": "API annotation", "enum": "enum"}.get(f.get("source"), f.get("source"))
    if lang == "en":
        values = "; ".join(f'{e["code"]} = "{e["label"]}"' for e in entries)
        body = f"`{o}.{fld}` is a code documented in its {src}: {values}."
        return body, [(f"{o}.{fld} has {len(entries)} documented codes", ids)]
    body = f"`{o}.{fld}` 是状态编码，取值：" + "；".join(f"{e['code']}->{e['label']}" for e in entries) + "。"
    return body, [(f"{o}.{fld} 共有 {len(entries)} 个取值", ids)]


# --------------------------------------------------------- side effects --
def control_text(c: dict, lang: str) -> str:
    """A branch or loop around a call, as a phrase: 'inside `if (x != null)`', 'once per iteration of `for (...)`'."""
    code = c["code"]
    if lang == "en":
        return {"if": f"inside `if ({code})`", "else": f"in the `else` branch of `if ({code})`",
                "loop": f"once per iteration of `{code}`", "lambda": f"in a lambda or method reference passed to `{code}`",
                "catch": f"inside `{code}`", "and": f"only when `{code}` is true (checked first, `&&`)",
                "or": f"only when `{code}` is false (checked first, `||`)",
                "skip": f"skipped for the iterations where `{code}` (an earlier `continue`)",
                "stop": f"not reached once `{code}` ends the loop (an earlier `break`)"}[c["kind"]]
    return {"if": f"在 `if ({code})` 条件内", "else": f"在 `if ({code})` 的 else 分支中",
            "loop": f"在循环 `{code}` 中逐次执行", "lambda": f"在传给 `{code}` 的 lambda 或方法引用中",
            "catch": f"在 `{code}` 块中", "and": f"仅当 `{code}` 为真时（`&&` 短路）",
            "or": f"仅当 `{code}` 为假时（`||` 短路）",
            "skip": f"`{code}` 成立的迭代会被前面的 `continue` 跳过",
            "stop": f"`{code}` 成立时前面的 `break` 结束循环，不再执行"}[c["kind"]]


def file_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


_KIND_EN = {"insert": "INSERT into", "update": "UPDATE", "delete": "DELETE from", "upsert": "INSERT or UPDATE",
            "select": "SELECT from"}
_KIND_ZH = {"insert": "插入", "update": "更新", "delete": "删除", "upsert": "插入或更新", "select": "查询"}


def sql_word(kind: str) -> str:
    """INSERT / UPDATE / DELETE, and INSERT/UPDATE for a JPA save (either, depending on the entity's id)."""
    return "INSERT/UPDATE" if kind == "upsert" else kind.upper()


def sql_kind(kind: str) -> str:
    """'an INSERT' / 'an UPDATE' / 'a DELETE' / 'an INSERT or UPDATE' (JPA save)."""
    return {"delete": "a DELETE", "upsert": "an INSERT or UPDATE", "select": "a SELECT"}.get(kind, f"an {kind.upper()}")


def write_text(e: dict, lang: str) -> str:
    """'UPDATE `pms_sku_stock`' / '更新 `pms_sku_stock`'."""
    tables = ", ".join(f"`{t}`" for t in e["tables"])
    return f"{_KIND_EN[e['kind']]} {tables}" if lang == "en" else f"{_KIND_ZH[e['kind']]} {tables}"


QA: dict[str, tuple[Callable, Callable]] = {
    "guard": (guard_questions, guard_answer),
    "transition": (transition_questions, transition_answer),
    "sql_invariant": (sql_questions, sql_answer),
    "calculation": (calc_questions, calc_answer),
    "schedule": (schedule_questions, schedule_answer),
    "messaging": (messaging_questions, messaging_answer),
    "status_dict": (dict_questions, dict_answer),
}
