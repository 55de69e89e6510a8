"""Change-impact designs: "add a state to X.status between A and B: what must change, and how".

Such a design is only worth signing when it lists every place, so it is derived only where the
facts can enumerate them and an independent scan finds nothing they miss:

- every writer of the field is known (the lifecycle facts: each `.setF(` a transition with a known
  value, each mapper write a transition or a whole-record write, no entity bound from a request);
- every Java line that calls the entity's getter or setter, filters on it through Example criteria,
  or names one of the dictionary's constants lies inside a listed place (a getter that only passes
  the value on is listed as a read);
- every hand-written SQL line on the table that compares or assigns the column is listed, and no
  Java string literal holds SQL on the column (that SQL is built where the facts do not look);
- every line that documents the codes (two or more of their labels on one line: a field comment,
  a DTO's `@ApiModelProperty`, a controller's `@ApiImplicitParam`, the DDL column comment) is listed.

Each place says what it does today and what the new value does there as written (a new code equals
none of the listed ones); the design splits the one operation that moves A to B into two steps.
"""

from __future__ import annotations

import re

from core.domain.schema import snake
from core.generate.actor_facts import actor_in, actor_refs, actor_words
from core.generate.design import Conventions, DesignSpec, Ref, _changes, _t
from core.generate.design_facts import Site, cap, is_delete_flag
from core.generate.requirements import _dict_name
from core.models import DesignProposal

MAX_SITES = 45          # places (methods, statements, documenting lines): beyond this it is not one design
SHORT_ABOVE = 24        # places beyond which each is claimed by its line number, not its quoted code
MAX_ANSWER = 7990        # characters of a rendered design (the validator fails answers above 8000)
MAX_PAIRS = 3           # "between A and B" variants per field (each splits another operation)
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_CANCELLED = re.compile(r"cancel|close|取消|关闭", re.I)
_DOC_LINE = re.compile(r"^\s*(//|/?\*|@|<!--|--)|COMMENT\s+'")     # comments, annotations, DDL column comments
_NUM = re.compile(r"(?<![\w.])-?\d+(?![\w.])")


def _ends(d: dict, code: str) -> bool:
    """A cancelled or closed state ends the flow: nothing sits "between" a state and its cancellation."""
    e = next((e for e in d["entries"] if str(e["code"]) == code), {})
    return bool(_CANCELLED.search(f"{e.get('label') or ''} {e.get('name') or ''}"))


def _grouped(sites: list[Site]) -> list[Site]:
    """One place per method (or statement) and kind: `hasPayed`'s three comparisons are one check. A group spans at
    most 40 lines (one evidence item); a site further down its method starts a place of its own, never dropped
    (blind read 20A: litemall `submit` sets 101 at line 376 and 201 at line 481)."""
    groups: dict[tuple[str, str, str], list[list[Site]]] = {}
    for s in sorted(sites, key=lambda s: (s.path, s.line)):
        runs = groups.setdefault((s.path, s.where, s.kind if s.kind != "doc" else f"doc{s.line}"), [])
        if runs and s.end_line <= min(x.start_line for x in runs[-1]) + 39:
            runs[-1].append(s)
        else:
            runs.append([s])
    out = []
    for group in (run for runs in groups.values() for run in runs):
        first = group[0]
        if len(group) > 1:
            top = min(s.start_line for s in group)
            lines = sorted({n for s in group for n in (s.lines or [s.line])})
            first = Site(first.kind, first.where, first.layer, first.path, lines[0], top,
                         max(s.end_line for s in group), first.text, first.via, first.field, lines)
        out.append(first)
    return out


def _after_write(m: dict, line: int) -> tuple[int, int]:
    """The lines that show an operation writes no history row: the whole method when it fits in 40 lines, else its
    write and all that follows it, as far as 40 lines go (blind read 20B: mall S25 cited lines 71-299, and stopped
    at the write)."""
    if m["end_line"] - m["start_line"] < 40:
        return m["start_line"], m["end_line"]
    start = max(m["start_line"], min(line - 5, m["end_line"] - 39))
    return start, min(m["end_line"], start + 39)


def _rest_en(split: list[dict], docs: list[dict]) -> str:
    """The places the count sentence has not named yet, so that its parts add up to the total."""
    parts = ([f"{len(split)} {'is' if len(split) == 1 else 'are'} the step itself"] if split else []) + \
        ([f"{len(docs)} more document{'s' if len(docs) == 1 else ''} the codes (besides the dictionary)"] if docs else [])
    return "".join(f"; {p}" for p in parts) + "."


def _rest_zh(split: list[dict], docs: list[dict]) -> str:
    parts = ([f"{len(split)} 处是该步骤本身"] if split else []) + ([f"{len(docs)} 处说明了取值"] if docs else [])
    return f"其余 {len(split) + len(docs)} 处：{'，'.join(parts)}。" if parts else ""


def _distinctive_codes(d: dict) -> list[str]:
    """The dictionary's codes when all have three or more digits (litemall's 101, 201): a number in prose or code is
    then one of them; short codes (0, 1) are not told apart from any other number. [] otherwise."""
    codes = [str(e["code"]) for e in d["entries"]]
    return codes if codes and all(len(c.lstrip("-")) >= 3 for c in codes) else []


def _doc_codes(d: dict, line: str) -> int:
    """How many of the dictionary's codes a documenting line names (inside its text too: `0->待付款`)."""
    return sum(bool(re.search(rf"(?<![\w.]){re.escape(str(e['code']))}(?![\w.])", line)) for e in d["entries"])


def _short(code: str, limit: int = 70) -> str:
    """A code line quoted in a claim, cut at a word boundary when long (the evidence holds all of it)."""
    if len(code) <= limit:
        return code
    kept = ""
    for token in code.split(" "):
        if kept and len(kept) + len(token) > limit:
            return kept + " …"
        kept = f"{kept} {token}" if kept else token
    return kept


