"""The batch as Parquet files, for dataset builders (`--format parquet`).

The batch itself runs as for txt: each document's text is written to `texts/<name>.txt`, so
the journal, resume, learning and near copies work unchanged. At the end, the manifest's ok
rows and their texts become `articles-00000.parquet`, ... of at most `ROWS_PER_FILE` rows,
in input order. Each file is written to a temporary name and renamed (one put on object
storage), and carries a digest of the manifest rows it holds: a rerun rewrites only the
files whose rows changed or that are missing, and removes parts the batch no longer has.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cleaner.document import MANIFEST_FIELDS
from cleaner.storage import filesystem
from cleaner.write.folder import Folder

ROWS_PER_FILE = 100_000
# Rows buffered before they go to the file as a row group: memory stays flat in batch size.
_ROW_GROUP = 1_000
_DIGEST_KEY = b"cleaner.rows_digest"
PART_NAME = re.compile(r"^articles-(\d{5,})\.parquet$")
# The article columns first, then the manifest's other fields.
_FIRST = ("id", "url", "site", "title", "date", "lang", "text")
COLUMNS = (*_FIRST, *(f for f in MANIFEST_FIELDS if f not in _FIRST), "settings_hash")
TEXTS_FOLDER = "texts"
MISSING_PYARROW = "--format parquet needs pyarrow: pip install 'cleaner[parquet]'"


def require_pyarrow() -> None:
    """Fail early, with what to install, when pyarrow is missing.

    Raises:
        ImportError: pyarrow is not installed.
    """
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ImportError(MISSING_PYARROW) from None


def part_name(number: int) -> str:
    return f"articles-{number:05d}.parquet"


def write_parquet(
    folder: Folder,
    manifest: Path,
    read_text: Callable[[dict[str, Any]], str],
    rows_per_file: int = ROWS_PER_FILE,
) -> list[str]:
    """Write the manifest's ok rows, with their texts, as Parquet files under `folder`.

    Args:
        folder: the batch's output folder (local or URL).
        manifest: the batch's final manifest (a local file).
        read_text: a row's article text (from its output).
        rows_per_file: rows in each file but the last.

    Returns:
        The names of the files, in order.

    Raises:
        ImportError: pyarrow is not installed.
    """
    require_pyarrow()
    parts = _parts(manifest, rows_per_file)
    names = []
    for number, (offsets, digest) in enumerate(parts):
        name = part_name(number)
        names.append(name)
        if _digest_of(folder, name) != digest:
            _write_part(folder, name, _rows(manifest, offsets, read_text), digest)
    _remove_stale(folder, len(parts))
    return names


def _parts(manifest: Path, rows_per_file: int) -> list[tuple[array[int], bytes]]:
    """For each file: the manifest offsets of its rows, and a digest of those rows."""
    parts: list[tuple[array[int], bytes]] = []
    offsets: array[int] = array("q")
    digest = hashlib.blake2b(digest_size=16)
    offset = 0
    with open(manifest, "rb") as stream:
        for line in stream:
            if b'"status": "ok"' in line and json.loads(line)["status"] == "ok":
                offsets.append(offset)
                digest.update(line)
                if len(offsets) == rows_per_file:
                    parts.append((offsets, digest.hexdigest().encode()))
                    offsets, digest = array("q"), hashlib.blake2b(digest_size=16)
            offset += len(line)
    if offsets or not parts:  # a batch with no article still gets one (empty) file
        parts.append((offsets, digest.hexdigest().encode()))
    return parts


def _rows(
    manifest: Path, offsets: array[int], read_text: Callable[[dict[str, Any]], str]
) -> Iterator[dict[str, Any]]:
    with open(manifest, "rb") as stream:
        for offset in offsets:
            stream.seek(offset)
            row = json.loads(stream.readline())
            row["text"] = read_text(row)
            yield row


def _schema() -> Any:
    import pyarrow as pa

    removed = pa.list_(pa.struct([("rule", pa.string()), ("text", pa.string())]))
    types = {"lang_prob": pa.float64(), "similarity": pa.float64(), "removed": removed}
    types |= {"chars_in": pa.int64(), "chars_out": pa.int64()}
    return pa.schema([(name, types.get(name, pa.string())) for name in COLUMNS])


def _write_part(folder: Folder, name: str, rows: Iterator[dict[str, Any]], digest: bytes) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema().with_metadata({_DIGEST_KEY: digest})
    local = folder.local
    where = local if local is not None else Path(tempfile.mkdtemp(prefix="cleaner-parquet-"))
    where.mkdir(parents=True, exist_ok=True)
    # Named like atomic_output's temporaries, so a run killed here has them removed.
    temporary = where / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        with pq.ParquetWriter(temporary, schema, compression="zstd") as writer:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == _ROW_GROUP:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    batch = []
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
        if local is not None:
            os.replace(temporary, local / name)
        else:
            fs, root = filesystem(folder.root)
            fs.put_file(str(temporary), f"{root}/{name}")  # one put: complete or absent
    finally:
        temporary.unlink(missing_ok=True)
        if local is None:
            where.rmdir()


def _digest_of(folder: Folder, name: str) -> bytes | None:
    """The rows digest an existing file was written with (None: missing or unreadable)."""
    import pyarrow.parquet as pq

    try:
        if not folder.exists(name):
            return None
        local = folder.local
        if local is not None:
            metadata = pq.read_metadata(local / name).metadata
        else:
            fs, root = filesystem(folder.root)
            with fs.open(f"{root}/{name}", "rb") as stream:
                metadata = pq.read_metadata(stream).metadata
    except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
        return None
    found = (metadata or {}).get(_DIGEST_KEY)
    return bytes(found) if found is not None else None


def _remove_stale(folder: Folder, count: int) -> None:
    """Delete parts numbered `count` and up (left by an earlier, larger batch)."""
    local = folder.local
    if local is not None:
        names = [p.name for p in local.iterdir()] if local.exists() else []
    else:
        fs, root = filesystem(folder.root)
        try:
            names = [str(p).rsplit("/", 1)[-1] for p in fs.ls(root, detail=False)]
        except FileNotFoundError:
            names = []
    for name in names:
        found = PART_NAME.match(name)
        if found and int(found.group(1)) >= count:
            folder.unlink(name)
