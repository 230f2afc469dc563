"""Telling article paragraphs from boilerplate when there is no DOM left (text mode).

The approach is jusText's (Pomikálek, 2011), adapted to plain text: blocks get their classes
in cleaner.clean.block_kinds (length, stopword density, neighbours); here they are scored, and
the article is one contiguous stretch of text: the best-scoring stretch of good blocks is kept
and good-looking blocks far from it (a cookie notice, an "about us" blurb) go.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from itertools import accumulate

from cleaner.clean.block_kinds import (
    URL_LINE,
    BlockSettings,
    Kind,
    classify,
    revise,
    text_length,
)
from cleaner.clean.dates import is_date_line
from cleaner.clean.line_runs import (
    headline_runs,
    introduced_lists,
    teaser_runs,
    thread_of_posts,
    thread_start,
)
from cleaner.clean.text import (
    Claim,
    Judge,
    ends_sentence,
    normalise,
    word_count,
)

# A page is mostly content when the prose outside the best stretch is at least as much as
# inside it, and several paragraphs' worth (in Latin-equivalent characters).
_WHOLE_CONTENT_SHARE = 1.0
_WHOLE_CONTENT_MIN_CHARS = 800
# Time stamps in what would be added: comments or a list of other stories, not a manual.
_WHOLE_CONTENT_MAX_TIMED = 1
_CLOCK = re.compile(r"\b\d{1,2}:\d\d\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_STAMP_CLOCK_MAX_WORDS = 12
_STAMP_YEAR_MAX_WORDS = 6


def _whole_content(
    lines: Sequence[str],
    claimed: Mapping[int, str],
    kinds: Sequence[Kind],
    span: tuple[int, int],
    teasers: set[int],
) -> tuple[int, int]:
    """The stretch from the page's first to its last paragraph of prose, on a page that is
    mostly content: documentation, a recipe, a long guide, where code samples, tables and
    ingredient lists (a short line each in scraped text) cut the text into parts and the
    best-scoring stretch is only one of them. Not when what it would add holds time stamps,
    runs of teasers or headlines, or lines the filters took for the edges of an article (a
    comment section, a list of related stories, a footer). When the page as a whole does
    not qualify, the stretch still grows paragraph by paragraph (`_grown`)."""
    start, end = span
    prose = [i for i, kind in enumerate(kinds) if kind is Kind.GOOD and i not in claimed]
    inside = sum(text_length(lines[i]) for i in prose if start <= i < end)
    outside = sum(text_length(lines[i]) for i in prose if not start <= i < end)
    if not prose or outside < max(_WHOLE_CONTENT_SHARE * inside, _WHOLE_CONTENT_MIN_CHARS):
        return _grown(lines, claimed, kinds, span, teasers)
    first, last = min(start, prose[0]), max(end, prose[-1] + 1)
    added = [*range(first, start), *range(end, last)]
    timed = sum(1 for i in added if _is_timed(lines[i]))
    edges = any(i in teasers or claimed.get(i) in _BOUNDARY_RULES for i in added)
    if timed > _WHOLE_CONTENT_MAX_TIMED or edges:
        return _grown(lines, claimed, kinds, span, teasers)
    return first, last


# Lines a stretch grows across to reach its next paragraph of prose: a photo between two
# paragraphs of a blog post, a short list; not a sidebar of headlines.
_GROW_GAP_LINES = 20


def _grown(
    lines: Sequence[str],
    claimed: Mapping[int, str],
    kinds: Sequence[Kind],
    span: tuple[int, int],
    teasers: set[int],
) -> tuple[int, int]:
    """The stretch grown, on each side, to the next paragraph of prose for as long as no
    more than `_GROW_GAP_LINES` lines lie between, none of them a teaser, a headline of a
    run, the edge of an article or a second time stamp; kept when what it gains is again as
    much prose as it held, and several paragraphs' worth. A photo blog's post and a recipe's
    steps, each cut apart by picture credits or short lines, come in whole.

    Prose here is a good block, or a near-good one that ends a sentence: a recipe's steps
    and a photo's story are short, where a teaser's blurb is cut off with an ellipsis.
    """
    start, end = span
    prose = [i for i, kind in enumerate(kinds) if i not in claimed and _is_prose(lines[i], kind)]
    timed = 0

    def crossable(between: range) -> bool:
        nonlocal timed
        if len(between) > _GROW_GAP_LINES:
            return False
        for i in between:
            if i in teasers or claimed.get(i) in _BOUNDARY_RULES:
                return False
            timed += _is_timed(lines[i])
            if timed > _WHOLE_CONTENT_MAX_TIMED:
                return False
        return True

    last = end
    for index in (i for i in prose if i >= end):
        if not crossable(range(last, index + 1)):
            break
        last = index + 1
    first = start
    for index in (i for i in reversed(prose) if i < start):
        if not crossable(range(index, first)):
            break
        first = index
    inside = sum(text_length(lines[i]) for i in prose if start <= i < end)
    gained = sum(text_length(lines[i]) for i in prose if first <= i < start or end <= i < last)
    if gained < max(_WHOLE_CONTENT_SHARE * inside, _WHOLE_CONTENT_MIN_CHARS):
        return span
    return first, last


def _is_prose(line: str, kind: Kind) -> bool:
    if kind is Kind.GOOD:
        return True
    return kind is Kind.NEAR_GOOD and ends_sentence(line) and not line.endswith(("…", "..."))


def _is_timed(line: str) -> bool:
    """Whether a line stamps a post or a comment: a date line, a clock time in a short
    line ("Posted by John on January 10, 2008 5:29 PM"), or a year in a very short one.
    A sentence that mentions a year, or a table row of opening hours, is no stamp."""
    if is_date_line(line):
        return True
    words = word_count(line)
    if _CLOCK.search(line):
        return words <= _STAMP_CLOCK_MAX_WORDS
    return words <= _STAMP_YEAR_MAX_WORDS and bool(_YEAR.search(line))


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
    teasers: set[int] | None = None,
) -> list[float]:
    """How much each block speaks for being inside the article (positive) or not.

    `kinds` are the blocks' context-free classes, `repeats` the lines that
    `repeated_lines` finds and `teasers` those of teaser and headline runs (all worked out
    here when not given).
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
    if teasers is None:
        teasers = teaser_runs(lines, claimed) | headline_runs(lines, claimed)
    items = introduced_lists(lines, claimed)
    scores = []
    for index, (line, kind) in enumerate(zip(lines, revised, strict=True)):
        length = text_length(line)
        if index in claimed:
            boundary = claimed[index] in _BOUNDARY_RULES
            score = -length - penalty if boundary else settings.claimed_score
        elif index in repeats or URL_LINE.match(line) or index in teasers:
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
        teasers = teaser_runs(lines, claimed) | headline_runs(lines, claimed)
        scores = block_scores(lines, claimed, stopwords, config, kinds, repeats, teasers)
        start, end = best_span(scores)
        start, end = under_headline(scores, claimed, (start, end))
        posts = thread_of_posts(lines, scores, (start, end))
        start, end = posts or (start, thread_start(lines, start, end))
        if not posts:
            start, end = _whole_content(lines, claimed, kinds, (start, end), teasers)
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
        return short and not URL_LINE.match(line) and normalise(line) in links

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
