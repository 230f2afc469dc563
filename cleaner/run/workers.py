"""Worker processes that survive their documents: time limits, crashes and kills.

Each worker has a pipe of its own and runs its tasks in the order sent, so the parent always
knows which task a worker is on. A worker past the time limit is killed and replaced, and so
is one that dies (a crash in a C extension, the OOM killer, a kill by hand): its current task
fails with the reason, the tasks queued behind it go to other workers, and the batch goes on.

Why not a library pool: `multiprocessing.Pool` hangs when a worker dies, and
`concurrent.futures` fails every pending task. pebble replaces workers, but its workers share
one locked channel: a worker killed while holding that lock stalls the whole pool (seen here
in one kill test out of four). Pipes that belong to one worker have no such lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Generic, TypeVar

K = TypeVar("K")
T = TypeVar("T")
R = TypeVar("R")

# Small tasks are queued ahead on a busy worker, so it never waits for the parent between
# two tasks; a big one (a JSONL record's page) waits for an idle worker, so that sending it
# can never block the parent on a full pipe.
_PREFETCH = 2
_PREFETCH_MAX_BYTES = 32 * 1024


@dataclass(frozen=True)
class Failed:
    """A task that produced no result: why (timeout, worker died, or what it raised)."""

    reason: str


class WorkerStartError(RuntimeError):
    """A worker process died before it was ready (its initializer failed)."""


# What a worker sends once its initializer has run: time limits count from then on.
_READY = "ready"


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    queued: deque[tuple[Any, bytes]] = field(default_factory=deque)  # (key, payload), in order
    started: float = 0.0  # when the task at the head of `queued` started
    ready: bool = False
    broken: bool = False  # its pipe failed: it gets no more tasks until it is replaced


class WorkerPool(Generic[T, R]):
    """Runs `function(task)` in `jobs` processes, one task at a time per process.

    Args:
        jobs: worker processes.
        function: module-level function of one task (what each worker calls).
        initializer: called once in each worker with `initargs`, before any task.
        context: how processes start (fork, forkserver or spawn).
        timeout_s: seconds one task may take; None for no limit.
    """

    def __init__(
        self,
        jobs: int,
        function: Callable[[T], R],
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
        context: multiprocessing.context.BaseContext | None = None,
        timeout_s: float | None = None,
    ) -> None:
        self._jobs = max(1, jobs)
        self._function = function
        self._initializer = initializer
        self._initargs = initargs
        self._context = context or multiprocessing.get_context()
        self._timeout_s = timeout_s

    def run(self, tasks: Iterable[tuple[K, T]]) -> Iterator[tuple[K, R | Failed]]:
        """(key, result or Failed) for every (key, task), in the order they finish."""
        source = iter(tasks)
        retry: deque[tuple[Any, bytes]] = deque()
        workers = [self._start() for _ in range(self._jobs)]
        exhausted = False
        try:
            while True:
                exhausted = self._feed(workers, source, retry, exhausted)
                if exhausted and not retry and not any(worker.queued for worker in workers):
                    return
                yield from self._collect(workers, retry)
        finally:
            for worker in workers:
                _stop(worker)

    def _start(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        forked = self._context.get_start_method() == "fork"
        # A forked worker's parent is this process (a fork server's are not).
        parent = os.getpid() if forked else None
        process = self._context.Process(  # type: ignore[attr-defined]
            target=_serve,
            args=(child_end, self._function, self._initializer, self._initargs, parent),
            daemon=True,
        )
        if forked:
            # Objects the parent holds are moved out of the collector's reach while the
            # child is made: a collection in the child would otherwise write to every
            # object header and copy pages it could share with the parent.
            gc.freeze()
        try:
            process.start()
        finally:
            if forked:
                gc.unfreeze()
        child_end.close()
        return _Worker(process, parent_end)

    def _feed(
        self,
        workers: list[_Worker],
        source: Iterator[tuple[Any, Any]],
        retry: deque[tuple[Any, bytes]],
        exhausted: bool,
    ) -> bool:
        """Give tasks to workers with room; returns whether `source` is used up."""
        pending: tuple[Any, bytes] | None = None
        while True:
            if pending is None:
                if retry:
                    pending = retry.popleft()
                elif not exhausted:
                    try:
                        key, task = next(source)
                    except StopIteration:
                        exhausted = True
                        continue
                    pending = (key, pickle.dumps((key, task), pickle.HIGHEST_PROTOCOL))
                else:
                    return exhausted
            small = len(pending[1]) <= _PREFETCH_MAX_BYTES
            room = [
                w
                for w in workers
                if w.ready
                and not w.broken
                and (not w.queued or (small and len(w.queued) < _PREFETCH))
            ]
            if not room:
                retry.appendleft(pending)
                return exhausted
            worker = min(room, key=lambda w: len(w.queued))
            try:
                worker.conn.send_bytes(pending[1])
            except OSError:  # the worker is gone; it is replaced once its death is seen
                worker.broken = True
                continue
            if not worker.queued:
                worker.started = time.monotonic()
            worker.queued.append(pending)
            pending = None

    def _collect(
        self, workers: list[_Worker], retry: deque[tuple[Any, bytes]]
    ) -> Iterator[tuple[Any, Any]]:
        """Wait for results, readiness, deaths or the next deadline; handle what happened."""
        busy = [w for w in workers if w.queued]
        deadline = None
        if self._timeout_s is not None and busy:
            deadline = min(w.started for w in busy) + self._timeout_s
        waits: list[Any] = [w.conn for w in workers] + [w.process.sentinel for w in workers]
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready = set(wait(waits, timeout=left))
        for index, worker in enumerate(workers):
            # A result that came in since `wait` returned is taken, not lost to a timeout.
            if worker.conn in ready or worker.process.sentinel in ready or _has_data(worker):
                finished, died = _receive(worker)
                yield from finished
                if died:
                    # Its pipe closed as it exited: wait for the exit to read its code.
                    worker.process.join(timeout=1.0)
                if died and not worker.ready:
                    code = worker.process.exitcode
                    raise WorkerStartError(f"a worker process failed to start (exit code {code})")
                if died:
                    reason = f"worker process died (exit code {worker.process.exitcode})"
                    yield from self._replace(workers, index, retry, reason)
            elif (
                self._timeout_s is not None
                and worker.queued
                and time.monotonic() - worker.started > self._timeout_s
            ):
                reason = f"timeout after {self._timeout_s:g} s"
                yield from self._replace(workers, index, retry, reason)

    def _replace(
        self, workers: list[_Worker], index: int, retry: deque[tuple[Any, bytes]], reason: str
    ) -> Iterator[tuple[Any, Failed]]:
        worker = workers[index]
        _stop(worker)
        if worker.queued:
            key, _ = worker.queued.popleft()
            retry.extendleft(reversed(worker.queued))  # not started: run them elsewhere
            yield key, Failed(reason)
        workers[index] = self._start()


def _receive(worker: _Worker) -> tuple[list[tuple[Any, Any]], bool]:
    """Results the worker has sent, and whether it has died."""
    finished = []
    try:
        while worker.conn.poll():
            message = worker.conn.recv()
            worker.started = time.monotonic()
            if message == _READY:
                worker.ready = True
                continue
            worker.queued.popleft()
            finished.append(message)
    except (EOFError, OSError):
        return finished, True
    return finished, not worker.process.is_alive()


def _has_data(worker: _Worker) -> bool:
    try:
        return worker.conn.poll()
    except (EOFError, OSError):
        return True  # its end is closed: _receive finds it dead


def _stop(worker: _Worker) -> None:
    with contextlib.suppress(OSError):
        worker.conn.close()
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join()


def _serve(
    conn: Connection,
    function: Callable[[Any], Any],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
    parent: int | None = None,
) -> None:
    """A worker's life: set up once, then run tasks until the pipe closes."""
    # Ctrl-C reaches the whole process group; the parent stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A SIGTERM meant for the parent (systemd, docker stop) may reach the group: the worker
    # just ends, as it does when the parent stops it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
    if initializer is not None:
        initializer(*initargs)
    conn.send(_READY)
    while True:
        try:
            key, task = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            result: Any = function(task)
        except Exception as error:  # reported as the task's failure, the worker goes on
            result = Failed(f"{type(error).__name__}: {error}")
        try:
            conn.send((key, result))
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            conn.send((key, Failed(f"result could not be sent back: {error}")))


# How often a worker checks that its parent is alive, where the system cannot tell it.
_PARENT_CHECK_S = 0.5
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent(parent: int | None = None) -> None:
    """End this process when its parent dies, however it dies (kill -9, the OOM killer).

    A worker busy on a document never reads its pipe, so it cannot learn from the pipe that
    the parent is gone, and orphans would go on holding CPU, memory and outputs. On Linux the
    kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG); everywhere, a thread checks
    every half second that the parent is still the one that started us (an orphan is
    adopted by another process).

    Args:
        parent: the pid of the process that started this one, when known: a parent that
            died before this call (already an orphan) is then seen, not taken for the
            process that adopted us.
    """
    parent = os.getppid() if parent is None else parent
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # died before the request took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="cleaner-parent-watch", daemon=True).start()
