"""Realistic review data without running the pipeline: samples citing real lines of examples/shop.

Imported by the review and app tests (and the benchmark); it holds no tests itself.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from core.evidence import SourceCache, make_evidence
from core.models import DesignProposal, GeneratorInfo, Sample, SampleSource, Span, TraceStep
from storage import Database

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "examples" / "shop"
FILES = [
    "shop-common/src/main/java/io/acdp/shop/common/model/OrdOrder.java",
    "shop-common/src/main/java/io/acdp/shop/common/exception/Asserts.java",
    "shop-common/src/main/java/io/acdp/shop/common/model/InvSkuStock.java",
    "shop-admin/src/main/resources/dao/InvSkuStockDao.xml",
]
RULE_KINDS = ("guard", "transition", "sql_invariant", "calculation")


def make_sample(n: int, task_type: str = "qa", domain: str | None = None, language: str = "en") -> Sample:
    files = SourceCache(SHOP)
    path = FILES[n % len(FILES)]
    last = len(files.get(path).lines)
    start = 1 + (n * 3) % max(1, last - 4)
    ev = make_evidence(files, Span(path=path, start_line=start, end_line=min(last, start + 3)), "E1")
    domain = domain or ("order" if n % 2 == 0 else "stock")
    design = None
    if task_type == "design":
        design = DesignProposal(understanding=f"Add an audit trail to {domain} changes ({n}).",
                                flow=["validate", "persist", "log"], risks=["transaction boundaries"])
    return Sample(
        sample_id=f"{task_type}-{n:06d}", repo_id="shop", task_type=task_type, domain=domain, language=language,
        question=f"Under which condition is {domain} item {n} refused?" if task_type == "qa"
        else f"Requirement {n}: record every {domain} status change",
        answer=f"When the {domain} check at {ev.label()} fails, the request is refused ({n}).",
        design=design, evidence=[ev],
        trace=[TraceStep(claim=f"The check lives in {Path(path).name}.", evidence_ids=["E1"])],
        source=SampleSource(kind="rule", ref=f"rule-{n}", rule_kind=RULE_KINDS[n % len(RULE_KINDS)],
                            question_kind="condition"),
        generator=GeneratorInfo(backend="template", input_hash=f"in-{n}", created_at=datetime(2026, 1, 1)),
    )


def seed(db: Database, qa: int = 12, design: int = 4) -> list[Sample]:
    """Index-level rows for examples/shop plus `qa` + `design` samples with checks and quality."""
    files = SourceCache(SHOP)
    samples = [make_sample(n) for n in range(qa)] + [make_sample(n, "design") for n in range(design)]
    with db.transaction() as con:
        con.execute("INSERT OR REPLACE INTO repos VALUES ('shop', ?, 'abc123', now()::TIMESTAMP)", [str(SHOP)])
        for path in FILES:
            src = files.get(path)
            con.execute(
                "INSERT OR REPLACE INTO files (repo_id, path, sha256, size, encoding, language, module, line_count) "
                "VALUES ('shop', ?, ?, ?, ?, 'java', '', ?)",
                [path, src.sha256, len(src.data), src.encoding, len(src.lines)],
            )
        for i, s in enumerate(samples):
            con.execute(
                "INSERT INTO samples (sample_id, version, repo_id, task_type, domain, language, source_kind, source_ref, "
                "rule_kind, question_kind, question, answer, payload, content_hash, backend, input_hash, created_at) "
                "VALUES (?, 1, 'shop', ?, ?, ?, 'rule', ?, ?, 'condition', ?, ?, ?, ?, 'template', ?, ?)",
                [s.sample_id, s.task_type, s.domain, s.language, s.source.ref, s.source.rule_kind, s.question, s.answer,
                 json.dumps(s.model_dump(mode="json")), s.content_hash(), s.generator.input_hash,
                 datetime(2026, 1, 1) + timedelta(minutes=i)],
            )
            result = "warn" if i % 5 == 4 else "pass"
            con.execute("INSERT INTO checks VALUES (?, 1, 'evidence', 'pass', 'matches', now()::TIMESTAMP)", [s.sample_id])
            con.execute("INSERT INTO checks VALUES (?, 1, 'length', ?, ?, now()::TIMESTAMP)",
                        [s.sample_id, result, "answer is short" if result == "warn" else "ok"])
            con.execute("INSERT INTO sample_quality (sample_id, version, status, score) VALUES (?, 1, ?, ?)",
                        [s.sample_id, result, 0.6 if result == "warn" else 0.9])
    return samples


def add_group(db: Database, n: int = 0) -> list[str]:
    """A Chinese twin and an English variant (another question kind) of sample `qa-{n}`, from its rule.

    Call after `seed`; returns the ids of the two new samples (validated like the seeded ones).
    """
    base = make_sample(n)
    twin = base.model_copy(update={"sample_id": f"{base.sample_id}-zh", "language": "zh",
                                   "question": f"订单项 {n} 在什么条件下会被拒绝？",
                                   "answer": f"当 {base.evidence[0].label()} 的检查失败时，请求被拒绝（{n}）。"})
    variant = base.model_copy(update={"sample_id": f"{base.sample_id}-where",
                                      "question": f"Where is the check that refuses item {n} implemented?",
                                      "answer": f"In {Path(base.evidence[0].path).name} ({base.evidence[0].label()})."})
    with db.transaction() as con:
        for s, kind in ((twin, "condition"), (variant, "where_implemented")):
            con.execute(
                "INSERT INTO samples (sample_id, version, repo_id, task_type, domain, language, source_kind, source_ref, "
                "rule_kind, question_kind, question, answer, payload, content_hash, backend, input_hash, created_at) "
                "VALUES (?, 1, 'shop', 'qa', ?, ?, 'rule', ?, ?, ?, ?, ?, ?, ?, 'template', ?, ?)",
                [s.sample_id, s.domain, s.language, s.source.ref, s.source.rule_kind, kind, s.question, s.answer,
                 json.dumps(s.model_dump(mode="json")), s.content_hash(), f"{s.generator.input_hash}-{kind}",
                 datetime(2026, 1, 2)],
            )
            con.execute("INSERT INTO checks VALUES (?, 1, 'evidence', 'pass', 'matches', now()::TIMESTAMP)", [s.sample_id])
            con.execute("INSERT INTO sample_quality (sample_id, version, status, score) VALUES (?, 1, 'pass', 0.9)",
                        [s.sample_id])
    return [twin.sample_id, variant.sample_id]
