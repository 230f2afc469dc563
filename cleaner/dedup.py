"""Near-copy detection across a batch: MinHash + LSH for candidates, exact check to confirm.

This is a corpus-level stage, separate from per-document cleaning: cleaning can run anywhere
(in parallel, on a cluster) and hand over a small signature per document; only the
signatures are held for the whole corpus, and texts are re-read for the few candidate pairs.

Two outlets' versions of one wire story share far fewer word 5-grams than the usual
near-duplicate thresholds assume (each rewords the lead and adds its own paragraphs; the
samples' pair is at Jaccard 0.19), while different articles on the same event share almost
none (0.003 in the samples). So candidates come from LSH bands of only two rows, which
catch pairs at Jaccard 0.15 with probability 0.99, and the exact check keeps pairs at 0.1
and above.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from cleaner.document import Document

_WORD = re.compile(r"\w+")

Hashes = npt.NDArray[np.uint64]
Signature = npt.NDArray[np.uint32]


@dataclass(frozen=True)
class DedupConfig:
    """How near copies are found. Thresholds are on word n-gram Jaccard of cleaned text."""

    shingle_size: int = 5
    num_perm: int = 384
    band_rows: int = 2
    threshold: float = 0.1
    min_shared_paragraphs: int = 3
    paragraph_overlap: float = 0.5
    seed: int = 1

    def __post_init__(self) -> None:
        if self.num_perm % self.band_rows:
            raise ValueError("num_perm must be a multiple of band_rows")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")


@dataclass(frozen=True)
class NearDuplicate:
    """`id` is a near copy of `duplicate_of`, the canonical version of its cluster."""

    id: str
    duplicate_of: str
    similarity: float


def shingle_hashes(text: str, size: int = 5) -> Hashes:
    """Sorted unique 32-bit hashes of the text's word n-grams (case-folded)."""
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        grams = [" ".join(words)] if words else []
    else:
        grams = [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]
    values = np.fromiter(
        (zlib.crc32(gram.encode("utf-8")) for gram in grams), dtype=np.uint64, count=len(grams)
    )
    return np.unique(values)


def jaccard(a: Hashes, b: Hashes) -> float:
    if not len(a) and not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


@lru_cache(maxsize=8)
def _permutation_keys(num_perm: int, seed: int) -> Hashes:
    rng = np.random.default_rng(seed)
    return rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64, endpoint=True)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _mix64(values: Hashes) -> Hashes:
    """splitmix64's finaliser: a bijection on 64-bit integers that scatters nearby inputs.

    An affine map (a*h + b) mod p with small a barely reorders the hashes, so its minimum
    is nearly always the same element and signatures overestimate nothing but agree far too
    little (0.14 for a true Jaccard of 0.40); a full-avalanche mix behaves like a random
    permutation. Arithmetic wraps modulo 2**64, as intended.
    """
    z = values + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    mixed: Hashes = z ^ (z >> np.uint64(31))
    return mixed


def minhash(hashes: Hashes, num_perm: int = 384, seed: int = 1) -> Signature:
    """MinHash signature: for each permutation i, min over shingles of mix64(h XOR key_i),
    kept to its high 32 bits."""
    if not len(hashes):
        return np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    keys = _permutation_keys(num_perm, seed)
    permuted = _mix64(hashes[None, :] ^ keys[:, None])
    high_bits: Signature = (permuted.min(axis=1) >> np.uint64(32)).astype(np.uint32)
    return high_bits


@dataclass(frozen=True)
class Fingerprint:
    """What the dedup stage keeps of a document: its signature and its size."""

    signature: Signature
    shingles: int


def fingerprint(text: str, config: DedupConfig) -> Fingerprint:
    hashes = shingle_hashes(text, config.shingle_size)
    return Fingerprint(minhash(hashes, config.num_perm, config.seed), len(hashes))


# Paragraphs shorter than this (subheadings, bylines) say nothing about shared content.
_PARAGRAPH_MIN_WORDS = 8


@dataclass(frozen=True)
class Shingled:
    """A text's n-gram hashes, whole and per paragraph, for the exact near-copy check."""

    all: Hashes
    paragraphs: tuple[Hashes, ...]

    @classmethod
    def of(cls, text: str, size: int) -> Shingled:
        paragraphs = tuple(
            shingle_hashes(line, size)
            for line in text.splitlines()
            if len(_WORD.findall(line)) >= _PARAGRAPH_MIN_WORDS
        )
        return cls(shingle_hashes(text, size), paragraphs)


def is_near_copy(a: Shingled, b: Shingled, config: DedupConfig) -> bool:
    """Enough shared n-grams, spread over several paragraphs.

    Jaccard alone cannot tell a rewrite from two different press releases that end with the
    same 150-word "About the company" block: both land near 0.13. A rewrite shares many
    paragraphs; a template shares one or two. So the document with fewer paragraphs must
    have `min_shared_paragraphs` of them (or all, if it has fewer) mostly found in the other.
    """
    if jaccard(a.all, b.all) < config.threshold:
        return False
    smaller, larger = sorted((a, b), key=lambda x: (len(x.paragraphs), len(x.all)))
    required = min(config.min_shared_paragraphs, len(smaller.paragraphs))
    shared = sum(
        1
        for paragraph in smaller.paragraphs
        if np.isin(paragraph, larger.all).mean() >= config.paragraph_overlap
    )
    return shared >= required


