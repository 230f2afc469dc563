"""Cleaning a whole batch on this machine: read -> clean (in parallel) -> near copies -> write.

Workers read, clean and write each document's output themselves and hand back a manifest
row and a near-copy fingerprint, never the text. While the batch runs, `manifest.jsonl` is
its journal (`cleaner.run.journal`): the same command run again resumes where a killed run
stopped.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cleaner.clean.pipeline import clean_document
from cleaner.corpus.learn import (
    BlockCounts,
    Keys,
    block_keys,
    paragraphs_of,
    rule_name,
    site_key,
)
from cleaner.corpus.near_copies import NearDuplicateIndex
from cleaner.corpus.signatures import Fingerprint, fingerprint
from cleaner.document import Document
from cleaner.read.inputs import Source, iter_sources, read_source
from cleaner.run.engine import Engine, LocalEngine
from cleaner.run.journal import Journal, Learned, Reuse, reuse_of, settings_digest, write_manifest
from cleaner.run.learning import KEPT_ASIDE, Learning, read_output
from cleaner.run.lock import exclusive
from cleaner.run.options import BatchError, BatchOptions, BatchReport, WorkerSettings
from cleaner.run.workers import Failed
from cleaner.storage import join_url
from cleaner.write.folder import Folder, journal_folder
from cleaner.write.outputs import (
    MANIFEST_NAME,
    atomic_output,
    body_start,
    output_path,
    render,
)
from cleaner.write.parquet import write_parquet

if TYPE_CHECKING:  # the persistent index (SQLite) is imported only by a batch that uses it
    from cleaner.corpus.index import CopyIndex

# What `atomic_output` names its temporary files; a killed run leaves some behind.
# Present while the learning stage changes outputs (see _LEARNING_MARK's use).
_LEARNING_MARK = ".cleaner-learning"
_TEMPORARY = re.compile(r"^\..+\.\d+\.[0-9a-f]{8}\.tmp$")
_LEFT_BY_A_KILLED_RUN = re.compile(f"{_TEMPORARY.pattern}|{KEPT_ASIDE.pattern}")


@dataclass(frozen=True)
class _Task:
    source: Source
    reuse: Reuse | None = None


@dataclass(frozen=True)
class _Outcome:
    row: dict[str, Any] | None  # None: the previous run's row stands
    fingerprint: Fingerprint | None = None  # only when learning is off (else computed after)
    body_start: int = 0
    blocks: Keys | None = None  # (site, paragraph) keys in text order, for learning
    site: str = ""
    written: bool = False  # an output was written (status ok)
    held: tuple[int, ...] = ()  # keys of paragraphs learned in an earlier run (not in text)
    disk_full: bool = False  # its output could not be written: no space left


def clean_batch(
    inputs: Iterable[Path | str],
    out: Path | str,
    options: BatchOptions,
    on_document: Callable[[dict[str, Any]], None] | None = None,
    engine: Engine | None = None,
) -> BatchReport:
    """Clean every input into `out`, write `out/manifest.jsonl`, and report.

    Args:
        inputs: files and folders (walked recursively, sorted), local or fsspec URLs.
        out: output folder, local or an fsspec URL (its journal is then kept on this
            machine, see cleaner.write.folder.journal_folder); never read as input.
        options: cleaning, near-copy, output and limit settings.
        on_document: called with each manifest row as its document finishes (progress).
        engine: where the work runs (default: `options.jobs` processes on this machine).

    Raises:
        BatchError: another run is writing to `out`, or using `options.index`.
    """
    folder = Folder.of(out)
    local = folder.local or journal_folder(folder.root)
    _writable(local)
    with exclusive(local), contextlib.ExitStack() as stack:
        index: CopyIndex | None = None
        if options.index is not None:  # locked before any work: a second run is refused now
            from cleaner.run.indexing import open_index

            index = stack.enter_context(open_index(options.index, options.dedup))
        _remove_temporaries(local)
        journal_path = local / MANIFEST_NAME
        if folder.local is None and not options.force and not journal_path.exists():
            _fetch_manifest(folder, journal_path)  # resuming a run from another machine
        try:
            with Journal(journal_path, fresh=options.force) as journal:
                engine = engine or LocalEngine(options.jobs)
                target = (folder, index)
                report = _clean_into(inputs, target, options, journal, on_document, engine)
        except OSError as error:
            if error.errno not in _DISK_FULL:
                raise
            _remove_temporaries(local)  # what the stopped workers were writing
            raise BatchError(
                f"no space left on the device of {folder.root} ({error.strerror}): the batch "
                "stopped; every output written is whole, and the same command run again once "
                "there is space resumes it"
            ) from None
        if folder.local is None:
            folder.write(MANIFEST_NAME, journal_path.read_text("utf-8"))
            report.manifest = join_url(folder.root, MANIFEST_NAME)
        return report


# A full disk (or quota): the batch cannot go on, whatever document comes next.
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def _writable(local: Path) -> None:
    """Refuse an output folder that cannot be written before any work, not after a night."""
    probe = local / f".cleaner-probe.{os.getpid()}"
    try:
        local.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise BatchError(f"cannot write to {local}: {error.strerror or error}") from None


def _fetch_manifest(folder: Folder, journal_path: Path) -> None:
    try:
        data = folder.read_bytes(MANIFEST_NAME)
    except OSError:
        return  # a first run
    with atomic_output(journal_path) as stream:
        stream.write(data.decode("utf-8"))


def _clean_into(
    inputs: Iterable[Path | str],
    target: tuple[Folder, CopyIndex | None],
    options: BatchOptions,
    journal: Journal,
    on_document: Callable[[dict[str, Any]], None] | None,
    engine: Engine,
) -> BatchReport:
    out, copy_index = target
    settings = WorkerSettings(options, out)
    settings_hash = settings_digest(options)
    report = BatchReport()
    listed = iter_sources(list(inputs), exclude=out.local or out.root, limits=options.limits)
    sources = _documents(listed, report)
    index = NearDuplicateIndex(options.dedup)
    offsets = array("q")  # document number -> its row's offset in the journal
    outputs: list[tuple[str, int]] = []  # near-copy key -> (output, where its body starts)
    ids: list[str] = []  # near-copy key -> document id
    key_document: list[int] = []  # near-copy key -> document number
    blocks = BlockCounts()
    sites: list[str] = []  # near-copy key -> learning site key

    # A run killed while learning left outputs half changed: their documents are redone.
    interrupted = out.exists(_LEARNING_MARK)
    if interrupted:  # its documents are redone: what learning had kept aside is stale
        out.remove_matching(KEPT_ASIDE)

    def task_for(source: Source) -> tuple[_Task, int | None]:
        offset = None if options.force else journal.find(source)
        if offset is None:
            return _Task(source), None
        name = output_path(source.output_name, options.output_format)
        reuse = reuse_of(journal.row_at(offset), settings_hash, options.output_format, name)
        if reuse and reuse.output and interrupted:
            reuse = None
        return _Task(source, reuse), offset if reuse else None

    written: list[
        tuple[int, str, int, str, str, Keys | None, tuple[int, ...], Fingerprint | None]
    ] = []
    marked: set[int] = set()  # documents whose row says it is a near copy
    # Closed on the way out, whatever stops the loop: the workers are stopped (killed, if
    # busy) before the caller removes what they were writing.
    with contextlib.closing(_run(sources, settings, task_for, engine)) as finishing:
        for number, outcome, previous in finishing:
            if outcome.disk_full:  # no row: the document is redone by the next run
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            if outcome.row is None and previous is not None:
                offset, row = previous, journal.row_at(previous)
                report.reused += 1
            else:
                row = outcome.row or {}
                row["settings_hash"] = settings_hash
                offset = journal.append(row)
            offsets.extend([-1] * (number + 1 - len(offsets)))
            offsets[number] = offset
            report.count(row)
            if row.get("duplicate_of") is not None:  # a previous run's mark, to be judged again
                marked.add(number)
            if outcome.written:
                where = (row["output"], outcome.body_start, row["id"], outcome.site, outcome.blocks)
                written.append((number, *where, outcome.held, outcome.fingerprint))
            if on_document:
                on_document(row)

    # Documents finish in any order; everything after this works in input order.
    # Taken from the end, so each outcome is freed as soon as the index holds what it needs.
    written.sort(key=lambda item: item[0], reverse=True)
    while written:
        number, output, start, doc_id, site, keys, held, print_ = written.pop()
        outputs.append((output, start))
        ids.append(doc_id)
        key_document.append(number)
        sites.append(site)
        if print_ is not None:
            index.add(doc_id, print_)
        if keys is not None:
            blocks.add(keys, np.array(held, dtype=np.uint64))

    read = functools.partial(read_output, out, options.output_format)

    learned: dict[int, Learned] = {}
    if options.learn.enabled:
        out.write(_LEARNING_MARK, "learning in progress\n")
        learning = Learning(settings, outputs, sites, blocks, engine)
        found, by_key = learning.run(index, ids)
        for key, (texts, chars_out) in by_key.items():
            learned[key_document[key]] = Learned(rule_name(sites[key]), texts, chars_out)
        report.learned_documents = len(learned)
    else:
        found = engine.near_copies(index, outputs.__getitem__, read)
    if copy_index is not None:
        from cleaner.run.indexing import add_batch, match_batch

        name = options.batch_name or str(out.local.absolute() if out.local else out.root)
        matched = match_batch(copy_index, name, index, found, lambda key: read(outputs[key]))

        def describe(key: int) -> tuple[str, str]:
            source = journal.row_at(offsets[key_document[key]])["source"]
            return str(source), read(outputs[key])

        add_batch(copy_index, name, index, matched, describe)  # before outputs may be dropped
        marks = matched.duplicates
    else:
        marks = {key: (ids[canonical], sim) for key, canonical, sim in found}
    duplicates = {key_document[key]: found_as for key, found_as in marks.items()}
    report.duplicates = len(duplicates)
    changed = marked | duplicates.keys() | learned.keys()
    report.manifest = write_manifest(
        journal, offsets, changed, out, duplicates, learned, options, report
    )
    if options.output_format == "parquet":
        report.tables = write_parquet(out, journal.path, lambda row: read((row["output"], 0)))
    out.unlink(_LEARNING_MARK)
    return report


def _documents(sources: Iterator[Source], report: BatchReport) -> Iterator[Source]:
    """The sources that are documents; WARC records that are not are counted, not rows."""
    for source in sources:
        if source.skipped:
            report.skipped[source.skipped] += 1
        else:
            yield source


def _remove_temporaries(out: Path) -> None:
    """Delete the half-written outputs and texts kept aside for learning that a killed run
    left (only names atomic_output and learning make)."""
    Folder.of(out).remove_matching(_LEFT_BY_A_KILLED_RUN)


def _run(
    sources: Iterator[Source],
    settings: WorkerSettings,
    task_for: Callable[[Source], tuple[_Task, int | None]],
    engine: Engine,
) -> Generator[tuple[int, _Outcome, int | None], None, None]:
    """(document number, outcome, previous row's offset if reusable), in completion order."""
    in_flight: dict[int, tuple[Source, int | None]] = {}

    def tasks() -> Iterator[tuple[int, _Task]]:
        for number, source in enumerate(sources):
            task, previous = task_for(source)
            in_flight[number] = (source, previous)
            yield number, task

    for number, result in engine.map(_process, tasks(), settings, settings.options.timeout_s):
        source, previous = in_flight.pop(number)
        if isinstance(result, Failed):
            doc = Document(id=source.id, source=source.source, kind=source.kind, url=source.url)
            doc.status, doc.reason = "error", result.reason
            result = _Outcome(doc.manifest_row())
        yield number, result, previous


def _process(task: _Task, settings: WorkerSettings) -> _Outcome:
    """Read, clean and write one document; any failure becomes its manifest row."""
    options, source = settings.options, task.source
    try:
        raw, digest = read_source(source, options.limits)
        if task.reuse and digest == task.reuse.input_hash:
            done = _finished(task.reuse, settings)
            if done:
                return done
        doc = clean_document(raw, options.clean)
        doc.input_hash = digest
        if doc.status != "ok":
            return _Outcome(doc.manifest_row())
        relative = output_path(source.output_name, options.output_format)
        settings.out.write(relative, render(doc, options.output_format))
        doc.output = relative
        start = body_start(doc, options.output_format)
        return _written(doc.manifest_row(), doc.text, start, site_key(doc.site, doc.url), options)
    except Exception as error:  # one bad document must never stop the batch
        if isinstance(error, OSError) and error.errno in _DISK_FULL:
            return _Outcome(None, disk_full=True)  # but a full disk stops it
        doc = Document(id=source.id, source=source.source, kind=source.kind, url=source.url)
        doc.status, doc.reason = "error", f"internal error: {type(error).__name__}: {error}"
        return _Outcome(doc.manifest_row())


def _finished(reuse: Reuse, settings: WorkerSettings) -> _Outcome | None:
    """The previous run's result for an unchanged input, if its output is still there."""
    if reuse.output is None:
        return _Outcome(None)
    try:
        text = settings.out.read_body(
            reuse.output, settings.options.output_format, reuse.body_start
        )
    except (OSError, ValueError, KeyError):
        return None  # output gone or damaged: clean the document again
    outcome = _written(None, text, reuse.body_start, reuse.site, settings.options)
    return replace(outcome, held=reuse.learned)


def _written(
    row: dict[str, Any] | None, text: str, start: int, site: str, options: BatchOptions
) -> _Outcome:
    """A written document's outcome: its block keys when the batch learns (it is
    fingerprinted after learning), else its fingerprint now."""
    if options.learn.enabled:
        keys = block_keys(site, paragraphs_of(text))
        return _Outcome(row, None, start, keys, site, written=True)
    return _Outcome(row, fingerprint(text, options.dedup), start, site=site, written=True)
