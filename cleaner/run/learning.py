"""The learning stage of a batch, run on the workers: repeated paragraphs out, fingerprints in.

The decisions (what is a site's boilerplate) are made by `cleaner.corpus.learn`; this module
runs them over a batch's outputs in parallel, each step safe to run twice.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from cleaner.corpus.learn import (
    BlockCounts,
    Keys,
    block_keys,
    confirmed_blocks,
    paragraphs_of,
)
from cleaner.corpus.near_copies import NearDuplicateIndex
from cleaner.corpus.signatures import Fingerprint, fingerprint
from cleaner.run.engine import Engine, chunked
from cleaner.run.options import BatchError, WorkerSettings
from cleaner.write.folder import Folder, body_of, with_body
from cleaner.write.outputs import (
    OutputFormat,
)

# Outputs as they were before learning changed them (see _learning_step); a run killed
# while learning leaves some behind, and redoes those documents.
KEPT_ASIDE = re.compile(r"^\..+\.before-learning$")


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


class Learning:
    """The learning stage of a batch, between cleaning and near copies (see cleaner.corpus.learn).

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
        settings: WorkerSettings,
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


def _map(
    tasks: Iterator[tuple[int, Any]], settings: WorkerSettings, engine: Engine
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


def _learning_steps(
    tasks: list[tuple[int, _Residual | _Settle]], settings: WorkerSettings
) -> list[tuple[int, Any]]:
    return [(key, _guarded_learning_step(task, settings)) for key, task in tasks]


def _guarded_learning_step(task: _Residual | _Settle, settings: WorkerSettings) -> Any:
    """A step that fails leaves its output as it was (writing is its last act): None."""
    try:
        return _learning_step(task, settings)
    except Exception:  # one bad output must not stop learning for the others
        return None


def _learning_step(task: _Residual | _Settle, settings: WorkerSettings) -> Any:
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


def backup_name(output: str) -> str:
    """Where learning keeps an output's text from before it changed it."""
    head, _, name = output.rpartition("/")
    return f"{head}/.{name}.before-learning" if head else f".{name}.before-learning"


def read_output(out: Folder, fmt: OutputFormat, location: tuple[str, int]) -> str:
    """The body of an output of this batch, from its (relative name, body start)."""
    relative, start = location
    return out.read_body(relative, fmt, start)
