"""The persistent near-copy index: earlier batches' documents on disk, in one SQLite file.

A wire story runs at one outlet on Monday and at another on Tuesday, in two batches; the
index keeps what finding and verifying such a copy needs of every batch it was given, so
each new batch is checked against all of them without holding them in memory.

What is stored, per document: its id, source and batch (with the date the batch was
indexed), the size and digest of its shingle set (for the canonical choice and exact
copies), its canonical document in the index, and its cleaned text, zlib-compressed
(about a third of its size). The text is kept, not its location: outputs are moved and
deleted long before the index forgets a batch, and verification must read both texts of
a pair with the same rule as inside a batch. The MinHash signature is kept as its 192 LSH
band keys, one row each in a table ordered by key, so a batch's lookups are seeks on disk.

Band keys are stored as 47-bit hashes of (band, band key): six bytes a row in SQLite
instead of eight, and the band folded in; a collision only adds a candidate, which is
verified. No key holds more than `all_pairs_bucket` documents (the earliest indexed): a
template shared by thousands of pages would otherwise make every lookup of it return
thousands of rows, and the earliest copies are the canonical ones.

Rows of a batch are written in key order into a segment of their own (appended to the
table, so the pages are written once, sequentially); four segments of one size class are
merged into one (size-tiered, as LSM trees do), so lookups seek in a few segments
whatever the number of batches. A batch's additions, merges and the replacement of its
earlier entries are one transaction: a killed run leaves the index as it was.
"""

from __future__ import annotations

import itertools
import math
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cleaner.corpus.near_copies import band_keys
from cleaner.corpus.signatures import DedupConfig, Signature, _mix64

SCHEMA_VERSION = 1
# Segments of one size class (a power of this many documents) merged at once.
_MERGE_FAN_IN = 4
# Query keys sent to SQLite in one statement (as a JSON array, joined in C).
_LOOKUP_CHUNK = 100_000
_KEY_BITS = 47  # SQLite stores integers below 2**47 in six bytes
_COMPRESSION = 6

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches(
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, indexed_at TEXT NOT NULL,
    first_doc INTEGER NOT NULL, last_doc INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS docs(
    id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, doc_id TEXT NOT NULL, source TEXT,
    shingles INTEGER NOT NULL, digest INTEGER NOT NULL, canonical INTEGER NOT NULL,
    text BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS segments(
    id INTEGER PRIMARY KEY, documents INTEGER NOT NULL,
    first_doc INTEGER NOT NULL, last_doc INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bands(
    segment INTEGER NOT NULL, key INTEGER NOT NULL, doc INTEGER NOT NULL,
    PRIMARY KEY(segment, key, doc)) WITHOUT ROWID;
"""


class CopyIndexError(RuntimeError):
    """The index cannot be used as asked (another version, other settings); says why."""


@dataclass(frozen=True)
class IndexedDoc:
    """A document of an earlier batch, as the index holds it."""

    row: int
    batch: str
    doc_id: str
    shingles: int
    digest: int
    canonical: int  # row of its cluster's canonical document (its own row if it is one)

    @property
    def name(self) -> str:
        """How a manifest names it: `<batch>:<id>`."""
        return f"{self.batch}:{self.doc_id}"


@dataclass(frozen=True)
class NewDoc:
    """A document of the batch being added. `canonical` is its canonical document: a row of
    the index (`in_batch` False) or a position in this batch's list (True)."""

    doc_id: str
    source: str
    text: str
    signature: Signature
    shingles: int
    digest: int
    canonical: int
    in_batch: bool = True


@dataclass
class Lookup:
    """What the index holds for a batch's band keys: candidate pairs (batch position,
    index row) and how many index documents each key already has."""

    pairs: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty((0, 2), np.int64))
    keys: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    counts: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))


@dataclass(frozen=True)
class BatchInfo:
    name: str
    indexed_at: str
    documents: int


@dataclass(frozen=True)
class IndexStats:
    path: str
    documents: int
    batches: list[BatchInfo]
    segments: int
    band_rows: int
    file_bytes: int
    text_bytes: int


def _band_salts(bands: int) -> npt.NDArray[np.uint64]:
    return _mix64(np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))


def index_keys(signatures: Signature, config: DedupConfig) -> npt.NDArray[np.int64]:
    """Every document's band keys as stored: (documents, bands), 47-bit, band folded in."""
    signatures = np.atleast_2d(signatures)
    rows = config.band_rows
    bands = config.num_perm // rows
    salts = _band_salts(bands)
    keys = np.empty((len(signatures), bands), dtype=np.int64)
    for band in range(bands):
        raw = band_keys(signatures[:, band * rows : (band + 1) * rows])
        keys[:, band] = (_mix64(raw ^ salts[band]) >> np.uint64(64 - _KEY_BITS)).astype(np.int64)
    return keys


