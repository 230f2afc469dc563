"""A batch against the persistent index (cleaner.corpus.index): near copies of earlier
batches' documents, then the batch added, whichever command runs it (`clean`, `dedup`,
`index add`) and whichever engine cleaned it (the lookups and the update run here, in the
process that holds the batch's results: a Dask client does them itself).

The rules are the batch's own: a candidate pair from shared LSH band keys is verified on the
two cleaned texts with `is_near_copy`, and clusters join across batches. A cluster of the
batch with a verified copy in the index joins that copy's cluster, whose canonical document
is the earliest indexed one: every member then names it as `<batch>:<id>`.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cleaner.corpus.index import CopyIndex, CopyIndexError, IndexedDoc, Lookup, NewDoc, index_keys
from cleaner.corpus.near_copies import NearDuplicateIndex, PairVerifier
from cleaner.corpus.signatures import DedupConfig, fingerprint
from cleaner.run.engine import NearCopies
from cleaner.run.lock import exclusive
from cleaner.run.options import BatchError
from cleaner.write.folder import Folder
from cleaner.write.outputs import MANIFEST_NAME, OutputFormat, markdown_header

# Test hook: seconds to wait inside the index update's transaction, just before its commit,
# so that tests can kill a run there (tests/test_index.py). Unset in normal use.
PAUSE_ENV = "CLEANER_INDEX_PAUSE_S"


@contextlib.contextmanager
def open_index(path: Path, config: DedupConfig) -> Iterator[CopyIndex]:
    """The index at `path` (made if missing), locked for this run: a second run that would
    update it is refused at once, before any work, rather than waiting on SQLite's lock
    for hours. The lock is a file beside the index, held by the system until this
    process ends (kill -9 included); worker processes do not inherit it."""
    path = path.absolute()
    lock = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BatchError(f"cannot write the index {path}: {error.strerror or error}") from None
    busy = f"another cleaner run is using the index {path}"
    with exclusive(lock, busy):
        try:
            index = CopyIndex(path, config)
        except CopyIndexError as error:
            raise BatchError(str(error)) from None
        with index:
            yield index


@dataclass
class Matched:
    """The batch's near copies with the index taken into account, by near-copy key:
    (duplicate_of, similarity); and each key's canonical for the index."""

    duplicates: dict[int, tuple[str, float]] = field(default_factory=dict)
    canonical: dict[int, tuple[int, bool]] = field(default_factory=dict)  # (key|row, in batch)
    lookup: Lookup = field(default_factory=Lookup)


def match_batch(
    index: CopyIndex,
    name: str,
    near: NearDuplicateIndex,
    found: NearCopies,
    load_text: Callable[[int], str],
) -> Matched:
    """Join the batch's clusters (`found`, from the engine) with copies in the index.

    Documents of the batch named `name` from an earlier run are left out: a batch run again
    does not find itself.
    """
    config = near.config
    usable = near.usable()
    earlier = index.batch_range(name)
    lookup = index.lookup(index_keys(near.signatures(usable), config), exclude=earlier)
    matched = Matched(lookup=lookup)
    cluster_of = {key: canonical for key, canonical, _ in found}
    for key, canonical, similarity in found:
        matched.duplicates[key] = (near.ids[canonical], similarity)
    for key in range(len(near.ids)):
        matched.canonical[key] = (cluster_of.get(key, key), True)
    if not len(lookup.pairs):
        return matched
    docs = index.documents(lookup.pairs[:, 1].tolist())

    def load(key: int) -> str:  # batch keys, and index rows as ~row (negative)
        return load_text(key) if key >= 0 else index.text(~key)

    verifier = PairVerifier(config, load)
    copies: dict[int, set[int]] = {}  # the batch's cluster (its canonical key) -> index rows
    for position, row in lookup.pairs.tolist():
        key, doc = int(usable[position]), docs.get(row)
        if doc is None:
            continue
        cluster = cluster_of.get(key, key)
        if row in copies.get(cluster, ()):
            continue
        same = near.sizes[key] == doc.shingles and near.digests[key] == doc.digest
        if same or verifier.near_copy(key, ~row):
            copies.setdefault(cluster, set()).add(row)
    if not copies:
        return matched
    canonicals = index.documents(docs[row].canonical for rows in copies.values() for row in rows)
    if earlier is not None:  # this batch's rows from an earlier run are about to go
        canonicals = {r: d for r, d in canonicals.items() if not earlier[0] <= r <= earlier[1]}
    members: dict[int, list[int]] = {}
    for key in range(len(near.ids)):
        members.setdefault(cluster_of.get(key, key), []).append(key)
    for cluster, rows in copies.items():
        target = min((_canonical(docs[row], canonicals) for row in rows), key=lambda d: d.row)
        for key in members[cluster]:
            same = near.sizes[key] == target.shingles and near.digests[key] == target.digest
            similarity = 1.0 if same else verifier.similarity(key, ~target.row)
            matched.duplicates[key] = (target.name, similarity)
            matched.canonical[key] = (target.row, False)
    return matched


