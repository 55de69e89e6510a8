"""Is a service method atomic? Which of its database writes does a failure after the first one undo?

A Spring `@Transactional` on the method, on its class, or on the interface method or interface it implements
(the most specific one wins) runs the method in one transaction; Spring rolls it back when a RuntimeException
or an Error leaves the method, not on a checked exception unless `rollbackFor` names it. Without one, every
write commits on its own and a failure after write k leaves writes 1..k in the database. Redis and message
sends are no part of a database transaction: they stay whatever happens after them.

Asked only where the answer is exact: the walk of the method reached every callee (no interface method without
its implementation, no mapper method whose name says neither read nor write), nothing on the way catches an
exception (a `catch` decides what rolls back), every explicit throw's exception type resolves to
RuntimeException / Error or a checked type through the repository's own classes, no callee on another bean
brings its own transaction settings (propagation, rollback rules, or a transaction of its own under a method
without one), and the method is public, not final or static, and never called from its own class (that call
would bypass the proxy). An early `return` after a write commits what was written.
"""

from __future__ import annotations

import re

from core.generate import read_facts
from core.generate.flow_facts import WRITES, TooBroad, complete, control_fact, member_label, statement_label
from core.generate.qa_templates import Cite, control_text, file_name, pick, unique_claims, write_text
from core.generate.work import WorkItem
from core.models import Span

MAX_WRITES = 8   # write call sites one answer lists
MAX_FAILURES = 6   # failures after the first write one answer walks through
MAX_EVIDENCE = 24   # a checkout with stock, coupon, points, cart and a delayed message needs them all
SERVICE_LAYERS = ("service", "service_impl")
_RUNTIME = frozenset("""RuntimeException IllegalArgumentException IllegalStateException NullPointerException
UnsupportedOperationException IndexOutOfBoundsException ArithmeticException ClassCastException
NumberFormatException ConcurrentModificationException NoSuchElementException""".split())
_ERRORS = frozenset({"Error", "AssertionError", "OutOfMemoryError", "StackOverflowError"})
_CHECKED = frozenset({"Exception", "IOException", "SQLException", "InterruptedException", "TimeoutException",
                      "Throwable", "ExecutionException", "ParseException"})
# field types whose calls leave the database transaction: caches, brokers, search indexes, mail, HTTP
_EXTERNAL = re.compile(r"Redis|Amqp|Rabbit|Kafka|Jms|RocketMQ|Mongo|Elasticsearch|MailSender|RestTemplate|WebClient")
_MAYBE = frozenset({"if", "else", "and", "or", "skip", "stop", "catch", "loop", "lambda"})   # may run zero times
_THROW_NEW = re.compile(r"\bthrow\s+new\s+([A-Z]\w*)\s*\(")
_THROW = re.compile(r"\bthrow\b")
_RETURN = re.compile(r"(?:^\s*|[;{)]\s*|\belse\s+)return\b")   # also `if (x == null) return;` on one line
_ARG_CLASSES = re.compile(r"([A-Z]\w*)\.class")
# what makes code order no longer the order of effects and failures: a catch, finally or lock; work deferred to
# after the commit or the rollback (TransactionSynchronization.afterCommit / afterCompletion)
_GUARDED = re.compile(r"\bcatch\s*\(|\bfinally\b|orElseThrow|\bsynchronized\b|TransactionSynchronization"
                      r"|after(?:Commit|Completion)\b")


def atomicity_items(planner) -> list[WorkItem]:
    """One 'is M atomic' item per public service method that reaches two or more write call sites and whose
    failures after the first write are all known (module doc)."""
    tx = _Transactions(planner)
    unresolved = _unknown_callers(planner.data)
    items = []
    for method_id in sorted(planner.graph.methods):
        if planner.layers.get(planner.graph.methods[method_id].owner) not in SERVICE_LAYERS:
            continue
        try:
            facts = _facts(planner, tx, method_id, unresolved)
        except TooBroad:
            continue
        if facts is None:
            continue
        domain = planner._write_domain([{"stmt_id": w["stmt_id"], "tables": w["tables"]} for w in facts["writes"]])
        if domain is None:
            continue
        evidence = planner.evidence(_spans(planner, facts))
        if planner.weight(evidence) > MAX_EVIDENCE:
            continue
        ref = f"atomicity:{method_id}"
        for lang in planner.languages:
            items.append(planner._item(ref, "flow", "atomicity", "atomicity", lang, domain,
                                       atomicity_question(facts, lang, ref), facts, evidence))
    return items


def transaction_of(planner, method_id: str) -> dict | None:
    """The @Transactional that covers a method (its own, its class's, its interface's), or None."""
    return _Transactions(planner).holder(method_id)


