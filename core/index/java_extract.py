"""What one Java file contributes to the index: symbols, chunks and raw call sites.

Everything here looks at a single file. A call site records the static type
of its receiver as far as the file can tell (parameter, local variable,
field, `this`, a class name), qualified through the file's imports; the
repository-wide pass in `core.index.resolve` turns those into symbol ids.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from tree_sitter import Node

from core.index import java_ast
from core.index.java_ast import METHOD_DECLARATIONS, TYPE_DECLARATIONS, lines, text

MAX_CHUNK_LINES = 200   # a method longer than this is split at statement boundaries; a smaller class gets a whole-class chunk
PRIMITIVES = frozenset({
    "int", "long", "short", "byte", "char", "boolean", "float", "double", "void", "var",
})
_GENERICS = re.compile(r"<[^<>]*>")
_SPACE = re.compile(r"\s+")
_COMMENTS = frozenset({"line_comment", "block_comment"})
_TYPE_KIND = {
    "class_declaration": "class", "interface_declaration": "interface", "enum_declaration": "enum",
    "record_declaration": "class", "annotation_type_declaration": "annotation",
}
_CALL_QUERY = """
(method_invocation) @call
(local_variable_declaration) @local
(enhanced_for_statement) @for
(catch_formal_parameter) @catch
(lambda_expression parameters: (formal_parameters (formal_parameter) @lparam))
(resource type: (_) name: (identifier)) @resource
"""


@dataclass
class Symbol:
    symbol_id: str
    kind: str
    name: str
    parent_id: str | None
    package: str
    path: str
    start_line: int
    end_line: int
    signature: str | None = None
    type: str | None = None
    modifiers: str | None = None
    annotations: list[dict] = field(default_factory=list)
    doc: str | None = None
    extends: list[str] = field(default_factory=list)

    def row(self, repo_id: str) -> tuple:
        return (
            repo_id, self.symbol_id, self.kind, self.name, self.parent_id, self.package, self.path,
            self.start_line, self.end_line, self.signature, self.type, self.modifiers,
            json.dumps(self.annotations, ensure_ascii=False) if self.annotations else None,
            self.doc, json.dumps(self.extends) if self.extends else None,
        )


@dataclass
class Chunk:
    path: str
    start_line: int
    end_line: int
    kind: str            # method | class | field_block | sql | config
    symbol_id: str | None
    header: str | None
    text: str


@dataclass
class CallSite:
    caller_id: str
    callee_name: str     # as written: receiver.method (receiver text shortened)
    method: str          # the invoked simple name
    receiver_type: str | None
    via: str             # this | super | param | local | field | static | chain | unknown
    arg_count: int
    line: int


@dataclass
class JavaFile:
    path: str
    package: str
    imports: dict[str, str]
    symbols: list[Symbol]
    chunks: list[Chunk]
    calls: list[CallSite]
    error_regions: list[list[int]]
    is_generated: bool


def clean_type(raw: str) -> str:
    """`final Map<String, List<Long>>[]` -> `Map`: the erased simple or dotted type name."""
    raw = _SPACE.sub(" ", raw).strip()
    while "<" in raw:
        stripped = _GENERICS.sub("", raw)
        if stripped == raw:
            raw = raw.split("<", 1)[0]
            break
        raw = stripped
    raw = raw.replace("[]", "").replace("...", "").strip()
    parts = [p for p in raw.split(" ") if p and not p.startswith("@") and p != "final"]
    return parts[-1] if parts else raw


class _Qualifier:
    """Qualifies simple type names the way `javac` would, from this file's view."""

    def __init__(self, package: str, imports: dict[str, str], local_types: dict[str, str]):
        self.package, self.imports, self.local_types = package, imports, local_types

    def __call__(self, name: str | None) -> str | None:
        if not name:
            return None
        name = clean_type(name)
        if name in PRIMITIVES:
            return name
        head, _, rest = name.partition(".")
        if head in self.local_types:
            return self.local_types[head] + ("." + rest if rest else "")
        if head in self.imports:
            return self.imports[head] + ("." + rest if rest else "")
        if rest and head[:1].islower():
            return name  # already fully qualified
        if head in _JAVA_LANG:
            return name
        return f"{self.package}.{name}" if self.package else name


_JAVA_LANG = frozenset({
    "String", "Integer", "Long", "Short", "Byte", "Character", "Boolean", "Float", "Double", "Object",
    "Math", "System", "Thread", "StringBuilder", "Number", "Exception", "RuntimeException", "Class",
    "Iterable", "Enum", "Void", "Runnable", "Override", "Deprecated",
})


