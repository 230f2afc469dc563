"""Where a batch's work runs: worker processes on this machine, or a Dask cluster.

The batch (cleaner.run.batch) decides what to do and keeps the manifest; an engine only runs
functions over tasks and finds near copies among the batch's fingerprints. Both engines
run the same functions and the same near-copy rules, so they give the same answer.
"""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar

from cleaner.clean.langid import load_profiles
from cleaner.corpus.near_copies import NearDuplicateIndex
from cleaner.corpus.signatures import word_hashes
from cleaner.run.workers import Failed, WorkerPool

K = TypeVar("K")
T = TypeVar("T")
S = TypeVar("S")
R = TypeVar("R")

# (key, canonical key, similarity) for each near copy: what NearDuplicateIndex.duplicate_keys
# returns.
NearCopies = list[tuple[int, int, float]]


class Engine(Protocol):
    """Runs a batch's per-document functions and its near-copy search."""

    def map(
        self,
        function: Callable[[T, S], R],
        tasks: Iterator[tuple[K, T]],
        settings: S,
        timeout_s: float | None = None,
        partition: int | None = None,
    ) -> Iterator[tuple[K, R | Failed]]:
        """(key, function(task, settings) or Failed) for every task, in any order.

        `settings` reaches each worker once, not with every task. A task whose worker dies
        or that passes `timeout_s` is Failed; the others go on. `partition`: how many tasks
        an engine that groups them may put together (1 for tasks that are groups already).
        """
        ...

    def near_copies(
        self,
        index: NearDuplicateIndex,
        locate: Callable[[int], Any],
        read: Callable[[Any], str],
    ) -> NearCopies:
        """The index's near copies; the text of key k is read(locate(k)), where the
        engine's workers can call `read` (a picklable function of a small location)."""
        ...


class LocalEngine:
    """Worker processes on this machine (one task at a time each), or this process."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = max(1, jobs)

    def map(
        self,
        function: Callable[[T, S], R],
        tasks: Iterator[tuple[K, T]],
        settings: S,
        timeout_s: float | None = None,
        partition: int | None = None,
    ) -> Iterator[tuple[K, R | Failed]]:
        if self.jobs <= 1 and not timeout_s:
            for key, task in tasks:
                yield key, function(task, settings)
            return
        first = next(tasks, None)
        if first is None:  # nothing to do: no workers to start
            return
        tasks = itertools.chain([first], tasks)
        pool: WorkerPool[T, R] = WorkerPool(
            self.jobs,
            functools.partial(_call_installed, function),
            initializer=_install,
            initargs=(settings,),
            context=worker_context(),
            timeout_s=timeout_s,
        )
        yield from pool.run(tasks)

    def near_copies(
        self,
        index: NearDuplicateIndex,
        locate: Callable[[int], Any],
        read: Callable[[Any], str],
    ) -> NearCopies:
        return index.duplicate_keys(lambda key: read(locate(key)))


# The settings of the batch this worker process serves (set once, by _install).
_installed: Any = None


def _install(settings: Any) -> None:
    global _installed
    _installed = settings


def _call_installed(function: Callable[[Any, Any], Any], task: Any) -> Any:
    return function(task, _installed)


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
        context.set_forkserver_preload(["cleaner.run.batch"])
        return context
    return multiprocessing.get_context("spawn")


def chunked(items: Iterator[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
