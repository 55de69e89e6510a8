"""Query QA: which rows a data-access method returns, updates or deletes, answered from the query's own conditions.

A reader asks "which orders does `OrderDao.getList` return?"; the answer is every condition of the query, each
cited, with the `<if>` test a dynamic one depends on. Three idioms are read:

- a hand-written MyBatis XML `<select>/<update>/<delete>` (core.generate.query_sql reads its text and tags);
  generator mappers (`Example_Where_Clause`) are not asked about directly: their rows are decided by the Example;
- a generator Example built in a Java method: `example.createCriteria().andXEqualTo(v)`, `example.or()` groups,
  `setOrderByClause(..)`, then `mapper.selectByExample(example)` (or update/delete/count by Example); a criterion
  under an `if` carries that condition;
- a Spring Data repository method: a derived name (`findByUserIdAndStatusOrderByIdDesc`) or an `@Query` string.

The question is not asked when a condition cannot be read from the code (`${}`, criteria built in a loop or passed
in from elsewhere, a top-level OR in SQL), nor when the query is trivial (no condition, or only `id = ?`).
"""

from __future__ import annotations

import re
from collections import Counter

from core.generate import query_wrappers as mp
from core.generate.qa_templates import Cite, file_name, pick, unique_claims
from core.generate.query_sql import Query, sql_query, xml_query
from core.generate.read_facts import folds_rows
from core.generate.work import WorkItem
from core.models import Span, sha256_text

MAX_STATEMENT_LINES = 40   # one evidence item holds the whole statement
MAX_EVIDENCE = 12
_BY_EXAMPLE = re.compile(r"\b(\w+)\.((?:select|count|update|delete|logicalDelete)\w*ByExample\w*)\s*\(([^;]*)\)\s*;")
_NEW_EXAMPLE = re.compile(r"\b(\w+Example)\s+(\w+)\s*=\s*new\s+(\w+Example)\s*\(\s*\)")
_CRITERION = re.compile(r"\.and(\w+?)(NotEqualTo|EqualTo|GreaterThanOrEqualTo|GreaterThan|LessThanOrEqualTo|"
                        r"LessThan|NotIn|In|IsNotNull|IsNull|NotBetween|Between|NotLike|Like)\(")
_OPS = {"EqualTo": "=", "NotEqualTo": "<>", "GreaterThan": ">", "GreaterThanOrEqualTo": ">=", "LessThan": "<",
        "LessThanOrEqualTo": "<=", "In": "IN", "NotIn": "NOT IN", "IsNull": "IS NULL", "IsNotNull": "IS NOT NULL",
        "Like": "LIKE", "NotLike": "NOT LIKE", "Between": "BETWEEN", "NotBetween": "NOT BETWEEN"}
_REPOSITORY = re.compile(r"\binterface\s+\w+\s+extends\s+[^{]*?\b(?:Jpa|Crud|PagingAndSorting|ListCrud|Mongo)?"
                         r"Repository\s*<\s*(\w+)\s*,")
_DERIVED = re.compile(r"^(find|read|get|query|search|stream|count|exists|delete|remove)(Distinct)?(First|Top)?(\d*)"
                      r"(Distinct)?\w*?By([A-Z]\w*)$")
_DERIVED_OPS = [("IsNotNull", "IS NOT NULL", 0), ("NotNull", "IS NOT NULL", 0), ("IsNull", "IS NULL", 0),
                ("Null", "IS NULL", 0), ("NotIn", "NOT IN", 1), ("In", "IN", 1), ("NotLike", "NOT LIKE", 1),
                ("Like", "LIKE", 1), ("Containing", "LIKE %…%", 1), ("StartingWith", "LIKE …%", 1),
                ("EndingWith", "LIKE %…", 1), ("Between", "BETWEEN", 2), ("LessThanEqual", "<=", 1),
                ("LessThan", "<", 1), ("GreaterThanEqual", ">=", 1), ("GreaterThan", ">", 1), ("Before", "<", 1),
                ("After", ">", 1), ("IsTrue", "= true", 0), ("True", "= true", 0), ("IsFalse", "= false", 0),
                ("False", "= false", 0), ("Not", "<>", 1), ("Equals", "=", 1), ("Is", "=", 1), ("", "=", 1)]
_DATA_CALL = re.compile(r"\b\w*(?:Mapper|Dao|DAO|Repository|Service)\s*\.\s*\w+\s*\(|ByExample")
_TRIVIAL_KEY = re.compile(r"^(?:\w+\.)?`?id`?\s*=\s*\S+$", re.I)


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


