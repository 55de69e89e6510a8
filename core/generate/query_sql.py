"""Reading a query's row conditions from SQL text: a MyBatis XML statement (with its dynamic tags) or a @Query string.

The result is a `Query`: tables and joins, the WHERE conditions one by one (each with the line it stands on and
the `<if>` / `<when>` tests it runs under), ORDER BY and LIMIT. `None` means some part of what decides the rows
cannot be read from the text alone (`${}` interpolation, an `<include>` in the WHERE clause, an OR between
top-level conditions, a subquery in FROM, a UNION), and the question is then not asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TAG = re.compile(r"<(/?)(\w+)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>", re.S)
_ATTR = re.compile(r"(\w+)\s*=\s*\"([^\"]*)\"")
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|#\{[^}]*\}|&(?:lt|gt);=?|:\w+|\?\d*|<=|>=|<>|!=|[(),=<>]|[^\s(),=<>'\"]+")
_CLAUSES = {"where", "group", "having", "order", "limit", "union", "for", "set", "from", "join", "on", "values"}
_KEYWORDS = {"in", "and", "or", "not", "exists", "on", "as", "values", "where", "from", "join", "select", "set", "by"}
_TAGS = ("<include>", "<bind>")   # placeholders of tags whose SQL is elsewhere


@dataclass
class Part:
    text: str
    line: int
    when: list[str] = field(default_factory=list)   # the <if>/<when> tests (or "none of ...") it depends on
    when_lines: list[int] = field(default_factory=list)


@dataclass
class Query:
    verb: str                      # select | count | update | delete
    table: str
    joins: list[Part]
    conditions: list[Part]
    order: Part | None = None
    limit: Part | None = None
    sets: list[Part] | None = None   # an UPDATE's assignments; None when a <foreach> or a split tag hides them


@dataclass
class _Tok:
    text: str
    line: int
    when: tuple = ()


class Unreadable(Exception):
    """Part of what decides the rows is not in the text (`${}`, an <include> in WHERE, a top-level OR)."""


def xml_query(lines: list[str], start: int, end: int) -> Query | None:
    """The statement at lines start..end (1-based) of a mapper XML file."""
    text = "\n".join(lines[start - 1:end])
    if "${" in text:
        return None
    try:
        return _query(_xml_tokens(text, start))
    except Unreadable:
        return None


def sql_query(sql: str, line: int) -> Query | None:
    """A @Query string (JPQL or native) standing on `line`: every condition cites that line."""
    if "${" in sql or "#{" in sql:
        return None
    try:
        return _query([_Tok(t, line) for t in _TOKEN.findall(sql) if t != ";"])
    except Unreadable:
        return None


def _xml_tokens(text: str, first_line: int) -> list[_Tok]:
    """Tokens of the SQL with their line and the dynamic tests above them; tags become clause tokens
    (<where> -> WHERE) or a placeholder for a <foreach> list."""
    out: list[_Tok] = []
    stack: list[tuple[str, str | None, int]] = []      # (tag, test, line)
    chooses: list[list[str]] = []                      # tests of the <when>s seen in each open <choose>
    skip_depth = 0                                     # inside a <foreach>: its text is one list
    list_start = 0
    pos = 0
    body = text.split(">", 1)[1] if text.lstrip().startswith("<") else text   # drop the opening statement tag
    offset = len(text) - len(body)
    for m in _TAG.finditer(body):
        if not skip_depth:
            _add_text(out, body[pos:m.start()], first_line + text[:offset + pos].count("\n"), stack)
        pos = m.end()
        closing, tag, attrs, selfclose = m.group(1), m.group(2).lower(), dict(_ATTR.findall(m.group(3))), m.group(4)
        line = first_line + text[:offset + m.start()].count("\n")
        if tag in ("select", "update", "delete", "insert", "mapper"):
            break    # the statement's closing tag
        if tag in ("include", "bind"):
            out.append(_Tok("<" + tag + ">", line, _when(stack)))
            continue
        if tag == "foreach":
            if closing:
                skip_depth -= 1
                if not skip_depth and out and out[-1].text.startswith("(each"):
                    item = " ".join(body[list_start:m.start()].split())
                    out[-1].text = out[-1].text[:-1] + f": {item})"
            elif not selfclose:
                skip_depth += 1
                if skip_depth == 1:
                    coll, list_start = attrs.get("collection", "?"), m.end()
                    bare = attrs.get("open", "").strip() != "("   # `CASE id <foreach> WHEN .. THEN ..`
                    out.append(_Tok(f"<each {coll}>" if bare else f"(each {coll})", line, _when(stack)))
            continue
        if skip_depth:
            continue
        if closing:
            if tag == "choose" and chooses:
                chooses.pop()
            while stack and stack[-1][0] != tag:
                stack.pop()
            if stack:
                stack.pop()
            continue
        if tag == "where" or (tag == "trim" and "where" in attrs.get("prefix", "").lower()):
            out.append(_Tok("WHERE", line, _when(stack)))
        elif tag == "set" or (tag == "trim" and "set" in attrs.get("prefix", "").lower()):
            out.append(_Tok("SET", line, _when(stack)))
        elif tag == "trim":
            raise Unreadable("a trim tag with its own prefix")
        if selfclose:
            continue
        if tag == "choose":
            chooses.append([])
        test = attrs.get("test")
        if tag == "when" and chooses:
            chooses[-1].append(test)
        elif tag == "otherwise" and chooses:
            test = (f"not `{chooses[-1][0]}`" if len(chooses[-1]) == 1
                    else "none of " + "; ".join(f"`{t}`" for t in chooses[-1]))
        stack.append((tag, test, line))
    return out


def _when(stack) -> tuple:
    return tuple((t, line) for tag, t, line in stack if tag in ("if", "when", "otherwise") and t)


def _add_text(out: list[_Tok], chunk: str, line: int, stack) -> None:
    chunk = re.sub(r"<!--.*?-->", "", chunk, flags=re.S)   # entities (&lt;) stay: the answer quotes the file
    for n, text in enumerate(chunk.split("\n")):
        out += [_Tok(t, line + n, _when(stack)) for t in _TOKEN.findall(text) if t != ";"]


def _word(t: _Tok) -> str:
    return t.text.lower()


def _query(toks: list[_Tok]) -> Query:
    if any(_word(t) in ("union", "<bind>") for t in toks):
        raise Unreadable("union or bind")
    sections = _sections(toks)
    head = sections.get("head") or []
    verb = _word(head[0]) if head else ""
    if verb not in ("select", "update", "delete"):
        raise Unreadable(verb)
    if verb == "select" and len(head) > 1 and _word(head[1]).startswith("count"):
        verb = "count"
    table_toks = head[1:] if verb == "update" else sections.get("from")
    if not table_toks or table_toks[0].text == "(" or any(t.text in _TAGS for t in table_toks):
        raise Unreadable("table")
    joins = [_part(j) for j in sections.get("joins", [])]
    where = sections.get("where") or []
    if any(t.text in _TAGS or t.text.startswith("<each") for t in where):
        raise Unreadable("include in WHERE")
    return Query(verb=verb, table=table_toks[0].text.strip("`"), joins=joins, conditions=_conditions(where),
                 order=_part(sections["order"]) if sections.get("order") else None,
                 limit=_part(sections["limit"]) if sections.get("limit") else None,
                 sets=_assignments(sections.get("set") or []) if verb == "update" else None)


def _assignments(toks: list[_Tok]) -> list[Part] | None:
    """`SET a = 1, b = NOW()` -> [a = 1, b = NOW()], each with its <if> tests."""
    items: list[list[_Tok]] = [[]]
    depth = 0
    for t in toks[1:]:    # after SET
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        if depth == 0 and t.text == ",":
            items.append([])
            continue
        items[-1].append(t)
    items = [i for i in items if i]
    if not items or any(len({t.when for t in i}) > 1 or any(t.text.startswith(("(each", "<each")) for t in i) for i in items):
        return None
    return [_part(i) for i in items]


def _sections(toks: list[_Tok]) -> dict:
    """Split at the top-level clause keywords: head (SELECT list), from, joins (each JOIN .. ON ..), where,
    order, limit; UPDATE's table; GROUP BY / HAVING make the rows groups, so such a query is not read."""
    out: dict = {"head": [], "joins": []}
    cur, depth, i = "head", 0, 0
    while i < len(toks):
        t, w = toks[i], _word(toks[i])
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        if depth == 0 and w in _CLAUSES | {"left", "right", "inner", "cross"}:
            nxt = _word(toks[i + 1]) if i + 1 < len(toks) else ""
            if w in ("group", "having"):
                raise Unreadable("grouped")
            if w == "from" and cur == "head":
                cur = "from"
            elif w in ("left", "right", "inner", "cross") or w == "join" and _word(toks[i - 1]) not in (
                    "left", "right", "inner", "cross", "outer"):
                out["joins"].append([])
                cur = "join"
            elif w == "where":
                cur = "where"
                i += 1
                continue
            elif w == "order" and nxt == "by":
                cur = "order"
                i += 2
                continue
            elif w == "limit":
                cur = "limit"
            elif w == "set" and out["head"] and _word(out["head"][0]) == "update":
                cur = "set"
            elif w == "for":
                cur = "lock"
        if cur == "join":
            out["joins"][-1].append(t)
        elif cur == "from":
            if w != "from":
                out.setdefault("from", []).append(t)
        else:
            out.setdefault(cur, []).append(t)
        i += 1
    if len(out.get("from") or []) > 2 and "," in [t.text for t in out["from"]]:
        raise Unreadable("comma join")
    return out


