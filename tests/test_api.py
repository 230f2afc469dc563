"""The library API: plain functions and iterators, no printing, no shared state."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest

import cleaner
from cleaner import CleanConfig, RawDocument, RuleSet
from tests.conftest import FIXTURES, SAMPLES

INN = (SAMPLES / "004_180a2d7879c2616b.txt").read_text("utf-8")


def test_clean_text_returns_a_document(rules: RuleSet) -> None:
    doc = cleaner.clean_text(INN, rules=rules)
    assert isinstance(doc, cleaner.Document)
    assert (doc.status, doc.site, doc.lang) == ("ok", "israelnationalnews", "en")
    assert doc.title == "Russia Backs Assad Against Calls For Him to Quit"
    assert "Contact Editor" not in doc.text
    assert {r.rule for r in doc.removed} >= {"site:israelnationalnews:drop[0]", "contact"}


def test_clean_text_site_and_url_pick_the_rules(rules: RuleSet) -> None:
    text = (
        "Headline\n\n"
        + "A long paragraph about the talks in Geneva on Monday. " * 5
        + "\n3 min read\n"
    )
    assert cleaner.clean_text(text, rules=rules).site is None
    assert cleaner.clean_text(text, site="newarab", rules=rules).site == "newarab"
    by_url = cleaner.clean_text(text, url="https://www.newarab.com/news/x", rules=rules)
    assert by_url.site == "newarab"
    assert by_url.removed[-1].rule == "site:newarab:drop[0]"
    unknown = cleaner.clean_text(text, site="nosuchsite", rules=rules)
    assert (unknown.status, unknown.reason) == ("error", "unknown site 'nosuchsite'")


def test_clean_html_returns_a_document(rules: RuleSet) -> None:
    html = (FIXTURES / "html" / "dawn.html").read_text("utf-8")
    doc = cleaner.clean_html(html, url="https://www.dawn.com/news/1325183", rules=rules)
    assert (doc.status, doc.site, doc.date, doc.lang) == ("ok", "dawn", "2017-04-05", "en")


def test_clean_html_never_raises_on_bad_pages() -> None:
    doc = cleaner.clean_html("\x00\x01 not html", rules=RuleSet())
    assert doc.status in ("error", "dropped") and doc.reason
    assert cleaner.clean_html("", rules=RuleSet()).reason == "empty input"


def test_clean_documents_is_a_lazy_iterator(rules: RuleSet) -> None:
    consumed = []

    def stream() -> Iterator[RawDocument]:
        for path in sorted(SAMPLES.glob("*.txt")):
            consumed.append(path.name)
            yield RawDocument(id=path.name, kind="text", content=path.read_text("utf-8"))

    docs = cleaner.clean_documents(stream(), rules=rules)
    assert inspect.isgenerator(docs) and consumed == []
    first = next(docs)
    assert first.id.startswith("000") and len(consumed) == 1
    rest = list(docs)
    duplicates = cleaner.find_duplicates([first, *rest])
    assert [(d.id[:3], d.duplicate_of[:3]) for d in duplicates] == [("001", "000")]


def test_find_duplicates_skips_documents_that_are_not_ok(rules: RuleSet) -> None:
    doc = cleaner.clean_text(INN, rules=rules)
    failed = cleaner.Document(id="bad", status="error", text=doc.text)
    assert cleaner.find_duplicates([doc, failed]) == []


def test_no_printing(capsys: pytest.CaptureFixture[str], rules: RuleSet) -> None:
    cleaner.clean_text(INN, rules=rules)
    cleaner.clean_html("<html><body>nothing</body></html>", rules=rules)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_configurations_do_not_leak_between_calls(rules: RuleSet) -> None:
    only_french = CleanConfig(rules=rules, languages=frozenset({"fr"}))
    assert cleaner.clean_text(INN, config=only_french).status == "dropped"
    assert cleaner.clean_text(INN, rules=rules).status == "ok"
    assert cleaner.clean_text(INN, rules=RuleSet()).site is None


def test_default_rules_are_the_shipped_ones() -> None:
    assert cleaner.clean_text(INN).site == "israelnationalnews"
    english_only = CleanConfig(languages=frozenset({"en"}))
    assert cleaner.clean_text(INN, config=english_only).site == "israelnationalnews"
    assert cleaner.clean_text(INN, config=CleanConfig(rules=RuleSet())).site is None


def test_manifest_row_has_every_field(rules: RuleSet) -> None:
    row = cleaner.clean_text(INN, rules=rules).manifest_row()
    assert list(row) == list(cleaner.document.MANIFEST_FIELDS)
    assert row["chars_out"] > 0 and row["removed"][0] == {"rule": "title", "text": row["title"]}
