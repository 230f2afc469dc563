"""Bytes of any encoding, compressed or not, within limits: decoded right or refused clearly."""

from __future__ import annotations

import codecs
import gzip
import os
import re
from pathlib import Path

import pytest

from cleaner import CleanConfig, clean_text
from cleaner.read.decode import InputError, ReadLimits, decode_text, gunzip, read_bytes
from cleaner.read.inputs import iter_sources
from tests.conftest import FIXTURES

FRENCH = (FIXTURES / "quality" / "fr_news.expected.txt").read_text("utf-8")
GERMAN = (FIXTURES / "quality" / "de_news.expected.txt").read_text("utf-8")
ARABIC = "قال رئيس الوزراء إن الحكومة ستعمل على تحسين الاقتصاد وخفض معدلات البطالة في البلاد. " * 5
RUSSIAN = "Городской совет утвердил бюджет на следующий год. Депутаты обсуждали реформу школ. " * 5
JAPANESE = (
    "東京都は新しい予算案を発表しました。市民の生活を支援するための政策が含まれています。" * 5
)
TYPOGRAPHIC = "The mayor said “we will deliver” — and the council agreed… The plan costs €5m."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (FRENCH, "latin-1"),
        (GERMAN, "latin-1"),
        (TYPOGRAPHIC, "cp1252"),
        (ARABIC, "cp1256"),
        (RUSSIAN, "cp1251"),
        (JAPANESE, "shift_jis"),
        (FRENCH, "utf-16-le"),
    ],
)
def test_legacy_encodings_without_declaration_are_guessed(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding), is_html=False) == text


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE])
def test_byte_order_marks_decide(bom: bytes) -> None:
    encoding = {codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le"}.get(bom, "utf-32-be")
    assert decode_text(bom + RUSSIAN.encode(encoding), is_html=True) == RUSSIAN


def test_declared_charset_is_used_when_the_bytes_are_not_utf8() -> None:
    page = f'<html><head><meta charset="windows-1256"></head><body><p>{ARABIC}</p></body></html>'
    assert ARABIC in decode_text(page.encode("cp1256"), is_html=True)


def test_valid_utf8_wins_over_a_stale_declaration() -> None:
    page = f'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>{FRENCH}'
    assert FRENCH in decode_text(page.encode("utf-8"), is_html=True)


def test_latin1_label_reads_as_windows_1252_like_a_browser() -> None:
    page = f'<meta charset="iso-8859-1"><p>{TYPOGRAPHIC} Ça coûte cher.</p>'
    assert TYPOGRAPHIC in decode_text(page.encode("cp1252"), is_html=True)


def test_nul_and_c0_control_characters_are_removed_on_reading() -> None:
    dirty = FRENCH[:400] + "\x00\x07\x1b[0m\x7f" + FRENCH[400:]
    assert decode_text(dirty.encode("utf-8"), is_html=False) == FRENCH[:400] + "[0m" + FRENCH[400:]
    assert decode_text(dirty.encode("utf-16"), is_html=False) == FRENCH[:400] + "[0m" + FRENCH[400:]


@pytest.mark.parametrize(
    "noise",
    [
        "\x00\x01\x1b\x7f\x9f\ufeff\ufffe\uffff",
        "\x0b\x0c\x85\x1c",  # line breaks to str.splitlines: a line may end there
    ],
)
def test_no_control_character_reaches_the_output(noise: str) -> None:
    dirty = FRENCH.replace(" ", " " + noise, 40)
    doc = clean_text(dirty, config=CleanConfig(classify_text_blocks=False))
    assert doc.status == "ok" and doc.lang == "fr"
    assert not set(noise) & set(doc.text)
    assert set(doc.text.split()) <= set(FRENCH.split())
    if "\x00" in noise:
        assert doc.text.split() == FRENCH.split()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "not text (PNG image)"),
        (b"%PDF-1.7\n" + os.urandom(2000), "not text (PDF document)"),
        (os.urandom(4000), "not text (binary)"),
        (bytes(range(256)) * 8, "not text (binary)"),
    ],
)
def test_binary_content_is_refused_with_its_kind(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=f"^{re.escape(reason)}$"):
        decode_text(data, is_html=False)


def test_concatenated_gzip_members_are_one_file() -> None:
    data = gzip.compress(b"first part\n") + gzip.compress(b"second part\n")
    assert gunzip(data, 1000) == b"first part\nsecond part\n"


def test_a_gzip_bomb_stops_at_the_limit_without_inflating_it() -> None:
    member = gzip.compress(b"\x00" * (1 << 20), compresslevel=9)
    bomb = member * 1024  # 1 GiB inflated, about 1 MB on disk
    with pytest.raises(InputError, match=r"^decompressed size over limit \(> 64.0 MB\)$"):
        gunzip(bomb, 64 << 20)


def test_truncated_and_damaged_gzip() -> None:
    whole = gzip.compress(FRENCH.encode("utf-8"))
    with pytest.raises(InputError, match=r"^gzip stream truncated$"):
        gunzip(whole[: len(whole) // 2], 1 << 20)
    damaged = whole[:10] + b"\xff" * 20 + whole[30:]
    with pytest.raises(InputError, match=r"^gzip stream damaged"):
        gunzip(damaged, 1 << 20)


def test_files_over_the_size_limit_are_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>x</p>" * 200_000)
    with pytest.raises(InputError, match=r"^input over size limit \(1.5 MB > 1.0 MB\)$"):
        read_bytes(big, ReadLimits(max_bytes=1 << 20))
    assert read_bytes(big, ReadLimits(max_bytes=2 << 20)) == b"<p>x</p>" * 200_000


def test_a_jsonl_line_over_the_limit_is_its_own_error(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    long = '{"id": "big", "text": "' + "word " * 300_000 + '"}'
    feed.write_text(f'{{"id": "a", "text": "x"}}\n{long}\n{{"id": "b", "text": "y"}}\n', "utf-8")
    sources = list(iter_sources([feed], limits=ReadLimits(max_bytes=1 << 20)))
    assert [(s.id, s.error) for s in sources] == [
        ("a", None),
        ("feed.jsonl:2", "line 2 over size limit (> 1.0 MB)"),
        ("b", None),
    ]
