"""What a read-only entry point queries: every SELECT statement on its path (mapper XML, a generator's
selectByExample, a Spring Data / JPA repository method, a MyBatis-Plus BaseMapper select), each with the call
chain that reaches it and the branches and loops around the calls.

Asked only where the answer is complete: the walk reached the end (flow_facts.complete), every call on it
went to one known method (no interface method with several implementations, no call the index could not
resolve), every mapper method reached is known to read (a name such as `sync` on a repository says nothing),
and the entry writes nothing (a writing entry has its own question, and its reads mostly load what it
changes). Which rows a query returns (its WHERE) is another question's; this one names statement and table.
"""

from __future__ import annotations

import re

from core.generate.flow_facts import (
    READS,
    WRITES,
    TooBroad,
    conditional,
    control_fact,
    flow_writes,
    repeated,
    write_sites,
)
from core.generate.flow_templates import read_questions
from core.generate.work import WorkItem

_RESULT_MAP = re.compile(r'\b(?:resultMap|extends)\s*=\s*"([^"]+)"')
_NAMESPACE = re.compile(r'<mapper\b[^>]*\bnamespace\s*=\s*"([^"]+)"')
_PAGED = re.compile(r"\bPage(?:Helper|Method)\.(?:startPage|offsetPage)\(")
MAX_READS = 8   # more and the answer is a list of every lookup a page makes, not something a developer reads


def read_items(planner, flows: list[dict]) -> list[WorkItem]:
    """One 'which tables does X read' item per read-only entry in the requested domains whose queries are all
    known; a single unconditional query on one table (an endpoint that is one `selectByPrimaryKey`) is too
    shallow to ask, one that joins several tables is not."""
    interfaces = {s["symbol_id"] for s in planner.data["symbols"] if s["kind"] == "interface"}
    unresolved = _unknown_callers(planner.data)
    items = []
    for flow in flows:
        steps = planner.flow_steps(flow)
        if not steps or not _all_known(planner, steps, interfaces, unresolved) or planner.intercepted(flow, READS):
            continue
        try:
            if write_sites(steps, planner.stmts, WRITES):
                continue
            reads = flow_writes(steps, planner.stmts, planner.outline, MAX_READS, READS)
        except TooBroad:
            continue
        if not reads or any(not r["tables"] or _nested_select(planner, r) for r in reads) or _lazy_relations(planner, reads):
            continue
        _mark_paged(planner, steps, reads)
        if len(reads) < 2 and len(reads[0]["tables"]) < 2 and not (conditional(reads[0]) or repeated(reads[0])):
            continue
        items += planner.entry_flow_items(flow, steps, reads, "reads", read_questions)
    return items


_DIRECT_DB = re.compile(r"\b(?:JdbcTemplate|EntityManager|SqlSession|MongoTemplate|jdbcTemplate|entityManager|sqlSession"
                        r"|mongoTemplate)\b|\.(?:createQuery|createNativeQuery|queryForObject|queryForList)\(")
_RELATION = re.compile(r"@(?:OneToMany|ManyToOne|OneToOne|ManyToMany|ElementCollection)\b")


def _unknown_callers(data: dict) -> set[str]:
    """Methods with a call whose receiver the index could not type, named like a method of the project's data
    or service classes (`x.getList(..)` on an untyped `x`) and not like a model's accessor: the call may run
    queries the walk did not follow."""
    layers = {c["symbol_id"]: c.get("layer") for c in data["classes"]}
    names = {s["name"] for s in data["symbols"]
             if s["kind"] == "method" and layers.get(s.get("parent_id") or "") in ("mapper", "dao", "service")}
    for s in data["symbols"]:   # a model's accessors (`o1.getCount()` in a comparator lambda) are no data access
        if layers.get(s.get("parent_id") or "") in ("model", "dto"):
            names.discard(s["name"])
            if s["kind"] == "field":
                names -= {f"{p}{s['name'][:1].upper()}{s['name'][1:]}" for p in ("get", "is", "set")}
    return {c["caller_id"] for c in data["calls"] if not c.get("callee_id") and not c.get("receiver_type")
            and c["callee_name"].rsplit(".", 1)[-1] in names}


def _all_known(planner, steps: list[dict], interfaces: set[str], unresolved: set[str]) -> bool:
    """Every method the walk went through ran code the index could follow: not an interface method left
    without its one implementation (outside mappers and repositories, whose statements are the SQL), no call
    inside it that the index could not type (_unknown_callers), no SQL sent around the mappers (JdbcTemplate,
    EntityManager), and no mapper method whose name says neither read nor write."""
    for s in steps:
        if s["kind"] == "sql":
            if planner.stmts.get(s["stmt_id"], {}).get("kind") == "unknown":
                return False
            continue
        method = planner.graph.methods.get(s["symbol_id"])
        if method is None or s["symbol_id"] in unresolved or _queries_directly(planner, s) or _cached(planner, s):
            return False
        if method.owner in interfaces and planner.graph.layer(s["symbol_id"]) not in ("mapper", "dao"):
            return False
    return True