class Queries:
    """Query items of one run (see the module docstring)."""

    def __init__(self, planner):
        self.p = planner
        self.entity_tables = {e["symbol_id"].rsplit(".", 1)[-1]: e.get("tables") or [] for e in
                              planner.data.get("entities") or []}

    # --------------------------------------------------------------- items --
    def facts(self, keys: bool = False) -> list[tuple[dict, list[Span]]]:
        """Every query read, before the filters that decide which are asked. `keys`: with the generated
        `*ByPrimaryKey` statements too, which no question is about but where a contract answer says what an input
        picks (blind read 21G: mall S6 left out `couponMapper.deleteByPrimaryKey(id)`)."""
        return self._xml(keys) + self._examples() + self._wrappers() + self._repositories()

    def items(self) -> list[WorkItem]:
        out = []
        named = Counter((s.get("parent_id"), s["name"]) for s in self.p.data["symbols"] if s["kind"] == "method")
        for facts, spans in self.facts():
            if not facts["conditions"] or _trivial(facts):
                continue
            if named[(facts["class_id"], facts["scope"].rsplit(".", 1)[-1])] > 1:
                continue    # `findById(id)` and `findById(userId, id)`: the name does not say which (22P litemall S18)
            domain = self._domain(facts)
            if domain is None:
                continue
            evidence = self.p.evidence(spans + self._label_spans(facts))
            if not evidence or len(evidence) > MAX_EVIDENCE:
                continue
            ref = "query:" + sha256_text(facts["scope_id"])[:16]
            out += [self.p._item(ref, "rule", "query", qkind, lang, domain, question, facts, evidence)
                    for lang in self.p.languages for qkind, question in query_questions(facts, lang, ref)]
        return out

    def _domain(self, f: dict) -> str | None:
        found = set(self.p.class_domains.get(f["class_id"], []))
        for table in [f["table"]] + [j["table"] for j in f["joins"]]:
            found.update(self.p.table_domains.get(table, []))
        found.update(self.p.table_domains.get(snake(f["table"]), []))
        return next((d for d in self.p.domains if d in found), None)

    # ----------------------------------------------------------------- XML --
    def _xml(self, keys: bool = False) -> list[tuple[dict, list[Span]]]:
        out = []
        generated = {s["path"] for s in self.p.data["sql_statements"] if "Example" in s["statement"]}
        # a statement an sql_invariant rule already asks "under which condition" about (its WHERE with a guard)
        asked = {r["facts"].get("stmt_id") for r in self.p.data.get("rules") or []
                 if r["kind"] == "sql_invariant" and r["facts"].get("conditions")}
        for st in self.p.data["sql_statements"]:
            key = "ByPrimaryKey" in st["statement"]
            if st["kind"] not in ("select", "update", "delete") or (st["path"] in generated and not (keys and key)) \
                    or not st.get("method_id") or not st["path"].endswith(".xml"):   # annotation SQL: its repository
                continue
            if not keys and (key or st["stmt_id"] in asked):
                continue    # the key lookup every generated mapper has (newbee-mall's soft delete by key too)
            if st["end_line"] - st["start_line"] + 1 > MAX_STATEMENT_LINES and not key:
                continue    # (a key statement is only ever cited by its WHERE line)
            if self.p.inactive.get(st["namespace"]):
                continue
            if st["kind"] == "select" and not keys and folds_rows(self.p, st["path"], st["start_line"]):
                continue    # one object per parent with nested lists: not "the rows it returns"
            lines = self.p.files.get(st["path"]).lines
            q = xml_query(lines, st["start_line"], st["end_line"])
            if q is None or _rows_of_other_table(lines[st["start_line"] - 1: st["end_line"]], q.table):
                continue
            scope = f"{st['namespace'].rsplit('.', 1)[-1]}.{st['statement']}"
            conds = [self._cond(q.table, c.text, c.line, st["path"], c.when, c.when_lines) for c in q.conditions]
            facts = self._facts(scope, st["stmt_id"], st["namespace"], q, conds, st["path"], st["start_line"], "xml")
            facts["sets"] = [self._cond(q.table, x.text, x.line, st["path"], x.when, x.when_lines)
                             for x in q.sets or []] or None
            out.append((facts, [Span(path=st["path"], start_line=st["start_line"], end_line=st["end_line"])]))
        return out

    def _facts(self, scope: str, scope_id: str, class_id: str, q: Query, conds: list[dict], path: str, line: int,
               source: str) -> dict:
        def part(x):
            return None if x is None else {"text": x.text, "line": x.line, "path": path, "when": x.when,
                                           "when_lines": x.when_lines}
        return {"scope": scope, "scope_id": scope_id, "class_id": class_id, "source": source, "verb": q.verb,
                "table": q.table, "path": path, "line": line,
                "joins": [{"text": j.text, "line": j.line, "path": path, "table": _join_table(j.text)} for j in q.joins],
                "groups": [conds], "order": part(q.order), "limit": part(q.limit), "page": None, "call": None,
                "sets": None, "conditions": conds, "_path": path}

    def _cond(self, table: str, text: str, line: int, path: str, when=(), when_lines=(), column=None, value=None,
              code: str | None = None) -> dict:
        """One condition: `text` in SQL terms; `code` what the answer quotes when the source spells it otherwise
        (`andStatusEqualTo(0)`); `code` "" when nothing can be quoted (a derived method name)."""
        if column is None:
            m = re.fullmatch(r"(?:\w+\.)?`?(\w+)`?\s*=\s*(-?\d+)", text)
            column, value = (m.group(1), m.group(2)) if m else (None, None)
        label = self._label(table, column, value) if column else None
        return {"text": text, "line": line, "path": path, "when": list(when), "when_lines": list(when_lines),
                "label": label, "code": text if code is None else code}

    # ------------------------------------------------------------- labels --
    def _label(self, table: str, column: str, value: str | None) -> dict | None:
        """The dictionary label of `column = value` on the table's entity (`delete_status = 0` -> none here;
        `status = 0` -> 待付款), when exactly one label is known for it."""
        if value is None:
            return None
        field = re.sub(r"_(\w)", lambda m: m.group(1).upper(), column.lower())
        entities = {name for name, tables in self.entity_tables.items() if table in tables or snake(table) in tables
                    or name == table}
        found = {}
        for d in self.p.data["status_dicts"]:
            owner = (d.get("entity") or "").rsplit(".", 1)[-1] if d.get("entity") else d.get("owner")
            dfield = d.get("entity_field") or d.get("field")
            if owner not in entities or dfield != field:
                continue
            for e in d["entries"]:
                if str(e["code"]) == value or (e.get("name") and value.endswith("." + e["name"])
                                               and value.split(".")[-2] == d["owner"]):
                    if e.get("label") and e["label"] != e.get("name"):
                        lab = e.get("label_lines") or [e.get("line") or d["start_line"], e.get("line") or d["end_line"]]
                        found[e["label"]] = {"label": e["label"], "code": str(e["code"]), "path": d["path"],
                                             "line": lab[0], "end_line": lab[-1], "name_line": e.get("line")}
        return next(iter(found.values())) if len(found) == 1 else None

    @staticmethod
    def _label_spans(f: dict) -> list[Span]:
        labels = [c["label"] for g in f["groups"] + [f.get("sets") or []] for c in g if c.get("label")]
        return [Span(path=x["path"], start_line=x["line"], end_line=x["end_line"]) for x in labels] + [
            Span(path=x["path"], start_line=x["name_line"], end_line=x["name_line"]) for x in labels if x["name_line"]]

    # ------------------------------------------------------------ Example --
    def _examples(self) -> list[tuple[dict, list[Span]]]:
        out = []
        for sym in self.p.data["symbols"]:
            if sym["kind"] != "method" or not sym["path"].endswith(".java") or not sym.get("start_line"):
                continue
            class_id = sym["symbol_id"].split("#")[0]
            if self.p.inactive.get(class_id):
                continue
            lines = self.p.files.get(sym["path"]).lines
            body = lines[sym["start_line"] - 1:sym["end_line"]]
            if not any("ByExample" in x for x in body):
                continue
            for n, text in enumerate(body, sym["start_line"]):
                for m in _BY_EXAMPLE.finditer(text):
                    found = self._example_query(sym, class_id, lines, n, m)
                    if found:
                        out.append(found)
        return out

    def _example_query(self, sym: dict, class_id: str, lines: list[str], call_line: int, call) -> tuple | None:
        """The query of `mapper.xByExample(.., example)` at call_line, from the Example built above it in the
        method; None when any of its criteria cannot be read."""
        var = call.group(3).split(",")[-1].strip()
        first = sym["start_line"]
        made = [n for n in range(first, call_line) if (m := _NEW_EXAMPLE.search(lines[n - 1])) and m.group(2) == var]
        if len(made) != 1:
            return None
        example_type = _NEW_EXAMPLE.search(lines[made[0] - 1]).group(3)
        tables = self.entity_tables.get(example_type[:-len("Example")]) or []
        if len(tables) != 1:
            return None
        table, path = tables[0], sym["path"]
        stmts = _statements(lines, made[0] + 1, call_line - 1)
        used = [(n, s) for n, s in stmts if re.search(rf"\b{var}\b", s)]
        crit_vars: dict[str, int] = {}
        groups: list[list[dict]] = []
        order, reorders, group_when = None, [], []
        call_controls = {(c.kind, c.line) for c in self.p.outline.controls(path, call_line)}
        for n, s in stmts:
            if re.search(rf"\b{var}\b", s) is None and not any(re.match(rf"\s*{c}\s*\.", s) for c in crit_vars):
                if any(re.search(rf"\b{c}\b", s) for c in crit_vars):
                    return None    # a criteria object passed to or assigned from something else
                continue
            extra = [c for c in self.p.outline.controls(path, n) if (c.kind, c.line) not in call_controls]
            if any(c.kind not in ("if", "else") for c in extra):
                return None    # built in a loop, a lambda or a catch: which criteria hold is not one list
            when = [c.code if c.kind == "if" else f"not `{c.code}`" for c in extra]
            assign = re.match(rf"\s*(?:[\w.<>]+\s+)?(\w+)\s*=\s*{var}\s*\.\s*(createCriteria|or)\s*\(\s*\)", s)
            chain = re.match(rf"\s*{var}\s*\.\s*(createCriteria|or)\s*\(\s*\)", s)
            on_var = re.match(r"\s*(\w+)\s*\.", s)
            if assign or chain:
                made_by = (assign or chain).group(assign and 2 or 1)
                if made_by == "createCriteria" and groups:
                    return None    # a second createCriteria() adds no group
                if extra and (assign or not groups):
                    return None    # a criteria object or the first group made under a condition
                groups.append([])
                group_when.append((when, [c.line for c in extra]))   # `if (x) example.or().andY(..)`
                if assign:   # `Criteria c = example.createCriteria()`, maybe with criteria chained on
                    crit_vars[assign.group(1)] = len(groups) - 1
                    if not s[assign.end():].strip():
                        continue
                group = len(groups) - 1
            elif on_var and on_var.group(1) in crit_vars:
                group = crit_vars[on_var.group(1)]
            elif (o := re.match(rf"\s*{var}\s*\.\s*setOrderByClause\s*\((.*)\)\s*$", s, re.S)):
                if not extra and (order or reorders):
                    return None    # a second unconditional order: which one holds depends on code order
                if extra:    # `if (sort != null) example.setOrderByClause(sort + " " + order)`: replaces it
                    reorders.append({"text": o.group(1).strip(), "line": n, "path": path, "when": when,
                                     "when_lines": [c.line for c in extra]})
                else:
                    order = {"text": o.group(1).strip(), "line": n, "path": path}
                continue
            elif re.match(rf"\s*{var}\s*\.\s*setDistinct\s*\(", s):
                continue
            else:
                return None    # the example handed elsewhere, or a call this reader does not know
            rest = s[(assign or chain).end():] if assign or chain else s[on_var.end() - 1:]
            parsed = _criteria(rest)
            if parsed is None:
                return None
            own = [w for w in when if w not in group_when[group][0]]   # the group's own test is said once
            for col, op, args in parsed:
                line = next((k for k in range(n, call_line + 1) if f".and{col}{op}(" in lines[k - 1]), n)
                text = f"{snake(col)} {_OPS[op]}" + (f" {args}" if args else "")
                value = args if op == "EqualTo" else None
                groups[group].append(self._cond(table, text, line, path, own,
                                                [c.line for c in extra if c.line not in group_when[group][1]],
                                                column=snake(col), value=value, code=f"and{col}{op}({args})"))
        if not used or not groups or any(not g for g in groups):
            return None
        verb = {"select": "select", "count": "count", "update": "update", "delete": "delete",
                "logicalDelete": "soft-delete"}[re.match(r"[a-z]+(?:Delete)?", call.group(2)).group(0)]
        if _size_gated(lines, call_line, sym["end_line"]):
            return None
        first_row = _first_only(lines, call_line, sym["end_line"])   # (`first` is the method's first line)
        if call.group(2).startswith("selectOne") or first_row:
            verb = "select one"
        if verb in ("select", "select one") and not _returns_result(lines, call_line, sym["end_line"]):
            verb = "load one" if verb == "select one" else "load"   # a command that acts on the rows: not returned
        page = next(({"text": lines[k - 1].strip(), "line": k, "path": path} for k in range(call_line - 1, first - 1, -1)
                     if "startPage(" in lines[k - 1] and "PageHelper" in lines[k - 1]), None)
        if page and any(_DATA_CALL.search(lines[k - 1]) for k in range(page["line"] + 1, call_line)):
            page = None    # PageHelper pages the first query after it: another one runs in between
        if page:           # `if (page != null && size != null) PageHelper.startPage(..)`: paged only then (23BB S1)
            gates = [c for c in self.p.outline.controls(path, page["line"]) if (c.kind, c.line) not in call_controls]
            if any(c.kind != "if" for c in gates):
                return None
            page.update({"when": [c.code for c in gates], "when_lines": [c.line for c in gates]})
        scope = f"{class_id.rsplit('.', 1)[-1]}.{sym['name']}"
        conds = [c for g in groups for c in g]
        sets = self._record_sets(table, path, lines, call_line, call.group(2)) if verb == "update" else None
        facts = {"scope": scope, "scope_id": f"{sym['symbol_id']}@+{call_line - sym['start_line']}", "class_id": class_id,
                 "source": "example", "verb": verb, "table": table, "path": path, "line": sym["start_line"],
                 "joins": [], "groups": groups, "conditions": conds, "order": order, "limit": None, "page": page,
                 "call": {"text": lines[call_line - 1].strip(), "line": call_line, "path": path,
                          "name": call.group(2), "mapper": call.group(1)},
                 "sets": sets, "reorders": reorders, "_path": path,
                 "group_when": [{"when": w, "when_lines": ls} for w, ls in group_when]}
        facts["reassigned"] = self._reassigned(sym, lines, call_line, conds, reorders)
        if verb == "count" and (tested := _count_test(lines, call_line, sym["end_line"])):
            facts["count_test"] = {**tested, "path": path}   # `if (count >= coupon.getPerLimit()) Asserts.fail(..)`
        spans = [Span(path=path, start_line=made[0], end_line=made[0]),
                 Span(path=path, start_line=call_line, end_line=call_line)]
        spans += [Span(path=path, start_line=n, end_line=n) for n in (facts.get("count_test") or {}).get("lines", [])]
        spans += [Span(path=path, start_line=c["line"], end_line=c["line"]) for c in conds]
        spans += [Span(path=path, start_line=x["line"], end_line=x["line"]) for x in [order, page] + reorders if x]
        spans += [Span(path=path, start_line=n, end_line=n) for n in (page or {}).get("when_lines") or []]
        spans += [Span(path=path, start_line=x["line"], end_line=x["line"]) for x in sets or []]
        spans += [Span(path=path, start_line=first_row, end_line=first_row)] if first_row else []   # the `.get(0)`
        spans += [Span(path=path, start_line=x["cond_line"] or x["line"], end_line=x["line"]) for x in facts["reassigned"]]
        return facts, spans

    def _reassigned(self, sym: dict, lines: list[str], call_line: int, conds: list[dict], reorders: list[dict]) -> list[dict]:
        """Locals a condition or its test reads that the method assigns again before the query (`if (status == -1)
        status = null;` in mall's portal order list): "only when `status != null`" hides that -1 is the caller's
        'all' (blind read 23X: mall S14), so each such assignment is said with the test it sits under."""
        names = {w for c in conds + reorders for t in [c.get("code") or c["text"], *c["when"]]
                 for w in re.findall(r"(?<![\w.])([a-z]\w*)\b(?!\s*\()", t)}
        out = []
        for n in range(sym["start_line"] + 1, call_line):
            m = re.match(r"\s*([a-z]\w*)\s*=(?!=)\s*(.+?);\s*$", lines[n - 1])
            if not m or m.group(1) not in names:
                continue
            ctl = [c for c in self.p.outline.controls(sym["path"], n) if c.kind in ("if", "else")]
            out.append({"var": m.group(1), "text": lines[n - 1].strip(), "line": n, "path": sym["path"],
                        "cond": ctl[-1].code if ctl else None, "branch": ctl[-1].kind if ctl else None,
                        "cond_line": ctl[-1].line if ctl else None})
        return out

    def _record_sets(self, table: str, path: str, lines: list[str], call_line: int, name: str) -> list[dict] | None:
        """What `updateByExampleSelective(record, example)` writes: the setters called on `record` before it, all
        unconditional and quotable (else None: a partial list would read as all of it). A non-selective update
        writes every column, nulls too, so none are listed for it."""
        if not name.startswith("updateByExampleSelective"):
            return None
        found = self.p.outline.set_values(path, call_line, name)
        out = []
        for x in found:
            m = re.search(rf"\b{re.escape(x['receiver'])}\s*\.\s*{x['setter']}\s*\((.*)\)\s*;", lines[x["line"] - 1])
            if x["controls"] or x["value"] is None or not m:
                return None
            col = snake(x["field"])
            out.append(self._cond(table, f"{x['receiver']}.{x['setter']}({m.group(1).strip()})", x["line"], path,
                                  column=col, value=m.group(1).strip()))
        return out or None

    # --------------------------------------------------- MyBatis-Plus --
    def _wrappers(self) -> list[tuple[dict, list[Span]]]:
        out = []
        for sym in self.p.data["symbols"]:
            if sym["kind"] != "method" or not sym["path"].endswith(".java") or not sym.get("start_line"):
                continue
            class_id = sym["symbol_id"].split("#")[0]
            lines = self.p.files.get(sym["path"]).lines
            if self.p.inactive.get(class_id) or not any("Wrapper" in x for x in lines[sym["start_line"] - 1:sym["end_line"]]):
                continue
            for n in range(sym["start_line"], sym["end_line"] + 1):
                if (m := mp.NEW.search(lines[n - 1])) and (found := self._wrapper_query(sym, class_id, lines, n, m)):
                    out.append(found)
        return out

    def _wrapper_query(self, sym: dict, class_id: str, lines: list[str], made: int, new) -> tuple | None:
        """The query a wrapper made at line `made` feeds: its one use (`mapper.selectList(w)`) and every call on
        it before that; None when the wrapper is used twice, handed elsewhere or holds a call this reader skips."""
        var, entity, path = new["var"], new["new"] or new["call"] or new["decl"], sym["path"]
        if not entity:
            return None
        uses = [(n, u) for n in range(made + 1, sym["end_line"] + 1) for u in mp.USE.finditer(lines[n - 1])
                if u.group(3).split(",")[-1].strip() == var]
        if len(uses) != 1:
            return None
        call_line, use = uses[0]
        tables = self.entity_tables.get(entity) or []
        table = tables[0] if len(tables) == 1 else entity
        stmts = _statements(lines, made, call_line - 1)
        call_controls = {(c.kind, c.line) for c in self.p.outline.controls(path, call_line)}
        conds, order = [], []
        for n, s in stmts:
            if n == made:
                s = s[s.index(new.group(0)) + len(new.group(0)):] if new.group(0) in s else ""
            elif re.search(rf"\b{var}\b", s) is None:
                continue
            elif (m := re.match(rf"\s*{var}\s*(?=\.)", s)):
                s = s[m.end():]
            else:
                return None    # the wrapper handed to another method or reassigned
            extra = [c for c in self.p.outline.controls(path, n) if (c.kind, c.line) not in call_controls]
            if any(c.kind not in ("if", "else") for c in extra):
                return None
            when = [c.code if c.kind == "if" else f"not `{c.code}`" for c in extra]
            calls = mp.wrapper_calls(s) if s.strip() else []
            if calls is None:
                return None
            for name, args in calls:
                if name in mp.IGNORED:
                    continue
                if (o := mp.order(name, args)) is not None:
                    order.append({"text": o, "line": n, "path": path, "when": when, "prose": True})
                    continue
                c = mp.condition(name, args)
                if c is None:
                    return None    # or(), and(..), last(..), apply(..): not a plain list of conditions
                test, col, text = c
                line = next((k for k in range(n, call_line + 1) if re.search(
                    rf"\.\s*{name}\s*\(\s*{re.escape(args[0])}", lines[k - 1])), n)
                value = args[-1] if name == "eq" else None
                code = f".{name}({', '.join(args)})"
                squashed = re.sub(r"\s+", "", "\n".join(lines[n - 1:call_line]))
                conds.append(self._cond(table, text, line, path, when + ([test] if test else []),
                                        [x.line for x in extra], column=col, value=value,
                                        code=code if re.sub(r"\s+", "", code) in squashed else ""))
        if any(o["when"] for o in order) or len(order) > 1:
            return None
        scope = f"{class_id.rsplit('.', 1)[-1]}.{sym['name']}"
        verb = mp.VERBS[use.group(2)]
        if _size_gated(lines, call_line, sym["end_line"]):
            return None
        first_row = _first_only(lines, call_line, sym["end_line"]) if verb == "select" else None
        if first_row:
            verb = "select one"
        if verb in ("select", "select one") and not _returns_result(lines, call_line, sym["end_line"]):
            verb = "load one" if verb == "select one" else "load"
        facts = {"scope": scope, "scope_id": f"{sym['symbol_id']}@+{call_line - sym['start_line']}",
                 "class_id": class_id, "source": "wrapper", "verb": verb, "table": table,
                 "path": path, "line": sym["start_line"], "joins": [], "groups": [conds], "conditions": conds,
                 "order": order[0] if order else None, "limit": None, "page": None, "sets": None, "reorders": [],
                 "call": {"text": lines[call_line - 1].strip(), "line": call_line, "path": path,
                          "name": use.group(2), "mapper": use.group(1)}, "_path": path}
        spans = [Span(path=path, start_line=made, end_line=made), Span(path=path, start_line=call_line, end_line=call_line)]
        spans += [Span(path=path, start_line=c["line"], end_line=c["line"]) for c in conds]
        spans += [Span(path=path, start_line=o["line"], end_line=o["line"]) for o in order]
        spans += [Span(path=path, start_line=first_row, end_line=first_row)] if first_row else []
        return facts, spans

    # ------------------------------------------------------- Spring Data --
    def _repositories(self) -> list[tuple[dict, list[Span]]]:
        out = []
        fields_of: dict[str, set[str]] = {}
        for s in self.p.data["symbols"]:
            if s["kind"] == "field":
                fields_of.setdefault(s["symbol_id"].rsplit(".", 2)[-2], set()).add(s["name"])
        for c in self.p.data["classes"]:
            if c.get("kind") != "interface" or not c.get("path") or self.p.inactive.get(c["symbol_id"]):
                continue
            lines = self.p.files.get(c["path"]).lines
            m = _REPOSITORY.search("\n".join(lines[c["start_line"] - 1:c["start_line"] + 2]))
            if not m:
                continue
            entity = m.group(1)
            for sym in self.p.data["symbols"]:
                if sym["kind"] == "method" and sym["symbol_id"].split("#")[0] == c["symbol_id"]:
                    found = self._repository_method(sym, c, entity, fields_of.get(entity, set()), lines)
                    if found:
                        out.append(found)
        return out

    def _repository_method(self, sym: dict, cls: dict, entity: str, fields: set[str], lines: list[str]):
        path, line = cls["path"], sym["start_line"]
        head = "\n".join(lines[line - 1:sym["end_line"]])
        scope = f"{cls['symbol_id'].rsplit('.', 1)[-1]}.{sym['name']}"
        q = re.search(r"@Query\s*\(\s*(?:value\s*=\s*)?((?:\"(?:[^\"\\]|\\.)*\"\s*\+?\s*)+)", head)
        if q:
            if "nativeQuery" in head and "true" in head.split("nativeQuery", 1)[1][:20]:
                pass    # native SQL reads the same way
            sql = "".join(re.findall(r"\"((?:[^\"\\]|\\.)*)\"", q.group(1)))
            parsed = sql_query(sql, line + head[:q.start()].count("\n"))
            if parsed is None or parsed.verb not in ("select", "count", "update", "delete"):
                return None
            squashed = re.sub(r"\s+", "", head)
            conds = [self._cond(parsed.table, c.text, c.line, path,
                                code=None if re.sub(r"\s+", "", c.text) in squashed else "")
                     for c in parsed.conditions]
            facts = self._facts(scope, sym["symbol_id"], cls["symbol_id"], parsed, conds, path, line, "query")
            facts["table"] = entity if parsed.table in (entity, snake(entity)) else parsed.table
            return facts, [Span(path=path, start_line=line, end_line=sym["end_line"])]
        d = _DERIVED.match(sym["name"])
        if not d or not fields:
            return None
        parsed = _derived(d.group(6), fields)
        if parsed is None:
            return None
        params = _params(head)
        conds, k = [], 0
        for group in parsed["groups"]:
            rows = []
            for prop, op, arity in group:
                args = params[k:k + arity]
                k += arity
                if len(args) != arity:
                    return None
                text = f"{prop} {op}" + (" " + " AND ".join(f"`{a}`" for a in args) if args else "")
                rows.append({**self._cond(entity, text, line, path, code=""), "label": None})
            conds.append(rows)
        verb = {"find": "select", "read": "select", "get": "select", "query": "select", "search": "select",
                "stream": "select", "count": "count", "exists": "exists", "delete": "delete", "remove": "delete"}[d.group(1)]
        order = {"text": parsed["order"], "line": line, "path": path, "prose": True} if parsed["order"] else None
        limit = ({"text": f"the first {d.group(4) or 1} row(s) ({d.group(3)}{d.group(4)} in the name)", "line": line,
                  "path": path, "prose": True} if d.group(3) else None)
        paged = [p for p in _all_params(head) if re.search(r"\b(Pageable|Sort)\b", p)]
        page = ({"text": f"the `{paged[0].split()[-1]}` argument", "line": line, "path": path, "prose": True}
                if paged else None)
        facts = {"scope": scope, "scope_id": sym["symbol_id"], "class_id": cls["symbol_id"], "source": "derived",
                 "verb": verb, "table": entity, "path": path, "line": line, "joins": [], "groups": conds,
                 "conditions": [c for g in conds for c in g], "order": order, "limit": limit, "page": page,
                 "call": None, "sets": None, "_path": path}
        return facts, [Span(path=path, start_line=line, end_line=sym["end_line"])]


