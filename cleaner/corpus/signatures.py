"""Near-copy signatures: word hashes, 5-gram shingles and one-permutation MinHash, in numpy.

Each document is reduced to a small signature where it is cleaned (a worker, a cluster
node); only signatures travel to the corpus-level stage (`cleaner.corpus.near_copies`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

WORD = re.compile(r"\w+")

Hashes = npt.NDArray[np.uint64]
Signature = npt.NDArray[np.uint32]


@dataclass(frozen=True)
class DedupConfig:
    """How near copies are found. Thresholds are on word n-gram Jaccard of cleaned text."""

    shingle_size: int = 5
    num_perm: int = 384
    band_rows: int = 2
    threshold: float = 0.1
    # Between `threshold` and `spread_below`, shared text must be spread over this many
    # paragraphs (see is_near_copy).
    spread_below: float = 0.15
    min_shared_paragraphs: int = 3
    paragraph_overlap: float = 0.5
    all_pairs_bucket: int = 8
    # Below this, shared text that sits only at the start or the end of both texts (a
    # site's header or footer, a disclaimer, a newsletter form glued on) is no copy.
    edge_template_below: float = 0.5
    seed: int = 1

    def __post_init__(self) -> None:
        if self.num_perm % self.band_rows:
            raise ValueError("num_perm must be a multiple of band_rows")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
# Odd multiplier that folds the n words of a shingle into one 64-bit value.
_ROLL = np.uint64(0x100000001B3)


def _mix64(values: Hashes) -> Hashes:
    """splitmix64's finaliser: a bijection on 64-bit integers that scatters nearby inputs.

    Shingle values are folded from word hashes with a plain multiply-add; the mix makes them
    behave like random 64-bit numbers, which one-permutation hashing needs. Arithmetic wraps
    modulo 2**64, as intended.
    """
    z = values + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    mixed: Hashes = z ^ (z >> np.uint64(31))
    return mixed


_POLY = 0x100000001B3
_POLY_INVERSE = pow(_POLY, -1, 1 << 64)


_CODE_POINTS = 0x110000
_PLANE = 1 << 16


class _WordCharacters:
    """Which code points make up words: what `\\w` matches (letters, digits, underscore).

    Found by running `\\w+` over one string of every code point of a plane (asking each
    character in turn is four times slower), a plane the first time a text reaches it:
    the Basic Multilingual Plane takes 2 ms, the whole of Unicode 30 ms, which every batch
    paid before its first document although texts seldom go past the first two planes.
    """

    def __init__(self) -> None:
        self.table = np.zeros(_CODE_POINTS, dtype=bool)
        self.planes = 0  # planes 0 .. planes - 1 are filled in

    def below(self, end: int) -> npt.NDArray[np.bool_]:
        """The table, right for every code point below `end`."""
        planes = -(-end // _PLANE)
        if planes > self.planes:
            first = self.planes * _PLANE
            points = np.arange(first, planes * _PLANE, dtype=np.uint32).tobytes()
            for run in re.finditer(r"\w+", points.decode("utf-32-le", "surrogatepass")):
                self.table[first + run.start() : first + run.end()] = True
            self.planes = planes
        return self.table


_word_characters = _WordCharacters()


_POWERS_BLOCK = 1 << 16


def _powers(length: int) -> tuple[Hashes, Hashes]:
    """POLY**i and POLY**-i modulo 2**64 for i < length (tables shared by all calls)."""
    size = _POWERS_BLOCK
    while size < length:
        size *= 2
    powers, inverse = _power_tables(size)
    return powers[:length], inverse[:length]


@lru_cache(maxsize=4)
def _power_tables(size: int) -> tuple[Hashes, Hashes]:
    def table(base: int) -> Hashes:
        steps = np.full(size, base, dtype=np.uint64)
        steps[0] = 1
        return np.cumprod(steps, dtype=np.uint64)

    return table(_POLY), table(_POLY_INVERSE)


def word_hashes(text: str) -> Hashes:
    """A 64-bit hash of every word (case-folded), in order, computed in bulk.

    Each word's hash is the polynomial sum of its code points, found for all words at once
    from one running sum over the text (the multiplier is odd, so it has an inverse modulo
    2**64), then mixed. The same in every process and run.
    """
    codes = np.frombuffer(text.casefold().encode("utf-32-le"), dtype=np.uint32)
    if not len(codes):
        return np.empty(0, dtype=np.uint64)
    in_word = _word_characters.below(int(codes.max()) + 1)[codes].view(np.int8)
    edges = np.diff(np.concatenate(([0], in_word, [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    powers, inverse = _powers(len(codes))
    running = np.concatenate(([np.uint64(0)], np.cumsum(codes.astype(np.uint64) * powers)))
    return _mix64((running[ends] - running[starts]) * inverse[starts])


def shingle_hashes(text: str, size: int = 5) -> Hashes:
    """Sorted unique 64-bit hashes of the text's word n-grams (case-folded)."""
    return np.unique(shingle_sequence(text, size))


