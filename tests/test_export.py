"""The export stage: what is selected, the grouped split, the files, determinism, bad input, training-readiness."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_validate_support import decide, find_line, indexed_shop, qa, store

from core.answer_format import SYSTEM_PROMPT
from core.cli import main
from core.errors import UserError
from core.export import ExportFilters, SplitOptions, export_dataset, list_exports, preview, writer, zip_export
from core.export.split import group_keys
from core.validate import validate_repo
from core.validate.synthetic import synthetic_samples
from storage import checks_store

SERVICE = "shop-portal/src/main/java/io/acdp/shop/portal/service/impl/OrdPortalOrderServiceImpl.java"
ADMIN = "shop-admin/src/main/java/io/acdp/shop/admin/service/impl/OrdOrderServiceImpl.java"
CONFIG = "shop-portal/src/main/resources/application.yml"
Q = "What must hold before a member can confirm receipt of an order?"
A = "`confirmReceiveOrder` only accepts an order whose status is 2; otherwise it fails with \"该订单还未发货！\"."


@pytest.fixture
def curated(tmp_path):
    """Six samples, one of each fate, validated."""
    db, root = indexed_shop(tmp_path)
    line = find_line(root, SERVICE, "if (order.getStatus() != 2)")
    span = (SERVICE, line, line + 1)
    secret = find_line(root, CONFIG, "secret: fake-jwt")
    samples = [
        qa(root, "accepted", Q, A, [span]),
        qa(root, "edited", "Which status does confirming receipt require?", "It requires status 2.", [span]),
        qa(root, "pending", "When does confirmReceiveOrder refuse an order?", "When its status is not 2.", [span]),
        qa(root, "rejected", "Who may confirm receipt of an order?", "Only its member, see confirmReceiveOrder.", [span]),
        # evidence is masked when read; an answer that repeats the secret (an LLM's, a curator's) still fails
        qa(root, "failing", "Which JWT secret does the portal use?",
           "The `jwt` block sets secret: fake-jwt-secret-do-not-use-0123456789abcdef", [(CONFIG, secret - 1, secret)]),
        qa(root, "dup", Q, A, [span]),                          # an exact copy of "accepted", accepted too
    ]
    store(db, samples)
    edited = samples[1].model_copy(update={"answer": "Confirming receipt requires status 2 (shipped)."})
    decide(db, "accepted", "accepted")
    decide(db, "edited", "edited", edited=edited, reviewer="bo")
    decide(db, "rejected", "rejected")
    decide(db, "failing", "accepted")
    decide(db, "dup", "accepted")
    validate_repo(db, "shop")
    return db, root


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def exported(out: Path) -> dict[str, dict]:
    return {r["id"]: r for name in ("train.jsonl", "val.jsonl") for r in read_jsonl(out / name)}


def test_default_export_holds_accepted_and_edited_only(curated, tmp_path):
    db, _ = curated
    out = tmp_path / "export"
    manifest = export_dataset(db, "shop", out, ExportFilters())
    records = exported(out)
    # "dup" is the duplicate validation dropped; the failing one is accepted but holds a secret
    assert set(records) == {"accepted", "edited"}
    edited = records["edited"]
    assert edited["messages"][2]["content"].startswith("Confirming receipt requires status 2 (shipped).")
    assert edited["meta"]["review"] == {"status": "edited", "reviewer": "bo"}
    assert manifest["counts"]["excluded"] == {
        "duplicate of a kept sample": 1, "failed validation": 1, "pending (pass --include-pending)": 1, "rejected": 1}
    # both cite the same file: one group, which may not straddle, so val stays empty and the manifest says why
    assert manifest["counts"]["val"] == 0 and "largest group holds 2 of 2" in manifest["grouping"]["note"]


def test_include_pending_adds_passing_pending_samples(curated, tmp_path):
    db, _ = curated
    export_dataset(db, "shop", tmp_path / "e", ExportFilters(include_pending=True))
    assert set(exported(tmp_path / "e")) == {"accepted", "edited", "pending"}


def test_record_layout_is_the_contract(curated, tmp_path):
    db, root = curated
    out = tmp_path / "e"
    export_dataset(db, "shop", out, ExportFilters())
    rec = exported(out)["accepted"]
    assert [m["role"] for m in rec["messages"]] == ["system", "user", "assistant"]
    assert rec["messages"][0]["content"] == SYSTEM_PROMPT
    assert rec["messages"][1]["content"] == Q
    assert "\n\nEvidence:\n[E1] " + SERVICE in rec["messages"][2]["content"]
    meta = rec["meta"]
    assert {"task_type", "domain", "language", "repo", "commit", "generator", "evidence", "trace", "review"} <= set(meta)
    ev = meta["evidence"][0]
    assert set(ev) == {"path", "start_line", "end_line", "sha256"} and ev["path"] == SERVICE
    assert meta["trace"][0]["evidence_ids"] == ["E1"] and meta["generator"] == "template"
    info = json.loads((out / "dataset_info.json").read_text())
    assert info["acdp_train"] == {
        "file_name": "train.jsonl", "formatting": "sharegpt", "columns": {"messages": "messages"},
        "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant",
                 "system_tag": "system"}}
    assert info["acdp_val"]["file_name"] == "val.jsonl"


def test_parquet_holds_the_same_records(curated, tmp_path):
    import pandas as pd

    db, _ = curated
    out = tmp_path / "e"
    manifest = export_dataset(db, "shop", out, ExportFilters(include_pending=True), parquet=True)
    table = pd.concat([pd.read_parquet(out / "train.parquet"), pd.read_parquet(out / "val.parquet")])
    records = exported(out)
    assert sorted(table["id"]) == sorted(records)
    row = table[table["id"] == "accepted"].iloc[0]
    assert [m["content"] for m in row["messages"]] == [m["content"] for m in records["accepted"]["messages"]]
    assert json.loads(row["meta"]) == records["accepted"]["meta"]
    assert "train.parquet" in manifest["files"]
    assert manifest["evidence_checked_against"] == str(curated[1].resolve())


def test_each_line_is_exactly_json_dumps_of_its_record(curated, tmp_path):
    db, _ = curated
    export_dataset(db, "shop", tmp_path / "e", ExportFilters(include_pending=True))
    text = (tmp_path / "e" / "train.jsonl").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    assert len(lines) == 3
    assert all(line == json.dumps(json.loads(line), ensure_ascii=False) + "\n" for line in lines)


def test_same_inputs_give_byte_identical_files(curated, tmp_path, monkeypatch):
    db, _ = curated
    first, second = tmp_path / "one", tmp_path / "two"
    m1 = export_dataset(db, "shop", first, ExportFilters(include_pending=True))
    m2 = export_dataset(db, "shop", second, ExportFilters(include_pending=True))
    for name in ("train.jsonl", "val.jsonl", "dataset_info.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert m1["content_id"] == m2["content_id"] and m1["files"] == m2["files"]
    strip = ("created_at", "export_id")
    assert {k: v for k, v in m1.items() if k not in strip} == {k: v for k, v in m2.items() if k not in strip}
    # with the creation time pinned, the whole directory (and its zip) is identical
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    export_dataset(db, "shop", first, ExportFilters(include_pending=True), force=True)
    export_dataset(db, "shop", second, ExportFilters(include_pending=True), force=True)
    assert (first / "manifest.json").read_bytes() == (second / "manifest.json").read_bytes()
    assert zip_export(first).replace(b"one/", b"two/") == zip_export(second)


def test_split_keeps_rules_flows_and_files_on_one_side(tmp_path):
    db, root = indexed_shop(tmp_path)
    paths = sorted(str(p.relative_to(root)) for p in root.rglob("*.java"))
    store(db, synthetic_samples(root, "shop", paths, 400, seed=3, duplicate_share=0.0))
    validate_repo(db, "shop")
    out = tmp_path / "e"
    manifest = export_dataset(db, "shop", out, ExportFilters(include_pending=True))
    train, val = read_jsonl(out / "train.jsonl"), read_jsonl(out / "val.jsonl")
    assert val and train

    def keys(records):
        found = set()
        for r in records:
            found |= {f"file:{e['path']}" for e in r["meta"]["evidence"]} | {f"rule:{r['meta']['source']['ref']}"}
        return found

    assert not keys(train) & keys(val)
    assert manifest["leakage_check"]["ok"] and manifest["leakage_check"]["shared_key_count"] == 0
    grouping = manifest["grouping"]
    assert grouping["groups"] >= 2 and grouping["group_by"] == ["rule", "flow", "file"]
    assert abs(len(val) / (len(val) + len(train)) - 0.1) < 0.08
    assert manifest["counts"]["val"] == len(val) == manifest["files"]["val.jsonl"]["records"]
    # another seed gives another, equally clean split
    other = export_dataset(db, "shop", tmp_path / "f", ExportFilters(include_pending=True), SplitOptions(seed=7))
    assert other["leakage_check"]["ok"]
    assert read_jsonl(tmp_path / "f" / "val.jsonl") != val


def test_group_keys_follow_the_flags(curated):
    db, root = curated
    s = qa(root, "g", Q, A, [(SERVICE, 1, 2), (ADMIN, 1, 2)], ref="r1")
    assert group_keys(s, ("rule", "flow", "file")) == {"rule:r1", f"file:{SERVICE}", f"file:{ADMIN}"}
    assert group_keys(s, ("rule",)) == {"rule:r1"}


def test_bad_input_is_refused_and_writes_nothing(curated, tmp_path, capsys):
    db, root = curated
    base = ["export", "--db", str(db.path), "--repo", str(root)]
    out = tmp_path / "none"
    assert main([*base, "--out", str(out), "--domains", "payment"]) == 2
    assert "nothing to export" in capsys.readouterr().err and not out.exists()
    assert main([*base, "--out", str(out), "--task", "chat"]) == 2
    assert main([*base, "--out", str(out), "--val-ratio", "1.5"]) == 2
    assert not out.exists()

    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    assert main([*base, "--out", str(taken)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert main([*base, "--out", str(taken), "--force"]) == 2  # --force never wipes a directory that is not an export
    assert (taken / "notes.txt").read_text() == "mine"

    good = tmp_path / "good"
    assert main([*base, "--out", str(good)]) == 0
    assert main([*base, "--out", str(good)]) == 2
    assert main([*base, "--out", str(good), "--force", "--lang", "zh", "--include-pending"]) == 2  # nothing in zh
    assert (good / "manifest.json").is_file()  # the previous export is intact
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".good")]


def test_a_source_file_changed_after_validation_keeps_its_samples_out(curated, tmp_path):
    db, root = curated
    with (root / SERVICE).open("a", encoding="utf-8") as fh:
        fh.write("// changed after validation\n")
    with pytest.raises(UserError, match=r"2 evidence file changed since validation \(run validate\)"):
        export_dataset(db, "shop", tmp_path / "e", ExportFilters())
    assert not (tmp_path / "e").exists()


def test_a_failed_write_leaves_the_previous_export_alone(curated, tmp_path, monkeypatch):
    db, _ = curated
    out = tmp_path / "e"
    export_dataset(db, "shop", out, ExportFilters())
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def disk_full() -> bytes:  # fails after train.jsonl and val.jsonl are written
        raise OSError("disk full")

    monkeypatch.setattr(writer, "dataset_info", disk_full)
    with pytest.raises(OSError):
        export_dataset(db, "shop", out, ExportFilters(include_pending=True), force=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_exports_are_recorded_previewed_and_listed(curated, tmp_path):
    db, _ = curated
    manifest = export_dataset(db, "shop", tmp_path / "e", ExportFilters())
    past = list_exports(db)
    assert [p["export_id"] for p in past] == [manifest["export_id"]]
    assert past[0]["manifest"]["counts"]["total"] == 2 and past[0]["exists"]
    shown = preview(db, "shop", ExportFilters(include_pending=True), limit=2)
    assert shown["eligible"] == 3 and len(shown["samples"]) == 2
    assert shown["samples"][0]["messages"][0]["content"] == SYSTEM_PROMPT


def test_export_loads_with_datasets_and_trains_on_assistant_tokens_only(curated, tmp_path):
    """The export through `datasets` and a Qwen2.5-style chat template into ids with assistant-only labels."""
    from datasets import load_dataset
    from transformers import AutoTokenizer

    from core.train.tiny import build_tiny_model

    db, _ = curated
    out = tmp_path / "e"
    export_dataset(db, "shop", out, ExportFilters(include_pending=True), SplitOptions(seed=1))
    files = {"train": str(out / "train.jsonl")}
    if (out / "val.jsonl").stat().st_size:
        files["validation"] = str(out / "val.jsonl")
    ds = load_dataset("json", data_files=files)
    assert sum(len(split) for split in ds.values()) == 3
    tokenizer = AutoTokenizer.from_pretrained(build_tiny_model(tmp_path / "tiny"))
    for row in ds["train"]:
        enc = tokenizer.apply_chat_template(row["messages"], tokenize=True, return_dict=True,
                                            return_assistant_tokens_mask=True)
        ids, mask = list(enc["input_ids"]), list(enc["assistant_masks"])
        labels = [i if m else -100 for i, m in zip(ids, mask)]
        learned = tokenizer.decode([i for i in labels if i != -100])
        assert learned == row["messages"][2]["content"] + "<|im_end|>"
        prompt = tokenizer.decode([i for i, m in zip(ids, mask) if not m])
        assert SYSTEM_PROMPT in prompt and row["messages"][1]["content"] in prompt


def test_the_pipeline_output_of_examples_shop_validates_and_exports(shop_db, tmp_path):
    """The real pipeline (index .. validate, en + zh) into a training-ready export."""
    with shop_db.connect() as con:
        per_check = checks_store.result_counts(con, "shop")
        quality = checks_store.quality_counts(con, "shop")
        current = con.execute("SELECT count(*) FROM samples WHERE is_current").fetchall()[0][0]
    assert quality["pass"] + quality["warn"] + quality["fail"] == current > 0
    assert per_check["evidence"] == {"pass": current} and per_check["schema"] == {"pass": current}
    assert per_check["secrets"] == {"pass": current}
    out = tmp_path / "export"
    args = ["export", "--db", str(shop_db.path), "--out", str(out), "--include-pending"]   # no --lang: every language
    assert main(args) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert counts["total"] + sum(counts["excluded"].values()) == current  # every sample accounted for
    assert counts["excluded"].get("failed validation", 0) == quality["fail"]
    assert set(counts["by_language"]) == {"en", "zh"} and set(counts["by_task_type"]) == {"qa", "design"}
    assert manifest["leakage_check"]["ok"] and counts["val"] > 0
    assert main([*args[:4], str(tmp_path / "zh"), "--include-pending", "--lang", "zh"]) == 0
    zh = json.loads((tmp_path / "zh" / "manifest.json").read_text(encoding="utf-8"))["counts"]
    assert set(zh["by_language"]) == {"zh"} and zh["total"] == counts["by_language"]["zh"]
