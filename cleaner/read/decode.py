"""Bytes to text: size limits, gzip, binary sniffing and the encoding of scraped files.

Scraped pages come in every encoding and some are not text at all; each rule here turns one
kind of bad input into a clear `InputError` instead of a crash or mojibake.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import re
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePath

import charset_normalizer

from cleaner.storage import read_url, url_size

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
            raise InputError(f"input over size limit ({megabytes(size)} > {megabytes(limit)})")
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
            raise InputError(f"input over size limit ({megabytes(size)} > {megabytes(limit)})")
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
                    raise InputError(f"decompressed size over limit (> {megabytes(limit)})")
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


def megabytes(size: int) -> str:
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
# BOMs and non-characters are removed from the cleaned text (cleaner.clean.text.collapse_spaces).
_C0_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13)) + b"\x7f"
C0_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
# Share of control characters above which decoded bytes are a binary file, not text.
_BINARY_SHARE = 0.02


def decode_text(data: bytes, is_html: bool, declared: str | None = None) -> str:
    """Decode bytes of unknown encoding the way a browser would.

    Order: BOM; binary signatures; the charset `declared` by the HTTP headers, when there
    were any (a WARC's) and the bytes decode with it; UTF-16 without BOM; UTF-8 when the
    bytes are valid UTF-8 (legacy bytes almost never are, and scrapers often re-encode
    pages to UTF-8 but keep the old `<meta charset>`); the page's declared charset;
    charset-normalizer's guess.
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
    http = _known_encoding(declared) if declared else None
    if http:
        with contextlib.suppress(UnicodeDecodeError):
            return _text_only(data.decode(http), data if http in _ASCII_BASED else None)
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
    return _known_encoding(declared.group(1).decode("ascii", "replace"))


def _known_encoding(label: str) -> str | None:
    """Python's codec for a charset label, as browsers map it; None for an unknown one."""
    try:
        return _browser_encoding(codecs.lookup(label.strip().strip("\"'")).name)
    except LookupError:
        return None


# Encodings that keep ASCII bytes as ASCII, whose control characters can be found in bytes.
_ASCII_BASED = frozenset({"utf-8", "cp1252", "iso8859-15", "cp1251", "cp1250", "cp1256"})


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
    cleaned = C0_CONTROLS.sub("", text)
    if len(text) - len(cleaned) > _BINARY_SHARE * max(len(text), 1):
        raise InputError("not text (binary)")
    return cleaned


def input_digest(data: bytes) -> str:
    """A short content hash: enough to tell whether an input changed between two runs."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()
