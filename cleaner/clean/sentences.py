"""Splitting a block into sentences, for clutter glued into paragraphs with no line break.

Scrapers flatten a page's cookie banner, newsletter form and "follow us" line into the
article's paragraphs, often without even a space after the full stop ("połączeń.Zauważmy").
So a sentence ends at . ! ? … (and the full-width CJK marks and ؟, which need no space) when
what follows starts a new sentence (a capital, a digit, a quote or a bracket), or straight
away when a lower-case word is glued to a capitalised one. It does not end inside numbers
(15.000, 17.45, 3,5), domains (Merkur.de), after an abbreviation or an initial, or at an
ordinal before a month ("24. April"). Lists of abbreviations are multilingual; a language-
specific tokenizer would need the language of each fragment, which glued clutter often does
not share with the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# Abbreviations after which a full stop rarely ends a sentence (lower-cased, without the
# dot), in the languages cleaner's stoplists cover most: en, de, es, fr, it, pt, nl, pl, tr.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof st sr jr mt no nos vs etc approx dept est fig inc ltd co corp jan feb
    mar apr jun jul aug sep sept oct nov dec gen gov sen rep rev sgt capt col lt cmdr adm
    bzw ca nr tel str vgl evtl ggf inkl usw zb hr fr dipl ing mio mrd abs bd
    sra sres srta av avda pág núm ud uds dra lic ee uu
    mme mlle mm cf env boul
    sig dott ecc
    sto
    blz ir mevr
    r proc tys mln mld m in np ul woj ok tzw ws ust art zdj im godz tj pkt wg tow
    doç yrd uzm vb bkz
    """.split()
)
_MONTHS = frozenset(
    """
    januar februar märz april mai juni juli august september oktober november dezember
    jänner january february march may june july october december enero febrero marzo abril
    mayo junio julio agosto septiembre octubre noviembre diciembre janvier février mars avril
    juin juillet août septembre octobre novembre décembre gennaio febbraio aprile maggio
    giugno luglio settembre ottobre dicembre stycznia lutego marca kwietnia maja czerwca
    lipca sierpnia września października listopada grudnia ocak şubat mart nisan mayıs
    haziran temmuz ağustos eylül ekim kasım aralık
    """.split()
)
# A candidate end: the mark(s), closing quotes or brackets, then either spaces and what can
# start a sentence (a footnote's asterisk too: "… an. *merkur.de ist Teil …"), or (no
# space) a capital followed by a lower-case letter.
_END = re.compile(
    r"(?P<mark>[.!?…]+|[。！？؟।॥۔։።။]+)(?P<close>[\"'”’»)\]」』）]*)"
    r"(?:(?P<space>\s+)(?=[\"'“‘«(\[¡¿]?[^\W_a-zß-ÿ]|\*)|(?=[A-ZÀ-ÖØ-ÞĀ-ſА-Я][a-zß-ÿā-ſа-я])"
    r"|(?<=[。！？」』）]))"
)
# Stops that are never an abbreviation's dot: Chinese and Japanese, Arabic's question mark,
# the danda of Hindi and Bengali, Urdu's, Armenian's, Ethiopic's and Burmese full stops.
_CJK = frozenset("。！？؟।॥۔։።။")
_LAST_WORD = re.compile(r"(\w+)\W*$")


# A date glued to the word before it ("info@example.de19.06.2020 CET"): where a scraper ran
# two of a page's fields together. Prose puts a space before a date.
_GLUED_DATE = re.compile(r"(?<=[^\W\d_])(?=\d{1,2}[./]\d{1,2}[./](?:1[89]|20)\d\d\b)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, in order, covering all its non-space text."""
    spans = []
    start = 0
    for found in _END.finditer(text):
        if not _ends_here(text, start, found):
            continue
        end = found.end("close")
        if text[start:end].strip():
            spans.append((start, end))
        start = found.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return _split_at_glued_dates(text, spans)


def _split_at_glued_dates(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` with each one cut where a date is glued to the word before it."""
    cuts = [found.start() for found in _GLUED_DATE.finditer(text)]
    if not cuts:
        return spans
    split = []
    for start, end in spans:
        for cut in cuts:
            if start < cut < end:
                split.append((start, cut))
                start = cut
        split.append((start, end))
    return split


def kept_pieces(text: str, spans: Sequence[tuple[int, int]], removed: Sequence[bool]) -> list[str]:
    """What is left of `text` once the sentences marked `removed` are taken out: each run of
    kept sentences as it stands in `text` (a cut in the middle leaves two pieces), so that
    nothing is joined that the text did not have together."""
    pieces = []
    first: int | None = None
    last = 0
    for (start, end), gone in zip(spans, removed, strict=True):
        if gone:
            if first is not None:
                pieces.append(text[first:last].strip())
            first = None
            continue
        if first is None:
            first = start
        last = end
    if first is not None:
        pieces.append(text[first:last].strip())
    return [piece for piece in pieces if piece]


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped."""
    return [text[a:b].strip() for a, b in sentence_spans(text)]


def _ends_here(text: str, start: int, found: re.Match[str]) -> bool:
    mark = found.group("mark")
    if mark[0] in "!?…" or len(mark) > 1 or (mark[0] in _CJK and found.group("space")):
        return True
    before = text[start : found.start()]
    word_match = _LAST_WORD.search(before)
    if word_match is None or before[-1:].isspace():
        return True
    word = word_match.group(1)
    following = text[found.end() :].split(None, 1)
    next_word = following[0].strip("\"'“‘«(") if following else ""
    if found.group("space") is None:
        if mark[0] in _CJK:
            return True
        # Glued: "połączeń.Zauważmy" ends a sentence; "Merkur.De", "e.V", "S.A" do not.
        return len(word) >= 3 and word[-1].islower() and not word.isdigit()
    if word.isdigit():
        # "24. April", "am 01. Januar": an ordinal; "in 2019. The" ends the sentence.
        return not (len(word) <= 2 and next_word.lower().rstrip(".,") in _MONTHS)
    return not _is_abbreviation(word, before)


def _is_abbreviation(word: str, before: str) -> bool:
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Smith", "M. Kébé", or "z. B."
    if word.lower() in _ABBREVIATIONS:
        return True
    # "U.S.", "e.V.", "m.in.": dotted letters
    return bool(_dotted(before))


@lru_cache(maxsize=1)
def _dotted_pattern() -> re.Pattern[str]:
    return re.compile(r"(?:^|\s)(?:\w{1,3}\.)+\w{1,3}$")


def _dotted(before: str) -> bool:
    return _dotted_pattern().search(before[-16:]) is not None
