"""WARC and WET files: one source per document record, read by its offset in the file.

The parent walks a file's record headers only (fastwarc skips the payloads) and names a
`Source` for each document record: a 2xx `response` with an HTML payload (WARC), or a
`conversion` record (WET). Other records (requests, metadata, revisits, non-HTML or non-2xx
responses) are skipped and counted, not documents. Each worker then reads its record alone:
it seeks to the record's offset, takes one gzip member (or one plain record) within the size
limit, and lets fastwarc undo the chunked transfer and the gzip/deflate/br content encodings.
So a big WARC is cleaned in parallel, and no one holds more than a record.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from fastwarc.warc import ArchiveIterator, WarcRecord, WarcRecordType

from cleaner.read.decode import InputError, decode_text, input_digest, megabytes
from cleaner.storage import open_stored

WarcKind = Literal["warc", "wet"]
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_GZIP_MAGIC = b"\x1f\x8b\x08"
_PLAIN_START = b"\nWARC/1."  # a record's first line, after the previous record's CRLFs
_READ = 1 << 16
_RECORD_BLOCK = 1 << 18
# What a skipped record is counted as in the summary.
SKIP_REQUEST = "request"
_SKIP_NAMES = {
    int(WarcRecordType.request): SKIP_REQUEST,
    int(WarcRecordType.metadata): "metadata",
    int(WarcRecordType.revisit): "revisit",
    int(WarcRecordType.warcinfo): "warcinfo",
    int(WarcRecordType.resource): "resource",
    int(WarcRecordType.response): "response",
    int(WarcRecordType.conversion): "conversion",
    int(WarcRecordType.continuation): "continuation",
}


@dataclass(frozen=True)
class WarcEntry:
    """One record of a WARC or WET file, as the parent sees it (headers only).

    `skipped` names why the record is not a document; `error` why it cannot be read.
    """

    offset: int
    record_id: str | None = None
    url: str | None = None
    date: str | None = None
    skipped: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class WarcPayload:
    """A document record's content: the decoded text, and what its headers said."""

    text: str
    url: str | None
    date: str | None
    record_id: str | None
    digest: str


def warc_kind(name: str) -> WarcKind | None:
    """'warc' for `.warc` / `.warc.gz`, 'wet' for `.wet` / `.warc.wet.gz`, else None."""
    lowered = name.lower().removesuffix(".gz")
    if lowered.endswith(".wet"):
        return "wet"
    if lowered.endswith(".warc"):
        return "warc"
    return None


def iter_entries(location: Path | str, kind: WarcKind) -> Iterator[WarcEntry]:
    """Every record of the file in order, as a document to read or a record skipped.

    A damaged gzip member, or a damaged uncompressed record, is an error entry, and reading
    goes on at the next member or the next line that starts a record.

    Raises:
        InputError: the file cannot be opened or read at all.
    """
    try:
        with open_stored(location) as stream:
            compressed = stream.read(3) == _GZIP_MAGIC
            start: int | None = 0
            while start is not None:
                start = yield from _entries_from(stream, start, kind, compressed)
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}") from None


def _entries_from(
    stream: IO[bytes], start: int, kind: WarcKind, compressed: bool
) -> Generator[WarcEntry, None, int | None]:
    """The entries from `start` on; the offset to resume at after a damaged member, or None."""
    stream.seek(start)
    last: int | None = None
    try:
        for record in ArchiveIterator(stream, parse_http=kind == "warc"):
            last = record.stream_pos  # in the file, wherever the iterator started
            yield _entry(record, last, kind)
    except Exception as error:  # fastwarc's own error types for bad gzip data or headers
        ends = _member_end if compressed else _plain_end
        damaged = start if last is None else ends(stream, last)
        if damaged is None:
            return None
        yield WarcEntry(damaged, error=f"WARC record damaged: {error}")
        return (_next_member if compressed else _next_plain)(stream, damaged + 1)
    return None


def _entry(record: WarcRecord, offset: int, kind: WarcKind) -> WarcEntry:
    record_type = record.record_type
    url = record.headers.get("WARC-Target-URI")
    record_id = _record_id(record.headers.get("WARC-Record-ID"))
    date = _warc_date(record.headers.get("WARC-Date"))
    if kind == "wet":
        skipped = None if record_type == WarcRecordType.conversion else _skip_name(record_type)
        return WarcEntry(offset, record_id, url, date, skipped)
    if record_type != WarcRecordType.response:
        return WarcEntry(offset, record_id, url, date, _skip_name(record_type))
    if not record.is_http:
        return WarcEntry(offset, record_id, url, date, "response without HTTP")
    status = record.http_headers.status_code
    if status is None:
        return WarcEntry(offset, record_id, url, date, error="WARC record damaged: no HTTP status")
    if not 200 <= status < 300:
        return WarcEntry(offset, record_id, url, date, f"HTTP status {status}")
    content_type = (record.http_content_type or "").lower()
    if content_type not in HTML_TYPES:
        return WarcEntry(offset, record_id, url, date, "not HTML")
    return WarcEntry(offset, record_id, url, date)


def _skip_name(record_type: WarcRecordType) -> str:
    return _SKIP_NAMES.get(int(record_type), "unknown record")


def _record_id(value: str | None) -> str | None:
    return value.strip().removeprefix("<").removesuffix(">") if value else None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _warc_date(value: str | None) -> str | None:
    """The day of a WARC-Date (`2024-05-01T12:00:00Z` -> `2024-05-01`), as pages' dates are."""
    found = _DATE.match(value.strip()) if value else None
    return found.group(0) if found else None