def shingle_sequence(text: str, size: int = 5) -> Hashes:
    """The 64-bit hashes of the text's word n-grams in text order (case-folded)."""
    words = word_hashes(text)
    if len(words) == 0:
        return words
    if len(words) < size:
        size = len(words)  # a text shorter than one shingle is one shingle
    count = len(words) - size + 1
    folded = words[:count].copy()
    for offset in range(1, size):
        folded = folded * _ROLL + words[offset : offset + count]
    return _mix64(folded)


def jaccard(a: Hashes, b: Hashes) -> float:
    if not len(a) and not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


# Densification probes: an empty bin takes the value of the first non-empty bin on its own
# fixed random probe sequence (Shrivastava, "Optimal Densification for Fast and Accurate
# Minwise Hashing", 2017). This many probes leave a bin empty only for texts of a few words.
_PROBES = 64
_EMPTY = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=8)
def _probe_table(num_perm: int, seed: int) -> npt.NDArray[np.intp]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, num_perm, size=(num_perm, _PROBES)).astype(np.intp)


@lru_cache(maxsize=8)
def _seed_key(seed: int) -> np.uint64:
    return np.uint64(np.random.default_rng(seed).integers(0, 2**63, dtype=np.uint64))


def minhash(hashes: Hashes, num_perm: int = 384, seed: int = 1) -> Signature:
    """One-permutation MinHash: one hash per shingle, split into `num_perm` bins.

    Each shingle is hashed once (mix64 of its value XOR a seed key); the top bits choose
    its bin; a bin keeps the low 32 bits of its smallest hash, and empty bins are filled
    by optimal densification. Two signatures agree in a position with
    probability equal to the Jaccard similarity of the shingle sets, as with classic
    MinHash, at the cost of one hash per shingle instead of `num_perm`.
    """
    signature = np.full(num_perm, _EMPTY, dtype=np.uint32)
    if not len(hashes):
        return signature
    mixed = np.sort(_mix64(hashes ^ _seed_key(seed)))
    bins = ((mixed >> np.uint64(32)) * np.uint64(num_perm)) >> np.uint64(32)
    first = np.flatnonzero(np.r_[True, bins[1:] != bins[:-1]])
    signature[bins[first].astype(np.intp)] = (mixed[first] & np.uint64(0xFFFFFFFF)).astype(
        np.uint32
    )
    filled = signature != _EMPTY
    if not filled.all():
        probes = _probe_table(num_perm, seed)
        empty = np.flatnonzero(~filled)
        hits = filled[probes[empty]]
        found = hits.any(axis=1)
        chosen = probes[empty, hits.argmax(axis=1)]
        signature[empty[found]] = signature[chosen[found]]
    return signature


@dataclass(frozen=True)
class Fingerprint:
    """What the dedup stage keeps of a document: its signature and its size."""

    signature: Signature
    shingles: int
    digest: int = 0  # of the whole shingle set: equal sets, equal digests


def fingerprint(text: str, config: DedupConfig) -> Fingerprint:
    hashes = shingle_hashes(text, config.shingle_size)
    digest = int(np.sum(hashes, dtype=np.uint64)) if len(hashes) else 0
    return Fingerprint(minhash(hashes, config.num_perm, config.seed), len(hashes), digest)