class ImpactDeriver:
    """Change-impact specs, from a RequirementDeriver's facts (code facts, schema, dictionaries, rules)."""

    def __init__(self, req):
        self.r, self.code, self.data = req, req.code, req.data
        self._planner = None

    def _lifecycles(self):
        """The lifecycle facts (every writer of a field known?), built on first use."""
        if self._planner is None:
            from core.generate.lifecycle_facts import Lifecycles
            from core.generate.plan import Planner
            planner = Planner("", self.r.files.root, self.data, [], ["en"])
            self._planner = Lifecycles(planner, self.r.rules)
        return self._planner

    # ------------------------------------------------------------- add state --
    def add_state(self, domain: str) -> list[DesignSpec]:
        """One design per forward step A -> B of a lifecycle field whose places are all known."""
        out = []
        for d, ent, fld in self.r._lifecycles(domain):
            if is_delete_flag(fld) or self.r._snapshot(d, ent) or len(d["entries"]) < 3:
                continue
            places = self._places(d, ent, fld)
            if places is None:
                continue
            for a, b, steps in self._pairs(d, ent, fld)[:MAX_PAIRS]:
                spec = self._add_state_spec(domain, d, ent, fld, places, a, b, steps)
                if spec and self._fits(spec):
                    out.append(spec)
        return out

    def _fits(self, spec: DesignSpec) -> bool:
        """The rendered answer stays within the length the validator accepts, in every language."""
        from core.answer_format import render_design
        from core.generate.design import propose
        ids = [f"E{n}" for n in range(1, len(spec.refs) + 1)]
        return all(len(render_design(propose(spec, self.r.conv[spec.domain], lang, ids)[0], lang)) <= MAX_ANSWER
                   for lang in ("en", "zh"))

    def _pairs(self, d: dict, ent: dict, fld: str) -> list[tuple[str, str, list[dict]]]:
        """Forward steps A -> B: every transition that sets B requires exactly A (a B reached from several states, or
        set without a check, has no single step to put a state in front of), and B does not end the flow."""
        codes = {str(e["code"]) for e in d["entries"]}
        steps: dict[tuple[str, str], list[dict]] = {}
        for t in self.r.rules:
            tf = t["facts"]
            if t["kind"] != "transition" or tf.get("entity") != ent["name"] or tf.get("field") != fld:
                continue
            src = [str(c) for c in tf.get("from_codes") or []]
            if len(src) == 1 and str(tf.get("to")) in codes and src[0] in codes and src[0] != str(tf["to"]) \
                    and not _ends(d, str(tf["to"])):
                steps.setdefault((src[0], str(tf["to"])), []).append(t)
        into: dict[str, int] = {}         # transitions setting each code, whatever they start from
        for t in self.r.rules:
            tf = t["facts"]
            if t["kind"] == "transition" and tf.get("entity") == ent["name"] and tf.get("field") == fld:
                into[str(tf.get("to"))] = into.get(str(tf.get("to")), 0) + 1
        steps = {k: ts for k, ts in steps.items() if into.get(k[1]) == len(ts)}   # B is reached from A alone
        order = [str(e["code"]) for e in d["entries"]]
        return [(a, b, ts) for (a, b), ts in sorted(steps.items(), key=lambda kv: (order.index(kv[0][0]),
                                                                                   order.index(kv[0][1])))]

    def _places(self, d: dict, ent: dict, fld: str) -> list[Site] | None:
        """Every place that sets, tests, reads or documents the field; None when the scans find one the facts miss
        or there are more than MAX_SITES."""
        lc = self._lifecycles()
        rules = lc.transitions.get((ent["name"], fld), [])
        if not rules or lc.extra_setters(ent["name"], fld, rules) is None:
            return None                     # a writer whose value is unknown
        table = self.r.tables[ent["symbol_id"]]
        column = snake(fld)
        strings = self._string_sql(table, column)
        if strings is None:
            return None
        sites = [s for s in self.r._sites(ent, fld) + strings if not self.code.inactive(self._owner(s))]
        sites += self._reads(ent, fld, sites)
        sites += self._constant_uses(d, sites)
        sites += self._literal_uses(d, ent["name"], table, sites)
        sites += self._predicate_calls(sites)
        sites += self._helper_calls(ent, sites)
        sites += self._docs(d, table, column, sites)
        sites += self._comment_blocks(d, sites)
        sites = _grouped(sites)
        return None if len(sites) > MAX_SITES else sites

    def _owner(self, s: Site) -> str | None:
        m = self.code.method_at(s.path, s.line)
        return m.get("parent_id") if m else None

    @staticmethod
    def _covered(sites: list[Site], path: str, line: int) -> bool:
        """A line a listed place already names: its own line, a grouped site's lines, or the line a local checked
        later was read on (a wide evidence span is no claim about every line in it)."""
        return any(s.path == path and (s.line == line or line in s.lines or (bool(s.lines) and line == s.start_line))
                   for s in sites)

    def _reads(self, ent: dict, fld: str, sites: list[Site]) -> list[Site | None]:
        """Getter calls outside the listed places: the value passed on (a copy into a view, an argument)."""
        getter = f"{ent['symbol_id']}#get{cap(fld)}("
        out: list[Site | None] = []
        for c in self.data["calls"]:
            callee = c.get("callee_id") or ""
            lombok = callee == f"{ent['symbol_id']}.{fld}" and c["callee_name"].endswith(f".get{cap(fld)}")
            if not (callee.startswith(getter) or lombok) or c["path"] in self.code.generated_paths:
                continue
            if self.code.layer_of(c["caller_id"].split("#")[0]) in ("model", "dto") \
                    or self._covered(sites + [s for s in out if s], c["path"], c["line"]):
                continue
            out.append(self.code.site("read", c["path"], c["line"]))
        return out

    def _constant_uses(self, d: dict, sites: list[Site]) -> list[Site]:
        """Lines that name one of the dictionary's constants (`OrderUtil.STATUS_PAY`, `OrderStatusEnum.PAID`) outside
        the listed places and the declarations themselves."""
        names = [e["name"].rsplit(".", 1)[-1] for e in d["entries"] if e.get("name")]
        if not names:
            return []
        owner = d["owner"].rsplit(".", 1)[-1]
        pat = re.compile(rf"\b{re.escape(owner)}\.({'|'.join(map(re.escape, names))})\b")
        declared = {e.get("line") for e in d["entries"]}
        out: list[Site] = []
        for f in self.data["files"]:
            if not f["path"].endswith(".java") or f["path"] in self.code.generated_paths:
                continue
            for n, line in enumerate(self.r.files.get(f["path"]).lines, 1):
                if line.lstrip().startswith("//") or not pat.search(line):
                    continue
                if (f["path"] == d["path"] and n in declared) or self._covered(sites + out, f["path"], n):
                    continue
                m = self.code.method_at(f["path"], n)
                if m and self.code.inactive(m.get("parent_id")):
                    continue
                out.append(self.code.site("use", f["path"], n))
        return out

    def _literal_uses(self, d: dict, entity: str, table: str, sites: list[Site]) -> list[Site]:
        """Codes of three or more digits (litemall's 201, 301) are distinctive: any hand-written Java or mapper line
        that names one as a literal outside the listed places handles the state (`status.add((short) 201)`)."""
        codes = _distinctive_codes(d)
        if not codes:
            return []
        pat = re.compile(rf"(?<![\w.\"]){'|'.join(map(re.escape, codes))}(?![\w.])")
        names = (d["owner"].rsplit(".", 1)[-1], entity, table)
        out: list[Site] = []
        for f in self.data["files"]:
            if not f["path"].endswith((".java", ".xml")) or f["path"] in self.code.generated_paths:
                continue
            lines = self.r.files.get(f["path"]).lines
            if not any(re.search(rf"\b{re.escape(x)}\b", "\n".join(lines)) for x in names):
                continue            # a file about neither the entity, its table nor the dictionary (HTTP 401 ...)
            for n, line in enumerate(lines, 1):
                code = re.sub(r'"[^"]*"', "", line)
                if code.lstrip().startswith(("//", "*", "/*")) or not pat.search(code) \
                        or self._covered(sites + out, f["path"], n) or (f["path"] == d["path"] and any(
                            e.get("line") == n for e in d["entries"])):
                    continue
                out.append(self.code.site("use", f["path"], n))
        return out

    def _predicate_calls(self, sites: list[Site]) -> list[Site]:
        """Calls of a method that answers a state question (`OrderUtil.isPayStatus(order)`: a listed place that
        returns the comparison): each caller acts on the answer, so it is a place too."""
        out: list[Site] = []
        for s in sites:
            m = self.code.method_at(s.path, s.line)
            if s.kind != "check" or not m or not re.match(r"return\b", s.text) \
                    or not re.search(r"\bboolean\b", m.get("signature") or ""):
                continue
            for c in self.code.callers(m):
                if c["path"] in self.code.generated_paths or self._covered(sites + out, c["path"], c["line"]):
                    continue
                caller = self.code.methods.get(c["caller_id"])
                if caller and not self.code.inactive(caller.get("parent_id")):
                    site = self.code.site("check", c["path"], c["line"])
                    site.via = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
                    out.append(site)
        return out

    def _helper_calls(self, ent: dict, sites: list[Site]) -> list[Site]:
        """Calls of a helper that takes the entity and tests the field inside (litemall's `OrderUtil.build(order)`
        and `orderStatusText(order)`): each caller reads the field through it, so it is a place too (blind read
        24GG: litemall S16 counted the callers of `OrderUtil.isPayStatus` but not those of `build`)."""
        takes = re.compile(rf"\(\s*(?:final\s+)?(?:[\w.]+\.)?{re.escape(ent['name'])}\s+\w+\s*\)")
        helpers = {}
        for s in sites:
            m = self.code.method_at(s.path, s.line)
            if s.kind == "check" and m and takes.search(m.get("signature") or "") \
                    and not (re.match(r"return\b", s.text) and re.search(r"\bboolean\b", m.get("signature") or "")):
                helpers[m["symbol_id"]] = m
        out: list[Site] = []
        for m in helpers.values():
            for c in self.code.callers(m):
                caller = self.code.methods.get(c["caller_id"])
                if c["path"] in self.code.generated_paths or not caller or self.code.inactive(caller.get("parent_id")) \
                        or caller["symbol_id"] in helpers or self._covered(sites + out, c["path"], c["line"]):
                    continue
                site = self.code.site("read", c["path"], c["line"])
                site.via = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
                out.append(site)
        return out

    def _comment_blocks(self, d: dict, sites: list[Site]) -> list[Site]:
        """Comment blocks that walk through the states by their distinctive codes (litemall's headers: "101 订单生成，
        未支付；102，…"): one place per block, its lines that name two or more codes (distinctive codes only)."""
        if not _distinctive_codes(d):
            return []
        out: list[Site] = []
        for f in self.data["files"]:
            if not f["path"].endswith(".java") or f["path"] in self.code.generated_paths:
                continue
            lines = self.r.files.get(f["path"]).lines
            n = 0
            while n < len(lines):
                if not re.match(r"\s*(/\*|//)", lines[n]):
                    n += 1
                    continue
                start = n
                if lines[n].lstrip().startswith("//"):
                    while n + 1 < len(lines) and lines[n + 1].lstrip().startswith("//"):
                        n += 1
                else:
                    while n < len(lines) - 1 and "*/" not in lines[n]:
                        n += 1
                naming = [k + 1 for k in range(start, n + 1) if _doc_codes(d, lines[k]) >= 2]
                n += 1
                if not naming or any(s.path == f["path"] and s.line in naming for s in sites) \
                        or (f["path"] == d["path"] and d["start_line"] <= naming[0] <= d["end_line"]):
                    continue
                site = self._doc_site(f["path"], naming[0])
                site.start_line, site.end_line = start + 1, min(n, start + 40)
                site.lines = [k for k in naming if k <= site.end_line]
                out.append(site)
        return out

    def _labels(self, d: dict) -> list[str]:
        return [e["label"] for e in d["entries"] if e.get("label") and not re.fullmatch(r"[A-Z_0-9]+", e["label"])
                and len(e["label"]) >= 2]

    def _docs(self, d: dict, table: str, column: str, sites: list[Site]) -> list[Site]:
        """Lines that document the codes: two or more of the dictionary's labels on one line (comments, API
        annotations, the DDL column comment), outside the dictionary's own lines."""
        labels = self._labels(d)
        if len(labels) < 2:
            return []
        out: list[Site] = []
        for f in self.data["files"]:
            if not f["path"].endswith((".java", ".xml", ".sql")):    # a DDL comment on a twin column documents them too
                continue
            for n, line in enumerate(self.r.files.get(f["path"]).lines, 1):
                if sum(lb in line for lb in labels) < 2 or _doc_codes(d, line) < 2 or not _DOC_LINE.search(line) \
                        or (f["path"] == d["path"] and d["start_line"] <= n <= d["end_line"]):
                    continue
                if any(e.get("label_lines") and f["path"] == d["path"] and e["label_lines"][0] <= n
                       <= e["label_lines"][1] for e in d["entries"]) or any(s.path == f["path"] and s.line == n
                                                                             for s in sites + out):
                    continue
                out.append(self._doc_site(f["path"], n))
        col = (self.r.schema.get(table).columns.get(column) if self.r.schema.get(table) else None)
        if col and self.r.schema[table].source == "ddl" and sum(lb in col.comment for lb in labels) >= 2 \
                and not any(s.path == col.path and s.line == col.line for s in out):
            out.append(self._doc_site(col.path, col.line, f"{table}.{column}"))
        return out

    def _doc_site(self, path: str, line: int, where: str | None = None) -> Site:
        stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        ddl = _ddl_column(self.r.files.get(path).lines, line) if path.endswith(".sql") else None
        where = where or (ddl[0] if ddl else None)
        m = self.code.method_at(path, line) if path.endswith(".java") else None
        name = where or (f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}" if m else stem)
        layer = self.code.layer_of(m.get("parent_id")) if m else (
            self.code.layer_of(next((c["symbol_id"] for c in self.data["classes"] if c.get("path") == path), None))
            if path.endswith(".java") else "sql")
        text = self.code.text(path, line)
        end, depth, lines = line, 0, self.r.files.get(path).lines
        if text.startswith("@"):        # an annotation runs until its parentheses close (allowableValues on the next line)
            for n in range(line, min(line + 6, len(lines)) + 1):
                depth += lines[n - 1].count("(") - lines[n - 1].count(")")
                end = n
                if depth <= 0:
                    break
        start = ddl[1] if ddl and line - ddl[1] <= 30 else line      # the CREATE TABLE line names the table
        site = Site("doc", name, layer, path, line, start, end, text)
        site.field = "allowableValues" if any("allowableValues" in lines[n - 1] for n in range(line, end + 1)) else ""
        return site

    def _string_sql(self, table: str, column: str) -> list[Site] | None:
        """SQL on the column built in Java strings. A write there (`"update ... set status = 4"`) is a place the facts
        do not read: None. A filter (`" o.order_status in (" + ...`) passes the value on, and is a place like any
        other (blind read 20A: litemall `queryVoSelective` was missing from an "every place" list). A bare word
        column (`status`) counts only in a file that names the table."""
        column_op = re.compile(rf"(?<![\w$]){re.escape(column)}\s*(=|<>|!=|<|>|\bin\b|\blike\b|\bis\b)", re.I)
        sites = []
        for f in self.data["files"]:
            if not f["path"].endswith(".java") or f["path"] in self.code.generated_paths:
                continue
            text = self.r.files.get(f["path"]).text
            low = text.lower()
            if column not in low or ("_" not in column and table not in low):
                continue
            for lit in _STRING.finditer(text):
                if not column_op.search(lit.group(0)):
                    continue
                if re.search(r"\b(update|insert)\b", lit.group(0), re.I) \
                        or re.search(rf"\bset\b.*\b{re.escape(column)}\s*=", lit.group(0), re.I):
                    return None
                sites.append(self.code.site("sql_filter", f["path"], text.count("\n", 0, lit.start()) + 1))
        return sites

    # -------------------------------------------------------------- on status --
    def on_status(self, domain: str) -> list[DesignSpec]:
        """"Do something every time X enters status V" (core/generate/status_hook.py)."""
        from core.generate.status_hook import on_status_specs
        return on_status_specs(self, domain)

    # --------------------------------------------------------- record history --
    def record_history(self, domain: str) -> list[DesignSpec]:
        """An operation moves E.status and writes no history row, while peers insert one (an `H` whose status field
        repeats E's codes, keyed by E's id) for the states they move E to: copy the peer's row."""
        out = []
        for d, ent, fld in self.r._lifecycles(domain):
            for h, h_fld, fk in self._histories(d, ent):
                peers = self._history_peers(h, h_fld)
                if not peers:
                    continue
                moves, peer_labels = [], {p["label"] for p in peers}
                for t in self.r.rules:
                    tf = t["facts"]
                    if t["kind"] != "transition" or tf.get("entity") != ent["name"] or tf.get("field") != fld \
                            or not tf.get("method") or not tf.get("write") or tf["method"] in peer_labels:
                        continue
                    m = self.code.method(tf["method"], tf["line"])
                    if not m or self.code.inactive(m.get("parent_id")) or self._builds_new(m, ent["name"]):
                        continue
                    moves.append((t, m))
                for t, m in moves:
                    # the other operations that move it to the same state without a row: the design covers one
                    # operation, and says which it leaves (blind read 24GG: mall S10 called the history "complete"
                    # while cancelTimeOutOrder also closes orders without one)
                    alike = [{"label": u["facts"]["method"], "call": u["facts"]["write"]["call"], "line":
                              u["facts"]["write"]["line"], "m": n} for u, n in moves
                             if u["facts"]["to"] == t["facts"]["to"] and u["facts"]["method"] != t["facts"]["method"]]
                    alike += [x for x in self._sql_moves(ent["name"], fld, str(t["facts"]["to"]))
                              if x["label"] not in peer_labels | {t["facts"]["method"]}]
                    spec = self._history_spec(domain, d, ent, fld, h, h_fld, fk, peers, t, m, alike)
                    if spec:
                        out.append(spec)
        return out

    def _sql_moves(self, entity: str, fld: str, to: str) -> list[dict]:
        """The Java calls of statements whose own SET moves the entity to `to` (`SET status = 4` in the XML): each
        calling method is an operation that moves it there."""
        out = []
        for t in self.r.rules:
            tf = t["facts"]
            if t["kind"] != "transition" or tf.get("via") != "sql" or tf.get("entity") != entity \
                    or tf.get("field") != fld or str(tf.get("to")) != to or not (dao := self.code.methods.get(
                        tf.get("method_id") or "")):
                continue
            for c in self.code.callers(dao):
                m = self.code.methods.get(c["caller_id"])
                if m and c["path"] not in self.code.generated_paths and not self.code.inactive(m.get("parent_id")):
                    out.append({"label": f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}", "line": c["line"],
                                "call": " ".join(self.code.text(c["path"], c["line"]).split()).rstrip(";"), "m": m})
        return out

    def _histories(self, d: dict, ent: dict) -> list[tuple[dict, str, str]]:
        """(history class, its status field, its key to the entity): a persisted `*History|*Log|*Record` class whose
        dictionary repeats the entity's codes and labels and that has `<entity>Id`."""
        codes = [(str(e["code"]), e["label"]) for e in d["entries"]]
        base = re.findall(r"[A-Z][a-z0-9]*", ent["name"])
        fk = (base[-1][0].lower() + base[-1][1:] + "Id") if base else ""
        out = []
        for o in self.data["status_dicts"]:
            h = self.code.cls(o["owner"]) if o is not d else None
            if not h or h["symbol_id"] not in self.r.tables or not re.search(r"(History|Log|Record)$", h["name"]) \
                    or [(str(e["code"]), e["label"]) for e in o["entries"]] != codes or not o.get("field"):
                continue
            fields = {f["name"] for f in self.data["symbols"] if f["kind"] == "field" and f.get("parent_id") == h["symbol_id"]}
            if fk in fields:
                out.append((h, o["field"], fk))
        return out

    def _history_peers(self, h: dict, h_fld: str) -> list[dict]:
        """Methods that build an `H` (`H x = new H()`), set its status field to a literal code and insert it: each
        with the setters it calls (field, expression, line) and the insert call."""
        peers = []
        made = re.compile(rf"\b{re.escape(h['name'])}\s+(\w+)\s*=\s*new\s+{re.escape(h['name'])}\s*\(")
        for m in self.code.methods.values():
            if m["path"] in self.code.generated_paths or self.code.inactive(m.get("parent_id")):
                continue
            lines = self.r.files.get(m["path"]).lines[m["start_line"] - 1:m["end_line"]]
            body = "\n".join(lines)
            var = made.search(body)
            if not var:
                continue
            sets = [{"field": f[0].lower() + f[1:], "expr": e.strip(), "line": m["start_line"] + n}
                    for n, line in enumerate(lines) for f, e in re.findall(rf"\b{var.group(1)}\.set(\w+)\((.*)\);", line)]
            status = next((x for x in sets if x["field"] == h_fld and re.fullmatch(r"-?\d+", x["expr"])), None)
            insert = next((c for c in self.code.calls_in(m["symbol_id"]) if re.match(r"insert", c["callee_name"].rsplit(
                ".", 1)[-1]) and c["line"] > sets[-1]["line"]), None) if sets else None
            if status and insert:
                end = self.code.statement_end(m["path"], insert["line"])
                start = m["start_line"] if end - m["start_line"] < 40 else m["start_line"] + lines.index(
                    next(x for x in lines if made.search(x)))
                peers.append({"label": f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}", "method": m, "sets": sets,
                              "to": status["expr"], "insert": insert, "start": start, "end": end})
        return peers

    def _tx_holder(self, m: dict) -> str:
        """Where a method's @Transactional sits: on it, on its class, or on the interface method it implements."""
        if any(a.get("name") == "Transactional" for a in m.get("annotations") or []):
            return "method"
        cls = self.code.classes.get(m.get("parent_id") or "") or {}
        return "class" if any(a.get("name") == "Transactional" for a in cls.get("annotations") or []) else "interface"

    def _builds_new(self, m: dict, entity: str) -> bool:
        """The method creates the record (`new Order()` then insert): its first state is no move to record."""
        body = "\n".join(self.r.files.get(m["path"]).lines[m["start_line"] - 1:m["end_line"]])
        return bool(re.search(rf"\bnew\s+{re.escape(entity)}\s*\(", body) and re.search(r"\.insert\w*\(", body))

    def _history_mapper(self, h: dict, peer: dict, m: dict) -> dict | None:
        """What the operation inserts with: the peer's insert when its class is visible from the operation's module
        (the same module, or a shared one), else the generated mapper of H with `insert`."""
        module = next((f["module"] for f in self.data["files"] if f["path"] == m["path"]), None)
        owner = (peer["insert"].get("callee_id") or "").split("#")[0]
        cls = self.code.classes.get(owner) or {}
        peer_module = next((f["module"] for f in self.data["files"] if f["path"] == peer["method"]["path"]), None)
        if cls and cls.get("module") in (module,) or (cls and cls.get("module") != peer_module):
            return {"class": cls, "call": peer["insert"]["callee_name"].rsplit(".", 1)[-1], "own": True}
        gen = self.code.cls(f"{h['name']}Mapper")
        if gen and gen.get("module") not in (peer_module,) and self.code.has_method(gen["symbol_id"], "insert"):
            return {"class": gen, "call": "insert", "own": False}
        return None

    def _history_spec(self, domain: str, d: dict, ent: dict, fld: str, h: dict, h_fld: str, fk: str,
                      peers: list[dict], t: dict, m: dict, alike: list[dict]) -> DesignSpec | None:
        tf = t["facts"]
        to = str(tf["to"])
        peer = next((p for p in peers if p["to"] == to), peers[0])
        mapper = self._history_mapper(h, peer, m)
        if mapper is None:
            return None
        fields = {f["name"]: f.get("type") for f in self.data["symbols"] if f["kind"] == "field"
                  and f.get("parent_id") == m.get("parent_id")}
        injected = next((n for n, ty in fields.items() if (ty or "").rsplit(".", 1)[-1] == mapper["class"]["name"]), None)
        lc = self._lifecycles()
        entries = sorted((lc._entry_facts(f, chain) for f, chain in lc.entries(m["symbol_id"]) or []),
                         key=lambda e: e["name"])[:4]
        label = f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}"
        w = tf["write"]
        table = self.r.tables[h["symbol_id"]]
        refs = [Ref(peer["label"], f"inserts {_a(h['name'])} with {', '.join(x['field'] for x in peer['sets'])}, "
                                   f"its {h_fld} = {peer['to']}",
                    f"插入 {h['name']}，设置 {'、'.join(x['field'] for x in peer['sets'])}，其中 {h_fld} = {peer['to']}",
                    peer["method"]["path"], peer["start"], peer["end"]),
                Ref(label, f"sets {fld} to {to} and writes it with `{w['call']}`, with no {h['name']} row",
                    f"把 {fld} 设为 {to} 并用 `{w['call']}` 写入，没有写 {h['name']}", m["path"],
                    *_after_write(m, w["line"]))]
        refs += self.r._dict_refs(d, [to, peer["to"]])
        tx = self.r.tx_ref(m) or (self.r.tx_ref(peer["method"]) if self.r._transactional(peer["method"]) else None)
        refs += ([tx] if tx else []) + _entry_refs(entries)
        actors = [x for x in [actor_in(self.r, m)] if x]     # the operation already holds its caller (24PP)
        refs += actor_refs(actors)
        alike = list({a["label"]: a for a in alike}.values())[:3]
        refs += [Ref(a["label"], f"also sets {fld} to {to} with `{a['call']}`, with no {h['name']} row",
                     f"同样用 `{a['call']}` 把 {fld} 设为 {to}，没有写 {h['name']}", a["m"]["path"],
                     *_after_write(a["m"], a["line"])) for a in alike]
        facts = {"entity": ent["name"], "field": fld, "history": h["name"], "table": table, "status_field": h_fld,
                 "alike": [a["label"] for a in alike], "actors": actors,
                 "fk": fk, "op": label, "to": to, "to_label": self._label_of(d, to), "peer": peer["label"],
                 "peer_to": peer["to"], "others": [(p["label"], p["to"]) for p in peers if p is not peer][:3],
                 "sets": [{k: x[k] for k in ("field", "expr")} for x in peer["sets"]],
                 "receiver": tf.get("receiver") or "", "write": w["call"], "write_line": w.get("end_line") or w["line"],
                 "row_check": (self.code.row_check({"path": m["path"], "line": w["line"]}) or {}).get("line"),
                 "mapper": mapper["class"]["name"], "mapper_module": mapper["class"].get("module"),
                 "insert": mapper["call"] if mapper["own"] else "insert", "injected": injected,
                 "layer": self.code.layer_of(m.get("parent_id")), "cls": m["parent_id"].rsplit(".", 1)[-1],
                 "transactional": self.r._transactional(m), "peer_transactional": self.r._transactional(peer["method"]),
                 "peer_tx_on": self._tx_holder(peer["method"]),
                 "entries": [(e["kind"], e["name"].removeprefix(f"{e['kind']} ")) for e in entries]}
        text_en = (f"Record {label} in {table} the way {peer['label']} does: one {h['name']} row for each "
                   f"{ent['name']} it moves to {self._label_of(d, to)}.")
        text_zh = (f"像 {peer['label']} 一样，在 {table} 中记录 {label}：它每把一个 {ent['name']} 改为 "
                   f"{self._label_of(d, to)}，就写一条 {h['name']}。")
        return DesignSpec(_req_id("record_history", t["rule_id"], h["symbol_id"]), "record_history", domain, text_en,
                          text_zh, refs, facts)

    # ------------------------------------------------------------------ spec --
    def _new_code(self, d: dict, a: str) -> str:
        """A code no state uses: the next free one in A's hundred where codes are grouped by hundreds (litemall
        101/201/301), else one above the largest."""
        used = {int(c) for c in (str(e["code"]) for e in d["entries"]) if re.fullmatch(r"-?\d+", c)}
        if not used:
            return "?"
        if a.lstrip("-").isdigit() and min(used) >= 100:
            base = int(a) // 100 * 100
            free = next((base + k for k in range(1, 99) if base + k not in used), None)
            if free is not None:
                return str(free)
        step = 10 if all(c % 10 == 0 for c in used) and max(used) >= 10 else 1     # 10/20/30/40 -> 50
        return str(max(used) + step)

    def _label_of(self, d: dict, code: str) -> str:
        e = next((e for e in d["entries"] if str(e["code"]) == code), None)
        if not e or e["label"] == e.get("name") or re.fullmatch(r"[A-Z_0-9]+", e["label"] or ""):
            return code
        return f'{code} "{e["label"]}"' if not e["label"].isascii() else f"{code} ({e['label']})"

    def _codes_in(self, d: dict, text: str) -> list[str]:
        """The dictionary's codes a line names: literals and the constants' names."""
        codes = {str(e["code"]) for e in d["entries"]}
        found = [n for n in _NUM.findall(re.sub(r"\"[^\"]*\"", "", text)) if n in codes]
        for e in d["entries"]:
            if e.get("name") and re.search(rf"\b{re.escape(e['name'].rsplit('.', 1)[-1])}\b", text):
                found.append(str(e["code"]))
        return list(dict.fromkeys(found))

    def _set_lines(self, s: Site) -> str:
        """A site's lines; for a SQL `col = CASE id <foreach> WHEN .. THEN 2 </foreach> END`, the lines down to its
        END, where the code it writes is (blind read 24OO: mall's `delivery` sets 2 and was counted as setting
        none of the codes)."""
        text = self._site_lines(s)
        if s.kind != "sql_set" or not re.search(r"\bCASE\b(?!.*\bEND\b)", text, re.I):
            return text
        lines = self.r.files.get(s.path).lines
        tail = []
        for n in range(s.line + 1, min(s.line + 12, len(lines)) + 1):
            tail.append(lines[n - 1])
            if re.search(r"\bEND\b", lines[n - 1], re.I):
                return text + " " + " ".join(re.sub(r"#\{[^}]*\}", "", t) for t in tail)
        return text

    def _site_lines(self, s: Site) -> str:
        """The site's own line(s) of code: a grouped site (a template, a local's comparisons) joins them."""
        if s.lines and len(s.lines) > 1:
            return " … ".join(self.code.text(s.path, n) for n in s.lines)
        return s.text

    def _add_state_spec(self, domain: str, d: dict, ent: dict, fld: str, sites: list[Site], a: str, b: str,
                        steps: list[dict]) -> DesignSpec | None:
        new = self._new_code(d, a)
        la, lb = self._label_of(d, a), self._label_of(d, b)
        step_lines = {(e["path"], ln) for t in steps for e in t["evidence"]
                      for ln in range(e["start_line"], e["end_line"] + 1)}
        step_lines |= {(t["evidence"][0]["path"], ln) for t in steps for ln in
                       [t["facts"].get("criteria_line"), *(r.get("line") for r in t["facts"].get("requires") or [])] if ln}
        ops = self._ops(steps, sites)
        refs = self.r._dict_refs(d)
        places = []
        own: dict[str, list[str]] = {}       # a state predicate (`OrderUtil.isPayStatus`) -> the codes it tests
        for s in sites:
            if s.kind == "check":
                own.setdefault(s.where, []).extend(self._codes_in(d, self._site_lines(s)))
        stmt_codes = {s.where: self._codes_in(d, self._set_lines(s)) for s in sites if s.kind == "sql_set"}
        for s in sites:
            codes = self._codes_in(d, self._set_lines(s)) or (stmt_codes.get(s.via, []) if s.kind == "set" else [])
            if s.via and s.kind == "check":       # a caller of predicates: the codes of every one its lines call
                called = [p for p in own if re.search(rf"\b{re.escape(p)}\(", self._site_lines(s))]
                s.via = ", ".join(f"`{p}`" for p in called) or s.via
                codes = list(dict.fromkeys(codes + [c for p in called for c in own[p]]))
            role = self._role(s, codes, a, b, step_lines | {(s.path, s.line) for s in sites if s.where in ops})
            job = None
            m = self.code.method_at(s.path, s.line)
            feeds = self._feeds(m, s.line, ops) if role == "decide" and a in codes and b not in codes else None
            if feeds:     # it picks the record in A and hands it to the step: the test moves with the step
                role = "feeds"
            if m and s.kind != "doc":
                job = self.r._job_of(m, 2)
            places.append({"kind": s.kind, "where": s.where, "layer": s.layer, "line": s.line, "text": _short(s.text),
                           "allowed": s.field == "allowableValues", "generator": self._generator_of(s.path),
                           "throws": self._throws_unlisted(s, m),
                           "codes": codes, "role": role, "via": s.via, "job": job, "feeds": feeds,
                           "path": s.path, "ordered": bool(re.search(r"[<>]=?\s*-?\d|-?\d\s*[<>]", s.text)
                                                             and not re.search(r"<if|&[lg]t;|->|<[a-zA-Z/]", s.text))})
            refs.append(Ref(s.where, *self._why(s, codes, len(sites) > SHORT_ABOVE), s.path, s.start_line, s.end_line))
            if feeds and not s.start_line <= feeds["line"] <= s.end_line:
                refs.append(Ref(s.where, f"hands the record to `{feeds['op']}`", f"把记录交给 `{feeds['op']}`", s.path,
                                feeds["line"], feeds["line"]))
            thrown = self._unlisted_throw(s, m)
            if thrown and not s.start_line <= thrown[1] <= s.end_line:   # what "so X needs a branch" rests on (21I S35)
                refs.append(Ref(s.where, f"runs `{_short(thrown[0])}` for a code it does not list",
                                f"遇到未列出的取值执行 `{_short(thrown[0])}`", s.path, thrown[1], thrown[1]))
        text_en = (f"Add a new state to {ent['name']}.{fld} between {la} and {lb} (today {' and '.join(ops)} "
                   f"move{'s' if len(ops) == 1 else ''} it from {a} to {b}). Which places in the Java code and the SQL "
                   "must change, and how?")
        text_zh = (f"为 {ent['name']}.{fld} 增加一个新状态，位于 {la} 与 {lb} 之间（现在由 {'、'.join(ops)} 把它从 {a} 改为 "
                   f"{b}）。Java 代码和 SQL 中哪些地方必须修改，怎么改？")
        callers = self._op_endpoints(ops)
        if not callers:
            return None                     # nothing could call the new step: no design a lead would sign
        refs += _entry_refs(callers)
        gens = {g["path"]: g for g in [self._generator_of(d["path"])] + [p["generator"] for p in places] if g}
        for g in gens.values():      # "generated ... regenerate" rests on the config's lines
            name = g["path"].rsplit("/", 1)[-1]
            refs.append(Ref(name, "generates the models into their package", "把模型生成到该包", g["path"],
                            g["model_line"], g["model_line"]))
            if g["comment_line"]:
                refs.append(Ref(name, "writes the models' comments with its comment generator", "用其注释生成器写模型注释",
                                g["path"], g["comment_line"], g["comment_line"]))
        iface = self._declared_in(ops[0])
        if iface:            # the controller calls the step through its interface: the new method is declared there too
            refs.append(Ref(iface["label"], "declares the step" + (" with @Transactional" if iface["tx"] else ""),
                            "声明了该步骤" + ("并带 @Transactional" if iface["tx"] else ""), iface["path"], iface["start"],
                            iface["end"]))
        labeller = self._labeller_throw(d)
        if labeller and not any(r.path == labeller[0] and r.start_line <= labeller[1] <= r.end_line for r in refs):
            refs.append(Ref(_dict_name(d), "runs a throw for a code its labels do not list",
                            "遇到未列出的取值抛出异常", labeller[0], labeller[1], labeller[1]))
        facts = {"entity": ent["name"], "field": fld, "column": snake(fld), "table": self.r.tables[ent["symbol_id"]],
                 "a": a, "b": b, "a_label": la, "b_label": lb, "new": new, "ops": ops,
                 "callers": [{"name": e["name"], "method": e["method"], "calls": e["calls"][0]["written"]
                              if e["calls"] else ""} for e in callers],
                 "op_layer": self.code.layer_of((self.code.cls(ops[0].rsplit(".", 1)[0]) or {}).get("symbol_id")),
                 "op_iface": iface,
                 "dict": self._dict_facts(d),
                 "codes": [str(e["code"]) for e in d["entries"]], "places": places}
        return DesignSpec(_req_id("add_state", d["dict_id"], a, b), "add_state", domain, text_en, text_zh, refs, facts)

    def _declared_in(self, op: str) -> dict | None:
        """The interface that declares the step's method (mall's `OmsPortalOrderService.paySuccess`, which holds its
        @Transactional): a new step beside it is declared there too (blind read 24KK: mall S5 left it out)."""
        cls = self.code.cls(op.rsplit(".", 1)[0]) or {}
        name = op.rsplit(".", 1)[-1]
        for base in [*(cls.get("extends") or []), (cls.get("name") or "").removesuffix("Impl")]:
            iface = self.code.cls(base.rsplit(".", 1)[-1].split("<")[0]) if base else None
            if not iface or iface.get("symbol_id") == cls.get("symbol_id") or iface.get("kind") not in (None, "interface"):
                continue
            m = next((x for x in self.code.methods_of.get(iface["symbol_id"], []) if x["name"] == name), None)
            if m and m.get("path") and m.get("start_line"):
                tx = any(a.get("name") == "Transactional" for a in m.get("annotations") or [])
                return {"name": iface["name"], "label": f"{iface['name']}.{name}", "method": name, "tx": tx,
                        "path": m["path"], "start": m["start_line"], "end": m["end_line"],
                        "layer": self.code.layer_of(iface["symbol_id"])}
        return None

    def _feeds(self, m: dict | None, line: int, ops: list[str]) -> dict | None:
        """The call of a step operation in `m` after `line` ({op, line}): the record `m` tests or selects there is the
        one the step then moves (mall's `paySuccessByOrderSn` picks the order in 0 and calls `paySuccess`)."""
        if not m:
            return None
        names = {op.rsplit(".", 1)[-1]: op for op in ops}
        for c in self.code.calls_in(m["symbol_id"]):
            name = (c.get("callee_id") or "").partition("#")[2].split("(")[0]
            owner = (c.get("callee_id") or "").split("#")[0].rsplit(".", 1)[-1]
            op = names.get(name)
            if op and c["line"] > line and owner.removesuffix("Impl") == op.rsplit(".", 1)[0].removesuffix("Impl"):
                return {"op": op, "line": c["line"]}
        return None

    def _op_endpoints(self, ops: list[str]) -> list[dict]:
        """The endpoints that reach the step's operations: the new step gets an endpoint beside them (a job or a
        listener moving a record on is no pattern for a step someone must trigger)."""
        lc = self._lifecycles()
        out = []
        for op in ops:
            m = self.code.method(op)
            reached = lc.entries(m["symbol_id"]) if m else None
            out += [e for e in (lc._entry_facts(f, chain) for f, chain in reached or []) if e["kind"] == "endpoint"]
        return sorted(out, key=lambda e: (len(e["calls"]), e["name"]))[:1]     # the one calling it directly first

    def _labeller_throw(self, d: dict) -> tuple[str, int] | None:
        """(path, line) of the throw the dictionary's labelling method runs for a code it does not list."""
        lines = [e["label_lines"][0] for e in d["entries"] if e.get("label_lines")
                 and not d["start_line"] <= e["label_lines"][0] <= d["end_line"]]
        m = self.code.method_at(d["path"], lines[0]) if lines else None
        found = self._unlisted_throw(None, m)
        return (d["path"], found[1]) if found else None

    def _dict_facts(self, d: dict) -> dict:
        """How the dictionary declares its codes (a comment, constants, enum constants) and the method that labels
        them, with the throw it runs for a code it does not know."""
        kind = "enum" if d.get("source") == "enum" else "constants" if any(e.get("name") for e in d["entries"]) \
            else "comment"
        lines = [e["label_lines"][0] for e in d["entries"] if e.get("label_lines")
                 and not d["start_line"] <= e["label_lines"][0] <= d["end_line"]]
        m = self.code.method_at(d["path"], lines[0]) if lines else None
        cls = next((c for c in self.data["classes"] if c.get("path") == d["path"]), None)
        layer = self.code.layer_of(cls["symbol_id"]) if cls else "model"
        return {"owner": _dict_name(d), "kind": kind, "line": d["start_line"],
                "layer": "util" if layer == "other" else layer, "generator": self._generator_of(d["path"]),
                "labeller": f"{m['parent_id'].rsplit('.', 1)[-1]}.{m['name']}" if m else None,
                "labeller_throws": self._throws_unlisted(None, m)}

    def _generator_of(self, path: str) -> dict | None:
        """The generator config that writes this file, where the repository has one and the file is generated: its
        comments come from the column comments, so they change by regenerating (blind read 24II: mall S17 told to
        hand-edit `OmsOrder`'s @ApiModelProperty while the audit designs said "regenerate, don't hand-edit")."""
        cls = next((c for c in self.data["classes"] if c.get("path") == path), None) if path.endswith(".java") else None
        return self.r.model_generator(cls["symbol_id"].rsplit(".", 1)[0]) if cls else None

    def _throws_unlisted(self, s: Site | None, m: dict | None) -> str | None:
        found = self._unlisted_throw(s, m)
        return found[0] if found else None

    def _unlisted_throw(self, s: Site | None, m: dict | None) -> tuple[str, int] | None:
        """(text, line) of the throw a method runs for a code its branches do not list (`else { throw new
        IllegalStateException("status不支持"); }`, `default: throw ...`): a new code breaks it until it is added."""
        if (s is not None and (s.kind != "check" or len(s.lines) < 2)) or not m:
            return None
        lines = self.r.files.get(m["path"]).lines[m["start_line"] - 1:m["end_line"]]
        body = [(n, line) for n, line in enumerate(lines) if line.strip() and line.strip() != "}"]
        if body and re.match(r"\s*throw\b", body[-1][1]):        # the ifs return; what falls through throws
            return body[-1][1].strip(), m["start_line"] + body[-1][0]
        for n, line in enumerate(lines):
            if re.search(r"\belse\s*\{\s*$|\bdefault\s*:", line) and n + 1 < len(lines) \
                    and re.match(r"\s*throw\b", lines[n + 1]):
                return lines[n + 1].strip(), m["start_line"] + n + 1
        return None

    @staticmethod
    def _ops(steps: list[dict], sites: list[Site]) -> list[str]:
        """The Java methods that take the step: a transition's method, or the callers of the mapper statement it is."""
        ops = set()
        for t in steps:
            tf = t["facts"]
            if tf.get("via") == "sql":
                stmt = f"{(tf.get('namespace') or '').rsplit('.', 1)[-1]}.{tf.get('statement') or tf.get('name')}"
                ops |= {s.where for s in sites if s.via == stmt and s.kind == "set"} or {stmt}
            elif tf.get("method"):
                ops.add(tf["method"])
        return sorted(ops)

    @staticmethod
    def _role(s: Site, codes: list[str], a: str, b: str, step_lines: set[tuple[str, int]]) -> str:
        """What the new state means for this place: the step that is split, a test of A or B that must decide,
        a place that only lists other codes, a filter by the requested value, a read, a dictionary."""
        if s.kind == "doc":
            return "doc"
        if (s.path, s.line) in step_lines and (s.kind in ("set", "sql_set") or a in codes):
            return "split"
        if s.kind in ("set", "sql_set"):
            return "reach" if a in codes else "set"     # records still reach A there: not "only other codes"
        if s.kind == "read":
            return "read"
        if not codes:
            return "param"
        return "decide" if a in codes or b in codes else "other"

    def _why(self, s: Site, codes: list[str], short: bool = False) -> tuple[str, str]:
        """What a place does, quoting its line; with many places the line number keeps the answer within bounds
        (the evidence holds the code)."""
        code = _short(s.text)
        via = s.via if s.via.startswith("`") else f"`{s.via}`"
        via_en, via_zh = (f" through {via}", f"（经由 {via}）") if s.via else ("", "")
        verbs = {"set": ("sets the field", "设置该字段"), "sql_set": ("writes the column", "在 SQL 中写入该列"),
                 "check": ("tests the field", "判断该字段"), "criteria": ("selects rows by the field", "按该字段筛选"),
                 "sql_filter": ("filters on the column", "在 SQL 中按该列过滤"), "read": ("reads the field", "读取该字段"),
                 "use": ("names a code", "使用状态常量"), "doc": ("documents the codes", "说明了状态取值")}
        en, zh = verbs.get(s.kind, ("tests the field", "判断该字段"))
        if s.lines and len(s.lines) > 1:
            if len(s.lines) > 6:        # every line, by count and range (a list of the first six left 62-74 out)
                return (f"{en}{via_en} on {len(s.lines)} lines ({s.lines[0]} to {s.lines[-1]})",
                        f"在第 {s.lines[0]} 行到第 {s.lines[-1]} 行之间共 {len(s.lines)} 行{zh}{via_zh}")
            return (f"{en}{via_en} at lines {', '.join(map(str, s.lines))}",
                    f"第 {'、'.join(map(str, s.lines))} 行{zh}{via_zh}")
        if short:
            return f"{en}{via_en} at line {s.line}", f"第 {s.line} 行{zh}{via_zh}"
        return f"{en}{via_en}: `{code}`", f"{zh}{via_zh}：`{code}`"


