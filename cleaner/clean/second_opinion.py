"""A second extractor for pages where trafilatura's fast mode found next to nothing.

Fast mode picks one container; on some layouts (tables, an event box or a section menu
above the article, markup damaged so the body looks empty) that container is the wrong one,
and the output is a few words of a long page. readability-lxml is built differently (it
scores paragraphs' parents by text and commas), and is right on many of those pages. It
costs about twice trafilatura's fast mode, so it is asked only when the first answer is
tiny next to the page, and kept only when, cleaned the same way, it says much more.
"""

from __future__ import annotations

import logging

from lxml import etree, html
from lxml.html import HtmlElement

# Elements after which text goes on a new line (so words of two blocks are not glued).
_BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 "
    "h6 header hr li main nav ol p pre section table td th tr ul".split()
)
# The first answer is doubted when it holds under this share of the page's words...
DOUBT_BELOW_SHARE = 0.1
# ... and the second is taken when it holds this many times the first's words.
TAKE_ABOVE_RATIO = 10


def needs_second_opinion(words_out: int, tree: HtmlElement) -> bool:
    """Whether an output of `words_out` words is tiny next to the page's own text."""
    body = tree.find("body")
    page_words = len((body if body is not None else tree).text_content().split())
    return words_out < DOUBT_BELOW_SHARE * page_words


def readability_text(page_html: str) -> str:
    """readability-lxml's article, one block a line ("" when it finds none or fails)."""
    try:
        from readability import Document as Readable
    except ImportError:  # an install without it: no second opinion
        return ""
    logging.getLogger("readability.readability").setLevel(logging.CRITICAL)
    try:
        return html_to_text(Readable(page_html).summary(html_partial=True))
    except (ValueError, TypeError, etree.LxmlError, RecursionError, AttributeError):
        return ""


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
