"""Getting back the end of an article that extraction cut short.

trafilatura takes one container as the article. Sites that split a long article over
several sibling containers (a "chunk" per few paragraphs, with ads between) lose everything
after the first: half of a Wired feature, say. The page's own text shows what follows; when
it goes on with several paragraphs of prose, that is the rest of the article.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree
from lxml.html import HtmlElement

from cleaner.clean.filters import GENERIC_FILTERS, clean_lines
from cleaner.clean.text import normalise, split_lines, word_count

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body br dd details div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody "
    "td tfoot th thead tr ul".split()
)
_SKIPPED_TAGS = frozenset("head script style noscript template svg iframe select textarea".split())

# A paragraph of prose, as opposed to a headline, a caption or a link.
_PROSE_MIN_WORDS = 25
# Non-prose lines tolerated between two paragraphs (a subheading, an ad label).
_MAX_GAP_LINES = 2
# Only a real continuation counts: several paragraphs, and a good share of what was found.
_MIN_PARAGRAPHS = 3
_MIN_SHARE = 0.5
# Which of the last extracted lines may anchor the continuation in the page.
_ANCHOR_LINES = 3


# Cheap test before walking the page: paragraphs of prose in <p> elements, counted in C.
_LONG_PARAGRAPHS = etree.XPath("count(//p[string-length(normalize-space(.)) >= 150])")


def may_continue(tree: HtmlElement, kept: Sequence[str]) -> bool:
    """Whether the page has prose paragraphs enough beyond the kept ones to continue them."""
    kept_prose = sum(1 for line in kept if word_count(line) >= _PROSE_MIN_WORDS)
    return float(_LONG_PARAGRAPHS(tree)) >= kept_prose + _MIN_PARAGRAPHS


def page_lines(tree: HtmlElement) -> list[str]:
    """The page's visible text, one block-level element a line (inline markup joined)."""
    parts: list[str] = []
    stack: list[tuple[HtmlElement, bool]] = [(tree, False)]
    while stack:
        element, closing = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else ""
        if closing:
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if element.tail:
                parts.append(element.tail)
            continue
        if tag in _SKIPPED_TAGS:
            if element.tail:
                parts.append(element.tail)
            continue
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        if element.text and tag:
            parts.append(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    return split_lines("".join(parts))


def missed_continuation(kept: Sequence[str], page: Sequence[str]) -> list[str]:
    """Paragraphs that follow the extracted article in the page and continue it."""
    if not kept or not page:
        return []
    position = {normalise(line): index for index, line in enumerate(page)}
    end = next(
        (
            position[key]
            for key in map(normalise, reversed(kept[-_ANCHOR_LINES:]))
            if key in position
        ),
        None,
    )
    if end is None:
        return []
    known = {normalise(line) for line in kept}
    found: list[str] = []
    gap = 0
    for line in page[end + 1 :]:
        if normalise(line) in known:
            continue
        if word_count(line) >= _PROSE_MIN_WORDS:
            found.append(line)
            gap = 0
        else:
            gap += 1
            if gap > _MAX_GAP_LINES:
                break
    kept_chars = sum(len(line) for line in kept)
    if len(found) < _MIN_PARAGRAPHS or sum(len(line) for line in found) < _MIN_SHARE * kept_chars:
        return []
    return clean_lines(found, GENERIC_FILTERS).lines
