"""From the index and the domain map to named, domain-tagged rules with minimal evidence.

The finders (java_rules, sql_rules) see one method or statement at a time;
here they are placed in the architecture: which domain a rule belongs to (the
map's class domains), what a status code means (map_status_dicts, else the
comment on the line), which guards a transition must pass first.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from core.domain.constants import Constant, ConstantTable, normalise
from core.domain.status_dicts import code_field_line, fallback
from core.evidence import SourceCache
from core.index import java_ast
from core.models import Rule, Span, sha256_text
from core.rules import java_rules, sql_rules, statements
from core.rules.java_rules import Found, Method
from core.rules.render import split_top, squash, strip_parens

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
    methods: list[dict] = field(default_factory=list)      # symbols of kind method
    calls: list[dict] = field(default_factory=list)
    constants: list[dict] = field(default_factory=list)    # map_constants rows (core.domain.constants)

    def encodings(self) -> dict[str, str]:
        return {f["path"]: f["encoding"] for f in self.files}


_LOCATION_KEY = re.compile(r"(^|_)(line|lines|span|spans)$")


def _without_locations(value):
    if isinstance(value, dict):
        return {k: _without_locations(v) for k, v in value.items() if not _LOCATION_KEY.search(k)}
    if isinstance(value, list):
        return [_without_locations(v) for v in value]
    return value


def rule_id(kind: str, anchor: str, facts: dict) -> str:
    """Identity from what the code says, not where it sits nor how we word it.

    Samples are keyed by their rule, and review decisions by sample: a line
    inserted above a rule, or better wording in a later release, must give a
    new *version* of the same sample, not an unrelated sample.
    """
    key = [kind, anchor, _without_locations(facts)]
    return sha256_text(json.dumps(key, sort_keys=True, ensure_ascii=False, default=str))[:16]


_CALL = re.compile(r"([A-Za-z_]\w*)\s*\(")
_THROW = re.compile(r"\bthrow\b")
_GETTER = re.compile(r"\b([a-z]\w*)\.get([A-Z]\w*)\(\)")
# a MyBatis Example criterion fixing a field: `andStatusEqualTo(STATUS_NORMAL)`, `andDeletedEqualTo(false)`
_CRITERION = re.compile(r"\.and([A-Z]\w*?)(?:EqualTo|NotEqualTo|In|NotIn|IsNull|IsNotNull|Between|NotBetween|"
                        r"GreaterThan|GreaterThanOrEqualTo|LessThan|LessThanOrEqualTo|Like|NotLike)\("
                        # fixed by a constant or literal, not by a parameter the caller chose
                        r"\s*(?:\(\w+\)\s*)?(?:[\w.]*[A-Z][A-Z0-9_]+|-?\d+|true|false)\s*\)")


_WRITE_KINDS = frozenset({"update", "insert", "delete"})


def _subject(facts: dict) -> tuple[list[str], list[str], list[str], list[str]]:
    """What a rule is about, as (tables, predicate names, texts, identifiers) for domain scoring. A SQL rule's
    statement name and the columns it changes count too (`reduceStock`, `stock_num = stock_num - #{n}`): a
    statement that adjusts a stock column belongs to stock even where its mapper and table belong to products."""
    tables = [facts["table"]] if facts.get("table") else []
    code = " ".join(str(facts.get(k) or "") for k in ("condition", "expression", "target", "entity", "field", "owner"))
    texts = [str(facts.get(k) or "") for k in ("message", "comment")]
    texts += [s.get("label", "") for s in facts.get("steps") or []]
    predicates = [n for n in _CALL.findall(code) if not n.startswith(("get", "set", "is", "equals"))]
    sql = [facts.get("statement") or "", *(c["column"] for c in facts.get("changes") or [])] \
        if facts.get("stmt_id") else []
    return tables, predicates, texts, [code, facts.get("method_name") or "", " ".join(facts.get("calls") or []), *sql]


def _pick_domain(class_domains: list[str], requested: list[str], facts: dict) -> str | None:
    """The domain a rule is about: its tables, predicates, messages and names, scored over the requested
    domains; the class's own domains break ties (a stock check inside an order service is a stock rule)."""
    from core.domain.profiles import BUILTIN, Labeler

    known = [BUILTIN[d] for d in requested if d in BUILTIN]
    if not known:
        return class_domains[0] if class_domains else None
    labeler = Labeler(known)
    tables, predicates, texts, idents = _subject(facts)
    score: Counter = Counter({d: 1 for d in class_domains})
    for t in tables:
        score.update({d: 5 for d in labeler.for_table(t)})
    for p in predicates:
        score.update({d: 3 for d in labeler.for_words(p)})
    for t in texts:
        score.update({d: 3 for d in labeler.for_text(t)})
    for i in idents:
        score.update({d: 1 for d in labeler.for_words(i)})
    order = class_domains + [d for d in requested if d not in class_domains]
    best = max(order, key=lambda d: (score[d], -order.index(d)))
    return best if score[best] > 0 else None


