"""Exact and near-duplicate samples, found with MinHash LSH in numpy.

Templates and LLMs both repeat themselves; near-identical samples waste
training steps and leak between train and val. Each text becomes a set of
word 3-gram shingles (a CJK character counts as a word), each set a MinHash
signature (operators are tokens too: `a + b <= c` and `a - b >= 0` state different
rules; other punctuation is template glue and left out), and LSH banding proposes candidate pairs that are confirmed by
their estimated Jaccard similarity. Candidates are paired with the first
member of their bucket (a star, not all pairs), so one huge bucket costs
O(n), not O(n^2). Confirmed pairs are joined into clusters; the caller picks
which member of each cluster to keep.

Everything is vectorised over all samples at once: hashing a million
shingles against 64 permutations is a few matrix operations, not a loop.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

NUM_PERM = 64
SHINGLE = 3
_TOKEN = re.compile(r"[a-z0-9_]+|[\u3400-\u4dbf\u4e00-\u9fff]|[<>=!+*/%-]+")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_SHINGLE_MUL = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)
_PAD = np.uint64(0x27D4EB2F165667C5)


@dataclass(frozen=True)
class Duplicates:
    """`root[i]` is the index of the first member of i's cluster (i itself when alone)."""

    root: np.ndarray           # int64, one per text
    digest: np.ndarray         # uint64 hash of the normalised text: equal digests are exact duplicates
    similarity: np.ndarray     # float: estimated Jaccard with the cluster's root (1.0 for roots)

    def clusters(self) -> dict[int, list[int]]:
        """Clusters of two or more, keyed by root index, members in input order."""
        out: dict[int, list[int]] = {}
        sizes = np.bincount(self.root, minlength=len(self.root))
        for i in np.nonzero(sizes[self.root] > 1)[0].tolist():
            out.setdefault(int(self.root[i]), []).append(i)
        return out


def _permutations(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63 - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63 - 1, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
    return a, b


_A, _B = _permutations()


def _token_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """All token hashes, concatenated, and each text's start offset (texts padded to >= 3 tokens)."""
    cache: dict[str, int] = {}
    flat: list[int] = []
    starts = np.empty(len(texts) + 1, dtype=np.int64)
    for n, text in enumerate(texts):
        starts[n] = len(flat)
        tokens = _TOKEN.findall(text.lower())
        for tok in tokens:
            h = cache.get(tok)
            if h is None:
                h = cache[tok] = zlib.crc32(tok.encode()) | (len(tok) << 32)
            flat.append(h)
        flat.extend([int(_PAD)] * max(0, SHINGLE - len(tokens)))
    starts[len(texts)] = len(flat)
    return np.array(flat, dtype=np.uint64), starts


def _shingles(tokens: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Word 3-gram hashes of every text and each text's start offset among them."""
    lengths = np.diff(starts) - (SHINGLE - 1)               # >= 1 thanks to the padding
    with np.errstate(over="ignore"):
        mixed = (tokens[:-2] * _SHINGLE_MUL[0]) ^ (tokens[1:-1] * _SHINGLE_MUL[1]) ^ (tokens[2:] * _SHINGLE_MUL[2])
    # a shingle is valid when its three tokens lie in the same text
    valid = np.ones(len(mixed), dtype=bool)
    ends = starts[1:]
    for back in (1, 2):
        cut = ends - back
        cut = cut[(cut >= 0) & (cut < len(valid))]
        valid[cut] = False
    shingles = mixed[valid]
    sh_starts = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=sh_starts[1:])
    return shingles, sh_starts


def signatures(texts: Sequence[str], chunk: int = 1 << 15) -> np.ndarray:
    """(len(texts), NUM_PERM) uint32-valued MinHash signatures."""
    if not texts:
        return np.zeros((0, NUM_PERM), dtype=np.uint64)
    shingles, sh_starts = _shingles(*_token_hashes(texts))
    sig = np.empty((len(texts), NUM_PERM), dtype=np.uint64)
    doc = 0
    while doc < len(texts):
        # take whole texts until the chunk is full
        last = int(np.searchsorted(sh_starts, sh_starts[doc] + chunk, side="right")) - 1
        last = max(last, doc + 1)
        lo, hi = sh_starts[doc], sh_starts[last]
        with np.errstate(over="ignore"):
            hashed = (shingles[lo:hi, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
        sig[doc:last] = np.minimum.reduceat(hashed, sh_starts[doc:last] - lo, axis=0)
        doc = last
    return sig


def _bands(threshold: float) -> int:
    """Rows per band: the largest whose LSH threshold (1/b)^(1/r) stays below `threshold` - 0.05."""
    best = 1
    for rows in (1, 2, 4, 8, 16, 32):
        bands = NUM_PERM // rows
        if (1 / bands) ** (1 / rows) <= threshold - 0.05:
            best = rows
    return best


def component_roots(n: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """For each of `n` elements, the smallest member of its connected component under `pairs`.

    Union-find that always hangs the larger root under the smaller, so a group is named by its
    first member whatever order the pairs come in (export's grouped split uses it too).
    """
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


def find_duplicates(texts: Sequence[str], threshold: float = 0.85) -> Duplicates:
    """Cluster texts whose estimated Jaccard similarity is at least `threshold` (0 < t <= 1)."""
    n = len(texts)
    if not 0 < threshold <= 1:
        raise ValueError(f"duplicate threshold must be in (0, 1], got {threshold}")
    normalised = [" ".join(_TOKEN.findall(t.lower())) for t in texts]
    digests = np.array([int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little") for t in normalised],
                       dtype=np.uint64)
    sig = signatures(texts)
    pairs = [_star_pairs(digests)]
    rows = _bands(threshold)
    mult = np.random.default_rng(7).integers(1, 2**63 - 1, size=rows, dtype=np.int64).astype(np.uint64) | np.uint64(1)
    for band in range(NUM_PERM // rows):
        with np.errstate(over="ignore"):
            keys = (sig[:, band * rows:(band + 1) * rows] * mult).sum(axis=1, dtype=np.uint64)
        cand = _star_pairs(keys)
        if len(cand):
            sim = (sig[cand[:, 0]] == sig[cand[:, 1]]).mean(axis=1)
            pairs.append(cand[sim >= threshold])
    root = np.array(component_roots(n, np.concatenate(pairs).tolist() if n else []), dtype=np.int64)
    similarity = (sig == sig[root]).mean(axis=1) if n else np.zeros(0)
    return Duplicates(root=root, digest=digests, similarity=similarity)


def _star_pairs(keys: np.ndarray) -> np.ndarray:
    """(first member, other member) for every bucket of equal keys."""
    if len(keys) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    new_run = np.ones(len(keys), dtype=bool)
    new_run[1:] = sorted_keys[1:] != sorted_keys[:-1]
    run_first = np.maximum.accumulate(np.where(new_run, np.arange(len(keys)), 0))
    members = np.nonzero(~new_run)[0]
    return np.stack([order[run_first[members]], order[members]], axis=1).astype(np.int64)
