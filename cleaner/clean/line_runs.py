"""Runs of lines that say what they are by their shape, in text with no markup left.

A list of other stories is headline, teaser, headline, teaser; a list the article itself
gives follows a line ending in a colon; a thread of comments is records alike (a label, a
name and a time), one after another. The block classifier (cleaner.clean.blocks) scores
each kind for or against the article.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from itertools import pairwise, takewhile

from cleaner.clean.text import ends_sentence, normalise, word_count, words_of

# A list the article introduces ("Here is what changed:") is the article's: its items are
# short, but must not cut it in two. Items start with a bullet or a number.
_LIST_ITEM = re.compile(r"^(?:[-–—•*·▪►✓]|\d{1,2}[.)])\s+\S")
_LIST_MIN_ITEMS = 2


def introduced_lists(lines: Sequence[str], claimed: Mapping[int, str]) -> set[int]:
    """Bulleted or numbered lists that follow a line ending in a colon, with that line."""
    found: set[int] = set()
    index = 0
    while index < len(lines):
        if index in claimed or not lines[index].rstrip().endswith((":", "：")):
            index += 1
            continue
        run = []
        following = index + 1
        while following < len(lines) and following not in claimed:
            if not _LIST_ITEM.match(lines[following]):
                break
            run.append(following)
            following += 1
        if len(run) >= _LIST_MIN_ITEMS:
            found.update([index, *run])
        index = following
    return found


_HEADLINE_MAX_WORDS = 20
_TEASER_WORDS = (8, 60)
_TEASER_MIN_ITEMS = 4
_HEADLINES_PER_ITEM = 2


def teaser_runs(lines: Sequence[str], claimed: Mapping[int, str]) -> set[int]:
    """Lines in a list of other articles: headline, teaser, headline, teaser…

    An article's subheading is followed by paragraphs; a list gives every headline one
    short teaser, at least three times in a row.
    """
    open_lines = [i for i in range(len(lines)) if i not in claimed]
    found: set[int] = set()
    items: list[list[int]] = []
    current: list[int] = []

    def close_run() -> None:
        if len(items) >= _TEASER_MIN_ITEMS and not _ranked(lines[item[0]] for item in items):
            found.update(i for item in items for i in item)
        items.clear()

    for index in open_lines:
        line = lines[index]
        words = word_count(line)
        if not _starts_item(line):
            close_run()
            current = []
        elif words <= _HEADLINE_MAX_WORDS and not ends_sentence(line) and line[-1] != ":":
            if len(current) >= _HEADLINES_PER_ITEM:
                close_run()
                current = []
            current.append(index)
        elif current and _TEASER_WORDS[0] <= words <= _TEASER_WORDS[1]:
            items.append([*current, index])
            current = []
        else:
            close_run()
            current = []
    close_run()
    return found


_RANK = re.compile(r"^\s*#?(\d{1,3})[.):]\s")


def _ranked(headlines: Iterator[str]) -> bool:
    """Whether the headlines are numbered 1, 2, 3… in order: an article's own ranking (the
    best and worst of the year, ten tips), each entry with its paragraph, not other stories."""
    numbers = []
    for headline in headlines:
        match = _RANK.match(headline)
        if match is None:
            return False
        numbers.append(int(match.group(1)))
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _starts_item(line: str) -> bool:
    """Headlines and teasers start as sentences do; fragments of a broken sentence do not."""
    first = line[0]
    return first.isupper() or first.isdigit() or first in "\"“‘«'"


# A record's header: a short line without figures (and no parenthesis, as a citation's
# "(Source:" is; a dash alone introduces an embedded post's author) that recurs, the
# poster's label, "[Reply]", "Quote", with a short line holding a time of day or a date
# right after it.
_RECORD_MARKER_MAX_WORDS = 4
_RECORDS_MIN = 3
_STAMP = re.compile(
    r"\b\d{1,2}:\d{2}\b|\b(19|20)\d{2}\b|\b\d+ (minutes?|hours?|days?|weeks?) ago\b", re.IGNORECASE
)
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
# The line with the date or time is a header's too: the poster's name and when, not prose.
_STAMP_LINE_MAX_WORDS = 12
# The article before a thread of records: enough prose that the records follow an article
# (comments) rather than make up the page (a forum thread, whose posts are the content).
_ARTICLE_BEFORE_RECORDS_WORDS = 150
# A record that holds a post: at least this many words between its header and the next,
# and most records hold one.
_POST_MIN_WORDS = 15
_POSTS_SHARE = 0.5
_TEMPLATE_MIN_LABELS = 3
# A line of this many words is a paragraph, not a label, a name or a menu.
_PROSE_LINE_WORDS = 12


def thread_start(lines: Sequence[str], start: int, end: int) -> int:
    """Where a thread of comments begins inside the stretch [start, end) of a text with no
    markup left (`end` when none does): at the first of several headers alike, each with a
    date or time beside it, that follow an article of their own."""
    found = record_headers(lines, start, end)
    if not found:
        return end
    before = sum(word_count(lines[index]) for index in range(start, found[0]))
    return found[0] if before >= _ARTICLE_BEFORE_RECORDS_WORDS else end


def thread_of_posts(
    lines: Sequence[str], scores: Sequence[float], best: tuple[int, int]
) -> tuple[int, int] | None:
    """The stretch from a thread's first record to its last, when the best stretch is one
    post of a thread that makes up the page (a forum, a mailing-list digest), else None.

    Each post's header (a name, a join date, a post count, "Quote") is a run of short lines
    that outweighs a short post, so the best stretch is one post. When no article comes
    before the records, the posts are the content: all of them, through the last one (as
    far as its text scores), from the first record's first line that scores for it.
    """
    start, end = best
    found = record_headers(lines, 0, len(lines))
    if not found or end <= found[0] or start > found[-1]:
        return None
    # Posts say something: headers in a row with nothing between them (an archive's list
    # of dated entries) or one article and a few teasers by its author are no thread.
    bounds = [*found, len(lines)]
    posts = sum(
        1
        for first, after in pairwise(bounds)
        if sum(word_count(lines[index]) for index in range(first + 1, after)) >= _POST_MIN_WORDS
    )
    if posts < _RECORDS_MIN or posts < _POSTS_SHARE * len(found):
        return None
    # Posts are stamped with the time they were sent; teasers of other articles are dated.
    timed = sum(
        1 for header in found if any(_TIME.search(line) for line in lines[header : header + 4])
    )
    if timed < _POSTS_SHARE * len(found):
        return None
    # A forum's records share a template: several short labels ("Posts:", "Joined:",
    # "Quote", "Back to top") recur in each. A name or a date heading a few of an author's
    # teasers is one recurring line, not a template.
    labels = Counter(
        normalise(line)
        for line in lines[found[0] : found[-1] + 1]
        if word_count(line) <= _RECORD_MARKER_MAX_WORDS
        and any(ch.isalpha() for ch in line)
        and not any(ch.isdigit() for ch in line)
    )
    if sum(count >= _RECORDS_MIN for count in labels.values()) < _TEMPLATE_MIN_LABELS:
        return None
    # A forum's first record is its first prose: any paragraph above it (below the first
    # line, a scrape's browser title) is an article, however short, and the records under
    # it are comments.
    if any(word_count(line) >= _PROSE_LINE_WORDS for line in lines[1 : found[0]]):
        return None
    total, peak, last = 0.0, 0.0, max(end, found[-1] + 1)
    for index in range(found[-1], len(scores)):
        total += scores[index]
        if total > peak:
            peak, last = total, max(last, index + 1)
    first = next((index for index in range(found[0], start) if scores[index] > 0), start)
    return first, last


def record_headers(lines: Sequence[str], start: int, end: int) -> list[int]:
    """Where the records of a thread start in [start, end) (empty when there is none): the
    lines of the first of several headers alike, each with a date or time beside it.

    A header is a short label line with the stamp on a line of its own just after it, or a
    signature that holds both ("Posted by: Ellen at September 10, 2012 11:40 AM"), under
    each comment or above it. Signatures count only when they name different posters: one
    author's stamped entries are a live report, not a thread.
    """
    headers: dict[str, list[int]] = {}
    signers: dict[str, set[str]] = {}
    for index in range(start, end):
        line = lines[index]
        if signature := _signature(line):
            label, signer = signature
            headers.setdefault(label, []).append(index)
            signers.setdefault(label, set()).add(signer)
            continue
        if (
            word_count(line) > _RECORD_MARKER_MAX_WORDS
            or line.startswith("(")
            or line.strip("—–- ") == ""
            or any(ch.isdigit() for ch in line)
        ):
            continue
        stamped = any(
            word_count(lines[near]) <= _STAMP_LINE_MAX_WORDS and _STAMP.search(lines[near])
            for near in range(index + 1, min(index + 3, end))
        )
        if stamped:
            headers.setdefault(normalise(line), []).append(index)
    qualifying = [
        found
        for label, found in headers.items()
        if len(found) >= _RECORDS_MIN and (label not in signers or len(signers[label]) > 1)
    ]
    return min(qualifying, key=lambda found: found[0], default=[])


# A signature's label: its first words, up to this many, before the poster's name.
_SIGNATURE_LABEL_WORDS = 2


def _signature(line: str) -> tuple[str, str] | None:
    """A comment's signature line, as its label and the poster's name (None for any other
    line): a short line with a date or time, whose first words hold no figures and are
    followed by at least one more before the stamp."""
    if word_count(line) > _STAMP_LINE_MAX_WORDS or line.startswith("("):
        return None
    stamp = _STAMP.search(line)
    if stamp is None:
        return None
    words = words_of(line[: stamp.start()])
    label = words[:_SIGNATURE_LABEL_WORDS]
    signer = list(takewhile(str.isalpha, words[_SIGNATURE_LABEL_WORDS:]))
    if len(label) < _SIGNATURE_LABEL_WORDS or not signer or any(w.isdigit() for w in label):
        return None
    return "signed: " + " ".join(label), " ".join(signer)


# A run of this many headlines in a row, each a few words that start like a title and end
# without a full stop, is a list of other stories: an article's subheadings each have
# paragraphs under them, and the items of its own lists do not read as headlines (a
# schedule or table a row a line has figures in most rows).
_HEADLINE_RUN_MIN = 6
_HEADLINE_WORDS = (3, 15)


def headline_runs(lines: Sequence[str], claimed: Mapping[int, str]) -> set[int]:
    """Lines in runs of headlines with nothing between them."""
    found: set[int] = set()
    run: list[int] = []
    for index in [*range(len(lines)), len(lines)]:
        line = lines[index] if index < len(lines) else ""
        headline = (
            index not in claimed
            and _HEADLINE_WORDS[0] <= word_count(line) <= _HEADLINE_WORDS[1]
            and line[:1].isupper()
            and not ends_sentence(line)
            and not line.rstrip().endswith(":")
        )
        if headline:
            run.append(index)
            continue
        if len(run) >= _HEADLINE_RUN_MIN and not _mostly_figures(lines[i] for i in run):
            found.update(run)
        run = []
    return found


def _mostly_figures(lines: Iterator[str]) -> bool:
    """Whether most lines hold figures: a table or schedule printed a row a line (tour
    dates, results, prices), which is the article's data, not headlines."""
    flags = [any(ch.isdigit() for ch in line) for line in lines]
    return sum(flags) * 2 >= len(flags)