class _Transactions:
    """Where a method's @Transactional comes from, and what Spring does with an exception type."""

    def __init__(self, planner):
        self.planner = planner
        self.classes = {c["symbol_id"]: c for c in planner.data["classes"]}
        self.by_name: dict[str, list[dict]] = {}
        for c in planner.data["classes"]:
            self.by_name.setdefault(c.get("name") or c["symbol_id"].rsplit(".", 1)[-1], []).append(c)
        self.implemented: dict[str, set[str]] = {}
        for c in planner.data["calls"]:
            if c.get("impl_id") and c.get("callee_id"):
                self.implemented.setdefault(c["impl_id"], set()).add(c["callee_id"])

    def cls(self, name: str) -> dict | None:
        found = self.by_name.get(name.rsplit(".", 1)[-1]) or []
        return found[0] if len(found) == 1 else None

    def holder(self, method_id: str) -> dict | None:
        """The most specific @Transactional for the method: {where method|class|interface method|interface, label,
        path, start_line, end_line, args}; None when there is none."""
        m = self.planner.symbols.get(method_id) or {}
        owner = self.classes.get(m.get("parent_id") or "") or {}
        ifaces = [i for i in (self.cls(x) for x in owner.get("extends") or []) if i and i.get("kind") == "interface"]
        iface_methods = [self.planner.symbols[x] for x in sorted(self.implemented.get(method_id, ()))
                         if x in self.planner.symbols]
        if not iface_methods:
            params = _params(m.get("signature") or "")
            iface_methods = [s for i in ifaces for s in self.planner.data["symbols"]
                             if s.get("parent_id") == i["symbol_id"] and s["name"] == m.get("name")
                             and _params(s.get("signature") or "") == params]
        candidates = [("method", m), ("class", owner)] + [("interface method", s) for s in iface_methods] + \
            [("interface", i) for i in ifaces]
        for where, sym in candidates:
            ann = next((a for a in sym.get("annotations") or [] if a.get("name") == "Transactional"), None)
            if ann is not None:
                start, end = self._declaration(sym)
                label = member_label(sym["symbol_id"]) if where in ("method", "interface method") else \
                    sym["symbol_id"].rsplit(".", 1)[-1]
                return {"where": where, "label": label, "path": sym["path"], "start_line": start, "end_line": end,
                        "args": ann.get("args") or ""}
        return None

    def _declaration(self, sym: dict) -> tuple[int, int]:
        """From the first annotation above the declaration to the line that opens it (holds its name)."""
        lines = self.planner.files.get(sym["path"]).lines
        start = sym["start_line"]
        while start > 1 and lines[start - 2].strip().startswith("@"):
            start -= 1
        end = sym["start_line"]
        while end < len(lines) and not re.search(r"[{;]\s*$", lines[end - 1]) and end - start < 8:
            end += 1
        return start, end

    def chain(self, name: str) -> list[dict] | None:
        """The exception's superclasses up to a JDK type: [{name, path, line}] of the repository's classes, the
        JDK name last as {name}; None when a step cannot be resolved."""
        out, seen = [], set()
        while name not in _RUNTIME | _ERRORS | _CHECKED:
            c = self.cls(name)
            if c is None or name in seen or not c.get("extends"):
                return None
            seen.add(name)
            out.append({"name": name, "path": c["path"], "line": c["start_line"]})
            name = c["extends"][0].rsplit(".", 1)[-1]
        return out + [{"name": name}]

    @staticmethod
    def rolls_back(chain: list[dict], args: str) -> bool | None:
        """Spring's rule for an exception with these supertypes under the annotation's arguments; None when a
        rollbackFor and a noRollbackFor rule both match (the nearer one wins: not said here)."""
        names = [c["name"] for c in chain]
        rollback = set(_ARG_CLASSES.findall(_attr(args, "rollbackFor")))
        no_rollback = set(_ARG_CLASSES.findall(_attr(args, "noRollbackFor")))
        if set(names) & rollback and set(names) & no_rollback:
            return None
        if set(names) & rollback or (not set(names) & no_rollback and names[-1] in _RUNTIME | _ERRORS):
            return True
        return False


def _attr(args: str, name: str) -> str:
    found = re.search(rf"\b{name}\s*=\s*(\{{[^}}]*\}}|[\w.]+)", args)
    return found.group(1) if found else ""


def _params(signature: str) -> int:
    inner = signature.split("(", 1)[-1].rsplit(")", 1)[0].strip()
    return 0 if not inner else inner.count(",") + 1


def _plain(args: str) -> bool:
    """A transaction whose only settings Spring's defaults would give too: propagation REQUIRED (or unset),
    not read-only; isolation and timeouts do not change what rolls back."""
    propagation = _attr(args, "propagation")
    return propagation in ("", "Propagation.REQUIRED", "REQUIRED") and "readOnly = true" not in args.replace(
        "readOnly=true", "readOnly = true")


