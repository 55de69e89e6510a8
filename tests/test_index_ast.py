"""The shared tree-sitter helpers, chunk splitting, mapper and config parsing on small inputs."""

from __future__ import annotations

from core.index import java_ast
from core.index.config_keys import MASK, parse_config
from core.index.java_extract import MAX_CHUNK_LINES, clean_type, extract
from core.index.mybatis import parse_mapper, tables_in
from core.index.resolve import Resolver


def test_parse_method_maps_nodes_to_file_lines():
    chunk = "    public void f(int a) {\n        if (a < 0) {\n            throw new X();\n        }\n    }"
    snippet = java_ast.parse_method(chunk, start_line=10)
    assert snippet.method.type == "method_declaration" and snippet.span(snippet.method) == (10, 14)
    guard = next(java_ast.walk(snippet.method, {"if_statement"}))
    assert snippet.span(guard) == (11, 13) and snippet.line(guard) == 11


def test_captures_walk_find_and_error_regions():
    tree = java_ast.parse("class A {\n  void a() { b(); }\n  void b() {}\n}\n")
    names = [java_ast.text(n) for n in java_ast.captures("(method_declaration name: (identifier) @n)", tree.root_node)["n"]]
    assert names == ["a", "b"]
    b = java_ast.find_method(tree.root_node, "b")
    assert java_ast.lines(b) == (3, 3)
    assert java_ast.enclosing(b, java_ast.TYPE_DECLARATIONS).type == "class_declaration"
    assert java_ast.error_regions(tree) == []
    assert java_ast.error_regions(java_ast.parse("class A {\n  void f( {\n}\n")) != []


def test_captures_put_a_chained_call_before_the_calls_inside_it_on_every_parse():
    source = "class A { void m() { x.a().b().c(); y.d().e(); } }"
    for _ in range(30):   # the cursor's order for nodes starting at one byte varies between parses
        calls = java_ast.captures("(method_invocation) @call", java_ast.parse(source).root_node)["call"]
        assert [java_ast.text(c) for c in calls] == [
            "x.a().b().c()", "x.a().b()", "x.a()", "y.d().e()", "y.d()"]


def test_same_arity_overloads_resolve_the_same_whatever_the_row_order():
    rows = [
        ("p.Criteria", "class", "Criteria", None, None, "[]", "public"),
        ("p.Criteria#add(String,Date,String)", "method", "add", "p.Criteria", "void", None, "public"),
        ("p.Criteria#add(String,List,String)", "method", "add", "p.Criteria", "void", None, "public"),
    ]
    picked = {Resolver(order).find_method("p.Criteria", "add", 3)[0] for order in (rows, rows[::-1])}
    assert picked == {"p.Criteria#add(String,Date,String)"}


def test_oversized_method_is_split_at_statement_boundaries():
    body = "\n".join(f"        total += {i};" for i in range(MAX_CHUNK_LINES + 80))
    source = f"class Big {{\n    int sum() {{\n        int total = 0;\n{body}\n        return total;\n    }}\n}}\n"
    chunks = [c for c in extract("Big.java", source.encode()).chunks if c.kind == "method"]
    assert len(chunks) == 2
    assert chunks[0].start_line == 2 and chunks[-1].end_line == MAX_CHUNK_LINES + 85
    assert chunks[1].start_line == chunks[0].end_line + 1
    assert all(c.end_line - c.start_line + 1 <= MAX_CHUNK_LINES for c in chunks)
    lines = source.splitlines()
    assert all(c.text == "\n".join(lines[c.start_line - 1 : c.end_line]) for c in chunks)


def test_clean_type_erases_generics_arrays_and_annotations():
    assert clean_type("final Map<String, List<Long>>[]") == "Map"
    assert clean_type("@NotNull OrderParam") == "OrderParam"
    assert clean_type("Long...") == "Long"


def test_mapper_tables_and_flattening():
    mapper = parse_mapper(b'<mapper namespace="a.B">\n<select id="q">\nSELECT * FROM oms_order o\n'
                          b'LEFT JOIN oms_order_item i ON o.id = i.order_id\n<where><if test="x">AND o.status = 1</if></where>\n'
                          b'</select>\n</mapper>\n')
    stmt = mapper.statements[0]
    assert (stmt.start_line, stmt.end_line) == (2, 6)
    assert stmt.tables == ["oms_order", "oms_order_item"]
    assert "WHERE AND o.status = 1" in " ".join(stmt.sql.split())
    assert parse_mapper(b"<project><modules/></project>") is None
    assert tables_in("update pms_sku_stock set lock_stock = 1") == ["pms_sku_stock"]
    assert tables_in("insert into a (x) select x from b, c") == ["a", "b", "c"]


def test_properties_and_yaml_keys_are_masked_when_secret():
    props = parse_config("application-dev.properties", "# c\nspring.datasource.password=hunter2\napp.timeout=30\n")
    assert [(k.key, k.value, k.line, k.masked) for k in props] == [
        ("spring.datasource.password", MASK, 2, True), ("app.timeout", "30", 3, False)]
    yml = parse_config("application.yml", "jwt:\n  secret: abc\n  expiration: 604800\nlist:\n  - a\n")
    assert {(k.key, k.value, k.masked) for k in yml} == {
        ("jwt.secret", MASK, True), ("jwt.expiration", "604800", False), ("list[0]", "a", False)}