# ------------------------------------------------------------- helpers --
def _count_test(lines: list[str], call_line: int, last: int) -> dict | None:
    """The `if` right after `long count = mapper.countByExample(..)` that tests the count, and the one statement it
    runs (`Asserts.fail("您已经领取过该优惠券")`): the rows counted matter for that comparison (blind read G mall S34:
    the answer listed the criteria, not that the count is held against `perLimit`)."""
    m = re.match(r"\s*(?:final\s+)?(?:long|int|Long|Integer)\s+(\w+)\s*=", lines[call_line - 1])
    if m is None:
        return None
    n = next((k for k in range(call_line + 1, min(call_line + 3, last) + 1) if lines[k - 1].strip()), None)
    test = re.match(r"\s*if\s*\((.*\b" + m[1] + r"\b.*)\)\s*\{\s*$", lines[n - 1]) if n else None
    if test is None or n + 2 > last or lines[n + 1].strip() != "}":
        return None    # not one statement under it: the answer would have to say a block
    then = lines[n].strip()
    return {"var": m[1], "condition": test[1].strip(), "line": n, "then": then, "then_line": n + 1, "lines": [n, n + 1]}


def _statements(lines: list[str], first: int, last: int) -> list[tuple[int, str]]:
    """(first line, text) of each `;`-ended statement between the lines (a chain over several lines is one)."""
    out, buf, start = [], [], None
    for n in range(first, last + 1):
        text = re.sub(r"//.*$", "", lines[n - 1])
        if not text.strip():
            continue
        start = start or n
        buf.append(text.strip())
        if text.rstrip().endswith(";") or text.rstrip().endswith("{") or text.strip() == "}":
            out.append((start, " ".join(buf).rstrip(";{} ")))
            buf, start = [], None
    return [(n, _after_header(s)) for n, s in out]


