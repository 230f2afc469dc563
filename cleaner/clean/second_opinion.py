"""A second extractor: for pages where trafilatura's fast mode found only part of the
article, and as a check on every block it did find.

Fast mode picks one container; on some layouts (tables, an event box or a section menu
above the article, an article split over several containers, markup damaged so the body
looks empty) that container is the wrong one, and the output is a few words of a long
page. readability-lxml is built differently (it scores paragraphs' parents by text and
commas), and is right on many of those pages. Its answer is taken when, cleaned the same
way, it says several times more without being most of the page, or when the two found
different parts of the page and its part starts nearer below the headline
(`starts_under_headline`); otherwise it is the second voter on each block of the first
answer (`disagreed_blocks`). It costs about as much as trafilatura's fast mode.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache

from lxml import html
from lxml.html import HtmlElement

from cleaner.clean.recall import page_lines
from cleaner.clean.text import (
    DENSE_SCRIPT,
    ends_sentence,
    prose_words,
    word_count,
    word_trigrams,
    words_of,
)

# Elements after which text goes on a new line (so words of two blocks are not glued).
_BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 "
    "h6 header hr li main nav ol p pre section table td th tr ul".split()
)
# The second answer is taken when it holds this many times the first's words (both cleaned
# the same way): fast mode picked a container holding only part of the article...
TAKE_ABOVE_RATIO = 3
# ... unless it holds more than this share of the page's own words: an answer that is most
# of the page took in the menus and lists around the article too, whatever the first missed.
TAKE_BELOW_PAGE_SHARE = 0.6
# A first answer this short found nothing of the article.
NOTHING_BELOW_WORDS = 10
# Blocks are checked against the second extractor's article only when it holds at least
# this share of the first's words: a much shorter answer is a different (wrong) container,
# not a tighter cut of the same one.
AGREE_FROM_SHARE = 0.3
# A block is kept when at least this share of its word trigrams is in the second article.
AGREE_SHARE = 0.5
# Blocks this long are paragraphs of prose, which a tighter container can leave out (the
# article's first paragraphs in a box of their own): the vote drops only shorter blocks,
# where menus, teaser lists, bylines and most comments are...
AGREE_UP_TO_WORDS = 40
# ... and, after the last block both extractors kept, longer ones that share less than this
# share of their words with the agreed article: a footer, a list of other stories or a
# promotion glued into one long line. The article's own last paragraphs, which the second
# extractor can miss too, speak of what the article speaks of (half their words or more).
TAIL_ON_TOPIC_SHARE = 0.4
# A block this long, a sentence of prose, directly above the first paragraph both
# extractors kept, and on the article's topic, is its standfirst (see disagreed_blocks).
STANDFIRST_MIN_WORDS = 20
# A much shorter second answer is a cut of the first's opening when this share of its word
# trigrams is in the first and the first's first block agrees with it: readability stopped
# where the article's container ends, and the first's blocks after the last agreed one are
# its tail (an author box, a disclaimer, trackbacks, a list of other stories).
SHORTER_CUT_CONTAINED = 0.8
# Two answers found different parts of the page when each shares less than this share of
# its word trigrams with the other...
APART_SHARE = 0.3
# ... and the one that starts nearer below the headline is taken, when it holds at least this
# share of the other's words: a byline or a player's fallback under the headline is not the
# article that the other answer may be.
APART_MIN_SHARE = 0.25
# ... or this many words, a paragraph: a byline is a line (a short post under its headline
# is the article, however long the sidebar the other answer took).
APART_MIN_WORDS = 20
# A heading is the page's headline when this share of its words is in the page's title
# (the first h1, else h2, else h3: blog themes put the post's title in an h3 under the
# blog's own h1 and the date's h2).
HEADLINE_IN_TITLE_SHARE = 0.6
# Words shorter than this (articles, pronouns, auxiliaries in most languages) say nothing of
# a block's topic.
TOPIC_WORD_CHARS = 4
# Longer "words" are runs of a script written without spaces: no topic can be read off them.
SPACED_WORD_CHARS = 15


def page_words(tree: HtmlElement) -> int:
    """The number of words in the page's body, menus and all."""
    body = tree.find("body")
    return len((body if body is not None else tree).text_content().split())


def may_take_second(first_words: int, page_size: int) -> bool:
    """Whether any second answer could be taken: one three times the first's words must
    still fit in the page's share (so the second extractor need not run when none can)."""
    return (
        first_words < NOTHING_BELOW_WORDS
        or TAKE_ABOVE_RATIO * first_words <= TAKE_BELOW_PAGE_SHARE * page_size
    )


