"""The index stage on a small fixture repository: what it stores, incremental runs, and bad input."""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import pytest

from core.cli import main
from core.context import Context
from core.errors import UserError
from core.index import stage as index_stage
from storage import Database, index_store, runs_store

FIXTURE = Path(__file__).parent / "fixtures" / "index" / "mini"
SVC = "org.demo.service.TicketService"
IMPL = "org.demo.service.impl.TicketServiceImpl"
DAO = "org.demo.dao.TicketDao"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    repo = tmp_path / "mini"
    shutil.copytree(FIXTURE, repo)
    return repo


def index(db: Database, repo: Path, full: bool = False) -> dict:
    return index_stage.run(Context(db=db, repo=repo), argparse.Namespace(full=full))


def test_symbols_chunks_and_modules(db: Database, mini: Path):
    counts = index(db, mini)
    assert counts["java_files"] == 7 and counts["parsed"] == counts["files"]
    with db.connect() as con:
        hold = index_store.get_symbol(con, "mini", f"{IMPL}#hold(Long,Integer)")
        assert hold["kind"] == "method" and hold["type"] == "int"
        assert [a["name"] for a in hold["annotations"]] == ["Override"]
        assert (hold["start_line"], hold["end_line"]) == (14, 21)
        assert index_store.get_symbol(con, "mini", IMPL)["extends"] == [SVC]
        state = index_store.get_symbol(con, "mini", "org.demo.model.Ticket.state")
        assert state["type"] == "Integer" and "0->open" in state["doc"]
        chunks = index_store.chunks_for_symbol(con, "mini", f"{IMPL}#hold(Long,Integer)")
        assert len(chunks) == 1 and chunks[0]["text"].splitlines()[0].strip() == "@Override"
        assert "public class TicketServiceImpl implements TicketService" in chunks[0]["header"]
        source = (mini / chunks[0]["path"]).read_text().splitlines()
        assert chunks[0]["text"] == "\n".join(source[13:21])
        files = {f["path"]: f for f in index_store.list_files(con, "mini")}
        assert files["app/src/main/java/org/demo/model/Ticket.java"]["module"] == "app"
        assert files["pom.xml"]["module"] == ""


def test_calls_resolve_through_fields_params_and_interfaces(db: Database, mini: Path):
    counts = index(db, mini)
    with db.connect() as con:
        by_name = {c["callee_name"]: c for c in index_store.callees(con, "mini", "org.demo.controller.TicketController"
                                                                               "#hold(Long,Integer)")}
        call = by_name["ticketService.hold"]
        assert call["via"] == "field" and call["callee_id"] == f"{SVC}#hold(Long,Integer)"
        assert call["impl_id"] == f"{IMPL}#hold(Long,Integer)"   # interface -> implementation
        impl_calls = {c["callee_name"]: c for c in index_store.callees(con, "mini", f"{IMPL}#hold(Long,Integer)")}
        assert impl_calls["ticketDao.holdSeats"]["callee_id"] == f"{DAO}#holdSeats(Long,Integer)"
        assert impl_calls["ticket.getState"]["via"] == "local"
        assert impl_calls["ticket.getState"]["callee_id"] == "org.demo.model.Ticket#getState()"
        job = index_store.callees(con, "mini", "org.demo.job.ExpireJob#run()")
        assert job[0]["via"] == "field" and job[0]["impl_id"] == f"{IMPL}#closeExpired()"
        this_call = index_store.callees(con, "mini", f"{IMPL}#closeExpired()")[0]
        assert this_call["via"] == "this" and this_call["callee_id"] == f"{IMPL}#check(int)"
        callers = index_store.callers(con, "mini", f"{IMPL}#hold(Long,Integer)")
        assert {c["caller_id"].split("#")[1] for c in callers} == {"hold(Long,Integer)", "onMessage(Long)"}
    assert counts["calls_resolved_pct"] == 100.0