# `order.getStatus() != 2`, `order.getStatus().equals(2)`, `2 == order.getStatus()`: a getter tested against a literal
_GETTER_CODE = re.compile(r"\b(?P<var>[a-z]\w*)\.get(?P<fld>[A-Z]\w*)\(\)(?:\.intValue\(\))?\s*(?:[!=]=\s*|\.equals\(\s*)"
                          r"(?:\(\w+\)\s*)?(?P<code>-?\d+)\b"
                          r"|\b(?P<code2>-?\d+)\s*[!=]=\s*(?P<var2>[a-z]\w*)\.get(?P<fld2>[A-Z]\w*)\(\)")


class Extractor:
    def __init__(self, view: MapView, root: Path, domains: list[str]):
        self.view, self.domains = view, domains
        self.files = SourceCache(root, view.encodings())
        self.class_info = {c["symbol_id"]: c for c in view.classes}
        self.constants = ConstantTable(view.constants)
        self.dicts: dict[tuple[str, str], dict] = {}
        self.const_dicts: dict[str, dict] = {}    # constant id -> the dictionary it is an entry of
        for d in view.status_dicts:
            self.dicts.setdefault((d["owner"], d["field"]), d)
            owner = d["dict_id"].rsplit(".", 1)[0] if d["source"] == "constants" else d["dict_id"]
            for e in d["entries"] if d["source"] in ("constants", "enum") else []:
                if e.get("name"):
                    self.const_dicts.setdefault(f"{owner}.{e['name']}", d)
        for d in view.status_dicts:   # a dictionary also answers for the entity field it describes
            if d.get("entity") and d.get("entity_field"):
                self.dicts.setdefault((d["entity"].rsplit(".", 1)[-1], d["entity_field"]), d)
        self.table_owner: dict[str, str] = {}
        for e in view.entities:
            for table in e.get("tables") or []:
                self.table_owner.setdefault(table, e["symbol_id"].rsplit(".", 1)[-1])
        self.param_writes = self._param_writes()

    # ----------------------------------------------------------- domains --
    def _class_domains(self, class_id: str) -> tuple[list[str], dict | None]:
        info = self.class_info.get(class_id)
        while info is None and "." in class_id:
            class_id = class_id.rsplit(".", 1)[0]  # nested class: its outer class's place
            info = self.class_info.get(class_id)
        if info is None or info.get("is_generated"):
            return [], None
        return [d for d in (info.get("domains") or []) if d in self.domains], info

    # -------------------------------------------------------------- java --
    def java_files(self) -> list[str]:
        paths = set()
        for c in self.view.classes:
            # classes of the requested domains, and unlabelled ones (a util whose rules may still be ours)
            if c.get("path") and not c.get("is_generated") and c.get("layer") in BEHAVIOUR_LAYERS and (
                not c.get("domains") or set(c["domains"]) & set(self.domains)
            ):
                paths.add(c["path"])
        return sorted(paths)

    def rules(self) -> list[Rule]:
        out: dict[str, Rule] = {}
        senders: list[tuple[Method, Found]] = []
        for path in self.java_files():
            source = self.files.get(path)
            for method in java_rules.methods_of(path, source.text):
                domains, info = self._class_domains(method.class_id)
                if info is None or info.get("layer") not in BEHAVIOUR_LAYERS or (info.get("domains") and not domains):
                    continue
                found = [f for finder in java_rules.FINDERS for f in finder(method)] + \
                    java_rules.param_transitions(method, self.param_writes) + java_rules.wrapper_transitions(method)
                self._link_transitions(method, found)
                self._mark_throwing_calls(method, found)
                self._mark_loader_criteria(method, found)
                for item in found:
                    java_rules.annotate(item, partial(self.constants.resolve, context=method.class_id), info.get("inactive"))
                    if item.kind == "guard":
                        self._label_codes(method, item)
                    if item.kind == "schedule":
                        self._link_schedule(method, item)
                    if item.kind == "messaging" and item.facts["role"] == "send":
                        senders.append((method, item))
                    # a status a statement sets from a parameter: the SET line proves the field (another file)
                    through = [(t["path"], t["line"], t["line"])] if (t := item.facts.get("through_stmt")) else []
                    rule = self._rule(item.kind, domains, method.class_id, path, item.spans + through, item.facts)
                    if rule is not None:
                        out.setdefault(rule.rule_id, rule)
        for rule in self._triggers(senders):
            if rule is not None:
                out.setdefault(rule.rule_id, rule)
        for rule in self._sql_rules() + self._dict_rules():
            if rule is not None:
                out.setdefault(rule.rule_id, rule)
        return sorted(out.values(), key=lambda r: (r.domain, r.kind, r.evidence[0].path, r.evidence[0].start_line))

    def _labels(self, entity: str, field_name: str, inline: dict[str, str],
                constant: Constant | None = None) -> tuple[dict[str, str], str | None]:
        """Code -> label for a status field: its dictionary (by entity field, else the one the constant
        set belongs to), else what the comment on the line says, plus the constant's own label."""
        d = self.dicts.get((entity, field_name)) or (self.const_dicts.get(constant.const_id) if constant else None)
        if d:
            return {e["code"]: e["label"] for e in d["entries"]}, d["dict_id"]
        if constant is not None and constant.label:
            inline = {**inline, constant.value: constant.label}
        return inline, None

    def _label_codes(self, method: Method, item: java_rules.Found) -> None:
        """A literal code a guard compares an entity's getter with (`order.getStatus() != 2`), with the label the
        entity field's dictionary gives it, cited where the dictionary says it: "is not `2`" alone hides the rule
        (blind read 22T: mall S40, 2 is 已发货). Only a code written once in the condition is labelled."""
        condition = item.facts.get("condition") or ""
        types = None
        for m in _GETTER_CODE.finditer(condition):
            var, fld = m.group("var") or m.group("var2"), m.group("fld") or m.group("fld2")
            code = m.group("code") or m.group("code2")
            if len(re.findall(rf"(?<![\w.]){re.escape(code)}(?![\w.])", condition)) != 1:
                continue
            types = types if types is not None else java_rules._receiver_types(method)
            d = self.dicts.get((types.get(var, ""), fld[0].lower() + fld[1:]))
            entry = next((e for e in (d or {}).get("entries") or [] if str(e["code"]) == code and e.get("label")
                          and e["label"] != e.get("name")), None)
            if entry is None:
                continue
            start, end = entry.get("label_lines") or ([entry["line"]] * 2 if entry.get("line") else
                                                      [d["start_line"], d["end_line"]])
            if end - start > 6:
                continue      # a label the evidence could not show next to its code
            item.facts.setdefault("constants", []).append({"expr": code, "value": code, "label": entry["label"],
                                                           "path": d["path"], "line": start, "label_line": end,
                                                           "field": f"{types[var]}.{fld[0].lower() + fld[1:]}"})
            item.spans.append((d["path"], start, end))

    def _code(self, expr: str, context: str) -> str | None:
        """The code an operand stands for: a literal (casts stripped), or a resolved integer constant."""
        plain = normalise(expr)
        if re.fullmatch(r"-?\d+", plain):
            return plain
        const = self.constants.resolve(expr, context)
        return const.value if const is not None and const.is_code else None

    def _tests_entity(self, condition: str, getter: str, facts: dict, method: Method) -> bool:
        """The guard reads the status of the entity being set (the same variable, or one of the same
        type), not the like-named status of another record (a groupon rule's `getStatus()`)."""
        readers = re.findall(r"(\w+)\." + re.escape(getter), condition)
        readers += [arg for pred, arg in self._predicates(condition, method) if pred.accessor == facts["field"]]
        if not readers:
            return False
        types = java_rules._receiver_types(method)
        return any(r == facts["receiver"] or (facts["entity"] and types.get(r) == facts["entity"]) for r in readers)

    def _status_exits(self, facts: dict, status_guards: list[Found], getter: str, method: Method) -> list[Found]:
        """Earlier exits on the setter's path that test the entity's status but are no guard rule of their own
        (`if (order.getOrderStatus() != Status.PRE_PAY.getOrderStatus()) return Result.X.getResult();`, a
        message returned as a value): they limit the states the move starts from just as a guard does."""
        seen = {g.facts["line"] for g in status_guards}
        return [Found("guard", method, [(e["line"], e.get("exit_line") or e["line"])],
                      {"condition": e["condition"], "holds": e.get("holds", True), "line": e["line"],
                       "message": e.get("message"), "action": e.get("action") or "return"})
                for e in facts.get("exits") or [] if not e.get("catch") and e["line"] not in seen
                and self._tests_entity(e["condition"], getter, facts, method)]

    def _predicates(self, condition: str, method: Method) -> list[tuple[Constant, str]]:
        """Status tests called in a condition (`OrderUtil.isCreateStatus(order)`), with their argument."""
        calls = re.findall(r"((?<![\w.])[A-Za-z_][\w.]*\(\s*\w+\s*\))", condition)
        return [found for c in calls if (found := self.constants.predicate(c, method.class_id))]

    def _link_transitions(self, method: Method, found: list[Found]) -> None:
        """Give each transition its code (a constant resolved), labels, the state(s) it starts from and
        the guards before it; a transition to a name that resolves to no known code is dropped."""
        guards = [f for f in found if f.kind == "guard"]
        criteria = java_rules.status_criteria(method)
        unknown = []
        for t in (f for f in found if f.kind == "transition"):
            facts = t.facts
            constant = None
            if "to_expr" in facts:
                constant = self.constants.resolve(facts["to_expr"], method.class_id)
                # the value is proven by the constant's dictionary (its span joins the evidence where the
                # samples are built); a constant outside any dictionary cannot be shown, so no rule
                if constant is None or not constant.is_code or constant.const_id not in self.const_dicts:
                    unknown.append(t)
                    continue
                facts["to"] = constant.value
                facts["to_constant"] = {"name": constant.qualified_name, "label": constant.label,
                                        "path": constant.path, "line": constant.line}
            facts["labels"], facts["dict_id"] = self._labels(facts["entity"], facts["field"], facts.pop("inline_dict"),
                                                             constant)
            getter = "get" + facts["field"][0].upper() + facts["field"][1:] + "()"
            # an early `return` stops the operation as surely as a failure does
            before = [g for g in guards if g.facts["line"] < facts["line"]]
            status_guards = [g for g in before if self._tests_entity(g.facts["condition"], getter, facts, method)]
            code_of = lambda e: self._code(e, method.class_id)   # noqa: E731
            # an exit joins the requirements only where it says the codes (else the answer lists it as a check)
            status_guards += [x for x in self._status_exits(facts, status_guards, getter, method)
                              if _codes_allowed([x], getter, code_of) or _codes_excluded(x.facts, getter, code_of)]
            facts["from_codes"] = sorted(
                set(_codes_allowed(status_guards, getter, lambda e: self._code(e, method.class_id)))
                | {p.value for g in status_guards if g.facts.get("holds", True)
                   for p, _ in self._predicates(_negated_calls(g.facts["condition"]), method)
                   if p.accessor == facts["field"]})
            excluded = [x for g in status_guards if (x := _codes_excluded(g.facts, getter, code_of))]
            if excluded and not facts["from_codes"] and len(facts["labels"]) >= 2:   # every other known code
                facts["from_codes"] = sorted(set(facts["labels"]) - set().union(*excluded))
            for field_name, values, line in criteria:
                if field_name == facts["field"] and line < facts["line"] + 15:
                    codes = {c for v in _operands(values) if (c := self._code(v, method.class_id))}
                    facts["from_codes"] = sorted(set(facts["from_codes"]) | codes)
                    facts["criteria_line"] = line
                    t.spans.append((line, line))
            if facts.get("complete") and _accumulated_test(method, facts):
                facts["complete"] = False
            facts["requires"] = [{"condition": g.facts["condition"], "line": g.facts["line"], "message": g.facts.get("message"),
                                  "action": g.facts["action"]} for g in status_guards]
            for g in status_guards:
                t.spans.extend(g.spans)
            t.spans[:] = sorted(set(t.spans))
        found[:] = [f for f in found if not any(f is u for u in unknown)]

    def _rule(self, kind: str, domains: list[str], symbol: str | None, path: str,
              spans: list[tuple], facts: dict) -> Rule | None:
        """`spans` are (start, end) in `path`, or (other_path, start, end) for evidence in another file."""
        en, zh = statements.RENDER[kind](facts)
        domain = _pick_domain(domains, self.domains, facts)
        if domain is None:
            return None  # an unlabelled class, and the rule is about none of the requested domains
        by_path: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for span in spans:
            p, s, e = (path, *span) if len(span) == 2 else span
            by_path[p].append((s, e))
        evidence = [Span(path=p, start_line=s, end_line=e) for p, ss in by_path.items() for s, e in _merge(ss)]
        return Rule(
            rule_id=rule_id(kind, symbol or path, facts), repo_id="", kind=kind, domain=domain,
            symbol_id=symbol, statement_en=en, statement_zh=zh, evidence=evidence, facts=facts,
        )

    # ------------------------------------------------- across methods --
    def _mark_throwing_calls(self, method: Method, found: list[Found]) -> None:
        """A call into another class's method that can throw (litemall's `OrderUtil.build` on a status it does not
        know, a `getCurrentMember` that fails when nobody is logged in) is an exit before a check or a setter that
        the method's own code does not show: it joins the requirements, with the line in the callee that throws."""
        first, last = java_rules.lines(method.node)
        throwing = []
        for c in self._calls_in(method.path, first, last + 1):
            # a failure helper of a check is that check's exit, listed already
            if c["callee_name"].rsplit(".", 1)[-1] not in java_rules.FAIL_CALLS and (site := self._throw_site(c)):
                throwing.append({"call": c["callee_name"], "line": c["line"], "throw_path": site[0], "throw_line": site[1]})
        for f in found:
            if f.kind == "guard":   # "which checks can stop M" is not the whole story when a call can throw too
                f.facts["calls_throw"] = bool(throwing)
            if f.kind not in ("guard", "transition"):
                continue
            calls = {}
            for c in throwing:
                if c["line"] < f.facts["line"]:
                    calls.setdefault(c["call"], c)
            if not calls:
                continue
            f.facts["throwing_calls"] = sorted(calls.values(), key=lambda c: c["line"])
            key = "before_spans" if f.kind == "guard" else "path_spans"
            f.facts[key] = list(f.facts.get(key) or []) + [
                s for c in f.facts["throwing_calls"]
                for s in ((c["line"], c["line"]), (c["throw_path"], c["throw_line"], c["throw_line"]))]

    def _mark_loader_criteria(self, method: Method, found: list[Found]) -> None:
        """A guard testing a field the record's loader already filters on (`coupon = service.findByCode(code)`,
        whose Example criteria require `andTypeEqualTo(TYPE_CODE).andStatusEqualTo(STATUS_NORMAL)`, then
        `if (coupon.getStatus() == STATUS_OUT)`) can never fire as the code reads: it is marked so that no
        question presents it as a live check."""
        first, last = java_rules.lines(method.node)
        body = "\n".join(method.lines_of[first - 1:last])
        for f in found:
            if f.kind != "guard":
                continue
            tested = _GETTER.findall(f.facts["condition"]) + \
                [g for s in f.facts.get("sources") or [] for g in _GETTER.findall(s["call"] + "()")]
            for var, fld in tested:
                loader = self._loader_of(method, body, first, var, f.facts["line"])
                bound = (loader or {}).get("bound", {}).get(fld)   # `findById(userId, id)` filters user_id = userId
                same = bound and re.search(rf"\b{re.escape(var)}\.get{fld}\(\)\s*(?:\.equals\(\s*{re.escape(bound)}\s*\)"
                                           rf"|[!=]=\s*{re.escape(bound)}\b)", f.facts["condition"])
                if loader and (fld in loader["fields"] or same):
                    f.facts["loader_constrained"] = {"var": var, "field": fld[0].lower() + fld[1:],
                                                     **{k: v for k, v in loader.items() if k != "bound"}}
                    break

    def _loader_of(self, method: Method, body: str, first: int, var: str, before: int) -> dict | None:
        """The call a local record was loaded with (its last assignment before `before`) and the fields its
        MyBatis Example criteria constrain (`andStatusEqualTo`, `andTypeIn`...), read in the callee's body."""
        assigned = [m for m in re.finditer(rf"\b{re.escape(var)}\s*=\s*(?:[\w.]+\.)?(\w+)\s*\(", body)
                    if first + body.count("\n", 0, m.start()) < before]
        if not assigned:
            return None
        name, line = assigned[-1][1], first + body.count("\n", 0, assigned[-1].start())
        call = next((c for c in self._calls_in(method.path, line, line + 1)
                     if c["callee_name"].rsplit(".", 1)[-1] == name), None)
        target = call and (call.get("impl_id") or call.get("callee_id"))
        if not target or self._class_domains(target.split("#")[0])[1] is None:
            return None
        if not hasattr(self, "_method_rows"):
            self._method_rows = {m["symbol_id"]: m for m in self.view.methods}
        m = self._method_rows.get(target)
        if m is None or not m.get("path"):
            return None
        text = "\n".join(self.files.get(m["path"]).lines[m["start_line"] - 1:m["end_line"]])
        fields = {c[0].upper() + c[1:] for c in _CRITERION.findall(java_rules.code_text(text))}
        bound = self._bound_criteria(m, text, body, assigned[-1].end())
        if not fields and not bound:
            return None
        return {"call": call["callee_name"], "line": line, "path": m["path"], "fields": sorted(fields), "bound": bound}

    @staticmethod
    def _bound_criteria(m: dict, text: str, body: str, args_at: int) -> dict[str, str]:
        """Fields the loader filters on a parameter (`andUserIdEqualTo(userId)`), as the caller's argument for it:
        `order = orderService.findById(userId, orderId)` loads only the user's order, so a later
        `!order.getUserId().equals(userId)` never fires (blind read 20C: litemall S10/S39)."""
        params = re.findall(r"(\w+)\s*[,)]", (m.get("signature") or "").split("(", 1)[-1])
        depth, end = 1, args_at
        while end < len(body) and depth:
            depth += {"(": 1, ")": -1}.get(body[end], 0)
            end += 1
        args = [a.strip() for a in split_top(body[args_at:end - 1], (",",))[0]] if end > args_at else []
        if len(args) != len(params):
            return {}
        return {fld: args[params.index(p)] for fld, p in re.findall(r"\.and([A-Z]\w*?)EqualTo\(\s*(\w+)\s*\)",
                                                                      java_rules.code_text(text))
                if p in params and re.fullmatch(r"\w+", args[params.index(p)])}   # (blind read 21H: litemall S27,
        # `findById(userId, groupon.getOrderId())`: one argument a call, the bound one a plain name)

    def _calls_in(self, path: str, first: int, last: int) -> list[dict]:
        if not hasattr(self, "_calls_by_path"):
            self._calls_by_path: dict[str, list[dict]] = defaultdict(list)
            for c in self.view.calls:
                self._calls_by_path[c["path"]].append(c)
        return [c for c in self._calls_by_path.get(path, []) if first <= c["line"] < last]

    def _throw_site(self, call: dict, depth: int = 2) -> tuple[str, int] | None:
        """(path, line) in the method a call runs (its implementation for an interface) that throws: a `throw`,
        or a call to a method that throws (an assertion helper such as `Asserts.fail`); None if none does."""
        target = call.get("impl_id") or call.get("callee_id")
        if not target or depth == 0 or self._class_domains(target.split("#")[0])[1] is None:
            return None   # generated code (an Example's `andIdEqualTo` throws only on a null argument) or unknown
        if not hasattr(self, "_throw_cache"):
            self._throw_cache: dict[tuple[str, int], tuple[str, int] | None] = {}
            self._method_rows = {m["symbol_id"]: m for m in self.view.methods}
        key = (target, depth)
        if key not in self._throw_cache:
            self._throw_cache[key] = None   # a recursive call does not make it throw
            m = self._method_rows.get(target)
            if m is None or not m.get("path"):
                return None
            lines = self.files.get(m["path"]).lines[m["start_line"] - 1:m["end_line"]]
            own = next((m["start_line"] + n for n, text in enumerate(lines) if _THROW.search(java_rules.code_text(text))
                        and not text.lstrip().startswith(("*", "/*", "//"))), None)
            nested = next((c["line"] for c in self._calls_in(m["path"], m["start_line"], m["end_line"] + 1)
                           if c["caller_id"] == target and self._throw_site(c, depth - 1)), None)
            found = min((n for n in (own, nested) if n is not None), default=None)
            self._throw_cache[key] = (m["path"], found) if found is not None else None
        return self._throw_cache[key]

    def _method_symbol(self, class_id: str, name: str) -> str | None:
        prefix = f"{class_id}#{name}("
        return next((m["symbol_id"] for m in self.view.methods if m["symbol_id"].startswith(prefix)), None)

    def _implementation(self, callee_id: str) -> dict | None:
        """The method that runs for a call on an interface: same name and parameters in `<Interface>Impl`."""
        by_id = {m["symbol_id"]: m for m in self.view.methods}
        owner, _, member = callee_id.partition("#")
        impl_prefix = owner.rsplit(".", 1)[-1] + "Impl"
        for m in self.view.methods:
            cls, _, mem = m["symbol_id"].partition("#")
            if mem == member and cls.rsplit(".", 1)[-1] == impl_prefix:
                return m
        return by_id.get(callee_id)

    def _first_statements(self, method: dict, count: int = 3) -> tuple[int, int] | None:
        lines = self.files.get(method["path"]).lines
        n = method["start_line"]
        while n <= method["end_line"] and "{" not in lines[n - 1]:
            n += 1
        body = [i for i in range(n + 1, method["end_line"]) if lines[i - 1].strip()]
        return (body[0], body[min(count, len(body)) - 1]) if body else None

    def _link_schedule(self, method: Method, item: Found) -> None:
        """A job is only as meaningful as what it calls: add the first lines of the service method it runs."""
        caller = self._method_symbol(method.class_id, method.name)
        callee = next((c["callee_id"] for c in self.view.calls if c["caller_id"] == caller and c["callee_id"]), None)
        impl = self._implementation(callee) if callee else None
        if impl is None or not (first := self._first_statements(impl)):
            return
        item.spans.append((impl["path"], *first))
        item.facts["impl"] = f"{impl['symbol_id'].split('#')[0].rsplit('.', 1)[-1]}.{impl['name']}"
        item.facts["impl_line"] = first[0]
        item.facts["impl_path"] = impl["path"]

    def _triggers(self, senders: list[tuple[Method, Found]]) -> list[Rule]:
        """Where the code hands work to a message sender, and how it computes the delay it passes."""
        out = []
        for sender, found in senders:
            sid = self._method_symbol(sender.class_id, sender.name)
            if sid is None:
                continue
            for call in (c for c in self.view.calls if c["callee_id"] == sid):
                caller_cls = call["caller_id"].split("#")[0]
                domains, info = self._class_domains(caller_cls)
                if not domains:
                    continue
                lines = self.files.get(call["path"]).lines
                args = re.findall(r"\b([a-z]\w*)\b", lines[call["line"] - 1].split("(", 1)[-1])
                passed = _call_arguments(lines[call["line"] - 1], sender.name)
                spans, delay = [(call["line"], call["line"])], None
                for n in range(call["line"] - 1, max(0, call["line"] - 9), -1):
                    m = re.search(r"\b(\w+)\s*=(?!=)\s*(.+?);?\s*$", lines[n - 1])
                    if m and m[1] in args:
                        delay = {"variable": m[1], "expression": m[2].rstrip(";").strip(), "line": n}
                        spans.insert(0, (n, n))
                        break
                caller = call["caller_id"].split("(")[0].replace("#", ".").rsplit(".", 2)
                facts = {"method": f"{caller[-2]}.{caller[-1]}", "class": caller[-2], "method_name": caller[-1],
                         "role": "trigger", "sender": found.facts["method"], "line": call["line"], "delay": delay,
                         "arguments": passed}
                out.append(self._rule("messaging", domains, call["caller_id"], call["path"], spans, facts))
        return out

    # --------------------------------------------------------------- sql --
    def _param_writes(self) -> dict[tuple[str, int, str], list[dict]]:
        """(path, line, method name) of each call of a mapper method whose UPDATE sets a status column from one
        parameter (`SET order_status = #{orderStatus}`) -> that column and the parameter's position
        (`@Param("orderStatus")`, else the Java name): the caller chooses the state (java_rules.param_transitions)."""
        signatures = {m["symbol_id"]: m.get("signature") or "" for m in self.view.methods}
        by_method: dict[str, list[dict]] = defaultdict(list)
        for stmt in self.view.sql_statements:
            owner = self.table_owner.get((stmt.get("tables") or [""])[0])
            if stmt["kind"] != "update" or not owner or not stmt.get("method_id"):
                continue
            for column, param in _status_params(stmt["sql"]):
                index = _param_position(signatures.get(stmt["method_id"], ""), param)
                if index is not None:
                    lines_ = self.files.get(stmt["path"]).lines
                    c, p = re.escape(column), re.escape(param)
                    set_re = re.compile(rf"\b{c}`?\s*=\s*(?:#\{{\s*{p}\b|:{p}\b)", re.I)
                    set_line = next((n for n in range(stmt["start_line"], min(stmt["end_line"], len(lines_)) + 1)
                                     if set_re.search(lines_[n - 1])), stmt["start_line"])
                    by_method[stmt["method_id"]].append(
                        {"index": index, "field": _camel(column), "entity": owner,
                         "statement": f"{stmt['namespace'].rsplit('.', 1)[-1]}.{stmt['statement']}",
                         "stmt": {"path": stmt["path"], "line": set_line}})
        out: dict[tuple[str, int, str], list[dict]] = defaultdict(list)
        for call in self.view.calls:
            target = call.get("callee_id") or ""
            if target in by_method:
                out[(call["path"], call["line"], target.split("#")[1].split("(")[0])] += by_method[target]
        return out

    def _sql_rules(self) -> list[Rule]:
        out = []
        for stmt in self.view.sql_statements:
            domains, info = self._class_domains(stmt["namespace"])
            if not domains and (info is None or stmt["kind"] not in _WRITE_KINDS):
                continue   # a statement of a class in no requested domain counts only by what it writes
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
            spans: list[tuple] = [(d["start_line"], d["end_line"])]
            # labels proven elsewhere in the file (a mapping method too far below the constants)
            spans += [tuple(e["label_lines"]) for e in d["entries"] if e.get("label_lines")
                      and not (d["start_line"] <= e["label_lines"][0] and e["label_lines"][1] <= d["end_line"])]
            spans += self._code_field(d, facts)
            spans += self._fallback(d, facts)
            link = self._dict_link(d)
            if link is not None:   # the entity field these codes are stored in, and a line that shows it
                facts["describes"] = {"entity": d["entity"].rsplit(".", 1)[-1], "field": d["entity_field"],
                                      "path": link[0], "line": link[1]}
            out.append(self._rule("status_dict", domains, d["dict_id"], d["path"], spans, facts))
        return out

    def _code_field(self, d: dict, facts: dict) -> list[tuple[int, int]]:
        """An enum's code field (`orderStatus`, read by `getOrderStatus()`) into the facts, its declaration into
        the evidence: an answer names the member code reads, never a made-up `Enum.code`."""
        if d["source"] != "enum":
            return []
        field_name = next((c.accessor for c in self.constants.of_owner(d["dict_id"]) if c.accessor), None)
        line = code_field_line("\n".join(self.files.get(d["path"]).lines), field_name)
        if line is None:
            return []
        facts["code_field"], facts["code_field_line"] = field_name, line
        return [(line, line)]

    def _fallback(self, d: dict, facts: dict) -> list[tuple[int, int]]:
        """An enum's lookup fallback (`return DEFAULT;`), left out of its codes, into the facts with the lines of its
        declaration and of the return that hands it out."""
        if d["source"] != "enum":
            return []
        found = fallback("\n".join(self.files.get(d["path"]).lines))
        if found is None or any(e.get("name") == found["name"] for e in d["entries"]):
            return []
        facts["fallback"] = found
        return [(found["line"], found["line"]), (found["returned_at"], found["returned_at"])]

    def _dict_link(self, d: dict) -> tuple[str, int] | None:
        """(path, line) of a call setting the dictionary's entity field to one of its constants, which proves
        that the constants are that field's codes; None for a dictionary documented on its own field."""
        if d["source"] not in ("constants", "enum") or not d.get("entity") or not d.get("entity_field"):
            return None
        setter = f"{d['entity']}#set{d['entity_field'][0].upper()}{d['entity_field'][1:]}("
        names = [e["name"] for e in d["entries"] if e.get("name")]
        for call in self.view.calls:
            if not (call.get("callee_id") or "").startswith(setter):
                continue
            text = " ".join(self.files.get(call["path"]).lines[call["line"] - 1: call["line"] + 1])
            if any(re.search(rf"\b{re.escape(d['owner'])}\.{re.escape(n)}\b", text) for n in names):
                return call["path"], call["line"]
        return None


