"""HTML to text with trafilatura, after the site's own stripping."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.utils import HTML_PARSER, is_dubious_html, repair_faulty_html

from cleaner.clean.markup import (
    MAX_DEPTH,
    SLIM_ABOVE_CHARS,
    flatten_deep_markup,
    mend_head,
    slim_markup,
    tag_count,
)
from cleaner.clean.text import collapse_spaces, normalise


class ExtractionError(ValueError):
    """The page has no main text that trafilatura can find."""


@dataclass(frozen=True)
class Page:
    """A page parsed once: its tree (left intact), its links' texts and its metadata.

    The metadata URL comes before extraction, so the site's rules can be chosen from it.
    """

    tree: HtmlElement
    links: frozenset[str]
    meta: Metadata


# Markup left after slimming above which a page is refused: parsing costs about 100 bytes of
# memory per character, and no article page comes near this without scripts and styles.
MAX_MARKUP_CHARS = 5_000_000


def parse_page(html: str, url: str | None = None, max_chars: int = MAX_MARKUP_CHARS) -> Page:
    """Parse a page and read what cleaning needs of it besides the main text.

    Giant pages are slimmed first, and pages nested deeper than the parser goes are
    flattened, so neither costs gigabytes nor loses its article (see cleaner.clean.markup).

    Raises:
        ExtractionError: when there is no HTML tree, or too much markup to parse.
    """
    if not html.strip():
        raise ExtractionError("empty page")
    if len(html) > SLIM_ABOVE_CHARS:
        html = slim_markup(html)
    if len(html) > max_chars:
        raise ExtractionError(
            f"HTML too large to parse ({len(html) / 1e6:.1f}M characters without scripts "
            f"and styles; limit {max_chars / 1e6:.1f}M)"
        )
    html = mend_head(html)
    tree = _load(html)
    if _stopped_early(html, tree):
        # The parser stopped early: nesting past its depth limit, or scripts full of '<'.
        flat = flatten_deep_markup(slim_markup(html))
        if flat != html:
            tree = _load(flat)
    return Page(tree, link_texts(tree), page_metadata(tree, url))


def _stopped_early(html: str, tree: HtmlElement) -> bool:
    """Whether the tree holds under a quarter of the elements the markup opens (on a page
    that opens more than a few hundred).

    Every "<" opens at most one element: only when even their count says the tree is short
    are the end tags and declarations counted out (three passes over the page, not one).
    """
    bound = html.count("<")
    if bound <= 2 * MAX_DEPTH:
        return False
    elements = int(tree.xpath("count(//*)"))
    if elements >= bound // 4:
        return False
    opens = tag_count(html)
    return opens > 2 * MAX_DEPTH and elements < opens // 4


# A page that trafilatura finds dubious (no `html` in its first 50 characters, a tree of
# one element) is still taken for HTML when it holds the elements of a page's body: its
# head was cut off. Text with a stray "<" is still refused.
_BODY_MARKUP = re.compile(r"<(?:body|div|p|article|main|section|table|td|br)\b", re.IGNORECASE)


def _load(html: str) -> HtmlElement:
    try:
        tree = load_html(html)
        if tree is None and _BODY_MARKUP.search(html):
            tree = load_html(f"<html>{html}</html>")
    except (ValueError, TypeError, AssertionError, RecursionError) as error:
        raise ExtractionError(f"unparseable HTML ({type(error).__name__})") from None
    if tree is None:
        raise ExtractionError("no main text found in HTML")
    return tree


def main_text(
    page: Page, prune_xpath: tuple[str, ...] = (), options: Mapping[str, bool] | None = None
) -> str:
    """The article body, one paragraph a line; comments are never included.

    trafilatura works on a copy of the tree, so the page stays as parsed.

    Raises:
        ExtractionError: when there is no main text.
    """
    try:
        result = trafilatura.bare_extraction(
            page.tree,
            url=page.meta.url,
            include_comments=False,
            fast=True,
            with_metadata=False,
            prune_xpath=list(prune_xpath) or None,
            **_options(options),
        )
    except (ValueError, TypeError, AssertionError, RecursionError) as error:
        raise ExtractionError(f"unparseable HTML ({type(error).__name__})") from None
    text = "" if result is None or isinstance(result, dict) else result.text or ""
    if not any(ch.isalnum() for ch in text):
        raise ExtractionError("no main text found in HTML")
    return text


def extract_html(
    html: str,
    url: str | None = None,
    prune_xpath: tuple[str, ...] = (),
    options: Mapping[str, bool] | None = None,
) -> tuple[Page, str]:
    """Parse a page and extract its main text in one call."""
    page = parse_page(html, url)
    return page, main_text(page, prune_xpath, options)


@lru_cache(maxsize=1)
def html_parser() -> HTMLParser:
    """trafilatura's HTML parser, with the element classes chosen in C (read-only once made).

    lxml.html picks each element's Python class by calling a Python method every time an
    element is touched from Python, which trafilatura, the second extractor and the filters
    do millions of times a batch: a twentieth of the cleaning time. Here every element is a
    plain HtmlElement (lxml.html's form-field classes add only form APIs, which nothing in
    cleaning uses), so the tree and everything read from it are the same.
    """
    parser = HTML_PARSER.copy()
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


def load_html(html: str) -> HtmlElement | None:
    """The page's tree as trafilatura's `load_html` makes it from a string, parsed with
    `html_parser` (trafilatura's steps, in its order: repairs, a second try from bytes,
    and a dubious page of fewer than two elements refused)."""
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    html = repair_faulty_html(html, beginning)
    tree: HtmlElement | None = None
    from_bytes = False
    try:
        tree = fromstring(html, parser=html_parser())
    except ValueError:  # a string with an encoding declaration: parsed as bytes
        tree, from_bytes = _from_bytes(html), True
    except Exception:  # trafilatura logs and goes on; so does this
        tree = None
    if (tree is None or len(tree) < 1) and not from_bytes:
        tree = _from_bytes(html)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree


def _from_bytes(html: str) -> HtmlElement | None:
    try:
        tree: HtmlElement = fromstring(html.encode("utf8", "surrogatepass"), parser=html_parser())
    except Exception:  # as trafilatura: an unparseable page has no tree
        return None
    return tree


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    date: str | None = None
    url: str | None = None
    sitename: str | None = None


_HOST_NAME = re.compile(r"https?://(?:www\.)?([^/]+)")


def page_metadata(tree: HtmlElement, url: str | None = None) -> Metadata:
    """Title, date, URL and site name, the way trafilatura finds them, and only those.

    trafilatura's own metadata pass also looks for authors, categories, tags and licences,
    and searches dates extensively: 12 ms a page on the ScrapingHub set, against 2 ms for
    these four fields, with the same dates and titles there.
    """
    found = examine_meta(tree)
    # trafilatura's JSON-LD reader fails on odd markup; the meta tags still count then.
    with contextlib.suppress(Exception):
        found = extract_meta_json(tree, found)
    title = found.title or extract_title(tree)
    page_url = found.url or extract_url(tree, url) or url
    try:
        date = find_date(tree, url=page_url, original_date=True, extensive_search=False)
    except (ValueError, TypeError):
        date = None
    sitename = found.sitename or extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
        if sitename and "." not in sitename and not sitename[0].isupper():
            sitename = sitename.title()
    elif page_url and (host := _HOST_NAME.match(page_url)):
        sitename = host[1]
    return Metadata(_tidy(title), date or None, page_url or None, _tidy(sitename))


def _tidy(value: str | None) -> str | None:
    return collapse_spaces(value) or None if value else None


def link_texts(tree: HtmlElement) -> frozenset[str]:
    """The normalised text of every link on the page to somewhere else.

    A table of contents links to the page's own headings ("#first-steps"): its entries
    are the headings' words, and a heading is no menu entry. Links to an element of the
    page itself are left out (a bare "#" is a script's button, and stays in).

    A link without child elements (most of them) has its own text as its only piece, read
    directly: walking its text costs more than the rest of the work.
    """
    texts = []
    for anchor in tree.iter("a"):
        href = anchor.get("href") or ""
        if href.startswith("#") and len(href) > 1 and _HAS_ID(tree, target=href[1:]):
            continue
        texts.append(normalise(" ".join(anchor.itertext()) if len(anchor) else anchor.text or ""))
    return frozenset(text for text in texts if text)


# The parser indexes elements by id: a lookup, not a walk over the page.
_HAS_ID = etree.XPath("boolean(id($target))")


def _options(options: Mapping[str, bool] | None) -> dict[str, Any]:
    """The site's trafilatura switches (the rule loader allows only boolean ones)."""
    return dict(options or {})
