"""How far reviewers agree: stages of second review, percent agreement and Cohen's kappa per pair.

A reviewer's label on a sample is the verdict of their decision in force
(`accepted`, `edited` or `rejected`, from storage's `review_votes`). Two
reviewers agree on a sample when their labels are equal; for finality the
edited text must be the same too (an edit is a claim about the text, so a
colleague who accepted the generated text has not agreed to an edit of it).
A sample is final when at least `reviewers_required` reviewers decided it
and all of them agree; one dissent makes it disputed until the reviewers
converge (storage's `review_rounds` view holds that rule, once).

Kappa corrects percent agreement for the agreement two reviewers would
reach by chance with their own label frequencies:
kappa = (p_o - p_e) / (1 - p_e), p_o observed agreement, p_e = sum over
labels of the product of both reviewers' shares of that label. It is
undefined (None) when p_e is 1: both reviewers used one and the same label
throughout, so there is nothing chance could not explain. Written out here
(a dozen lines) rather than pulling in scikit-learn for one function.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from storage import Database, rounds_store


def percent_agreement(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Share of items both raters labelled the same, 0-100; None when there are no items."""
    if not pairs:
        return None
    return 100.0 * sum(a == b for a, b in pairs) / len(pairs)


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters over the items they both labelled (pairs of labels)."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class PairAgreement:
    """Two reviewers (a < b) over the `n` samples both decided."""

    a: str
    b: str
    n: int
    agreed: int
    percent: float
    kappa: float | None


def pair_agreement(db: Database, task_type: str | None = None, domains: tuple[str, ...] = ()) -> list[PairAgreement]:
    """Every reviewer pair that decided at least one sample in common (current versions), by name."""
    with db.connect() as con:
        rows = rounds_store.paired_votes(con, task_type, domains)
    labels: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for a, b, label_a, label_b in rows:
        labels[(a, b)].append((label_a, label_b))
    return [PairAgreement(a, b, len(pairs), sum(x == y for x, y in pairs), percent_agreement(pairs),
                          cohen_kappa(pairs))
            for (a, b), pairs in sorted(labels.items())]


def round_counts(db: Database, task_type: str | None = None, domains: tuple[str, ...] = ()) -> dict[str, int]:
    """Current samples per review stage: unreviewed, awaiting (more reviewers), final, disputed."""
    with db.connect() as con:
        return rounds_store.stage_counts(con, task_type, domains)