def _facts(planner, tx: _Transactions, method_id: str, unresolved: set[str]) -> dict | None:
    sym = planner.symbols.get(method_id)
    if sym is None or sym["kind"] != "method" or not re.search(r"\bpublic\b", sym.get("modifiers") or "") or \
            re.search(r"\b(static|final|abstract)\b", sym.get("modifiers") or ""):
        return None
    owner = planner.graph.methods[method_id].owner
    if planner.inactive.get(owner):
        return None
    steps = planner.graph.walk(method_id)
    if not complete(steps) or not _known(planner, steps, unresolved):
        return None
    holder = tx.holder(method_id)
    if holder is not None and (not _plain(holder["args"]) or "noRollbackFor" in holder["args"]):
        return None
    if holder is None and any(tx.holder(c) for c in _callers(planner, method_id)):
        return None   # it joins its caller's transaction there: "each write commits on its own" would be wrong
    inner = _inner_callers(planner, tx, method_id, holder is not None)
    if inner is None:
        return None
    walker = _Walker(planner, tx, owner, holder is not None)
    walker.visit(method_id, [], frozenset({method_id}))
    if walker.failed:
        return None
    events = walker.events
    writes = [e for e in events if e["kind"] == "write"]
    if len(writes) < 2 or len(writes) > MAX_WRITES or any(not w["tables"] for w in writes) or not _together(writes):
        return None
    first = events.index(writes[0])
    for n, w in enumerate(writes, 1):
        w["n"] = n
    failures = []
    for k, e in enumerate(events):
        if e["kind"] not in ("throw", "return") or k < first:
            continue
        if e["kind"] == "throw":
            chain = tx.chain(e["exception"])
            if chain is None:
                return None
            e["chain"] = chain
            e["rolls_back"] = bool(holder) and tx.rolls_back(chain, holder["args"] if holder else "")
            if holder and e["rolls_back"] is None:
                return None
        before = [w["n"] for w in events[:k] if w["kind"] == "write"]
        if _loop_repeats(e, [w for w in events[k + 1:] if w["kind"] == "write"]):
            return None   # a later write of the same loop ran in earlier iterations: not said here
        if any(_conditional(w, e) for w in events[:k] if w["kind"] == "write"):
            return None   # a write in a branch the failure is not in may never run before it (or exclude it)
        e["before"] = before
        e["external"] = [x for x in events[:k] if x["kind"] == "external"]
        failures.append(e)
    if len(failures) > MAX_FAILURES:
        return None
    m = planner.graph.methods[method_id]
    decl_start, decl_end = tx._declaration(sym)
    return {"method": member_label(method_id), "method_id": method_id, "path": m.path,
            "decl": [decl_start, decl_end], "holder": holder, "owner": owner.rsplit(".", 1)[-1],
            "owner_decl": _class_decl(planner, tx, owner), "writes": writes, "failures": failures,
            "externals": [e for e in events if e["kind"] == "external"], "inner": inner, "_path": m.path}


def _class_decl(planner, tx: _Transactions, owner: str) -> list[int] | None:
    c = tx.classes.get(owner)
    if not c or not c.get("start_line"):
        return None
    start, end = tx._declaration({"path": c["path"], "start_line": c["start_line"]})
    return [start, end]


def _unknown_callers(data: dict) -> set[str]:
    """Methods with a call the index could not type, named like a method of the project's data or service classes
    (read_facts' rule), less the calls made on the value a model getter returns (`order.getTotalAmount().add(..)`
    is BigDecimal arithmetic, not a service's `add`)."""
    layers = {c["symbol_id"]: c.get("layer") for c in data["classes"]}
    names = {s["name"] for s in data["symbols"]
             if s["kind"] == "method" and layers.get(s.get("parent_id") or "") in ("mapper", "dao", "service", "service_impl")}
    model_calls = {(c["caller_id"], c["line"], c["callee_name"]) for c in data["calls"] if c.get("callee_id")
                   and layers.get(c["callee_id"].split("#")[0]) in ("model", "dto")}
    out = set()
    for c in data["calls"]:
        if c.get("callee_id") or c.get("receiver_type") or c["callee_name"].rsplit(".", 1)[-1] not in names:
            continue
        root = c["callee_name"].split("(", 1)[0]
        if "(" in c["callee_name"] and any((c["caller_id"], n, root) in model_calls for n in range(c["line"], c["line"] + 6)):
            continue
        out.add(c["caller_id"])
    return out & read_facts._unknown_callers(data)


def _self_called(planner, method_id: str) -> bool:
    """Another method of the same class calls it: that call runs on `this`, past the transaction proxy."""
    owner = planner.graph.methods[method_id].owner
    return any(target == method_id and caller.split("#")[0] == owner
               for caller, edges in planner.graph.out.items() for target, _via, _line in edges)