def _annotations(modifiers: Node | None) -> list[dict]:
    if modifiers is None:
        return []
    out = []
    for child in modifiers.named_children:
        if child.type in ("annotation", "marker_annotation"):
            args = child.child_by_field_name("arguments")
            out.append({"name": text(child.child_by_field_name("name")), "args": text(args)[1:-1] if args else ""})
    return out


def _modifier_words(modifiers: Node | None) -> str | None:
    if modifiers is None:
        return None
    words = [text(c) for c in modifiers.children if c.type not in ("annotation", "marker_annotation", "line_comment",
                                                                      "block_comment")]
    return " ".join(words) or None


def _leading_comments(node: Node) -> tuple[str | None, int]:
    """The comments right before a declaration (Javadoc or //), and the line they start on."""
    comments: list[Node] = []
    prev = node.prev_sibling
    expected_row = node.start_point[0]
    while prev is not None and prev.type in _COMMENTS and prev.end_point[0] >= expected_row - 1:
        comments.append(prev)
        expected_row = prev.start_point[0]
        prev = prev.prev_sibling
    # a trailing comment of the previous member on its own line belongs to that member
    if comments and prev is not None and comments[-1].start_point[0] == prev.end_point[0]:
        comments.pop()
    if not comments:
        return None, node.start_point[0] + 1
    comments.reverse()
    return "\n".join(text(c) for c in comments), comments[0].start_point[0] + 1


def _with_trailing_comment(doc: str | None, node: Node) -> str | None:
    """A field or enum constant is often documented by a comment at the end of its own line."""
    nxt = node.next_sibling
    if nxt is None or nxt.type not in _COMMENTS or nxt.start_point[0] != node.end_point[0]:
        return doc
    return f"{doc}\n{text(nxt)}" if doc else text(nxt)


def _short(expr: str, limit: int = 60) -> str:
    expr = _SPACE.sub(" ", expr)
    return expr if len(expr) <= limit else expr[: limit - 3] + "..."


