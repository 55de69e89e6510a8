"""Directories the tool may replace: only its own earlier outputs, recognised by their manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli import main
from core.errors import UserError
from core.outputs import check_export_dir, check_run_dir, is_our_export, is_our_run

SHOP = Path(__file__).resolve().parent.parent / "examples" / "shop"


def test_export_force_refuses_a_foreign_directory_with_a_manifest_and_deletes_nothing(shop_db, tmp_path, capsys):
    base = ["export", "--db", str(shop_db.path), "--repo", str(SHOP), "--include-pending"]
    foreign = tmp_path / "site"
    foreign.mkdir()
    (foreign / "manifest.json").write_text(json.dumps({"name": "some web app", "version": 3}))
    (foreign / "index.html").write_text("<h1>mine</h1>")
    assert main([*base, "--out", str(foreign), "--force"]) == 2
    assert "not an earlier export of this tool" in capsys.readouterr().err
    assert sorted(p.name for p in foreign.iterdir()) == ["index.html", "manifest.json"]
    assert (foreign / "index.html").read_text() == "<h1>mine</h1>"

    ours = tmp_path / "ours"
    assert main([*base, "--out", str(ours)]) == 0
    assert is_our_export(ours)
    assert main([*base, "--out", str(ours), "--force"]) == 0  # an earlier export of ours is replaced
    (ours / "notes.txt").write_text("added by hand")  # no longer only what the manifest lists
    assert main([*base, "--out", str(ours), "--force"]) == 2
    assert (ours / "notes.txt").read_text() == "added by hand"


def test_a_copied_manifest_does_not_make_a_directory_ours(tmp_path):
    real = {"export_id": "x", "content_id": "y", "format_version": 1,
            "files": {"train.jsonl": {"sha256": "0", "bytes": 3}}}
    out = tmp_path / "e"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps(real))
    (out / "train.jsonl").write_text("abc")
    assert is_our_export(out)
    (out / "train.jsonl").write_text("a different file of the same name")
    assert not is_our_export(out)
    with pytest.raises(UserError, match="nothing was deleted"):
        check_export_dir(out, force=True)


def test_a_run_directory_must_be_new_or_a_run_of_ours(tmp_path):
    check_run_dir(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    check_run_dir(tmp_path / "empty")
    home = tmp_path / "home"
    home.mkdir()
    (home / "metrics.jsonl").write_text("my own metrics\n")
    with pytest.raises(UserError, match="not a run directory of this tool"):
        check_run_dir(home)
    run = tmp_path / "run"
    run.mkdir()
    (run / "status.json").write_text(json.dumps({"state": "failed"}))
    (run / "train.log").write_text("log")
    assert is_our_run(run)
    check_run_dir(run)
