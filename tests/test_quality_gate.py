"""Quality gate: cleaning must not get worse on pages with known articles.

The fixtures under tests/fixtures/quality are news pages written for these tests (English,
German, French; menus, related lists, newsletter and paywall boxes, comment forms, an article
split over two containers), each with its article beside it. They are scored with the
ScrapingHub metric (bench/scoring.py), in HTML mode and in text mode (the page turned into text
the naive way, as bench/quality.py does). The floors sit a little under today's scores.
"""

from __future__ import annotations

from pathlib import Path

from bench.naive import naive_text
from bench.scoring import score_page, summarise
from cleaner import CleanConfig, clean_html, clean_text
from tests.conftest import FIXTURES

PAGES = sorted((FIXTURES / "quality").glob("*.html"))
HTML_FLOOR = 0.97
TEXT_FLOOR = 0.95


def expected(page: Path) -> str:
    return page.with_name(f"{page.stem}.expected.txt").read_text("utf-8")


def test_there_are_pages_in_three_languages() -> None:
    assert {page.stem.split("_")[0] for page in PAGES} == {"en", "de", "fr"}


def test_html_quality_gate(config: CleanConfig) -> None:
    scores = [
        score_page(expected(p), clean_html(p.read_text("utf-8"), config=config).text) for p in PAGES
    ]
    assert summarise(scores).f1 >= HTML_FLOOR, [round(s.f1, 3) for s in scores]


def test_text_quality_gate(config: CleanConfig) -> None:
    scores = [
        score_page(expected(p), clean_text(naive_text(p.read_text("utf-8")), config=config).text)
        for p in PAGES
    ]
    assert summarise(scores).f1 >= TEXT_FLOOR, [round(s.f1, 3) for s in scores]
