"""The worker pool: every task comes back once, as a result or as the reason it failed."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from cleaner.run.workers import Failed, WorkerPool, WorkerStartError


def work(task: str) -> str:
    """A task script: 'sleep:S', 'exit:N', 'raise', or anything (echoed upper-cased)."""
    if task.startswith("sleep:"):
        time.sleep(float(task.split(":")[1]))
    elif task.startswith("exit:"):
        os._exit(int(task.split(":")[1]))
    elif task == "raise":
        raise ValueError("bad task")
    return task.upper()


@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_every_task_comes_back_once_whatever_happens_to_its_worker(method: str, jobs: int) -> None:
    tasks = [f"t{n}" for n in range(30)]
    tasks[3], tasks[10], tasks[17], tasks[25] = "exit:3", "sleep:30", "raise", "exit:0"
    pool: WorkerPool[str, str] = WorkerPool(
        jobs, work, context=multiprocessing.get_context(method), timeout_s=1.5
    )
    results = dict(pool.run(enumerate(tasks)))
    assert sorted(results) == list(range(30))
    assert results[3] == Failed("worker process died (exit code 3)")
    assert results[10] == Failed("timeout after 1.5 s")
    assert results[17] == Failed("ValueError: bad task")
    assert results[25] == Failed("worker process died (exit code 0)")
    ok = {n: r for n, r in results.items() if n not in (3, 10, 17, 25)}
    assert ok == {n: f"T{n}" for n in ok}


def test_big_tasks_and_no_time_limit() -> None:
    tasks = [("x" * 200_000) + str(n) for n in range(6)]
    pool: WorkerPool[str, str] = WorkerPool(2, work)
    results = dict(pool.run(enumerate(tasks)))
    assert results == {n: task.upper() for n, task in enumerate(tasks)}


def test_workers_are_gone_when_the_caller_stops_early() -> None:
    pool: WorkerPool[str, str] = WorkerPool(2, work)
    before = set(multiprocessing.active_children())
    run = pool.run((n, "sleep:0.05") for n in range(100))
    next(run)
    run.close()
    assert set(multiprocessing.active_children()) == before


def broken_setup() -> None:
    raise SystemExit(4)


def test_a_worker_that_cannot_start_stops_the_run_with_a_clear_error() -> None:
    pool: WorkerPool[str, str] = WorkerPool(2, work, initializer=broken_setup)
    with pytest.raises(WorkerStartError, match=r"failed to start \(exit code 4\)"):
        list(pool.run(enumerate(["a", "b"])))
