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
from cleaner.clean.text import normalise, split_lines, word_count, word_trigrams, words_of

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
    # Paragraphs that are in the article already, run together in one block of it (a page
    # that prints its text both whole and as paragraphs), are no continuation either.
    known_trigrams = {gram for line in kept for gram in _trigrams(line)}
    found: list[str] = []
    gap = 0
    for line in page[end + 1 :]:
        if normalise(line) in known or _mostly_in(_trigrams(line), known_trigrams):
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


# A page line with this share of its word trigrams in the article is a copy of its text.
_KNOWN_SHARE = 0.8


def _trigrams(line: str) -> set[tuple[str, str, str]]:
    return set(word_trigrams(words_of(line)))


def _mostly_in(grams: set[tuple[str, str, str]], known: set[tuple[str, str, str]]) -> bool:
    return bool(grams) and len(grams & known) >= _KNOWN_SHARE * len(grams)


# Records (posts of a thread, messages, answers) are siblings with one tag and class; a
# thread has at least this many besides the one extracted.
_MIN_OTHER_RECORDS = 2
# How far above the extracted paragraph the record element may sit.
_RECORD_MAX_DEPTH = 5
# Lines of a record shorter than this are its furniture: the poster's name, "Quote", "Reply".
_RECORD_LINE_MIN_WORDS = 4
# The other records must hold at least this share of the extracted words: a few teasers
# beside a long article are not the rest of a thread.
_RECORDS_MIN_SHARE = 0.5


def missed_records(tree: HtmlElement, kept: Sequence[str]) -> list[str] | None:
    """The whole thread, when what was extracted is one record of several alike.

    A forum thread, a mailing-list digest or a Q&A page is a run of sibling elements of one
    tag and class (a post each), and the content is all of them; an extractor that picks
    one container takes the first post only. When the extracted text sits inside one such
    record and its siblings hold at least half as much prose again, the page's lines of
    every record are returned in page order (the extracted record's as they were kept),
    else None.
    """
    if not kept:
        return None
    anchor = _element_of(tree, kept[0])
    if anchor is None:
        return None
    record, depth = anchor, 0
    while depth < _RECORD_MAX_DEPTH:
        parent = record.getparent()
        if parent is None:
            return None
        if len(parent) > 1:  # a wrapper of one element (a post's <article> in its frame) is no step
            depth += 1
            alike = [child for child in parent if _alike(child, record)]
            if len(alike) > _MIN_OTHER_RECORDS and _is_record(record):
                return _thread_lines(alike, record, kept)
        record = parent
    return None


def in_two_posts(tree: HtmlElement, line: str, other: str) -> bool:
    """Whether two extracted lines sit in two posts of one thread: two elements of one kind
    (`_same_kind`, classed, neither inside the other) a few steps above each line, as the
    bodies of a question and of its answer, or of two answers, on a Q&A page whose posts
    are not siblings (their bodies hold different paragraphs: the children may differ)."""
    first, second = _element_of(tree, line), _element_of(tree, other)
    if first is None or second is None:
        return False
    above = _posts_above(first)
    for post in _posts_above(second):
        for candidate in above:
            if (
                candidate is not post
                and _same_kind(candidate, post)
                and _is_record(post)
                and post not in candidate.iterancestors()
                and candidate not in post.iterancestors()
            ):
                return True
    return False


def _posts_above(element: HtmlElement) -> list[HtmlElement]:
    """The element and its ancestors up to `_RECORD_MAX_DEPTH` steps that hold more than
    one element (a post's body holds paragraphs; a paragraph's frame holds the paragraph)."""
    found: list[HtmlElement] = []
    for ancestor in [element, *element.iterancestors()][: _RECORD_MAX_DEPTH + 1]:
        if len(ancestor) > 1:
            found.append(ancestor)
    return found


def _element_of(tree: HtmlElement, line: str) -> HtmlElement | None:
    """The element whose text is `line`, else the first whose text of two words or more
    opens it: the extractor may have joined a greeting and the paragraph under it
    ("Hallo zusammen," and "ich habe seit…"). Only elements whose own text starts the way
    the line does are compared whole: every element's full text would cost a page's worth
    of text per element."""
    words = line.split()
    if not words:
        return None
    first, key, line_words = words[0], normalise(line), words_of(line)
    opening: HtmlElement | None = None
    for element in tree.iter("p", "pre", "li", "div", "td", "dd", "blockquote"):
        own = element.text
        if not own or first not in own:
            continue
        text = element.text_content()
        if normalise(text) == key:
            return element
        if opening is None:
            heading = words_of(text)
            if 2 <= len(heading) < len(line_words) and line_words[: len(heading)] == heading:
                opening = element
    return opening


