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

from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from cleaner.corpus.signatures import (
    WORD,
    DedupConfig,
    Fingerprint,
    Hashes,
    Signature,
    fingerprint,
    jaccard,
    shingle_hashes,
    shingle_sequence,
)
from cleaner.document import Document


@dataclass(frozen=True)
class NearDuplicate:
    """`id` is a near copy of `duplicate_of`, the canonical version of its cluster."""

    id: str
    duplicate_of: str
    similarity: float


# Paragraphs shorter than this (subheadings, bylines) say nothing about shared content.
_PARAGRAPH_MIN_WORDS = 8


class Shingled:
    """A text's n-gram hashes, whole and (only when asked) per paragraph."""

    def __init__(self, text: str, size: int) -> None:
        self.text, self.size = text, size
        self.all = shingle_hashes(text, size)

    @cached_property
    def sequence(self) -> Hashes:
        """The n-gram hashes in text order (with repeats)."""
        return shingle_sequence(self.text, self.size)

    @cached_property
    def paragraphs(self) -> tuple[Hashes, ...]:
        return tuple(
            shingle_hashes(line, self.size)
            for line in self.text.splitlines()
            if len(WORD.findall(line)) >= _PARAGRAPH_MIN_WORDS
        )


def is_near_copy(a: Shingled, b: Shingled, config: DedupConfig) -> bool:
    """Enough shared n-grams and, for low similarity, spread over several paragraphs.

    Jaccard alone cannot tell a rewrite from two different press releases that end with the
    same 150-word "About the company" block when both land near 0.13; from `spread_below`
    (0.15) up, a shared block would have to be a large part of both texts, and Jaccard
    decides alone. A rewrite shares many
    paragraphs; a template shares one or two. So when the document with fewer paragraphs has
    at least `min_shared_paragraphs`, that many of them must be mostly found in the other;
    with fewer paragraphs there is no spread to judge and Jaccard decides alone.
    """
    similarity = jaccard(a.all, b.all)
    if similarity < config.threshold:
        return False
    if similarity < config.edge_template_below and _template_only(a, b):
        return False
    if similarity >= config.spread_below:
        return True  # a shared block this large is no template: the texts are near copies
    smaller, larger = sorted((a, b), key=lambda x: (len(x.paragraphs), len(x.all)))
    if len(smaller.paragraphs) < config.min_shared_paragraphs:
        return True  # too few paragraphs to tell a spread from a block: Jaccard decides
    required = config.min_shared_paragraphs
    shared = sum(
        1
        for paragraph in smaller.paragraphs
        if np.isin(paragraph, larger.all).mean() >= config.paragraph_overlap
    )
    return shared >= required


def _template_only(a: Shingled, b: Shingled) -> bool:
    """Whether all the two texts share sits in one stretch at the start, one at the end, or
    both, of each text, around a body of its own: what a site's template, a disclaimer or a
    form glued onto different articles looks like. A wire story's rewrites share sentences
    all through the body."""
    shared = np.intersect1d(a.all, b.all, assume_unique=True)
    if len(shared) >= _CONTAINED * min(len(a.all), len(b.all)):
        return False  # one text is (nearly) all in the other: a shorter copy, not a template
    return _at_edges(a, shared) and _at_edges(b, shared)


# Share of the smaller text's n-grams found in the larger one from which it is a copy of it.
_CONTAINED = 0.8
# What may come before a template that opens a text: its own headline, glued on by the
# scraper ("Title  Please support our work..."), which differs between articles.
_HEADLINE_WORDS = 15
# What each text must hold of its own between the shared edges to be a different article:
# a copy whose wording changed here and there has only short unshared runs.
_BODY_SHARE = 0.25
# Share of a shared passage that may be words of one text only (subheadings, changed words).
_PASSAGE_GAPS = 0.2


def _changed_number(
    text: Shingled, before: npt.NDArray[np.intp], steps: npt.NDArray[np.intp]
) -> npt.NDArray[np.bool_]:
    """Whether each gap in the shared n-grams (after the one at `before`) is what changed
    counters leave: the words between the two stretches are at most one n-gram long and
    start and end with a number (the first and last words that differ)."""
    short = steps <= 2 * text.size
    if not short.any():
        return short
    words = WORD.findall(text.text)
    if len(words) != len(text.sequence) + text.size - 1:
        return np.zeros_like(short)  # words counted otherwise (never seen): no merging
    first, last = before + text.size, before + steps - 1
    numbers = [words[a].isdigit() and words[b].isdigit() for a, b in zip(first, last, strict=True)]
    merged: npt.NDArray[np.bool_] = short & np.array(numbers, dtype=np.bool_)
    return merged