# A post's card in a forum thread: "Posts: 4318", "Joined: Mar 12, 2015", "Location: …",
# the same labels under every post with other values.
_FIELD = re.compile(
    r"^(?:[-–•*·]\s*)?(?P<label>[^\W\d_][^:：]{0,24}?)\s*[:：]\s*(?P<value>\S.{0,40})$"
)
_FIELD_LABEL_MAX_WORDS = 3
# Labels that come back under this many posts, and at least this many of them.
_CARD_LABEL_MIN_POSTS = 2
_CARD_MIN_LABELS = 2


def profile_fields(lines: Sequence[str]) -> Iterator[tuple[int, str]]:
    """The lines of the cards a thread prints under each poster's name: two or more short
    labelled values (a member's post count, join date, place), never sentences, whose
    labels recur under other posts, one of them always a number. One label recurring
    ("Photo: …" under two pictures) is no card."""
    fields: dict[int, str] = {}
    counted: dict[str, bool] = {}  # label -> whether all its values hold a number
    for index, line in enumerate(lines):
        match = _FIELD.match(line.strip())
        if match is None or ends_sentence(match["value"]):
            continue
        label = normalise(match["label"])
        if label and word_count(label) <= _FIELD_LABEL_MAX_WORDS:
            fields[index] = label
            number = any(char.isdigit() for char in match["value"])
            counted[label] = counted.get(label, True) and number
    counts = Counter(fields.values())
    card = {label for label, count in counts.items() if count >= _CARD_LABEL_MIN_POSTS}
    # A member's card counts something (posts, a join date); an article's list of people
    # or products labels words ("Role: …", "Roots: …").
    if len(card) < _CARD_MIN_LABELS or not any(counted[label] for label in card):
        return
    for index, label in fields.items():
        if label in card:
            yield index, "user-info"
