"""Facts about method bodies that designs are built from: where a field is set and checked, which
call writes the row, whether the state check is part of that write, what runs after it.

All of it comes from the index (calls with their lines, symbols, SQL statements) plus the source
line a call sits on; each fact keeps the lines that prove it, for evidence.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path

from core.domain.schema import snake
from core.evidence import SourceCache
from core.index.walk import SKIP_DIRS, TEMPLATES, is_own_script

WRITE = re.compile(r"^(update|insert|save|modify|delete|remove)", re.I)
COMPARE = re.compile(r"==|!=|\.equals\(|\bcase\b|switch\s*\(|[<>]=?")
DELETE_FLAG = re.compile(r"^(is_?)?(delete|deleted|del)(_?(status|flag))?$", re.I)
MAX_SPAN = 40
LOGGER = re.compile(r"Log(ger)?$|LogHelper$", re.I)
READ = re.compile(r"^(get|is|has|find|select|query|list|count|check|to|equals|valueOf)", re.I)
CLOCK = re.compile(r"\bnow\(\)|new Date\(|currentTimeMillis")
FAILS = re.compile(r"\bthrow\b|Asserts\.|\bfail\w*\(|return\s+\w+\.(fail|error|bad)\w*\(", re.I)
ZERO = re.compile(r"(==|<=|<)\s*0\b|==\s*1\b|!=\s*1\b|<\s*1\b")
VIEW_NAME = re.compile(r'^\s*return\s+"([\w/.-]+)"\s*;')           # a controller returning a view name
ATTRIBUTE = re.compile(r'\.(?:setAttribute|addAttribute|addObject)\(\s*"(\w+)"\s*,\s*(.+?)\)\s*;')


@dataclass
class Site:
    """One place in the code with the lines that prove it."""

    kind: str          # set | check | criteria | sql_filter | sql_set | dict
    where: str         # 'Class.method' or 'Namespace.statement' or the dictionary name
    layer: str
    path: str
    line: int
    start_line: int
    end_line: int
    text: str          # the source line (trimmed)
    via: str = ""      # the SQL statement a Java call sets the field through
    field: str = ""    # the field the site is about, where a caller needs it
    lines: list[int] = dc_field(default_factory=list)   # every line of a grouped site (a template's comparisons)


def cap(field_name: str) -> str:
    return field_name[:1].upper() + field_name[1:]


def is_delete_flag(field_name: str) -> bool:
    return bool(DELETE_FLAG.match(snake(field_name)))


def row_check(files: SourceCache, call: dict) -> dict | None:
    """How the caller handles a write that matched no row: the test and the statement it runs (and its line), if
    any."""
    lines = files.get(call["path"]).lines
    head = lines[call["line"] - 1]
    assigned = re.match(r"\s*(?:int|Integer|long)?\s*(\w+)\s*=[^=]", head)
    for n in range(call["line"], min(call["line"] + 3, len(lines)) + 1):
        text = lines[n - 1]
        on_line = n == call["line"] and ZERO.search(text)
        on_var = assigned and n > call["line"] and re.search(rf"\b{assigned.group(1)}\s*(==|<=|<)\s*[01]\b", text)
        if on_line or on_var:
            inline = text.split("{", 1)[1].strip() if "{" in text else ""
            at = n if inline.removesuffix("}").strip() else next(
                (k for k in range(n + 1, min(n + 3, len(lines)) + 1) if lines[k - 1].strip()), None)
            body = inline.removesuffix("}").strip() or (lines[at - 1].strip() if at else "")
            return {"line": n, "test": text.strip(), "then": body.removesuffix("}").strip(), "then_line": at,
                    "fails": bool(FAILS.search(body))}
    return None


class CodeFacts:
    def __init__(self, data: dict, files: SourceCache):
        self.data, self.files = data, files
        self.classes = {c["symbol_id"]: c for c in data["classes"]}
        self.by_name: dict[str, list[dict]] = defaultdict(list)
        for c in data["classes"]:
            if c.get("name"):
                self.by_name[c["name"]].append(c)
        self.methods = {s["symbol_id"]: s for s in data["symbols"] if s["kind"] in ("method", "constructor")}
        self.methods_of: dict[str, list[dict]] = defaultdict(list)
        for s in self.methods.values():
            self.methods_of[s.get("parent_id") or ""].append(s)
        self.calls_of: dict[str, list[dict]] = defaultdict(list)
        for c in data["calls"]:
            self.calls_of[c["caller_id"]].append(c)
        generated = {f["path"] for f in data["files"] if f.get("is_generated")}
        self.generated_paths = generated

    # ------------------------------------------------------------ lookups --
    def text(self, path: str, line: int) -> str:
        lines = self.files.get(path).lines
        return lines[line - 1].strip() if 0 < line <= len(lines) else ""

    def inactive(self, class_id: str | None) -> str | None:
        """Why a class never runs (its stereotype is commented out, it is no bean ...), else None."""
        return (self.classes.get(class_id or "") or {}).get("inactive")

    def layer_of(self, class_id: str | None) -> str:
        return (self.classes.get(class_id or "") or {}).get("layer") or "other"

    def cls(self, name: str) -> dict | None:
        """A class by simple name, preferring hand-written over generated."""
        found = sorted(self.by_name.get(name, []), key=lambda c: bool(c.get("is_generated")))
        return found[0] if found else None

    def method(self, label: str, line: int | None = None) -> dict | None:
        """'Class.method' -> the method symbol (the one holding `line` when overloaded)."""
        cls_name, _, name = label.rpartition(".")
        for c in self.by_name.get(cls_name, []):
            for m in self.methods_of.get(c["symbol_id"], []):
                if m["name"] == name and (line is None or m["start_line"] <= line <= m["end_line"]):
                    return m
        return None

    def method_at(self, path: str, line: int) -> dict | None:
        best = None
        for m in self.methods.values():
            if m["path"] == path and m["start_line"] <= line <= m["end_line"]:
                if best is None or m["start_line"] > best["start_line"]:
                    best = m
        return best

    def has_method(self, class_id: str, name: str) -> bool:
        return any(m["name"] == name for m in self.methods_of.get(class_id, []))

    # --------------------------------------------------------------- spans --
    def span(self, path: str, lines: list[int], method: dict | None = None) -> tuple[int, int]:
        """The method from its signature to the last line of interest when that fits, else a window
        that keeps the two lines above the first line of interest (its governing condition)."""
        first, last = min(lines), max(lines)
        if method and last - method["start_line"] < MAX_SPAN:
            return method["start_line"], last
        return max(1, first - 3), min(last + 1, first - 3 + MAX_SPAN)

    def site(self, kind: str, path: str, line: int, where: str | None = None, layer: str | None = None) -> Site:
        m = self.method_at(path, line)
        line_end = self.statement_end(path, line)
        label = where or (f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}" if m else path.rsplit("/", 1)[-1])
        start, end = self.span(path, [line, line_end], m)
        return Site(kind, label, layer or self.layer_of(m.get("parent_id") if m else None), path, line, start, end,
                    self.text(path, line))

    def statement_end(self, path: str, line: int) -> int:
        """The last line of the Java statement starting at `line` (a criteria chain spans several)."""
        lines = self.files.get(path).lines
        n = line
        while n < len(lines) and n - line < 8 and not lines[n - 1].rstrip().endswith((";", "{", "}")):
            n += 1
        return n

    # ------------------------------------------------------- method bodies --
    def calls_in(self, method_id: str) -> list[dict]:
        return sorted(self.calls_of.get(method_id, []), key=lambda c: c["line"])

    def writes_in(self, method_id: str, after: int = 0) -> list[dict]:
        """Calls that write rows: a write-named method of a DAO or mapper, else of a data service another class
        provides (services without interfaces wrap the mapper: `orderService.updateWithOptimisticLocker`)."""
        own = self.methods[method_id].get("parent_id")
        direct, wrapped = [], []
        for c in self.calls_in(method_id):
            owner = (c.get("callee_id") or "").split("#")[0]
            member = c["callee_name"].rsplit(".", 1)[-1]
            if c["line"] < after or not WRITE.match(member):
                continue
            if self.layer_of(owner) in ("dao", "mapper"):
                direct.append(c)
            elif self.layer_of(owner) == "service" and owner != own:
                wrapped.append(c)
        return direct or wrapped

    def example_var(self, method_id: str, criteria_line: int) -> str | None:
        """The variable whose criteria the line builds (`example.createCriteria()...` -> 'example')."""
        m = re.match(r"\s*(\w+)\.createCriteria\(\)", self.text(self.methods[method_id]["path"], criteria_line))
        return m.group(1) if m else None

    def uses_var(self, call: dict, var: str | None) -> bool:
        return bool(var) and bool(re.search(rf"[(,]\s*{re.escape(var)}\s*[),]", self.text(call["path"], call["line"])))

    def effects_after(self, method_id: str, line: int) -> list[dict]:
        """Calls after `line` that change something elsewhere (DAO/mapper writes, other services)."""
        out = []
        for c in self.calls_in(method_id):
            owner = (c.get("callee_id") or "").split("#")[0]
            member = c["callee_name"].rsplit(".", 1)[-1]
            if c["line"] <= line or member.startswith(("get", "is", "select", "list", "count", "find", "query", "check")):
                continue
            if self.layer_of(owner) in ("dao", "mapper", "service", "service_impl") or (
                    owner == self.methods[method_id].get("parent_id") and not member.startswith("get")):
                out.append(c)
        return out

    def bean_calls(self, method_id: str, start: int, end: int) -> list[dict]:
        """Calls on the class's injected beans between two lines that act outside this table's row (a payment
        gateway, a notifier, another service): what a retry must not repeat. Reads and logging are left out."""
        m = self.methods[method_id]
        fields = {f["name"]: f.get("type") or "" for f in self.data["symbols"]
                  if f["kind"] == "field" and f.get("parent_id") == m.get("parent_id")}
        out = []
        for c in self.calls_in(method_id):
            receiver, _, member = c["callee_name"].rpartition(".")
            owner = (c.get("callee_id") or "").split("#")[0]
            if not start < c["line"] < end or receiver not in fields or LOGGER.search(fields[receiver]) \
                    or READ.match(member) or self.layer_of(owner) in ("dao", "mapper"):
                continue
            out.append(c)
        return out

    def stored_inputs(self, method: dict, var: str, start: int, end: int) -> list[dict]:
        """`var.setX(arg)` between two lines where arg is a value the caller chose (a parameter or a local read
        from the request), not the clock or a constant: what a repeat request may carry differently."""
        lines = self.files.get(method["path"]).lines
        out = []
        for n in range(max(start, method["start_line"]), min(end, method["end_line"]) + 1):
            for fld, arg in re.findall(rf"\b{re.escape(var)}\.set(\w+)\(\s*([a-z]\w*)\s*\)", lines[n - 1]):
                if fld == "Id":
                    continue           # the record's key says which row, not what the request asks for
                origin = next((lines[k - 1].strip() for k in range(n - 1, method["start_line"] - 1, -1)
                               if re.search(rf"\b{arg}\s*=[^=]", lines[k - 1])), "")
                if CLOCK.search(origin) or (not origin and not re.search(rf"\b{arg}\s*[,)]", method.get("signature") or "")):
                    continue
                out.append({"field": fld[0].lower() + fld[1:], "getter": f"get{fld}", "arg": arg, "line": n,
                            "origin": origin})
        return out

    def row_check(self, call: dict) -> dict | None:
        """How the caller handles a write that matched no row: the test and the statement it runs, if any."""
        return row_check(self.files, call)

    def write_statement(self, call: dict) -> dict | None:
        """The mapper statement a write call ends in: its own, or (a data service wrapping a mapper) the one the
        service method calls with the same name."""
        owner, _, member = (call.get("callee_id") or "").partition("#")
        name = member.split("(")[0]
        if self.layer_of(owner) not in ("dao", "mapper"):
            target = next((m for m in self.methods_of.get(owner, []) if m["name"] == name), None)
            inner = next((c for c in self.calls_in(target["symbol_id"]) if target
                          and c["callee_name"].rsplit(".", 1)[-1] == name), None) if target else None
            if not inner:
                return None
            owner = (inner.get("callee_id") or "").split("#")[0]
        return next((s for s in self.data["sql_statements"] if s["namespace"] == owner and s["statement"] == name), None)

    def where_columns(self, stmt: dict) -> list[str]:
        """The columns a statement's WHERE tests (`where id = #{..} and update_time = #{..}` -> id, update_time)."""
        body = " ".join(self.files.get(stmt["path"]).lines[stmt["start_line"] - 1:stmt["end_line"]])
        body = body.replace("&gt;", ">").replace("&lt;", "<")
        where = re.split(r"\bwhere\b", body, maxsplit=1, flags=re.I)
        if len(where) < 2:
            return []
        found = re.findall(r"(\w+)\s*(?:=|<>|!=|>=|<=|>|<)\s*#\{|(\w+)\s*[-+]\s*#\{[\w.]+\}\s*(?:>=|<=|>|<)", where[1])
        return list(dict.fromkeys(a or b for a, b in found))

    def callers(self, method: dict) -> list[dict]:
        """Calls of a method, through its interface too (`OmsOrderService#cancel` for `...Impl#cancel`)."""
        member = method["symbol_id"].partition("#")[2]
        owner = self.classes.get(method.get("parent_id") or "") or {}
        names = {owner.get("name"), (owner.get("name") or "").removesuffix("Impl")}
        names |= {e.rsplit(".", 1)[-1] for e in owner.get("extends") or []}
        return [c for c in self.data["calls"] if c.get("callee_id")
                and c["callee_id"].partition("#")[2] == member
                and c["callee_id"].split("#")[0].rsplit(".", 1)[-1] in names]

    # ---------------------------------------------------- field usage sites --
    def field_sites(self, entity_id: str, field_name: str) -> list[Site]:
        """Every hand-written Java line that sets, compares or filters on an entity's field."""
        sites: list[Site] = []
        setter, getter = f"{entity_id}#set{cap(field_name)}(", f"{entity_id}#get{cap(field_name)}("
        criteria = re.compile(rf"^{re.escape(entity_id)}Example\.\w*Criteria#and{cap(field_name)}[A-Z]")
        seen: set[tuple[str, int]] = set()
        for c in self.data["calls"]:
            callee = c.get("callee_id") or ""
            if c["path"] in self.generated_paths or (c["path"], c["line"]) in seen:
                continue
            kind = None
            member = c["callee_name"].rsplit(".", 1)[-1]
            lombok = callee == f"{entity_id}.{field_name}"     # an accessor Lombok generates resolves to the field
            if callee.startswith(setter) or (lombok and member == f"set{cap(field_name)}"):
                kind = "set"
            elif (callee.startswith(getter) or (lombok and member == f"get{cap(field_name)}")) \
                    and COMPARE.search(self.text(c["path"], c["line"])):
                kind = "check"
            elif criteria.match(callee):
                kind = "criteria"
            if not kind and (callee.startswith(getter) or (lombok and member == f"get{cap(field_name)}")):
                sites += self._local_checks(c, seen)       # `int status = order.getStatus()` then `status == 101`
            if kind and self.layer_of(c["caller_id"].split("#")[0]) not in ("model", "dto"):
                seen.add((c["path"], c["line"]))
                site = self.site(kind, c["path"], c["line"])
                if kind == "criteria":     # a criteria chain spans lines: show and number the one naming the field
                    site.line = next((n for n in range(c["line"], site.end_line + 1)
                                      if f".and{cap(field_name)}" in self.text(c["path"], n)), c["line"])
                    site.text = self.text(c["path"], site.line)
                sites.append(site)
        return sorted(sites, key=lambda s: (s.path, s.line))

    def template_sites(self, field_name: str) -> list[Site]:
        """Server-side view templates that compare the field (`th:if="${order.orderStatus==0}"`)."""
        pat = re.compile(rf"\b{re.escape(field_name)}\s*(==|!=|<=|>=|<|>|\s(eq|ne|lt|gt|le|ge)\b)")
        sites = []
        root = Path(self.files.root)
        for ext in TEMPLATES:
            for p in sorted(root.rglob(f"*{ext}")):
                rel = p.relative_to(root).as_posix()
                if set(p.relative_to(root).parts) & {"node_modules", "target", "dist", "static"}:
                    continue
                try:
                    lines = self.files.get(rel).lines
                except Exception:      # an unreadable template is not a place we can cite
                    continue
                hits = [n for n, line in enumerate(lines, 1) if pat.search(line)]
                while hits:                # one site per template and 40-line window: a view is read as a whole
                    group = [n for n in hits if n - hits[0] < MAX_SPAN - 2]
                    hits = hits[len(group):]
                    site = Site("check", rel.rsplit("/", 1)[-1], "view", rel, group[0], max(1, group[0] - 2), group[-1],
                                lines[group[0] - 1].strip())
                    site.lines = group
                    sites.append(site)
        return sites

    def template_file(self, view: str) -> str | None:
        """The server-side template a controller's view name (`mall/order-detail`) resolves to, if the repository has
        exactly one file under a `templates` folder with that name."""
        root = Path(self.files.root)
        found = [p.relative_to(root).as_posix() for ext in TEMPLATES for p in root.rglob(f"{view.rsplit('/', 1)[-1]}{ext}")
                 if p.relative_to(root).as_posix().endswith(f"templates/{view}{ext}")
                 and not set(p.relative_to(root).parts) & {"node_modules", "target"}]
        return found[0] if len(found) == 1 else None

    def rendered_by(self, method: dict, props: set[str]) -> list[dict]:
        """The server-rendered pages that show what `method` returns: a controller method that puts its result into the
        request or model under a name (`request.setAttribute("orderDetailVO", vo)`) and returns a view name, with the
        template and the line of it that shows a property of that object (directly, or of the loop variable of a
        `th:each` over it) that is one of `props` (the view class's fields). A value returned this way reaches the user
        only where the template renders it."""
        out = []
        for c in self.callers(method):
            cm = self.methods.get(c["caller_id"])
            if not cm or self.layer_of(cm.get("parent_id")) != "controller":
                continue
            body = self.files.get(cm["path"]).lines[cm["start_line"] - 1:cm["end_line"]]
            views = [(n, v.group(1)) for n, line in enumerate(body, cm["start_line"]) if (v := VIEW_NAME.match(line))]
            var = re.match(r"\s*(?:[\w<>,.\s]+\s)?(\w+)\s*=[^=]", self.text(c["path"], c["line"]))
            callee = re.escape(c["callee_name"].rsplit(".", 1)[-1])
            attr = next(((a.group(1), n) for n, line in enumerate(body, cm["start_line"]) if (a := ATTRIBUTE.search(line))
                         and ((n == c["line"] and re.search(rf"\b{callee}\(", a.group(2)))
                              or (var and n > c["line"] and a.group(2).strip() == var.group(1)))), None)
            if len(views) != 1 or not attr or not (template := self.template_file(views[0][1])):
                continue
            shown = self._shown(template, attr[0], props)
            if shown:
                out.append({"controller": f"{cm['parent_id'].rsplit('.', 1)[-1]}.{cm['name']}", "path": cm["path"],
                            "start": min(c["line"], attr[1]), "end": views[0][0], "attr": attr[0], "view": views[0][1],
                            "template": template, **shown})
        return out

    def _shown(self, template: str, attr: str, props: set[str]) -> dict | None:
        """The first line of a template that prints one of `props` of `attr` (`th:text="${attr.p}"`), or of the loop
        variable of a `th:each` over one of its collections; `var` is the expression a new property is read from."""
        lines = self.files.get(template).lines
        for var in [attr] + [e.group(1) for line in lines if (e := re.search(
                rf"th:each=\"\s*(\w+)\s*:\s*\$\{{\s*{attr}\.\w+\s*\}}", line))]:
            for n, line in enumerate(lines, 1):
                shown = re.search(rf"th:(?:u?text)=\"\$\{{\s*{var}\.(\w+)\s*\}}\"", line)
                if shown and shown.group(1) in props:
                    dates = next((d.group(1) for other in lines if (d := re.search(
                        rf"#dates\.format\(\s*{var}\.\w+\s*,\s*'([^']+)'\s*\)", other))), None)
                    return {"var": var, "shows": shown.group(1), "line": n, "text": line.strip(), "date_format": dates}
        return None

    def client_calls(self, route: str) -> list[dict]:
        """Lines of the repository's own pages and scripts that call an endpoint (`url: '/orders/' + orderNo +
        '/cancel'`): a new request input is sent from there. Minified and third-party files are left out."""
        parts = [re.escape(p) for p in re.split(r"\{\w+\}", route)]
        if route.strip("/").count("/") < 1 or len(parts[0]) < 3:
            return []          # a one-segment path ('/list') is too common a string to be this endpoint's call
        pat = re.compile(r"""['"]""" + r"""['"]\s*\+\s*[\w.()]+\s*\+\s*['"]""".join(parts) + r"""['"?]""")
        out = []
        root = Path(self.files.root)
        for ext in (*TEMPLATES, ".js"):
            for p in sorted(root.rglob(f"*{ext}")):
                parts_of = p.relative_to(root).parts
                if SKIP_DIRS & set(parts_of) or not is_own_script(parts_of):
                    continue
                rel = p.relative_to(root).as_posix()
                try:
                    lines = self.files.get(rel).lines
                except Exception:      # an unreadable file is not a place we can cite
                    continue
                out += [{"path": rel, "line": n, "text": line.strip()} for n, line in enumerate(lines, 1) if pat.search(line)]
        return out

    def grid_column(self, call: dict, props: set[str]) -> dict | None:
        """A page script that loads rows from an endpoint and declares the columns it shows right below the URL
        (`url: '/admin/orders/list'` then `{label: '订单号', name: 'orderNo'}`): the first column that is one of
        `props` and not hidden. A new field shows in that table only once a column for it is declared there."""
        lines = self.files.get(call["path"]).lines
        for n in range(call["line"] + 1, min(call["line"] + 15, len(lines)) + 1):
            col = re.search(r"\bname\s*:\s*['\"](\w+)['\"]", lines[n - 1])
            if col and col.group(1) in props and not re.search(r"\bhidden\s*:\s*true", lines[n - 1]):
                return {"path": call["path"], "line": n, "url_line": call["line"], "shows": col.group(1),
                        "text": lines[n - 1].strip()}
        return None

    def _local_checks(self, call: dict, seen: set[tuple[str, int]]) -> list[Site]:
        """Comparisons of a local variable the getter's value was assigned to, in the same method, as one site."""
        var = re.match(r"\s*(?:final\s+)?(?:\w+\s+)?(\w+)\s*=[^=]", self.text(call["path"], call["line"]))
        m = self.methods.get(call["caller_id"])
        if not var or not m or self.layer_of(m.get("parent_id")) in ("model", "dto"):
            return []
        pat = re.compile(rf"\b{var.group(1)}\s*(==|!=|<=|>=|<|>)|\b{var.group(1)}\.equals\(|switch\s*\(\s*{var.group(1)}\b")
        hits = [n for n in range(call["line"] + 1, m["end_line"] + 1) if pat.search(self.text(call["path"], n))
                and (call["path"], n) not in seen]
        if not hits:
            return []
        seen.update((call["path"], n) for n in hits)
        label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
        site = Site("check", label, self.layer_of(m.get("parent_id")), call["path"], hits[0], call["line"],
                    min(hits[-1], call["line"] + MAX_SPAN - 1), self.text(call["path"], hits[0]))
        site.lines = [n for n in hits if n <= site.end_line]
        return [site]

    def sql_setter_calls(self, sql_sites: list[Site]) -> list[Site]:
        """The Java calls of the statements that write the column: there the value is chosen."""
        out = []
        for s in sql_sites:
            if s.kind != "sql_set":
                continue
            ns, _, stmt = s.where.partition(".")
            for c in self.data["calls"]:
                owner = (c.get("callee_id") or "").split("#")[0]
                if owner.rsplit(".", 1)[-1] == ns and c["callee_name"].rsplit(".", 1)[-1] == stmt \
                        and c["path"] not in self.generated_paths:
                    site = self.site("set", c["path"], c["line"])
                    site.via = s.where
                    out.append(site)
        return out

    def sql_sites(self, table: str, column: str) -> list[Site]:
        """Lines of hand-written SQL statements on `table` that filter on or assign `column`."""
        sites = []
        pat = re.compile(rf"(?<![\w.#{{])(?:\w+\.)?`?{re.escape(column)}`?\s*(=|!=|<>|<=|>=|<|>|\bin\b|\bnot\s+in\b)", re.I)
        for s in self.data["sql_statements"]:
            ns_cls = self.classes.get(s["namespace"]) or {}
            if ns_cls.get("is_generated") or s["path"] in self.generated_paths or table not in (s.get("tables") or []):
                continue
            lines = self.files.get(s["path"]).lines
            body = lines[s["start_line"] - 1:s["end_line"]]
            generic = sum(1 for line in body if re.search(r"=\s*#\{", line)) >= 4   # copies a whole record
            for n in range(s["start_line"], min(s["end_line"], len(lines)) + 1):
                if pat.search(lines[n - 1]) and not (generic and s["kind"] in ("update", "insert")
                                                     and not _in_where(lines, s["start_line"], n)):
                    kind = "sql_set" if s["kind"] == "update" and re.search(r"\bset\b|^\s*`?\w+`?\s*=", lines[n - 1], re.I) \
                        and "where" not in lines[n - 1].lower() and not _in_where(lines, s["start_line"], n) else "sql_filter"
                    start = s["start_line"] if n - s["start_line"] < MAX_SPAN else max(s["start_line"], n - 5)
                    end = n + 1 if "<if" in lines[n - 1] else n    # the condition's SQL is on the next line
                    where = f"{s['namespace'].rsplit('.', 1)[-1]}.{s['statement']}"
                    if sites and sites[-1].where == where and sites[-1].kind == kind:
                        sites[-1].end_line = max(sites[-1].end_line, end)   # one site per statement and kind
                        continue
                    sites.append(Site(kind, where, "mapper_xml",
                                      s["path"], n, start, end, lines[n - 1].strip()))
        return sites


def _in_where(lines: list[str], start: int, n: int) -> bool:
    """Whether line n of a statement comes after its WHERE."""
    return any(re.search(r"\bwhere\b|<where>", lines[k - 1], re.I) for k in range(start, n))