def _mark_paged(planner, steps: list[dict], reads: list[dict]) -> None:
    """`PageHelper.startPage(..)` pages the next query the method runs, and PageHelper then also runs a COUNT of
    it: the call site of that query (the first one after startPage in the same method) gets `paged` = the
    startPage line and the branches around it, so the answer does not present the query as the only statement sent."""
    calls = [(h["path"], h["line"], h) for r in reads for site in r["sites"] for h in site["hops"]]
    for s in steps:
        if s["kind"] in ("sql", "again") or not s["path"].endswith(".java"):
            continue
        lines = planner.files.get(s["path"]).lines
        for n in range(s["start_line"], min(s["end_line"], len(lines)) + 1):
            if _PAGED.search(lines[n - 1]):
                after = [(line, h) for path, line, h in calls if path == s["path"] and n < line <= s["end_line"]]
                if after:
                    controls = [control_fact(c) for c in planner.outline.controls(s["path"], n, "startPage")]
                    min(after, key=lambda x: x[0])[1]["paged"] = {"line": n, "controls": controls}


def _nested_select(planner, read: dict) -> bool:
    """True when MyBatis runs more queries for this statement than its SQL: a resultMap it maps into (or one
    that map extends or nests) has an `<association>` / `<collection>` with `select=` (in an annotation mapper
    `@Many` / `@One`), which runs that statement for every row. Such a read is not asked about: its tables are
    more than its SQL names."""
    lines = planner.files.get(read["path"]).lines
    if read["path"].endswith(".java"):   # an annotation mapper's @Results(@Many(select = ..) / @One(..))
        return any("@Many" in n or "@One" in n for n in lines[max(read["start_line"] - 15, 0):read["end_line"]])
    return any(re.search(r"\bselect\s*=", block) for block in map_blocks(planner, read["path"], read["start_line"]))


def folds_rows(planner, path: str, start_line: int) -> bool:
    """The statement's resultMap (or one it extends or nests) has a `<collection>` / `<association>`: MyBatis folds
    the joined rows into one object per parent, so "which rows it returns" and its ORDER BY are not what the caller
    gets (blind read 21J: mall S22, `getCartProduct`'s sort orders a nested attribute list)."""
    return any(re.search(r"<(?:collection|association)\b", block) for block in map_blocks(planner, path, start_line))


def map_blocks(planner, path: str, start_line: int) -> list[str]:
    """The resultMap blocks a mapper XML statement maps into, with those they extend or nest."""
    if not path.endswith(".xml"):
        return []
    lines = planner.files.get(path).lines
    head = " ".join(lines[start_line - 1:start_line + 2])
    tag = head[:head.find(">") + 1] if ">" in head else head
    todo = [(path, ref) for ref in _RESULT_MAP.findall(tag)]
    seen: set[tuple[str, str]] = set()
    out = []
    while todo:
        at, ref = todo.pop()
        found = _result_map(planner, at, ref)
        if found is None or found in seen:
            continue
        seen.add(found)
        block = _map_block(planner, *found)
        out.append(block)
        todo += [(found[0], r) for r in _RESULT_MAP.findall(block)]
    return out


def _result_map(planner, path: str, ref: str) -> tuple[str, str] | None:
    """(mapper XML file, resultMap id) for a reference: `id` in the same file, `namespace.id` in the file of
    that namespace among the mapper XML files the index holds."""
    namespace, _, name = ref.rpartition(".")
    if not namespace:
        return path, name
    if not hasattr(planner, "_xml_namespaces"):
        planner._xml_namespaces = {}
        for f in planner.data["files"]:
            if f["path"].endswith(".xml"):
                found = _NAMESPACE.search(planner.files.get(f["path"]).text)
                if found:
                    planner._xml_namespaces[found.group(1)] = f["path"]
    target = planner._xml_namespaces.get(namespace)
    return (target, name) if target else None


def _map_block(planner, path: str, name: str) -> str:
    """The text of `<resultMap id="name">` .. `</resultMap>` in a mapper XML file ('' when absent)."""
    text = planner.files.get(path).text
    start = re.search(rf'<resultMap\b[^>]*\bid\s*=\s*"{re.escape(name)}"', text)
    if not start:
        return ""
    end = text.find("</resultMap>", start.start())
    return text[start.start():end if end >= 0 else len(text)]


def _queries_directly(planner, step: dict) -> bool:
    """The method sends SQL itself (JdbcTemplate, EntityManager, a MyBatis SqlSession): queries no mapper lists."""
    if not step["path"].endswith(".java"):
        return False
    lines = planner.files.get(step["path"]).lines[step["start_line"] - 1:step["end_line"]]
    return any(_DIRECT_DB.search(line) for line in lines)


def _lazy_relations(planner, reads: list[dict]) -> bool:
    """A JPA entity read here maps a relation (@OneToMany, @ManyToOne ...): loading it, or touching the
    relation later, runs SELECTs on other tables that no statement lists, so the tables are not all known."""
    tables = {t for r in reads for t in r["tables"]}
    symbols = {s["symbol_id"]: s for s in planner.data["symbols"]}
    for e in planner.data.get("entities") or []:
        sym = symbols.get(e["symbol_id"])
        if sym and tables & set(e.get("tables") or []) and _RELATION.search(planner.files.get(sym["path"]).text):
            return True
    return False


def _cached(planner, step: dict) -> bool:
    """A @Cacheable method runs (and queries) only on a cache miss: its queries are not simply 'reached'."""
    annotations = (planner.symbols.get(step["symbol_id"]) or {}).get("annotations") or []
    return any("Cacheable" in str(a) for a in annotations)