def compress(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), _COMPRESSION)


def _signed(value: int) -> int:
    """A 64-bit unsigned digest as SQLite's signed integer (and back with `_unsigned`)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _unsigned(value: int) -> int:
    return value + (1 << 64) if value < 0 else value


def _settings(config: DedupConfig) -> dict[str, str]:
    """What makes two batches' signatures comparable: an index keeps one set."""
    return {
        "schema": str(SCHEMA_VERSION),
        "shingle_size": str(config.shingle_size),
        "num_perm": str(config.num_perm),
        "band_rows": str(config.band_rows),
        "seed": str(config.seed),
    }


class CopyIndex:
    """An open index file. Not thread-safe; one writer at a time (the caller locks)."""

    def __init__(self, path: Path, config: DedupConfig, create: bool = True) -> None:
        if not create and not path.exists():
            raise CopyIndexError(f"no index at {path}")
        self.path, self.config = path, config
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=60.0)
        try:
            self._prepare()
        except sqlite3.DatabaseError as error:
            self.db.close()
            raise CopyIndexError(f"{path} is not a cleaner index: {error}") from None

    def _prepare(self) -> None:
        db = self.db
        # A rollback journal: a batch's rows are mostly new pages past the file's end,
        # which the journal does not copy (a WAL would write them twice). FULL: a commit
        # is on the disk when it returns.
        db.execute("PRAGMA journal_mode=DELETE")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA cache_size=-65536")  # 64 MB of pages, whatever the index's size
        db.execute("PRAGMA temp_store=FILE")
        db.execute("BEGIN IMMEDIATE")
        for statement in _SCHEMA.strip().split(";"):
            if statement.strip():
                db.execute(statement)
        stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
        wanted = _settings(self.config)
        if not stored:
            db.executemany("INSERT INTO meta VALUES (?, ?)", wanted.items())
        elif stored != wanted:
            db.execute("ROLLBACK")
            differ = ", ".join(
                f"{k} {stored.get(k)} (asked {v})" for k, v in wanted.items() if stored.get(k) != v
            )
            raise CopyIndexError(f"{self.path} was built with other settings: {differ}")
        db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CopyIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Lookups

    def batch_range(self, name: str) -> tuple[int, int] | None:
        """The rows of an indexed batch (first, last), or None."""
        found = self.db.execute(
            "SELECT first_doc, last_doc FROM batches WHERE name = ?", (name,)
        ).fetchone()
        return (int(found[0]), int(found[1])) if found else None

    def lookup(self, keys: npt.NDArray[np.int64], exclude: tuple[int, int] | None) -> Lookup:
        """Candidates for documents with these band keys (one row of `keys` each): pairs
        (position, index row) sharing a key, sorted and unique, leaving out rows in
        `exclude` (the batch's own entries from an earlier run)."""
        if not keys.size:
            return Lookup()
        flat = keys.ravel()
        unique = np.unique(flat)
        found_keys: list[npt.NDArray[np.int64]] = []
        found_rows: list[npt.NDArray[np.int64]] = []
        segments = [row[0] for row in self.db.execute("SELECT id FROM segments ORDER BY id")]
        query = (
            "SELECT b.key, b.doc FROM json_each(?) j CROSS JOIN bands b "
            "ON b.segment = ? AND b.key = j.value"
        )
        for segment in segments:
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                chunk = "[" + ",".join(map(str, unique[start : start + _LOOKUP_CHUNK])) + "]"
                rows = self.db.execute(query, (chunk, segment)).fetchall()
                if rows:
                    got = np.array(rows, dtype=np.int64)
                    found_keys.append(got[:, 0])
                    found_rows.append(got[:, 1])
        if not found_keys:
            return Lookup()
        hit_keys, hit_rows = np.concatenate(found_keys), np.concatenate(found_rows)
        if exclude is not None:
            kept = (hit_rows < exclude[0]) | (hit_rows > exclude[1])
            hit_keys, hit_rows = hit_keys[kept], hit_rows[kept]
        counted_keys, counts = np.unique(hit_keys, return_counts=True)
        # Each (position, key) of the batch against each index row with that key.
        order = np.argsort(flat, kind="stable")
        sorted_flat = flat[order]
        lo = np.searchsorted(sorted_flat, hit_keys, side="left")
        hi = np.searchsorted(sorted_flat, hit_keys, side="right")
        widths = hi - lo
        rows_rep = np.repeat(hit_rows, widths)
        starts = np.repeat(lo - np.cumsum(widths) + widths, widths)
        positions = order[np.arange(len(rows_rep)) + starts] // keys.shape[1]
        codes = np.unique(np.stack([positions.astype(np.int64), rows_rep], axis=1), axis=0)
        return Lookup(codes, counted_keys.astype(np.int64), counts.astype(np.int64))

    def documents(self, rows: Iterable[int]) -> dict[int, IndexedDoc]:
        """The index's documents with these rows (rows no longer there are left out)."""
        wanted = sorted(set(rows))
        found: dict[int, IndexedDoc] = {}
        query = (
            "SELECT d.id, b.name, d.doc_id, d.shingles, d.digest, d.canonical FROM json_each(?) j "
            "CROSS JOIN docs d ON d.id = j.value JOIN batches b ON b.id = d.batch"
        )
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            chunk = "[" + ",".join(map(str, wanted[start : start + _LOOKUP_CHUNK])) + "]"
            for row, batch, doc_id, shingles, digest, canonical in self.db.execute(query, (chunk,)):
                found[row] = IndexedDoc(row, batch, doc_id, shingles, _unsigned(digest), canonical)
        return found

    def text(self, row: int) -> str:
        found = self.db.execute("SELECT text FROM docs WHERE id = ?", (row,)).fetchone()
        return zlib.decompress(found[0]).decode("utf-8") if found else ""

    # Updates

    def add_batch(
        self,
        name: str,
        docs: Iterable[NewDoc],
        existing: Lookup,
        before_commit: Callable[[], None] | None = None,
    ) -> int:
        """Put a batch's documents in the index, replacing its entries of an earlier run, in
        one transaction; returns how many it holds. `existing`: the lookup of the batch's
        keys, for the cap on documents a key holds. `before_commit` runs inside the
        transaction, just before it is committed (tests stop a run there)."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            previous = self.batch_range(name)
            if previous is not None:
                self._forget(db, [name], [previous])
            first = int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM docs").fetchone()[0])
            batch = int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM batches").fetchone()[0])
            signatures: list[Signature] = []
            count = 0

            def rows() -> Iterator[tuple[object, ...]]:
                nonlocal count
                for doc in docs:
                    row = first + count
                    canonical = first + doc.canonical if doc.in_batch else doc.canonical
                    signatures.append(doc.signature)
                    count += 1
                    yield (row, batch, doc.doc_id, doc.source, doc.shingles,
                           _signed(doc.digest), canonical, compress(doc.text))  # fmt: skip

            db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows())
            now = datetime.now(UTC).isoformat(timespec="seconds")
            last = first + count - 1
            db.execute(
                "INSERT INTO batches VALUES (?, ?, ?, ?, ?)", (batch, name, now, first, last)
            )
            if count:
                keys = index_keys(np.stack(signatures), self.config)
                del signatures[:]
                self._add_segment(db, keys, first, existing)
                self._merge(db)
            if before_commit is not None:
                before_commit()
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return count

    def _add_segment(
        self, db: sqlite3.Connection, keys: npt.NDArray[np.int64], first: int, existing: Lookup
    ) -> None:
        """The batch's band keys as a new segment, in key order; a key already holding
        `all_pairs_bucket` documents takes no more (the earliest stay)."""
        cap = self.config.all_pairs_bucket
        docs = np.repeat(np.arange(first, first + len(keys), dtype=np.int64), keys.shape[1])
        flat = keys.ravel()
        order = np.lexsort((docs, flat))
        flat, docs = flat[order], docs[order]
        # Drop a document's repeats of one key (two bands alike after folding: rare).
        distinct = np.r_[True, (flat[1:] != flat[:-1]) | (docs[1:] != docs[:-1])]
        flat, docs = flat[distinct], docs[distinct]
        starts = np.r_[True, flat[1:] != flat[:-1]]
        group_start = np.maximum.accumulate(np.where(starts, np.arange(len(flat)), 0))
        rank = np.arange(len(flat)) - group_start
        held = np.zeros(len(flat), dtype=np.int64)
        if len(existing.keys):
            at = np.searchsorted(existing.keys, flat).clip(0, len(existing.keys) - 1)
            held = np.where(existing.keys[at] == flat, existing.counts[at], 0)
        admitted = rank + held < cap
        flat, docs = flat[admitted], docs[admitted]
        segment = int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM segments").fetchone()[0])
        last = first + len(keys) - 1
        db.execute("INSERT INTO segments VALUES (?, ?, ?, ?)", (segment, len(keys), first, last))
        for start in range(0, len(flat), _LOOKUP_CHUNK):  # a chunk at a time: Python ints
            stop = start + _LOOKUP_CHUNK  # take 36 bytes each, arrays eight
            db.executemany(
                "INSERT INTO bands VALUES (?, ?, ?)",
                zip(
                    itertools.repeat(segment),
                    flat[start:stop].tolist(),
                    docs[start:stop].tolist(),
                ),
            )

    def _merge(self, db: sqlite3.Connection) -> None:
        """Merge the newest segments while `_MERGE_FAN_IN` of them share a size class."""
        while True:
            newest = db.execute(
                "SELECT id, documents, first_doc, last_doc FROM segments ORDER BY id DESC LIMIT ?",
                (_MERGE_FAN_IN,),
            ).fetchall()
            if len(newest) < _MERGE_FAN_IN:
                return
            classes = {_size_class(documents) for _, documents, _, _ in newest}
            if len(classes) != 1:
                return
            merged = int(db.execute("SELECT max(id) + 1 FROM segments").fetchone()[0])
            ids = [row[0] for row in newest]
            marks = ",".join("?" * len(ids))
            db.execute(
                f"INSERT INTO bands SELECT ?, key, doc FROM bands WHERE segment IN ({marks}) "
                "ORDER BY key, doc",
                (merged, *ids),
            )
            db.execute(f"DELETE FROM bands WHERE segment IN ({marks})", ids)
            db.execute(f"DELETE FROM segments WHERE id IN ({marks})", ids)
            db.execute(
                "INSERT INTO segments VALUES (?, ?, ?, ?)",
                (
                    merged,
                    sum(row[1] for row in newest),
                    min(row[2] for row in newest),
                    max(row[3] for row in newest),
                ),
            )

    def _forget(
        self, db: sqlite3.Connection, names: Sequence[str], ranges: Sequence[tuple[int, int]]
    ) -> int:
        """Delete these batches, their documents and band rows (inside a transaction)."""
        removed = 0
        for name, (first, last) in zip(names, ranges, strict=True):
            segments = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM segments WHERE first_doc <= ? AND last_doc >= ?",
                    (last, first),
                )
            ]
            for segment in segments:
                db.execute(
                    "DELETE FROM bands WHERE segment = ? AND doc BETWEEN ? AND ?",
                    (segment, first, last),
                )
            removed += db.execute(
                "DELETE FROM docs WHERE id BETWEEN ? AND ?", (first, last)
            ).rowcount
            db.execute("DELETE FROM batches WHERE name = ?", (name,))
        if names:  # segments left with no rows are dropped
            db.execute(
                "DELETE FROM segments WHERE NOT EXISTS "
                "(SELECT 1 FROM bands WHERE bands.segment = segments.id)"
            )
        return removed

    def prune(self, before: str) -> tuple[list[str], int]:
        """Remove the batches indexed before this date (ISO, e.g. 2024-05-01), in one
        transaction; returns their names and how many documents went."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            old = db.execute(
                "SELECT name, first_doc, last_doc FROM batches WHERE indexed_at < ? ORDER BY id",
                (before,),
            ).fetchall()
            names = [row[0] for row in old]
            removed = self._forget(db, names, [(row[1], row[2]) for row in old])
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return names, removed

    # Reports

    def stats(self) -> IndexStats:
        db = self.db
        batches = [
            BatchInfo(name, at, last - first + 1)
            for name, at, first, last in db.execute(
                "SELECT name, indexed_at, first_doc, last_doc FROM batches ORDER BY id"
            )
        ]
        documents = int(db.execute("SELECT count(*) FROM docs").fetchone()[0])
        text = int(db.execute("SELECT coalesce(sum(length(text)), 0) FROM docs").fetchone()[0])
        segments = int(db.execute("SELECT count(*) FROM segments").fetchone()[0])
        bands = int(db.execute("SELECT count(*) FROM bands").fetchone()[0])
        size = self.path.stat().st_size
        return IndexStats(str(self.path), documents, batches, segments, bands, size, text)

    def integrity(self) -> str:
        """SQLite's own check of the file: 'ok', or what is wrong."""
        return "\n".join(row[0] for row in self.db.execute("PRAGMA integrity_check"))


def _size_class(documents: int) -> int:
    return int(math.log(max(1, documents), _MERGE_FAN_IN))