class _FileExtractor:
    def __init__(self, path: str, data: bytes):
        self.path = path
        self.data = data
        self.tree = java_ast.parse(data)
        self.src_lines = data.decode("utf-8", errors="replace").splitlines()
        self.package = ""
        self.imports: dict[str, str] = {}
        self.static_imports: dict[str, str] = {}   # member name -> declaring class
        self.symbols: list[Symbol] = []
        self.chunks: list[Chunk] = []
        self.calls: list[CallSite] = []
        self.nested: dict[str, str] = {}   # simple name of a type declared in this file -> fq
        self._ids: set[str] = set()

    def unique(self, symbol_id: str) -> str:
        """A field named like a nested class, or overloads equal after erasure, get `~2`, `~3` ..."""
        candidate, n = symbol_id, 1
        while candidate in self._ids:
            n += 1
            candidate = f"{symbol_id}~{n}"
        self._ids.add(candidate)
        return candidate

    def snippet(self, start: int, end: int) -> str:
        return "\n".join(self.src_lines[start - 1 : end])

    def run(self) -> None:
        root = self.tree.root_node
        types: list[Node] = []
        for child in root.named_children:
            if child.type == "package_declaration":
                self.package = text(child.named_children[0]) if child.named_children else ""
            elif child.type == "import_declaration":
                self._import(child)
            elif child.type in TYPE_DECLARATIONS:
                types.append(child)
        self._collect_type_names(types, self.package)
        self.qualify = _Qualifier(self.package, self.imports, self.nested)
        for node in types:
            self._type(node, None, self.package)

    def _import(self, node: Node) -> None:
        raw = text(node)
        name = text(node.named_children[0]) if node.named_children else ""
        if raw.rstrip(";").rstrip().endswith("*") or not name:
            return
        if " static " in raw:   # `import static a.B.m;` -> an unqualified m() is B.m()
            self.static_imports[name.rsplit(".", 1)[-1]] = name.rsplit(".", 1)[0]
            return
        self.imports[name.rsplit(".", 1)[-1]] = name

    def _collect_type_names(self, nodes: list[Node], prefix: str) -> None:
        for node in nodes:
            name = text(node.child_by_field_name("name"))
            fq = f"{prefix}.{name}" if prefix else name
            self.nested.setdefault(name, fq)
            self._ids.add(fq)
            body = node.child_by_field_name("body")
            if body is not None:
                inner = [c for c in body.named_children if c.type in TYPE_DECLARATIONS]
                if body.type == "enum_body":
                    for c in body.named_children:
                        if c.type == "enum_body_declarations":
                            inner += [d for d in c.named_children if d.type in TYPE_DECLARATIONS]
                self._collect_type_names(inner, fq)

    def _type(self, node: Node, parent: Symbol | None, prefix: str, outer_fields: dict[str, str] | None = None) -> None:
        name = text(node.child_by_field_name("name"))
        fq = f"{prefix}.{name}" if prefix else name
        modifiers = java_ast.modifiers(node)
        doc, doc_line = _leading_comments(node)
        body = node.child_by_field_name("body")
        start, end = lines(node)
        header_end = body.start_point[0] + 1 if body is not None else end
        signature = _SPACE.sub(" ", self.snippet(start, header_end)).rstrip("{ ").strip()
        supers: list[str] = []
        for field_name in ("superclass", "interfaces"):
            sup = node.child_by_field_name(field_name)
            if sup is not None:
                supers += [self.qualify(text(t)) for t in sup.named_children[-1:][0].named_children] \
                    if sup.type == "super_interfaces" else [self.qualify(text(sup.named_children[0]))]
        ext = next((c for c in node.children if c.type == "extends_interfaces"), None)
        if ext is not None:
            supers += [self.qualify(text(t)) for t in ext.named_children[0].named_children]
        sym = Symbol(
            fq, _TYPE_KIND[node.type], name, parent.symbol_id if parent else None, self.package, self.path,
            start, end, signature, None, _modifier_words(modifiers), _annotations(modifiers), doc,
            [s for s in supers if s],
        )
        self.symbols.append(sym)
        header = self._header(doc_line, header_end)
        # a small type is one chunk as a whole (a rule may span its annotations and a method);
        # a big one gets its header only, its members have chunks of their own
        class_end = end if end - doc_line + 1 <= MAX_CHUNK_LINES else header_end
        self.chunks.append(Chunk(self.path, doc_line, class_end, "class", fq, None, self.snippet(doc_line, class_end)))
        if body is None:
            return
        fields: dict[str, str] = dict(outer_fields or {})
        members = list(body.named_children)
        if body.type == "enum_body":
            extra = next((c for c in members if c.type == "enum_body_declarations"), None)
            members = [c for c in members if c.type != "enum_body_declarations"]
            if extra is not None:
                members += list(extra.named_children)
        block: list[tuple[int, int]] = []
        methods: list[Node] = []
        nested: list[Node] = []
        for member in members:
            kind = member.type
            if kind in _COMMENTS:
                continue
            if kind in TYPE_DECLARATIONS:
                self._flush_block(block, fq, header)
                nested.append(member)
                continue
            if kind in METHOD_DECLARATIONS:
                self._flush_block(block, fq, header)
                methods.append(member)
                continue
            m_doc, m_doc_line = _leading_comments(member)
            block.append((m_doc_line, lines(member)[1]))
            if kind == "field_declaration" or kind == "constant_declaration":
                self._field(member, sym, fields, m_doc)
            elif kind == "enum_constant":
                self._enum_constant(member, sym, m_doc)
        self._flush_block(block, fq, header)
        for method in methods:
            self._method(method, sym, fields, header)
        for member in nested:
            self._type(member, sym, fq, fields)

    def _header(self, start: int, end: int) -> str:
        head = [f"package {self.package};", ""] if self.package else []
        return "\n".join(head + self.src_lines[start - 1 : end]).rstrip()

    def _flush_block(self, block: list[tuple[int, int]], owner: str, header: str) -> None:
        if not block:
            return
        start, end = block[0][0], block[-1][1]
        self.chunks.append(Chunk(self.path, start, end, "field_block", owner, header, self.snippet(start, end)))
        block.clear()

    def _field(self, node: Node, owner: Symbol, fields: dict[str, str], doc: str | None) -> None:
        modifiers = java_ast.modifiers(node)
        type_text = text(node.child_by_field_name("type"))
        doc = _with_trailing_comment(doc, node)
        start, end = lines(node)
        for declarator in node.children_by_field_name("declarator"):
            name = text(declarator.child_by_field_name("name"))
            fields[name] = type_text
            self.symbols.append(Symbol(
                self.unique(f"{owner.symbol_id}.{name}"), "field", name, owner.symbol_id, self.package, self.path, start, end,
                _SPACE.sub(" ", text(node)), type_text, _modifier_words(modifiers), _annotations(modifiers), doc,
            ))

    def _enum_constant(self, node: Node, owner: Symbol, doc: str | None) -> None:
        name = text(node.child_by_field_name("name"))
        start, end = lines(node)
        doc = _with_trailing_comment(doc, node)
        self.symbols.append(Symbol(
            self.unique(f"{owner.symbol_id}.{name}"), "enum_constant", name, owner.symbol_id, self.package, self.path,
            start, end, _SPACE.sub(" ", text(node)), owner.name, None, _annotations(java_ast.modifiers(node)), doc,
        ))

    def _method(self, node: Node, owner: Symbol, fields: dict[str, str], header: str) -> None:
        name = text(node.child_by_field_name("name"))
        kind = "method" if node.type == "method_declaration" else "constructor"
        params = node.child_by_field_name("parameters")
        param_types: dict[str, str] = {}
        type_list: list[str] = []
        if params is not None:
            for p in params.named_children:
                if p.type == "formal_parameter":
                    ptype, pname = text(p.child_by_field_name("type")), text(p.child_by_field_name("name"))
                elif p.type == "spread_parameter":
                    ptype = text(next((c for c in p.named_children if c.type != "modifiers"), None)) + "..."
                    declarator = next((c for c in p.named_children if c.type == "variable_declarator"), None)
                    pname = text(declarator.child_by_field_name("name")) if declarator else ""
                else:
                    continue
                param_types[pname] = ptype
                type_list.append(clean_type(ptype) + ("..." if ptype.endswith("...") else ""))
        symbol_id = self.unique(f"{owner.symbol_id}#{name}({','.join(type_list)})")
        modifiers = java_ast.modifiers(node)
        body = node.child_by_field_name("body")
        start, end = lines(node)
        sig_end = body.start_byte if body is not None else node.end_byte
        # annotations belong to the modifiers; the signature proper starts after them
        words = _modifier_words(modifiers)
        sig_start = modifiers.end_byte if modifiers is not None else node.start_byte
        rest = self.data[sig_start:sig_end].decode("utf-8", "replace")
        signature = _SPACE.sub(" ", f"{words or ''} {rest}").strip()
        return_type = node.child_by_field_name("type")
        doc, doc_line = _leading_comments(node)
        self.symbols.append(Symbol(
            symbol_id, kind, name, owner.symbol_id, self.package, self.path, start, end, signature,
            text(return_type) if return_type is not None else None, words, _annotations(modifiers), doc,
        ))
        self._method_chunks(node, body, symbol_id, header, doc_line)
        if body is not None:
            self._calls(body, symbol_id, owner, fields, param_types)

    def _method_chunks(self, node: Node, body: Node | None, symbol_id: str, header: str, doc_line: int) -> None:
        start, end = doc_line, lines(node)[1]
        if end - start + 1 <= MAX_CHUNK_LINES or body is None:
            self.chunks.append(Chunk(self.path, start, end, "method", symbol_id, header, self.snippet(start, end)))
            return
        # split at top-level statements, each piece a run of whole statements
        cuts: list[int] = []
        piece_start = start
        for stmt in body.named_children:
            s_start, s_end = lines(stmt)
            if s_end - piece_start + 1 > MAX_CHUNK_LINES and s_start > piece_start:
                cuts.append(s_start - 1)
                piece_start = s_start
        bounds = [start] + [c + 1 for c in cuts]
        ends = cuts + [end]
        for s, e in zip(bounds, ends):
            self.chunks.append(Chunk(self.path, s, e, "method", symbol_id, header, self.snippet(s, e)))

    def _calls(self, body: Node, caller_id: str, owner: Symbol, fields: dict[str, str],
               params: dict[str, str]) -> None:
        found = java_ast.captures(_CALL_QUERY, body)
        local: dict[str, str] = {}
        for node in found.get("local", []):
            type_text = text(node.child_by_field_name("type"))
            for declarator in node.children_by_field_name("declarator"):
                var_type = type_text
                value = declarator.child_by_field_name("value")
                if type_text == "var" and value is not None and value.type == "object_creation_expression":
                    var_type = text(value.child_by_field_name("type"))
                local[text(declarator.child_by_field_name("name"))] = var_type
        for node in found.get("for", []) + found.get("lparam", []) + found.get("resource", []):
            local[text(node.child_by_field_name("name"))] = text(node.child_by_field_name("type"))
        for node in found.get("catch", []):
            catch_type = next((c for c in node.named_children if c.type == "catch_type"), None)
            if catch_type is not None and catch_type.named_children:
                local[text(node.child_by_field_name("name"))] = text(catch_type.named_children[0])
        for call in found.get("call", []):
            self._call(call, caller_id, owner, fields, params, local)

    def _call(self, call: Node, caller_id: str, owner: Symbol, fields: dict[str, str], params: dict[str, str],
              local: dict[str, str]) -> None:
        name = text(call.child_by_field_name("name"))
        obj = call.child_by_field_name("object")
        written = name if obj is None else f"{_short(text(obj))}.{name}"
        if obj is None and name in self.static_imports:
            receiver_type, via = self.static_imports[name], "static"
        else:
            receiver_type, via = self._receiver(obj, owner, fields, params, local)
        self.calls.append(CallSite(caller_id, written, name, receiver_type, via, _arg_count(call),
                                   call.start_point[0] + 1))

    def _receiver(self, obj: Node | None, owner: Symbol, fields: dict[str, str], params: dict[str, str],
                  local: dict[str, str]) -> tuple[str | None, str]:
        """The static type of a call's receiver as far as this file can tell, and how it was found.

        A receiver that is itself a call is written `@call:<its receiver>#<method>/<args>` so the
        repository-wide resolver can follow return types along a chain.
        """
        if obj is None or obj.type == "this":
            return owner.symbol_id, "this"
        if obj.type == "super":
            return (owner.extends[0] if owner.extends else None), "super"
        if obj.type == "parenthesized_expression" and obj.named_children:
            return self._receiver(obj.named_children[0], owner, fields, params, local)
        if obj.type == "cast_expression":
            return self.qualify(text(obj.child_by_field_name("type"))), "cast"
        expr = text(obj)
        if obj.type == "identifier":
            if expr in local:
                return self.qualify(local[expr]), "local"
            if expr in params:
                return self.qualify(params[expr]), "param"
            if expr in fields:
                return self.qualify(fields[expr]), "field"
            if expr[:1].isupper():
                return self.qualify(expr), "static"
            return None, "unknown"
        if obj.type == "field_access":
            target = obj.child_by_field_name("object")
            field_name = text(obj.child_by_field_name("field"))
            if target is not None and target.type == "this" and field_name in fields:
                return self.qualify(fields[field_name]), "field"
            if expr[:1].isupper() or expr.split(".")[0] in self.imports:
                return self.qualify(expr), "static"
            return None, "unknown"
        if obj.type == "scoped_identifier":
            return self.qualify(expr), "static"
        if obj.type == "object_creation_expression":
            return self.qualify(text(obj.child_by_field_name("type"))), "new"
        if obj.type == "method_invocation":
            inner_name = text(obj.child_by_field_name("name"))
            inner_obj = obj.child_by_field_name("object")
            if inner_obj is None and inner_name in self.static_imports:
                inner = self.static_imports[inner_name]
            else:
                inner, _ = self._receiver(inner_obj, owner, fields, params, local)
            if inner is None:
                return None, "chain"
            return f"@call:{inner}#{inner_name}/{_arg_count(obj)}", "chain"
        if obj.type == "string_literal":
            return "String", "literal"
        return None, "unknown"