def may_disagree(blocks: list[str]) -> bool:
    """Whether the vote is worth running on `blocks`: only when one of them is shorter than
    a paragraph of prose, where nearly all it drops is (an answer made only of long blocks is
    left as it is, off-topic tail and all, to save the second extractor's time)."""
    return any(_paragraph_words(block, words_of(block)) < AGREE_UP_TO_WORDS for block in blocks)


def worth_a_second_look(first_words: int, second_words: int, page_size: int) -> bool:
    """Whether the second answer may be the article that the first only partly found.

    When the first found nothing, any answer is better than none.
    """
    return second_words >= TAKE_ABOVE_RATIO * max(1, first_words) and (
        second_words <= TAKE_BELOW_PAGE_SHARE * page_size or first_words < NOTHING_BELOW_WORDS
    )


def readability_text(tree: HtmlElement, last_reader: bool = False) -> str:
    """The readability algorithm's article, one block a line ("" when it finds none).

    This is the port of readability-lxml that trafilatura ships (its own fallback): the
    same scoring, without readability-lxml's reparsing and link-rewriting clean-up of the
    page, so it costs a fifth as much (3 against 15 ms a page on ScrapingHub) and gives
    the same article on most pages.

    It changes the tree it reads (it drops and rewrites elements), so it gets a copy unless
    `last_reader` says nothing reads the tree after it (copying costs a sixth of its time).
    """
    readable = _readable()
    if readable is None:  # a trafilatura without it: no second opinion
        return ""
    try:
        tree = tree if last_reader else copy.deepcopy(tree)
        return html_to_text(readable(tree, min_text_length=25).summary())
    except Exception:  # a voter that fails has no opinion; it must not fail the page
        return ""