def _inner_callers(planner, tx: _Transactions, method_id: str, transactional: bool) -> list[dict] | None:
    """The methods of its own class that call it on `this`, past the proxy: [{label, path, line, holder}]. None
    (not asked) unless each of them is called from outside its class and is transactional exactly when the method
    is, with default settings: then the answer holds on every path (the caller's transaction covers the call)."""
    owner = planner.graph.methods[method_id].owner
    out = []
    for caller, edges in sorted(planner.graph.out.items()):
        for target, _via, line in edges:
            if target != method_id or caller.split("#")[0] != owner:
                continue
            holder = tx.holder(caller)
            if _self_called(planner, caller) or (holder is not None) != transactional or \
                    (holder and (not _plain(holder["args"]) or "noRollbackFor" in holder["args"])):
                return None
            out.append({"label": member_label(caller), "path": planner.graph.methods[caller].path, "line": line,
                        "holder": holder})
    return out


def _callers(planner, method_id: str) -> list[str]:
    return sorted({caller for caller, edges in planner.graph.out.items() for target, _via, _line in edges
                   if target == method_id})


def _known(planner, steps: list[dict], unresolved: set[str]) -> bool:
    """Every method reached ran code the index followed (read_facts' rule, with interfaces from the class map)."""
    interfaces = {c["symbol_id"] for c in planner.data["classes"] if c.get("kind") == "interface"}
    for s in steps:
        if s["kind"] == "sql":
            if planner.stmts.get(s["stmt_id"], {}).get("kind") == "unknown":
                return False
            continue
        method = planner.graph.methods.get(s["symbol_id"])
        if method is None or s["symbol_id"] in unresolved:
            return False
        if method.owner in interfaces and planner.graph.layer(s["symbol_id"]) not in ("mapper", "dao"):
            return False
    return True


def _exclusive(a: dict, b: dict) -> bool:
    """The two sit on the two sides of one `if` / `else`: one call never runs both."""
    sides_a = {(h["path"], c["line"]): c["kind"] for h in a["hops"] for c in h["controls"] if c["kind"] in ("if", "else")}
    return any(sides_a.get((h["path"], c["line"]), c["kind"]) != c["kind"]
               for h in b["hops"] for c in h["controls"] if c["kind"] in ("if", "else"))


def _together(writes: list[dict]) -> bool:
    """Some two writes can run in one call (a method whose writes are all alternatives has no 'halfway')."""
    return any(not _exclusive(a, b) for i, a in enumerate(writes) for b in writes[i + 1:])


def _loop_repeats(failure: dict, later_writes: list[dict]) -> bool:
    loops = {(c["line"], h["path"]) for h in failure["hops"] for c in h["controls"] if c["kind"] in ("loop", "lambda")}
    return any((c["line"], h["path"]) in loops for w in later_writes for h in w["hops"] for c in h["controls"])


class _Walker:
    """The method's run in code order: writes, throws, early returns and calls that leave the database, each with
    the call chain that reaches it ({kind, hops: [{caller, label, path, line, controls}], ...}). `failed` when
    something makes the answer unsure (a catch, a rethrow, a callee with a transaction of its own)."""

    def __init__(self, planner, tx: _Transactions, owner: str, transactional: bool):
        self.p, self.tx, self.owner, self.transactional = planner, tx, owner, transactional
        self.events: list[dict] = []
        self.failed = False
        self.helpers = _throw_helpers(planner)
        self.fields = _external_fields(planner)

    def visit(self, method_id: str, chain: list[dict], on_path: frozenset[str]) -> None:
        g, p = self.p.graph, self.p
        info = g.methods[method_id]
        for st in g.sql_by_method.get(method_id, []):
            if st["kind"] in WRITES:
                self.events.append({"kind": "write", "stmt_id": st["stmt_id"], "label": statement_label(st["stmt_id"]),
                                    "sql_kind": st["kind"], "tables": st["tables"] or [], "path": st["path"],
                                    "start_line": st["start_line"], "end_line": st["end_line"], "hops": chain})
        if not info.path.endswith(".java") or g.layer(method_id) in ("mapper", "dao"):
            return
        lines = p.files.get(info.path).lines
        calls = {}
        for target, _via, line in g.out.get(method_id, []):
            calls.setdefault(line, []).append(target)
        count, guarded, exit_at = len(self.events), False, None
        for n in range(info.start_line, min(info.end_line, len(lines)) + 1):
            text = _code(lines[n - 1])
            guarded = guarded or bool(_GUARDED.search(text))
            def hop(callee: str | None, n: int = n) -> dict:
                return {"caller": method_id, "label": member_label(method_id), "path": info.path, "line": n,
                        "controls": [control_fact(c) for c in p.outline.controls(info.path, n, callee)]}
            field = next((f for f in re.findall(r"\b([a-z]\w*)\s*\.\s*\w+\s*\(", text)
                          if (info.owner, f) in self.fields), None)
            if field:
                self.events.append({"kind": "external", "field": field, "type": self.fields[(info.owner, field)],
                                    "hops": [*chain, hop(None)]})
                continue
            for target in calls.get(n, []):
                if target in self.helpers:
                    target = _overload_for(target, text, self.helpers)
                    self.events.append({"kind": "throw", "exception": self.helpers[target]["exception"],
                                        "helper": self.helpers[target], "code": text.strip(),
                                        "hops": [*chain, hop(target.split("#")[1].split("(")[0])]})
                elif target not in on_path and g.followable(target):
                    self._callee(method_id, target)
                    self.visit(target, [*chain, hop(target.split("#")[1].split("(")[0])], on_path | {target})
            if _THROW.search(text):
                found = _THROW_NEW.search(text)
                if found is None:
                    self.failed = True   # a rethrow or a thrown variable: type not read here
                    return
                self.events.append({"kind": "throw", "exception": found.group(1), "code": text.strip(),
                                    "hops": [*chain, hop(None)]})
            elif _RETURN.search(text) and n < _last_line(lines, info.end_line):
                ret = hop(None)   # a `return` in a lambda ends the lambda, not the method
                if any(c["kind"] == "lambda" for c in ret["controls"]):
                    continue
                if not chain:
                    self.events.append({"kind": "return", "code": text.strip(), "hops": [ret]})
                elif exit_at is None:
                    exit_at = len(self.events)
        if guarded and len(self.events) > count:
            self.failed = True   # a catch, lock or deferred callback around its writes or throws decides the outcome
        if exit_at is not None and any(e["kind"] == "write" for e in self.events):
            # a callee's early return skips its later writes, or ends it after a write: the answer's write
            # conditions and "no early return follows the first write" would not hold (mall updateCouponStatus)
            self.failed = True

    def _callee(self, caller: str, target: str) -> None:
        """A callee on another bean with a @Transactional of its own: under a method without one it would group
        its writes; with settings other than the defaults it changes what rolls back. Either way: not asked."""
        if target.split("#")[0] == caller.split("#")[0] or self.p.graph.layer(target) in ("mapper", "dao"):
            return
        holder = self.tx.holder(target)
        if holder is not None and (not self.transactional or not _plain(holder["args"]) or
                                   "rollbackFor" in holder["args"] or "noRollbackFor" in holder["args"]):
            self.failed = True