def _arg_count(call: Node) -> int:
    args = call.child_by_field_name("arguments")
    return sum(1 for c in args.named_children if c.type not in _COMMENTS) if args is not None else 0


_GENERATED_MARKERS = (b"@mbg.generated", b"@Generated", b"Auto-generated", b"@generated", b"DO NOT EDIT")


def looks_generated(data: bytes, symbols: list[Symbol]) -> bool:
    """MyBatis Generator output (`*Example` with its Criteria, `*Mapper` with `*ByExample` methods) or marked code."""
    if any(marker in data for marker in _GENERATED_MARKERS):
        return True
    names = {s.name for s in symbols if s.kind in ("class", "interface")}
    if "GeneratedCriteria" in names and any(n.endswith("Example") for n in names):
        return True
    by_example = sum(1 for s in symbols if s.kind == "method" and "ByExample" in s.name)
    return by_example >= 2 and any(s.kind == "interface" for s in symbols)


def extract(path: str, data: bytes) -> JavaFile:
    """Index one Java source given as UTF-8 bytes (the caller decodes other encodings first)."""
    ex = _FileExtractor(path, data)
    ex.run()
    return JavaFile(
        path, ex.package, ex.imports, ex.symbols, ex.chunks, ex.calls,
        java_ast.error_regions(ex.tree), looks_generated(data, ex.symbols),
    )
