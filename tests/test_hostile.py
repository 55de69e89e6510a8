"""Hostile repositories: one odd file is skipped or parsed with its reason, never stops or hangs the index.

The repositories are built here, in tmp dirs: a YAML alias bomb, GBK and gb2312 mappers, a file
name that is not UTF-8, a FIFO named `.java`, code nested 1,500 deep, a binary named `.java`, a
symlink loop, a Latin-1 file.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.index import config_keys
from core.index.build import IndexBatch, looks_binary
from core.index.mybatis import MalformedSource, parse_mapper
from core.index.stage import _index_one
from core.index.walk import Candidate, walk_repo
from core.models import Evidence, Sample
from core.source import NotRegularFile, decode, read_regular
from core.validate.checks import FAIL, RepoFacts, SampleChecker
from core.validate.identifiers import Vocabulary

ROOT = Path(__file__).resolve().parent.parent
ADDRESS_SPACE = 6 * 1024**3
DEPTH = 1500
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9))
GBK_MAPPER = ('<?xml version="1.0" encoding="{enc}"?>\n'
              '<!DOCTYPE mapper PUBLIC "-//mybatis.org//DTD Mapper 3.0//EN" '
              '"http://mybatis.org/dtd/mybatis-3-mapper.dtd">\n'
              '<mapper namespace="com.acme.{name}">\n'
              '  <!-- 订单支付 -->\n'
              '  <update id="pay">update oms_order set status = 1 /* 已支付 */ where id = #{{id}}</update>\n'
              '</mapper>\n')


def build_hostile_repo(root: Path) -> Path:
    src = root / "src/main/java/com/acme"
    res = root / "src/main/resources"
    src.mkdir(parents=True)
    res.mkdir(parents=True)
    (root / "pom.xml").write_text("<project/>\n")
    (src / "Order.java").write_text(
        "package com.acme;\npublic class Order {\n  private int status;\n"
        "  public void pay() {\n    if (status != 0) {\n      throw new IllegalStateException(\"not new\");\n"
        "    }\n    status = 1;\n  }\n}\n")
    (res / "application.yml").write_text(ALIAS_BOMB)
    (res / "OrderMapper.xml").write_bytes(GBK_MAPPER.format(enc="GBK", name="OrderMapper").encode("gbk"))
    (res / "PayMapper.xml").write_bytes(GBK_MAPPER.format(enc="gb2312", name="PayMapper").encode("gb2312"))
    with open(os.fsencode(src) + b"/Caf\xe9.java", "wb") as fh:       # Latin-1 bytes in a file name
        fh.write(b"package com.acme;\nclass Cafe {}\n")
    with open(os.fsencode(res) + b"/logo\xff.png", "wb") as fh:
        fh.write(b"\x89PNG\r\n")
    os.mkfifo(src / "Pipe.java")
    body = "".join(f"if (x > {i}) {{\n" for i in range(DEPTH)) + "x++;\n" + "}\n" * DEPTH
    (src / "Deep.java").write_text(f"package com.acme;\nclass Deep {{\n  void f(int x) {{\n{body}  }}\n}}\n")
    (src / "Blob.java").write_bytes(bytes(range(256)) * 64)
    os.symlink("..", src / "loop")
    (src / "Latin.java").write_bytes(
        "package com.acme;\n// Façade été naïve résumé, Straße\nclass Latin { String s = \"café\"; }\n"
        .encode("latin-1"))
    return root


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def test_the_hostile_repository_indexes_with_exit_0_in_under_two_minutes_and_6_GB(tmp_path: Path) -> None:
    repo = build_hostile_repo(tmp_path / "hostile")
    db = tmp_path / "h.duckdb"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "core", "index", "--repo", str(repo), "--db", str(db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=_limit_address_space)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert elapsed < 120
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    skipped = dict(con.execute("SELECT path, reason FROM skipped_files").fetchall())
    files = {r[0]: r[1:] for r in con.execute("SELECT path, encoding, parse_errors FROM files").fetchall()}
    statements = dict(con.execute("SELECT stmt_id, sql FROM sql_statements").fetchall())
    keys = con.execute("SELECT count(*) FROM config_keys").fetchone()[0]
    con.close()
    java = "src/main/java/com/acme"
    assert skipped[f"{java}/Caf?.java"] == "file name is not valid UTF-8"
    assert skipped["src/main/resources/logo?.png"] == "file name is not valid UTF-8"
    assert skipped[f"{java}/Pipe.java"].startswith("not a regular file")
    assert skipped[f"{java}/Blob.java"].startswith("binary content")
    assert skipped[f"{java}/loop"] == "symlink loop"
    assert files[f"{java}/Deep.java"] == ("utf-8", None)                 # parsed, 1,500 deep
    assert files[f"{java}/Latin.java"][0] == "latin-1"
    assert files["src/main/resources/OrderMapper.xml"][0] == "gbk"
    assert statements["com.acme.OrderMapper.pay"] == "update oms_order set status = 1 /* 已支付 */ where id = #{id}"
    assert "com.acme.PayMapper.pay" in statements
    assert 0 < keys <= config_keys.MAX_KEYS                                 # the bomb's keys, not its expansion


def test_a_yaml_alias_bomb_is_read_once_per_node() -> None:
    started = time.monotonic()
    keys = config_keys.parse_config("application.yml", ALIAS_BOMB)
    assert time.monotonic() - started < 2
    assert [k.key for k in keys][:3] == ["a[0]", "a[1]", "a[2]"]
    assert len(keys) == 9 * 10      # each node's own 9 items, the aliases not expanded


def test_yaml_nested_too_deep_is_malformed_not_a_crash() -> None:
    with pytest.raises(MalformedSource, match="nested too deeply"):
        config_keys.parse_config("application.yml", "a: " + "[" * 5000 + "]" * 5000 + "\n")


@pytest.mark.parametrize("encoding", ["GBK", "gb2312", "GB18030", "UTF-16"])
def test_a_mapper_in_a_chinese_encoding_parses(encoding: str) -> None:
    data = GBK_MAPPER.format(enc=encoding, name="M").encode(encoding)
    assert not looks_binary(data)
    text, found = decode(data)
    assert found in ("gbk", "gb18030", "utf-16")
    mapper = parse_mapper(text)
    assert mapper.statements[0].sql == "update oms_order set status = 1 /* 已支付 */ where id = #{id}"
    assert (mapper.statements[0].start_line, mapper.statements[0].end_line) == (5, 5)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "Pipe.java"
    os.mkfifo(fifo)
    result: list = []
    reader = threading.Thread(target=lambda: result.append(_try_read(fifo)), daemon=True)
    reader.start()
    reader.join(5)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert isinstance(result[0], NotRegularFile) and "FIFO" in str(result[0])


def _try_read(path: Path):
    try:
        return read_regular(path)
    except NotRegularFile as exc:
        return exc


def test_latin_1_stays_latin_1_and_gbk_stays_gbk() -> None:
    latin = "// Façade été naïve résumé über München, Straße\nclass L { String s = \"Grüße\"; }\n"
    assert decode(latin.encode("latin-1")) == (latin, "latin-1")
    chinese = "// 订单状态：0->待付款；1->待发货\nclass A {}\n"
    assert decode(chinese.encode("gbk")) == (chinese, "gbk")


def test_a_directory_tree_deeper_than_the_recursion_limit_is_walked(tmp_path: Path) -> None:
    depth = 400
    deep = tmp_path.joinpath(*["d"] * depth)
    deep.mkdir(parents=True)
    (deep / "A.java").write_text("class A {}\n")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)      # deeper than the stack may go: the walk must not recurse per directory
    try:
        walked = walk_repo(tmp_path)
    finally:
        sys.setrecursionlimit(limit)
    assert [c.path.count("/") for c in walked.files] == [depth]


def test_a_file_that_still_exhausts_the_stack_is_skipped_with_its_reason(monkeypatch, tmp_path: Path) -> None:
    def too_deep(batch, cand, data, digest):
        batch.files.append(("partial row",))
        raise RecursionError

    monkeypatch.setattr("core.index.stage.index_file", too_deep)
    batch = IndexBatch("r")
    cand = Candidate("A.java", str(tmp_path / "A.java"), "java", 3, "")
    assert _index_one(batch, cand, b"x", "sha") == "nested too deeply to parse (Python recursion limit)"
    assert batch.files == []          # nothing half-indexed


def test_evidence_in_a_syntax_error_region_fails_validation(tmp_path: Path) -> None:
    source = "class A {\n  void f() {\n    if (x > 0 {\n      y = 1;\n    }\n  }\n}\n"
    (tmp_path / "A.java").write_text(source)
    from core.models import sha256_bytes
    sha = sha256_bytes(source.encode())
    facts = RepoFacts(root=tmp_path, vocabulary=Vocabulary.build(["A", "f"], [], [source]),
                      error_regions={"A.java": [[3, 3]]})
    checker = SampleChecker(facts)

    def sample(start: int, end: int) -> Sample:
        text = "\n".join(source.splitlines()[start - 1:end])
        return Sample.model_validate({
            "sample_id": "s", "version": 1, "repo_id": "r", "task_type": "qa", "domain": "order", "language": "en",
            "question": "What does method f of class A set y to?", "answer": "Method `f` sets `y` to 1.",
            "evidence": [Evidence(id="E1", path="A.java", start_line=start, end_line=end, sha256=sha, text=text)],
            "trace": [{"claim": "`f` sets `y` to 1.", "evidence_ids": ["E1"]}],
            "generator": {"backend": "template", "input_hash": "h", "created_at": "2026-01-01T00:00:00"},
            "source": {"kind": "rule", "ref": "x"},
        })

    broken = checker.evidence(sample(2, 5))
    assert broken.result == FAIL and "syntax error (lines 3-3)" in broken.message
    assert checker.evidence(sample(6, 7)).result != FAIL


def test_deeply_nested_code_is_no_quadratic_trap_for_the_pipeline(tmp_path: Path) -> None:
    """2,000 nested ifs around a status write: every stage stays linear in the nesting (extract took
    147 s when ancestors were found by climbing tree-sitter's `.parent`)."""
    from core.cli import main

    src = tmp_path / "deep/src/main/java/com/acme/order"
    (src / "model").mkdir(parents=True)
    (src / "service").mkdir()
    (tmp_path / "deep/pom.xml").write_text("<project/>\n")
    (src / "model/OmsOrder.java").write_text(
        "package com.acme.order.model;\npublic class OmsOrder {\n  private Integer status;\n"
        "  public Integer getStatus() { return status; }\n  public void setStatus(Integer s) { status = s; }\n}\n")
    depth = 2000
    body = "".join(f"if (n > {i}) {{\n" for i in range(depth)) + "order.setStatus(n);\n" + "}\n" * depth
    (src / "service/OmsOrderService.java").write_text(
        "package com.acme.order.service;\nimport com.acme.order.model.OmsOrder;\n"
        "import org.springframework.stereotype.Service;\n@Service\npublic class OmsOrderService {\n"
        "  public void cancel(OmsOrder order, int n) {\n    if (order.getStatus() != 0) {\n"
        "      throw new IllegalStateException(\"只能取消待付款订单\");\n    }\n" + body
        + "    order.setStatus(4);\n  }\n}\n")
    started = time.monotonic()
    assert main(["run", "--repo", str(tmp_path / "deep"), "--db", str(tmp_path / "d.duckdb"),
                 "--domains", "order"]) == 0
    assert time.monotonic() - started < 60
