"""Near-copy detection over texts on disk (`cleaner dedup`): the same engine as the batch.

Workers read their share of the input (a list of .txt files, or a byte range of a JSONL file)
and return one fingerprint per text; the parent keeps fingerprints and where each text lives,
never the texts, and re-reads only the texts of candidate pairs to verify them. Inputs are
local paths or fsspec URLs (a `cleaner clean` output on object storage), as for the batch.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from cleaner.corpus.near_copies import NearDuplicate, NearDuplicateIndex
from cleaner.corpus.signatures import DedupConfig, Fingerprint, fingerprint
from cleaner.read.decode import (
    InputError,
    ReadLimits,
    decode_text,
    read_bytes,
    read_url_file,
    unpack,
)
from cleaner.read.inputs import find_input_files
from cleaner.run.engine import Engine, LocalEngine
from cleaner.run.workers import Failed
from cleaner.storage import is_url, local_or_url, open_stored, url_size
from cleaner.write.outputs import MANIFEST_NAME

if TYPE_CHECKING:  # the persistent index (SQLite) is imported only when one is used
    from cleaner.corpus.index import CopyIndex

# A worker's share of a JSONL file, and of a folder of .txt files.
_JSONL_CHUNK_BYTES = 4 << 20
_FILES_PER_CHUNK = 256


@dataclass(frozen=True)
class TextRef:
    """Where one text lives: a whole file, or one line of a JSONL file (a local path or a
    URL)."""

    path: str
    offset: int = -1
    length: int = 0


@dataclass(frozen=True)
class _Chunk:
    path: str
    start: int = 0
    end: int = 0
    files: tuple[tuple[str, str], ...] = ()
    error: str = ""  # the JSONL file could not be opened: its one error row


@dataclass
class DedupResult:
    """What `dedup_files` found, and what it could not read."""

    documents: int = 0
    duplicates: list[NearDuplicate] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def read_text(ref: TextRef) -> str:
    """The text behind a reference (decoded as the first pass decoded it)."""
    if ref.offset < 0:
        return decode_text(_stored_bytes(ref.path), is_html=False)
    with open_stored(ref.path) as stream:
        stream.seek(ref.offset)
        record = json.loads(stream.read(ref.length))
    return str(record["text"])


def _stored_bytes(location: str) -> bytes:
    if not is_url(location):
        return read_bytes(Path(location))
    limit = ReadLimits().max_bytes
    return unpack(read_url_file(location, limit), PurePosixPath(location), limit)


def read_text_for_pairs(ref: TextRef) -> str:
    """A candidate's text read again, to verify a pair: one that cannot be read any more
    (gone, a store's error) is empty, so it pairs with nothing and the run goes on."""
    try:
        return read_text(ref)
    except Exception:  # the first pass read it; whatever failed now, it is one text
        return ""


# Finding where a JSONL's ranges end reads one line at each boundary: small reads.
_SCAN_BLOCK_BYTES = 64 * 1024


def dedup_files(
    inputs: Sequence[Path | str],
    config: DedupConfig | None = None,
    jobs: int = 1,
    engine: Engine | None = None,
    index: Path | None = None,
    batch_name: str | None = None,
) -> DedupResult:
    """Near copies among cleaned texts: .txt files (folders walked) and JSONL with id/text.

    `engine` runs the work (default: `jobs` processes on this machine). With `index`, the
    texts are also checked against the persistent index and added to it as the batch
    `batch_name` (default: the inputs' locations, joined by commas).
    """
    settings = config or DedupConfig()
    with contextlib.ExitStack() as stack:
        copies = None
        if index:
            from cleaner.run.indexing import open_index

            copies = stack.enter_context(open_index(index, settings))
        return _dedup(inputs, settings, engine or LocalEngine(jobs), copies, batch_name)


def _dedup(
    inputs: Sequence[Path | str],
    settings: DedupConfig,
    engine: Engine,
    copies: CopyIndex | None,
    batch_name: str | None,
) -> DedupResult:
    index = NearDuplicateIndex(settings)
    refs: list[TextRef] = []
    result = DedupResult()
    chunks: dict[int, _Chunk] = {}

    def tasks() -> Iterator[tuple[int, _Chunk]]:
        for number, chunk in enumerate(_chunks(inputs)):
            chunks[number] = chunk
            yield number, chunk

    for number, done in _in_order(engine.map(_fingerprint_chunk, tasks(), settings, partition=1)):
        chunk = chunks.pop(number)
        if isinstance(done, Failed):  # the worker died on it: its texts are error rows
            names = [name for name, _ in chunk.files] or [f"{chunk.path}@{chunk.start}"]
            result.errors.extend((name, done.reason) for name in names)
            continue
        for doc_id, ref, print_, error in done:
            if error is not None:
                result.errors.append((doc_id, error))
                continue
            assert print_ is not None
            index.add(doc_id, print_)
            refs.append(ref)
    result.documents = len(refs)
    found = engine.near_copies(index, refs.__getitem__, read_text_for_pairs)
    if copies is None:
        result.duplicates = [
            NearDuplicate(index.ids[key], index.ids[canonical], similarity)
            for key, canonical, similarity in found
        ]
        return result
    name = batch_name or ",".join(_where(local_or_url(str(given))) for given in inputs)
    from cleaner.run.indexing import add_batch, match_batch

    matched = match_batch(copies, name, index, found, lambda key: read_text_for_pairs(refs[key]))
    add_batch(
        copies, name, index, matched, lambda key: (refs[key].path, read_text_for_pairs(refs[key]))
    )
    result.duplicates = [
        NearDuplicate(index.ids[key], duplicate_of, similarity)
        for key, (duplicate_of, similarity) in sorted(matched.duplicates.items())
    ]
    return result


_Done = list[tuple[str, TextRef, Fingerprint | None, str | None]]


def _in_order(
    results: Iterable[tuple[int, _Done | Failed]],
) -> Iterator[tuple[int, _Done | Failed]]:
    """Chunks' results in chunk order (they finish in any order): the index, and so the
    choice among equal candidates, does not depend on timing."""
    waiting: dict[int, _Done | Failed] = {}
    following = 0
    for number, done in results:
        waiting[number] = done
        while following in waiting:
            yield following, waiting.pop(following)
            following += 1


def _chunks(inputs: Sequence[Path | str]) -> Iterator[_Chunk]:
    files: list[tuple[str, str]] = []
    given = [local_or_url(location) for location in inputs]
    named = {_where(location) for location in given}
    for path, relative in find_input_files(given):
        location = _where(path)
        name = relative.name.lower()
        if name == MANIFEST_NAME and location not in named:
            continue  # a `cleaner clean` output folder: its manifest is not a text
        if name.endswith(".jsonl"):
            yield from _jsonl_chunks(location)
        elif name.endswith((".txt", ".txt.gz")):
            files.append((relative.as_posix(), location))
            if len(files) == _FILES_PER_CHUNK:
                yield _Chunk("", files=tuple(files))
                files = []
    if files:
        yield _Chunk("", files=tuple(files))


def _where(location: Path | str) -> str:
    """An absolute path, or the URL: what workers (and a cluster's) can open."""
    return str(location.absolute()) if isinstance(location, Path) else location


def _jsonl_chunks(location: str) -> Iterator[_Chunk]:
    """Byte ranges of about `_JSONL_CHUNK_BYTES`, each ending at a line end."""
    try:
        size = url_size(location) if is_url(location) else Path(location).stat().st_size
        with open_stored(location, _SCAN_BLOCK_BYTES) as stream:
            ends = []
            start = 0
            while start < size:
                stream.seek(min(size, start + _JSONL_CHUNK_BYTES))
                stream.readline()
                end = min(size, stream.tell()) if start + _JSONL_CHUNK_BYTES < size else size
                ends.append(end)
                start = end
    except Exception as error:  # unreadable: denied, gone, the store's own errors
        yield _Chunk(location, error=f"cannot read: {type(error).__name__}: {error}")
        return
    for start, end in zip([0, *ends], ends, strict=False):
        yield _Chunk(location, start, end)


def _fingerprint_chunk(chunk: _Chunk, config: DedupConfig) -> _Done:
    done: _Done = []
    for doc_id, path in chunk.files:
        ref = TextRef(path)
        try:
            done.append((doc_id, ref, fingerprint(read_text(ref), config), None))
        except InputError as error:
            done.append((doc_id, ref, None, str(error)))
    if not chunk.path:
        return done
    if chunk.error:
        return [(chunk.path, TextRef(chunk.path), None, chunk.error)]
    offset = chunk.start
    try:
        with open_stored(chunk.path) as stream:
            stream.seek(chunk.start)
            while offset < chunk.end:
                line = stream.readline()
                ref = TextRef(chunk.path, offset, len(line))
                number_hint = f"{chunk.path}@{offset}"
                offset += len(line)
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    doc_id, text = str(record["id"]), record["text"]
                    if not isinstance(text, str):
                        raise TypeError("'text' is not a string")
                except (ValueError, KeyError, TypeError) as error:
                    done.append((number_hint, ref, None, f"bad JSONL record: {error}"))
                    continue
                done.append((doc_id, ref, fingerprint(text, config), None))
    except OSError as error:  # the file went away or its store failed: the rest is lost
        reason = f"cannot read: {type(error).__name__}: {error}"
        done.append((f"{chunk.path}@{offset}", TextRef(chunk.path), None, reason))
    return done
