"""Which code identifiers a text names, and whether the repository has them.

A model trained on samples that mention invented classes learns to invent
classes. So every name that looks like code in a question or answer
(CamelCase types, `method(` calls, snake_case tables and columns,
UPPER_SNAKE constants, backticked names) must occur in the indexed
repository: the symbol table, the SQL tables, or the identifier tokens of
the indexed code and SQL (which covers locals, columns and library types
the code really uses).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# two capitals and a lower-case letter: a type name (OmsOrder, IOException), not a capitalised word
_CAMEL = re.compile(r"\b(?:[A-Z]+[a-z0-9]+[A-Z]|[A-Z]{2,}[a-z])[A-Za-z0-9]*\b")
_CALL = re.compile(r"\b([a-z_][A-Za-z0-9_]*)\(")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_UPPER_SNAKE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
_BACKTICK = re.compile(r"`([^`\n]{1,200})`")
_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\(\))?")
_PATH_LIKE = re.compile(r"\S+\.(?:java|xml|ya?ml|properties|sql)\b(?::\d+(?:-\d+)?)?")

# Technology names prose may use without the code spelling them out.
COMMON_NAMES = frozenset({
    "MyBatis", "MySQL", "RabbitMQ", "SpringBoot", "SpringCloud", "JavaScript", "TypeScript", "PageHelper",
    "ElasticSearch", "Elasticsearch", "MongoDB", "PostgreSQL", "JUnit", "OpenAPI", "GitHub", "DuckDB",
    "LoRA", "JavaBean", "POJOs", "DTOs", "IDs", "APIs", "URLs", "JSON", "OAuth", "JWT", "UUID", "HTTP",
    "RESTful", "MQ", "TTL", "DLX", "SKUs", "ACID", "CRUD", "SaaS", "QPS", "TPS",
})


def code_identifiers(text: str) -> set[str]:
    """The names in `text` that look like code (see the module docstring)."""
    prose = _PATH_LIKE.sub(" ", text)
    found = set(_CAMEL.findall(prose))
    found.update(m for m in _CALL.findall(prose) if len(m) > 1)
    found.update(_SNAKE.findall(prose))
    found.update(_UPPER_SNAKE.findall(prose))
    for quoted in _BACKTICK.findall(prose):
        quoted = quoted.strip()
        if _DOTTED_NAME.fullmatch(quoted):
            found.update(part for part in quoted.removesuffix("()").split(".") if len(part) > 1)
    return found


def word_tokens(text: str) -> set[str]:
    return set(_WORD.findall(text))


@dataclass
class Vocabulary:
    """Every name the repository is known to contain, read once per validation run."""

    names: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, symbol_names: Iterable[str], tables: Iterable[str], code_texts: Iterable[str]) -> Vocabulary:
        names = set(COMMON_NAMES)
        names.update(symbol_names)
        for table in tables:
            names.add(table)
            names.add(table.lower())
        for text in code_texts:
            tokens = word_tokens(text)
            names.update(tokens)
            names.update(t.lower() for t in tokens if "_" in t)  # SQL is case-insensitive
        return cls(names)

    def unknown(self, identifiers: Iterable[str], also_known: set[str] = frozenset()) -> list[str]:
        def known(name: str) -> bool:
            return name in self.names or name in also_known

        # a plural in prose ("two OmsOrders") names the class it is the plural of
        return sorted(i for i in identifiers if not known(i) and not (i.endswith("s") and known(i[:-1])))