@dataclass
class NearDuplicateIndex:
    """Collects fingerprints of a corpus, then finds and verifies near copies.

    Texts are not held: `duplicates()` asks for the text of each candidate when it
    verifies it, so memory grows with the number of documents, not their length.
    """

    config: DedupConfig = field(default_factory=DedupConfig)
    ids: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)

    def add(self, doc_id: str, print_: Fingerprint) -> int:
        """Register a document; returns its key (its position in the index)."""
        self.ids.append(doc_id)
        self.sizes.append(print_.shingles)
        self.signatures.append(print_.signature)
        return len(self.ids) - 1

    def candidate_pairs(self) -> set[tuple[int, int]]:
        """Pairs that share at least one LSH band (documents with no words never pair)."""
        if len(self.signatures) < 2:
            return set()
        matrix = np.vstack(self.signatures)
        has_words = np.asarray(self.sizes) > 0
        rows = self.config.band_rows
        pairs: set[tuple[int, int]] = set()
        for band in range(self.config.num_perm // rows):
            keys = _band_keys(matrix[:, band * rows : (band + 1) * rows])
            pairs.update(_colliding_pairs(keys, has_words))
        return pairs

    def duplicates(self, load_text: Callable[[int], str]) -> list[NearDuplicate]:
        """Verified near copies, each pointing at its cluster's canonical document."""
        return [
            NearDuplicate(self.ids[key], self.ids[canonical], similarity)
            for key, canonical, similarity in self.duplicate_keys(load_text)
        ]

    def duplicate_keys(self, load_text: Callable[[int], str]) -> list[tuple[int, int, float]]:
        """(key, canonical key, similarity) for every document that is a near copy.

        The canonical document of a cluster is the longest (most shingles), then the
        smallest id, then the earliest added: the same whatever order documents came in.
        Similarity is the exact Jaccard of word n-grams with the canonical document.
        """
        cache: dict[int, Shingled] = {}

        def shingled(key: int) -> Shingled:
            if key not in cache:
                cache[key] = Shingled.of(load_text(key), self.config.shingle_size)
            return cache[key]

        parent = list(range(len(self.ids)))

        def root(key: int) -> int:
            while parent[key] != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        for left, right in sorted(self.candidate_pairs()):
            if is_near_copy(shingled(left), shingled(right), self.config):
                parent[root(left)] = root(right)

        clusters: dict[int, list[int]] = {}
        for key in range(len(self.ids)):
            clusters.setdefault(root(key), []).append(key)
        found = []
        for members in clusters.values():
            if len(members) < 2:
                continue
            canonical = min(members, key=lambda k: (-self.sizes[k], self.ids[k], k))
            for key in sorted(members):
                if key != canonical:
                    similarity = jaccard(shingled(key).all, shingled(canonical).all)
                    found.append((key, canonical, round(similarity, 4)))
        return sorted(found)


def _band_keys(band: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    keys = np.zeros(band.shape[0], dtype=np.uint64)
    for column in range(band.shape[1]):
        # Two rows pack exactly into 64 bits; more rows are mixed (collisions are harmless:
        # every candidate is verified).
        shifted = (keys << np.uint64(32)) ^ (keys >> np.uint64(32))
        keys = np.bitwise_xor(shifted, band[:, column].astype(np.uint64), dtype=np.uint64)
    return keys


def _colliding_pairs(
    keys: npt.NDArray[np.uint64], has_words: npt.NDArray[np.bool_]
) -> Iterator[tuple[int, int]]:
    order = np.argsort(keys, kind="stable")
    order = order[has_words[order]]
    sorted_keys = keys[order]
    boundaries = np.flatnonzero(np.diff(sorted_keys)) + 1
    for group in np.split(order, boundaries):
        if len(group) > 1:
            members = sorted(group.tolist())
            for i, left in enumerate(members):
                for right in members[i + 1 :]:
                    yield left, right


def find_duplicates(
    docs: Iterable[Document | tuple[str, str]], config: DedupConfig | None = None
) -> list[NearDuplicate]:
    """Near copies among cleaned Documents (those with status ok) or `(id, text)` pairs.

    Texts are held in memory, which suits a library call on a list. For corpora too big to
    hold, feed `NearDuplicateIndex` fingerprints and let `duplicates()` re-read texts.
    """
    settings = config or DedupConfig()
    index = NearDuplicateIndex(settings)
    texts: list[str] = []
    for item in docs:
        if isinstance(item, Document):
            if item.status != "ok":
                continue
            doc_id, text = item.id, item.text
        else:
            doc_id, text = item
        index.add(doc_id, fingerprint(text, settings))
        texts.append(text)
    return index.duplicates(texts.__getitem__)
