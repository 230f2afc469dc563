"""Text primitives the filters share: lines, blocks, normalised keys and word counts.

A filter is a function over the page's lines that claims what it recognises (`Claim`);
these types and helpers are what every clutter family is written with.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import pairwise

Claim = tuple[int, str]
LineFilter = Callable[[Sequence[str]], Iterator[Claim]]
# A judge sees the whole page and what the filters already claimed, and claims the rest of
# what is not article (the block classifier).
Judge = Callable[[Sequence[str], Mapping[int, str]], Iterator[Claim]]

# Whitespace of every kind, and control characters, BOMs and non-characters, which the
# output never holds: a run of them is one space.
_OTHER_SPACE = r"\u00a0\u200b\u2009\u202f\ufeff\x00-\x1f\x7f-\x9f\ufffe\uffff"
_SPACE = re.compile(rf"[\s{_OTHER_SPACE}]+")
# The runs that one space does not already stand for: two characters or more, or one that
# is not a plain space. Replacing only these gives what replacing every run gives, without
# a match for every space between two words.
_SPACE_TO_MEND = re.compile(rf"[\s{_OTHER_SPACE}]{{2,}}|[^\S ]|[{_OTHER_SPACE}]")


def _combining_marks() -> str:
    """The combining marks (Unicode categories Mn, Mc and Me) of the Basic Multilingual
    Plane, as ranges for a regular-expression class.

    `\\w` leaves them out, so it cuts every word of the Indic and Southeast Asian scripts at
    its vowel signs ("किसान" is three "words" to it) and Arabic or Hebrew words at their
    vowel points: word counts and stopword densities there measured fragments (Hindi prose
    had a density of 0.2 against 0.5 in other languages). Read from the Unicode database of
    the running Python (about 6 ms, once). Only the BMP: the marks of planes 1 and up (old
    and minority scripts) are ranges that `re` tests one by one, which made every word
    count three times slower.
    """
    marks = [p for p in range(0x10000) if unicodedata.category(chr(p)) in ("Mn", "Mc", "Me")]
    ranges: list[list[int]] = []
    for point in marks:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return "".join(f"{chr(a)}-{chr(b)}" if a != b else chr(a) for a, b in ranges)


# A word: letters, digits and underscores with the marks that combine with them.
WORD = re.compile(rf"[\w{_combining_marks()}]+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_LEADING_PUNCT = re.compile(r"[\W_]*")


def collapse_spaces(text: str) -> str:
    """One line: every run of whitespace or control characters as one space, trimmed."""
    return _SPACE_TO_MEND.sub(" ", text).strip()


def split_lines(text: str) -> list[str]:
    """Non-empty lines with whitespace collapsed (NBSP and zero-width spaces included)."""
    lines = (_SPACE_TO_MEND.sub(" ", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


_CLOSING = frozenset(",.;:!?)]}”’»%…，。、；：！？）」』】")
_OPENING = frozenset("(“‘«[（「『【")
# Characters of scripts written without spaces (Chinese, Japanese, Korean syllables).
DENSE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# What a sentence of such a script holds besides its words: commas and stops.
_DENSE_PUNCTUATION = re.compile(r"[，。、；：！？]")


def split_blocks(text: str) -> list[str]:
    """The text's blocks: non-empty lines, with inline fragments and hard-wrapped
    paragraphs joined back together.

    Text taken from a page node by node breaks a paragraph at every link or bold word
    ("said the\nspokesman\n, adding…"). A line that goes on a sentence (it starts in lower
    case or with closing punctuation) and follows directly, with no blank line, is joined
    to the line before it. So is a line of a text wrapped at a fixed width (an e-mail, a
    preformatted message) whose first word would not have fitted on the line before it:
    that line ended only for want of room, whatever the next word's case (German nouns,
    names and sentences start in capitals). An amount goes on across the blank lines that a
    scrape leaves between an ingredient's quantity, unit and name (`_quantity_goes_on`).
    """
    raws = [_SPACE_TO_MEND.sub(" ", raw).strip() for raw in text.splitlines()]
    width = wrap_width(raws)
    blocks: list[str] = []
    # The pieces of blocks joined where a dense script and another meet, in case the
    # block turns out to be no sentence (see _switches_script).
    switched: dict[int, list[str]] = {}
    previous = ""  # the line before, as it was (blank: none)
    for number, line in enumerate(raws):
        if not line:
            previous = ""
            continue
        following = raws[number + 1] if number + 1 < len(raws) else ""
        if blocks and previous and _inline_token(blocks[-1], line, following):
            blocks[-1] = f"{blocks[-1]} {line}"
            previous = line
            continue
        if blocks and not previous and _quantity_goes_on(blocks[-1], line):
            blocks[-1] = f"{blocks[-1]} {line}"
        elif blocks and previous and _continues(blocks[-1], line):
            glue = "" if line[0] in _CLOSING or blocks[-1][-1] in _OPENING else " "
            blocks[-1] = blocks[-1] + glue + line
        elif blocks and previous and width and _wrapped(previous, line, width):
            blocks[-1] = f"{blocks[-1]} {line}"
        elif blocks and previous and _switches_script(blocks[-1], line):
            switched.setdefault(len(blocks) - 1, [blocks[-1]]).append(line)
            glue = "" if DENSE_SCRIPT.match(blocks[-1][-1]) and DENSE_SCRIPT.match(line[0]) else " "
            blocks[-1] = blocks[-1] + glue + line
        else:
            blocks.append(line)
        previous = line
    if not switched:
        return blocks
    # Menu entries in two scripts side by side are joined as readily as a sentence's
    # pieces, but hold no comma or stop: they are lines again.
    return [
        piece
        for number, block in enumerate(blocks)
        for piece in (
            switched[number]
            if number in switched and not _DENSE_PUNCTUATION.search(block)
            else [block]
        )
    ]


def _switches_script(block: str, line: str) -> bool:
    """Whether `line` goes on a sentence of a script written without spaces, which a scrape
    broke where an inline element of another script sits ("运行" / "tidesync init" /
    "命令" + a comma…): scripts without capitals give no other sign that a line goes on."""
    if ends_sentence(block) or block.endswith(("：", ":")):
        return False
    dense_before = bool(DENSE_SCRIPT.match(block[-1]))
    dense_after = bool(DENSE_SCRIPT.match(line[0]))
    if dense_before and dense_after:
        # A link inside a sentence ("请参阅" / "同步规则" / "一章。"), not the next entry
        # of a menu: the sentence so far already holds a comma or a stop.
        return bool(_DENSE_PUNCTUATION.search(block))
    if dense_before == dense_after:
        return False
    return dense_after or line[0].isalnum() or line[0] in "-$./~"


def _inline_token(block: str, line: str, following: str) -> bool:
    """Whether `line` is one word set apart by an inline element (a name in code, a linked
    word) inside a sentence: the sentence stops mid-way before it ("…pass a" /
    "RetryPolicy" / "instance to the…") and goes on after it, in lower case or with
    closing punctuation. Its capital alone would keep it a line of its own."""
    return (
        bool(following)
        and " " not in line
        and not ends_sentence(block)
        and _mid_sentence(block)
        and (following[0].islower() or following[0] in _CLOSING)
        and not DENSE_SCRIPT.match(block[-1])
        and not DENSE_SCRIPT.match(following[0])
    )


def _quantity_goes_on(block: str, line: str) -> bool:
    """Whether `line` is the rest of an amount that a scrape split at its inline elements,
    with blank lines between ("500" / "g" / "de harina de trigo", "1" / "cucharadita" /
    "de sal"): after a number, a word in lower case; after a number and its unit, words in
    lower case (not a site's name: "1" / "digg" / "example.org")."""
    if not line[0].islower():
        return False
    if _NUMBER.match(block):
        return True
    if not (_NUMBER_AND_UNIT.match(block) and block.split()[1].islower()):
        return False  # "3 Comments" is a heading
    return " " in line and "." not in line.split()[0]


_NUMBER = re.compile(r"^(?:\d+(?:[.,/]\d+)?|[½¼¾⅓⅔])$")
_NUMBER_AND_UNIT = re.compile(r"^(?:\d+(?:[.,/]\d+)?|[½¼¾⅓⅔]) [^\W\d_]{1,12}\.?$")


# Wrapped text: at least this many lines fill the last few characters before one width
# (from 60 to 100 characters) ...
_WRAPPED_MIN_LINES = 6
_WRAP_BAND = 12
_WRAP_WIDTHS = range(60, 101)
# ... and they are this share of the lines of their length or longer, up to that width
# (an article's paragraphs, a line each, are longer; a menu's lines, shorter).
_WRAPPED_SHARE = 0.5
_WRAP_CONSISTENT = 0.9
# Widths are read from the longest lines: a writer's wrap may leave a few characters more.
_WRAP_SLACK = 3
# Most words of a headline start in capitals; not half of any prose's do, German's included.
_TITLE_CASE_SHARE = 0.6
# A line that fits a line too, and starts a list item, a quotation or a signature, was
# broken on purpose.
_STARTS_ON_PURPOSE = re.compile(r"^(?:[-–—•*>|]|\d{1,2}[.)]\s|--$)")


def wrap_width(lines: Sequence[str]) -> int | None:
    """The width a text was wrapped at (None when it was not): most lines of at least
    that width less a few characters end within those few characters."""
    lengths = Counter(len(line) for line in lines if line)
    best, width = 0, None
    for candidate in _WRAP_WIDTHS:
        band = sum(lengths[n] for n in range(candidate - _WRAP_BAND + 1, candidate + 1))
        if band > best:
            best, width = band, candidate
    if width is None or best < _WRAPPED_MIN_LINES:
        return None
    longer = sum(count for n, count in lengths.items() if width - _WRAP_BAND < n)
    if best < _WRAPPED_SHARE * longer:
        return None
    # In wrapped text, the next line's first word never fits after a full line; after a
    # headline of about that length in a list of them, it often would have.
    full = [
        _no_room(line, following, width)
        for line, following in pairwise(lines)
        if line and following and width - _WRAP_BAND < len(line) <= width
    ]
    return width if sum(full) >= _WRAP_CONSISTENT * len(full) else None


def _no_room(line: str, following: str, width: int) -> bool:
    """Whether the first word of `following` would not have fitted after `line`."""
    return len(line) + 1 + len(following.split(" ", 1)[0]) > width - _WRAP_SLACK


def _wrapped(previous: str, line: str, width: int) -> bool:
    """Whether `previous` ended for want of room for `line`'s first word."""
    if not width - _WRAP_BAND < len(previous) <= width or _STARTS_ON_PURPOSE.match(line):
        return False
    if previous.endswith((":", "…", "...")):
        return False  # a list's introduction, a headline cut short
    words = previous.split()
    if sum(word[0].isupper() for word in words) > _TITLE_CASE_SHARE * len(words):
        return False  # a headline in a list of them, as long as it is
    return _no_room(previous, line, width)


_POSSESSIVE = ("'s", "’s")


def extracted_lines(text: str, links: frozenset[str]) -> list[str]:
    """The lines of an extractor's text, as the filters should see them: layout tables'
    cells unwrapped (`unwrap_layout_rows`), paragraphs broken at links mended
    (`mend_fragments`)."""
    return mend_fragments(unwrap_layout_rows(split_lines(text), links), links)


# trafilatura writes a table row as "| cell | cell |", with a "|" inside a cell as "\|"; a
# cell that holds several paragraphs spreads the row over several lines.
_CELL_BORDER = re.compile(r"(?<!\\)\|")


def unwrap_layout_rows(lines: list[str], links: frozenset[str] = frozenset()) -> list[str]:
    """An extractor's lines, with the rows of layout tables read as plain lines.

    Old pages lay out the whole page in tables: trafilatura writes each cell as a row of
    its own ("| © 2008 owned by … |", "| Top \\| Back \\| Print | | |"), which no filter
    knows for a footer or a menu. A row with one filled cell is that cell's text; a row
    with nothing in it goes; a row whose filled cells are mostly links' texts (sister
    papers, other headlines), with a cell that is itself a menu ("Home \\| About Us"), or
    whose cells all end a sentence (teasers side by side), is one line a cell; any other
    row of two or more filled cells is a data table and stays.
    """
    unwrapped: list[str] = []
    for line in lines:
        if not (line[0] == "|" or (line[-1] == "|" and not line.endswith("\\|"))):
            unwrapped.append(line)
            continue
        cells = [cell.strip() for cell in _CELL_BORDER.split(line)]
        filled = [cell for cell in cells if any(char.isalnum() for char in cell)]
        menu = any("\\|" in cell for cell in filled)  # a cell that is itself a "|" menu
        filled = [cell.replace("\\|", "|") for cell in filled]
        linked = sum(normalise(cell) in links for cell in filled)
        prose = bool(filled) and all(ends_sentence(cell) for cell in filled)
        if len(filled) == 1 or menu or prose or (filled and 2 * linked >= len(filled)):
            unwrapped.extend(filled)
        elif filled:
            unwrapped.append(line)
    return unwrapped


def mend_fragments(lines: list[str], links: frozenset[str]) -> list[str]:
    """An extractor's lines, with paragraphs that it broke at their links joined again.

    An extractor's lines are whole elements, except where it fell back to reading the page
    node by node: there a sentence breaks at every link ("…come to Google Desktop, as" /
    "announced" / "on the blog…"), and each piece looks like a menu entry to the filters.
    A piece goes on the line before it when that line stops mid-sentence (on a comma, a
    small word, or a new sentence's first word) or reads as running text, and the piece
    continues it (it starts in lower case or with closing punctuation); a link's text goes
    on only between two such pieces, and the piece after it then goes on too. Links in a
    row (a tag cloud, a menu), headings, bylines and captions stay lines.
    """
    mended: list[str] = []
    inside = False  # the line before was a link's text taken into a sentence
    for number, line in enumerate(lines):
        previous = mended[-1] if mended else ""
        is_link = normalise(line) in links
        if not previous or ends_sentence(previous):
            goes_on = False
        elif is_link:
            following = lines[number + 1] if number + 1 < len(lines) else ""
            goes_on = (
                _mid_sentence(previous)
                and bool(following)
                and normalise(following) not in links
                and _goes_on_sentence(following, after_link=True)
            )
        else:
            running = inside or _mid_sentence(previous) or _prose(previous)
            goes_on = line[0] in _CLOSING or (_goes_on_sentence(line, inside) and running)
        if goes_on:
            glue = "" if line[0] in _CLOSING or previous[-1] in _OPENING else " "
            mended[-1] = previous + glue + line
        else:
            mended.append(line)
        inside = goes_on and is_link
    return mended


def _goes_on_sentence(line: str, after_link: bool = False) -> bool:
    """Whether a line starts as the rest of a sentence: in lower case or with closing
    punctuation, or, right after a link, with a parenthesis ("EGM" / "(via 1up) stokes…");
    elsewhere a parenthesis opens a caption's credit or a wire's "(AP)" as often."""
    return line[0].islower() or line[0] in _CLOSING or (after_link and line[0] == "(")


def _prose(line: str) -> bool:
    """Whether a line reads as running text, not as a heading or a label: most of its
    words (three or more) begin in lower case ("…their Kickstarter", not "Tags")."""
    words = line.split()
    return len(words) >= 3 and 2 * sum(word[0].islower() for word in words) > len(words)


def _mid_sentence(line: str) -> bool:
    """Whether a line stops inside a sentence: on a comma, a small word, or the first word
    of a new sentence ("…fits in with the", "…gadgets. Please")."""
    if line[-1] == ",":
        return True
    before, _, last = line.rpartition(" ")
    return last.islower() or (bool(before) and ends_sentence(before))


def _continues(previous: str, line: str) -> bool:
    if line[0].islower() or line[0] in _CLOSING or previous[-1] in _OPENING:
        return True
    # "Japan's" + "Nikkei 225" + "(N225) declined…": a possessive, or a parenthesis opening
    # after an unfinished sentence, goes on the same sentence.
    unfinished = not ends_sentence(previous)
    return unfinished and (previous.endswith(_POSSESSIVE) or line[0] == "(")


# Every filter asks these of the same lines; remembering the answers for recent lines (a
# read-only memo of pure functions) halves the time of the text filters.
_MEMO_LINES = 8192


@lru_cache(maxsize=_MEMO_LINES)
def normalise(line: str) -> str:
    """Comparison key: case, spacing and edge punctuation do not make two lines differ.

    The ends are cut as `_EDGE_PUNCT` would cut them, without trying that pattern at every
    position of the line: the characters it keeps at the ends are those `isalnum` accepts.
    """
    key = _SPACE_TO_MEND.sub(" ", line).casefold()
    leading = _LEADING_PUNCT.match(key)
    start, end = leading.end() if leading else 0, len(key)
    while end > start and not key[end - 1].isalnum():
        end -= 1
    return key[start:end]


@lru_cache(maxsize=_MEMO_LINES)
def word_count(line: str) -> int:
    return len(WORD.findall(line))


# Characters of a script written without spaces that make about one word of a spaced one.
_DENSE_CHARS_A_WORD = 2.5


def prose_words(line: str) -> float:
    """Words in a line, a Chinese or Japanese sentence's characters counted as words are
    (it has no spaces to count: a paragraph of it is one "word", a code line several)."""
    dense = len(DENSE_SCRIPT.findall(line))
    return len(line.split()) + dense / _DENSE_CHARS_A_WORD


def words_of(text: str) -> list[str]:
    """The text's words, case-folded (what word_count counts)."""
    return WORD.findall(text.lower())


def word_trigrams(words: Sequence[str]) -> list[tuple[str, str, str]]:
    """Each run of three words, in order: what two texts' shared wording is compared by,
    whatever their line breaks and spacing."""
    return list(zip(words, words[1:], words[2:], strict=False))


# Full stops and marks of the scripts cleaner meets: Latin, Chinese and Japanese, Arabic,
# the danda of Hindi and Bengali, and Urdu's, Armenian's, Ethiopic's and Burmese stops.
_SENTENCE_STOPS = (".", "!", "?", "…", "。", "！", "？", "؟", "।", "॥", "۔", "։", "።", "။")


def ends_sentence(line: str) -> bool:
    return line.rstrip("\"'”’»)]").endswith(_SENTENCE_STOPS)


# --- line classifiers -------------------------------------------------------------------


def per_line(rule: str, is_clutter: Callable[[str], bool]) -> LineFilter:
    """A filter that judges each line on its own."""

    def line_filter(lines: Sequence[str]) -> Iterator[Claim]:
        for index, line in enumerate(lines):
            if is_clutter(line):
                yield index, rule

    line_filter.__name__ = line_filter.__qualname__ = f"{rule}_lines"
    return line_filter