def _conditions(where: list[_Tok]) -> list[Part]:
    """The top-level AND terms; a term's tests are those of its first token (a <where> drops a leading AND)."""
    terms: list[list[_Tok]] = [[]]
    depth = 0
    for t in where:
        w = _word(t)
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        if depth == 0 and w == "and" and not _open_between(terms[-1]):
            terms.append([])
            continue
        if depth == 0 and w == "or":
            raise Unreadable("top-level OR")
        terms[-1].append(t)
    parts = [_part(term) for term in terms if term and not re.fullmatch(r"1\s*=\s*1", _part(term).text)]
    for term in terms:
        if term and len({t.when for t in term}) > 1:
            raise Unreadable("a condition split over dynamic tags")
    return parts


def _open_between(term: list[_Tok]) -> bool:
    words = [_word(t) for t in term]
    return "between" in words and "and" not in words[words.index("between"):]


def _part(toks: list[_Tok]) -> Part:
    text = " ".join(t.text for t in toks)
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", re.sub(r"\s+,", ",", text)))
    text = re.sub(r"\b(\w+) \(", lambda m: m.group(0) if m.group(1).lower() in _KEYWORDS else m.group(1) + "(", text)
    first = toks[0]
    return Part(text=text, line=first.line, when=[w for w, _ in first.when], when_lines=[n for _, n in first.when])
