"""WARC and WET files for the tests, written by warcio (the reference implementation)."""

from __future__ import annotations

import gzip
import io
import random
import zlib
from dataclasses import dataclass
from pathlib import Path

import brotli
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WORDS = (
    "council budget harbour minister election river school hospital market police bridge "
    "railway farmers weather festival museum library court station factory island"
).split()


def article_page(number: int, dated: bool = True, seed: int = 11) -> str:
    """An article page: headline, a published date (or none), five paragraphs of its own."""
    rng = random.Random(seed * 1000 + number)
    paragraphs = [
        "The "
        + " ".join(rng.choice(WORDS) for _ in range(30))
        + f" said officials in town {number}."
        for _ in range(5)
    ]
    date = (
        f'<meta property="article:published_time" content="2023-03-{number % 28 + 1:02d}T08:00:00Z">'
        if dated
        else ""
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>Story {number} of the week</title>{date}</head>"
        f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
        f"<h1>Story {number} of the week</h1>{body}</article>"
        f"<footer>Copyright 2023 Example News</footer></body></html>"
    )


@dataclass
class Record:
    """A response to write: url, status, headers, payload as sent (encoded)."""

    url: str
    payload: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    extra: tuple[tuple[str, str], ...] = ()


def response(writer: WARCWriter, record: Record, date: str | None = None) -> None:
    headers = [("Content-Type", record.content_type), *record.extra]
    http = StatusAndHeaders(record.status, headers, protocol="HTTP/1.1")
    warc_headers = {"WARC-Date": date} if date else None
    writer.write_record(
        writer.create_warc_record(
            record.url,
            "response",
            payload=io.BytesIO(record.payload),
            http_headers=http,
            warc_headers_dict=warc_headers,
        )
    )


def chunked(data: bytes, size: int = 100) -> bytes:
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def write_pages(path: Path, pages: list[tuple[str, str]], gzip_records: bool = True) -> None:
    """A WARC of HTML responses: (url, html), UTF-8, nothing else."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=gzip_records)
        for url, html in pages:
            response(writer, Record(url, html.encode("utf-8")))


# The mixed WARC's pages, and what becomes of each record.
LATIN1_URL = "https://news.example.com/latin1"
CHUNKED_URL = "https://news.example.com/chunked"
GZIP_URL = "https://news.example.com/gzip"
DEFLATE_URL = "https://news.example.com/deflate"
BROTLI_URL = "https://news.example.com/brotli"
UNDATED_URL = "https://news.example.com/undated"
TRUNCATED_URL = "https://news.example.com/truncated"
ARTICLE_URLS = (LATIN1_URL, CHUNKED_URL, GZIP_URL, DEFLATE_URL, BROTLI_URL, UNDATED_URL)
LATIN1_WORDS = "Le café de la rue Gambetta a rouvert, a déclaré le maire à Besançon."


def latin1_page() -> bytes:
    """A French article in ISO-8859-1 whose only charset declaration is the HTTP header."""
    paragraph = (
        "Les habitants ont salué la décision prise jeudi par le conseil municipal, qui a voté "
        "à l'unanimité le budget de rénovation des écoles et des bibliothèques du quartier."
    )
    body = f"<p>{LATIN1_WORDS}</p>" + "".join(f"<p>{paragraph} Épisode {i}.</p>" for i in range(4))
    html = (
        "<html><head><title>Réouverture du café</title></head><body><article>"
        f"<h1>Réouverture du café</h1>{body}</article></body></html>"
    )
    return html.encode("latin-1")


def write_mixed(path: Path, gzip_records: bool = True, version: str = "1.0") -> None:
    """Every kind of record a crawl holds, and a last record cut off mid-payload."""
    stream = io.BytesIO()
    writer = WARCWriter(stream, gzip=gzip_records, warc_version=version)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "tests"}))
    request = StatusAndHeaders(
        "GET /latin1 HTTP/1.1", [("Host", "news.example.com")], is_http_request=True
    )
    writer.write_record(
        writer.create_warc_record(
            LATIN1_URL, "request", payload=io.BytesIO(b""), http_headers=request
        )
    )
    latin1 = Record(LATIN1_URL, latin1_page(), "text/html; charset=ISO-8859-1")
    response(writer, latin1)
    writer.write_record(
        writer.create_warc_record(
            LATIN1_URL,
            "metadata",
            payload=io.BytesIO(b"fetchTimeMs: 120\r\n"),
            warc_content_type="application/warc-fields",
        )
    )
    page = article_page(1).encode("utf-8")
    response(
        writer,
        Record(CHUNKED_URL, chunked(page), extra=(("Transfer-Encoding", "chunked"),)),
    )
    zipped = gzip.compress(article_page(2).encode("utf-8"))
    response(writer, Record(GZIP_URL, zipped, extra=(("Content-Encoding", "gzip"),)))
    deflated = zlib.compress(article_page(3).encode("utf-8"))
    response(writer, Record(DEFLATE_URL, deflated, extra=(("Content-Encoding", "deflate"),)))
    squeezed = brotli.compress(article_page(4).encode("utf-8"))
    response(writer, Record(BROTLI_URL, squeezed, extra=(("Content-Encoding", "br"),)))
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    response(writer, Record("https://news.example.com/logo.png", png, "image/png"))
    response(
        writer,
        Record("https://news.example.com/gone", b"<html>Not found</html>", status="404 Not Found"),
    )
    writer.write_record(
        writer.create_revisit_record(
            CHUNKED_URL, digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            refers_to_uri=CHUNKED_URL, refers_to_date="2024-01-01T00:00:00Z",
        )
    )  # fmt: skip
    response(
        writer,
        Record(UNDATED_URL, article_page(5, dated=False).encode("utf-8")),
        date="2024-05-17T10:11:12Z",
    )
    response(writer, Record(TRUNCATED_URL, article_page(6).encode("utf-8")))
    data = stream.getvalue()
    path.write_bytes(data[: len(data) - 300])  # the last record loses its end


def write_wet(path: Path, texts: list[tuple[str, str]]) -> None:
    """A WET file: a warcinfo record, then one `conversion` record a page (url, text)."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        for url, text in texts:
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "conversion",
                    payload=io.BytesIO(text.encode("utf-8")),
                    warc_content_type="text/plain",
                    warc_headers_dict={"WARC-Date": "2024-02-03T04:05:06Z"},
                )
            )