def _member_end(stream: IO[bytes], offset: int) -> int | None:
    """Where the gzip member at `offset` ends (None: it does not end)."""
    stream.seek(offset)
    inflater = zlib.decompressobj(wbits=31)
    position = offset
    try:
        while chunk := stream.read(_READ):
            inflater.decompress(chunk, 1)  # the output is not needed, only where it stops
            while inflater.unconsumed_tail and not inflater.eof:
                inflater.decompress(inflater.unconsumed_tail, 1 << 20)
            if inflater.eof:
                return position + len(chunk) - len(inflater.unused_data)
            position += len(chunk)
    except zlib.error:
        return offset
    return None


def _next_member(stream: IO[bytes], offset: int) -> int | None:
    """The offset of the next gzip member header at or after `offset`, if any."""
    return _find_forward(stream, offset, _GZIP_MAGIC)


def _find_forward(stream: IO[bytes], offset: int, marker: bytes) -> int | None:
    """The offset of the next `marker` at or after `offset`, read a block at a time (a
    marker split over two blocks is still found)."""
    stream.seek(offset)
    carry = b""
    base = offset
    while chunk := stream.read(_READ):
        data = carry + chunk
        found = data.find(marker)
        if found >= 0:
            return base + found
        carry = data[-(len(marker) - 1) :]
        base += len(data) - len(carry)
    return None


def _plain_end(stream: IO[bytes], offset: int) -> int | None:
    """Where the uncompressed record at `offset` ends, by its Content-Length (None: it does
    not say)."""
    stream.seek(offset)
    length = -1
    while (line := stream.readline(1 << 16)) not in (b"", b"\r\n", b"\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    if not line or length < 0:
        return None
    return stream.tell() + length + 4  # the block, then two CRLFs


def _next_plain(stream: IO[bytes], offset: int) -> int | None:
    """The offset of the next line at or after `offset` that starts a WARC record."""
    found = _find_forward(stream, offset, _PLAIN_START)
    return None if found is None else found + 1


def count_entries(location: Path | str, kind: WarcKind) -> int:
    """How many documents (and error entries) `iter_entries` yields."""
    return sum(1 for entry in iter_entries(location, kind) if entry.skipped is None)


def read_record(location: Path | str, offset: int, kind: WarcKind, limit: int) -> WarcPayload:
    """Read the one record at `offset` and decode its payload to text.

    Raises:
        InputError: a truncated or damaged record, or a payload over `limit` bytes.
    """
    try:
        # Small blocks: a record is a few hundred KB, not the several MB fsspec reads ahead.
        with open_stored(location, block_size=_RECORD_BLOCK) as stream:
            stream.seek(offset)
            head = stream.read(3)
            stream.seek(offset)
            if head == _GZIP_MAGIC:
                data = _inflate_member(stream, limit)
            else:
                data = _plain_record(stream, limit)
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror or error}") from None
    digest = input_digest(data)
    try:
        records = ArchiveIterator(
            io.BytesIO(data), parse_http=kind == "warc", auto_decode="all", stream_detect=False
        )
        record = next(iter(records), None)
        if record is None:
            raise InputError("WARC record damaged: no record header")
        declared = int(record.headers.get("Content-Length") or -1)
        _check_block_length(data, declared)
        body = record.reader.read()
        charset = record.http_charset if kind == "warc" else "utf-8"
    except InputError:
        raise
    except Exception as error:  # fastwarc's errors on bad HTTP or encodings
        raise InputError(f"WARC record damaged: {error}") from None
    text = decode_text(body, is_html=kind == "warc", declared=charset)
    url = record.headers.get("WARC-Target-URI")
    record_id = _record_id(record.headers.get("WARC-Record-ID"))
    return WarcPayload(text, url, _warc_date(record.headers.get("WARC-Date")), record_id, digest)


def _check_block_length(data: bytes, declared: int) -> None:
    """A record whose block is shorter than its Content-Length was cut off."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        raise InputError("WARC record truncated (in its headers)")
    block = len(data) - end - 4
    # A record ends with two CRLFs after its block; a cut file may have lost them.
    if block < declared:
        raise InputError(f"WARC record truncated ({block} of {declared} bytes)")


def _inflate_member(stream: IO[bytes], limit: int) -> bytes:
    """One gzip member from the stream's position, inflated within `limit` bytes."""
    inflater = zlib.decompressobj(wbits=31)
    parts: list[bytes] = []
    total = 0
    try:
        while not inflater.eof:
            chunk = stream.read(_READ)
            if not chunk:
                raise InputError("WARC record truncated (gzip member ends early)")
            while chunk and not inflater.eof:
                out = inflater.decompress(chunk, limit - total + 1)
                total += len(out)
                parts.append(out)
                if total > limit:
                    raise InputError(f"WARC record over size limit (> {megabytes(limit)})")
                chunk = inflater.unconsumed_tail
    except zlib.error as error:
        raise InputError(f"WARC record damaged: {error}") from None
    return b"".join(parts)


def _plain_record(stream: IO[bytes], limit: int) -> bytes:
    """One uncompressed record from the stream's position: headers, then Content-Length."""
    lines: list[bytes] = []
    length = -1
    while True:
        line = stream.readline(1 << 16)
        if not line:
            raise InputError("WARC record truncated (in its headers)")
        lines.append(line)
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                raise InputError("WARC record damaged: bad Content-Length") from None
    if length < 0:
        raise InputError("WARC record damaged: no Content-Length")
    if length > limit:
        raise InputError(f"WARC record over size limit ({megabytes(length)} > {megabytes(limit)})")
    return b"".join(lines) + stream.read(length)