def _at_edges(text: Shingled, shared: Hashes) -> bool:
    positions = np.flatnonzero(np.isin(text.sequence, shared))
    if not len(positions):
        return True
    # Shared n-grams closer than one n-gram apart belong to one stretch of shared text, and
    # so do those on either side of one changed number (a count or a year in a footer): a
    # template's counters change, where a rewrite changes words.
    steps = np.diff(positions)
    breaks = np.flatnonzero(steps > text.size)
    if len(breaks):
        breaks = breaks[~_changed_number(text, positions[breaks], steps[breaks])]
    starts = np.concatenate(([positions[0]], positions[breaks + 1]))
    ends = np.concatenate((positions[breaks], [positions[-1]]))
    last = len(text.sequence) - 1
    opening = max(text.size, _HEADLINE_WORDS)
    # A phrase two articles happen to share ("said on Monday that the") is no stretch of
    # shared text: only runs of at least one n-gram's length of n-grams count.
    edge = (starts <= opening) | (ends >= last - text.size)
    long_enough = (ends - starts + 1 >= text.size) | edge
    starts, ends = starts[long_enough], ends[long_enough]
    if not len(starts):
        return True
    if _passage_after_own_lead(text, starts, ends):
        return True
    if len(starts) > 2:
        return False
    at_start = starts[0] <= opening
    at_end = ends[-1] >= last - text.size
    # Two stretches must be one at each edge; one stretch must touch either.
    placed = (at_start and at_end) if len(starts) == 2 else (at_start or at_end)
    if not placed:
        return False
    # The text's own body: the longest run between the shared stretches (stray phrases in
    # common do not cut it).
    bounds = np.concatenate(([-1], np.column_stack((starts, ends)).ravel(), [last + 1]))
    return bool((np.diff(bounds)[::2] - 1).max() >= _BODY_SHARE * len(text.sequence))


def _passage_after_own_lead(
    text: Shingled, starts: npt.NDArray[np.intp], ends: npt.NDArray[np.intp]
) -> bool:
    """Whether the shared stretches make one passage that the text reaches after a lead of
    its own: what an article that pastes a background paragraph ("What happened?") or a
    quoted statement under its own news looks like, wherever the passage ends. A wire
    story's versions share their lead, or sentences all through the body; a passage counts
    as one when what interrupts it (a subheading, a changed word) is a small part of it.
    """
    if starts[0] < _BODY_SHARE * len(text.sequence):
        return False
    span = ends[-1] - starts[0] + text.size
    shared_words = (ends - starts + text.size).sum()
    return bool(span - shared_words <= _PASSAGE_GAPS * span)


# Bands whose candidate pairs are gathered before duplicates among them are dropped.
_MERGE_EVERY = 16
# Texts held while verifying candidates: enough for the documents of a few hundred pairs.
_VERIFY_CACHE = 2048


# Signatures are stored in blocks of this many rows: no per-document array objects, and
# no copy of the whole corpus's signatures when candidates are gathered.
_SIGNATURE_BLOCK = 4096