def test_mybatis_statements_linked_with_exact_lines(db: Database, mini: Path):
    counts = index(db, mini)
    assert counts["sql_linked_pct"] == 100.0
    with db.connect() as con:
        hold = index_store.get_sql_statement(con, "mini", f"{DAO}.holdSeats")
        assert (hold["kind"], hold["start_line"], hold["end_line"]) == ("update", 5, 12)
        assert hold["method_id"] == f"{DAO}#holdSeats(Long,Integer)"
        assert hold["tables"] == ["ord_ticket"]
        assert "WHERE" in hold["sql"] and "AND seats >= #{count}" in hold["sql"] and "<if" not in hold["sql"]
        get = index_store.sql_for_method(con, "mini", f"{DAO}#getById(Long)")[0]
        assert "SELECT id, state, seats FROM ord_ticket" in get["sql"]   # <include> expanded
        sql_chunk = index_store.chunks_for_symbol(con, "mini", f"{DAO}.holdSeats")[0]
        assert (sql_chunk["kind"], sql_chunk["start_line"], sql_chunk["end_line"]) == ("sql", 5, 12)


def test_config_keys_with_secrets_masked(db: Database, mini: Path):
    index(db, mini)
    with db.connect() as con:
        keys = {k["key"]: k for k in index_store.config_keys(con, "mini")}
    assert keys["server.port"]["value"] == "8080" and keys["server.port"]["line"] == 2
    assert keys["spring.datasource.password"]["masked"] and "s3cr3t" not in keys["spring.datasource.password"]["value"]
    assert keys["ticket.hold-minutes"]["value"] == "15" and not keys["ticket.hold-minutes"]["masked"]


def test_incremental_reindex_parses_only_changes(db: Database, mini: Path):
    first = index(db, mini)
    again = index(db, mini)
    assert again["parsed"] == 0 and again["unchanged"] == first["files"]
    assert (again["symbols"], again["chunks"], again["calls"]) == (first["symbols"], first["chunks"], first["calls"])
    full = index(db, mini, full=True)
    assert full["parsed"] == first["files"] and (full["symbols"], full["calls"]) == (first["symbols"], first["calls"])
    impl = mini / "app/src/main/java/org/demo/service/impl/TicketServiceImpl.java"
    impl.write_text(impl.read_text().replace("private void check(int n) {", "private void check(int n, int m) {")
                    .replace("check(1);", "check(1, 2);"))
    (mini / "app/src/main/java/org/demo/mq/HoldListener.java").unlink()
    third = index(db, mini)
    assert third["parsed"] == 1 and third["deleted"] == 1
    with db.connect() as con:
        assert index_store.get_symbol(con, "mini", f"{IMPL}#check(int,int)") is not None
        assert index_store.get_symbol(con, "mini", f"{IMPL}#check(int)") is None
        assert index_store.get_symbol(con, "mini", "org.demo.mq.HoldListener") is None
        assert index_store.chunks_for_path(con, "mini", "app/src/main/java/org/demo/mq/HoldListener.java") == []
        callers = index_store.callers(con, "mini", f"{IMPL}#hold(Long,Integer)")
        assert [c["caller_id"].split("#")[1] for c in callers] == ["hold(Long,Integer)"]


def test_gbk_file_decoded_and_recorded(db: Database, mini: Path):
    source = "package org.demo.model;\n\n/** 运费计算 */\npublic class Freight {\n    // 满99元免运费\n" \
             "    public int fee(int amount) {\n        return amount >= 99 ? 0 : 10;\n    }\n}\n"
    (mini / "app/src/main/java/org/demo/model/Freight.java").write_bytes(source.encode("gbk"))
    index(db, mini)
    with db.connect() as con:
        assert index_store.file_encodings(con, "mini")["app/src/main/java/org/demo/model/Freight.java"] == "gbk"
        cls = index_store.get_symbol(con, "mini", "org.demo.model.Freight")
        assert cls["doc"] == "/** 运费计算 */"
        fee = index_store.chunks_for_symbol(con, "mini", "org.demo.model.Freight#fee(int)")[0]
        assert fee["start_line"] == 5 and "满99元免运费" in fee["text"]


