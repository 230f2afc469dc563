"""The classes of text blocks, jusText's way: what a line is before the stretch is chosen.

Every block is judged by its length and by the share of the language's stopwords in it
(prose is full of "the", "of", "und", "que"; menus, link lists and headlines are not); then
short and uncertain blocks take the class of their neighbours (`revise`). cleaner.clean.blocks
scores the classes and finds the article's stretch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

import justext

from cleaner.clean.text import DENSE_SCRIPT, WORD

URL_LINE = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…。！？؟।॥۔։።။\"”’»)]$")

# langdetect's codes to jusText's stoplist names.
STOPLIST_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "gu": "Gujarati", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "kn": "Kannada", "ko": "Korean",
    "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi",
    "ne": "Nepali", "nl": "Dutch", "no": "Norwegian_Bokmal", "pa": "Western_Panjabi",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sq": "Albanian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "te": "Telugu", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese",
}  # fmt: skip


@lru_cache(maxsize=64)
def stopwords_for(lang: str | None) -> frozenset[str]:
    """The jusText stoplist of a language (empty when it has none, e.g. Chinese)."""
    name = STOPLIST_NAMES.get(lang or "")
    if name is None:
        return frozenset()
    return frozenset(word.casefold() for word in justext.get_stoplist(name))


class Kind(Enum):
    GOOD = "good"
    NEAR_GOOD = "near-good"
    SHORT = "short"
    BAD = "bad"


@dataclass(frozen=True)
class BlockSettings:
    """Thresholds of the block classifier.

    The first five are jusText's defaults (tuned on its own corpus). The span weights were
    measured on the ScrapingHub pages' text (bench/quality.py): a block adds its length less
    `penalty` characters, so menus and link lists (a few words a line) pull a stretch down
    and paragraphs pull it up; prose by stopword density adds `good_bonus` of its length
    again; a line another filter already removed costs `claimed_score`, so a stripped caption
    or byline between the standfirst and the body does not cut the article in two.
    """

    length_low: int = 70
    length_high: int = 200
    stopwords_low: float = 0.30
    stopwords_high: float = 0.32
    max_heading_distance: int = 200
    penalty: float = 50.0
    good_bonus: float = 0.5
    claimed_score: float = -25.0


def stopword_density(line: str, stopwords: frozenset[str]) -> float:
    words = WORD.findall(line.casefold())
    return sum(word in stopwords for word in words) / len(words) if words else 0.0


def classify(line: str, stopwords: frozenset[str], settings: BlockSettings) -> Kind:
    """Context-free class of one block."""
    length = text_length(line)
    if URL_LINE.match(line):
        return Kind.BAD
    if stopwords:
        density = stopword_density(line, stopwords)
        low, high = settings.stopwords_low, settings.stopwords_high
    else:
        # No stoplist (Chinese, Japanese, Thai…): sentence punctuation stands in for prose.
        density = 1.0 if _SENTENCE_END.search(line) else 0.0
        low = high = 0.5
    if length < settings.length_low:
        return Kind.SHORT
    if density >= high and length > settings.length_high:
        return Kind.GOOD
    if density >= low:
        return Kind.NEAR_GOOD
    return Kind.BAD


def revise(kinds: list[Kind], lines: Sequence[str], settings: BlockSettings) -> list[Kind]:
    """jusText's context pass: short blocks take their neighbours' class, near-good blocks
    next to good ones are good, and a short block just before good text is its heading.

    Unlike jusText, a near-good block with no good neighbour stays near-good: on a page whose
    article is a few short paragraphs nothing is "good", and the span search decides.
    """
    revised = list(kinds)
    before_short = _nearest(kinds, Kind.SHORT, reverse=False)
    after_short = _nearest(kinds, Kind.SHORT, reverse=True)
    for index, kind in enumerate(kinds):
        if kind is not Kind.SHORT:
            continue
        before, after = before_short[index], after_short[index]
        if before is Kind.BAD and after is Kind.BAD:
            revised[index] = Kind.BAD
        elif Kind.GOOD in (before, after) and Kind.BAD not in (before, after):
            revised[index] = Kind.GOOD
        elif Kind.BAD in (before, after):
            revised[index] = Kind.BAD
        else:
            revised[index] = Kind.NEAR_GOOD
    # Left to right, each near-good block sees the blocks before it as revised already, and
    # those after it as they were (the nearest ones that are not near-good, either way).
    after_near = _nearest(revised, Kind.NEAR_GOOD, reverse=True)
    before = Kind.BAD
    for index, kind in enumerate(kinds):
        if kind is Kind.NEAR_GOOD and Kind.GOOD in (before, after_near[index]):
            revised[index] = Kind.GOOD
        if revised[index] is not Kind.NEAR_GOOD:
            before = revised[index]
    for index, kind in enumerate(kinds):
        if kind is Kind.SHORT and revised[index] is Kind.BAD:
            distance = 0
            for following in range(index + 1, len(lines)):
                if (
                    revised[following] in (Kind.GOOD, Kind.NEAR_GOOD)
                    and kinds[following] is not Kind.SHORT
                ):
                    revised[index] = revised[following]
                    break
                distance += len(lines[following])
                if distance > settings.max_heading_distance:
                    break
    return revised


def _nearest(kinds: Sequence[Kind], skip: Kind, reverse: bool) -> list[Kind]:
    """For each block, the class of the nearest block before it (after it, with `reverse`)
    that is not of class `skip`; BAD past the page's edge."""
    nearest = [Kind.BAD] * len(kinds)
    last = Kind.BAD
    order = range(len(kinds) - 1, -1, -1) if reverse else range(len(kinds))
    for index in order:
        nearest[index] = last
        if kinds[index] is not skip:
            last = kinds[index]
    return nearest


# Characters of scripts written without spaces (DENSE_SCRIPT) carry about as much as a word does.
_DENSE_WEIGHT = 3


def text_length(line: str) -> int:
    """Length in Latin-equivalent characters (a CJK character counts as three)."""
    return len(line) + (_DENSE_WEIGHT - 1) * len(DENSE_SCRIPT.findall(line))