def _after_header(s: str) -> str:
    """The statement without a leading `} else if (..)` header (`if (x != null) criteria.andX(x);`)."""
    s = re.sub(r"^\}?\s*(?:else\b\s*)?", "", s)
    if not re.match(r"if\s*\(", s):
        return s
    depth, i = 0, 0
    for i in range(s.index("("), len(s)):
        depth += {"(": 1, ")": -1}.get(s[i], 0)
        if depth == 0:
            break
    return s[i + 1:].strip()


def _criteria(chain: str) -> list[tuple[str, str, str]] | None:
    """The `.andXOp(args)` calls of a chain, in order; None if the chain holds anything else."""
    out, pos = [], 0
    chain = chain.strip()
    while pos < len(chain):
        m = _CRITERION.match(chain, pos)
        if not m:
            return None
        depth, i = 1, m.end()
        while i < len(chain) and depth:
            depth += {"(": 1, ")": -1}.get(chain[i], 0)
            i += 1
        if depth:
            return None
        out.append((m.group(1), m.group(2), chain[m.end():i - 1].strip()))
        pos = i
        while pos < len(chain) and chain[pos].isspace():
            pos += 1
    return out


def _derived(predicate: str, fields: set[str]) -> dict | None:
    """`UserIdAndStatusOrderByIdDesc` -> groups [[(userId, =, 1), (status, =, 1)]], order `id DESC`; the properties
    are matched against the entity's fields (longest first), so `OrderNo` is not split at `Or`."""
    order = None
    if "OrderBy" in predicate:
        predicate, order_part = predicate.split("OrderBy", 1)
        keys = re.findall(r"([A-Z]\w*?)(Asc|Desc)(?=[A-Z]|$)", order_part)
        if not keys or "".join(a + b for a, b in keys) != order_part:
            return None
        order = ", ".join(f"{_field(a, fields)} {b.upper()}" for a, b in keys)
        if any(_field(a, fields) is None for a, _ in keys):
            return None
    names = sorted(fields, key=len, reverse=True)
    groups, cur, pos = [], [], 0
    while pos < len(predicate):
        prop = next((f for f in names if predicate.startswith(f[0].upper() + f[1:], pos)), None)
        if prop is None:
            return None
        pos += len(prop)
        rest = predicate[pos:]
        op = next(((s, sql, n) for s, sql, n in _DERIVED_OPS if rest.startswith(s)
                   and (rest[len(s):] == "" or re.match(r"(And|Or)[A-Z]", rest[len(s):]))), None)
        if op is None:
            return None
        cur.append((prop, op[1], op[2]))
        pos += len(op[0])
        if predicate.startswith("Or", pos):
            groups.append(cur)
            cur, pos = [], pos + 2
        elif predicate.startswith("And", pos):
            pos += 3
    groups.append(cur)
    return {"groups": groups, "order": order}