def _ddl_column(lines: list[str], line: int) -> tuple[str, int] | None:
    """`table.column` of a DDL column line (the column it opens with, in the CREATE TABLE above it), and the line of
    that CREATE TABLE."""
    col = re.match(r"\s*`?(\w+)`?\s+\w", lines[line - 1])
    table = next(((m.group(1), n) for n in range(line - 1, 0, -1)
                  if (m := re.search(r"create\s+table\s+(?:if\s+not\s+exists\s+)?`?(\w+)`?", lines[n - 1], re.I))), None)
    return (f"{table[0]}.{col.group(1)}", table[1]) if col and table else None


_ZH_KINDS = {"endpoint": "接口", "listener": "消息监听", "scheduled": "定时任务", "job": "定时任务"}


def _entry_refs(entries: list[dict]) -> list[Ref]:
    """Each entry point a design names, shown: the handler with its mapping (and the class's), and every call on the
    way to the operation."""
    refs = []
    for e in entries:
        own = e["calls"][0] if e["calls"] else None
        end = own["line"] if own and own["path"] == e["path"] and own["line"] - e["line"] < 40 else e["end_line"]
        called = own and end == own["line"]
        refs.append(Ref(e["method"], f"is an entry point ({e['kind']})" + (f" and calls `{own['written']}`" if called
                                                                            else ""),
                        f"是入口（{_ZH_KINDS.get(e['kind'], e['kind'])}）" + (f"，调用 `{own['written']}`" if called else ""),
                        e["path"], e["line"], end))
        if e.get("mapping_line") and e["kind"] == "endpoint":
            refs.append(Ref(e["method"].split(".")[0], "maps the class's path prefix",
                            "类上的映射是其接口路径的前缀", e["path"], e["mapping_line"], e["mapping_line"]))
        refs += [Ref(c["caller"], f"calls `{c['written']}`", f"调用 `{c['written']}`", c["path"], c["line"], c["line"])
                 for c in e["calls"][1:]]
    return list({(r.path, r.start_line, r.end_line): r for r in refs}.values())    # entries share hops and mappings


