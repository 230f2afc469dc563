"""One document's output file: its format (txt, md, json) and writing it atomically.

Outputs are written to a temporary file and renamed, so a kill never leaves a half output
under a finished name.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, TextIO

from cleaner.document import Document

# parquet: each document written as txt under texts/, the batch then as Parquet files
# (cleaner.write.parquet).
OutputFormat = Literal["txt", "md", "json", "parquet"]
MANIFEST_NAME = "manifest.jsonl"
OUTPUT_SUFFIX: dict[str, str] = {"txt": ".txt", "md": ".md", "json": ".json", "parquet": ".txt"}


def output_path(name: str, fmt: OutputFormat) -> str:
    """A document's output file, relative to the output folder."""
    return f"texts/{name}.txt" if fmt == "parquet" else name + OUTPUT_SUFFIX[fmt]


# --- outputs ----------------------------------------------------------------------------


def render(doc: Document, fmt: OutputFormat) -> str:
    """The output file's content: the body alone (txt), or with its title and metadata."""
    if fmt == "json":
        record = {
            "id": doc.id,
            "url": doc.url,
            "site": doc.site,
            "sitename": doc.sitename,
            "title": doc.title,
            "date": doc.date,
            "lang": doc.lang,
            "text": doc.text,
        }
        return json.dumps(record, ensure_ascii=False) + "\n"
    header = markdown_header(doc.title, doc.date, doc.url)
    return header + doc.text + "\n" if fmt == "md" else doc.text + "\n"


def markdown_header(title: str | None, date: str | None, url: str | None) -> str:
    """What an .md output holds above the body."""
    header = [f"# {title}"] if title else []
    meta = " · ".join(x for x in (date, url) if x)
    if meta:
        header.append(f"*{meta}*")
    return "".join(line + "\n\n" for line in header)


def body_start(doc: Document, fmt: OutputFormat) -> int:
    """Where the body starts in the output file, in bytes (-1: inside JSON)."""
    if fmt == "json":
        return -1
    header = markdown_header(doc.title, doc.date, doc.url)
    return len(header.encode("utf-8")) if fmt == "md" else 0


@contextmanager
def atomic_output(path: Path, durable: bool = False) -> Iterator[TextIO]:
    """A stream whose content appears at `path` only once it is complete (temp + rename).

    `durable`: the content and the rename are on the disk (fsync) before this returns, so a
    power cut cannot leave an empty file under the name; for files written once a batch,
    such as the manifest (one fsync an output would cost more than cleaning it).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        # Opened like any new file (umask applies), exclusively: no two writers share it.
        with open(temporary, "x", encoding="utf-8") as stream:
            yield stream
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # a system that cannot open folders (Windows) has no folder entries to sync
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the rename itself is done
    finally:
        os.close(handle)


def write_atomic(path: Path, content: str) -> None:
    with atomic_output(path) as stream:
        stream.write(content)
