"""Reading inputs and writing outputs.

Inputs are found in the parent process (cheap: paths and JSONL lines) and read in the
workers (decompression and decoding are real work). Every input becomes exactly one
`Source`, even a broken JSONL line, so every input gets its manifest row.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import re
import secrets
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from cleaner.document import Document, InputKind
from cleaner.pipeline import RawDocument

OutputFormat = Literal["txt", "md", "json"]
MANIFEST_NAME = "manifest.jsonl"
OUTPUT_SUFFIX: dict[str, str] = {"txt": ".txt", "md": ".md", "json": ".json"}

_TEXT_SUFFIXES: dict[str, InputKind] = {".html": "html", ".htm": "html", ".txt": "text"}
# Sniffing the start of a file is enough to tell text from binary formats.
_SNIFF_BYTES = 8192
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class InputError(ValueError):
    """An input that cannot be read as text; the message is the manifest's reason."""


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


def input_kind(path: Path) -> InputKind | Literal["jsonl"] | None:
    """What a file holds, judged by its name (`.gz` allowed on every kind)."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if not suffixes:
        return None
    if suffixes[-1] == ".jsonl":
        return "jsonl"
    return _TEXT_SUFFIXES.get(suffixes[-1])


def find_input_files(
    inputs: Sequence[Path], exclude: Path | None = None
) -> Iterator[tuple[Path, Path]]:
    """(file, path relative to its INPUT) for every readable input, folders in sorted order.

    Files named on the command line are taken whatever their suffix (an unknown one becomes
    an error row); in folders, only known suffixes are inputs. `exclude` (the output
    folder) is never walked, so writing inside the input folder does not re-read outputs.
    """
    excluded = exclude.resolve() if exclude else None
    for given in inputs:
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


def iter_sources(inputs: Sequence[Path], exclude: Path | None = None) -> Iterator[Source]:
    """Every input document, with a unique output name, in a stable order."""
    names = _OutputNames()
    for path, relative in find_input_files(inputs, exclude):
        kind = input_kind(path)
        if kind == "jsonl":
            yield from _jsonl_sources(path, relative, names)
            continue
        stem = _strip_suffixes(relative)
        output_name = names.claim(stem.as_posix())
        doc_id = relative.as_posix()
        if kind is None:
            yield Source(doc_id, str(path), output_name, path=path, error="unsupported file type")
        else:
            yield Source(doc_id, str(path), output_name, kind=kind, path=path)


def count_documents(inputs: Sequence[Path], exclude: Path | None = None) -> int:
    """How many documents `iter_sources` will yield (JSONL lines counted), cheaply."""
    total = 0
    for path, _ in find_input_files(inputs, exclude):
        if input_kind(path) != "jsonl":
            total += 1
            continue
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        try:
            with opener(path, "rb") as stream:
                total += max(1, sum(1 for line in stream if line.strip()))
        except (OSError, EOFError, zlib.error):
            total += 1
    return total


def _strip_suffixes(relative: Path) -> Path:
    name = relative.name
    for suffix in (".gz", ".html", ".htm", ".txt", ".jsonl"):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return relative.with_name(name)


def _jsonl_sources(path: Path, relative: Path, names: _OutputNames) -> Iterator[Source]:
    """One Source a line, read as the file streams: a big JSONL is never held whole."""
    folder = _strip_suffixes(relative).as_posix()
    number = 0
    try:
        for number, raw in enumerate(_stream_lines(path), start=1):
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


def _stream_lines(path: Path) -> Iterator[bytes]:
    """The file's lines as bytes, through gzip when it is compressed."""
    try:
        with open(path, "rb") as head:
            compressed = head.read(2) == b"\x1f\x8b"
        opener = gzip.open if compressed else open
        with opener(path, "rb") as stream:
            yield from stream
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
        return Source(doc_id, where, output_name, kind="text", content=text, url=url)
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


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise InputError(f"gzip stream damaged or truncated: {error}") from None
    elif path.suffix.lower() == ".gz":
        raise InputError("not a gzip file (no gzip header)")
    return data


def decode_text(data: bytes, is_html: bool) -> str:
    """Decode by BOM, then by the page's declared charset, then as strict UTF-8.

    Raises:
        InputError: binary content, or bytes that the chosen encoding cannot decode.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data, encoding)
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise InputError("not text (binary)")
    if is_html:
        declared = _CHARSET.search(data[:_SNIFF_BYTES])
        if declared:
            name = declared.group(1).decode("ascii", "replace")
            try:
                encoding = codecs.lookup(name).name
            except LookupError:
                encoding = "utf-8"
            return _decode(data, encoding)
    return _decode(data, "utf-8")


def _decode(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            f"not valid {encoding} (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    return text.replace("\x00", "")


def read_source(source: Source) -> RawDocument:
    """The document's content, or a RawDocument carrying the reason it cannot be read."""
    if source.error or source.path is None:
        return RawDocument(
            source.id,
            source.kind,
            source.content or "",
            source.source,
            source.url,
            error=source.error,
        )
    try:
        content = decode_text(read_bytes(source.path), is_html=source.kind == "html")
    except InputError as error:
        return RawDocument(source.id, source.kind, "", source.source, source.url, error=str(error))
    return RawDocument(source.id, source.kind, content, source.source, source.url)


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
    return _markdown_header(doc) + doc.text + "\n" if fmt == "md" else doc.text + "\n"


def _markdown_header(doc: Document) -> str:
    header = [f"# {doc.title}"] if doc.title else []
    meta = " · ".join(x for x in (doc.date, doc.url) if x)
    if meta:
        header.append(f"*{meta}*")
    return "".join(line + "\n\n" for line in header)


def body_start(doc: Document, fmt: OutputFormat) -> int:
    """Where the body starts in the output file, in bytes (-1: inside JSON)."""
    if fmt == "json":
        return -1
    return len(_markdown_header(doc).encode("utf-8")) if fmt == "md" else 0


def read_body(path: Path, fmt: OutputFormat, start: int) -> str:
    """The body of an output file written by `render`, given its `body_start`."""
    if fmt == "json":
        return str(json.loads(path.read_text("utf-8"))["text"])
    with open(path, "rb") as stream:
        stream.seek(start)
        return stream.read().decode("utf-8").removesuffix("\n")


@contextmanager
def atomic_output(path: Path) -> Iterator[TextIO]:
    """A stream whose content appears at `path` only once it is complete (temp + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        # Opened like any new file (umask applies), exclusively: no two writers share it.
        with open(temporary, "x", encoding="utf-8") as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, content: str) -> None:
    with atomic_output(path) as stream:
        stream.write(content)