def _entry_words(entries: list, lang: str) -> str:
    """'endpoint `POST /x`, listener `R.handle`' (the flow's name already says 'listener R.handle' once)."""
    kinds = {"endpoint": ("endpoint", "接口"), "listener": ("listener", "消息监听"), "scheduled": ("scheduled job", "定时任务"),
             "job": ("scheduled job", "定时任务")}
    words = [f"{_t(lang, *kinds.get(k, (k, k)))} `{n}`" for k, n in entries]
    return _t(lang, ", ".join(words), "、".join(words))


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _req_id(kind: str, *parts: str) -> str:
    from core.models import sha256_text
    return f"req:{kind}:" + sha256_text("|".join(parts))[:12]


# ------------------------------------------------------------------ builder --
def add_state_design(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """The step A -> B becomes A -> new -> B; every other place is told what the new code does there as written."""
    f = spec.facts
    a, b, new, fld = f["a"], f["b"], f["new"], f["field"]
    places = f["places"]
    split = [p for p in places if p["role"] == "split"]
    ops = ", ".join(f"`{o}`" for o in f["ops"])
    changes = [_dict_change(f["dict"], new, fld, lang)]
    for p in places:
        where = _t(lang, f"{p['where']} (line {p['line']})", f"{p['where']}（第 {p['line']} 行）")
        job = _t(lang, f"; it runs in the scheduled `{p['job']}`", f"；它在定时任务 `{p['job']}` 中运行") if p["job"] else ""
        if p["role"] == "doc" and p.get("generator"):
            changes.append((_layer(p), p["where"], _regenerated(p["generator"], p["line"], lang), False))
        elif p["role"] == "doc":
            allowed = _t(lang, f", and {new} to its allowableValues", "，并加入其 allowableValues") \
                if p.get("allowed") else ""
            changes.append((_layer(p), p["where"], _t(lang, f"add {new} with the new state's label to the documented "
                                                            f"codes (line {p['line']}){allowed}",
                                                      f"在说明的取值中加入 {new} 及其标签（第 {p['line']} 行）{allowed}"),
                            False))
        elif p["role"] == "split" and p["via"]:
            continue            # the call of the statement that takes the step: the statement's lines change
        elif p["role"] == "split":
            continue            # one change per operation, below
        elif p["throws"] and p["where"] == f["dict"]["labeller"]:
            continue            # the dictionary's change names its labelling method and the throw
        elif p["throws"]:
            changes.append((_layer(p), where, _t(
                lang, f"lists {'/'.join(p['codes'])}; for any other code it runs `{p['throws']}`, so {new} needs a "
                      f"branch of its own here{job}",
                f"列出了 {'/'.join(p['codes'])}；其他取值会执行 `{p['throws']}`，因此必须为 {new} 增加分支{job}"), False))
        elif p["ordered"] and p["role"] in ("decide", "other"):
            changes.append((_layer(p), where, _t(
                lang, f"compares {fld} by order (`{p['text']}`): as written {new} lands where its number puts it, not "
                      f"where the state sits between {a} and {b}; decide which side it belongs on{job}",
                f"按大小比较 {fld}（`{p['text']}`）：按现在的写法 {new} 按数值归类，而不是按它在 {a} 与 {b} 之间的位置；"
                f"需决定它属于哪一边{job}"), False))
        elif p["role"] == "feeds":
            fd = p["feeds"]
            changes.append((_layer(p), where, _t(
                lang, f"{_through(p, lang)}picks the record by {a} and hands it to `{fd['op']}` (line {fd['line']}), "
                      f"which now starts from {new}: its {a} becomes {new} with the step, or the step refuses every record "
                      f"it passes on{job}",
                f"{_through(p, lang)}按 {a} 选出记录并交给 `{fd['op']}`（第 {fd['line']} 行），而该步骤现在从 {new} 开始："
                f"这里的 {a} 要随之改为 {new}，否则它传入的记录都会被拒绝{job}"), False))
        elif p["role"] == "decide":
            hit = "/".join(c for c in p["codes"] if c in (a, b))
            changes.append((_layer(p), where, _t(
                lang, f"{_through(p, lang)}{'names' if p['kind'] == 'use' else 'tests'} {'/'.join(p['codes'])}: "
                      f"{new} matches none of them as written; decide if it goes with {hit}{job}",
                f"{_through(p, lang)}判断 {'/'.join(p['codes'])}：按现在的写法 {new} 不匹配其中任何一个；"
                f"需决定它在这里是否与 {hit} 同样处理{job}"), False))
    changes += [_split_change(group, f, lang) for group in _by_where([p for p in split if not p["via"]])]
    if split:
        changes += [("controller", e["method"].split(".")[0], _t(
            lang, f"add an endpoint beside `{e['name']}` (`{e['method']}`) that calls the new method as it calls "
                  f"`{e['calls']}`",
            f"在 `{e['name']}`（`{e['method']}`）旁新增一个接口，像它调用 `{e['calls']}` 一样调用新方法"),
            False) for e in f.get("callers") or []]
        changes.append((_layer({"path": "", "layer": f["op_layer"]}), f["ops"][0].rsplit(".", 1)[0], _t(
            lang, f"add a method beside {ops} that moves the record from {a} to {new}, checked and written the way "
                  f"{ops} checks {a} and writes {b}",
            f"在 {ops} 旁新增一个方法，把记录从 {a} 改为 {new}，检查和写入方式与 {ops} 检查 {a}、写入 {b} 相同"), False))
        if i := f.get("op_iface"):
            changes.append((_layer({"path": "", "layer": i["layer"]}), i["name"], _t(
                lang, f"declare the new method beside `{i['method']}`, which the controller calls through it"
                      + (", with `@Transactional` as `" + i["method"] + "` has there" if i["tx"] else ""),
                f"在 `{i['method']}` 旁声明新方法（控制器通过它调用）"
                + ("，并像它一样加上 `@Transactional`" if i["tx"] else "")),
                False))
    same = [p for p in places if p["role"] == "set" or (p["role"] == "other" and not p["ordered"])]
    reach = [p for p in places if p["role"] == "reach"]
    passed = [p for p in places if p["role"] in ("param", "read", "use")]
    decide = [p for p in places if p["role"] == "decide" or (p["role"] == "other" and p["ordered"])]
    feeds = [p for p in places if p["role"] == "feeds"]
    ordered = [p for p in places if p["ordered"]]
    docs = [p for p in places if p["role"] == "doc"]
    understanding = _t(
        lang,
        f"{f['entity']}.{fld} ({f['table']}.{f['column']}) takes the codes {', '.join(f['codes'])}. {ops} "
        f"move{'s' if len(f['ops']) == 1 else ''} "
        f"{fld} from {f['a_label']} to {f['b_label']}. The new state needs a code no state uses yet (for example "
        f"{new}), a step that moves a record from {a} into it, and {ops} moving it on from {new} to {b}. "
        f"{len(places)} places set, test, read or document {fld}, each cited below: "
        f"{len(decide)} test {a} or {b} (or compare codes by order) and must decide what {new} does; "
        + (f"{len(feeds)} pick{'s' if len(feeds) == 1 else ''} the record in {a} for {ops} and must test {new} with it; "
           if feeds else "")
        + (f"{len(reach)} set {a}, so records reach {a} there as today; " if reach else "")
        + f"{len(same)} set or test only other codes (treating {new} as they treat {a} and {b}) and {len(passed)} "
        f"filter by or pass on a value they are given: these need no change for {new}" + _rest_en(split, docs),
        f"{f['entity']}.{fld}（{f['table']}.{f['column']}）取值为 {'、'.join(f['codes'])}。{ops} 把 {fld} 从 "
        f"{f['a_label']} 改为 {f['b_label']}。新状态需要一个尚未使用的取值（例如 {new}），一个把记录从 {a} 改为它的步骤，"
        f"以及由 {ops} 从 {new} 改为 {b}。代码中共有 {len(places)} 处设置、判断、读取或说明 {fld}，下面逐一引用。"
        f"其中 {len(decide)} 处判断 {a} 或 {b}（或按大小比较取值），必须决定 {new} 的处理；"
        + (f"{len(feeds)} 处按 {a} 选出记录交给 {ops}，须随之改为判断 {new}；" if feeds else "")
        + (f"{len(reach)} 处设置 {a}，记录照常在那里到达 {a}；" if reach else "")
        + f"{len(same)} 处只设置或判断其他取值（{new} 与 {a}、{b} 一样都不在其中），{len(passed)} 处按传入的值过滤或传递，"
        "这些地方无需为新取值修改。" + _rest_zh(split, docs))
    flow = [_t(lang, f"a record reaches {a} as today", f"记录照常到达 {a}"),
            _t(lang, f"the new endpoint calls the new method, which moves it from {a} to {new} only while it is {a}",
               f"新接口调用新方法，新方法仅在记录为 {a} 时把它改为 {new}"),
            _t(lang, f"{ops} moves it from {new} to {b}; a record still in {a} is refused there",
               f"{ops} 把它从 {new} 改为 {b}；仍为 {a} 的记录在此被拒绝")]
    risks = [_t(lang, f"records already in {a} when this ships can no longer take {ops} until they pass through {new}: "
                      f"move them, or let {ops} accept {a} for a while",
                f"上线时已处于 {a} 的记录在经过 {new} 之前无法执行 {ops}：需迁移这些记录，或让 {ops} 暂时也接受 {a}")]
    if ordered:
        risks.append(_t(lang, "places that compare codes by order (" + ", ".join(f"`{p['text']}`" for p in ordered[:3])
                        + f") place {new} by its number, not by where the state sits in the flow",
                        "按大小比较取值的地方（" + "、".join(f"`{p['text']}`" for p in ordered[:3])
                        + f"）会按数值而不是流程位置来处理 {new}"))
    risks.append(_t(lang, "front-end pages and apps that map the codes to labels or actions are not Java or SQL and are "
                          "not listed here; they need the new code too",
                    "把取值映射为标签或操作的前端页面和应用不属于 Java 或 SQL，未在此列出，也需要加入新取值"))
    tests = [_t(lang, f"the new method moves a record in {a} to {new} and refuses one in any other state",
                f"新方法把处于 {a} 的记录改为 {new}，其他状态的记录被拒绝"),
             _t(lang, f"{ops} moves a record in {new} to {b} and refuses one still in {a}",
                f"{ops} 把处于 {new} 的记录改为 {b}，拒绝仍处于 {a} 的记录")]
    tests += [_t(lang, f"{p['where']} (line {p['line']}) with a record in {new}: the outcome decided for it",
                 f"{p['where']}（第 {p['line']} 行）对处于 {new} 的记录：结果符合所做的决定")
              for p in decide][:2]      # two are enough to show how; the changes list every one
    return DesignProposal(
        understanding=understanding, changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"no new column: {f['table']}.{f['column']} takes the new code as it is",
                         f"无需新列：{f['table']}.{f['column']} 直接存储新取值")],
        flow=flow, risks=risks, test_plan=tests)


