"""Running every system on every page in worker processes, so that no page can end the run.

A system that raises, or runs past its time limit, on a page gives "" there (and scores 0)
with the error kept. A page whose worker dies (a crash in C code, memory) is run again with
each system in a process of its own, so only the system that kills its process loses it.
"""

from __future__ import annotations

import gzip
import multiprocessing
import signal
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from bench.peers import ALL_SYSTEMS, NEEDS_TEXT, Output
from bench.scoring import PageScore, TokenScore, score_page, token_score

# A page every system is run on once in each worker before timing starts, so imports and
# first-call set-up (language profiles, rule files) are not counted against the first page.
_WARM_UP_HTML = (
    "<html><head><title>Warm-up</title></head><body><nav><a href='/'>Home</a></nav><article>"
    "<h1>Warm-up page</h1>"
    + "<p>This is a paragraph of an article that is there only so the systems load what "
    "they need before the pages are timed, and it is long enough to be kept.</p>"
    * 4
    + "</article><footer>Copyright</footer></body></html>"
)


@dataclass(frozen=True)
class Task:
    corpus: str
    page_id: str
    path: Path
    expected: str
    systems: tuple[str, ...]
    keep_text: bool
    timeout: float
    # Each system in a process of its own (after this page's worker died).
    isolate: bool = False


@dataclass
class SystemResult:
    text: str
    tokens: TokenScore
    shingles: PageScore
    seconds: float
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PageResult:
    corpus: str
    page_id: str
    systems: dict[str, SystemResult]


class _Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Timeout


def _call(system: str, html: str, text: str, timeout: float) -> tuple[Output, float, str | None]:
    """The system's output on one page, its seconds, and its error (output "" then)."""
    started = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        result = ALL_SYSTEMS[system](html, text)
        output = result if isinstance(result, Output) else Output(str(result or ""))
        error = None
    except _Timeout:
        output, error = Output(""), f"timeout after {timeout:g} s"
    except Exception as exc:
        output, error = Output(""), f"{type(exc).__name__}: {str(exc)[:200]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return output, time.perf_counter() - started, error


def _naive(html: str) -> tuple[str, float]:
    from bench.naive import naive_text

    started = time.perf_counter()
    return naive_text(html), time.perf_counter() - started


def read_html(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def run_page(task: Task) -> PageResult:
    html = read_html(task.path)
    text, naive_seconds = _naive(html) if NEEDS_TEXT.intersection(task.systems) else ("", 0.0)
    results = {}
    for system in task.systems:
        if task.isolate:
            output, seconds, error = _call_isolated(system, html, text, task.timeout)
        else:
            output, seconds, error = _call(system, html, text, task.timeout)
        if system == "naive-text":
            seconds += naive_seconds
        results[system] = SystemResult(
            output.text if task.keep_text else "",
            token_score(task.expected, output.text),
            score_page(task.expected, output.text),
            seconds,
            error,
            output.extra if task.keep_text else {},
        )
    return PageResult(task.corpus, task.page_id, results)


def _isolated_target(system: str, html: str, text: str, timeout: float, pipe: Any) -> None:
    output, seconds, error = _call(system, html, text, timeout)
    pipe.send((output, seconds, error))
    pipe.close()


def _call_isolated(
    system: str, html: str, text: str, timeout: float
) -> tuple[Output, float, str | None]:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    started = time.perf_counter()
    process = context.Process(target=_isolated_target, args=(system, html, text, timeout, sender))
    process.start()
    sender.close()
    try:
        if receiver.poll(timeout + 30):
            result: tuple[Output, float, str | None] = receiver.recv()
            return result
    except EOFError:
        pass
    finally:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
    return Output(""), time.perf_counter() - started, f"process died (exit code {process.exitcode})"


def warm_up(systems: Sequence[str]) -> None:
    text, _ = _naive(_WARM_UP_HTML)
    for system in systems:
        _call(system, _WARM_UP_HTML, text, 60)


def _worker(connection: Connection, systems: Sequence[str]) -> None:
    """Run the tasks the parent sends, one at a time, until it sends None."""
    # bs4 warns about XHTML pages parsed as HTML (naive_text): it is what the bench means.
    warnings.filterwarnings("ignore", message="It looks like you're using an HTML parser")
    warm_up(systems)
    connection.send(None)  # ready
    while (task := connection.recv()) is not None:
        connection.send(run_page(task))


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection
    task: Task | None = None


def run_all(tasks: Sequence[Task], jobs: int) -> Iterator[PageResult]:
    """Every task's result, in the order they finish (largest pages are started first).

    Each worker has one page at a time, so when one dies the parent knows which page it was
    on: that page is run again with each system in a process of its own, and a new worker
    takes the dead one's place.
    """
    context = multiprocessing.get_context("fork")
    queue = sorted(tasks, key=lambda task: task.path.stat().st_size)  # popped from the end
    systems = sorted({system for task in tasks for system in task.systems})

    def start() -> _Worker:
        parent, child = context.Pipe()
        process = context.Process(target=_worker, args=(child, systems))
        process.start()
        child.close()
        return _Worker(process, parent)

    workers = [start() for _ in range(max(1, min(jobs, len(queue))))]
    idle_deaths = 0
    try:
        while workers:
            ready = set(
                wait([w.connection for w in workers] + [w.process.sentinel for w in workers])
            )
            for worker in list(workers):
                if worker.connection not in ready and worker.process.sentinel not in ready:
                    continue
                try:
                    message = worker.connection.recv()
                except (EOFError, OSError):
                    workers.remove(worker)
                    worker.process.join()
                    if worker.task is not None:
                        yield from _after_death(worker.task, worker.process.exitcode, queue)
                    else:
                        idle_deaths += 1
                        if idle_deaths > _MAX_IDLE_DEATHS:
                            raise RuntimeError("workers die while warming up the systems") from None
                    if queue:
                        workers.append(start())
                    continue
                if message is not None:
                    yield message
                worker.task = queue.pop() if queue else None
                try:
                    worker.connection.send(worker.task)
                except OSError:  # it died after its last result: the page was not started
                    if worker.task is not None:
                        queue.append(worker.task)
                    worker.task = None
                    continue  # its sentinel is ready: the next round replaces it
                if worker.task is None:
                    workers.remove(worker)
                    worker.process.join()
    finally:
        for worker in workers:
            worker.process.kill()
            worker.process.join()


# Workers that may die before taking a page (in the warm-up) before the run gives up.
_MAX_IDLE_DEATHS = 3


def _after_death(task: Task, exitcode: int | None, queue: list[Task]) -> Iterator[PageResult]:
    """A page whose worker died goes back in the queue with its systems isolated; if it was
    already, every system scores 0 on it."""
    if not task.isolate:
        queue.append(replace(task, isolate=True))
        return
    failed = SystemResult("", token_score(task.expected, ""), score_page(task.expected, ""), 0.0)
    failed.error = f"worker died (exit code {exitcode})"
    yield PageResult(task.corpus, task.page_id, dict.fromkeys(task.systems, failed))
