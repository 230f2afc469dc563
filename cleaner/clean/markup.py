"""Hostile markup made parseable: giant pages slimmed, absurd nesting flattened.

libxml2 builds about 100 bytes of tree per byte of markup, so a 25 MB page costs gigabytes
unless the bulk that never holds article text (scripts, styles, inline SVG and images) goes
first. And it stops building the tree at a nesting depth of 256, silently dropping the rest
of a page that nests deeper (a broken template, or a page built to break parsers).
"""

from __future__ import annotations

import re

# Pages above this size are slimmed before parsing; smaller ones go to the parser as they are.
SLIM_ABOVE_CHARS = 1_000_000
# Deeper than libxml2's default limit (256) is lost; flattening keeps well under it.
MAX_DEPTH = 200

_BULK = re.compile(
    r"<script\b(?![^>]*ld\+json)[^>]*>.*?</script\s*>"
    r"|<style\b[^>]*>.*?</style\s*>"
    r"|<svg\b[^>]*>.*?</svg\s*>"
    r"|<template\b[^>]*>.*?</template\s*>"
    r"|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)
_DATA_URI = re.compile(r"""(\s(?:src|href|srcset|poster)\s*=\s*)(["'])data:[^"']*\2""", re.I)
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)[^>]*>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def slim_markup(html: str) -> str:
    """The page without scripts (JSON-LD metadata kept), styles, SVG, templates, comments
    and inline data URIs: what cleaning never reads, and most of a giant page's weight."""
    return _DATA_URI.sub(r"\1\2\2", _BULK.sub("", html))


def tag_count(html: str) -> int:
    """About how many elements the markup opens (end tags and `<!` declarations aside)."""
    return html.count("<") - html.count("</") - html.count("<!")


def flatten_deep_markup(html: str, max_depth: int = MAX_DEPTH) -> str:
    """Drop start and end tags nested deeper than `max_depth`, keeping all the text.

    Depth is counted from the tags as written, so it is approximate on tag soup; it only
    runs on pages that the parser has already truncated.
    """
    depth = 0

    def keep_shallow(match: re.Match[str]) -> str:
        nonlocal depth
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID or match.group(0).endswith("/>"):
            return match.group(0)
        if closing:
            depth = max(depth - 1, 0)
            return match.group(0) if depth < max_depth else ""
        depth += 1
        return match.group(0) if depth <= max_depth else ""

    return _TAG.sub(keep_shallow, html)