def _code(line: str) -> str:
    """The line without a trailing `//` comment or a comment line's text."""
    stripped = line.strip()
    if stripped.startswith(("//", "*", "/*")):
        return ""
    return re.sub(r"//.*$", "", line)


def _last_line(lines: list[str], end: int) -> int:
    """The method's last statement line (before its closing brace): a `return` there is its normal end."""
    n = end - 1
    while n > 0 and lines[n - 1].strip() in ("", "}"):
        n -= 1
    return n


def _overload_for(target: str, text: str, helpers: dict[str, dict]) -> str:
    """The helper overload a call with a string literal runs (`Asserts.fail("..")` is `fail(String)`, not the
    `fail(IErrorCode)` the call graph may have picked: blind read 21J, mall S9 cited the other one)."""
    name = target.split("#")[1].split("(")[0]
    if re.search(rf"\b{re.escape(name)}\s*\(\s*\"", text) and (alt := f"{target.split('(')[0]}(String)") in helpers:
        return alt
    return target


def _throw_helpers(planner) -> dict[str, dict]:
    """Methods whose whole body is `throw new X(..)` (a failure helper such as `Asserts.fail`): calling one
    throws X. {method id: {exception, label, path, line}}."""
    if hasattr(planner, "_throw_helpers"):
        return planner._throw_helpers
    out = {}
    for s in planner.data["symbols"]:
        if s["kind"] != "method" or not s["path"].endswith(".java"):
            continue
        body = "\n".join(planner.files.get(s["path"]).lines[s["start_line"] - 1:s["end_line"]])
        inner = body.split("{", 1)[-1].rsplit("}", 1)[0]
        found = re.fullmatch(r"\s*throw\s+new\s+([A-Z]\w*)\s*\([^;]*\);\s*", inner, re.S)
        if found:
            line = s["start_line"] + next(n for n, t in enumerate(body.splitlines()) if "throw" in t)
            out[s["symbol_id"]] = {"exception": found.group(1), "label": member_label(s["symbol_id"]),
                                   "path": s["path"], "line": line}
    planner._throw_helpers = out
    return out


def _external_fields(planner) -> dict[tuple[str, str], str]:
    """(class, field) -> type for fields whose type talks to something outside the database (Redis, a broker)."""
    return {(s.get("parent_id") or "", s["name"]): re.sub(r"<.*", "", s["type"]) for s in planner.data["symbols"]
            if s["kind"] == "field" and s.get("type") and _EXTERNAL.search(s["type"])}


