"""Running a command and measuring it: wall time and peak memory of its whole process tree."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in KiB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        stack.extend(int(child) for child in children)
    return total


def run_measured(
    command: Sequence[str], accept: Sequence[int] = (0,), stderr: list[str] | None = None
) -> tuple[float, int]:
    """(seconds, peak KiB of the process tree), polling memory every 50 ms.

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
