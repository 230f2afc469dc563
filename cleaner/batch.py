"""Cleaning a whole batch on this machine: read -> clean (in parallel) -> near copies -> write.

Workers read, clean and write each document's output themselves and hand back a manifest
row and a near-copy fingerprint, never the text. While the batch runs, `manifest.jsonl` is
its journal: each row is appended and flushed as its document finishes, so a crash or a
kill loses at most the documents in flight. The same command run again takes every row
whose input and settings are unchanged (and whose output is there) as done, cleans the
rest, and then rewrites the manifest in input order with the near copies marked, in one
atomic rename.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from importlib import metadata
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np
import numpy.typing as npt

from cleaner.dedup import DedupConfig, Fingerprint, NearDuplicateIndex, fingerprint
from cleaner.document import Document
from cleaner.engine import Engine, LocalEngine, chunked
from cleaner.folder import Folder, body_of, journal_folder, with_body
from cleaner.io import (
    MANIFEST_NAME,
    OUTPUT_SUFFIX,
    OutputFormat,
    ReadLimits,
    Source,
    atomic_output,
    body_start,
    iter_sources,
    markdown_header,
    read_source,
    render,
)
from cleaner.learn import (
    BlockCounts,
    Keys,
    LearnConfig,
    block_keys,
    confirmed_blocks,
    paragraphs_of,
    rule_name,
    site_key,
)
from cleaner.pipeline import CleanConfig, clean_document
from cleaner.storage import join_url
from cleaner.workers import Failed

# Reasons that may not recur on a second try: such documents are redone by a rerun.
_TRANSIENT = re.compile(r"^(timeout after|worker process died|internal error|duplicate$)")
# What `atomic_output` names its temporary files; a killed run leaves some behind.
# Present while the learning stage changes outputs (see _LEARNING_MARK's use).
_LEARNING_MARK = ".cleaner-learning"
_TEMPORARY = re.compile(r"^\..+\.\d+\.[0-9a-f]{8}\.tmp$")
# Outputs as they were before learning changed them (see _learning_step); a run killed
# while learning leaves some behind, and redoes those documents.
_KEPT_ASIDE = re.compile(r"^\..+\.before-learning$")
_LEFT_BY_A_KILLED_RUN = re.compile(f"{_TEMPORARY.pattern}|{_KEPT_ASIDE.pattern}")


class BatchError(RuntimeError):
    """The batch cannot start (the message says why); no document was touched."""


@dataclass(frozen=True)
class BatchOptions:
    """How a batch is cleaned and written.

    `timeout_s` bounds each document: past it the worker is replaced and the document is an
    error row (None: no limit). `force` redoes documents a previous run finished.
    """

    clean: CleanConfig = field(default_factory=CleanConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    output_format: OutputFormat = "txt"
    jobs: int = 1
    drop_duplicates: bool = False
    limits: ReadLimits = field(default_factory=ReadLimits)
    timeout_s: float | None = 30.0
    force: bool = False
    learn: LearnConfig = field(default_factory=LearnConfig)


@dataclass
class BatchReport:
    """What a batch did, for the summary and the exit code."""

    documents: int = 0
    reused: int = 0
    status: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    sites: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    learned_documents: int = 0  # documents that lost learned boilerplate
    chars_in: int = 0
    chars_out: int = 0
    manifest: Path | str | None = None

    def count(self, row: dict[str, Any], times: int = 1) -> None:
        """Count a manifest row in (or out, with times=-1: a row that changed)."""
        self.documents += times
        _add(self.status, row["status"], times)
        if row["reason"]:
            _add(self.reasons, f"{row['status']}: {row['reason']}", times)
        if row["status"] == "ok":
            _add(self.languages, row["lang"] or "unknown", times)
            _add(self.sites, row["site"] or "(generic)", times)
            self.chars_in += times * row["chars_in"]
            self.chars_out += times * row["chars_out"]
        # A page's text can lose hundreds of lines to a few rules: each rule named once.
        for rule, n in Counter(removal["rule"] for removal in row["removed"]).items():
            _add(self.removed, _rule_family(rule), times * n)


def _add(counter: Counter[str], key: str, times: int) -> None:
    counter[key] += times
    if counter[key] <= 0:
        del counter[key]


def _rule_family(rule: str) -> str:
    """'site:dawn:drop[2]' counts as 'site:dawn'; generic rules count as themselves."""
    return ":".join(rule.split(":")[:2]) if rule.startswith("site:") else rule


@dataclass(frozen=True)
class _Reuse:
    """A previous run's row for this input: reusable if the input still has this digest."""

    input_hash: str
    output: str | None
    body_start: int
    site: str = ""  # the document's learning site key
    # Keys of the paragraphs learning took out of the output in an earlier run: the document
    # still holds them, for counting, so documents added later learn the same template.
    learned: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Task:
    source: Source
    reuse: _Reuse | None = None


