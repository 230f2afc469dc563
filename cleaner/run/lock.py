"""The output folder's lock: one batch writes a folder at a time."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from cleaner.run.options import BatchError


@contextlib.contextmanager
def exclusive(out: Path) -> Iterator[None]:
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
