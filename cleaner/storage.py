"""Files behind an fsspec URL (s3://, gs://, memory://...), for inputs and outputs.

fsspec comes with the `dask` extra; it is imported only when a URL is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Any

from cleaner.interrupts import shielded


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


def local_or_url(location: str | Path) -> Path | str:
    """A `file://` URL is a local path (with the local guarantees); other URLs stay."""
    if isinstance(location, str) and location.startswith("file://"):
        return Path(location.removeprefix("file://"))
    return location if isinstance(location, str) and is_url(location) else Path(location)


def list_url_files(
    url: str, exclude: str | None = None
) -> Iterator[tuple[str, PurePosixPath, bool]]:
    """(file URL, path relative to `url`, whether it was named itself) under a URL, in the
    local walk's order (a folder's files by name, then its subfolders by name); the URL
    itself when it is a file. Files under `exclude` (the output URL) are left out."""
    fs, root = filesystem(url)
    if has_magic(root):
        yield from _glob_files(url, fs, root)
        return
    if not fs.isdir(root):
        yield url, PurePosixPath(PurePosixPath(root).name), True
        return
    skip = None
    if exclude is not None:
        out_fs, out_root = filesystem(exclude)
        if out_fs.protocol == fs.protocol:
            skip = out_root.rstrip("/")
    base = PurePosixPath(root)
    files: dict[PurePosixPath, list[str]] = {}
    folders: dict[PurePosixPath, set[PurePosixPath]] = {}
    for found in fs.find(root):
        if skip and (found == skip or found.startswith(skip + "/")):
            continue
        relative = PurePosixPath(found).relative_to(base)
        files.setdefault(relative.parent, []).append(relative.name)
        for folder in [relative.parent, *relative.parent.parents][:-1]:
            folders.setdefault(folder.parent, set()).add(folder)
    stack = [PurePosixPath(".")]
    while stack:
        folder = stack.pop()
        for name in sorted(files.get(folder, ())):
            relative = folder / name
            yield join_url(url, relative.as_posix()), relative, False
        stack.extend(sorted(folders.get(folder, ()), key=lambda f: f.name, reverse=True))


_MAGIC = re.compile(r"[*?\[]")


def has_magic(path: str) -> bool:
    """Whether a URL's path is a glob pattern (`s3://bucket/crawl/*.warc.gz`)."""
    return _MAGIC.search(path) is not None


def _glob_files(url: str, fs: Any, pattern: str) -> Iterator[tuple[str, PurePosixPath, bool]]:
    """The files a glob matches, sorted, relative to the pattern's folder before any magic."""
    parts = PurePosixPath(pattern).parts
    fixed = next(i for i, part in enumerate(parts) if has_magic(part))
    base = PurePosixPath(*parts[:fixed])
    prefix = url[: url.index(parts[fixed])] if fixed else url[: url.find("://") + 3]
    for found in sorted(fs.glob(pattern)):
        if fs.isdir(found):
            continue
        relative = PurePosixPath(found).relative_to(base) if fixed else PurePosixPath(found)
        yield prefix + relative.as_posix(), relative, False


def url_exists(url: str) -> bool:
    fs, path = filesystem(url)
    if has_magic(path):
        return bool(fs.glob(path))
    return bool(fs.exists(path))


def url_size(url: str) -> int:
    fs, path = filesystem(url)
    return int(fs.size(path))


def read_url(url: str) -> bytes:
    fs, path = filesystem(url)
    return bytes(fs.cat_file(path))


def write_url(url: str, data: bytes) -> None:
    """One put: an object store shows the whole file or none of it."""
    fs, path = filesystem(url)
    with shielded():  # the upload would go on without this thread: it is not interrupted
        fs.pipe_file(path, data)


def open_url(url: str, block_size: int | None = None) -> IO[bytes]:
    """`block_size`: bytes fetched a read (fsspec's default, several MB, suits streaming;
    a few small reads at chosen offsets want less)."""
    fs, path = filesystem(url)
    if block_size is None:
        return fs.open(path, "rb")  # type: ignore[no-any-return]
    return fs.open(path, "rb", block_size=block_size)  # type: ignore[no-any-return]


def open_stored(location: Path | str, block_size: int | None = None) -> IO[bytes]:
    """A local file or a URL, opened for reading bytes (`block_size`: see open_url)."""
    if is_url(location):
        return open_url(str(location), block_size)
    return open(location, "rb")
