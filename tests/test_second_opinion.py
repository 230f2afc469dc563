"""readability-lxml's second opinion, asked only when trafilatura found next to nothing."""

from __future__ import annotations

import pytest

import cleaner.clean.pipeline as pipeline
from cleaner import CleanConfig, RuleSet, clean_html
from cleaner.clean.extract import ExtractionError

CONFIG = CleanConfig(rules=RuleSet())
PARAGRAPHS = [
    f"Paragraph {i}: the harbour council voted on the budget today, and the opposition said "
    "the spending on roads was far too high for a town of this size."
    for i in range(10)
]
PAGE = (
    "<html><head><title>Harbour vote</title></head><body>"
    "<div class='menu'><a href='/'>Home</a> <a href='/news'>News</a></div>"
    "<div class='story'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"
    "</body></html>"
)


def test_a_normal_page_keeps_trafilaturas_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = []
    monkeypatch.setattr(pipeline, "readability_text", lambda html: asked.append(1) or "")
    doc = clean_html(PAGE, config=CONFIG)
    assert doc.status == "ok" and doc.text.count("harbour council voted") == 10
    assert not asked  # trafilatura's answer is most of the page: no second opinion


def test_a_wrong_block_is_replaced_by_readabilitys_article(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: "Upcoming events: choir concert")
    doc = clean_html(PAGE, config=CONFIG)
    assert doc.status == "ok"
    assert doc.text.count("harbour council voted") == 10
    assert "choir" not in doc.text


def test_no_main_text_is_rescued_and_without_it_is_still_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def nothing(page: object, **_: object) -> str:
        raise ExtractionError("no main text found in HTML")

    monkeypatch.setattr(pipeline, "main_text", nothing)
    assert clean_html(PAGE, config=CONFIG).text.count("harbour council voted") == 10
    off = CleanConfig(rules=RuleSet(), second_opinion=False)
    doc = clean_html(PAGE, config=off)
    assert (doc.status, doc.reason) == ("error", "no main text found in HTML")


def test_a_second_opinion_that_says_little_more_is_not_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: PARAGRAPHS[0])
    monkeypatch.setattr(pipeline, "readability_text", lambda html: "\n".join(PARAGRAPHS[:3]))
    doc = clean_html(PAGE, config=CONFIG)
    assert doc.text == PARAGRAPHS[0]  # 3x the words is not 10x: the first answer stands