def test_broken_java_keeps_error_regions_and_the_run_goes_on(db: Database, mini: Path):
    broken = "package org.demo;\n\npublic class Broken {\n    public int ok(int a) {\n        return a + 1;\n    }\n\n" \
             "    public void bad( {\n        int x = ;\n    }\n}\n"
    (mini / "app/src/main/java/org/demo/Broken.java").write_text(broken)
    counts = index(db, mini)
    assert counts["parse_error_files"] == 1
    with db.connect() as con:
        rec = index_store.get_file(con, "mini", "app/src/main/java/org/demo/Broken.java")
        assert rec["parse_errors"] and all(8 <= start <= end <= 10 for start, end in rec["parse_errors"])
        ok = index_store.chunks_for_symbol(con, "mini", "org.demo.Broken#ok(int)")
        assert (ok[0]["start_line"], ok[0]["end_line"]) == (4, 6)
        assert index_store.get_symbol(con, "mini", f"{IMPL}#hold(Long,Integer)") is not None


def test_malformed_xml_is_recorded_not_fatal(db: Database, mini: Path):
    (mini / "app/src/main/resources/dao/Bad.xml").write_text('<mapper namespace="x.Bad">\n<select id="a">\n</mapper>\n')
    index(db, mini)
    with db.connect() as con:
        assert index_store.get_file(con, "mini", "app/src/main/resources/dao/Bad.xml")["parse_errors"] == [[3, 3]]
        assert index_store.get_sql_statement(con, "mini", f"{DAO}.holdSeats") is not None


def test_skips_with_reasons_and_symlink_loops(db: Database, mini: Path):
    (mini / "target" / "classes").mkdir(parents=True)
    (mini / "target" / "classes" / "Gen.java").write_text("class Gen {}")
    (mini / "lib.jar").write_bytes(b"PK\x03\x04")
    (mini / "Huge.java").write_text("class Huge {}\n" + "// filler\n" * 120_000)
    os.symlink(mini / "app", mini / "app" / "src" / "loop")
    os.symlink("/", mini / "outside")
    index(db, mini)
    with db.connect() as con:
        skipped = {s["path"]: s["reason"] for s in index_store.skipped_files(con, "mini")}
        paths = {f["path"] for f in index_store.list_files(con, "mini")}
    assert skipped["target"].startswith("ignored directory")
    assert skipped["lib.jar"] == "binary"
    assert skipped["Huge.java"].startswith("over 1 MB")
    assert skipped["app/src/loop"] == "symlink loop"
    assert skipped["outside"] == "symlink outside the repository"
    assert not any("loop" in p or p.startswith("target") for p in paths)


@pytest.mark.parametrize("make_bad, message", [
    (lambda tmp: tmp / "nope", "does not exist"),
    (lambda tmp: _file(tmp / "file.txt"), "is a file"),
    (lambda tmp: _no_java(tmp / "empty"), "no Java files"),
])
def test_bad_input_is_a_user_error_with_exit_code_2(tmp_path: Path, capsys, make_bad, message):
    target = make_bad(tmp_path)
    rc = main(["index", "--repo", str(target), "--db", str(tmp_path / "x.duckdb")])
    assert rc == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    with pytest.raises(UserError):
        index(Database(tmp_path / "y.duckdb"), target)


def _file(path: Path) -> Path:
    path.write_text("not a repo")
    return path


def _no_java(path: Path) -> Path:
    (path / "src").mkdir(parents=True)
    (path / "src" / "README.md").write_text("# nothing here")
    return path


