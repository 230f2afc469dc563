"""HTML to text with trafilatura, after the site's own stripping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from cleaner.filters import normalise


@dataclass(frozen=True)
class Extracted:
    """The main text of a page (one paragraph a line) and its metadata."""

    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    sitename: str | None = None
    links: frozenset[str] = frozenset()
    # The page as parsed (trafilatura worked on a copy), for what extraction missed.
    tree: HtmlElement | None = None


class ExtractionError(ValueError):
    """The page has no main text that trafilatura can find."""


def extract_html(
    html: str,
    url: str | None = None,
    prune_xpath: tuple[str, ...] = (),
    options: Mapping[str, bool] | None = None,
) -> Extracted:
    """Extract the article body; comments are never included.

    Raises:
        ExtractionError: when there is no HTML tree or no main text in it.
    """
    if not html.strip():
        raise ExtractionError("empty page")
    try:
        tree = load_html(html)
        if tree is None:
            raise ExtractionError("no main text found in HTML")
        links = link_texts(tree)
        result = trafilatura.bare_extraction(
            tree,
            url=url,
            include_comments=False,
            fast=True,
            with_metadata=True,
            prune_xpath=list(prune_xpath) or None,
            **_options(options),
        )
    except (ValueError, TypeError, AssertionError, RecursionError) as error:
        raise ExtractionError(f"unparseable HTML ({type(error).__name__})") from None
    text = "" if result is None or isinstance(result, dict) else result.text or ""
    if result is None or isinstance(result, dict) or not any(ch.isalnum() for ch in text):
        raise ExtractionError("no main text found in HTML")
    return Extracted(
        text=text,
        title=result.title or None,
        date=result.date or None,
        url=result.url or url,
        sitename=result.sitename or None,
        links=links,
        tree=tree,
    )


def link_texts(tree: HtmlElement) -> frozenset[str]:
    """The normalised text of every link on the page."""
    texts = (normalise(" ".join(anchor.itertext())) for anchor in tree.iter("a"))
    return frozenset(text for text in texts if text)


def _options(options: Mapping[str, bool] | None) -> dict[str, Any]:
    """The site's trafilatura switches (the rule loader allows only boolean ones)."""
    return dict(options or {})