def _spans(planner, f: dict) -> list[Span]:
    spans = [Span(path=f["path"], start_line=f["decl"][0], end_line=f["decl"][1])]
    h = f["holder"]
    if h and h["where"] != "method":
        spans.append(Span(path=h["path"], start_line=h["start_line"], end_line=h["end_line"]))
    if not h and f["owner_decl"]:
        spans.append(Span(path=f["path"], start_line=f["owner_decl"][0], end_line=f["owner_decl"][1]))
    for e in f["writes"] + f["failures"] + f["externals"]:
        spans += planner._hop_spans(e["hops"])
    for c in f["inner"]:
        spans.append(Span(path=c["path"], start_line=c["line"], end_line=c["line"]))
        if c["holder"]:
            spans.append(Span(path=c["holder"]["path"], start_line=c["holder"]["start_line"],
                              end_line=c["holder"]["end_line"]))
    tops = [e["hops"][0]["line"] for e in f["writes"] if e["hops"] and e["hops"][0]["path"] == f["path"]]
    if not f["failures"] and tops and max(tops) - min(tops) < 40:   # "no throw follows the first write": the lines
        spans.append(Span(path=f["path"], start_line=min(tops), end_line=max(tops)))   # it says that of (20B: S23)
    spans += [planner._sql_span(w) for w in f["writes"]]
    for e in f["failures"]:
        if e.get("helper"):
            spans.append(Span(path=e["helper"]["path"], start_line=e["helper"]["line"], end_line=e["helper"]["line"]))
        spans += [Span(path=c["path"], start_line=c["line"], end_line=c["line"]) for c in e.get("chain") or [] if c.get("path")]
    return spans


# ------------------------------------------------------------------ text --
def atomicity_question(f: dict, lang: str, seed: str) -> str:
    m = f"`{f['method']}`"
    if lang == "en":
        return pick(seed, [f"Is {m} atomic: if it fails after its first database write, which of its writes are rolled back?",
                           f"Does {m} run its writes in one transaction? If it fails halfway, which writes are undone?"])
    return f"{m} 是原子的吗？如果在第一次写库之后失败，它的哪些写入会被回滚？"


def _where(e: dict) -> str:
    h = e["hops"][-1]
    return f"{file_name(h['path'])}:{h['line']}"


def _controls(e: dict, lang: str) -> str:
    conds = [control_text(c, lang) for h in e["hops"] for c in h["controls"]]
    return ("" if not conds else (", " + ", ".join(conds)) if lang == "en" else "，" + "、".join(conds))


def _chain(e: dict) -> str:
    return " → ".join(f"`{h['label']}`" for h in e["hops"])


def _numbers(ns: list[int], lang: str) -> str:
    """'write [1]', 'writes [1]–[3]' (bracketed: list references, not values the code holds)."""
    if len(ns) == 1:
        return (f"write [{ns[0]}]" if lang == "en" else f"第 [{ns[0]}] 项写入")
    if ns == list(range(ns[0], ns[-1] + 1)):
        return (f"writes [{ns[0]}]–[{ns[-1]}]" if lang == "en" else f"第 [{ns[0]}]–[{ns[-1]}] 项写入")
    return ("writes " + ", ".join(f"[{n}]" for n in ns) if lang == "en"
            else "第 " + "、".join(f"[{n}]" for n in ns) + " 项写入")


def _tx_text(f: dict, lang: str) -> str:
    h = f["holder"]
    if h is None:
        return (f"`{f['method']}` runs without a transaction: neither it, its class `{f['owner']}`, nor an interface "
                "it implements is annotated @Transactional, so each write commits on its own and a failure leaves every "
                "write made before it in the database." if lang == "en" else
                f"`{f['method']}` 没有事务：方法本身、类 `{f['owner']}` 及其实现的接口都没有 @Transactional，"
                "每次写入单独提交，失败时此前完成的写入都会留在数据库中。")
    where = {"method": "on the method itself", "class": f"on its class `{h['label']}`",
             "interface method": f"on the interface method `{h['label']}` it implements",
             "interface": f"on the interface `{h['label']}` it implements"}[h["where"]]
    where_zh = {"method": "方法本身", "class": f"类 `{h['label']}`", "interface method": f"它实现的接口方法 `{h['label']}`",
                "interface": f"它实现的接口 `{h['label']}`"}[h["where"]]
    rule = _ARG_CLASSES.findall(_attr(h["args"], "rollbackFor"))
    if lang == "en":
        rules = (f"with a rollback rule for {', '.join(f'`{r}`' for r in rule)}, so it also rolls back on those" if rule
                 else "with no rollback rule of its own, so Spring rolls it back when a RuntimeException or an Error leaves the "
                 "method, not on a checked exception")
        at = f"{file_name(h['path'])}:{h['start_line']}"
        return f"`{f['method']}` runs in one transaction: @Transactional {where} ({at}), {rules}."
    rules = (f"并为 {'、'.join(f'`{r}`' for r in rule)} 设置了回滚规则" if rule
             else "未设置额外的回滚规则，因此只有 RuntimeException 或 Error 抛出方法时 Spring 才回滚，受检异常不回滚")
    at = f"{file_name(h['path'])}:{h['start_line']}"
    return f"`{f['method']}` 在一个事务中运行：@Transactional 标注在{where_zh}（{at}），{rules}。"


