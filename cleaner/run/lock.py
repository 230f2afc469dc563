"""The output folder's lock: one batch writes a folder at a time."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from cleaner.run.options import BatchError

# The folder locks this process holds. flock belongs to the open file, which a forked child
# shares: a worker that outlived a killed parent would keep the folder locked. So every
# child closes its copies at once (the parent's lock stands: it holds its own descriptor).
_held: set[int] = set()


def _close_inherited_locks() -> None:
    for handle in _held:
        with contextlib.suppress(OSError):
            os.close(handle)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_inherited_locks)


@contextlib.contextmanager
def exclusive(out: Path, busy: str | None = None) -> Iterator[None]:
    """Hold a lock on the output folder: two runs writing one folder would mix journals.

    The lock is on the folder itself (no lock file to leave behind) and the system drops
    it when the process dies, also on kill -9; processes forked while it is held do not
    keep it. Windows has no flock: runs are not locked there.
    """
    if sys.platform == "win32":
        yield
        return
    import fcntl  # POSIX only

    # A folder is opened as it is; a file (an index's lock file) is made if missing.
    flags = os.O_RDONLY if out.is_dir() else os.O_RDWR | os.O_CREAT
    handle = os.open(out, flags, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchError(busy or f"another cleaner run is writing to {out}") from None
        _held.add(handle)
        yield
    finally:
        _held.discard(handle)
        os.close(handle)