def _field(name: str, fields: set[str]) -> str | None:
    f = name[0].lower() + name[1:]
    return f if f in fields else None


def _all_params(head: str) -> list[str]:
    """The declared parameters (`Long orderId`) of the interface method in `head`, annotations dropped."""
    m = re.search(r"\w+\s*\(([^)]*)\)\s*;", re.sub(r"@\w+(\([^)]*\))?", "", head))
    return [p.strip() for p in m.group(1).split(",") if p.strip()] if m else []


def _params(head: str) -> list[str]:
    """The names of the parameters the derived conditions bind, in order (a Pageable or Sort binds none)."""
    return [p.split()[-1] for p in _all_params(head) if not re.search(r"\b(Pageable|Sort)\b", p)]


def _join_table(text: str) -> str:
    m = re.search(r"JOIN\s+`?(\w+)", text, re.I)
    return m.group(1) if m else ""


def _trivial(f: dict) -> bool:
    """Only `id = ?`, or one plain condition and nothing else (`order_id = orderId`): the lookup the code says."""
    conds = f["conditions"]
    if len(conds) != 1 or conds[0]["when"]:
        return False
    return bool(_TRIVIAL_KEY.match(conds[0]["text"])) or not (f["joins"] or f["order"] or f["page"] or f["limit"])