def _canonical(doc: IndexedDoc, canonicals: dict[int, IndexedDoc]) -> IndexedDoc:
    """The canonical document of an indexed document's cluster (itself if that one has been
    pruned)."""
    return canonicals.get(doc.canonical, doc)


def add_batch(
    index: CopyIndex,
    name: str,
    near: NearDuplicateIndex,
    matched: Matched,
    describe: Callable[[int], tuple[str, str]],
) -> int:
    """Put the batch's documents in the index in one transaction; `describe(key)` gives a
    document's (source, text)."""
    sizes, digests = near.sizes, near.digests

    def docs() -> Iterator[NewDoc]:
        for key in range(len(near.ids)):
            source, text = describe(key)
            canonical, in_batch = matched.canonical[key]
            signature = near.signatures(np.array([key], dtype=np.intp))[0]
            yield NewDoc(near.ids[key], source, text, signature, sizes[key], digests[key],
                         canonical, in_batch)  # fmt: skip

    return index.add_batch(name, docs(), matched.lookup, before_commit=_pause_for_tests)


def _pause_for_tests() -> None:
    pause = os.environ.get(PAUSE_ENV)
    if pause:
        time.sleep(float(pause))


def index_folder(
    out: Path | str, path: Path, config: DedupConfig, batch_name: str | None = None
) -> tuple[int, int]:
    """Index an existing `cleaner clean` output folder (its manifest's ok documents) as the
    batch `batch_name` (default: the folder's absolute path or URL); returns (documents
    indexed, near copies found among them and in the index). The folder is only read."""
    folder = Folder.of(out)
    try:
        manifest = folder.read_bytes(MANIFEST_NAME).decode("utf-8")
    except OSError as error:
        raise BatchError(f"no manifest in {out}: {error}") from None
    near = NearDuplicateIndex(config)
    kept: list[tuple[str, str, OutputFormat, int]] = []  # source, output, format, body start
    for line in manifest.splitlines():
        row = json.loads(line)
        if row["status"] != "ok" or not row.get("output"):
            continue
        output = str(row["output"])
        fmt: OutputFormat = "md" if output.endswith(".md") else "txt"
        start = len(markdown_header(row["title"], row["date"], row["url"]).encode("utf-8"))
        if output.endswith(".json"):
            fmt, start = "json", -1
        elif fmt == "txt":
            start = 0
        kept.append((str(row["source"]), output, fmt, start))
        near.add(str(row["id"]), fingerprint(folder.read_body(output, fmt, start), config))

    def text(key: int) -> str:
        _, output, fmt, start = kept[key]
        return folder.read_body(output, fmt, start)

    found = near.duplicate_keys(text)
    name = batch_name or str(folder.local.absolute() if folder.local else folder.root)
    with open_index(path, config) as index:
        matched = match_batch(index, name, near, found, text)
        added = add_batch(index, name, near, matched, lambda key: (kept[key][0], text(key)))
    return added, len(matched.duplicates)
