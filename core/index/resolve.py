"""Repository-wide call resolution and SQL linking.

Each file typed its call receivers on its own (parameter, local, field,
`this`, class name, chain). Here the whole symbol table is known, so a
receiver type becomes a class of the repository, the invoked name and
argument count pick a method in it or in its supertypes, and a method of an
interface or abstract class is followed to its implementation when exactly
one class implements it. Calls whose receiver is a type from outside the
repository (JDK, Spring ...) are `external`; the resolved share is reported
over the rest.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from core.index.java_extract import PRIMITIVES, clean_type

_ACCESSOR = re.compile(r"^(get|set|is)([A-Z]\w*)$")
_OBJECT_METHODS = frozenset({"equals", "hashCode", "toString", "getClass", "clone", "notify", "notifyAll", "wait",
                             "finalize", "compareTo", "values", "valueOf", "ordinal", "name"})


@dataclass
class _Method:
    symbol_id: str
    name: str
    arity: int
    varargs: bool
    return_type: str | None
    abstract: bool


@dataclass
class _Type:
    fq: str
    kind: str
    supers: list[str] = field(default_factory=list)
    methods: dict[str, list[_Method]] = field(default_factory=lambda: defaultdict(list))
    fields: dict[str, str] = field(default_factory=dict)     # name -> field symbol id
    field_types: dict[str, str] = field(default_factory=dict)   # name -> declared type (enum constants: the enum)


def _arity(symbol_id: str) -> tuple[int, bool]:
    params = symbol_id[symbol_id.index("(") + 1 : symbol_id.rindex(")")]
    if not params:
        return 0, False
    parts = params.split(",")
    return len(parts), parts[-1].endswith("...")


def _split_method_id(method_id: str) -> tuple[str, str, int]:
    """`a.B#m(int,String)` -> ('a.B', 'm', 2)."""
    owner_fq, _, rest = method_id.partition("#")
    return owner_fq, rest.split("(", 1)[0], _arity(method_id)[0]


def _shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("."), b.split(".")):
        if x != y:
            break
        n += 1
    return n


class Resolver:
    def __init__(self, symbols: list[tuple]):
        """`symbols`: (symbol_id, kind, name, parent_id, type, extends, modifiers) rows.

        Rows are taken in symbol-id order: where a call cannot tell same-arity overloads or
        same-named types apart, the first one wins, and that must not depend on the order a
        database scan happens to return.
        """
        self.types: dict[str, _Type] = {}
        self.by_simple: dict[str, list[str]] = defaultdict(list)
        pending: list[tuple] = []
        for row in sorted(symbols, key=lambda r: r[0]):
            symbol_id, kind, name, _parent, _type, extends, _mods = row
            if kind in ("class", "interface", "enum"):
                supers = json.loads(extends) if isinstance(extends, str) else (extends or [])
                self.types[symbol_id] = _Type(symbol_id, kind, supers)
                self.by_simple[name].append(symbol_id)
            else:
                pending.append(row)
        for symbol_id, kind, name, parent, type_, _ext, mods in pending:
            owner = self.types.get(parent)
            if owner is None:
                continue
            if kind in ("field", "enum_constant"):
                owner.fields[name] = symbol_id
                owner.field_types[name] = type_ or ""
            elif kind == "method":
                arity, varargs = _arity(symbol_id)
                abstract = owner.kind == "interface" and "default" not in (mods or "") and "static" not in (mods or "")
                abstract = abstract or "abstract" in (mods or "")
                owner.methods[name].append(_Method(symbol_id, name, arity, varargs, type_, abstract))
        for t in self.types.values():
            t.supers = [s for s in (self.type_named(s, t.fq) or s for s in t.supers)]
        self.implementations: dict[str, list[str]] = defaultdict(list)
        for t in self.types.values():
            if t.kind == "class" or t.kind == "enum":
                for ancestor in self.ancestors(t.fq):
                    self.implementations[ancestor].append(t.fq)

    # -------------------------------------------------------------- types --
    def type_named(self, name: str | None, context: str | None = None) -> str | None:
        """The repository type a (possibly simple, possibly guessed) name refers to, if any."""
        if not name:
            return None
        if name in self.types:
            return name
        simple = clean_type(name)
        if simple in PRIMITIVES:
            return None
        last = simple.rsplit(".", 1)[-1]
        if context:   # nested types are visible from the declaring class and its outer classes
            scope = context
            while scope:
                candidate = f"{scope}.{simple}"
                if candidate in self.types:
                    return candidate
                scope = scope.rsplit(".", 1)[0] if "." in scope else ""
        candidates = self.by_simple.get(last, [])
        if len(candidates) == 1:
            return candidates[0]
        # a guessed `pkg.Outer.Inner` (wildcard import): the longest suffix that names one type wins,
        # ties broken by the package shared with the guess
        parts = simple.split(".")
        for k in range(len(parts)):
            suffix = ".".join(parts[k:])
            found = [c for c in candidates if c == suffix or c.endswith("." + suffix)]
            if len(found) == 1:
                return found[0]
            if found:
                return max(found, key=lambda c: _shared_prefix(c, context or simple))
        return None

    def ancestors(self, fq: str) -> list[str]:
        out: list[str] = []
        stack = list(self.types[fq].supers) if fq in self.types else []
        while stack:
            sup = stack.pop()
            if sup in out:
                continue
            out.append(sup)
            if sup in self.types:
                stack.extend(self.types[sup].supers)
        return out

    # ------------------------------------------------------------ methods --
    def _pick(self, candidates: list[_Method], arity: int) -> _Method | None:
        exact = [m for m in candidates if m.arity == arity]
        if exact:
            return exact[0]
        varargs = [m for m in candidates if m.varargs and arity >= m.arity - 1]
        return varargs[0] if varargs else None

    def find_method(self, type_fq: str, name: str, arity: int) -> tuple[str | None, bool]:
        """(method symbol id or None, whether some supertype lies outside the repository)."""
        outside = False
        for fq in [type_fq, *self.ancestors(type_fq)]:
            t = self.types.get(fq)
            if t is None:
                outside = True
                continue
            method = self._pick(t.methods.get(name, []), arity)
            if method is not None:
                return method.symbol_id, outside
        return None, outside

    def accessor_field(self, type_fq: str, name: str) -> str | None:
        """The field behind an undeclared getX / setX / isX (Lombok @Data, @Getter, @Setter generate them)."""
        match = _ACCESSOR.match(name)
        if not match:
            return None
        prop = match[2][0].lower() + match[2][1:]
        for fq in [type_fq, *self.ancestors(type_fq)]:
            t = self.types.get(fq)
            if t is not None and prop in t.fields:
                return t.fields[prop]
        return None

    def implementation(self, method_id: str, receiver_fq: str) -> str | None:
        """The one concrete method that runs when an interface / abstract `method_id` is called."""
        owner_fq, name, arity = _split_method_id(method_id)
        owner = self.types.get(owner_fq)
        if owner is None:
            return None
        declared = self._pick(owner.methods.get(name, []), arity)
        if declared is None or not declared.abstract:
            return None
        found: list[str] = []
        for impl in self.implementations.get(receiver_fq, []) or self.implementations.get(owner_fq, []):
            target, _ = self.find_method(impl, name, arity)
            if target and target != method_id and target not in found:
                found.append(target)
        return found[0] if len(found) == 1 else None

    def return_type(self, method_id: str) -> str | None:
        owner_fq, name, arity = _split_method_id(method_id)
        method = self._pick(self.types[owner_fq].methods.get(name, []), arity) if owner_fq in self.types else None
        return self.type_named(method.return_type, owner_fq) if method and method.return_type else None

    def receiver(self, raw: str | None, depth: int = 0) -> tuple[str | None, bool]:
        """(repository type of a receiver, whether it is known to be outside the repository)."""
        if raw is None:
            return None, False
        if raw.startswith("@call:"):
            if depth > 8:
                return None, False
            inner, _, call = raw[len("@call:"):].rpartition("#")
            name, _, argc = call.partition("/")
            inner_type, inner_outside = self.receiver(inner, depth + 1)
            if inner_type is None:
                return None, inner_outside
            method_id, outside = self.find_method(inner_type, name, int(argc or 0))
            if method_id is None:
                accessor = self.accessor_field(inner_type, name)
                if accessor is None:
                    return None, outside
                owner_fq, _, field_name = accessor.rpartition(".")
                field_type = self.types[owner_fq].field_types.get(field_name)
                found = self.type_named(field_type, owner_fq)
                return found, found is None and bool(field_type)
            ret = self.return_type(method_id)
            if ret is None:
                owner = self.types[method_id.split("#", 1)[0]]
                declared = next((m for m in owner.methods.get(name, []) if m.symbol_id == method_id), None)
                return None, bool(declared and declared.return_type)
            return ret, False
        fq = self.type_named(raw)
        if fq is None and "." in raw:   # `Enum.CONSTANT` or `Type.STATIC_FIELD`: the member's type
            owner_fq = self.type_named(raw.rsplit(".", 1)[0])
            member = raw.rsplit(".", 1)[1]
            if owner_fq is not None and member in self.types[owner_fq].field_types:
                fq = self.type_named(self.types[owner_fq].field_types[member], owner_fq)
        if fq is None:
            return None, clean_type(raw) not in ("", "var")
        return fq, False

    # --------------------------------------------------------------- calls --
    def resolve(self, name: str, raw: str | None, arg_count: int) -> tuple[str | None, str | None, str | None, str]:
        """(receiver type, callee_id, impl_id, status) for one call site."""
        receiver_fq, outside = self.receiver(raw)
        if receiver_fq is None:
            return (None if raw is None or raw.startswith("@call:") else raw), None, None, \
                "external" if outside else "unresolved"
        method_id, outside = self.find_method(receiver_fq, name, arg_count)
        if method_id is None:
            accessor = self.accessor_field(receiver_fq, name)
            if accessor:
                return receiver_fq, accessor, None, "resolved"
            if name in _OBJECT_METHODS:   # inherited from java.lang.Object / Enum
                return receiver_fq, None, None, "external"
            return receiver_fq, None, None, "external" if outside else "unresolved"
        return receiver_fq, method_id, self.implementation(method_id, receiver_fq), "resolved"


def resolve_calls(resolver: Resolver, rows: list[tuple]) -> list[tuple]:
    """Re-resolve call rows (storage.index_store.CALL_COLS order) and return the updated rows."""
    out = []
    for row in rows:
        (repo_id, caller_id, callee_name, _callee, _recv, path, line, raw, arg_count, via, _impl, _status) = row
        method = callee_name.rsplit(".", 1)[-1]
        receiver_fq, callee_id, impl_id, status = resolver.resolve(method, raw, arg_count or 0)
        out.append((repo_id, caller_id, callee_name, callee_id, receiver_fq, path, line, raw, arg_count, via,
                    impl_id, status))
    return out


def link_sql(resolver: Resolver, statements: list[tuple[str, str, str]]) -> dict[str, str | None]:
    """stmt_id -> the mapper / DAO method with the statement's namespace (interface) and id (name)."""
    links: dict[str, str | None] = {}
    for stmt_id, namespace, statement in statements:
        owner = resolver.types.get(namespace)
        candidates = owner.methods.get(statement, []) if owner else []
        links[stmt_id] = candidates[0].symbol_id if candidates else None
    return links
