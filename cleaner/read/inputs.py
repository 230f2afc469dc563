"""Finding a batch's inputs: files, folders and JSONL records, each a `Source` to read.

Folders are walked recursively in sorted order, so every run numbers documents the same way;
a JSONL file holds one document a line. Nothing is read here beyond what naming needs: the
workers read each source themselves (`read_source`).
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import IO, Any, Literal

from cleaner.document import InputKind, RawDocument
from cleaner.read.decode import (
    C0_CONTROLS,
    InputError,
    ReadLimits,
    decode_text,
    input_digest,
    megabytes,
    read_file,
    read_url_file,
    unpack,
)
from cleaner.read.warc import WarcKind, count_entries, iter_entries, read_record, warc_kind
from cleaner.storage import list_url_files, local_or_url, open_stored

_TEXT_SUFFIXES: dict[str, InputKind] = {".html": "html", ".htm": "html", ".txt": "text"}


@dataclass(frozen=True)
class Source:
    """One input document: a file to read, or a JSONL record already read."""

    id: str
    source: str
    output_name: str
    kind: InputKind = "text"
    path: Path | None = None
    content: str | None = None
    url: str | None = None
    error: str | None = None
    title: str | None = None  # a JSONL record's own title, when it has one
    location: str | None = None  # an fsspec URL to read, instead of `path`
    offset: int | None = None  # a WARC (html) or WET (text) record's offset in the file
    date: str | None = None  # a WARC record's date, for a page that has none
    skipped: str | None = None  # a WARC record that is not a document: why (no row)


def input_kind(path: PurePath) -> InputKind | Literal["jsonl"] | WarcKind | None:
    """What a file holds, judged by its name (`.gz` allowed on every kind)."""
    archive = warc_kind(path.name)
    if archive:
        return archive
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes:
        return None
    if suffixes[-1] == ".jsonl":
        return "jsonl"
    return _TEXT_SUFFIXES.get(suffixes[-1])


def find_input_files(
    inputs: Sequence[Path | str], exclude: Path | str | None = None
) -> Iterator[tuple[Path | str, PurePath]]:
    """(file, path relative to its INPUT) for every readable input, folders in sorted order.

    Files named on the command line are taken whatever their suffix (an unknown one becomes
    an error row); in folders, only known suffixes are inputs. `exclude` (the output
    folder) is never walked, so writing inside the input folder does not re-read outputs.
    """
    out = local_or_url(exclude) if exclude else None
    excluded = out.resolve() if isinstance(out, Path) else None
    for location in inputs:
        given = local_or_url(location)
        if isinstance(given, str):
            skip = out if isinstance(out, str) else None
            for url, relative, named in list_url_files(given, skip):
                if named or input_kind(relative) is not None:
                    yield url, relative
            continue
        if given.is_dir():
            for path in _walk(given, excluded):
                yield path, path.relative_to(given)
        else:
            yield given, Path(given.name)


def _walk(folder: Path, excluded: Path | None) -> Iterator[Path]:
    seen: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            stat = current.stat()
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen or (excluded and current.resolve() == excluded):
            continue  # a symlink loop, or the output folder
        seen.add((stat.st_dev, stat.st_ino))
        try:
            entries = sorted(current.iterdir(), key=lambda p: p.name)
        except OSError:
            continue
        files, folders = [], []
        for entry in entries:
            if entry.is_dir():
                folders.append(entry)
            elif entry.is_file() and input_kind(entry) is not None:
                files.append(entry)
        yield from files
        stack.extend(reversed(folders))


def iter_sources(
    inputs: Sequence[Path | str],
    exclude: Path | str | None = None,
    limits: ReadLimits | None = None,
) -> Iterator[Source]:
    """Every input document, with a unique output name, in a stable order."""
    names = _OutputNames()
    max_line = (limits or ReadLimits()).max_bytes
    for path, relative in find_input_files(inputs, exclude):
        kind = input_kind(relative)
        if kind == "jsonl":
            yield from _jsonl_sources(path, relative, names, max_line)
            continue
        if kind == "warc" or kind == "wet":
            yield from _warc_sources(path, relative, names, kind)
            continue
        stem = _strip_suffixes(relative)
        output_name = names.claim(stem.as_posix())
        doc_id = relative.as_posix()
        if kind is None:
            local = path if isinstance(path, Path) else None
            yield Source(doc_id, str(path), output_name, path=local, error="unsupported file type")
        elif isinstance(path, str):
            yield Source(doc_id, path, output_name, kind=kind, location=path)
        else:
            # Read by absolute path: workers (a cluster's above all) may not share our cwd.
            yield Source(doc_id, str(path), output_name, kind=kind, path=path.absolute())


def count_documents(
    inputs: Sequence[Path | str],
    exclude: Path | str | None = None,
    limits: ReadLimits | None = None,
) -> int:
    """How many documents `iter_sources` will yield (JSONL lines and WARC document records
    counted), cheaply."""
    max_line = (limits or ReadLimits()).max_bytes
    total = 0
    for path, relative in find_input_files(inputs, exclude):
        kind = input_kind(relative)
        if kind in ("warc", "wet"):
            try:
                total += count_entries(path, kind)
            except InputError:
                total += 1
            continue
        if kind != "jsonl":
            total += 1
            continue
        try:
            total += max(
                1,
                sum(
                    1
                    for line in _stream_lines(path, max_line)
                    if line != b"\n" and (line is None or line.strip())
                ),
            )
        except InputError:
            total += 1
    return total


def _strip_suffixes(relative: PurePath) -> PurePath:
    name = relative.name
    for suffix in (".gz", ".html", ".htm", ".txt", ".jsonl", ".wet", ".warc"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return relative.with_name(name)


def _jsonl_sources(
    path: Path | str, relative: PurePath, names: _OutputNames, max_line: int
) -> Iterator[Source]:
    """One Source a line, read as the file streams: a big JSONL is never held whole."""
    folder = _strip_suffixes(relative).as_posix()
    number = 0
    try:
        for number, raw in enumerate(_stream_lines(path, max_line), start=1):
            if raw is None:
                reason = f"line {number} over size limit (> {megabytes(max_line)})"
                name = names.claim(f"{folder}/line-{number}")
                yield Source(
                    f"{relative.as_posix()}:{number}", f"{path}:{number}", name, error=reason
                )
                continue
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            fallback_id = f"{relative.as_posix()}:{number}"
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as error:
                reason = f"invalid JSON on line {number}: {error.msg}"
                name = names.claim(f"{folder}/line-{number}")
                yield Source(fallback_id, where, name, error=reason)
                continue
            except UnicodeDecodeError as error:
                reason = f"line {number} is not valid UTF-8 (offset {error.start})"
                name = names.claim(f"{folder}/line-{number}")
                yield Source(fallback_id, where, name, error=reason)
                continue
            yield _record_source(record, where, fallback_id, folder, number, names)
    except InputError as error:
        where = f"{path}:{number + 1}"
        yield Source(
            f"{relative.as_posix()}:{number + 1}", where, names.claim(folder), error=str(error)
        )


def _warc_sources(
    path: Path | str, relative: PurePath, names: _OutputNames, kind: WarcKind
) -> Iterator[Source]:
    """One Source a document record (skipped records too, marked), as the file streams."""
    folder = _strip_suffixes(relative).as_posix()
    local = path.absolute() if isinstance(path, Path) else None
    url = path if isinstance(path, str) else None
    doc_kind: InputKind = "html" if kind == "warc" else "text"
    offset = 0
    try:
        for entry in iter_entries(path, kind):
            offset = entry.offset
            where = f"{path}@{entry.offset}"
            doc_id = entry.record_id or f"{relative.as_posix()}@{entry.offset}"
            if entry.skipped:
                yield Source(doc_id, where, "", doc_kind, skipped=entry.skipped)
                continue
            name = names.claim(f"{folder}/{safe_name(doc_id, f'record-{entry.offset}')}")
            yield Source(
                doc_id,
                where,
                name,
                doc_kind,
                path=local,
                location=url,
                url=entry.url,
                error=entry.error,
                offset=entry.offset,
                date=entry.date,
            )
    except InputError as error:
        where = f"{path}@{offset}"
        doc_id = f"{relative.as_posix()}@{offset}"
        yield Source(doc_id, where, names.claim(folder), doc_kind, error=str(error))


def _stream_lines(path: Path | str, max_line: int) -> Iterator[bytes | None]:
    """The file's lines as bytes, through gzip when it is compressed; None for a line over
    `max_line` bytes, which is skipped without ever being held whole."""
    try:
        with open_stored(path) as stored:
            compressed = stored.read(2) == b"\x1f\x8b"
            stored.seek(0)
            stream: IO[bytes] | gzip.GzipFile = (
                gzip.GzipFile(fileobj=stored) if compressed else stored
            )
            while line := stream.readline(max_line + 1):
                if len(line) <= max_line or line.endswith(b"\n"):
                    yield line
                    continue
                while (rest := stream.readline(max_line)) and not rest.endswith(b"\n"):
                    pass
                yield None
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}") from None
    except (EOFError, zlib.error) as error:
        raise InputError(f"gzip stream damaged or truncated: {error}") from None


def _record_source(
    record: Any, where: str, fallback_id: str, folder: str, number: int, names: _OutputNames
) -> Source:
    if not isinstance(record, dict):
        return Source(
            fallback_id,
            where,
            names.claim(f"{folder}/line-{number}"),
            error="JSONL record is not an object",
        )
    raw_id = record.get("id")
    doc_id = str(raw_id) if isinstance(raw_id, (str, int)) and str(raw_id) else fallback_id
    output_name = names.claim(f"{folder}/{safe_name(doc_id, f'line-{number}')}")
    url = record.get("url") if isinstance(record.get("url"), str) else None
    html, text = record.get("html"), record.get("text")
    if isinstance(html, str):
        return Source(doc_id, where, output_name, kind="html", content=html, url=url)
    if isinstance(text, str):
        title = record.get("title") if isinstance(record.get("title"), str) else None
        return Source(doc_id, where, output_name, "text", content=text, url=url, title=title)
    return Source(
        doc_id,
        where,
        output_name,
        url=url,
        error="JSONL record has neither an 'html' nor a 'text' string",
    )


_UNSAFE = re.compile(r"[^\w.\-]+")


def safe_name(text: str, fallback: str) -> str:
    """A file name from an id: no separators, no leading dots, so it cannot escape --out."""
    name = _UNSAFE.sub("_", text).strip("._")[:120]
    return name or fallback


class _OutputNames:
    """Hands out output names, never the same twice (also not differing only in case)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, name: str) -> str:
        candidate, number = name, 1
        while candidate.casefold() in self._taken:
            number += 1
            candidate = f"{name}~{number}"
        self._taken.add(candidate.casefold())
        return candidate


