"""Clutter glued into paragraphs: removed sentence by sentence, in several languages.

The texts are written for these tests, modelled on what news scrapers hand over: whole
articles on one line, the site's banners and prompts inside them.
"""

from __future__ import annotations

import re
from re import _constants as constants
from re import _parser as parser
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner import CleanConfig, RuleSet, clean_text
from cleaner.clean.glued import (
    FAMILIES,
    SENTENCE_CUES,
    SENTENCE_WORD_END_CUES,
    Family,
    family_of,
    literal_trie,
    unglue,
)
from cleaner.clean.sentences import split_sentences

CONFIG = CleanConfig(rules=RuleSet())


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Am 24. April kam Dr. Müller nach Bonn. Er zahlte 15.000 Euro um 17.45 Uhr, "
            "z. B. für den e.V. Köln. Dann ging er.",
            [
                "Am 24. April kam Dr. Müller nach Bonn.",
                "Er zahlte 15.000 Euro um 17.45 Uhr, z. B. für den e.V. Köln.",
                "Dann ging er.",
            ],
        ),
        (
            "W 2020 r. wydano 160 tys. zł, m.in. na szkoły.Zauważmy, że to dużo. Koniec.",
            ["W 2020 r. wydano 160 tys. zł, m.in. na szkoły.", "Zauważmy, że to dużo.", "Koniec."],
        ),
        (
            "Mr. Smith paid 3.5 million to the U.S. Treasury in 2019. It was paid on Merkur.de "
            "today! Was it? Yes.",
            [
                "Mr. Smith paid 3.5 million to the U.S. Treasury in 2019.",
                "It was paid on Merkur.de today!",
                "Was it?",
                "Yes.",
            ],
        ),
        (
            "Kontakt: presse@example-ag.de19.06.2020 CET/CEST Die Meldung kam am 19.06.2020 "
            "um 17:59 Uhr.",
            [
                "Kontakt: presse@example-ag.de",  # a date glued on: two fields run together
                "19.06.2020 CET/CEST Die Meldung kam am 19.06.2020 um 17:59 Uhr.",
            ],
        ),
        (
            # A footnote marked with an asterisk starts a sentence, whatever its case.
            "Er kam dort nie an. *merkur.de ist Teil des Redaktionsnetzwerks.",
            ["Er kam dort nie an.", "*merkur.de ist Teil des Redaktionsnetzwerks."],
        ),
        (
            # The danda ends a Hindi sentence as a full stop does.
            "भारत में बारिश कम हुई। किसान परेशान हैं। मौसम विभाग",
            ["भारत में बारिश कम हुई।", "किसान परेशान हैं।", "मौसम विभाग"],
        ),
        (
            "市議会は予算を可決した。反対は二票だった！本当？",
            ["市議会は予算を可決した。", "反対は二票だった！", "本当？"],
        ),
        (
            "هل وافق المجلس؟ نعم وافق المجلس على الميزانية. شكرا",
            ["هل وافق المجلس؟", "نعم وافق المجلس على الميزانية.", "شكرا"],
        ),
    ],
)
def test_sentences_split_at_their_ends_only(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


GERMAN = (
    "Der Stadtrat hat am Montag den Haushalt für das kommende Jahr beschlossen. "
    "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten, und Sie stimmen "
    "ihrer Verwendung zu, wenn Sie unsere Seite weiter nutzen. "
    "Die Opposition kritisierte die hohen Ausgaben für den Straßenbau scharf. "
    "Bürgermeisterin Weber verteidigte den Plan und verwies auf die marode Brücke am Hafen."
)
SPANISH = (
    "El ayuntamiento aprobó el lunes el presupuesto para el próximo año con los votos del "
    "gobierno municipal. Suscríbete a nuestro boletín y recibe cada mañana las noticias en tu "
    "correo. La oposición criticó el gasto en carreteras y pidió más dinero para las escuelas "
    "del barrio norte de la ciudad."
)
FRENCH = (
    "Le conseil municipal a adopté lundi le budget de l'année prochaine après un long débat. "
    "Suivez-nous sur Facebook, Twitter et Instagram pour ne rien manquer de l'actualité. "
    "L'opposition a dénoncé des dépenses trop élevées pour les routes et réclamé davantage "
    "pour les écoles de la ville."
)
TURKISH = (
    "Belediye meclisi pazartesi günü gelecek yılın bütçesini uzun bir tartışmanın ardından "
    "kabul etti. Sitemizde çerezler kullanılmaktadır, sitemizi kullanmaya devam ederek çerez "
    "politikamızı kabul etmiş olursunuz. Muhalefet yol harcamalarını eleştirdi ve okullar için "
    "daha fazla kaynak istedi."
)
ENGLISH = (
    "The council approved next year's budget on Monday after a long debate about the harbour "
    "bridge. Your browser does not support the audio element. Opposition members said the "
    "road spending was too high and asked for more money for schools in the north of the city. "
    "Follow Example News on Twitter, Instagram, Facebook and YouTube, and stay in the know "
    "with what's happening in the world around you. "
    "(This story has not been edited by Example staff and is auto-generated from a syndicated "
    "feed.)"
)


PRESS_RELEASE_DE = (
    "Beispiel AG senkt die Prognose für das Geschäftsjahr 2020. Für den Inhalt der "
    "Mitteilung ist der Emittent / Herausgeber verantwortlich. Der Vorstand der Beispiel AG "
    "erwartet nun einen Umsatz von 40 Millionen Euro und streicht die Dividende. Kontakt: "
    "presse@beispiel-ag.de21.04.2020 CET/CEST Die Beispiel Distributionsservices umfassen "
    "gesetzliche Meldepflichten, Corporate News/Finanznachrichten und Pressemitteilungen. "
    "Medienarchiv unter 21.04.2020"
)
PRESS_RELEASE_EN = (
    "Example Corp lowered its outlook for the 2020 financial year on Tuesday. The issuer is "
    "solely responsible for the content of this announcement. The board now expects revenue "
    "of 40 million euros and will not pay a dividend. The Example Distribution Services "
    "include Regulatory Announcements, Financial/Corporate News and Press Releases. Media "
    "archive at www.example-news.com"
)


@pytest.mark.parametrize(
    ("text", "rules", "kept"),
    [
        (
            PRESS_RELEASE_DE,
            ["footer", "footer", "footer"],
            ["Beispiel AG senkt", "Der Vorstand der Beispiel AG", "Kontakt: presse@"],
        ),
        (
            PRESS_RELEASE_EN,
            ["footer", "footer", "footer"],
            ["Example Corp lowered", "The board now expects"],
        ),
        (
            GERMAN,
            ["consent"],
            ["Der Stadtrat hat am Montag", "Die Opposition kritisierte", "Bürgermeisterin Weber"],
        ),
        (SPANISH, ["newsletter"], ["El ayuntamiento aprobó", "La oposición criticó"]),
        (FRENCH, ["share"], ["Le conseil municipal a adopté", "L'opposition a dénoncé"]),
        (TURKISH, ["consent"], ["Belediye meclisi pazartesi", "Muhalefet yol harcamalarını"]),
        (
            ENGLISH,
            ["player", "share", "footer"],
            ["The council approved", "Opposition members said"],
        ),
    ],
)
def test_glued_prompts_leave_the_paragraph_and_the_article_around_them_stays(
    text: str, rules: list[str], kept: list[str]
) -> None:
    doc = clean_text("Council approves the budget\n" + text, config=CONFIG)
    assert doc.status == "ok", doc.reason
    glued = [
        r for r in doc.removed if r.rule in {"consent", "newsletter", "share", "player", "footer"}
    ]
    assert [r.rule for r in glued] == rules
    for removal in glued:
        assert removal.text not in doc.text
    positions = [doc.text.index(start) for start in kept]
    assert positions == sorted(positions)  # in order


@pytest.mark.parametrize(
    "sentence",
    [
        "Activez les alertes pour ne rien manquer de l'actualité de votre région.",
        "Recibe nuestras alertas de última hora en tu móvil.",
        "Włącz powiadomienia, aby być na bieżąco.",
        "Son dakika haberleri için bildirimleri açın.",
    ],
)
def test_an_invitation_to_switch_on_alerts_is_a_prompt(sentence: str) -> None:
    assert family_of(sentence) == "newsletter"


def test_a_paragraph_cut_in_its_middle_becomes_two_and_nothing_is_joined() -> None:
    unglued = unglue([GERMAN])
    assert [r.rule for r in unglued.removed] == ["consent"]
    assert len(unglued.lines) == 2
    assert all(line in GERMAN for line in unglued.lines)


@pytest.mark.parametrize(
    "sentence",
    [
        # Article sentences that only mention what the families speak of.
        "The European Court ruled on Tuesday that websites must ask before they set cookies, "
        "a decision that privacy campaigners had sought for years and that publishers fought.",
        "Police said the robot vacuum cleaner had started the fire in the kitchen.",
        "Die Bäckerei verkauft seit Montag auch Cookies mit Schokolade.",
        "She told the court that she had never used Facebook or Twitter.",
        "Die Datenschutzbehörde prüft, ob die Verarbeitung der Daten der Fahrgäste durch die "
        "Bahn ohne ihre Zustimmung rechtmäßig war.",
        "In this recipe we use cookie crumbs instead of flour for the base.",
        # Alerts and notifications are news too, in any language.
        "Mais quatre alertes en trois ans, c'est beaucoup, et la fatigue se fait sentir.",
        "Las alertas sanitarias se mantienen en tres provincias hasta el domingo.",
        "Bildirim, adli ve askeri makamlar hakkında bilgi verildi.",
        "Mieszkańcy dostali powiadomienia o ewakuacji dopiero w nocy.",
    ],
)
def test_article_sentences_that_mention_the_topics_are_not_clutter(sentence: str) -> None:
    assert family_of(sentence) is None


WALL = (
    "Sondaż: kto wygra wybory Przykro nam, ale z adresu IP, z którego się łączysz, "
    "odnotowaliśmy bardzo dużo połączeń. Podejrzewamy, że ktoś nadużył adresu IP, z którego "
    'korzystasz. Jeśli chcesz dalej czytać, zaznacz pole "Nie jestem robotem".'
)


# A consent dialog that a scraper kept instead of the article: no cookie word in most of its
# sentences, only consent to data processing and how to withdraw it.
CONSENT_WALL = (
    "Hinweise zu den Technologien, die wir verwenden, stehen in den Regeln zur Cookie-Nutzung. "
    'Mit einem Klick auf "Zustimmen und weiter" stimmen Sie der Verarbeitung Ihrer '
    "persönlichen Daten für die genannten Zwecke zu. Ihre Einwilligung können Sie jederzeit "
    "widerrufen, wie in unserer Datenschutzrichtlinie beschrieben."
)


@pytest.mark.parametrize(
    ("text", "reason", "rule"),
    [
        (WALL, "no article: only boilerplate (robot check)", "captcha"),
        (CONSENT_WALL, "no article: only boilerplate (cookie wall)", "consent"),
    ],
)
def test_a_page_that_is_only_a_wall_is_dropped_with_its_reason(
    text: str, reason: str, rule: str
) -> None:
    doc = clean_text(text, config=CONFIG)
    assert (doc.status, doc.reason) == ("dropped", reason)
    assert rule in {r.rule for r in doc.removed}


def test_an_article_that_lost_a_cookie_line_is_still_an_article() -> None:
    doc = clean_text("Council approves the budget\n" + GERMAN, config=CONFIG)
    assert doc.status == "ok"


def test_the_library_learns_a_sites_glued_sentences_and_keeps_what_wire_copies_share() -> None:
    """Seven different articles (no URL: one site) each end their one paragraph with the
    same glued subscription sentence; two of them are also one wire story told twice. The
    sentence is learned and removed from all seven; the wire story's shared sentences stay."""
    import random

    from cleaner import find_duplicates, learn_boilerplate

    rng = random.Random(3)
    words = "harbour council budget river school hospital market police bridge court".split()
    glued = (
        "Subscribe to the Harbour Times and get every story of the day delivered before breakfast."
    )

    def sentence() -> str:
        return (
            "The " + " ".join(rng.choice(words) + str(rng.randrange(99)) for _ in range(14)) + "."
        )

    wire = [sentence() for _ in range(6)]
    texts = [" ".join(sentence() for _ in range(6)) + " " + glued for _ in range(5)]
    texts.append(" ".join(wire[:4]) + " " + sentence() + " " + glued)
    texts.append(sentence() + " " + " ".join(wire[1:]) + " " + glued)
    docs = [clean_text(t, config=CONFIG, doc_id=f"d{i}", title="") for i, t in enumerate(texts)]
    assert all(glued in d.text for d in docs)

    learned = learn_boilerplate(docs)
    assert [d.status for d in learned] == ["ok"] * 7
    for before, after in zip(docs, learned, strict=True):
        assert glued not in after.text
        assert [r.text for r in after.removed if r.rule == "learned:batch"] == [glued]
        assert after.text == before.text.replace(" " + glued, "")
        assert glued in before.text  # the inputs are not changed
    assert all(w in learned[5].text and w in learned[6].text for w in wire[1:4])
    pairs = {frozenset((d.id, d.duplicate_of)) for d in find_duplicates(learned)}
    assert pairs == {frozenset(("d5", "d6"))}  # the wire copies, and only they


@given(
    st.lists(st.text(alphabet="abc.é ", min_size=1, max_size=4), min_size=1, max_size=8),
    st.text(alphabet="abc.é x", max_size=12),
)
def test_the_cue_trie_finds_what_a_plain_alternation_finds(literals: list[str], text: str) -> None:
    trie = re.compile(literal_trie(literals))
    plain = re.compile("|".join(re.escape(literal) for literal in literals))
    assert bool(trie.search(text)) == bool(plain.search(text))


def _ways(items: Any) -> list[list[str]]:
    """Every way through a parsed pattern, as the runs of literal characters it matches in a
    row ("\\0" where it asserts a word boundary); anything else a run cannot see through
    (a class, a repeat of more than one) ends a run."""
    ways = [[""]]
    for op, arg in items:
        if op is constants.LITERAL:
            options = [[chr(arg)]]
        elif op is constants.AT:
            options = [["\0" if arg is constants.AT_BOUNDARY else ""]]
        elif op is constants.SUBPATTERN:
            options = _ways(arg[3])
        elif op is constants.BRANCH:
            options = [way for branch in arg[1] for way in _ways(branch)]
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and arg[:2] == (0, 1):
            options = [[""], *_ways(arg[2])]
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT) and arg[:2] == (1, 1):
            options = _ways(arg[2])
        else:
            options = [["", ""]]
        ways = [[*way[:-1], way[-1] + option[0], *option[1:]] for way in ways for option in options]
    return ways


def _holds_a_cue(run: str) -> bool:
    words = run.replace("\0", "")
    return any(cue in words for cue in SENTENCE_CUES) or any(
        word + "\0" in run for word in SENTENCE_WORD_END_CUES
    )


@pytest.mark.parametrize("family", FAMILIES, ids=lambda family: family.rule)
def test_every_match_of_a_family_holds_a_sentence_cue(family: Family) -> None:
    """family_of skips sentences without a sentence cue, so each family needs a pattern of
    which every way to match goes through a cue's letters: read off the parsed patterns."""
    assert any(
        all(
            any(_holds_a_cue(run) for run in way)
            for way in _ways(parser.parse(pattern.pattern, pattern.flags))
        )
        for pattern in family.all
    )


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        ("Sign in to continue reading.", "paywall"),
        ("Read the whole story here.", "read-more"),
        ("Get push notifications from our newsroom.", "newsletter"),
        ("Download our free app.", "newsletter"),
        ("لست روبوت", "captcha"),
    ],
)
def test_sentences_cued_only_by_the_sentence_cues_are_still_judged(
    sentence: str, rule: str
) -> None:
    assert family_of(sentence) == rule
