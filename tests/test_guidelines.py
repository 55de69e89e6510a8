"""The guidelines file: it parses, it covers every kind the generator emits, and a broken one says where."""

from __future__ import annotations

import pytest

from core import guidelines
from core.errors import UserError
from core.generate.design import BUILDERS
from core.generate.qa_templates import QA


def test_the_shipped_file_covers_every_kind_with_an_example_of_each_verdict():
    rules = guidelines.load(guidelines.DEFAULT_PATH)
    assert set(QA) | {"flow", "lifecycle", "entry_check", "contract", "atomicity", "query", "reach", "new_record",
                      "lifecycle_time"} <= set(rules.qa.kinds), \
        "a QA rule kind has no guideline: add it to docs/guidelines.yaml"
    assert set(BUILDERS) <= set(rules.design.kinds), "a design kind has no guideline: add it to docs/guidelines.yaml"
    for task in (rules.qa, rules.design):
        for section in (task.general, *task.kinds.values()):
            assert section.accept and section.reject, section.title
            assert section.example_accept and section.example_reject, section.title


def test_every_kind_the_pipeline_generates_on_the_shop_has_its_section(shop_db):
    """A kind added to the generator without a guideline would show curators only the general rules."""
    from storage import samples_store

    rules = guidelines.load(guidelines.DEFAULT_PATH)
    with shop_db.connect() as con:
        rows = samples_store.list_samples(con, "shop")
    kinds = {(r["task_type"], guidelines.kind_of(r["task_type"], r["source_kind"], r["rule_kind"], r["question_kind"]))
             for r in rows}
    assert {"reach", "lifecycle_time"} <= {k for t, k in kinds if t == "qa"}
    missing = sorted(k for t, k in kinds if k not in getattr(rules, t).kinds)
    assert not missing, f"no guideline for {missing}: add them to docs/guidelines.yaml"


def test_the_section_follows_the_samples_kind():
    rules = guidelines.load(guidelines.DEFAULT_PATH)
    general, own = rules.for_sample("qa", guidelines.kind_of("qa", "rule", "guard", "what_happens"))
    assert (general.title, own.title) == ("Every QA sample", "Guards (checks that stop a request)")
    _, flow = rules.for_sample("qa", guidelines.kind_of("qa", "flow", None, "writes"))
    assert flow.title.startswith("Request flows")
    _, design = rules.for_sample("design", guidelines.kind_of("design", "map", None, "new_field"))
    assert design.title == "New fields"
    assert rules.for_sample("qa", "a_kind_nobody_wrote")[1] is None


def test_an_override_path_is_used_and_a_mistake_names_its_place(tmp_path, monkeypatch):
    own = tmp_path / "ours.yaml"
    own.write_text("qa:\n  general:\n    title: Ours\n    accept: [grounded]\n"
                   "design:\n  general:\n    title: Our designs\n", encoding="utf-8")
    monkeypatch.setenv(guidelines.ENV, str(own))
    assert guidelines.path() == own
    assert guidelines.load().qa.general.title == "Ours"
    own.write_text("qa:\n  general:\n    title: Ours\n    acept: [typo]\ndesign:\n  general: {title: D}\n",
                   encoding="utf-8")
    with pytest.raises(UserError, match=r"ours.yaml has a mistake at qa.general.acept"):
        guidelines.load()
    own.write_text("qa: [unclosed\n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid YAML"):
        guidelines.load()
    with pytest.raises(UserError, match="cannot read"):
        guidelines.load(tmp_path / "missing.yaml")


def _guidelines_page(monkeypatch, db, reviewer="lead"):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ACDP_DB", str(db.path))
    monkeypatch.setenv("ACDP_REVIEWER", reviewer)
    at = AppTest.from_file("../app/main.py", default_timeout=60)
    at.run()
    at.switch_page("../pages/guidelines.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_shows_every_section_and_sets_the_reviewers_per_sample(monkeypatch, db):
    from core import review

    at = _guidelines_page(monkeypatch, db)
    shown = "\n".join(h.proto.body for h in at.get("html"))
    assert "Every QA sample" in shown and "Guards (checks that stop a request)" in shown and "New fields" in shown
    at.number_input(key="policy-required").set_value(2).run()
    at.button(key="policy-save").click().run()
    assert review.reviewers_required(db) == 2
    assert any("now needs 2 reviewer(s)" in s.value for s in at.success)


def test_a_broken_guidelines_file_is_an_error_on_the_page(monkeypatch, db, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("qa: {}\n", encoding="utf-8")
    monkeypatch.setenv(guidelines.ENV, str(broken))
    at = _guidelines_page(monkeypatch, db)
    assert any("broken.yaml has a mistake at qa.general" in e.value for e in at.error)