@dataclass
class NearDuplicateIndex:
    """Collects fingerprints of a corpus, then finds and verifies near copies.

    Texts are not held: `duplicates()` asks for the text of each candidate when it
    verifies it, so memory grows with the number of documents, not their length.
    """

    config: DedupConfig = field(default_factory=DedupConfig)
    ids: list[str] = field(default_factory=list)
    sizes: array[int] = field(default_factory=lambda: array("q"))
    digests: array[int] = field(default_factory=lambda: array("Q"))
    _blocks: list[Signature] = field(default_factory=list, repr=False)

    def add(self, doc_id: str, print_: Fingerprint) -> int:
        """Register a document; returns its key (its position in the index)."""
        key = len(self.ids)
        if key % _SIGNATURE_BLOCK == 0:
            self._blocks.append(np.empty((_SIGNATURE_BLOCK, self.config.num_perm), dtype=np.uint32))
        self.ids.append(doc_id)
        self.sizes.append(print_.shingles)
        self.digests.append(print_.digest)
        self._blocks[-1][key % _SIGNATURE_BLOCK] = print_.signature
        return key

    def replace(self, key: int, print_: Fingerprint) -> None:
        """A document's new fingerprint, after its text changed (learned boilerplate gone)."""
        self.sizes[key] = print_.shingles
        self.digests[key] = print_.digest
        self._blocks[key // _SIGNATURE_BLOCK][key % _SIGNATURE_BLOCK] = print_.signature

    def _columns(self, start: int, stop: int) -> npt.NDArray[np.uint32]:
        """Signature positions [start, stop) of every document, as one (n, stop-start) array."""
        count = len(self.ids)
        parts = [block[:, start:stop] for block in self._blocks]
        return np.concatenate(parts)[:count] if parts else np.empty((0, stop - start), np.uint32)

    def signatures(self, keys: npt.NDArray[np.intp]) -> Signature:
        """The signatures of these documents, one row each."""
        rows = np.empty((len(keys), self.config.num_perm), dtype=np.uint32)
        blocks = keys // _SIGNATURE_BLOCK
        for block in np.unique(blocks).tolist():
            chosen = blocks == block
            rows[chosen] = self._blocks[block][keys[chosen] % _SIGNATURE_BLOCK]
        return rows

    def usable(self) -> npt.NDArray[np.intp]:
        """Keys of documents that can pair: those with words."""
        return np.flatnonzero(np.asarray(self.sizes) > 0)

    def band_columns(self, band: int) -> npt.NDArray[np.uint32]:
        rows = self.config.band_rows
        return self._columns(band * rows, (band + 1) * rows)

    def candidate_pairs(self) -> npt.NDArray[np.int64]:
        """Pairs (i < j) that share at least one LSH band, sorted, as an (n, 2) array.

        Documents with no words never pair. A bucket of up to `all_pairs_bucket` documents
        gives all its pairs; a bigger one (the same text on hundreds of pages) gives a chain
        through its members in order, which joins them as well once verified, at a cost
        linear, not quadratic, in its size.
        """
        count = len(self.ids)
        if count < 2:
            return np.empty((0, 2), dtype=np.int64)
        usable = self.usable()
        merged = np.empty(0, dtype=np.int64)
        pending: list[npt.NDArray[np.int64]] = []
        for band in range(self.config.num_perm // self.config.band_rows):
            keys = band_keys(self.band_columns(band)[usable])
            bands = np.zeros(len(keys), dtype=np.int64)
            pending.append(colliding_codes(bands, keys, usable, count, self.config))
            if len(pending) == _MERGE_EVERY:  # keeps the pair list from growing per band
                merged = np.unique(np.concatenate([merged, *pending]))
                pending = []
        merged = np.unique(np.concatenate([merged, *pending]))
        return codes_to_pairs(merged, count)

    def duplicates(self, load_text: Callable[[int], str]) -> list[NearDuplicate]:
        """Verified near copies, each pointing at its cluster's canonical document."""
        return [
            NearDuplicate(self.ids[key], self.ids[canonical], similarity)
            for key, canonical, similarity in self.duplicate_keys(load_text)
        ]

    def same_text(self, left: int, right: int) -> bool:
        """Equal shingle sets (same size, same digest): copies, whatever the rest says."""
        return self.sizes[left] == self.sizes[right] and self.digests[left] == self.digests[right]

    def duplicate_keys(self, load_text: Callable[[int], str]) -> list[tuple[int, int, float]]:
        """(key, canonical key, similarity) for every document that is a near copy.

        The canonical document of a cluster is the longest (most shingles), then the
        smallest id, then the earliest added: the same whatever order documents came in.
        Similarity is the exact Jaccard of word n-grams with the canonical document.
        """
        verify = PairVerifier(self.config, load_text)
        clusters = UnionFind(len(self.ids))
        for left, right in self.candidate_pairs().tolist():
            if clusters.root(left) == clusters.root(right):
                continue  # already joined: checking cannot change the clusters
            if self.same_text(left, right) or verify.near_copy(left, right):
                clusters.join(left, right)
        members = self.canonical_members(clusters)
        return [
            (
                key,
                canonical,
                1.0 if self.same_text(key, canonical) else verify.similarity(key, canonical),
            )
            for key, canonical in members
        ]

    def canonical_members(self, clusters: UnionFind) -> list[tuple[int, int]]:
        """(key, its cluster's canonical key) for every document in a cluster of two or
        more, sorted by key."""
        groups: dict[int, list[int]] = {}
        for key in range(len(self.ids)):
            groups.setdefault(clusters.root(key), []).append(key)
        found: list[tuple[int, int]] = []
        for members in groups.values():
            if len(members) < 2:
                continue
            canonical = min(members, key=lambda k: (-self.sizes[k], self.ids[k], k))
            found.extend((key, canonical) for key in members if key != canonical)
        return sorted(found)


class UnionFind:
    """Clusters of document keys joined pair by pair (path halving)."""

    def __init__(self, count: int) -> None:
        self.parent = list(range(count))

    def root(self, key: int) -> int:
        parent = self.parent
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(self, left: int, right: int) -> None:
        self.parent[self.root(left)] = self.root(right)


class PairVerifier:
    """Exact checks of candidate pairs, holding the shingles of recently loaded texts."""

    def __init__(self, config: DedupConfig, load_text: Callable[[int], str]) -> None:
        self.config, self.load_text = config, load_text
        self.cache: OrderedDict[int, Shingled] = OrderedDict()

    def shingled(self, key: int) -> Shingled:
        cache = self.cache
        if key in cache:
            cache.move_to_end(key)
        else:
            cache[key] = Shingled(self.load_text(key), self.config.shingle_size)
            if len(cache) > _VERIFY_CACHE:
                cache.popitem(last=False)
        return cache[key]

    def near_copy(self, left: int, right: int) -> bool:
        return is_near_copy(self.shingled(left), self.shingled(right), self.config)

    def similarity(self, key: int, canonical: int) -> float:
        return round(jaccard(self.shingled(key).all, self.shingled(canonical).all), 4)


def colliding_codes(
    bands: npt.NDArray[np.int64],
    keys: npt.NDArray[np.uint64],
    docs: npt.NDArray[np.intp],
    count: int,
    config: DedupConfig,
) -> npt.NDArray[np.int64]:
    """Candidate pairs, coded i * count + j (i < j), among documents whose (band, key) is
    equal: every pair of a bucket of up to `all_pairs_bucket`, a chain in key order through a
    bigger one. `docs` may come in any order and from any part of the corpus (the
    distributed engine calls this on one shuffle partition): buckets are ordered by
    document key, so the answer is the same as over the whole corpus at once."""
    if len(keys) < 2:
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((docs, keys, bands))
    ordered_keys, ordered_bands = keys[order], bands[order]
    same = (ordered_keys[1:] == ordered_keys[:-1]) & (ordered_bands[1:] == ordered_bands[:-1])
    if not same.any():
        return np.empty(0, dtype=np.int64)
    members = docs[order].astype(np.int64)
    # Each position's bucket number, and whether its bucket is small enough for all pairs.
    bucket = np.concatenate(([0], np.cumsum(~same)))
    sizes = np.bincount(bucket)
    small = sizes[bucket] <= config.all_pairs_bucket
    # Neighbours in sorted order: every pair of a two-document bucket, and the chain of a
    # big one (members of a bucket are in key order). Small buckets also pair members
    # further apart, which gives all their pairs.
    found = []
    for distance in range(1, config.all_pairs_bucket):
        if distance >= len(members):
            break
        paired = bucket[distance:] == bucket[:-distance]
        if distance > 1:
            paired &= small[:-distance]
        if not paired.any():
            break  # no bucket has two members this far apart, nor any further
        left, right = members[:-distance][paired], members[distance:][paired]
        found.append(np.minimum(left, right) * count + np.maximum(left, right))
    return np.concatenate(found)


def codes_to_pairs(codes: npt.NDArray[np.int64], count: int) -> npt.NDArray[np.int64]:
    return np.stack([codes // count, codes % count], axis=1)


def band_keys(band: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    keys = np.zeros(band.shape[0], dtype=np.uint64)
    for column in range(band.shape[1]):
        # Two rows pack exactly into 64 bits; more rows are mixed (collisions are harmless:
        # every candidate is verified).
        shifted = (keys << np.uint64(32)) ^ (keys >> np.uint64(32))
        keys = np.bitwise_xor(shifted, band[:, column].astype(np.uint64), dtype=np.uint64)
    return keys


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