def _by_where(places: list[dict]) -> list[list[dict]]:
    groups: dict[str, list[dict]] = {}
    for p in places:
        groups.setdefault(p["where"], []).append(p)
    return list(groups.values())


def _split_change(group: list[dict], f: dict, lang: str) -> tuple[str, str, str, bool]:
    """The operation that takes the step A -> B, once: its test of A (the lines that test it) now tests the new code;
    its write of B stays."""
    a, b, new, fld = f["a"], f["b"], f["new"], f["field"]
    checks = [p for p in group if a in p["codes"] and p["kind"] not in ("set", "sql_set")]
    writes = [p for p in group if p not in checks]
    head = (checks or group)[0]
    lines = ", ".join(str(p["line"]) for p in checks)
    kept = ", ".join(str(p["line"]) for p in writes)
    job = _t(lang, f"; it runs in the scheduled `{head['job']}`", f"；它在定时任务 `{head['job']}` 中运行") if head["job"] else ""
    en = (f"this step moves {fld} from {a} to {b}; it now starts from {new}: "
          + (f"its check of {a} (line {lines}) becomes {new}" if checks else f"it must require {new} instead of {a}")
          + (f", and it still writes {b} (line {kept})" if writes else "") + job)
    zh = (f"这一步把 {fld} 从 {a} 改为 {b}；改为从 {new} 出发："
          + (f"对 {a} 的检查（第 {lines} 行）改为 {new}" if checks else f"要求 {new} 而不是 {a}")
          + (f"，仍写入 {b}（第 {kept} 行）" if writes else "") + job)
    return (_layer(head), _t(lang, f"{head['where']} (line {head['line']})", f"{head['where']}（第 {head['line']} 行）"),
            _t(lang, en, zh), False)


