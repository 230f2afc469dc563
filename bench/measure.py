"""Running a command and measuring it: wall time and peak memory of its whole process tree."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path


def tree_rss_kib(pid: int) -> int:
    """Memory of a process and all its descendants (Linux /proc), in KiB.

    Each process counts its proportional share (PSS) of the pages it shares: forked workers
    share most of their parent's pages, and plain RSS would count those once per process.
    """
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            total += _kib(current)
        except OSError:
            continue
        stack.extend(int(child) for child in children)
    return total


def _kib(pid: int) -> int:
    try:
        lines, field = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines(), "Pss:"
    except OSError:  # kernels before 4.14: resident memory, shared pages counted in full
        lines, field = Path(f"/proc/{pid}/status").read_text().splitlines(), "VmRSS:"
    return next((int(line.split()[1]) for line in lines if line.startswith(field)), 0)


def run_timed(command: Sequence[str], accept: Sequence[int] = (0,)) -> float:
    """Seconds the command took, with nothing else running: reading a process tree's
    memory walks its page tables, and on a 2-core machine that watcher would take time from
    the very workers whose speed is being compared."""
    started = time.perf_counter()
    process = subprocess.run(
        list(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if process.returncode not in accept:
        raise SystemExit(f"{command[:4]} failed ({process.returncode}): {process.stderr[-2000:]}")
    return elapsed


def run_measured(
    command: Sequence[str], accept: Sequence[int] = (0,), stderr: list[str] | None = None
) -> tuple[float, int]:
    """(seconds, peak KiB (PSS) of the process tree), polling memory every 50 ms.

    `stderr`, when given, receives what the command wrote to its standard error.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kib(process.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, errors = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    watcher.join()
    if stderr is not None:
        stderr.append(errors)
    if process.returncode not in accept:
        raise SystemExit(f"{command[:4]} failed ({process.returncode}): {errors[-2000:]}")
    return elapsed, peak
