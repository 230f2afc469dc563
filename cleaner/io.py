"""Reading inputs and writing outputs.

Inputs are found in the parent process (cheap: paths and JSONL lines) and read in the
workers (decompression and decoding are real work). Every input becomes exactly one
`Source`, even a broken JSONL line, so every input gets its manifest row.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import json
import os
import re
import secrets
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import IO, Any, Literal, TextIO

import charset_normalizer

from cleaner.document import Document, InputKind
from cleaner.pipeline import RawDocument
from cleaner.storage import list_url_files, local_or_url, open_stored, read_url, url_size

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
    title: str | None = None  # a JSONL record's own title, when it has one
    location: str | None = None  # an fsspec URL to read, instead of `path`


def input_kind(path: PurePath) -> InputKind | Literal["jsonl"] | None:
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
    """How many documents `iter_sources` will yield (JSONL lines counted), cheaply."""
    max_line = (limits or ReadLimits()).max_bytes
    total = 0
    for path, relative in find_input_files(inputs, exclude):
        if input_kind(relative) != "jsonl":
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
    for suffix in (".gz", ".html", ".htm", ".txt", ".jsonl"):
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
                reason = f"line {number} over size limit (> {_mb(max_line)})"
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


@dataclass(frozen=True)
class ReadLimits:
    """How much one input may weigh, so one file cannot exhaust a worker's memory.

    A gzip bomb stops at `max_bytes` of output; a JSONL line longer than `max_bytes` is an
    error row of its own while the rest of the file is read.
    """

    max_bytes: int = 64 * 1024 * 1024


def read_bytes(path: Path, limits: ReadLimits | None = None) -> bytes:
    """The file's bytes, decompressed when it is gzip, within the size limit."""
    limit = (limits or ReadLimits()).max_bytes
    return unpack(read_file(path, limit), path, limit)


def read_url_file(url: str, limit: int) -> bytes:
    """An fsspec URL's bytes as stored; over `limit`, refused without being read."""
    try:
        size = url_size(url)
        if size > limit:
            raise InputError(f"input over size limit ({_mb(size)} > {_mb(limit)})")
        return read_url(url)
    except InputError:
        raise
    except Exception as error:  # the store's own errors (missing key, denied, offline)
        raise InputError(f"cannot read {url}: {type(error).__name__}: {error}") from None


def read_file(path: Path, limit: int) -> bytes:
    """The file's bytes as stored; a file over `limit` is refused without being read."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"input over size limit ({_mb(size)} > {_mb(limit)})")
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}") from None


def unpack(data: bytes, path: PurePath, limit: int) -> bytes:
    """Stored bytes as content: gzip inflated (within `limit`), anything else as is."""
    if data[:2] == b"\x1f\x8b":
        return gunzip(data, limit)
    if path.suffix.lower() == ".gz":
        raise InputError("not a gzip file (no gzip header)")
    return data


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress every gzip member in `data`, stopping as soon as the output passes `limit`.

    Raises:
        InputError: damaged or truncated stream, or more than `limit` bytes inflated.
    """
    parts: list[bytes] = []
    total = 0
    remaining = data
    try:
        while remaining:
            inflater = zlib.decompressobj(wbits=31)
            chunk = inflater.decompress(remaining, limit - total + 1)
            while True:
                total += len(chunk)
                parts.append(chunk)
                if total > limit:
                    raise InputError(f"decompressed size over limit (> {_mb(limit)})")
                if inflater.eof or not inflater.unconsumed_tail:
                    break
                chunk = inflater.decompress(inflater.unconsumed_tail, limit - total + 1)
            if not inflater.eof:
                raise InputError("gzip stream truncated")
            # Concatenated members are one gzip file; trailing NUL padding is not a member.
            remaining = inflater.unused_data.lstrip(b"\x00")
    except zlib.error as error:
        raise InputError(f"gzip stream damaged: {error}") from None
    return b"".join(parts)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


# Signatures of formats people save by mistake under a text name.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office document"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
)
# C0 control characters but tab, newline and carriage return, and DEL: what binary junk and
# broken encoders leave, never text (and lxml refuses some of them). The C1 range, stray
# BOMs and non-characters are removed from the cleaned text (cleaner.filters.strip_controls).
_C0_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13)) + b"\x7f"
_C0 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
# Share of control characters above which decoded bytes are a binary file, not text.
_BINARY_SHARE = 0.02