@lru_cache(maxsize=1)
def _readable() -> type | None:
    """trafilatura's readability Document, with its first pass over the page made in C.

    That pass judges every element by its class and id ("sidebar", "comment", ...). Going
    through all of them made a Python object for each, a fifth of the second opinion's
    time; only elements with a class or an id can be judged unlikely, and XPath finds those
    (in the same order, so the same elements are dropped: the same answer on all 2,174
    dev pages, in 1.8 against 2.2 ms a page). A trafilatura whose port lacks what the pass
    uses keeps its own.
    """
    try:
        from trafilatura import readability_lxml as port
    except ImportError:
        return None
    patterns = getattr(port, "REGEXES", {})
    names = ("unlikelyCandidatesRe", "okMaybeItsACandidateRe")
    if not all(name in patterns for name in names) or not hasattr(port, "FRAME_TAGS"):
        return port.Document
    unlikely: re.Pattern[str] = patterns[names[0]]
    maybe: re.Pattern[str] = patterns[names[1]]
    frames = frozenset(port.FRAME_TAGS)

    class Readable(port.Document):
        def remove_unlikely_candidates(self) -> None:
            verdicts: dict[str, bool] = {}
            for elem in self.doc.xpath(".//*[@class or @id]"):
                attrs = " ".join(filter(None, (elem.get("class"), elem.get("id"))))
                if len(attrs) < 2 or elem.tag in frames:
                    continue
                if attrs not in verdicts:
                    low = attrs.lower()
                    verdicts[attrs] = bool(unlikely.search(low)) and not maybe.search(low)
                if verdicts[attrs]:
                    elem.drop_tree()

    return Readable


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment, a line for each block element."""
    if not fragment.strip():
        return ""
    root = html.fromstring(fragment)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
            element.text = "\n" + (element.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def disagreed_blocks(blocks: list[str], second: str) -> list[bool]:
    """Which of the first extractor's `blocks` the second extractor's article leaves out.

    Two extractors built differently (trafilatura picks a container and prunes it;
    readability scores paragraphs' parents by their text) agree on the article's paragraphs
    and disagree on what sits around them: comment threads, related-story lists, teasers
    and sidebars that one of them took in. A block shorter than a paragraph of prose that
    the second article does not hold is dropped, as long as the second article is a tighter
    cut of the same text (not a tiny or empty answer) and something of the first is left.
    A longer block goes only when it follows everything both kept and is off the article's
    topic (`TAIL_ON_TOPIC_SHARE`).
    A much shorter second answer that is the opening of the first judges only the first's
    tail (`SHORTER_CUT_CONTAINED`): there only what is off the topic goes, never the items
    of a list (two or more in a row), since readability also stops before a list of links
    that is the post itself (a roundup of other blogs' posts).
    Blocks are compared by word trigrams (single words for blocks shorter than three), so a
    line wrapped or spaced differently still matches.
    """
    second_words, trigrams = _wording(second)
    block_words = [words_of(block) for block in blocks]
    none = [False] * len(blocks)
    if not second_words:
        return none
    first_trigrams = _wording("\n\n".join(blocks))[1]
    shorter = len(second_words) < AGREE_FROM_SHARE * sum(map(len, block_words))
    # The second article must be (mostly) inside the first: one that found another part of
    # the page (the second post of a thread, say) has no say on the first's blocks. (The
    # blocks joined have the words of the blocks in a row: no word spans a blank line.)
    inside = SHORTER_CUT_CONTAINED if shorter else AGREE_SHARE
    if len(trigrams & first_trigrams) < inside * len(trigrams):
        return none
    vocabulary = set(second_words)
    agreed = [_agreed_share(words, trigrams, vocabulary) >= AGREE_SHARE for words in block_words]
    if shorter and not agreed[0]:
        return none  # a shorter answer that is not the first's opening
    # Only what follows the last agreed block is a tail (none when no block is agreed).
    last = max((number for number, kept in enumerate(agreed) if kept), default=len(blocks))
    topic = {
        word for words, kept in zip(block_words, agreed, strict=True) if kept for word in words
    }

    def off_topic_tail(number: int, words: list[str]) -> bool:
        return number > last and _on_topic_share(words, topic) < TAIL_ON_TOPIC_SHARE

    if shorter:
        # Only what speaks of something else: the article's own short paragraphs after
        # the opening stay (and lists, see above).
        items = [block.startswith("- ") for block in blocks]
        in_list = [
            item and ((n > 0 and items[n - 1]) or (n + 1 < len(items) and items[n + 1]))
            for n, item in enumerate(items)
        ]
        return [
            off_topic_tail(number, words) and not in_list[number]
            for number, words in enumerate(block_words)
        ]
    dropped = [
        not kept
        and (_paragraph_words(block, words) < AGREE_UP_TO_WORDS or off_topic_tail(number, words))
        for number, (block, words, kept) in enumerate(zip(blocks, block_words, agreed, strict=True))
    ]
    if all(dropped):
        return none
    # A standfirst: a sentence of prose on the article's topic directly above the first
    # paragraph both kept. readability starts at its container's first paragraph and
    # leaves out a summary set in a box of its own under the headline.
    first = agreed.index(True) if True in agreed else 0
    if first and _standfirst(blocks[first - 1], block_words[first - 1], topic):
        dropped[first - 1] = False
    return dropped


def _paragraph_words(block: str, words: list[str]) -> float:
    """A block's size in words; in Chinese or Japanese its characters counted, as its
    "words" are the runs between punctuation (every paragraph of it would be short)."""
    return prose_words(block) if DENSE_SCRIPT.search(block) else len(words)


def _standfirst(block: str, words: list[str], topic: set[str]) -> bool:
    return (
        len(words) >= STANDFIRST_MIN_WORDS
        and ends_sentence(block)
        and _on_topic_share(words, topic) >= TAIL_ON_TOPIC_SHARE
    )


def _agreed_share(
    words: list[str], trigrams: frozenset[tuple[str, str, str]], vocabulary: set[str]
) -> float:
    """The share of a block's word trigrams in the second article (of its words, for a
    block shorter than three words)."""
    grams = word_trigrams(words)
    if grams:
        return sum(gram in trigrams for gram in grams) / len(grams)
    return sum(word in vocabulary for word in words) / max(1, len(words))


def _on_topic_share(words: list[str], topic: set[str]) -> float:
    """The share of a block's distinct content words found in `topic` (1.0 when the block
    is in a script without spaces, whose words cannot be compared so)."""
    content = {word for word in words if len(word) >= TOPIC_WORD_CHARS}
    if not content or sum(map(len, content)) > SPACED_WORD_CHARS * len(content):
        return 1.0
    return sum(word in topic for word in content) / len(content)


@lru_cache(maxsize=4)
def _wording(text: str) -> tuple[tuple[str, ...], frozenset[tuple[str, str, str]]]:
    """A text's words and the set of its word trigrams (read-only memo of a pure function).

    The two answers of a page are compared twice, whether they are apart, then block by
    block: each is read once.
    """
    words = words_of(text)
    return tuple(words), frozenset(word_trigrams(words))


def found_apart(first: str, second: str) -> bool:
    """Whether two answers are different parts of the page (not one a cut of the other)."""
    first_grams, second_grams = _wording(first)[1], _wording(second)[1]
    if not first_grams or not second_grams:
        return False
    shared = len(first_grams & second_grams)
    return shared < APART_SHARE * len(first_grams) and shared < APART_SHARE * len(second_grams)


# A lead the first extractor missed: at least this many words of the second answer come
# before the first answer's first block, ...
LEAD_MIN_WORDS = 20
# Each of its lines is a paragraph: a sentence of at least this many words.
LEAD_LINE_MIN_WORDS = 12
# ... the rest of the second answer holds this share of the first answer's word trigrams ...
LEAD_HOLDS_SHARE = 0.8
# ... and says at most this share more than the first answer after the lead.
LEAD_TAIL_SHARE = 0.2


def missed_lead(first: str, second: str) -> list[str]:
    """The lines of the second answer that open the article before the first answer starts.

    Fast mode takes one container; an article whose opening paragraphs sit in another (a
    lead box, paragraphs above a photo or an advertisement slot) loses them. The second
    extractor then holds the same article with those paragraphs in front, and little or
    nothing more after it. A second answer that also says more after the first's end took
    in comments or related stories; that case is not a lead.
    """
    blocks = [block for block in first.split("\n\n") if block.strip()]
    lines = [line for line in second.splitlines() if line.strip()]
    if not blocks or len(lines) < 2:
        return []
    opening = set(word_trigrams(words_of(blocks[0])))
    start = next(
        (
            number
            for number, line in enumerate(lines)
            if (
                len(opening & set(word_trigrams(words_of(line)))) >= AGREE_SHARE * len(opening)
                if opening
                else words_of(line) == words_of(blocks[0])
            )
        ),
        None,
    )
    if not start:
        return []
    # Only the paragraphs right above the first block: a byline, a date line or a photo's
    # "more" link above them ends the lead (what sits higher is the page's header).
    lead: list[str] = []
    for line in reversed(lines[:start]):
        if word_count(line) < LEAD_LINE_MIN_WORDS or not ends_sentence(line) or line in lead:
            break
        lead.insert(0, line)
    if word_count("\n".join(lead)) < LEAD_MIN_WORDS:
        return []
    rest = words_of("\n".join(lines[start:]))
    first_words, first_grams = _wording(first)
    if not first_grams:
        return []
    held = len(first_grams & set(word_trigrams(rest))) / len(first_grams)
    if held < LEAD_HOLDS_SHARE or len(rest) - len(first_words) > LEAD_TAIL_SHARE * len(first_words):
        return []
    return lead


def starts_under_headline(tree: HtmlElement, title: str | None, first: str, second: str) -> bool:
    """Whether `second` starts nearer below the page's headline than `first` does.

    When two extractors found different parts of a page, the article is the part that the
    headline introduces; the other is a sidebar, an "about me" box or a list of links,
    which sit above the headline or further away below it. The headline is the first
    `h1` (else `h2`, else `h3`) whose words are mostly the page's title; without one there
    is no telling, and the answer is no.
    """
    if word_count(second) < min(APART_MIN_SHARE * word_count(first), APART_MIN_WORDS):
        return False
    headline = _headline(tree, title)
    if headline is None:
        return False
    lines = [words_of(line) for line in page_lines(tree)]
    top = _line_of(lines, headline)
    if top is None:
        return False
    first_line = _start_of(lines, first, top)
    second_line = _start_of(lines, second, top)
    if first_line is None or second_line is None or second_line < top:
        return False
    return first_line < top or second_line < first_line


def _headline(tree: HtmlElement, title: str | None) -> str | None:
    title_words = set(words_of(title or ""))
    if not title_words:
        return None
    for tag in ("h1", "h2", "h3"):
        for heading in tree.iter(tag):
            text = " ".join(heading.text_content().split())
            words = set(words_of(text))
            if words and len(words & title_words) >= HEADLINE_IN_TITLE_SHARE * len(words):
                return text
    return None


def _start_of(lines: list[list[str]], answer: str, top: int) -> int | None:
    """Where `answer` starts below the headline: the page line of the first of its opening
    lines found there (a header line an extractor took in above the headline does not
    count), else of its first line."""
    opening = [line for line in answer.split("\n") if line.strip()][:_OPENING_LINES]
    found = [_line_of(lines, line) for line in opening]
    below = [number for number in found if number is not None and number >= top]
    if below:
        return below[0]
    return found[0] if found else None


_OPENING_LINES = 8


def _line_of(lines: list[list[str]], text: str) -> int | None:
    """The number of the first page line that holds `text` (by word trigrams, or by its
    words when it has fewer than three)."""
    words = words_of(text)
    grams = set(word_trigrams(words))
    for number, line in enumerate(lines):
        if grams:
            line_grams = set(word_trigrams(line))
            if line_grams and len(grams & line_grams) >= AGREE_SHARE * min(
                len(grams), len(line_grams)
            ):
                return number
        elif words and set(words) <= set(line):
            return number
    return None