# `status = #{status}` (MyBatis) or `status = :status` (a Spring Data native query's named parameter)
_PARAM_STATUS_SET = re.compile(r"^`?(\w*status)`?\s*=\s*(?:#\{\s*(\w+)\s*(?:,[^}]*)?\}|:(\w+))$", re.I)


def _status_params(sql: str) -> list[tuple[str, str]]:
    """(column, parameter) of each `status = #{param}` assignment in an UPDATE's SET clause."""
    m = re.search(r"(?is)\bset\b(.*?)(?:\bwhere\b|$)", sql)
    assigns, _ = split_top(m.group(1), (",",)) if m else ([], None)
    return [(f.group(1), f.group(2) or f.group(3)) for a in assigns if (f := _PARAM_STATUS_SET.match(a.strip()))]


def _param_position(signature: str, name: str) -> int | None:
    """The position of the Java parameter bound to `#{name}`: `@Param("name")`, else the parameter so named."""
    inner = signature.partition("(")[2].rpartition(")")[0]
    parts = [p.strip() for p in re.split(r",(?![^<]*>)", inner) if p.strip()]
    for n, part in enumerate(parts):
        if re.search(rf'@Param\(\s*(?:value\s*=\s*)?"{re.escape(name)}"\s*\)', part) or re.search(rf"\b{re.escape(name)}$", part):
            return n
    return None


