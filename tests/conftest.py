"""Shared fixtures: the example repository, fresh databases, one pipeline run.

The pipeline runs once per test session into a template file; tests that
need data get their own copy, so they can write without affecting others.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storage import Database

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_REPO = ROOT / "examples" / "shop"


@pytest.fixture
def example_repo() -> Path:
    return EXAMPLE_REPO


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """An empty, migrated database file of the test's own."""
    database = Database(tmp_path / "acdp.duckdb", wait=0.5)
    with database.connect():
        pass
    return database


@pytest.fixture(scope="session")
def _pipeline_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from core.cli import main

    path = tmp_path_factory.mktemp("pipeline") / "shop.duckdb"
    rc = main(["run", "--repo", str(EXAMPLE_REPO), "--db", str(path), "--domains", "order,stock", "--lang", "both"])
    assert rc == 0, "the pipeline failed on examples/shop"
    return path


@pytest.fixture
def shop_db(_pipeline_template: Path, tmp_path: Path) -> Database:
    """A copy of the database after `run` on examples/shop (index .. validate, en + zh)."""
    path = tmp_path / "shop.duckdb"
    shutil.copy(_pipeline_template, path)
    return Database(path, wait=0.5)


# the shop's portal deleteOrder written the way mall writes it: the write in the `if`, the failure in its `else`
DELETE_IN_IF_ELSE_FAILS = ("shop-portal/src/main/java/io/acdp/shop/portal/service/impl/OrdPortalOrderServiceImpl.java",
                           """        if (order.getStatus() != 3 && order.getStatus() != 4) {
            Asserts.fail("只能删除已完成或已关闭的订单！");
        }
        order.setDeleteStatus(1);
        orderMapper.updateByPrimaryKeySelective(order);""", """        if (order.getStatus() == 3 || order.getStatus() == 4) {
            order.setDeleteStatus(1);
            orderMapper.updateByPrimaryKeySelective(order);
        } else {
            Asserts.fail("只能删除已完成或已关闭的订单！");
        }""")


def edited_shop(tmp_path: Path, edits: list[tuple[str, str | None, str]]) -> tuple[Path, Path]:
    """examples/shop copied and edited (path, old text, new text; no old text: a new file), run through the pipeline:
    (repo, database file). Tests that need a shape the shop lacks build it here instead of adding it to
    examples/shop."""
    from core.cli import main

    repo = tmp_path / "shop"
    shutil.copytree(EXAMPLE_REPO, repo)
    for rel, old, new in edits:
        p = repo / rel
        if old is None:
            assert not p.exists(), rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(new, encoding="utf-8")
            continue
        text = p.read_text(encoding="utf-8")
        assert old in text, rel
        p.write_text(text.replace(old, new, 1), encoding="utf-8")
    db_path = tmp_path / "edited.duckdb"
    assert main(["run", "--repo", str(repo), "--db", str(db_path), "--domains", "order,stock"]) == 0
    return repo, db_path
