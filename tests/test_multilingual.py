"""Not English-only: German and French pages are cleaned with their own language's rules."""

from __future__ import annotations

import pytest

from bench.naive import naive_text
from cleaner import CleanConfig, clean_html, clean_text
from tests.conftest import FIXTURES

CASES = {
    "de_news": (
        "de",
        "2024-03-12",
        "Stadtrat sperrt Hafenbrücke für Autos",
        [
            "Zum Inhalt springen",
            "Veröffentlicht am",
            "Anzeige",
            "Das könnte Sie auch",
            "Sturmwarnung",
            "Alle Rechte vorbehalten",
            "Startseite",
        ],
        ["Kritik vom Einzelhandel", "Die Bürgermeisterin"],
    ),
    "fr_news": (
        "fr",
        "2024-04-12",
        "Le conseil ferme le pont du port aux voitures",
        [
            "Aller au contenu",
            "Publié le",
            "Lire aussi",
            "Sur le même sujet",
            "Alerte tempête",
            "Déjà abonné",
            "Tous droits réservés",
            "Accueil",
        ],
        ["Les commerçants de la rive nord", "La maire"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("mode", ["html", "text"])
def test_page_in_its_language(name: str, mode: str, config: CleanConfig) -> None:
    lang, date, title, gone, kept = CASES[name]
    html = (FIXTURES / "quality" / f"{name}.html").read_text("utf-8")
    doc = (
        clean_html(html, config=config)
        if mode == "html"
        else clean_text(naive_text(html), config=config)
    )
    assert (doc.lang, doc.date, doc.title) == (lang, date, title)
    for text in gone:
        assert text not in doc.text, text
    for text in kept:
        assert text in doc.text, text


@pytest.mark.parametrize(
    ("name", "lang"), [("de_news", "de"), ("fr_news", "fr"), ("en_news", "en")]
)
def test_blocks_are_judged_with_the_detected_languages_stoplist(
    name: str, lang: str, config: CleanConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cleaner.clean.pipeline
    from cleaner.clean.blocks import stopwords_for

    asked: list[str | None] = []

    def spy(code: str | None) -> frozenset[str]:
        asked.append(code)
        return stopwords_for(code)

    monkeypatch.setattr(cleaner.clean.pipeline, "stopwords_for", spy)
    html = (FIXTURES / "quality" / f"{name}.html").read_text("utf-8")
    clean_text(naive_text(html), config=config)
    clean_html(html, config=config)
    assert asked == [lang, lang]
