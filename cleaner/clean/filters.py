"""Generic clutter filters: they work on any site, with or without a rule file.

Every filter is a pure function over the page's non-empty lines that *claims* lines it
recognises as clutter, naming its rule. The runner gives each line to the first filter
that claims it, so the audit trail says exactly one reason per removed line, and filters
never see a half-edited text (structural filters such as the related-list detector need
the original neighbourhood of a line, not what earlier filters left).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cleaner.clean.clutter import (
    comment_boxes,
    contact_lines,
    is_caption,
    is_nav_line,
    is_newsletter_prompt,
    is_paywall,
    is_publisher_footer,
    is_read_more,
    is_reading_time,
    is_reference_note,
    tag_lines,
)
from cleaner.clean.dates import is_date_line
from cleaner.clean.leftovers import is_markup, is_script_code
from cleaner.clean.line_runs import profile_fields
from cleaner.clean.mail import mail_headers, signatures
from cleaner.clean.related import related_article_lists, related_headings
from cleaner.clean.text import (
    Judge,
    LineFilter,
    ends_sentence,
    normalise,
    per_line,
    word_count,
    words_of,
)
from cleaner.document import Removal

# --- runner -----------------------------------------------------------------------------

nav_lines = per_line("nav", is_nav_line)
reading_times = per_line("reading-time", is_reading_time)
date_lines = per_line("date", is_date_line)
read_more_links = per_line("read-more", is_read_more)
newsletter_prompts = per_line("newsletter", is_newsletter_prompt)
publisher_footers = per_line("footer", is_publisher_footer)
captions = per_line("caption", is_caption)
paywalls = per_line("paywall", is_paywall)
markup_lines = per_line("markup", is_markup)
script_lines = per_line("script", is_script_code)
reference_notes = per_line("references", is_reference_note)

GENERIC_FILTERS: tuple[LineFilter, ...] = (
    nav_lines,
    reading_times,
    related_article_lists,
    date_lines,
    read_more_links,
    newsletter_prompts,
    paywalls,
    comment_boxes,
    publisher_footers,
    contact_lines,
    tag_lines,
    captions,
    reference_notes,
    related_headings,
    profile_fields,
    mail_headers,
    signatures,
)

# For text that reached cleaner as text: a scrape of a page with a broken head prints its
# scripts and tags as text. Not for text extracted from HTML, where code comes from the
# page's own code blocks (a tutorial's samples) and is content.
SCRAPED_TEXT_FILTERS: tuple[LineFilter, ...] = (markup_lines, script_lines)

_TITLE_MAX_WORDS = 30
# A line repeated on the next line is an image's alt text or caption printed twice; short
# ones are dropped with their first copy, longer ones only lose the copies.
_REPEATED_CAPTION_MAX_WORDS = 25


@dataclass
class Cleaned:
    """What the filters leave of a page, and why the rest went."""

    lines: list[str]
    removed: list[Removal] = field(default_factory=list)
    title: str | None = None
    date_line: str | None = None


def clean_lines(
    lines: Sequence[str],
    filters: Sequence[LineFilter] = GENERIC_FILTERS,
    title: str | None = None,
    take_title: bool = False,
    judge: Judge | None = None,
) -> Cleaned:
    """Run the filters over a page's lines.

    Args:
        lines: the page's non-empty lines, in order.
        filters: claimants, in priority order (site rules first, then generic ones).
        title: a known title (HTML metadata); lines repeating it are removed.
        take_title: no title known (plain text): the first remaining headline-like line
            is the title, moved out of the body.
        judge: runs last, with the others' claims known, to claim what is still not article.
    """
    claims: dict[int, str] = {}
    for line_filter in filters:
        for index, rule in line_filter(lines):
            claims.setdefault(index, rule)

    remaining = [i for i in range(len(lines)) if i not in claims]
    date_line = _dateline(lines, claims, remaining)
    if title is None and take_title and remaining:
        candidate = lines[remaining[0]]
        headline = not candidate.endswith((".", ",", ";", ":"))
        if headline and word_count(candidate) <= _TITLE_MAX_WORDS:
            title = candidate
    if title:
        title_keys = _title_keys(title)
        for index in remaining:
            if normalise(_REPLY_PREFIX.sub("", lines[index], count=1)) in title_keys:
                claims[index] = "title"
                if take_title and normalise(lines[index]) != normalise(title):
                    # "Headline | Site" as the page title, "Headline" as its heading.
                    title = lines[index]
        if not take_title:
            _claim_before_headline(lines, claims)
    _claim_consecutive_repeats(lines, claims)
    if judge is not None:
        for index, rule in list(judge(lines, claims)):
            claims.setdefault(index, rule)

    kept = [line for i, line in enumerate(lines) if i not in claims]
    removed = [Removal(claims[i], lines[i]) for i in sorted(claims)]
    return Cleaned(kept, removed, title, date_line)


# A forum post's subject repeats the thread's title after a reply's mark, in the languages
# mail and forum software write it in ("Re:", "AW:", "Odp:", "Ynt:", "Απ:", "Ответ:").
_REPLY_PREFIX = re.compile(
    r"^\s*(?:re|aw|sv|vs|odp|ynt|antw|rif|réf|ref|απ|ответ|回复|答复)\s*(?:\[\d+\])?\s*[:：]\s*",
    re.IGNORECASE,
)
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—:·•»]\s+|\s*::\s*")
_TITLE_PART_MIN_WORDS = 3


def _title_keys(title: str) -> set[str]:
    """The title, and its parts when a site name is tacked on ("Headline - Site | Section")."""
    parts = _TITLE_SEPARATORS.split(title)
    keys = {normalise(title)}
    keys.update(normalise(part) for part in parts if word_count(part) >= _TITLE_PART_MIN_WORDS)
    return keys


# The article's own dateline sits above its first paragraphs; dates further down belong to
# lists of other articles.
_DATELINE_WITHIN_LINES = 10
_PARAGRAPH_MIN_WORDS = 25


def _dateline(lines: Sequence[str], claims: dict[int, str], remaining: list[int]) -> str | None:
    first_paragraph = next(
        (i for i in remaining if word_count(lines[i]) >= _PARAGRAPH_MIN_WORDS), len(lines)
    )
    limit = max(_DATELINE_WITHIN_LINES, first_paragraph)
    return next((lines[i] for i in sorted(claims) if i < limit and is_date_line(lines[i])), None)


# Extracted text that starts with a few lines and then the page's headline: those lines are
# a promo or a kicker above the article, as long as they are little next to what follows.
_BEFORE_HEADLINE_MAX_SHARE = 0.25


def _claim_before_headline(lines: Sequence[str], claims: dict[int, str]) -> None:
    headline = next((i for i in sorted(claims) if claims[i] == "title"), None)
    if headline is None:
        return
    before = [i for i in range(headline) if i not in claims]
    after = sum(len(lines[i]) for i in range(headline + 1, len(lines)) if i not in claims)
    if before and sum(len(lines[i]) for i in before) <= _BEFORE_HEADLINE_MAX_SHARE * after:
        below = (lines[i] for i in range(headline + 1, len(lines)) if i not in claims)
        topic = {word for line in below for word in _topic_words(line)}
        for index in before:
            if not _lead_of(lines[index], topic):
                claims[index] = "before-headline"


# Words this long say what a text is about (not "the", "der", "que").
_TOPIC_WORD_CHARS = 4
# A paragraph above the headline whose words are this much the article's is its lead.
_LEAD_ON_TOPIC_SHARE = 0.4


def _topic_words(line: str) -> set[str]:
    return {word for word in words_of(line) if len(word) >= _TOPIC_WORD_CHARS}


def _lead_of(line: str, topic: set[str]) -> bool:
    """Whether a line above the headline is the article's first paragraph (a page whose
    text puts the lead above its headline), not a promo or a kicker: a paragraph of prose
    on the article's topic."""
    words = _topic_words(line)
    return (
        word_count(line) >= _PARAGRAPH_MIN_WORDS
        and ends_sentence(line)
        and len(words & topic) >= _LEAD_ON_TOPIC_SHARE * len(words)
    )


def _claim_consecutive_repeats(lines: Sequence[str], claims: dict[int, str]) -> None:
    """Lines that repeat the one before them, once the lines claimed so far are gone.

    Judged on what is left, so that cleaning the output again finds nothing new: a caption
    printed twice around a removed photo credit is a repeat here, not on a second pass.
    """
    while True:
        kept = [i for i in range(len(lines)) if i not in claims]
        found = False
        start = 0
        while start < len(kept):
            key = normalise(lines[kept[start]])
            end = start + 1
            while end < len(kept) and key and normalise(lines[kept[end]]) == key:
                end += 1
            if end - start > 1:
                found = True
                for copy in kept[start + 1 : end]:
                    claims.setdefault(copy, "repeated")
                # A scrape that prints the article's summary before its text repeats the
                # lead as the first lines: a sentence of the article, kept once.
                lead = start == 0 and ends_sentence(lines[kept[start]])
                if word_count(lines[kept[start]]) <= _REPEATED_CAPTION_MAX_WORDS and not lead:
                    claims.setdefault(kept[start], "caption-repeated")
            start = end
        if not found:
            return