def _regenerated(generator: dict, line: int, lang: str) -> str:
    """A generated model's documented codes: from the column's comment where the config has a comment generator."""
    g = generator["path"]
    if generator["comment_line"]:
        return _t(lang, f"generated: its documented codes (line {line}) come from the column's comment through the "
                        f"comment generator of {g}, so regenerate it once the comment names the new state, instead of "
                        "editing it",
                  f"该文件是生成的：第 {line} 行说明的取值经 {g} 的注释生成器来自列注释，列注释加入新状态后重新生成，不要手改")
    return _t(lang, f"generated by {g}: regenerate it rather than edit the documented codes (line {line}) by hand",
              f"该文件由 {g} 生成：重新生成，不要手改第 {line} 行说明的取值")


def _dict_change(dc: dict, new: str, fld: str, lang: str) -> tuple[str, str, str, bool]:
    """The dictionary gets the new code the way it declares the others: a comment entry, a constant, an enum constant;
    a labelling method gets its label (and stops throwing for it). A generated model's comment is regenerated."""
    if dc["kind"] == "comment" and dc.get("generator"):
        return (dc["layer"], dc["owner"], _regenerated(dc["generator"], dc["line"], lang), False)
    if dc["kind"] == "comment":
        return (dc["layer"], dc["owner"], _t(lang, f"add {new} and the new state's label to the comment that documents "
                                                   f"{fld} (line {dc['line']})",
                                             f"在说明 {fld} 的注释中加入 {new} 及其标签（第 {dc['line']} 行）"), False)
    what = _t(lang, f"declare a constant for {new} beside the others (line {dc['line']})" if dc["kind"] == "constants"
              else f"add an enum constant with code {new} and the new state's label (line {dc['line']})",
              f"在其他常量旁声明 {new} 的常量（第 {dc['line']} 行）" if dc["kind"] == "constants"
              else f"增加一个代码为 {new}、带新状态标签的枚举常量（第 {dc['line']} 行）")
    if dc["labeller"]:
        what += _t(lang, f", and its label in `{dc['labeller']}`" + (
            f", which today runs `{dc['labeller_throws']}` for a code it does not list" if dc["labeller_throws"] else ""),
            f"，并在 `{dc['labeller']}` 中加入它的标签" + (
            f"（现在遇到未列出的取值会执行 `{dc['labeller_throws']}`）" if dc["labeller_throws"] else ""))
    return (dc["layer"], dc["owner"], what, False)


