"""A deterministic train / val split that never lets related samples straddle it.

Two samples about the same rule, the same flow or citing the same file
teach overlapping facts; with one in train and one in val the eval loss
measures memory, not generalisation. Samples sharing any such key are
joined (union-find) into groups, and whole groups go to val, in an order
fixed by a seeded hash, until the val share is reached. A group larger than
the val target stays in train; the manifest says how close the split came.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core.models import Sample
from core.validate.dedup import component_roots

GROUP_KEYS = ("rule", "flow", "file")


def group_keys(sample: Sample, group_by: tuple[str, ...], prompt: str | None = None) -> set[str]:
    keys = {"prompt:" + prompt} if prompt is not None else set()
    if "rule" in group_by and sample.source.kind == "rule":
        keys.add(f"rule:{sample.source.ref}")
    if "flow" in group_by and sample.source.kind == "flow":
        keys.add(f"flow:{sample.source.ref}")
    if "file" in group_by:
        keys.update(f"file:{e.path}" for e in sample.evidence)
    return keys


@dataclass
class Split:
    val: list[bool]                  # per sample, in input order
    groups: int
    largest_group: int
    val_groups: int
    shared_keys: list[str]           # leakage check: keys in both train and val (must be empty)
    shared_prompts: int              # identical user prompts in both (must be 0)

    def report(self, val_ratio: float, seed: int, group_by: tuple[str, ...]) -> tuple[dict, dict]:
        n_val = sum(self.val)
        n = len(self.val)
        grouping = {
            "group_by": list(group_by), "val_ratio": val_ratio, "seed": seed, "groups": self.groups,
            "largest_group": self.largest_group, "val_groups": self.val_groups, "train_groups": self.groups - self.val_groups,
            "val_share": round(n_val / n, 4) if n else 0.0,
        }
        if n and n_val < 0.75 * val_ratio * n:
            grouping["note"] = (
                f"val is smaller than asked: the largest group holds {self.largest_group} of {n} samples "
                "(they share evidence files, rules or flows and may not be split); "
                + ("--group-by rule,flow splits finer" if "file" in group_by else "add samples from other sources"))
        leakage = {"ok": not self.shared_keys and not self.shared_prompts, "shared_keys": self.shared_keys[:20],
                   "shared_key_count": len(self.shared_keys), "identical_prompts_across_splits": self.shared_prompts}
        return grouping, leakage


def grouped_split(sample_ids: list[str], keys_of: list[set[str]], val_ratio: float, seed: int) -> Split:
    """`keys_of[i]`: sample i's `group_keys` plus its user prompt (identical prompts are grouped too)."""
    n = len(sample_ids)
    owner: dict[str, int] = {}
    roots = component_roots(n, ((i, owner.setdefault(key, i)) for i, keys in enumerate(keys_of) for key in keys))
    members: dict[int, list[int]] = {}
    for i, root in enumerate(roots):
        members.setdefault(root, []).append(i)

    target = round(val_ratio * n)
    if val_ratio > 0 and n >= 2:
        target = max(1, target)

    def order(root: int) -> str:
        return hashlib.sha256(f"{seed}:{sample_ids[root]}".encode()).hexdigest()

    val = [False] * n
    taken = val_groups = 0
    for root in sorted(members, key=order):
        size = len(members[root])
        if taken + size <= target and size < n:
            for i in members[root]:
                val[i] = True
            taken += size
            val_groups += 1
    train_keys = set().union(*(keys_of[i] for i in range(n) if not val[i])) if n else set()
    val_keys = set().union(*(keys_of[i] for i in range(n) if val[i])) if n else set()
    shared = sorted(k for k in train_keys & val_keys if not k.startswith("prompt:"))
    shared_prompts = sum(1 for k in train_keys & val_keys if k.startswith("prompt:"))
    return Split(val=val, groups=len(members), largest_group=max((len(m) for m in members.values()), default=0),
                 val_groups=val_groups, shared_keys=shared, shared_prompts=shared_prompts)