@dataclass(frozen=True)
class _Outcome:
    row: dict[str, Any] | None  # None: the previous run's row stands
    fingerprint: Fingerprint | None = None  # only when learning is off (else computed after)
    body_start: int = 0
    blocks: Keys | None = None  # (site, paragraph) keys in text order, for learning
    site: str = ""
    written: bool = False  # an output was written (status ok)
    held: tuple[int, ...] = ()  # keys of paragraphs learned in an earlier run (not in text)


@dataclass(frozen=True)
class _Residual:
    """Learning: fingerprint a document without its repeated blocks (its residual).

    When the residual is a real article, the blocks are taken out of the output at once,
    before knowing which of them are boilerplate (nearly all are): the few that are not are
    put back by a `_Settle`. A document with almost nothing besides repeated blocks (a copy)
    keeps its output and its whole-text fingerprint until then.
    """

    output: str
    body_start: int
    site: str
    keys: tuple[int, ...]
    repeated: tuple[int, ...]


@dataclass(frozen=True)
class _Taken:
    """A document's repeated paragraphs: positions and keys, and whether they are already
    out of its output (the residual is an article: their texts are kept, to put back those
    that are not boilerplate) or not (the document is a copy: no texts needed yet)."""

    fingerprint: Fingerprint
    positions: npt.NDArray[np.int32] | None  # None for a copy: it is settled by keys
    keys: Keys | None
    texts: tuple[str, ...]
    chars_out: int
    written: bool


@dataclass(frozen=True)
class _Settle:
    """Learning: make an output its original text without the paragraphs at `drop`."""

    output: str
    body_start: int
    positions: tuple[int, ...]  # what the residual took out (when `written`)
    texts: tuple[str, ...]
    drop: frozenset[int]  # positions to leave out (when `written`)
    written: bool  # the output is the residual now (else the original)
    site: str = ""
    drop_keys: tuple[int, ...] = ()  # keys to leave out (when not `written`)


@dataclass(frozen=True)
class _Settled:
    fingerprint: Fingerprint
    chars_out: int
    removed: tuple[str, ...]


