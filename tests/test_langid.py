"""Language: seeded langdetect, same answer every run; --lang keeps only chosen languages."""

from __future__ import annotations

from cleaner import CleanConfig, RuleSet, clean_text
from cleaner.clean.langid import detect_language

ENGLISH = (
    "The foreign ministers met in Geneva on Monday to discuss a ceasefire, but the talks "
    "ended without agreement after the delegations disagreed over the release of prisoners."
)
GERMAN = (
    "Die Außenminister trafen sich am Montag in Genf, um über eine Waffenruhe zu sprechen. "
    "Die Gespräche endeten jedoch ohne Einigung, weil die Delegationen über die Freilassung "
    "der Gefangenen uneins waren."
)
FRENCH = (
    "Les ministres des Affaires étrangères se sont réunis lundi à Genève pour discuter d'un "
    "cessez-le-feu, mais les discussions se sont terminées sans accord, les délégations étant "
    "en désaccord sur la libération des prisonniers."
)


def test_detects_english_german_french() -> None:
    assert detect_language(ENGLISH).lang == "en"
    assert detect_language(GERMAN).lang == "de"
    assert detect_language(FRENCH).lang == "fr"


def test_detection_is_deterministic() -> None:
    # A short mixed text is where unseeded langdetect flips between answers.
    mixed = "Paris Berlin Roma Madrid Lisboa tour de France Grand Prix"
    guesses = {detect_language(mixed) for _ in range(20)}
    assert len(guesses) == 1


def test_too_little_text_has_no_language() -> None:
    guess = detect_language("12 34 — !!")
    assert guess.lang is None and guess.prob is None


def test_lang_filter_drops_other_languages() -> None:
    config = CleanConfig(rules=RuleSet(), languages=frozenset({"en", "fr"}))
    assert clean_text(FRENCH, config=config).status == "ok"
    german = clean_text(GERMAN, config=config)
    assert (german.status, german.reason, german.lang) == ("dropped", "lang", "de")
    assert german.lang_prob is not None and german.lang_prob > 0.9
