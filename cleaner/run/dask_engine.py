"""The Dask engine: a batch's work on a Dask cluster (`pip install 'cleaner[dask]'`).

Documents go to the cluster in partitions of bounded size; the batch's settings (rules
included) are sent to each worker once. Workers read the inputs and write the outputs
themselves, so only manifest rows and fingerprints come back to the client.

Near copies are found where the data is: signature partitions go to workers, which compute
LSH band keys and split them by key; a reduce task per key range (a hash shuffle) gathers
equal keys from every partition and makes candidate pairs; candidate pairs are verified by
workers that read the two outputs. Only pairs come back to the client, which joins
verified pairs into clusters and picks each cluster's canonical document exactly as the
local engine does, so both engines give the same answer.

A worker that dies takes its running partition with it: the scheduler runs the partition
again elsewhere (outputs are written atomically and the same each time). A partition that
keeps killing workers is split, and a document that still does is an error row.

The time limit is kept inside the worker, since a Dask task cannot be stopped from outside:
a document past it is interrupted where it runs Python (an exception raised in its thread)
and becomes a timeout row; one stuck inside a C extension, which never returns to Python,
ends its worker process after a grace period when a nanny will replace it, and is then a
document that kills workers.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from cleaner.corpus.near_copies import (
    NearDuplicateIndex,
    PairVerifier,
    UnionFind,
    band_keys,
    codes_to_pairs,
    colliding_codes,
)
from cleaner.corpus.signatures import DedupConfig
from cleaner.interrupts import interrupt, withdraw
from cleaner.run.engine import NearCopies, chunked
from cleaner.run.workers import Failed

try:
    from distributed import Client, Future, LocalCluster, as_completed
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "the Dask engine needs the dask extra: pip install 'cleaner[dask]'"
    ) from missing

K = TypeVar("K")
T = TypeVar("T")
S = TypeVar("S")
R = TypeVar("R")

# Documents a cleaning task takes: enough to hide the scheduler's per-task cost (about a
# millisecond), few enough that a lost worker costs little to redo.
PARTITION_SIZE = 64
# Documents a band-key task takes, and candidate pairs a verification task checks.
_SIGNATURE_PARTITION = 20_000
_PAIRS_PER_TASK = 2_000
# Tries a partition gets when it is lost with a worker that another task killed.
_ATTEMPTS = 8
# splitmix64's golden ratio: spreads band keys over reduce tasks.
_SPREAD = np.uint64(0x9E3779B97F4A7C15)
# A document past its time limit is interrupted again every second (code that catches
# everything may swallow one interruption); one still running this long after its limit is
# stuck outside Python, and its worker process is ended.
_INTERRUPT_EVERY_S = 1.0
_GRACE_S = 10.0
# The exit status of a worker that ended itself over a stuck document.
_STUCK_EXIT = 70


class DaskEngine:
    """Runs a batch on a Dask cluster through `client`."""

    def __init__(self, client: Client, partition_size: int = PARTITION_SIZE) -> None:
        self.client = client
        self.partition_size = max(1, partition_size)

    @classmethod
    @contextlib.contextmanager
    def connect(cls, scheduler: str | None = None, workers: int = 2) -> Iterator[DaskEngine]:
        """An engine on the cluster at `scheduler` (e.g. 'tcp://10.0.0.5:8786'), or, without
        one, on a LocalCluster of `workers` single-threaded processes on this machine."""
        if scheduler:
            with Client(scheduler) as client:
                yield cls(client)
            return
        with (
            LocalCluster(
                n_workers=max(1, workers),
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            ) as cluster,
            Client(cluster) as client,
        ):
            yield cls(client)

    def _slots(self) -> int:
        threads = self.client.nthreads()
        return max(1, sum(threads.values()) if threads else 1)

    def map(
        self,
        function: Callable[[T, S], R],
        tasks: Iterator[tuple[K, T]],
        settings: S,
        timeout_s: float | None = None,
        partition: int | None = None,
    ) -> Iterator[tuple[K, R | Failed]]:
        """Partitions of tasks as Dask tasks, a few per worker thread in flight at a time so
        the input is read as the cluster goes. `timeout_s` is kept by each worker (see the
        module's docstring)."""
        client = self.client
        [shared] = client.scatter([settings], broadcast=True, hash=False)
        size = partition or self.partition_size
        partitions = chunked(tasks, size)
        running = as_completed()
        in_flight: dict[Future[Any], tuple[list[tuple[K, T]], int]] = {}

        def ensure_settings() -> Any:
            """The settings on the cluster, sent again if every worker holding them died."""
            if shared.status == "finished":
                return shared
            [again] = client.scatter([settings], broadcast=True, hash=False)
            return again

        def submit(items: list[tuple[K, T]], attempt: int = 0) -> None:
            future = client.submit(_run_partition, function, shared, items, timeout_s, pure=False)
            in_flight[future] = items, attempt
            running.add(future)

        for items in itertools.islice(partitions, 2 * self._slots()):
            submit(items)
        # Documents blamed for workers dying, to try again alone once the rest is done: a
        # task queued on the same worker as the real culprit is blamed too.
        suspects: list[tuple[K, T]] = []
        for future in running:
            items, attempt = in_flight.pop(future)
            try:
                results = future.result()
            except Exception:  # the partition failed, or its result was lost with a worker
                shared = ensure_settings()
                if not _killed_workers(future) and attempt < _ATTEMPTS:
                    submit(items, attempt + 1)  # lost with a worker another task killed
                elif len(items) > 1:  # split: only the document that kills workers fails
                    for item in items:
                        submit([item])
                else:
                    suspects.extend(items)
            else:
                yield from results
            future.release()
            for more in itertools.islice(partitions, 1):
                submit(more)
        for key, task in suspects:  # one at a time, alone on the cluster
            shared = ensure_settings()
            alone = [(key, task)]
            future = client.submit(_run_partition, function, shared, alone, timeout_s, pure=False)
            try:
                yield from future.result()
            except Exception:
                yield key, Failed(_failure_reason(future))
            future.release()

    def near_copies(
        self,
        index: NearDuplicateIndex,
        locate: Callable[[int], Any],
        read: Callable[[Any], str],
    ) -> NearCopies:
        count = len(index.ids)
        if count < 2:
            return []
        pairs = self._candidate_pairs(index)
        clusters = UnionFind(count)
        to_verify: list[tuple[int, int]] = []
        for left, right in pairs.tolist():
            if index.same_text(left, right):
                clusters.join(left, right)
            else:
                to_verify.append((left, right))
        for chunk, verdicts in self._on_texts(_verify_pairs, to_verify, index.config, locate, read):
            for (left, right), near in zip(chunk, verdicts, strict=True):
                if near:
                    clusters.join(left, right)
        members = index.canonical_members(clusters)
        similarity = {pair: 1.0 for pair in members if index.same_text(*pair)}
        rest = [pair for pair in members if pair not in similarity]
        for chunk, values in self._on_texts(_similarities, rest, index.config, locate, read):
            similarity.update(zip(chunk, values, strict=True))
        return [(key, canonical, similarity[key, canonical]) for key, canonical in members]

    def _candidate_pairs(self, index: NearDuplicateIndex) -> npt.NDArray[np.int64]:
        """The same pairs as NearDuplicateIndex.candidate_pairs, through a hash shuffle."""
        client, config, count = self.client, index.config, len(index.ids)
        usable = index.usable()
        if len(usable) < 2:
            return np.empty((0, 2), dtype=np.int64)
        reducers = max(1, min(64, 2 * self._slots()))
        mapped = []
        for start in range(0, len(usable), _SIGNATURE_PARTITION):
            keys = usable[start : start + _SIGNATURE_PARTITION]
            signatures = index.signatures(keys)
            [data] = client.scatter([(keys, signatures)], hash=False)
            mapped.append(client.submit(_band_split, data, config, reducers, pure=False))
        reduced = [
            client.submit(
                _band_reduce,
                count,
                config,
                *[client.submit(operator.getitem, part, r, pure=False) for part in mapped],
                pure=False,
            )
            for r in range(reducers)
        ]
        codes = client.gather(reduced)
        merged = np.unique(np.concatenate(codes)) if codes else np.empty(0, np.int64)
        return codes_to_pairs(merged, count)

    def _on_texts(
        self,
        function: Callable[[list[tuple[int, int]], dict[int, Any], Any, DedupConfig], list[Any]],
        pairs: list[tuple[int, int]],
        config: DedupConfig,
        locate: Callable[[int], Any],
        read: Callable[[Any], str],
    ) -> Iterator[tuple[list[tuple[int, int]], list[Any]]]:
        """(pairs, function's answers) for chunks of pairs, on the workers, which read the
        texts themselves: each task gets only where its texts are."""
        submitted = {}
        for start in range(0, len(pairs), _PAIRS_PER_TASK):
            chunk = pairs[start : start + _PAIRS_PER_TASK]
            where = {key: locate(key) for pair in chunk for key in pair}
            future = self.client.submit(function, chunk, where, read, config, pure=False)
            submitted[future] = chunk
        for future in as_completed(list(submitted)):
            yield submitted[future], future.result()


def _killed_workers(future: Future[Any]) -> bool:
    """Whether the scheduler holds this task itself responsible for workers dying."""
    try:
        return type(future.exception()).__name__ == "KilledWorker"
    except Exception:  # cancelled: its input or result was lost, not its fault
        return False


def _failure_reason(future: Future[Any]) -> str:
    try:
        error = future.exception()
    except Exception as raised:  # the future itself could not be read
        error = raised
    name = type(error).__name__
    if error is None or name == "KilledWorker" or isinstance(error, CancelledError):
        return "worker process died (the Dask scheduler gave up on it)"
    return f"internal error: {name}: {error}"


def _run_partition(
    function: Callable[[T, S], R],
    settings: S,
    items: list[tuple[K, T]],
    timeout_s: float | None = None,
) -> list[tuple[K, R | Failed]]:
    if not timeout_s:
        return [(key, function(task, settings)) for key, task in items]
    may_exit = _under_a_nanny()
    return [(key, _within(timeout_s, function, task, settings, may_exit)) for key, task in items]


def _under_a_nanny() -> bool:
    """Whether this is a worker process that a nanny replaces when it ends: not a worker in
    the client's own process, nor one started without a nanny."""
    try:
        from distributed import get_worker

        return bool(get_worker().nanny)
    except (ImportError, ValueError):  # not inside a Dask task
        return False


class _PastTimeLimit(BaseException):
    """Raised in a task's thread when its document is past the time limit. Not an
    Exception: the pipeline turns those into error rows, and this must get out."""


def _within(
    seconds: float, function: Callable[[T, S], R], task: T, settings: S, may_exit: bool
) -> R | Failed:
    """function(task, settings), or Failed once it has run `seconds`. `may_exit`: the
    process may end itself over a document stuck where it cannot be interrupted."""
    watch = _Watch(threading.get_ident(), seconds, may_exit)
    try:
        try:
            return function(task, settings)
        finally:
            watch.stop()
    except _PastTimeLimit:
        while True:  # the interruption may have struck inside stop, before it took effect
            try:
                watch.stop()
                break
            except _PastTimeLimit:
                continue
        return Failed(f"timeout after {seconds:g} s")


class _Watch:
    """A thread that interrupts another once its time is up, and ends the process when the
    other cannot be interrupted (it is inside C code that does not return)."""

    def __init__(self, thread_id: int, seconds: float, may_exit: bool) -> None:
        self._thread_id, self._seconds, self._may_exit = thread_id, seconds, may_exit
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._fired = False
        threading.Thread(target=self._run, name="cleaner-time-limit", daemon=True).start()

    def stop(self) -> None:
        """After this, nothing is raised in the watched thread any more."""
        self._stopped.set()
        with self._lock:  # waits for an interruption being sent right now
            if self._fired:  # one may be pending, not yet raised: it is withdrawn
                withdraw(self._thread_id)

    def _run(self) -> None:
        if self._stopped.wait(self._seconds):
            return
        waited = 0.0
        while waited < _GRACE_S:
            with self._lock:
                if self._stopped.is_set():
                    return
                # Not while the thread uploads an output (see cleaner.interrupts): next round.
                self._fired |= interrupt(self._thread_id, _PastTimeLimit)
            if self._stopped.wait(_INTERRUPT_EVERY_S):
                return
            waited += _INTERRUPT_EVERY_S
        if self._may_exit:
            os._exit(_STUCK_EXIT)  # the nanny starts a new worker; the document is retried
        # Else nothing more can be done from here: the task stays stuck, as any Dask task


def _band_split(
    data: tuple[npt.NDArray[np.intp], npt.NDArray[np.uint32]], config: DedupConfig, reducers: int
) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64], npt.NDArray[np.intp]]]:
    """Every (band, band key, document) of a partition, split by reduce task."""
    docs, signatures = data
    rows = config.band_rows
    bands, keys, members = [], [], []
    for band in range(config.num_perm // rows):
        bands.append(np.full(len(docs), band, dtype=np.int64))
        keys.append(band_keys(signatures[:, band * rows : (band + 1) * rows]))
        members.append(docs)
    all_bands, all_keys, all_docs = (
        np.concatenate(bands),
        np.concatenate(keys),
        np.concatenate(members),
    )
    target = ((all_keys * _SPREAD) ^ all_bands.astype(np.uint64)) % np.uint64(reducers)
    return [
        (all_bands[chosen], all_keys[chosen], all_docs[chosen])
        for chosen in (target == np.uint64(r) for r in range(reducers))
    ]


def _band_reduce(
    count: int,
    config: DedupConfig,
    *parts: tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64], npt.NDArray[np.intp]],
) -> npt.NDArray[np.int64]:
    bands = np.concatenate([part[0] for part in parts])
    keys = np.concatenate([part[1] for part in parts])
    docs = np.concatenate([part[2] for part in parts])
    return np.unique(colliding_codes(bands, keys, docs, count, config))


def _verify_pairs(
    pairs: list[tuple[int, int]], where: dict[int, Any], read: Any, config: DedupConfig
) -> list[bool]:
    verifier = PairVerifier(config, lambda key: read(where[key]))
    return [verifier.near_copy(left, right) for left, right in pairs]


def _similarities(
    pairs: list[tuple[int, int]], where: dict[int, Any], read: Any, config: DedupConfig
) -> list[float]:
    verifier = PairVerifier(config, lambda key: read(where[key]))
    return [verifier.similarity(key, canonical) for key, canonical in pairs]