def _through(p: dict, lang: str) -> str:
    """'through `OrderUtil.isPayStatus`, ' for a caller of a state predicate (its codes are the predicate's)."""
    if not p["via"] or p["kind"] != "check":
        return ""
    return _t(lang, f"through {p['via']}, ", f"通过 {p['via']}")


def _layer(p: dict) -> str:
    """The layer a change is listed under: mapper SQL, a view, or the class's own layer."""
    if p["path"].endswith(".xml"):
        return "mapper_xml"
    return {"view": "view", "other": "util", "sql": "sql"}.get(p["layer"], p["layer"])


def record_history_design(spec: DesignSpec, conv: Conventions, lang: str) -> DesignProposal:
    """The operation inserts the history row its peer inserts, with the peer's columns, after its own status write."""
    f = spec.facts
    alike = f.get("alike") or []
    values = []
    for x in f["sets"]:
        if x["field"] == f["status_field"]:
            values.append((x["field"], f"{f['to']}", f"{f['to']}"))
        elif x["field"] == f["fk"]:
            args = re.findall(r"\w+", f["write"].partition("(")[2])
            if f["receiver"] and f["receiver"] in args:
                values.append((x["field"], f"the id of the `{f['receiver']}` it writes", f"所写 `{f['receiver']}` 的 id"))
            elif args:           # a batch write by a list of ids: one row per id
                values.append((x["field"], f"each id in `{args[0]}` (one row per {f['entity']})",
                               f"`{args[0]}` 中的每个 id（每个 {f['entity']} 一条）"))
            else:
                values.append((x["field"], "the record's id", "记录的 id"))
        elif re.search(r"new Date\(\)|now\(\)|currentTimeMillis", x["expr"]):
            values.append((x["field"], f"`{x['expr']}` as the peer", f"与对方相同的 `{x['expr']}`"))
        else:
            values.append((x["field"], f"a value for this operation (`{f['peer']}` stores `{x['expr']}`, which "
                                       "describes its own action)",
                           f"本操作自己的值（`{f['peer']}` 存的是 `{x['expr']}`，描述的是它自己的操作）"))
    who = _entry_words(f["entries"], lang) or _t(lang, "its callers", "其调用方")
    cols_en = "; ".join(f"{k} = {en}" for k, en, _ in values)
    cols_zh = "；".join(f"{k} = {zh}" for k, _, zh in values)
    changes = [(f["layer"], f["op"], _t(
        lang, f"after `{f['write']}` (line {f['write_line']})" + (f" and its row-count check (line {f['row_check']})"
                                                                  if f.get("row_check") else "")
              + f", build {_a(f['history'])} as `{f['peer']}` does and insert it with `{f['mapper']}.{f['insert']}`: "
              + cols_en,
        f"在 `{f['write']}`（第 {f['write_line']} 行）" + (f"及其影响行数检查（第 {f['row_check']} 行）" if f.get("row_check")
                                                        else "") + f"之后，像 `{f['peer']}` 一样构造 {f['history']} 并用 "
        f"`{f['mapper']}.{f['insert']}` 插入：{cols_zh}"), False)]
    if not f["injected"]:
        changes.append((f["layer"], f["cls"], _t(
            lang, f"inject `{f['mapper']}` (in {f['mapper_module']}), as `{f['peer']}`'s class injects its writer",
            f"注入 `{f['mapper']}`（位于 {f['mapper_module']}），与 `{f['peer']}` 所在类注入写入器的方式相同"), False))
    if not f["transactional"] and f["peer_transactional"]:
        on = {"method": ("on the method, as `{p}` is", "像 `{p}` 一样加在方法上"),
              "class": ("on the class, as `{p}`'s class is", "像 `{p}` 所在类一样加在类上"),
              "interface": ("on its interface method, where `{p}` is annotated", "加在接口方法上（`{p}` 就是这样）")}
        en, zh = on[f.get("peer_tx_on") or "method"]
        changes.append((f["layer"], f["op"], _t(lang, f"annotate it @Transactional {en.format(p=f['peer'])}, so the history "
                                                      "row and the status change are saved together",
                                                f"{zh.format(p=f['peer'])}加上 @Transactional，使历史记录与状态变更一起提交"),
                        False))
    tx = _t(lang, "in the same transaction as the status write (the method is @Transactional)",
            "与状态写入在同一事务中（该方法有 @Transactional）") if f["transactional"] else _t(
        lang, "in the transaction the change above adds", "在上面新增的事务中")
    return DesignProposal(
        understanding=_t(
            lang, f"`{f['op']}` moves {f['entity']}.{f['field']} to {f['to_label']} and writes no {f['table']} row. "
                  f"`{f['peer']}` inserts {_a(f['history'])} after moving {_a(f['entity'])} to {f['peer_to']}"
                  + (" (so does " + ", ".join(f"`{o}` after moving it to {to}" for o, to in f["others"]) + ")"
                     if f["others"] else "")
                  + f", setting {', '.join(x['field'] for x in f['sets'])}."
                  + (f" {' and '.join(f'`{a}`' for a in alike)} also move{'s' if len(alike) == 1 else ''} "
                     f"{_a(f['entity'])} to {f['to_label']} and write{'s' if len(alike) == 1 else ''} no {f['table']} row "
                     f"either; this design covers "
                     f"`{f['op']}` only." if alike else ""),
            f"`{f['op']}` 把 {f['entity']}.{f['field']} 改为 {f['to_label']}，但不写 {f['table']}。`{f['peer']}` 在把 "
            f"{f['entity']} 改为 {f['peer_to']} 后插入 {f['history']}，设置 {'、'.join(x['field'] for x in f['sets'])}。"
            + (f"{'、'.join(f'`{a}`' for a in alike)} 也把 {f['entity']} 改为 {f['to_label']} 而不写 {f['table']}；"
               f"本设计只覆盖 `{f['op']}`。" if alike else "")),
        changes=_changes(changes, conv.known),
        data_changes=[_t(lang, f"none: {f['table']} and its columns exist", f"无：{f['table']} 及其列已存在")],
        flow=[_t(lang, f"`{f['op']}` writes the {f['entity']} as today", f"`{f['op']}` 照常写入 {f['entity']}"),
              _t(lang, f"then inserts one {f['history']} row with {f['status_field']} = {f['to']}, {tx}",
                 f"随后插入一条 {f['status_field']} = {f['to']} 的 {f['history']}，{tx}")],
        risks=[_t(lang, f"`{f['op']}` is reached from {who}: the operator column must name who acted there, not the "
                        f"value `{f['peer']}` stores for its own caller",
                  f"`{f['op']}` 的入口是 {who}：操作人一列应写明实际操作者，而不是 `{f['peer']}` 为自己的调用方写的值")
               + (_t(lang, "; ", "；") + actor_words(f["actors"], lang) if f.get("actors") else ""),
               _t(lang, f"rows written before this change have no history for {f['to_label']}",
                  f"此前的记录没有 {f['to_label']} 的历史")],
        test_plan=[_t(lang, f"after `{f['op']}`, {f['table']} holds one row for the {f['entity']} with {f['status_field']} "
                            f"= {f['to']}", f"`{f['op']}` 之后 {f['table']} 中有一条该 {f['entity']} 的 {f['status_field']} "
                                            f"= {f['to']} 的记录"),
                   _t(lang, "when the status write fails, no history row is left", "状态写入失败时不留下历史记录")])
