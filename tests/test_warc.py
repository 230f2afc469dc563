"""WARC and WET input: real files written by warcio, cleaned through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cleaner.clean.pipeline import CleanConfig
from cleaner.cli import app
from cleaner.read.decode import decode_text
from cleaner.run.batch import clean_batch
from cleaner.run.options import BatchOptions
from tests.warc_files import (
    ARTICLE_URLS,
    LATIN1_URL,
    LATIN1_WORDS,
    TRUNCATED_URL,
    UNDATED_URL,
    article_page,
    write_mixed,
    write_pages,
    write_wet,
)

runner = CliRunner()


def clean(*args: Any) -> Any:
    return runner.invoke(app, ["clean", *[str(a) for a in args], "--no-progress"])


def rows_of(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text("utf-8").splitlines()]


@pytest.mark.parametrize(
    ("name", "gzip_records", "version"),
    [("crawl.warc.gz", True, "1.0"), ("crawl.warc", False, "1.1")],
)
def test_a_crawl_gives_its_html_responses_as_articles(
    tmp_path: Path, name: str, gzip_records: bool, version: str
) -> None:
    warc, out = tmp_path / name, tmp_path / "out"
    write_mixed(warc, gzip_records, version)
    result = clean(warc, "--out", out, "--jobs", "2")
    assert result.exit_code == 1, result.output  # the truncated record is an error row
    rows = rows_of(out)
    ok = {row["url"]: row for row in rows if row["status"] == "ok"}
    assert sorted(ok) == sorted(ARTICLE_URLS)
    errors = [row for row in rows if row["status"] == "error"]
    assert [row["url"] for row in errors] == [TRUNCATED_URL]
    assert "truncated" in errors[0]["reason"]
    assert len(rows) == len(ARTICLE_URLS) + 1  # skipped records are not rows
    # Decoded with the charset that only the HTTP header declares.
    latin1 = (out / ok[LATIN1_URL]["output"]).read_text("utf-8")
    assert LATIN1_WORDS in latin1
    assert ok[LATIN1_URL]["title"] == "Réouverture du café"
    assert ok[LATIN1_URL]["lang"] == "fr"
    # Chunked, gzip, deflate and br payloads all decoded: each page's own paragraphs.
    for number, url in enumerate(ARTICLE_URLS[1:5], start=1):
        text = (out / ok[url]["output"]).read_text("utf-8")
        assert f"said officials in town {number}." in text
        assert ok[url]["title"] == f"Story {number} of the week"
        assert ok[url]["date"] == f"2023-03-{number + 1:02d}"
        assert ok[url]["id"].startswith("urn:uuid:")
    assert ok[UNDATED_URL]["date"] == "2024-05-17"  # the page has none: WARC-Date
    assert "records skipped" in result.output
    summary = " ".join(result.output.split())
    for counted in (
        "HTTP status 404 1", "metadata 1", "not HTML 1", "request 1", "revisit 1", "warcinfo 1"
    ):  # fmt: skip
        assert counted in summary


def test_a_damaged_gzip_member_is_an_error_row_and_the_rest_is_read(tmp_path: Path) -> None:
    pages = [(f"https://example.com/{n}", article_page(n)) for n in range(4)]
    warc, out = tmp_path / "crawl.warc.gz", tmp_path / "out"
    write_pages(warc, pages)
    data = bytearray(warc.read_bytes())
    second = data.find(b"\x1f\x8b\x08", 10)
    data[second + 40 : second + 60] = b"\xff" * 20
    warc.write_bytes(bytes(data))
    result = clean(warc, "--out", out)
    assert result.exit_code == 1
    rows = rows_of(out)
    assert_only_the_second_record_lost(rows)


def assert_only_the_second_record_lost(rows: list[dict[str, Any]]) -> None:
    """The damaged second record is an error row; the three around it are articles."""
    assert [row["status"] for row in rows] == ["ok", "error", "ok", "ok"]
    assert rows[1]["reason"].startswith("WARC record damaged")
    assert [row["url"] for row in rows if row["status"] == "ok"] == [
        "https://example.com/0", "https://example.com/2", "https://example.com/3"
    ]  # fmt: skip


def test_a_damaged_record_in_an_uncompressed_warc_is_an_error_row_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    pages = [(f"https://example.com/{n}", article_page(n)) for n in range(4)]
    warc, out = tmp_path / "crawl.warc", tmp_path / "out"
    write_pages(warc, pages, gzip_records=False)
    data = warc.read_bytes()
    second = data.find(b"WARC/1.", 10)
    warc.write_bytes(data[:second] + b"XXXX" + data[second + 4 :])  # its header line garbled
    result = clean(warc, "--out", out)
    assert result.exit_code == 1, result.output
    rows = rows_of(out)
    assert_only_the_second_record_lost(rows)
    # A rerun finds the same rows: the damaged record's row has the same id.
    assert clean(warc, "--out", out).exit_code == 1
    assert [row["id"] for row in rows_of(out)] == [row["id"] for row in rows]


def test_a_folder_of_warcs_cleans_in_parallel_to_the_same_result(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for part in range(2):
        pages = [(f"https://example.com/{part}/{n}", article_page(part * 10 + n)) for n in range(5)]
        write_pages(crawl / f"part-{part}.warc.gz", pages)
    one, two = tmp_path / "one", tmp_path / "two"
    assert clean(crawl, "--out", one, "--jobs", "1").exit_code == 0
    assert clean(crawl, "--out", two, "--jobs", "2").exit_code == 0
    assert rows_of(one) == rows_of(two)
    assert len(rows_of(one)) == 10
    assert [row["source"].rsplit("/", 1)[-1].split("@")[0] for row in rows_of(one)] == [
        "part-0.warc.gz"
    ] * 5 + ["part-1.warc.gz"] * 5


def _articles(out: Path) -> list[dict[str, Any]]:
    """The manifest's rows with their texts, documents named by URL instead of id."""
    rows = rows_of(out)
    urls = {row["id"]: row["url"] for row in rows}
    articles = []
    for row in rows:
        kept = {k: v for k, v in row.items() if k not in ("id", "source", "output", "input_hash")}
        kept["text"] = (out / row["output"]).read_text("utf-8") if row["output"] else None
        kept["duplicate_of"] = urls.get(row["duplicate_of"])
        articles.append(kept)
    return articles