def read_source(source: Source, limits: ReadLimits | None = None) -> tuple[RawDocument, str | None]:
    """The document's content (or the reason it cannot be read), and a digest of its input
    as stored, so a rerun can tell an unchanged input from a changed one."""
    if source.error or (source.path is None and source.location is None):
        content = C0_CONTROLS.sub("", source.content or "")
        digest = None
        if source.content is not None and not source.error:
            described = f"{source.kind}\0{source.url}\0{source.title}\0"
            digest = input_digest(described.encode() + content.encode())
        raw = RawDocument(
            source.id,
            source.kind,
            content,
            source.source,
            source.url,
            error=source.error,
            title=source.title,
        )
        return raw, digest
    limit = (limits or ReadLimits()).max_bytes
    if source.offset is not None:
        return _read_record(source, limit)
    digest = None
    try:
        stored: PurePath
        if source.location is not None:
            data, stored = read_url_file(source.location, limit), PurePosixPath(source.location)
        else:
            assert source.path is not None
            data, stored = read_file(source.path, limit), source.path
        digest = input_digest(data)
        content = decode_text(unpack(data, stored, limit), is_html=source.kind == "html")
    except InputError as error:
        failed = RawDocument(
            source.id, source.kind, "", source.source, source.url, error=str(error)
        )
        return failed, digest
    return RawDocument(source.id, source.kind, content, source.source, source.url), digest


def _read_record(source: Source, limit: int) -> tuple[RawDocument, str | None]:
    """A WARC or WET record's document, read by its offset."""
    assert source.offset is not None
    location = source.location or source.path
    assert location is not None
    kind: WarcKind = "warc" if source.kind == "html" else "wet"
    try:
        record = read_record(location, source.offset, kind, limit)
    except InputError as error:
        failed = RawDocument(
            source.id, source.kind, "", source.source, source.url, error=str(error)
        )
        return failed, None
    raw = RawDocument(
        source.id, source.kind, record.text, source.source, record.url, date=record.date
    )
    return raw, record.digest