_LOOPS = frozenset({"for_statement", "enhanced_for_statement", "while_statement", "do_statement"})


def _accumulated_test(method: Method, facts: dict) -> bool:
    """A condition on the way to the change tests a local that a loop builds up (`errorOrderNos += no` for each
    order that fails a check, `bad.add(x)`): the real condition is the loop's, which the path does not hold,
    so the path is no complete answer to "when" (newbee closeOrder: `!StringUtils.hasText(errorOrderNos)`); so
    is a write of the rows such a loop collected."""
    names = {n for c in (facts.get("within") or []) + (facts.get("exits") or [])
             for n in re.findall(r"\b([a-z]\w*)\b", c.get("condition") or "")}
    # the rows written are those a loop collected (mall cancelTimeOutOrder: `ids.add(..)`, then updateOrderStatus(ids, 4))
    call = (facts.get("write") or {}).get("call") or ""
    names |= set(re.findall(r"\b([a-z]\w*)\b(?!\s*\()", call.partition("(")[2]))
    loops = [java_rules.code(node) for node in java_ast.walk(method.node, _LOOPS)]
    return any(re.search(rf"\b{re.escape(n)}\s*(?:\+=|=\s*{re.escape(n)}\s*\+)|\b{re.escape(n)}\.(?:add|addAll|append|put)\(",
                         body) for n in names for body in loops)