def decode_text(data: bytes, is_html: bool) -> str:
    """Decode bytes of unknown encoding the way a browser would, without HTTP headers.

    Order: BOM; binary signatures; UTF-16 without BOM; UTF-8 when the bytes are valid UTF-8
    (legacy bytes almost never are, and scrapers often re-encode pages to UTF-8 but keep
    the old `<meta charset>`); the page's declared charset; charset-normalizer's guess.
    Control characters are removed from the result.

    Raises:
        InputError: binary content, or bytes that decode to no plausible text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _text_only(data.decode(encoding, errors="replace"))
    head = data[:_SNIFF_BYTES]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            raise InputError(f"not text ({kind})")
    utf16 = _utf16_without_bom(head)
    if utf16:
        return _text_only(data.decode(utf16, errors="replace"))
    if head.count(0) > len(head) // 100:
        raise InputError("not text (binary)")
    with contextlib.suppress(UnicodeDecodeError):
        return _text_only(data.decode("utf-8"), data)
    if is_html:
        declared = _declared_charset(head)
        if declared:
            with contextlib.suppress(UnicodeDecodeError):
                return _text_only(data.decode(declared), data)
    western = _western_text(data)
    if western is not None:
        return _text_only(western, data)
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise InputError("not text (binary)")
    return _text_only(data.decode(_browser_encoding(best.encoding), errors="replace"))


# What Western European text in windows-1252 has beyond ASCII: accented letters and
# typographic punctuation. Cyrillic, Greek or Arabic legacy bytes read as windows-1252 also
# come out as accented letters, but then nearly every letter is one.
_WESTERN_EXTRA = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿŒœŠšŸŽžƒ"
    "“”‘’‚„–—…•€™«»°©®£¥¢§¶·¡¿ªº±²³¹¼½¾µ\u00a0"
)
_WESTERN_MAX_SHARE = 0.3


def _western_text(data: bytes) -> str | None:
    """The text as windows-1252, when it reads as a Western European language.

    Detectors guess poorly on short Latin text (cp1252 "“" comes out as cp1250 or cp775),
    while windows-1252 is by far the commonest legacy encoding of the web.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    extra = [c for c in text if c > "\x7f"]
    if not extra or any(c not in _WESTERN_EXTRA for c in extra):
        return None
    letters = sum(1 for c in text if c.isalpha())
    return text if len(extra) <= _WESTERN_MAX_SHARE * max(letters, 1) else None


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 of mostly-Latin text has a NUL in every other byte."""
    sample = head[: len(head) - len(head) % 2][:2048]
    if len(sample) < 8:
        return None
    odd, even = sample[1::2], sample[0::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _declared_charset(head: bytes) -> str | None:
    declared = _CHARSET.search(head)
    if not declared:
        return None
    try:
        return _browser_encoding(codecs.lookup(declared.group(1).decode("ascii", "replace")).name)
    except LookupError:
        return None


def _browser_encoding(name: str) -> str:
    """Browsers read latin-1 and ASCII labels as windows-1252 (WHATWG Encoding)."""
    return "cp1252" if name in ("latin_1", "iso8859-1", "ascii", "iso8859_1") else name


def _text_only(text: str, ascii_based: bytes | None = None) -> str:
    """The text without C0 controls; refused when they are a binary file's share of it.

    `ascii_based`: the bytes `text` was decoded from, when their encoding keeps ASCII as is;
    a C0 character must then be a C0 byte, which bytes.translate finds at memory speed.
    """
    if ascii_based is not None and len(ascii_based.translate(None, _C0_BYTES)) == len(ascii_based):
        return text
    cleaned = _C0.sub("", text)
    if len(text) - len(cleaned) > _BINARY_SHARE * max(len(text), 1):
        raise InputError("not text (binary)")
    return cleaned


def read_source(source: Source, limits: ReadLimits | None = None) -> tuple[RawDocument, str | None]:
    """The document's content (or the reason it cannot be read), and a digest of its input
    as stored, so a rerun can tell an unchanged input from a changed one."""
    if source.error or (source.path is None and source.location is None):
        content = _C0.sub("", source.content or "")
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


def input_digest(data: bytes) -> str:
    """A short content hash: enough to tell whether an input changed between two runs."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


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
