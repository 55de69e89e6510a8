"""Building the domain map from the index: classes, endpoints, entities, status dictionaries, operations, flows."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import duckdb

from core.domain import architecture as arch
from core.domain import constants as const
from core.domain import entities
from core.domain.flows import CallGraph, MethodInfo
from core.domain.profiles import Labeler, merge
from core.domain.status_dicts import constant_entries, constant_groups, enum_entry, field_dictionary, without_sentinels
from core.errors import UserError
from core.source import read_source
from storage import index_store

_COMMENT_LINE = re.compile(r"^\s*(/\*\*?|\*|//|\*/)")
MAX_DICT_SPAN = 20   # a dictionary span stays minimal: its codes, and their labels when they sit close by
_SETTER = re.compile(r"^set(\w*(?:Status|State))\(")
_STATUSY = re.compile(r"(status|state|type|flag|kind|mode|level)$", re.IGNORECASE)


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)


class MapBuilder:
    def __init__(self, con: duckdb.DuckDBPyConnection, repo_id: str, root: Path | None, labeler: Labeler):
        self.repo_id, self.root, self.labeler = repo_id, root, labeler
        self.files = {f["path"]: f for f in index_store.list_files(con, repo_id)}
        if not self.files:
            raise UserError(f"repository {repo_id} has no index: run `python -m core index --repo PATH` first")
        self.types = index_store.symbols_of_kind(con, repo_id, ("class", "interface", "enum"))
        self.members: dict[str, list[dict]] = defaultdict(list)
        for sym in index_store.symbols_of_kind(con, repo_id, ("method", "constructor", "field", "enum_constant")):
            self.members[sym["parent_id"]].append(sym)
        self.statements = index_store.sql_statements(con, repo_id)
        self.sql_by_method: dict[str, list[dict]] = defaultdict(list)
        self.sql_by_namespace: dict[str, list[dict]] = defaultdict(list)
        for stmt in self.statements:
            self.sql_by_namespace[stmt["namespace"]].append(stmt)
            if stmt["method_id"]:
                self.sql_by_method[stmt["method_id"]].append(stmt)
        self.calls = index_store.resolved_calls(con, repo_id)
        self._lines: dict[str, list[str]] = {}

    # ---------------------------------------------------------------- build --
    def build(self) -> dict[str, list[tuple]]:
        repo = self.repo_id
        type_by_id = {t["symbol_id"]: t for t in self.types}
        layers: dict[str, str] = {}
        generated: set[str] = set()
        class_domains: dict[str, list[str]] = {}
        for t in self.types:
            layers[t["symbol_id"]] = arch.layer_of(t["kind"], t["name"], t["package"], t["annotations"], t["extends"])
            top = t["symbol_id"]
            while type_by_id.get(top, {}).get("parent_id"):
                top = type_by_id[top]["parent_id"]
            if self.files.get(t["path"], {}).get("is_generated") or t["name"].endswith("Example") \
                    or (top != t["symbol_id"] and top in generated):
                generated.add(t["symbol_id"])
        # nested classes (Criteria) live in their outer class's layer
        for t in self.types:
            if t["parent_id"] in layers:
                layers[t["symbol_id"]] = layers[t["parent_id"]]

        all_tables = {tb for s in self.statements for tb in (s["tables"] or [])}
        for t in self.types:
            sid, name = t["symbol_id"], t["name"]
            # a mapper / dao's own statements
            own_tables = merge(*[s["tables"] or [] for s in self.sql_by_namespace.get(sid, [])])
            table_domains = merge(*[self.labeler.for_table(tb) for tb in own_tables])
            domains = merge(self.labeler.for_class(name), table_domains)
            if not domains:
                domains = self.labeler.for_text(t["doc"])
            class_domains[sid] = domains
        entity_tables = self._entities(layers, all_tables)

        methods = {
            m["symbol_id"]: MethodInfo(m["symbol_id"], owner, m["path"], m["start_line"], m["end_line"])
            for owner, ms in self.members.items() for m in ms if m["kind"] in ("method", "constructor")
        }
        graph = CallGraph(methods, self.calls, layers, generated, self.sql_by_method)

        inactive = self._inactive()
        rows: dict[str, list[tuple]] = defaultdict(list)
        for t in self.types:
            sid = t["symbol_id"]
            module = self.files.get(t["path"], {}).get("module")
            rows["map_classes"].append((repo, sid, layers[sid], module, _dump(class_domains[sid]), sid in generated,
                                        inactive.get(sid)))
            if sid in entity_tables:
                tables, source = entity_tables[sid]
                domains = merge(class_domains[sid], *[self.labeler.for_table(tb) for tb in tables])
                rows["map_entities"].append((repo, sid, _dump(tables), _dump(domains), source))

        op_domains: dict[str, list[str]] = {}

        def method_domains(m: dict) -> list[str]:
            if m["symbol_id"] not in op_domains:
                reached = graph.reachable_tables(m["symbol_id"]) if m["symbol_id"] in methods else set()
                op_domains[m["symbol_id"]] = merge(
                    class_domains.get(m["parent_id"], []), self.labeler.for_words(m["name"]),
                    *[self.labeler.for_table(tb) for tb in sorted(reached)])
            return op_domains[m["symbol_id"]]

        entries: list[tuple[str, str, str]] = []   # (kind, method id, name)
        for t in self.types:
            sid = t["symbol_id"]
            layer = layers[sid]
            for m in self.members.get(sid, []):
                if m["kind"] not in ("method", "constructor"):
                    continue
                if layer in ("service", "service_impl") and m["kind"] == "method":
                    rows["map_operations"].append((repo, m["symbol_id"], _dump(method_domains(m))))
                if layer == "controller":
                    specs = arch.endpoint_specs(t["annotations"], m["annotations"])
                    summary = arch.summary_of(m["annotations"], m["doc"])
                    for verb, route in specs:
                        rows["map_endpoints"].append((repo, verb, route, m["symbol_id"], _dump(method_domains(m)),
                                                      summary))
                    if specs:
                        entries.append(("endpoint", m["symbol_id"], f"{specs[0][0]} {specs[0][1]}"))
                    continue
                kind = arch.entry_kind(m, t["annotations"])
                if kind and sid not in inactive:   # a job whose class never becomes a bean never runs
                    entries.append((kind, m["symbol_id"], f"{kind} {t['name']}.{m['name']}"))

        for kind, method_id, name in entries:
            steps = graph.walk(method_id) if method_id in methods else []
            domains = merge(*[op_domains.get(s["symbol_id"]) or class_domains.get(methods[s["symbol_id"]].owner, [])
                              for s in steps if s["kind"] != "sql"],
                            *[self.labeler.for_table(tb) for s in steps if s["kind"] == "sql" for tb in s["tables"] or []])
            rows["map_flows"].append((repo, f"{kind}:{method_id}", kind, method_id, name, _dump(domains), _dump(steps)))

        constants, mappings = self._constants()
        rows["map_constants"] = [c.row(repo) for c in constants]
        dicts = self._status_dicts(class_domains) + self._constant_dicts(class_domains, constants, mappings)
        rows["map_status_dicts"] = self._link_dicts(dicts, const.ConstantTable(constants), type_by_id, entity_tables)
        return rows

    # ------------------------------------------------------------- inactive --
    def _inactive(self) -> dict[str, str]:
        """class id -> why it never runs (see architecture.inactive_reason), for classes that declare one."""
        bean_types: set[str] = set()   # classes a @Bean method declares or instantiates
        for ms in self.members.values():
            for m in ms:
                if m["kind"] == "method" and "Bean" in arch.annotation_names(m["annotations"]):
                    bean_types.add((m["type"] or "").split("<", 1)[0].rsplit(".", 1)[-1].strip())
                    body = " ".join(self._file_lines(m["path"])[m["start_line"] - 1: m["end_line"]])
                    bean_types.update(re.findall(r"\bnew\s+([A-Z]\w*)\s*[(<]", body))
        out = {}
        for t in self.types:
            if t["kind"] != "class":
                continue
            methods = [m for m in self.members.get(t["symbol_id"], []) if m["kind"] == "method"]
            entries = any(arch.entry_kind(m, t["annotations"]) for m in methods)
            reason = arch.inactive_reason(t, self._header_lines(t), entries, bean_types)
            if reason:
                out[t["symbol_id"]] = reason
        return out

    def _header_lines(self, t: dict) -> list[str]:
        """The lines from the comment above a class down to its `class Name` line (annotations, live or not)."""
        lines = self._file_lines(t["path"])
        start = self._doc_start(t) if t["doc"] else t["start_line"]
        out = []
        for line in lines[start - 1: t["end_line"]]:
            out.append(line)
            if re.search(rf"\b(class|interface|enum|record)\s+{re.escape(t['name'])}\b", line):
                break
        return out

    # ------------------------------------------------------------- entities --
    def _entities(self, layers: dict[str, str], all_tables: set[str]) -> dict[str, tuple[list[str], str]]:
        """class id -> (tables, how it was recognised): an entity annotation, a MyBatis result mapping
        of a single-table select, else a model class named after a table its mapper touches."""
        out: dict[str, tuple[list[str], str]] = {}
        by_name: dict[str, list[str]] = defaultdict(list)
        for t in self.types:
            if t["kind"] == "class":
                by_name[t["name"]].append(t["symbol_id"])
            found = entities.annotated_table(t["annotations"], t["name"]) if t["kind"] == "class" else None
            if found:
                out[t["symbol_id"]] = ([found[0]], found[1])
        named_after = {arch.table_name_for(t["name"]): t["symbol_id"] for t in self.types if t["kind"] == "class"}
        by_type_name = {t["name"]: t["symbol_id"] for t in self.types if layers[t["symbol_id"]] in ("mapper", "dao")}
        for sid, tables in entities.from_result_maps(self.statements, self._file_text, by_name).items():
            # a DTO read from one table is not its entity when a class named after the table exists
            if all(named_after.get(tb, sid) == sid for tb in tables):
                out.setdefault(sid, (tables, "resultMap"))
        for t in self.types:
            sid, name = t["symbol_id"], t["name"]
            if sid in out or layers[sid] != "model" or t["kind"] != "class" or t["parent_id"] \
                    or name.endswith("Example"):
                continue
            table = arch.table_name_for(name)
            mapper_tables = merge(*[s["tables"] or [] for ns, stmts in self.sql_by_namespace.items()
                                    if ns.rsplit(".", 1)[-1] in (f"{name}Mapper", f"{name}Dao") for s in stmts])
            # a `<Name>Mapper` / `<Name>Dao` without mapper XML (annotations, a generic base) still names the table
            has_mapper = bool(by_type_name.keys() & {f"{name}Mapper", f"{name}Dao"})
            tables = [tb for tb in merge([table] if table in all_tables or has_mapper else [], mapper_tables[:1])
                      if named_after.get(tb, sid) == sid]
            if tables:
                out[sid] = (tables, "table_name")
        return out

    # ------------------------------------------------------------ constants --
    def _constants(self) -> tuple[list[const.Constant], dict[str, dict]]:
        """Every constant of the repository, with labels from its class's mapping method where there is one;
        and per class the mapping itself (code -> label, lines)."""
        out: list[const.Constant] = []
        mappings: dict[str, dict] = {}
        for t in self.types:
            found = const.constants_of(t, self.members.get(t["symbol_id"], []), self._doc_start)
            if t["kind"] != "enum" and constant_groups(found, t["name"]):
                source = self._file_text(t["path"])
                found, mappings[t["symbol_id"]] = const.with_mapping_labels(found, source, t["name"])
                if source:
                    found += const.status_predicates(source, t["symbol_id"], t["name"], found)
            out += found
        return out, mappings

    def _constant_dicts(self, class_domains: dict[str, list[str]], constants: list[const.Constant],
                        mappings: dict[str, dict]) -> list[tuple]:
        """Status dictionaries of constant classes: `STATUS_CREATE = 101` ... labelled by comment or mapping method."""
        by_owner: dict[str, list[const.Constant]] = defaultdict(list)
        for c in constants:
            by_owner[c.owner].append(c)
        type_by_id = {t["symbol_id"]: t for t in self.types}
        out = []
        for owner, consts in by_owner.items():
            t = type_by_id[owner]
            for prefix, group in constant_groups(consts, t["name"]).items():
                mapping = mappings.get(owner) or {}
                if len({c.value for c in group} & set(mapping)) < 2:
                    mapping = {}   # the class's mapping method is about another group
                entries = constant_entries(group, mapping)
                label_text = " ".join(e["label"] for e in entries)
                domains = merge(class_domains[owner], self.labeler.for_text(label_text))
                start = min(c.label_start if c.label_source == "comment" else c.line for c in group)
                end = max(max(c.line, c.label_end or 0) if c.label_source == "comment" else c.line for c in group)
                proof = [ln for e in entries for ln in e.get("label_lines", [])]
                if proof and max(end, *proof) - min(start, *proof) < MAX_DICT_SPAN:
                    start, end = min(start, *proof), max(end, *proof)   # the labels' proof fits beside the codes
                out.append((self.repo_id, f"{owner}.{prefix}*", t["name"], f"{prefix}*", "constants", _dump(domains),
                            group[0].path, start, end, _dump(entries)))
        return out

    def _link_dicts(self, dicts: list[tuple], table: const.ConstantTable, type_by_id: dict[str, dict],
                    entity_tables: dict[str, list[str]]) -> list[tuple]:
        """Each dictionary with the entity field it describes: where code calls `entity.setXxxStatus(C)`
        with C one of its constants (or an enum constant's code), else, for an enum, the one entity
        with a field named like the enum's code field."""
        owner_dicts: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(dicts):
            if row[4] in ("enum", "constants"):
                owner_dicts[row[1].rsplit(".", 1)[0] if row[4] == "constants" else row[1]].append(i)
        votes: dict[int, Counter] = defaultdict(Counter)
        for caller, callee, _impl, line, path in self.calls:
            entity, _, member = (callee or "").partition("#")
            m = _SETTER.match(member)
            if not m:
                continue
            arg = self._setter_argument(path, line, m.group(1))
            found = table.resolve(arg, caller.split("#")[0]) if arg else None
            if found is None:
                continue
            for i in owner_dicts.get(found.owner, []):
                if any(e.get("name") == found.name for e in json.loads(dicts[i][9])):
                    votes[i][(entity, m.group(1)[0].lower() + m.group(1)[1:])] += 1
        fields_of = {sid: {m["name"] for m in self.members.get(sid, []) if m["kind"] == "field"}
                     for sid in entity_tables}
        out = []
        for i, row in enumerate(dicts):
            link: tuple[str | None, str | None] = (None, None)
            if votes[i]:
                link = votes[i].most_common(1)[0][0]
            elif row[4] == "enum":
                accessor = next((c.accessor for c in table.of_owner(row[1]) if c.accessor), None)
                holders = [sid for sid, names in fields_of.items() if accessor in names]
                if accessor and len(holders) == 1:
                    link = (holders[0], accessor)
            out.append((*row, *link))
        return out

    def _setter_argument(self, path: str, line: int, field: str) -> str | None:
        """The argument text of `setXxx(...)` starting on `line` (it may run over a few lines)."""
        text = " ".join(self._file_lines(path)[line - 1: line + 2])
        start = text.find(f"set{field}(")
        if start < 0:
            return None
        depth, i = 0, start + len(field) + 3
        for j in range(i, len(text)):
            depth += text[j] == "("
            depth -= text[j] == ")"
            if depth == 0:
                return text[i + 1: j]
        return None

    def _file_text(self, path: str) -> str | None:
        return "\n".join(self._file_lines(path)) or None

    def _file_lines(self, path: str) -> list[str]:
        if self.root is None or path not in self.files:
            return []
        if path not in self._lines:
            try:
                self._lines[path] = read_source(self.root, path, self.files[path]["encoding"]).lines
            except UserError:
                self._lines[path] = []
        return self._lines[path]

    # -------------------------------------------------------- status dicts --
    def _status_dicts(self, class_domains: dict[str, list[str]]) -> list[tuple]:
        out = []
        for t in self.types:
            sid = t["symbol_id"]
            members = self.members.get(sid, [])
            if t["kind"] == "enum":
                constants = [m for m in members if m["kind"] == "enum_constant"]
                entries = [{**e, "line": c["start_line"]} for c in constants
                           if (e := enum_entry(c["signature"], c["doc"], c["name"]))]
                entries = without_sentinels(entries, "\n".join(self._file_lines(t["path"])[t["start_line"] - 1: t["end_line"]]))
                if len(entries) >= 2:
                    start = self._doc_start(constants[0])
                    domains = merge(class_domains[sid], self.labeler.for_text(t["doc"]))
                    out.append((self.repo_id, sid, t["name"], "", "enum", _dump(domains), t["path"], start,
                                constants[-1]["end_line"], _dump(entries)))
                continue
            for m in members:
                if m["kind"] != "field" or not (m["doc"] or m["annotations"]):
                    continue
                found = field_dictionary(m["doc"], m["annotations"])
                if found is None:
                    continue
                entries, source = found
                label_text = " ".join([m["doc"] or "", *[a.get("args") or "" for a in m["annotations"] or []]])
                domains = merge(class_domains[sid], self.labeler.for_text(label_text)) if _STATUSY.search(m["name"]) \
                    else merge(class_domains[sid])
                out.append((self.repo_id, m["symbol_id"], t["name"], m["name"], source, _dump(domains), m["path"],
                            self._doc_start(m), m["end_line"], _dump(entries)))
        return out

    def _doc_start(self, member: dict) -> int:
        """The first line of the comment block right above a member (its Javadoc), else the member's line."""
        start = member["start_line"]
        if not member["doc"] or self.root is None:
            return start
        lines = self._file_lines(member["path"])
        while start > 1 and start - 2 < len(lines) and _COMMENT_LINE.match(lines[start - 2]):
            start -= 1
        return start
