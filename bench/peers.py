"""The systems bench/quality.py runs, each a function (html, naive text) -> text.

HTML mode: cleaner and its peers (trafilatura in three settings, readability-lxml, Resiliparse,
jusText, boilerpy3). Text mode: the page's naive text, and `cleaner.clean_text` on it.

The peers come with the `bench` extra (`pip install -e '.[bench]'`); each is imported when it
first runs, so the module (and `bench.naive.naive_text`, which the tests use) loads without
them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import cleaner


@dataclass(frozen=True)
class Output:
    """A system's text, and what else it tells about the page (saved with --save)."""

    text: str
    extra: dict[str, Any] = field(default_factory=dict)


System = Callable[[str, str], "str | Output"]


def _cleaned(doc: cleaner.Document) -> Output:
    removed = [[removal.rule, removal.text] for removal in doc.removed]
    return Output(doc.text, {"status": doc.status, "reason": doc.reason, "removed": removed})


def cleaner_html(html: str, _text: str) -> Output:
    return _cleaned(cleaner.clean_html(html))


def _trafilatura(html: str, **options: Any) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, **options) or ""


def trafilatura_default(html: str, _text: str) -> str:
    return _trafilatura(html)


def trafilatura_fast(html: str, _text: str) -> str:
    return _trafilatura(html, fast=True)


def trafilatura_precision(html: str, _text: str) -> str:
    return _trafilatura(html, favor_precision=True)


def trafilatura_recall(html: str, _text: str) -> str:
    return _trafilatura(html, favor_recall=True)


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment, a line for each block element (as cleaner reads
    readability's answer)."""
    from cleaner.clean.second_opinion import html_to_text as to_text

    return to_text(fragment)


def readability(html: str, _text: str) -> str:
    from readability import Document

    return html_to_text(Document(html).summary(html_partial=True))


def resiliparse(html: str, _text: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return str(extract_plain_text(HTMLTree.parse(html), main_content=True))


# Lines this long are prose, and say most about the page's language.
_PROSE_WORDS = 8
_LANG_SAMPLE_CHARS = 3000


def page_language(text: str) -> str | None:
    """langdetect's code for the page's prose (seeded, so runs agree), None when unsure."""
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    lines = [line for line in text.splitlines() if len(line.split()) >= _PROSE_WORDS]
    sample = "\n".join(lines or text.splitlines())[:_LANG_SAMPLE_CHARS]
    try:
        return str(detect(sample))
    except LangDetectException:
        return None


@cache
def _stoplist(name: str | None) -> frozenset[str]:
    import justext

    return frozenset(justext.get_stoplist(name)) if name else frozenset()


def justext_paragraphs(html: str, text: str) -> str:
    """jusText's non-boilerplate paragraphs, with the stoplist of the page's language; with
    no stoplist for it, jusText's language-independent mode (no stopword thresholds)."""
    import justext

    from cleaner.clean.block_kinds import STOPLIST_NAMES

    stoplist = _stoplist(STOPLIST_NAMES.get(page_language(text) or ""))
    options = {} if stoplist else {"stopwords_low": 0.0, "stopwords_high": 0.0}
    paragraphs = justext.justext(html, stoplist, **options)
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def boilerpy3(html: str, _text: str) -> str:
    """ArticleExtractor's text; it recovers from markup its parser chokes on (what it says
    about that, a traceback a page, is not shown)."""
    import logging

    from boilerpy3 import extractors

    logging.getLogger("boilerpy3").setLevel(logging.CRITICAL)

    return str(extractors.ArticleExtractor(raise_on_failure=False).get_content(html))


def naive(_html: str, text: str) -> str:
    return text


def cleaner_text(_html: str, text: str) -> Output:
    return _cleaned(cleaner.clean_text(text))


# Name -> (mode, function). The order is the tables' order.
HTML_SYSTEMS: dict[str, System] = {
    "cleaner": cleaner_html,
    "trafilatura": trafilatura_default,
    "trafilatura-fast": trafilatura_fast,
    "trafilatura-precision": trafilatura_precision,
    "readability": readability,
    "resiliparse": resiliparse,
    "justext": justext_paragraphs,
    "boilerpy3": boilerpy3,
}
TEXT_SYSTEMS: dict[str, System] = {
    "naive-text": naive,
    "cleaner-text": cleaner_text,
}
# Run only when asked for with --systems (headroom studies), and not counted as peers.
EXTRA_SYSTEMS: dict[str, System] = {
    "trafilatura-recall": trafilatura_recall,
}
ALL_SYSTEMS: dict[str, System] = {**HTML_SYSTEMS, **TEXT_SYSTEMS, **EXTRA_SYSTEMS}
MODES = {
    **dict.fromkeys(HTML_SYSTEMS, "html"),
    **dict.fromkeys(TEXT_SYSTEMS, "text"),
    **dict.fromkeys(EXTRA_SYSTEMS, "html"),
}
# The systems that read the page's naive text (the others are not given it).
NEEDS_TEXT = frozenset({"justext", *TEXT_SYSTEMS})
CLEANER = "cleaner"
# The HTML systems cleaner is compared with page by page (worst pages, oracle).
PEERS = tuple(name for name in HTML_SYSTEMS if name != CLEANER)