def _rows_of_other_table(lines: list[str], table: str) -> bool:
    """A select whose rows are another table's: `SELECT c.* FROM sms_coupon_history ch LEFT JOIN sms_coupon c`
    mapped to `SmsCouponMapper.BaseResultMap` returns coupons, not history rows (blind read 20A: mall S20)."""
    text = "\n".join(lines)
    attr = re.search(r'<select\b[^>]*\bresult(Map|Type)="([\w.]+)"', text)
    if attr:
        parts = attr.group(2).split(".")
        owner = parts[-2] if attr.group(1) == "Map" and len(parts) > 1 else parts[-1]
        entity = snake(re.sub(r"(Mapper|Dao)$", "", owner))
        if entity != table.lower() and re.search(rf"\bjoin\s+`?{re.escape(entity)}`?\b", text, re.I):
            return True
    body = re.search(r"(?is)\bselect\b(.*?)\bfrom\s+`?(\w+)`?(?:\s+(?:as\s+)?(\w+))?", text)
    if not body:
        return False
    own = {body.group(2).lower(), (body.group(3) or "").lower()}
    return any(alias.lower() not in own for alias in re.findall(r"(\w+)\.\*", body.group(1)))


def _returns_result(lines: list[str], call_line: int, end_line: int) -> bool:
    """Whether the method hands the query's rows back: the call is returned, or the variable it fills appears in a
    later `return` (`return list`, `return list.get(0)`). Otherwise the method only loads them to act on them
    (blind read H S22: 'which rows does `void cancelOrder` return' asked of a command)."""
    head = lines[call_line - 1]
    if re.match(r"\s*return\b", head):
        return True
    var = re.match(r"\s*(?:[\w<>\[\],.? ]+\s+)?(\w+)\s*=[^=]", head)
    return bool(var) and any(re.search(rf"\breturn\b.*\b{var.group(1)}\b", lines[k - 1])
                             for k in range(call_line + 1, min(end_line, len(lines)) + 1))


def _size_gated(lines: list[str], call_line: int, end_line: int) -> bool:
    """The method branches on how many rows came back beyond empty / not empty (`if (list.size() > 1) throw ..`):
    "returns the rows" or "the first of them" would leave that branch out (blind read 22P: litemall S35)."""
    var = re.match(r"\s*(?:[\w<>\[\],.? ]+\s+)?(\w+)\s*=[^=]", lines[call_line - 1])
    return bool(var) and any(
        re.search(rf"\b{var.group(1)}\.size\(\)\s*(>|>=|==|!=|<|<=)\s*(\d+)", line)
        and not re.search(rf"\b{var.group(1)}\.size\(\)\s*(>\s*0|==\s*0|!=\s*0|<\s*1|>=\s*1)\b", line)
        for line in lines[call_line:end_line])


