"""Telling article paragraphs from boilerplate when there is no DOM left (text mode).

The approach is jusText's (Pomikálek, 2011), adapted to plain text: every block is judged by
its length and by the share of the language's stopwords in it (prose is full of "the", "of",
"und", "que"; menus, link lists and headlines are not), then short and uncertain blocks take
the class of their neighbours. On top of that, the article is one contiguous stretch of text:
the best-scoring stretch of good blocks is kept and good-looking blocks far from it (a cookie
notice, an "about us" blurb) go.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from itertools import accumulate

import justext

from cleaner.clean.dates import is_date_line
from cleaner.clean.line_runs import (
    headline_runs,
    introduced_lists,
    teaser_runs,
    thread_of_posts,
    thread_start,
)
from cleaner.clean.text import DENSE_SCRIPT, WORD, Claim, Judge, normalise, word_count

_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
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
    if _URL.match(line):
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


# A page is mostly content when the prose outside the best stretch is at least as much as
# inside it, and several paragraphs' worth (in Latin-equivalent characters).
_WHOLE_CONTENT_SHARE = 1.0
_WHOLE_CONTENT_MIN_CHARS = 800
# Time stamps in what would be added: comments or a list of other stories, not a manual.
_WHOLE_CONTENT_MAX_TIMED = 1
_TIME_OR_YEAR = re.compile(r"\b\d{1,2}:\d\d\b|\b(?:19|20)\d\d\b")


def _whole_content(
    lines: Sequence[str],
    claimed: Mapping[int, str],
    kinds: Sequence[Kind],
    span: tuple[int, int],
) -> tuple[int, int]:
    """The stretch from the page's first to its last paragraph of prose, on a page that is
    mostly content: documentation, a recipe, a long guide, where code samples, tables and
    ingredient lists (a short line each in scraped text) cut the text into parts and the
    best-scoring stretch is only one of them. Not when what it would add holds time stamps,
    runs of teasers or headlines, or lines the filters took for the edges of an article (a
    comment section, a list of related stories, a footer)."""
    start, end = span
    prose = [i for i, kind in enumerate(kinds) if kind is Kind.GOOD and i not in claimed]
    inside = sum(text_length(lines[i]) for i in prose if start <= i < end)
    outside = sum(text_length(lines[i]) for i in prose if not start <= i < end)
    if not prose or outside < max(_WHOLE_CONTENT_SHARE * inside, _WHOLE_CONTENT_MIN_CHARS):
        return span
    first, last = min(start, prose[0]), max(end, prose[-1] + 1)
    added = [*range(first, start), *range(end, last)]
    timed = sum(1 for i in added if is_date_line(lines[i]) or _TIME_OR_YEAR.search(lines[i]))
    teasers = teaser_runs(lines, claimed) | headline_runs(lines, claimed)
    edges = any(i in teasers or claimed.get(i) in _BOUNDARY_RULES for i in added)
    if timed > _WHOLE_CONTENT_MAX_TIMED or edges:
        return span
    return first, last


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


# Lines other filters removed for being around an article, not in it (a list of other
# stories, a comment box, a footer): they count against the stretch they are in as much as
# any boilerplate. Captions, datelines and the like sit inside articles and cost little.
_BOUNDARY_RULES = frozenset({"related", "related-list", "comments", "footer", "tags", "paywall"})


# An item of a list the article introduces counts slightly for it, as short as it is.
_LIST_ITEM_SCORE = 1.0


def block_scores(
    lines: Sequence[str],
    claimed: Mapping[int, str],
    stopwords: frozenset[str],
    settings: BlockSettings,
    kinds: Sequence[Kind] | None = None,
    repeats: set[int] | None = None,
) -> list[float]:
    """How much each block speaks for being inside the article (positive) or not.

    `kinds` are the blocks' context-free classes and `repeats` the lines that
    `repeated_lines` finds (both worked out here when not given).
    """
    penalty = settings.penalty
    first_kinds = list(kinds) if kinds else [classify(line, stopwords, settings) for line in lines]
    if repeats is None:
        repeats = repeated_lines(lines, first_kinds)
    # A line's context is the lines that stay: one the filters removed (a footer, a
    # caption) lends no class to its neighbours, as it could not when the output is
    # cleaned again.
    kept = [i for i in range(len(lines)) if i not in claimed]
    revised = list(first_kinds)
    kept_kinds = revise([first_kinds[i] for i in kept], [lines[i] for i in kept], settings)
    for index, kind in zip(kept, kept_kinds, strict=True):
        revised[index] = kind
    teasers = teaser_runs(lines, claimed) | headline_runs(lines, claimed)
    items = introduced_lists(lines, claimed)
    scores = []
    for index, (line, kind) in enumerate(zip(lines, revised, strict=True)):
        length = text_length(line)
        if index in claimed:
            boundary = claimed[index] in _BOUNDARY_RULES
            score = -length - penalty if boundary else settings.claimed_score
        elif index in repeats or _URL.match(line) or index in teasers:
            score = -length - penalty
        elif index in items:
            score = max(_LIST_ITEM_SCORE, length - penalty)
        else:
            bonus = settings.good_bonus * length if kind is Kind.GOOD else 0.0
            score = length - penalty + bonus
        scores.append(score)
    return scores


# Repeated lines this long are not menus or buttons, whatever they say.
_REPEATED_MAX_CHARS = 200
# Prose lines repeated together, this many within this many lines, are a copy of a text.
_COPIED_RUN_LINES = 3
_COPIED_RUN_SPAN = 4


def repeated_lines(lines: Sequence[str], kinds: Sequence[Kind]) -> set[int]:
    """Lines that are boilerplate for being on the page more than once.

    A menu, a "Share" button or a sign-up line printed at the top and the bottom of a page
    goes every time. A page that prints its article twice (a hidden copy, a print version
    below it) repeats a run of prose lines: their first copy is the article's, and only
    the later copies go.
    """
    keys = [normalise(line) for line in lines]
    counts = Counter(keys)
    repeated = [
        counts[key] > 1 and len(line) < _REPEATED_MAX_CHARS
        for key, line in zip(keys, lines, strict=True)
    ]
    prose = [
        is_repeated and kind in (Kind.GOOD, Kind.NEAR_GOOD)
        for is_repeated, kind in zip(repeated, kinds, strict=True)
    ]
    first = next((i for i, kind in enumerate(kinds) if kind in (Kind.GOOD, Kind.NEAR_GOOD)), -1)
    lead_twice = 0 <= first < len(keys) - 1 and keys[first] == keys[first + 1]
    seen: set[str] = set()
    found = set()
    for index, key in enumerate(keys):
        if not repeated[index]:
            continue
        near = prose[max(0, index - _COPIED_RUN_SPAN) : index + _COPIED_RUN_SPAN + 1]
        # The page's first prose line printed twice in a row (a summary that repeats the
        # lead) is a copy of a text too; a photo's caption printed twice is further down.
        lead = lead_twice and index in (first, first + 1)
        in_copied_run = prose[index] and (sum(near) >= _COPIED_RUN_LINES or lead)
        if not in_copied_run or key in seen:
            found.add(index)
        seen.add(key)
    return found


# Characters of scripts written without spaces (DENSE_SCRIPT) carry about as much as a word does.
_DENSE_WEIGHT = 3


def text_length(line: str) -> int:
    """Length in Latin-equivalent characters (a CJK character counts as three)."""
    return len(line) + (_DENSE_WEIGHT - 1) * len(DENSE_SCRIPT.findall(line))


def best_span(scores: Sequence[float]) -> tuple[int, int]:
    """The stretch [start, end) with the highest total score (Kadane's algorithm)."""
    best, span = 0.0, (0, 0)
    running, start = 0.0, 0
    for index, score in enumerate(scores):
        if running <= 0:
            running, start = 0.0, index
        running += score
        if running > best:
            best, span = running, (start, index + 1)
    return span


# The article starts within this many lines below its headline (a date, a byline, a
# caption between them)...
_UNDER_HEADLINE_LINES = 6
# ... and the stretch that starts there is the article unless the best stretch elsewhere
# scores this many times as much: one long line of boilerplate (a publisher's blurb, a
# browser notice) outweighs a short article of a few sentences.
_ELSEWHERE_RATIO = 4.0


def under_headline(
    scores: Sequence[float], claimed: Mapping[int, str], best: tuple[int, int]
) -> tuple[int, int]:
    """The stretch that starts under the page's headline (a line the title filter took
    out), when the best-scoring stretch lies elsewhere, apart from it, and is not much
    stronger. A scrape's first line is the browser title, above the menus: only a headline
    further down the text anchors the article."""
    start, end = best
    headlines = [index for index, rule in claimed.items() if rule == "title" and index]
    if not headlines:
        return best
    best_score = sum(scores[start:end])
    # The best stretch from a given first line ends where the running total peaks: with the
    # totals before each line, that is the highest total after it (the earliest, on a tie).
    totals = [0.0, *accumulate(scores)]
    peak = [len(totals) - 1] * len(totals)
    for index in range(len(totals) - 2, 0, -1):
        later = peak[index + 1]
        peak[index] = index if totals[index] >= totals[later] else later
    found, found_score = best, 0.0
    for headline in headlines:
        if start <= headline + _UNDER_HEADLINE_LINES and end > headline:
            return best  # the best stretch is the headline's
        for first in range(headline + 1, min(headline + 1 + _UNDER_HEADLINE_LINES, len(scores))):
            last = peak[first + 1]
            if totals[last] - totals[first] > found_score:
                found, found_score = (first, last), totals[last] - totals[first]
    # A stretch from under the headline that reaches the best one is not an alternative to
    # it: only one that boilerplate keeps apart from it is.
    apart = found[1] <= start or found[0] >= end
    several = found[1] - found[0] >= 2
    if apart and several and found_score > 0 and _ELSEWHERE_RATIO * found_score >= best_score:
        return found
    return best


def boilerplate_blocks(stopwords: frozenset[str], settings: BlockSettings | None = None) -> Judge:
    """A judge claiming the blocks that are not the article."""
    config = settings or BlockSettings()

    def claim(lines: Sequence[str], claimed: Mapping[int, str]) -> Iterator[Claim]:
        kinds = [classify(line, stopwords, config) for line in lines]
        repeats = repeated_lines(lines, kinds)
        scores = block_scores(lines, claimed, stopwords, config, kinds, repeats)
        start, end = best_span(scores)
        start, end = under_headline(scores, claimed, (start, end))
        posts = thread_of_posts(lines, scores, (start, end))
        start, end = posts or (start, thread_start(lines, start, end))
        if not posts:
            start, end = _whole_content(lines, claimed, kinds, (start, end))
        for index in range(len(lines)):
            if not start <= index < end:
                yield index, "outside-article"
            elif index in repeats:
                yield index, "boilerplate"

    return claim


# A line of extracted HTML text that is the whole text of a link, and this short, is a menu
# entry or a link to another page, not prose.
_LINK_LINE_MAX_WORDS = 15
# Non-link lines in trafilatura's output were already judged to be content: short ones (a
# table cell, a list item) must not cut the article in two, so they count slightly for it.
_VETTED_SHORT_SCORE = 1.0


def extracted_blocks(
    stopwords: frozenset[str], links: frozenset[str], settings: BlockSettings | None = None
) -> Judge:
    """A judge for text that trafilatura extracted from HTML: drops runs of link lines (a
    menu it took in) and what they cut off from the article, and a comment thread that
    follows the article (on pages whose comments are not marked as such, trafilatura takes
    them in with the post)."""
    config = settings or BlockSettings()

    def is_link(line: str) -> bool:
        # A printed address is content (a list of shop links); menus are words.
        short = word_count(line) <= _LINK_LINE_MAX_WORDS
        return short and not _URL.match(line) and normalise(line) in links

    def claim(lines: Sequence[str], claimed: Mapping[int, str]) -> Iterator[Claim]:
        scores = []
        for index, line in enumerate(lines):
            length = text_length(line)
            if is_link(line):
                # A link that a filter also took ("Crypto-Gram Newsletter") still cuts the
                # article off from what follows it.
                scores.append(-length - config.penalty)
            elif index in claimed:
                scores.append(config.claimed_score)
            else:
                scores.append(max(_VETTED_SHORT_SCORE, length - config.penalty))
        start, end = best_span(scores)
        end = thread_start(lines, start, end)
        for index, line in enumerate(lines):
            if not start <= index < end:
                yield index, "outside-article"
            elif is_link(line):
                yield index, "link"

    return claim