def _camel(column: str) -> str:
    head, *rest = column.lower().split("_")
    return head + "".join(w.title() for w in rest)


_UNBOX = r"(?:\.(?:intValue|shortValue|byteValue|longValue)\(\))?"
_OPERAND = r"((?:\(\s*\w+\s*\)\s*)?-?[\w.]+(?:\(\))?)"


def _codes_allowed(status_guards: list[Found], getter: str, code_of) -> list[str]:
    """Codes a status may have for the operation to go on, read from `if (x.getStatus() != 0) fail`,
    `if (x.getStatus().intValue() != Status.PAID.getCode()) fail` or `if (!C.equals(x.getStatus())) fail`;
    `code_of` turns an operand (literal or constant) into its code, or None."""
    g_re = re.escape(getter) + _UNBOX
    patterns = [g_re + r"\s*!=\s*" + _OPERAND, _OPERAND + r"\s*!=\s*[\w.]*" + g_re + r"(?![\w.])",
                r"!\s*[\w.]*" + g_re + r"\.equals\(" + _OPERAND + r"\)", r"!\s*" + _OPERAND + r"\.equals\([\w.]*" + g_re + r"\)"]
    allowed: set[str] = set()
    for g in status_guards:
        if not g.facts.get("holds", True):
            continue
        cond = g.facts["condition"]
        for pattern in patterns:
            for operand in re.findall(pattern, cond):
                code = code_of(operand)
                if code is not None:
                    allowed.add(code)
    return sorted(allowed)