def test_resolution_through_enum_constants_static_imports_chains_and_accessors(db: Database, mini: Path):
    pkg = mini / "app/src/main/java/org/demo/model"
    (pkg / "Kind.java").write_text(
        "package org.demo.model;\n\npublic enum Kind {\n    HOT(1);\n    private final int code;\n"
        "    Kind(int code) { this.code = code; }\n    public int getCode() { return code; }\n"
        "    public static Kind parse(int c) { return HOT; }\n}\n")
    (pkg / "Box.java").write_text(
        "package org.demo.model;\n\nimport lombok.Getter;\n\npublic class Box {\n    @Getter\n    private Ticket ticket;\n}\n")
    (pkg / "Use.java").write_text(
        "package org.demo.model;\n\nimport static org.demo.model.Kind.parse;\n\npublic class Use {\n"
        "    public int run(Box box) {\n        int a = Kind.HOT.getCode();\n        int b = parse(2).getCode();\n"
        "        return a + b + box.getTicket().getState();\n    }\n}\n")
    index(db, mini)
    with db.connect() as con:
        calls = {c["callee_name"]: c for c in index_store.callees(con, "mini", "org.demo.model.Use#run(Box)")}
    assert calls["Kind.HOT.getCode"]["callee_id"] == "org.demo.model.Kind#getCode()"
    assert calls["parse"]["callee_id"] == "org.demo.model.Kind#parse(int)" and calls["parse"]["via"] == "static"
    assert calls["parse(2).getCode"]["callee_id"] == "org.demo.model.Kind#getCode()"      # chain via return type
    assert calls["box.getTicket"]["callee_id"] == "org.demo.model.Box.ticket"              # Lombok accessor
    assert calls["box.getTicket().getState"]["callee_id"] == "org.demo.model.Ticket#getState()"


def test_unreadable_file_is_skipped_with_its_reason(db: Database, mini: Path, monkeypatch):
    real = index_stage.read_regular

    def read_regular(path: str) -> bytes:
        if Path(path).name == "Ticket.java":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(index_stage, "read_regular", read_regular)
    index(db, mini)
    with db.connect() as con:
        skipped = {s["path"]: s["reason"] for s in index_store.skipped_files(con, "mini")}
        assert index_store.get_symbol(con, "mini", "org.demo.model.Ticket") is None
        assert index_store.get_symbol(con, "mini", IMPL) is not None
    assert skipped["app/src/main/java/org/demo/model/Ticket.java"] == "unreadable: Permission denied"


def test_ddl_views_and_own_scripts_are_indexed_as_text(db: Database, mini: Path):
    """Designs cite DDL, view templates and the app's own page scripts: the strict checker and the staleness
    check know a cited file only by its `files` row. Minified and plugin scripts are someone else's code."""
    res = mini / "app/src/main/resources"
    (res / "templates").mkdir(parents=True, exist_ok=True)
    (res / "static/js/plugins").mkdir(parents=True, exist_ok=True)
    (res / "schema.sql").write_text("CREATE TABLE ticket (\n  id bigint,\n  state int\n);\n")
    (res / "templates/ticket.html").write_text("<p th:text=\"${ticket.state}\"></p>\n")
    (res / "static/js/ticket.js").write_text("$.post('/ticket/hold/' + id);\n")
    (res / "static/js/jquery.min.js").write_text("!function(){}();\n")
    (res / "static/js/plugins/grid.js").write_text("var grid = 1;\n")
    index(db, mini)
    with db.connect() as con:
        files = {f["path"]: f for f in index_store.list_files(con, "mini")}
        lines = runs_store.repo_line_counts(con, "mini")
    prefix = "app/src/main/resources/"
    assert {p: files[p]["language"] for p in files if p.startswith(prefix) and not p.endswith((".yml", ".xml"))} == {
        prefix + "schema.sql": "sql", prefix + "templates/ticket.html": "template",
        prefix + "static/js/ticket.js": "script"}
    assert lines[prefix + "schema.sql"] == 4