def _first_only(lines: list[str], call_line: int, end_line: int) -> int | None:
    """The line of the `.get(0)` when the method uses only the first row (`return list.get(0)`, `x = list.get(0)`) and
    never the list otherwise: one row, not "the rows" (blind read 20F: mall S34 `getCartItem`, S39
    `updateCouponStatus`); cited, since the answer rests on it (21I: mall S35)."""
    var = re.match(r"\s*(?:[\w<>\[\],.? ]+\s+)?(\w+)\s*=[^=]", lines[call_line - 1])
    if not var:
        return None
    after = [lines[k - 1] for k in range(call_line + 1, min(end_line, len(lines)) + 1)]
    uses = [m for line in after for m in re.finditer(rf"\b{var.group(1)}\b(\.\w+\([^)]*\))?", line)]
    at = next((call_line + 1 + k for k, line in enumerate(after)
               if re.search(rf"\b{var.group(1)}\.get\(\s*0\s*\)", line)), None)
    return at if at and any(re.fullmatch(r"\.get\(\s*0\s*\)", m.group(1) or "") for m in uses) and all(
        re.fullmatch(r"\.(get\(\s*0\s*\)|isEmpty\(\)|size\(\))", m.group(1) or "") or
        re.search(rf"(isEmpty|isNotEmpty)\(\s*{var.group(1)}\s*\)", line) for line in after
        for m in re.finditer(rf"\b{var.group(1)}\b(\.\w+\([^)]*\))?", line)) else None


def query_items(planner) -> list[WorkItem]:
    return Queries(planner).items()


# ------------------------------------------------------------- templates --
_VERB_EN = {"select": "returns", "select one": "returns the first of", "load": "loads (and then acts on)",
            "load one": "loads, and acts on only the first of,",
            "count": "counts", "exists": "checks for",
            "update": "updates", "delete": "deletes", "soft-delete": "marks as deleted"}
_VERB_ZH = {"select": "查询", "select one": "查询（取第一条）", "load": "加载（再据此处理）",
            "load one": "加载第一条（再据此处理）",
            "count": "统计", "exists": "判断是否存在",
            "update": "更新", "delete": "删除", "soft-delete": "逻辑删除"}


def query_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    scope, table = f["scope"], f["table"]
    if lang == "en":
        verb = {"select": "return", "select one": "return", "load": "load (and then act on)",
                "load one": "load (using only the first)",
                "count": "count", "exists": "look for",
                "update": "update", "delete": "delete", "soft-delete": "mark as deleted"}[f["verb"]]
        return [("which_rows", pick(seed, [f"Which `{table}` rows does `{scope}` {verb}, exactly?",
                                           f"Under which conditions does `{scope}` {verb} a row of `{table}`?"]))]
    return [("which_rows", f"`{scope}` 会{_VERB_ZH[f['verb']]}哪些 `{table}` 记录？条件分别是什么？")]


def _at(x: dict) -> str:
    return f"{file_name(x['path'])}:{x['line']}"


def _quoted(c: dict) -> str:
    """The condition as the answer shows it: quoted as the source spells it, a <foreach> list said in words."""
    if c["code"] == "":
        return c["text"]
    if "`" in c["code"]:
        return c["code"].replace("`", "")   # MySQL quoting would break the code span: said as prose
    shown = "".join(f" (`{m[2]}` for each item of `{m[1]}`)" if (m := re.fullmatch(r"\(each ([\w.]+): (.*)\)", piece))
                    else f"`{piece.strip()}`" if piece.strip() else ""
                    for piece in re.split(r"(\(each [\w.]+: [^)]*\))", c["code"]))
    said = c["text"] if c["code"] != c["text"] else c["text"].replace("&gt;", ">").replace("&lt;", "<")
    return shown + (f" ({said})" if said != c["code"] else "")


def _tests(when: list[str]) -> str:
    """The tests a condition runs under, code quoted (an else branch and an <otherwise> are said in words)."""
    return " and ".join(w if w.startswith(("none of", "not `")) else f"`{w}`" for w in when)


def _cond_line(c: dict, lang: str) -> str:
    label = c.get("label")
    text = _quoted(c)
    if label:
        text += f' ({label["code"]} = "{label["label"]}")' if lang == "en" else f"（{label['code']} 即“{label['label']}”）"
    if c["when"]:
        tests = _tests(c["when"])
        text += f", only when {tests}" if lang == "en" else f"，仅当 {tests} 时"
    return f"{text} ({_at(c)})" if lang == "en" else f"{text}（{_at(c)}）"


