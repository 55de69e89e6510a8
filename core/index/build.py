"""Turning one file's bytes into index rows, collected per table for one bulk write.

A file that does not parse still enters the index: broken Java keeps what
tree-sitter recovered plus its error regions; malformed XML or YAML keeps its
file row with the line where parsing stopped. The run goes on either way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb

from core.index.config_keys import MASK, ConfigKey, parse_config
from core.index.java_extract import Chunk, extract
from core.index.mybatis import MalformedSource, annotation_statement, is_mapper, parse_mapper, tables_in
from core.index.walk import Candidate
from core.source import source_file
from storage import index_store

CONFIG_CHUNK_LINES = 120


@dataclass
class IndexBatch:
    repo_id: str
    files: list[tuple] = field(default_factory=list)
    chunks: list[tuple] = field(default_factory=list)
    symbols: list[tuple] = field(default_factory=list)
    calls: list[tuple] = field(default_factory=list)
    sql: list[tuple] = field(default_factory=list)
    config: list[tuple] = field(default_factory=list)
    _chunk_ids: set[str] = field(default_factory=set)

    def add_chunk(self, chunk: Chunk) -> None:
        chunk_id = f"{chunk.path}#{chunk.start_line}-{chunk.end_line}"
        if chunk_id in self._chunk_ids:   # e.g. a one-line class and its one-line method
            chunk_id = f"{chunk_id}:{chunk.kind}:{chunk.symbol_id}"
        self._chunk_ids.add(chunk_id)
        self.chunks.append((self.repo_id, chunk_id, chunk.path, chunk.start_line, chunk.end_line, chunk.kind,
                            chunk.symbol_id, chunk.header, chunk.text))

    def write(self, con: duckdb.DuckDBPyConnection) -> None:
        """Everything but the calls, which are written once resolved (see `core.index.stage`)."""
        index_store.bulk_insert(con, "files", index_store.FILE_COLS, self.files)
        index_store.bulk_insert(con, "chunks", index_store.CHUNK_COLS, self.chunks, or_ignore=True)
        index_store.bulk_insert(con, "symbols", index_store.SYMBOL_COLS, self.symbols, or_ignore=True)
        index_store.bulk_insert(con, "sql_statements", index_store.SQL_COLS, self.sql, or_ignore=True)
        index_store.bulk_insert(con, "config_keys", index_store.CONFIG_COLS, self.config)


    def extend(self, other: IndexBatch) -> None:
        for name in ("files", "chunks", "symbols", "calls", "sql", "config"):
            getattr(self, name).extend(getattr(other, name))


def looks_binary(data: bytes) -> bool:
    """A NUL byte in the first 8 KB: no Java, XML, YAML or properties file has one, unless it is UTF-16
    with its byte-order mark (an XML file may declare that encoding)."""
    return b"\0" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))


def index_file(batch: IndexBatch, cand: Candidate, data: bytes, sha256: str) -> None:
    """Rows of one file; the text is masked (core.masking) before anything is parsed from it."""
    source = source_file(cand.path, data)
    text, encoding = source.text, source.encoding
    lines = text.splitlines()
    errors: list[list[int]] = []
    generated = False
    repo_id = batch.repo_id
    if cand.language == "java":
        utf8 = text.encode("utf-8")
        java = extract(cand.path, utf8)
        errors, generated = java.error_regions, java.is_generated
        batch.symbols.extend(s.row(repo_id) for s in java.symbols)
        _add_annotation_sql(batch, cand.path, java.symbols)
        for chunk in java.chunks:
            batch.add_chunk(chunk)
        batch.calls.extend(
            (repo_id, c.caller_id, c.callee_name, None, c.receiver_type, cand.path, c.line, c.receiver_type,
             c.arg_count, c.via, None, None)
            for c in java.calls
        )
    elif cand.language == "xml":
        if is_mapper(data):
            try:
                mapper = parse_mapper(text)
            except MalformedSource as exc:
                errors, mapper = [[exc.line, exc.line]], None
            if mapper is not None:
                generated = "Example_Where_Clause" in mapper.fragments
                _add_mapper(batch, cand.path, mapper, lines)
    elif cand.language in ("yaml", "properties"):
        try:
            keys = parse_config(cand.path, source.unmasked)
        except MalformedSource as exc:
            errors, keys = [[exc.line, exc.line]], []
        raw_lines = source.unmasked.splitlines()
        for k in keys:
            value, masked = _masked_value(k, raw_lines, lines)
            batch.config.append((repo_id, cand.path, k.key, value, k.line, masked))
        if keys:
            for start in range(1, len(lines) + 1, CONFIG_CHUNK_LINES):
                end = min(start + CONFIG_CHUNK_LINES - 1, len(lines))
                batch.add_chunk(Chunk(cand.path, start, end, "config", None, None, "\n".join(lines[start - 1 : end])))
    batch.files.append((
        repo_id, cand.path, sha256, cand.size, encoding, cand.language, cand.module, len(lines),
        json.dumps(errors) if errors else None, generated,
    ))


def _masked_value(key: ConfigKey, raw: list[str], masked: list[str]) -> tuple[str | None, bool]:
    """(value, masked) of a key parsed from the unmasked text: masked when core.masking changed any line
    the key or its value is on (a block value starts on the line after its key)."""
    if key.masked or not key.value:
        return key.value, key.masked
    last = min(len(raw), key.line + key.value.count("\n") + 1)
    if any(raw[i] != masked[i] for i in range(key.line - 1, last)):
        return MASK, True
    return key.value, False


def _add_mapper(batch: IndexBatch, path: str, mapper, lines: list[str]) -> None:
    header = f'<mapper namespace="{mapper.namespace}">'
    seen: set[str] = set()
    for stmt in mapper.statements:
        stmt_id = f"{mapper.namespace}.{stmt.statement}"
        if stmt_id in seen:
            continue
        seen.add(stmt_id)
        batch.sql.append((
            batch.repo_id, stmt_id, mapper.namespace, stmt.statement, stmt.kind, path, stmt.start_line,
            stmt.end_line, stmt.sql, json.dumps(stmt.tables), None,
        ))
        batch.add_chunk(Chunk(path, stmt.start_line, stmt.end_line, "sql", stmt_id, header,
                              "\n".join(lines[stmt.start_line - 1 : stmt.end_line])))
    for frag_id, (start, end) in mapper.fragments.items():
        batch.add_chunk(Chunk(path, start, end, "sql", f"{mapper.namespace}.{frag_id}", header,
                              "\n".join(lines[start - 1 : end])))


def _add_annotation_sql(batch: IndexBatch, path: str, symbols: list) -> None:
    """SQL written in a mapper method's annotation (`@Update("...")`, native `@Query`) is a statement like one
    in mapper XML: namespace = the declaring type, id = the method, lines = the method with its annotation,
    so calls link to it and its SET/WHERE become transitions and invariants as XML statements do."""
    seen: set[str] = set()
    for s in symbols:
        found = annotation_statement(s.annotations) if s.kind == "method" and s.parent_id else None
        stmt_id = f"{s.parent_id}.{s.name}"
        if found is None or stmt_id in seen:   # an overload shares its statement id: the first one stands
            continue
        seen.add(stmt_id)
        kind, sql = found
        batch.sql.append((batch.repo_id, stmt_id, s.parent_id, s.name, kind, path, s.start_line, s.end_line, sql,
                          json.dumps(tables_in(sql)), None))