def test_thirty_pages_in_a_warc_are_the_same_articles_as_in_jsonl(tmp_path: Path) -> None:
    pages = [(f"https://news.example.org/story/{n}", article_page(n)) for n in range(30)]
    # Page 7 is page 3 with a paragraph more: a near copy, canonical by length whatever the ids.
    extra = "<p>The second outlet added this closing paragraph for its own readers today.</p>"
    pages[7] = (pages[7][0], article_page(3).replace("</article>", extra + "</article>"))
    warc, jsonl = tmp_path / "crawl.warc.gz", tmp_path / "crawl.jsonl"
    write_pages(warc, pages)
    records = [{"id": f"p{n}", "url": url, "html": html} for n, (url, html) in enumerate(pages)]
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    from_warc, from_jsonl = tmp_path / "warc", tmp_path / "jsonl"
    assert clean(warc, "--out", from_warc).exit_code == 0
    assert clean(jsonl, "--out", from_jsonl).exit_code == 0
    articles = _articles(from_warc)
    assert len(articles) == 30
    assert sum(row["status"] == "ok" for row in articles) == 30
    assert articles == _articles(from_jsonl)


def test_a_rerun_does_not_redo_finished_records(tmp_path: Path, config: CleanConfig) -> None:
    warc, out = tmp_path / "crawl.warc.gz", tmp_path / "out"
    write_mixed(warc)
    options = BatchOptions(clean=config, jobs=2)
    first = clean_batch([warc], out, options)
    assert first.status["ok"] == len(ARTICLE_URLS) and first.reused == 0
    assert first.skipped["request"] == 1
    outputs = {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")}
    again = clean_batch([warc], out, options)
    # Every article done before is reused; the truncated record (no digest) is read again.
    assert again.reused == len(ARTICLE_URLS)
    assert again.status == first.status
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")} == outputs


def test_wet_conversion_records_are_text_documents(tmp_path: Path) -> None:
    paragraph = "The council approved the harbour budget on Monday after a long debate. " * 4
    texts = [
        (f"https://example.net/{n}", f"Harbour budget number {n} approved\n\n{paragraph}{n}")
        for n in range(3)
    ]
    wet, out = tmp_path / "crawl.warc.wet.gz", tmp_path / "out"
    write_wet(wet, texts)
    result = clean(wet, "--out", out)
    assert result.exit_code == 0, result.output
    rows = rows_of(out)
    assert [row["url"] for row in rows] == [url for url, _ in texts]
    assert {row["status"] for row in rows} == {"ok"}
    assert {row["date"] for row in rows} == {"2024-02-03"}
    assert rows[0]["title"] == "Harbour budget number 0 approved"
    assert "approved the harbour budget" in (out / rows[0]["output"]).read_text("utf-8")
    assert "warcinfo 1" in " ".join(result.output.split())


def test_the_http_charset_comes_before_any_guess() -> None:
    data = "Ça coûte très cher, déclare-t-il à Besançon.".encode("cp1252")
    assert decode_text(data, is_html=True, declared="ISO-8859-1") == data.decode("cp1252")
    koi8 = "Привет, как дела? Всё хорошо.".encode("koi8-r")
    assert decode_text(koi8, is_html=True, declared="koi8-r") == koi8.decode("koi8-r")
    # A declaration the bytes do not decode under falls back to the usual order.
    assert decode_text(data, is_html=True, declared="utf-8") == data.decode("cp1252")
    assert decode_text(data, is_html=True, declared="no-such-charset") == data.decode("cp1252")
    # As in browsers, the header wins over a page that would also read as UTF-8.
    assert decode_text("naïve".encode(), is_html=True, declared="ascii") == "naÃ¯ve"