def _write_line(w: dict, lang: str) -> str:
    at = _where(w)
    if lang == "en":
        return f"{w['n']}. {write_text({'kind': w['sql_kind'], 'tables': w['tables']}, lang)} by `{w['label']}`, " \
               f"called via {_chain(w)} ({at}){_controls(w, lang)}."
    return f"{w['n']}. {write_text({'kind': w['sql_kind'], 'tables': w['tables']}, lang)}：`{w['label']}`，" \
           f"调用路径 {_chain(w)}（{at}）{_controls(w, lang)}。"


def _exception_text(e: dict, lang: str) -> str:
    names = [c["name"] for c in e["chain"]]
    how = f"`{e['helper']['label']}` throws `{names[0]}`" if e.get("helper") else f"it throws `{names[0]}`"
    if len(names) == 1:
        return how if lang == "en" else how.replace(" throws ", " 抛出 ").replace("it 抛出", "抛出")
    ext = ", which extends " + ", which extends ".join(f"`{n}`" for n in names[1:])
    if lang == "en":
        return how + ext
    return how.replace(" throws ", " 抛出 ").replace("it 抛出", "抛出") + "，" + "，".join(f"继承自 `{n}`" for n in names[1:])


def _failure_line(e: dict, f: dict, lang: str) -> str:
    at = _where(e)
    done = _numbers(e["before"], lang) if e["before"] else None
    ext = e["external"]
    ext_en = "; " + ", ".join(f"the `{x['field']}` call at {_where(x)}" for x in ext) + \
        " already happened outside the database and is not undone" if ext else ""
    ext_zh = "；" + "、".join(f"{_where(x)} 的 `{x['field']}` 调用" for x in ext) + " 已在数据库之外执行，不会撤销" if ext else ""
    if e["kind"] == "return":
        if lang == "en":
            stay = "stays" if len(e["before"]) == 1 else "stay"
            return f"- `{e['code']}` at {at}{_controls(e, lang)} returns without an exception, so {done}, which ran " \
                   f"before it, {stay} committed{ext_en}."
        return f"- {at} 的 `{e['code']}`{_controls(e, lang)}不抛异常直接返回，此前执行的{done}会被提交{ext_zh}。"
    exc = _exception_text(e, lang)
    if lang == "en":
        if not f["holder"]:
            verdict = f"{done} {'stays' if len(e['before']) == 1 else 'stay'} in the database (no transaction)"
        elif e["rolls_back"]:
            verdict = f"{done}, which ran before it, are rolled back" if len(e["before"]) > 1 else \
                f"{done}, which ran before it, is rolled back"
        else:
            verdict = f"this is no rollback exception: {done} {'stays' if len(e['before']) == 1 else 'stay'} committed"
        return f"- `{e['code']}` at {at}{_controls(e, lang)}: {exc}; {verdict}{ext_en}."
    if not f["holder"]:
        verdict = f"{done}会留在数据库中（没有事务）"
    elif e["rolls_back"]:
        verdict = f"此前执行的{done}会被回滚"
    else:
        verdict = f"这不是触发回滚的异常：{done}会被提交"
    return f"- {at} 的 `{e['code']}`{_controls(e, lang)}：{exc}；{verdict}{ext_zh}。"


def _conditional(w: dict, failure: dict) -> bool:
    """The write sits in a branch or loop the failure is not in: it may not have run when the failure happens."""
    shared = {(h["path"], c["line"], c["kind"]) for h in failure["hops"] for c in h["controls"]}
    return any(c["kind"] in _MAYBE and (h["path"], c["line"], c["kind"]) not in shared
               for h in w["hops"] for c in h["controls"])