@dataclass(frozen=True)
class _WorkerSettings:
    options: BatchOptions
    out: Folder


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
            machine, see cleaner.folder.journal_folder); never read as input.
        options: cleaning, near-copy, output and limit settings.
        on_document: called with each manifest row as its document finishes (progress).
        engine: where the work runs (default: `options.jobs` processes on this machine).

    Raises:
        BatchError: another run is writing to `out`.
    """
    folder = Folder.of(out)
    local = folder.local or journal_folder(folder.root)
    local.mkdir(parents=True, exist_ok=True)
    with _exclusive(local):
        _remove_temporaries(local)
        journal_path = local / MANIFEST_NAME
        if folder.local is None and not options.force and not journal_path.exists():
            _fetch_manifest(folder, journal_path)  # resuming a run from another machine
        with _Journal(journal_path, fresh=options.force) as journal:
            engine = engine or LocalEngine(options.jobs)
            report = _clean_into(inputs, folder, options, journal, on_document, engine)
        if folder.local is None:
            folder.write(MANIFEST_NAME, journal_path.read_text("utf-8"))
            report.manifest = join_url(folder.root, MANIFEST_NAME)
        return report


def _fetch_manifest(folder: Folder, journal_path: Path) -> None:
    try:
        data = folder.read_bytes(MANIFEST_NAME)
    except OSError:
        return  # a first run
    with atomic_output(journal_path) as stream:
        stream.write(data.decode("utf-8"))


def _clean_into(
    inputs: Iterable[Path | str],
    out: Folder,
    options: BatchOptions,
    journal: _Journal,
    on_document: Callable[[dict[str, Any]], None] | None,
    engine: Engine,
) -> BatchReport:
    settings = _WorkerSettings(options, out)
    settings_hash = settings_digest(options)
    sources = iter_sources(list(inputs), exclude=out.local or out.root, limits=options.limits)
    report = BatchReport()
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
        out.remove_matching(_KEPT_ASIDE)

    def task_for(source: Source) -> tuple[_Task, int | None]:
        offset = None if options.force else journal.find(source)
        if offset is None:
            return _Task(source), None
        name = source.output_name + OUTPUT_SUFFIX[options.output_format]
        reuse = _reuse(journal.row_at(offset), settings_hash, options.output_format, name)
        if reuse and reuse.output and interrupted:
            reuse = None
        return _Task(source, reuse), offset if reuse else None

    written: list[
        tuple[int, str, int, str, str, Keys | None, tuple[int, ...], Fingerprint | None]
    ] = []
    marked: set[int] = set()  # documents whose row says it is a near copy
    for number, outcome, previous in _run(sources, settings, task_for, engine):
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

    learned: dict[int, _Learned] = {}
    if options.learn.enabled:
        out.write(_LEARNING_MARK, "learning in progress\n")
        learning = _Learning(settings, outputs, sites, blocks, engine)
        found, by_key = learning.run(index, ids)
        for key, (texts, chars_out) in by_key.items():
            learned[key_document[key]] = _Learned(rule_name(sites[key]), texts, chars_out)
        report.learned_documents = len(learned)
    else:
        found = engine.near_copies(index, outputs.__getitem__, read)
    duplicates = {key_document[key]: (ids[canonical], sim) for key, canonical, sim in found}
    report.duplicates = len(duplicates)
    changed = marked | duplicates.keys() | learned.keys()
    report.manifest = _write_manifest(
        journal, offsets, changed, out, duplicates, learned, options, report
    )
    out.unlink(_LEARNING_MARK)
    return report


@dataclass(frozen=True)
class _Learned:
    """What learning took out of one document, for its manifest row."""

    rule: str
    texts: list[str]
    chars_out: int


class _Learning:
    """The learning stage of a batch, between cleaning and near copies (see cleaner.learn).

    1. Every output loses its repeated blocks (those found in enough documents of its site)
       and is fingerprinted on what is left: near copies are then judged on what documents
       say of their own, and the same fingerprints serve the batch's near-copy stage.
    2. A repeated block is boilerplate when it is found around enough different articles:
       documents that are near copies of each other, or that have almost nothing of their
       own, count once.
    3. The few repeated blocks that are not boilerplate (a wire story's paragraphs) are put
       back, those documents fingerprinted again, and near copies found again.
    """

    def __init__(
        self,
        settings: _WorkerSettings,
        outputs: list[tuple[str, int]],
        sites: list[str],
        blocks: BlockCounts,
        engine: Engine,
    ) -> None:
        self.settings, self.outputs, self.sites, self.blocks = settings, outputs, sites, blocks
        self.engine = engine
        self.read = functools.partial(read_output, settings.out, settings.options.output_format)
        self.config = settings.options.learn
        self.repeated = blocks.repeated(self.config.min_documents)

    def run(
        self, index: NearDuplicateIndex, ids: list[str]
    ) -> tuple[list[tuple[int, int, float]], dict[int, tuple[list[str], int]]]:
        """(near copies as (key, canonical, similarity), and for each document that lost
        boilerplate: the paragraphs it lost and the characters it keeps)."""
        found, learned = self._learn(index, ids)
        # Learning is over: the texts kept aside are not needed. Only documents with
        # repeated blocks can have one (also those whose step failed or timed out). When
        # learning stops half way, they stay for the next run, which redoes the batch's
        # documents and sweeps them.
        for key in self.repeated:
            self.settings.out.unlink(backup_name(self.outputs[key][0]))
        return found, learned

    def _learn(
        self, index: NearDuplicateIndex, ids: list[str]
    ) -> tuple[list[tuple[int, int, float]], dict[int, tuple[list[str], int]]]:
        empty = fingerprint("", self.settings.options.dedup)
        prints = dict.fromkeys(range(len(self.outputs)), empty)
        taken: dict[int, _Taken] = {}
        for key, result in _map(self._residual_tasks(), self.settings, self.engine):
            if result is None:
                prints[key] = self._as_before(key)
            elif isinstance(result, Fingerprint):
                prints[key] = result
            elif isinstance(result, _Taken):
                # Held until the manifest is written: repeated paragraphs are mostly the same
                # few template lines, so each distinct text is kept once.
                shared = tuple(sys.intern(text) for text in result.texts)
                prints[key], taken[key] = result.fingerprint, replace(result, texts=shared)
        for key in range(len(self.outputs)):
            index.add(ids[key], prints[key])
        del prints
        self.blocks = BlockCounts()  # each document's keys are not needed any more
        found = self.engine.near_copies(index, self.outputs.__getitem__, self.read)
        if not taken:
            return found, {}
        group_of = {key: canonical for key, canonical, _ in found}
        # Documents with almost nothing of their own are copies of one another: one group.
        group_of.update({key: -1 for key, result in taken.items() if not result.written})
        confirmed = confirmed_blocks(self.repeated, group_of, self.config.min_documents)
        boilerplate = np.fromiter(confirmed, dtype=np.uint64, count=len(confirmed))
        learned: dict[int, tuple[list[str], int]] = {}
        for key, result in taken.items():
            if result.written and result.keys is not None:
                chosen = np.isin(result.keys, boilerplate).tolist()
                texts = [t for t, c in zip(result.texts, chosen, strict=True) if c]
                if texts:
                    learned[key] = (texts, result.chars_out)
        changed = False
        for key, settled in _map(
            self._settle_tasks(taken, boilerplate), self.settings, self.engine
        ):
            if settled is None:
                index.replace(key, self._as_before(key))
                changed = True
                learned.pop(key, None)
            elif isinstance(settled, _Settled):
                index.replace(key, settled.fingerprint)
                changed = True
                if settled.removed:
                    learned[key] = (list(settled.removed), settled.chars_out)
                else:
                    learned.pop(key, None)
        if changed:
            found = self.engine.near_copies(index, self.outputs.__getitem__, self.read)
        return found, learned

    def _as_before(self, key: int) -> Fingerprint:
        """A document whose learning step failed goes back to its output from before
        learning, so that it holds what its row says; its fingerprint is of that text."""
        output, start = self.outputs[key]
        out, backup = self.settings.out, backup_name(output)
        try:
            if out.exists(backup):
                out.write(output, out.read_bytes(backup).decode("utf-8"))
        except Exception as error:  # a full disk, the store's own errors
            # The copy kept aside stays, and so does the mark of learning in progress: the
            # next run redoes the documents, from their inputs.
            message = f"cannot put back {output} after its learning failed: {error}"
            raise BatchError(message) from error
        try:
            text = self.read((output, start))
        except (OSError, ValueError, KeyError):
            text = ""  # unreadable: it pairs with nothing, as the step would have had it
        return fingerprint(text, self.settings.options.dedup)

    def _settle_tasks(
        self, taken: dict[int, _Taken], boilerplate: Keys
    ) -> Iterator[tuple[int, _Settle]]:
        """Outputs that are not yet their final text: a residual with a paragraph that is not
        boilerplate after all, or a copy with a paragraph that is."""
        for key, result in taken.items():
            output, start = self.outputs[key]
            if result.written and result.keys is not None and result.positions is not None:
                chosen = np.isin(result.keys, boilerplate)
                if not chosen.all():
                    drop = frozenset(result.positions[chosen].tolist())
                    positions = tuple(result.positions.tolist())
                    yield key, _Settle(output, start, positions, result.texts, drop, True)
            elif not result.written:
                held = self.repeated[key]
                drop_keys = held[np.isin(held, boilerplate)]
                if len(drop_keys):
                    site, keys = self.sites[key], tuple(drop_keys.tolist())
                    yield key, _Settle(output, start, (), (), frozenset(), False, site, keys)

    def _residual_tasks(self) -> Iterator[tuple[int, _Residual]]:
        for key, (output, start) in enumerate(self.outputs):
            repeated = self.repeated.get(key)
            task = _Residual(
                output,
                start,
                self.sites[key],
                tuple(self.blocks.ordered(key).tolist()),
                () if repeated is None else tuple(repeated.tolist()),
            )
            yield key, task


# Learning steps are short: several go to a worker at once, to spare round trips.
_LEARNING_CHUNK = 16
T = TypeVar("T")


def _map(
    tasks: Iterator[tuple[int, Any]], settings: _WorkerSettings, engine: Engine
) -> Iterator[tuple[int, Any]]:
    """(key, result) for every learning task, a chunk of them per worker round trip; None
    for a step that failed, whose output may have been rewritten all the same.

    A chunk whose worker died or ran out of time is tried again a step at a time (steps can
    run twice: each works from the output as it was before learning), so that one step
    costs only itself.
    """
    timeout = settings.options.timeout_s
    sent: dict[int, list[tuple[int, Any]]] = {}

    def numbered(chunks: Iterator[list[tuple[int, Any]]]) -> Iterator[tuple[int, Any]]:
        for number, chunk in enumerate(chunks):
            sent[number] = chunk
            yield number, chunk

    def run(chunks: Iterator[list[tuple[int, Any]]]) -> Iterator[tuple[int, Any]]:
        work = numbered(chunks)
        yield from engine.map(_learning_steps, work, settings, timeout, partition=1)

    again: list[tuple[int, Any]] = []
    for number, results in run(chunked(tasks, _LEARNING_CHUNK)):
        chunk = sent.pop(number)
        if isinstance(results, list):
            yield from results
        else:
            again.extend(chunk)
    for number, results in run([task] for task in again):
        chunk = sent.pop(number)
        yield from results if isinstance(results, list) else [(chunk[0][0], None)]


def _reuse(
    row: dict[str, Any], settings_hash: str, fmt: OutputFormat, output: str
) -> _Reuse | None:
    """What of a previous row can stand, if its input turns out unchanged.

    `output` is the name this run gives the document's output: names are handed out in
    input order, so another input may have taken the old one.
    """
    if row.get("settings_hash") != settings_hash or not row.get("input_hash"):
        return None
    if row["reason"] and _TRANSIENT.match(row["reason"]):
        return None
    if row["status"] != "ok":
        return _Reuse(row["input_hash"], None, 0)
    if row["output"] != output:
        return None
    header = markdown_header(row["title"], row["date"], row["url"])
    start = {"txt": 0, "md": len(header.encode("utf-8")), "json": -1}[fmt]
    site = site_key(row["site"], row["url"])
    gone = [r["text"] for r in row["removed"] if r["rule"].startswith("learned:")]
    learned = tuple(block_keys(site, gone).tolist()) if gone else ()
    return _Reuse(row["input_hash"], row["output"], start, site, learned)


def settings_digest(options: BatchOptions) -> str:
    """A digest of everything that shapes one document's output and row.

    Rows made with other settings (or another cleaner version) are redone, not reused.
    Near-copy settings are not in it: that stage reruns over the whole batch every time.
    """
    clean = options.clean
    described: dict[str, Any] = {
        f.name: getattr(clean, f.name) for f in fields(clean) if f.name != "rules"
    }
    if clean.languages is not None:
        described["languages"] = sorted(clean.languages)
    rules = clean.rules
    described["rules"] = (
        None
        if rules is None
        else [
            (
                site.id,
                site.hosts,
                [p.source for p in site.fingerprints],
                site.fingerprint_min,
                site.prune_xpath,
                sorted(site.trafilatura_options.items()),
                [p.source for p in site.drop],
                [p.source for p in site.cut],
            )
            for site in sorted(rules.sites, key=lambda s: s.id)
        ]
    )
    described["format"] = options.output_format
    described["limits"] = options.limits.max_bytes
    described["learn"] = repr(options.learn)
    described["version"] = _version()
    encoded = json.dumps(described, sort_keys=True, default=repr).encode("utf-8")
    return hashlib.blake2b(encoded, digest_size=8).hexdigest()


def _version() -> str:
    try:
        return metadata.version("cleaner")
    except metadata.PackageNotFoundError:
        return "unknown"


class _Journal:
    """`manifest.jsonl` while a batch runs: rows appended and flushed as documents finish.

    Opening it finds the rows of earlier runs by document (the latest row wins) and cuts off
    a half-written last line left by a kill.
    """

    def __init__(self, path: Path, fresh: bool) -> None:
        self.path = path
        self._previous: dict[bytes, int] = {}
        if fresh:
            path.unlink(missing_ok=True)
        elif path.exists():
            self._load()
        # Closed by __exit__: the journal lives as long as the batch, across many calls.
        self._writer: IO[bytes] = open(path, "ab")  # noqa: SIM115
        self._reader: IO[bytes] = open(path, "rb")  # noqa: SIM115

    def __enter__(self) -> _Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self._writer.close()
        self._reader.close()

    def _load(self) -> None:
        offset = 0
        with open(self.path, "r+b") as stream:
            for line in stream:
                if not line.endswith(b"\n"):
                    stream.truncate(offset)
                    break
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    row = json.loads(line)
                    self._previous[_document_key(row["id"], row["source"])] = offset
                offset += len(line)

    def find(self, source: Source) -> int | None:
        return self._previous.get(_document_key(source.id, source.source))

    def line_at(self, offset: int) -> bytes:
        self._reader.seek(offset)
        return self._reader.readline()

    def row_at(self, offset: int) -> dict[str, Any]:
        row: dict[str, Any] = json.loads(self.line_at(offset))
        return row

    def append(self, row: dict[str, Any]) -> int:
        offset = self._writer.tell()
        self._writer.write(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        self._writer.flush()
        return offset


def _document_key(doc_id: str, source: str) -> bytes:
    return hashlib.blake2b(f"{doc_id}\0{source}".encode(), digest_size=16).digest()


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    """Hold a lock on the output folder: two runs writing one folder would mix journals.

    The lock is on the folder itself (no lock file to leave behind) and the system drops
    it when the process dies, also on kill -9. Windows has no flock: runs are not locked there.
    """
    if sys.platform == "win32":
        yield
        return
    import fcntl  # POSIX only

    handle = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError(f"another cleaner run is writing to {out}") from None
        yield
    finally:
        os.close(handle)


def _remove_temporaries(out: Path) -> None:
    """Delete the half-written outputs and texts kept aside for learning that a killed run
    left (only names atomic_output and learning make)."""
    Folder.of(out).remove_matching(_LEFT_BY_A_KILLED_RUN)


def _write_manifest(
    journal: _Journal,
    offsets: array[int],
    changed: Collection[int],
    out: Folder,
    duplicates: dict[int, tuple[str, float]],
    learned: dict[int, _Learned],
    options: BatchOptions,
    report: BatchReport,
) -> Path:
    """The journal's latest row for each document, in input order, with what learning took
    out and the near copies marked.

    Rows that do not change are copied as they are, unparsed: for a million documents this
    is the one part of the batch that no worker shares.
    """
    with atomic_output(journal.path) as stream:
        for number, offset in enumerate(offsets):
            if number not in changed:
                stream.write(journal.line_at(offset).decode("utf-8"))
                continue
            row = journal.row_at(offset)
            report.count(row, times=-1)
            if number in learned:
                found = learned[number]
                row["removed"].extend({"rule": found.rule, "text": t} for t in found.texts)
                row["chars_out"] = found.chars_out
                if not found.chars_out:
                    out.unlink(row["output"])
                    row["output"], row["status"] = None, "dropped"
                    row["reason"] = "no article text left after cleaning"
            row["duplicate_of"], row["similarity"] = duplicates.get(number, (None, None))
            if number in duplicates and options.drop_duplicates:
                if row["output"]:
                    out.unlink(row["output"])
                row["output"], row["status"], row["reason"] = None, "dropped", "duplicate"
            report.count(row)
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    return journal.path


def _run(
    sources: Iterator[Source],
    settings: _WorkerSettings,
    task_for: Callable[[Source], tuple[_Task, int | None]],
    engine: Engine,
) -> Iterator[tuple[int, _Outcome, int | None]]:
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


def _learning_steps(
    tasks: list[tuple[int, _Residual | _Settle]], settings: _WorkerSettings
) -> list[tuple[int, Any]]:
    return [(key, _guarded_learning_step(task, settings)) for key, task in tasks]


def _guarded_learning_step(task: _Residual | _Settle, settings: _WorkerSettings) -> Any:
    """A step that fails leaves its output as it was (writing is its last act): None."""
    try:
        return _learning_step(task, settings)
    except Exception:  # one bad output must not stop learning for the others
        return None


def _learning_step(task: _Residual | _Settle, settings: _WorkerSettings) -> Any:
    """A residual's fingerprint (a `_Taken` when the document has repeated paragraphs), or a
    `_Settled` output. None when the output cannot be read back (it is left as it is)."""
    options = settings.options
    folder, output, start, fmt = settings.out, task.output, task.body_start, options.output_format
    # A step may run twice (a Dask worker lost after it wrote): every step works from the
    # output as it was before learning changed it, kept aside by the first step that did.
    backup = backup_name(output)
    try:
        kept_aside = folder.exists(backup)
        before = folder.read_bytes(backup if kept_aside else output)
        text = body_of(before, fmt, start)
    except (OSError, ValueError, KeyError):
        return None

    def rewrite(body: str) -> None:
        if not kept_aside:
            folder.write(backup, before.decode("utf-8"))
        # The header is the same before and after learning: no need to read the output again.
        folder.write(output, with_body(before, fmt, start, body))

    paragraphs = paragraphs_of(text)
    if isinstance(task, _Settle):
        drop: Collection[int] = task.drop
        if task.written:
            if not kept_aside:  # the residual step left no copy: rebuild the original
                paragraphs = _restored(paragraphs, task.positions, task.texts)
        else:
            dropped = set(task.drop_keys)
            keyed = block_keys(task.site, paragraphs).tolist()
            drop = {i for i, key in enumerate(keyed) if key in dropped}
        kept = [p for i, p in enumerate(paragraphs) if i not in drop]
        removed = tuple(p for i, p in enumerate(paragraphs) if i in drop)
        body = "\n\n".join(kept)
        settled = _Settled(fingerprint(body, options.dedup), len(body), removed)
        rewrite(body)
        return settled
    keys: Sequence[int] = task.keys
    if len(keys) != len(paragraphs):
        keys = block_keys(task.site, paragraphs).tolist()
    repeated = set(task.repeated)
    is_repeated = [key in repeated for key in keys]
    if not any(is_repeated):
        return fingerprint(text, options.dedup)
    kept = [p for p, out in zip(paragraphs, is_repeated, strict=True) if not out]
    if sum(len(p.split()) for p in kept) < options.learn.min_residual_words:
        return _Taken(fingerprint(text, options.dedup), None, None, (), len(text), written=False)
    positions = np.flatnonzero(is_repeated).astype(np.int32)
    taken_keys = np.array([k for k, out in zip(keys, is_repeated, strict=True) if out], np.uint64)
    body = "\n\n".join(kept)
    texts = tuple(p for p, out in zip(paragraphs, is_repeated, strict=True) if out)
    result = _Taken(fingerprint(body, options.dedup), positions, taken_keys, texts, len(body), True)
    rewrite(body)
    return result


def _restored(kept: list[str], positions: tuple[int, ...], texts: tuple[str, ...]) -> list[str]:
    """The original paragraphs, from those kept and those taken out (with positions)."""
    out_at = dict(zip(positions, texts, strict=True))
    rest = iter(kept)
    return [
        out_at[position] if position in out_at else next(rest)
        for position in range(len(kept) + len(positions))
    ]


def _process(task: _Task, settings: _WorkerSettings) -> _Outcome:
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
        relative = source.output_name + OUTPUT_SUFFIX[options.output_format]
        settings.out.write(relative, render(doc, options.output_format))
        doc.output = relative
        start = body_start(doc, options.output_format)
        return _written(doc.manifest_row(), doc.text, start, site_key(doc.site, doc.url), options)
    except Exception as error:  # one bad document must never stop the batch
        doc = Document(id=source.id, source=source.source, kind=source.kind, url=source.url)
        doc.status, doc.reason = "error", f"internal error: {type(error).__name__}: {error}"
        return _Outcome(doc.manifest_row())


def backup_name(output: str) -> str:
    """Where learning keeps an output's text from before it changed it."""
    head, _, name = output.rpartition("/")
    return f"{head}/.{name}.before-learning" if head else f".{name}.before-learning"


def read_output(out: Folder, fmt: OutputFormat, location: tuple[str, int]) -> str:
    """The body of an output of this batch, from its (relative name, body start)."""
    relative, start = location
    return out.read_body(relative, fmt, start)


def _finished(reuse: _Reuse, settings: _WorkerSettings) -> _Outcome | None:
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
