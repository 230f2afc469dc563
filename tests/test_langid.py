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


# Scripts, capitals runs, one-letter words, digits and punctuation between words, a text
# that ends inside a word: every path of langdetect's n-gram reader.
_DETECTOR_TEXTS = [
    ENGLISH,
    GERMAN,
    FRENCH,
    "NATO and the EU said: a USB-C port, I/O at 3pm... THE END",
    "Tiếng Việt có dấu: người, Việt Nam, thành phố Hồ Chí Minh đã",
    "中华人民共和国国务院总理在北京会见了来访的外国代表团。日本語のテキストとカタカナ",
    "وقال الرئيس في مؤتمر صحفي إن المفاوضات ستستمر حتى نهاية الأسبوع المقبل",
    "Президент заявил, что переговоры продолжатся до конца следующей недели",
    "Ο πρωθυπουργός δήλωσε ότι οι διαπραγματεύσεις θα συνεχιστούν",
    "Cumhurbaşkanı, müzakerelerin gelecek haftanın sonuna kadar süreceğini söyledi a b c",
    "ÇA ÉTÉ DIT — «Très bien», répondit-il; l'été 2020 à Paris x",
    "   spaces  at both ends and  twice   ",
]


def test_quick_detector_reads_the_same_ngrams_and_gives_the_same_probabilities() -> None:
    from langdetect.detector import Detector

    from cleaner.clean.langid import load_profiles

    profiles = load_profiles()
    for text in _DETECTOR_TEXTS:
        quick, stock = profiles.create(), Detector(profiles)
        for detector in (quick, stock):
            detector.seed, detector.n_trial = 0, 2
            detector.append(text)
            detector.cleaning_text()
        assert type(quick) is not Detector
        assert quick._extract_ngrams() == stock._extract_ngrams(), text
        quick.text = stock.text = ""
        for detector in (quick, stock):
            detector.append(text)
        found = [(guess.lang, guess.prob) for guess in quick.get_probabilities()]
        assert found == [(guess.lang, guess.prob) for guess in stock.get_probabilities()], text
    # Twice: the second time from the remembered words.
    again = profiles.create()
    again.append(_DETECTOR_TEXTS[3])
    again.cleaning_text()
    stock = Detector(profiles)
    stock.append(_DETECTOR_TEXTS[3])
    stock.cleaning_text()
    assert again._extract_ngrams() == stock._extract_ngrams()
