"""Files behind an fsspec URL (s3://, gs://, memory://...), for inputs and outputs.

fsspec comes with the `dask` extra; it is imported only when a URL is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Any


def is_url(location: str | Path) -> bool:
    """'s3://bucket/key' is a URL; a local path (even 'C:\\x' on Windows) is not."""
    return isinstance(location, str) and "://" in location


@lru_cache(maxsize=16)
def filesystem(url: str) -> tuple[Any, str]:
    """(fsspec filesystem, path inside it) for a URL, once per process."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise ImportError(
            f"reading or writing {url} needs fsspec: pip install 'cleaner[dask]'"
        ) from None
    return url_to_fs(url)  # type: ignore[no-any-return]


def join_url(url: str, relative: str) -> str:
    return url.rstrip("/") + "/" + relative


def list_url_files(url: str) -> Iterator[tuple[str, PurePosixPath]]:
    """(file URL, path relative to `url`) under a URL, sorted; the URL itself if a file."""
    fs, root = filesystem(url)
    protocol = url.split("://", 1)[0]
    if not fs.isdir(root):
        yield url, PurePosixPath(PurePosixPath(root).name)
        return
    for found in sorted(fs.find(root)):
        relative = PurePosixPath(found).relative_to(PurePosixPath(root))
        yield f"{protocol}://{found}", relative


def url_exists(url: str) -> bool:
    fs, path = filesystem(url)
    return bool(fs.exists(path))


def url_size(url: str) -> int:
    fs, path = filesystem(url)
    return int(fs.size(path))


def read_url(url: str) -> bytes:
    fs, path = filesystem(url)
    return bytes(fs.cat_file(path))


def open_url(url: str) -> IO[bytes]:
    fs, path = filesystem(url)
    return fs.open(path, "rb")  # type: ignore[no-any-return]