@unique_claims
def atomicity_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str) -> tuple[str, list[tuple[str, list[str]]]]:
    en = lang == "en"
    decl = cite.at(f["decl"][0], f["path"])
    h = f["holder"]
    trace = []
    if h:
        trace.append(((f"@Transactional is on `{h['label']}`" if en else f"`{h['label']}` 标注了 @Transactional"),
                      list(dict.fromkeys([cite.at(h["start_line"], h["path"]), decl]))))
    else:
        ids = [decl] + ([cite.at(f["owner_decl"][0], f["path"])] if f["owner_decl"] else [])
        trace.append(((f"neither `{f['method']}` nor its class `{f['owner']}` is annotated @Transactional" if en else
                       f"`{f['method']}` 及其类 `{f['owner']}` 都没有 @Transactional 注解"), list(dict.fromkeys(ids))))
    lines = [_tx_text(f, lang) + "".join(_inner_text(c, f, lang) for c in f["inner"]), "",
             "Its writes, in order:" if en else "它的写入（按顺序）："]
    name = f["method"].rsplit(".", 1)[-1]
    for c in f["inner"]:
        at = f"{file_name(c['path'])}:{c['line']}"
        trace.append(((f"`{c['label']}` calls `{name}` at {at}" if en else f"`{c['label']}` 在 {at} 调用 `{name}`"),
                      [cite.at(c["line"], c["path"])]))
        if c["holder"]:
            trace.append(((f"@Transactional is on `{c['holder']['label']}`" if en
                           else f"`{c['holder']['label']}` 标注了 @Transactional"),
                          [cite.at(c["holder"]["start_line"], c["holder"]["path"])]))
    for w in f["writes"]:
        lines.append(_write_line(w, lang))
        trace.append(((f"{_chain(w)} reaches `{w['label']}`, {write_text({'kind': w['sql_kind'], 'tables': w['tables']}, lang)}"
                       if en else f"{_chain(w)} 调用到 `{w['label']}`"),
                      list(dict.fromkeys([cite.at(x["line"], x["path"]) for x in w["hops"]]
                                         + [cite.at(w["start_line"], w["path"])]))))
        trace += _control_claims(w, lang, cite)
    lines.append("")
    if f["failures"]:
        lines.append("Each throw or early return after the first write:" if en else "第一次写入之后的每个 throw 或提前返回：")
        for e in f["failures"]:
            lines.append(_failure_line(e, f, lang))
            at = _where(e)
            trace.append(((f"`{e['code']}` is at {at}" if en else f"`{e['code']}` 位于 {at}"),
                          [cite.at(e["hops"][-1]["line"], e["hops"][-1]["path"])]))
            trace += _control_claims(e, lang, cite)
            if e.get("helper"):
                hp = e["helper"]
                says = f"`{hp['label']}` throws `{e['exception']}`" if en else f"`{hp['label']}` 抛出 `{e['exception']}`"
                trace.append((says,
                              [cite.at(hp["line"], hp["path"])]))
            for a, b in zip(e.get("chain") or [], (e.get("chain") or [])[1:]):
                trace.append(((f"`{a['name']}` extends `{b['name']}`" if en else f"`{a['name']}` 继承 `{b['name']}`"),
                              [cite.at(a["line"], a["path"])]))
    else:
        lines.append("No throw or early return follows the first write in it or the project methods it calls."
                     if en else "在第一次写入之后，它及其调用的项目方法中没有 throw 或提前返回。")
    if h:
        lines.append("A write that itself fails raises an unchecked data-access exception, which rolls back the writes "
                     "before it in the same way." if en else "写入本身失败时抛出的是非受检的数据访问异常，同样会回滚之前的写入。")
    if f["externals"]:
        lines.append(("Outside the database, so no rollback undoes them: " if en else "以下调用在数据库之外，回滚不会撤销：")
                     + ("; " if en else "；").join(_external_text(x, lang) for x in f["externals"]) + ("." if en else "。"))
    for x in f["externals"]:
        trace.append(((f"`{x['hops'][-1]['label']}` calls `{x['field']}` ({x['type']}) at {_where(x)}" if en else
                       f"`{x['hops'][-1]['label']}` 在 {_where(x)} 调用 `{x['field']}`（{x['type']}）"),
                      list(dict.fromkeys(cite.at(h["line"], h["path"]) for h in x["hops"]))))
    return "\n".join(lines).strip(), trace


def _inner_text(c: dict, f: dict, lang: str) -> str:
    """Its own class also calls it on `this` (past the proxy, so its own annotation is not what applies there)."""
    at = f"{file_name(c['path'])}:{c['line']}"
    if lang == "en":
        return (f" `{c['label']}` also calls it on `this` ({at}), where its own annotation is bypassed but "
                f"`{c['label']}`'s transaction covers the call." if c["holder"] else
                f" `{c['label']}` also calls it on `this` ({at}), without a transaction either.")
    return (f"`{c['label']}` 也在 {at} 通过 `this` 调用它：此时它自身的注解被绕过，但调用处于 `{c['label']}` 的事务中。"
            if c["holder"] else f"`{c['label']}` 也在 {at} 通过 `this` 调用它，同样没有事务。")


def _external_text(x: dict, lang: str) -> str:
    if lang == "en":
        return f"the `{x['field']}` call ({x['type']}) at {_where(x)}, via {_chain(x)}{_controls(x, lang)}"
    return f"{_where(x)} 的 `{x['field']}` 调用（{x['type']}），调用路径 {_chain(x)}{_controls(x, lang)}"


def _control_claims(e: dict, lang: str, cite: Cite) -> list[tuple[str, list[str]]]:
    out = []
    for hop in (h for h in e["hops"] if h["controls"]):
        at = f"{file_name(hop['path'])}:{hop['line']}"
        ids = list(dict.fromkeys([*(cite.at(c["line"], hop["path"]) for c in hop["controls"]),
                                  cite.at(hop["line"], hop["path"])]))
        conds = [control_text(c, lang) for c in hop["controls"]]
        out.append(((f"the call at {at} runs " + ", ".join(conds)) if lang == "en" else f"{at} 的调用" + "、".join(conds), ids))
    return out
