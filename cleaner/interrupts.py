"""Interrupting a thread at its next Python instruction, except while it uploads.

The Dask engine keeps a document's time limit by raising an exception in the thread that
cleans it. An upload to an object store runs on fsspec's own event loop: interrupting the
thread that waits for it would not stop it, and the output would land after its row said
the document timed out. Uploads are therefore shielded: an interruption waits for them.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from collections import Counter
from collections.abc import Iterator

_lock = threading.Lock()
_shielded: Counter[int] = Counter()  # thread id -> shields entered and not yet left


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """No interruption reaches this thread inside the block (one may wait till it ends)."""
    me = threading.get_ident()
    with _lock:
        _shielded[me] += 1
        # One sent just before may not have been raised yet: it is withdrawn (the sender
        # tries again later).
        _set_async_exception(me, None)
    try:
        yield
    finally:
        with _lock:
            _shielded[me] -= 1
            if not _shielded[me]:
                del _shielded[me]


def interrupt(thread_id: int, error: type[BaseException]) -> bool:
    """Raise `error` in the thread at its next Python instruction, unless it is shielded
    (then nothing happens, and False)."""
    with _lock:
        if _shielded[thread_id]:
            return False
        _set_async_exception(thread_id, error)
        return True


def withdraw(thread_id: int) -> None:
    """Take back an interruption sent but not yet raised."""
    with _lock:
        _set_async_exception(thread_id, None)


def _set_async_exception(thread_id: int, error: type[BaseException] | None) -> None:
    exception = ctypes.py_object(error) if error is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), exception)
