"""Stopping a batch the way supervisors do: SIGTERM (systemd, Airflow, docker stop) and
SIGINT (Ctrl-C) alike.

The first signal raises `Interrupted` in the main thread, wherever it is: the batch stops
handing out work, its workers are stopped as the worker pool unwinds, and the journal stays
as consistent as after a kill -9 (each row is flushed whole; outputs are atomic), so the same
command run again resumes. A second signal stops at once, also once the block is left (while
the command still reports the stop): the workers follow their parent out (see
cleaner.run.workers.die_with_parent).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Interrupted(BaseException):
    """A stop signal arrived. A BaseException, as KeyboardInterrupt is: the batch's own
    handlers of one bad document's errors must not swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """What shells report for a process ended by the signal: 143 for SIGTERM, 130 for
        SIGINT."""
        return 128 + self.signum


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into `Interrupted` while the block runs (main thread only;
    elsewhere the block runs with the handlers as they are).

    Once a signal has arrived, the handlers are not restored when the block is left: any
    later signal ends the process at once, with no traceback, whatever it is doing then.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def handle(signum: int, _frame: FrameType | None) -> None:
        if received:  # the second signal: no more unwinding
            _exit_at_once(signum, _frame)
        received.append(signum)
        raise Interrupted(signum)

    previous = {signum: signal.signal(signum, handle) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, _exit_at_once if received else handler)


def _exit_at_once(signum: int, _frame: FrameType | None) -> None:
    """A signal after the first: no more unwinding (the workers follow their parent out)."""
    os._exit(128 + signum)
