"""Cleaning a whole batch on this machine: read -> clean (in parallel) -> near copies -> write.

Workers read, clean and write each document's output themselves and hand back a manifest
row and a near-copy fingerprint, never the text. The parent streams rows into a journal and
holds fingerprints only; the near-copy stage re-reads the outputs of candidate pairs, and
then the journal becomes `manifest.jsonl` in one atomic rename.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from cleaner.dedup import DedupConfig, Fingerprint, NearDuplicateIndex, fingerprint, word_hashes
from cleaner.document import Document
from cleaner.io import (
    MANIFEST_NAME,
    OUTPUT_SUFFIX,
    OutputFormat,
    Source,
    atomic_output,
    body_start,
    iter_sources,
    read_body,
    read_source,
    render,
    write_atomic,
)
from cleaner.langid import load_profiles
from cleaner.pipeline import CleanConfig, clean_document

# Documents handed to the workers ahead of the one being written: enough to keep every
# core busy, few enough that memory does not grow with the size of the batch.
_IN_FLIGHT_PER_JOB = 64
_CHUNK = 4

T = TypeVar("T")


@dataclass(frozen=True)
class BatchOptions:
    """How a batch is cleaned and written."""

    clean: CleanConfig = field(default_factory=CleanConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    output_format: OutputFormat = "txt"
    jobs: int = 1
    drop_duplicates: bool = False


@dataclass
class BatchReport:
    """What a batch did, for the summary and the exit code."""

    documents: int = 0
    status: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    sites: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    chars_in: int = 0
    chars_out: int = 0
    manifest: Path | None = None

    def count(self, row: dict[str, Any]) -> None:
        self.documents += 1
        self.status[row["status"]] += 1
        if row["reason"]:
            self.reasons[f"{row['status']}: {row['reason']}"] += 1
        if row["status"] == "ok":
            self.languages[row["lang"] or "unknown"] += 1
            self.sites[row["site"] or "(generic)"] += 1
            self.chars_in += row["chars_in"]
            self.chars_out += row["chars_out"]
        for removal in row["removed"]:
            self.removed[_rule_family(removal["rule"])] += 1


def _rule_family(rule: str) -> str:
    """'site:dawn:drop[2]' counts as 'site:dawn'; generic rules count as themselves."""
    return ":".join(rule.split(":")[:2]) if rule.startswith("site:") else rule


@dataclass(frozen=True)
class _Outcome:
    row: dict[str, Any]
    fingerprint: Fingerprint | None = None
    body_start: int = 0


@dataclass(frozen=True)
class _WorkerSettings:
    options: BatchOptions
    out: Path


def clean_batch(
    inputs: Iterable[Path],
    out: Path,
    options: BatchOptions,
    on_document: Callable[[dict[str, Any]], None] | None = None,
) -> BatchReport:
    """Clean every input into `out`, write `out/manifest.jsonl`, and report.

    Args:
        inputs: files and folders (walked recursively, sorted).
        out: output folder; never read as input even when inside an input folder.
        options: cleaning, near-copy and output settings.
        on_document: called with each manifest row as its document finishes (progress).
    """
    out.mkdir(parents=True, exist_ok=True)
    settings = _WorkerSettings(options, out)
    sources = iter_sources(list(inputs), exclude=out)
    report = BatchReport()
    index = NearDuplicateIndex(options.dedup)
    work = Path(tempfile.mkdtemp(prefix=".cleaner-work-", dir=out))
    try:
        journal_path = work / "rows.jsonl"
        outputs: list[tuple[str, int]] = []
        key_row: list[int] = []
        with open(journal_path, "w", encoding="utf-8") as journal:
            for number, outcome in enumerate(_run(sources, settings)):
                journal.write(json.dumps(outcome.row, ensure_ascii=False) + "\n")
                if outcome.fingerprint is not None:
                    outputs.append((outcome.row["output"], outcome.body_start))
                    index.add(outcome.row["id"], outcome.fingerprint)
                    key_row.append(number)
                if on_document:
                    on_document(outcome.row)

        def load_text(key: int) -> str:
            relative, start = outputs[key]
            return read_body(out / relative, options.output_format, start)

        found = index.duplicate_keys(load_text)
        duplicates = {
            key_row[key]: (index.ids[canonical], similarity) for key, canonical, similarity in found
        }
        report.duplicates = len(duplicates)
        report.manifest = _write_manifest(journal_path, out, duplicates, options, report)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def _write_manifest(
    journal_path: Path,
    out: Path,
    duplicates: dict[int, tuple[str, float]],
    options: BatchOptions,
    report: BatchReport,
) -> Path:
    manifest = out / MANIFEST_NAME
    with atomic_output(manifest) as stream, open(journal_path, encoding="utf-8") as journal:
        for number, line in enumerate(journal):
            row = json.loads(line)
            if number in duplicates:
                row["duplicate_of"], row["similarity"] = duplicates[number]
                if options.drop_duplicates:
                    if row["output"]:
                        (out / row["output"]).unlink(missing_ok=True)
                    row["output"], row["status"], row["reason"] = None, "dropped", "duplicate"
            report.count(row)
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    return manifest


def _run(sources: Iterator[Source], settings: _WorkerSettings) -> Iterator[_Outcome]:
    jobs = max(1, settings.options.jobs)
    if jobs == 1:
        for source in sources:
            yield _process(source, settings)
        return
    slots = threading.BoundedSemaphore(jobs * _IN_FLIGHT_PER_JOB)
    with worker_context().Pool(jobs, _init_worker, (settings,)) as pool:
        for outcome in pool.imap(_process_in_worker, _throttled(sources, slots), chunksize=_CHUNK):
            slots.release()
            yield outcome


def worker_context() -> multiprocessing.context.BaseContext:
    """Fork when this process runs no other thread: workers then share what the parent has
    loaded (language profiles, rules) and start at once. With threads about (a host
    application), forking is unsafe: workers come from a fork server instead."""
    methods = multiprocessing.get_all_start_methods()
    # macOS lists "fork" too but its system libraries are not fork-safe.
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        load_profiles()
        word_hashes("warm")  # builds the word-character table once, before the fork
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["cleaner.batch"])
        return context
    return multiprocessing.get_context("spawn")


def _throttled(items: Iterable[T], slots: threading.BoundedSemaphore) -> Iterator[T]:
    for item in items:
        slots.acquire()
        yield item


# Set once in each worker process by the pool's initializer: the rules are unpickled and
# compiled once per worker, not once per document.
_worker_settings: _WorkerSettings | None = None


def _init_worker(settings: _WorkerSettings) -> None:
    global _worker_settings
    _worker_settings = settings


def _process_in_worker(source: Source) -> _Outcome:
    assert _worker_settings is not None, "worker used before its initializer ran"
    return _process(source, _worker_settings)


def _process(source: Source, settings: _WorkerSettings) -> _Outcome:
    """Read, clean and write one document; any failure becomes its manifest row."""
    options = settings.options
    try:
        doc = clean_document(read_source(source), options.clean)
        if doc.status != "ok":
            return _Outcome(doc.manifest_row())
        relative = source.output_name + OUTPUT_SUFFIX[options.output_format]
        write_atomic(settings.out / relative, render(doc, options.output_format))
        doc.output = relative
        start = body_start(doc, options.output_format)
        return _Outcome(doc.manifest_row(), fingerprint(doc.text, options.dedup), start)
    except Exception as error:  # one bad document must never stop the batch
        doc = Document(id=source.id, source=source.source, kind=source.kind, url=source.url)
        doc.status, doc.reason = "error", f"internal error: {type(error).__name__}: {error}"
        return _Outcome(doc.manifest_row())