@unique_claims
def query_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str):
    scope, table = f["scope"], f["table"]
    en = lang == "en"
    trace = []
    where = {"xml": "its mapper XML statement", "example": f"the Example it passes to `{(f['call'] or {}).get('name')}`",
             "wrapper": f"the wrapper it passes to `{(f['call'] or {}).get('name')}`",
             "query": "its @Query", "derived": "its method name (Spring Data derives the query from it)"}[f["source"]]
    where_zh = {"xml": "其 MyBatis XML 语句", "example": f"传给 `{(f['call'] or {}).get('name')}` 的 Example",
                "wrapper": f"传给 `{(f['call'] or {}).get('name')}` 的条件构造器",
                "query": "其 @Query", "derived": "其方法名（Spring Data 据此生成查询）"}[f["source"]]
    call = f.get("call")
    if en:
        head = f"`{scope}` {_VERB_EN[f['verb']]} the `{table}` rows that match {where}"
    else:
        head = f"`{scope}` 按{where_zh}{_VERB_ZH[f['verb']]} `{table}` 中满足以下条件的记录"
    if call:
        head += f" ({_at(call)})" if en else f"（{_at(call)}）"
        trace.append(((f"{scope} calls `{call['mapper']}.{call['name']}` with it" if en
                       else f"{scope} 以它调用 `{call['mapper']}.{call['name']}`"),
                      [cite.at(call["line"], call["path"])]))
    for j in f["joins"]:
        head += f", joined as `{j['text']}`" if en else f"，关联 `{j['text']}`"
        trace.append(((f"{scope} joins `{j['text']}`" if en else f"{scope} 关联 `{j['text']}`"), [cite.at(j["line"], j["path"])]))
    groups = [g for g in f["groups"] if g]
    rows = []
    if len(groups) == 1:
        head += ", all of these conditions:" if en else "（需同时满足）："
        rows = [f"- {_cond_line(c, lang)}" for c in groups[0]]
    else:
        head += (f", any one of these {len(groups)} groups (OR between groups, AND inside a group):" if en
                 else f"，满足以下 {len(groups)} 组中任一组即可（组间为 OR，组内为 AND）：")
        group_when = f.get("group_when") or [{"when": [], "when_lines": []}] * len(groups)
        for n, (g, gw) in enumerate(zip(groups, group_when), 1):
            only = (f", only when {_tests(gw['when'])}" if en else f"（仅当 {_tests(gw['when'])} 时存在）") if gw["when"] else ""
            rows.append((f"- group {n}{only}: " if en else f"- 第 {n} 组{only}：") + "; ".join(_cond_line(c, lang) for c in g))
            if gw["when"]:
                trace.append(((f"{scope} adds group {n} only when {_tests(gw['when'])}" if en
                               else f"{scope} 仅当 {_tests(gw['when'])} 时加入第 {n} 组"),
                              [cite.at(line, f["path"]) for line in gw["when_lines"]]))
    for c in f["conditions"]:
        ids = [cite.at(c["line"], c["path"])]
        if c["when"]:
            tests = _tests(c["when"])
            trace.append(((f"{scope} adds {_quoted(c)} only when {tests}" if en
                           else f"{scope} 仅当 {tests} 时加入条件 {_quoted(c)}"),
                          ids + [cite.at(n, c["path"]) for n in c["when_lines"]]))
        else:
            trace.append(((f"{scope} filters on {_quoted(c)}" if en else f"{scope} 的条件包含 {_quoted(c)}"), ids))
        if c.get("label"):
            lab = c["label"]
            trace.append(((f"code {lab['code']} is labelled \"{lab['label']}\"" if en
                           else f"代码 {lab['code']} 表示“{lab['label']}”"),
                          [cite.at(n, lab["path"]) for n in (lab["line"], lab.get("name_line")) if n]))
    tail = _sets(f, en, cite, trace)
    if t := f.get("count_test"):   # what the count is for
        tail.append(f"It keeps the count in `{t['var']}` and then tests `{t['condition']}` ({_at(t)}); when that holds it "
                    f"runs `{t['then']}`." if en else
                    f"计数存入 `{t['var']}` 后判断 `{t['condition']}`（{_at(t)}），成立时执行 `{t['then']}`。")
        trace += [((f"{scope} tests `{t['condition']}`" if en else f"{scope} 判断 `{t['condition']}`"),
                   [cite.at(t["line"], t["path"])]),
                  ((f"when it holds, {scope} runs `{t['then']}`" if en else f"成立时 {scope} 执行 `{t['then']}`"),
                   [cite.at(t["then_line"], t["path"])])]
    if any(c["when"] for c in f["conditions"]):
        tail.append("A condition marked only when is left out when its test fails; the rows are then not filtered on it."
                    if en else "标注仅当的条件在其判断不成立时不加入查询，此时不按该条件过滤。")
    for x in f.get("reassigned") or []:   # what the caller sends is not what the test sees
        under = (f" when `{x['cond']}`" if x["branch"] == "if" else f" unless `{x['cond']}`") if x["cond"] else ""
        under_zh = (f"（当 `{x['cond']}` 时）" if x["branch"] == "if" else f"（`{x['cond']}` 不成立时）") if x["cond"] else ""
        tail.append(f"Before that, `{x['var']}` is reassigned: `{x['text']}`{under} ({_at(x)}), so the tests above see "
                    "the new value, not the one passed in." if en else
                    f"在此之前 `{x['var']}` 被重新赋值：`{x['text']}`{under_zh}（{_at(x)}），"
                    "上面的判断看到的是新值，不是传入的值。")
        trace.append(((f"{scope} sets `{x['text']}`{under} before the query" if en
                       else f"{scope} 在查询前执行 `{x['text']}`{under_zh}"),
                      list(dict.fromkeys([cite.at(x["line"], x["path"])] + ([cite.at(x["cond_line"], x["path"])]
                                                                            if x["cond_line"] else [])))))
    for key, en_word, zh_word in (("order", "Sorted by", "排序："), ("limit", "Limited by", "限制："),
                                  ("page", "Paged by", "分页：")):
        x = f.get(key)
        if x:
            shown = x["text"] if x.get("prose") else f"`{x['text']}`"
            if x.get("when"):   # `<if test="start!=null and limit!=null">limit ..</if>`
                shown += f", only when {_tests(x['when'])}" if en else f"（仅当 {_tests(x['when'])} 时）"
            tail.append(f"{en_word} {shown} ({_at(x)})." if en else f"{zh_word}{shown}（{_at(x)}）。")
            trace.append(((f"{scope}: {en_word.lower()} {shown}" if en else f"{scope} {zh_word}{shown}"),
                          [cite.at(x["line"], x["path"])] + [cite.at(n, x["path"]) for n in x.get("when_lines") or []]))
        if key == "order":   # a later setOrderByClause under an `if` replaces it
            _reorders(f, en, cite, tail, trace)
    return "\n".join([head] + rows + tail), trace


def _reorders(f: dict, en: bool, cite: Cite, tail: list, trace: list) -> None:
    """`if (sort != null) example.setOrderByClause(sort)`: the order that replaces the first one under its test."""
    scope = f["scope"]
    for x in f.get("reorders") or []:
        tests = _tests(x["when"])
        if en:
            tail.append(f"Sorted by `{x['text']}` {'instead, ' if f.get('order') else 'only '}when {tests} ({_at(x)}).")
        else:
            tail.append(f"当 {tests} 时{'改为' if f.get('order') else ''}按 `{x['text']}` 排序（{_at(x)}）。")
        trace.append(((f"{scope} sorts by `{x['text']}` when {tests}" if en
                       else f"{scope} 在 {tests} 时按 `{x['text']}` 排序"),
                      [cite.at(x["line"], x["path"])] + [cite.at(n, x["path"]) for n in x["when_lines"]]))


def _sets(f: dict, en: bool, cite: Cite, trace: list) -> list[str]:
    """An update's assignments (SET clause, or the setters on the record an Example update writes)."""
    if not f.get("sets"):
        return []
    shown = ", ".join(_cond_line(x, "en" if en else "zh") for x in f["sets"])
    for x in f["sets"]:
        trace.append(((f"{f['scope']} writes `{x['text']}`" if en else f"{f['scope']} 写入 `{x['text']}`"),
                      [cite.at(x["line"], x["path"])] + [cite.at(n, x["path"]) for n in x["when_lines"]]))
        if x.get("label"):
            lab = x["label"]
            trace.append(((f"code {lab['code']} is labelled \"{lab['label']}\"" if en
                           else f"代码 {lab['code']} 表示“{lab['label']}”"),
                          [cite.at(n, lab["path"]) for n in (lab["line"], lab.get("name_line")) if n]))
    if f["source"] == "example":
        return [f"On those rows it writes the fields set on the record (a selective update leaves null fields as they "
                f"are): {shown}." if en else f"对这些记录写入 record 上已设置的字段（选择性更新不写空字段）：{shown}。"]
    return [f"On those rows it sets {shown}." if en else f"对这些记录设置 {shown}。"]