def _alike(element: HtmlElement, record: HtmlElement) -> bool:
    """Whether `element` is a record like `record`: the same tag, the same children (tag
    and class: a post is its author line, date and body each time, where the rows of a
    page's layout grid hold anything), and the same classes but for one that says how
    this one is shown ("topic-owner" on the opening poster's replies, "highlighted")."""
    return _children(element) == _children(record) and _same_kind(element, record)


def _same_kind(element: HtmlElement, other: HtmlElement) -> bool:
    """The same tag and the same classes but for one."""
    if element.tag != other.tag:
        return False
    mine, theirs = _classes(element), _classes(other)
    if mine == theirs:
        return True
    return min(len(mine), len(theirs)) >= 2 and len(set(mine) ^ set(theirs)) <= 1


def _children(element: HtmlElement) -> tuple[tuple[object, str | None], ...]:
    return tuple((child.tag, child.get("class")) for child in element)


def _classes(element: HtmlElement) -> list[str]:
    return (element.get("class") or "").split()


def _is_record(element: HtmlElement) -> bool:
    """A classed element that is not a comment (an article's comments are not its text)."""
    kind = (element.get("class") or "").lower()
    return bool(kind) and "comment" not in kind


def _thread_lines(
    records: Sequence[HtmlElement], extracted: HtmlElement, kept: Sequence[str]
) -> list[str] | None:
    known = {normalise(line) for line in kept}
    # What the extracted text already holds, also where it joined two of the page's lines.
    known_trigrams = {gram for line in kept for gram in _trigrams(line)}
    lines: list[str] = []
    added = 0
    for record in records:
        if record is extracted:
            lines.extend(kept)
            continue
        prose = [
            line
            for line in clean_lines(page_lines(record), GENERIC_FILTERS).lines
            if word_count(line) >= _RECORD_LINE_MIN_WORDS
            and normalise(line) not in known
            and not _mostly_in(_trigrams(line), known_trigrams)
        ]
        lines.extend(prose)
        added += sum(word_count(line) for line in prose)
    if added < _RECORDS_MIN_SHARE * sum(word_count(line) for line in kept):
        return None
    return lines


# schema.org's markup of a question page and of its answers (StackExchange, and most Q&A
# software), in microdata or JSON-LD.
_QA_PAGE = etree.XPath(
    "boolean(//*[contains(@itemtype, 'schema.org/QAPage')]"
    " | //script[@type='application/ld+json'][contains(., 'QAPage')])"
)
_ANSWERS = etree.XPath(
    "//*[contains(@itemtype, 'schema.org/Answer')"
    " or @itemprop='acceptedAnswer' or @itemprop='suggestedAnswer']"
)
_ANSWER_TEXT = etree.XPath(".//*[@itemprop='text']")


def missed_answers(tree: HtmlElement, kept: Sequence[str]) -> list[str] | None:
    """The question and every answer, on a page marked up as a question and its answers
    when the extracted text holds the question only (None otherwise).

    An extractor that picks one container takes the question; its answers, in containers
    of their own, look like comments and go, though on a Q&A page they are the content.
    Each answer's text is the element its markup names as such (`itemprop="text"`), so the
    voting buttons, the answerer's card and the comments under it stay out.
    """
    if not kept or not _QA_PAGE(tree):
        return None
    known = {normalise(line) for line in kept}
    known_trigrams = {gram for line in kept for gram in _trigrams(line)}
    added: list[str] = []
    answers = [answer for answer in _ANSWERS(tree) if isinstance(answer, HtmlElement)]
    for answer in answers:
        if any(other is not answer and answer in other.iterancestors() for other in answers):
            continue  # an answer's part that names it again
        bodies = [body for body in _ANSWER_TEXT(answer) if isinstance(body, HtmlElement)]
        for body in bodies[:1] or [answer]:
            lines = clean_lines(page_lines(body), GENERIC_FILTERS).lines
            fresh = [
                line
                for line in lines
                if normalise(line) not in known and not _mostly_in(_trigrams(line), known_trigrams)
            ]
            added.extend(fresh)
    if not added:
        return None
    return [*kept, *added]