def _codes_excluded(guard: dict, getter: str, code_of) -> set[str] | None:
    """The codes an exit rejects when its whole condition is `x.getStatus() == A || x.getStatus() == B ...`
    (newbee cancelOrder: 4, -1, -2, -3): the move goes on from every other code; None for any other shape."""
    if not guard.get("holds", True):
        return None
    g_re = r"[\w.]*" + re.escape(getter) + _UNBOX
    forms = [g_re + r"\s*==\s*" + _OPERAND, _OPERAND + r"\s*==\s*" + g_re, g_re + r"\.equals\(" + _OPERAND + r"\)",
             _OPERAND + r"\.equals\(" + g_re + r"\)"]
    parts, _ = split_top(guard["condition"], ("||",))
    codes = set()
    for part in (strip_parens(squash(p).strip()) for p in parts):
        operand = next((m.group(1) for f in forms if (m := re.fullmatch(f, part))), None)
        code = code_of(operand) if operand else None
        if code is None:
            return None
        codes.add(code)
    return codes or None


def _negated_calls(condition: str) -> str:
    """The calls a guard requires to be true: `!isCreateStatus(o) && !isPayStatus(o)` fails unless one of them
    holds, so the operation goes on only from their codes; a call that is not negated says nothing of that."""
    if "||" in condition:
        return ""
    return " ".join(re.findall(r"!\s*([\w.]+\(\s*\w+\s*\))", condition))


def _operands(values: str) -> list[str]:
    """The values of a criteria call `andStatusIn(Arrays.asList(1, OrderUtil.STATUS_PAY))`, one by one."""
    return re.findall(r"(?:\(\s*\w+\s*\)\s*)?-?[A-Za-z_\d][\w.]*(?:\(\))?", values)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones merged (touching ones stay apart: each proves its own step)."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _call_arguments(line: str, name: str) -> list[str] | None:
    """The arguments of the call to `name` on this line, as written; None when the call does not close on the line
    (an answer then names no argument list rather than a partial one)."""
    start = line.find(f"{name}(")
    if start < 0:
        return None
    inner, depth = line[start + len(name) + 1:], 1
    for i, ch in enumerate(inner):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return [a.strip() for a in split_top(inner[:i], (",",))[0] if a.strip()]
    return None
