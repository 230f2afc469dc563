"""Hostile markup made parseable: giant pages slimmed, absurd nesting flattened, a broken
head mended.

libxml2 builds about 100 bytes of tree per byte of markup, so a 25 MB page costs gigabytes
unless the bulk that never holds article text (scripts, styles, inline SVG and images) goes
first. And it stops building the tree at a nesting depth of 256, silently dropping the rest
of a page that nests deeper (a broken template, or a page built to break parsers).

Crawls also hold pages whose head was cut or mangled by the template or the crawler: a
`<title>` never closed swallows the whole page as title text (the parser reads a title's
content raw, up to `</title>`), and a `<!DOCTYPE` never closed swallows the first tag and
leaves a tree the extractor rejects; an `<html .../>` start tag (the head cut out from
inside it) closes the document before it starts. All lose an article intact in the body.
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


_TITLE_START = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_TITLE_END = re.compile(r"</title\s*>", re.IGNORECASE)
_MARKUP_START = re.compile(r"<[a-zA-Z/!]")
_OPEN_DOCTYPE = re.compile(r"^(\s*<!doctype\b[^<>]*)(?=<)", re.IGNORECASE)
_SELF_CLOSED_HTML = re.compile(r"(<html\b[^<>]*?)\s*/>", re.IGNORECASE)
# Longer than any page title: a title this long that holds markup ran on into the page.
_TITLE_MAX_CHARS = 1_000


def mend_head(html: str) -> str:
    """The page with a runaway `<title>` closed before the first tag inside it, an
    unclosed `<!DOCTYPE` closed before the first tag after it, and a self-closed `<html/>`
    opened; other pages unchanged."""
    html = _OPEN_DOCTYPE.sub(r"\1>", html, count=1)
    html = _SELF_CLOSED_HTML.sub(r"\1>", html, count=1)
    start = _TITLE_START.search(html)
    if start is None:
        return html
    end = _TITLE_END.search(html, start.end())
    stop = end.start() if end else len(html)
    if end and stop - start.end() <= _TITLE_MAX_CHARS:
        return html
    inner = _MARKUP_START.search(html, start.end(), stop)
    if inner is None:
        return html
    return f"{html[: inner.start()]}</title>{html[inner.start() :]}"


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


# trafilatura keeps only the characters Python calls printable, and drops the zero-width
# joiners with the rest: Persian writes its verb prefixes and plural endings with a
# zero-width non-joiner (U+200C) between a word's parts, Urdu, Kurdish and the Indic
# scripts use it and the zero-width joiner (U+200D), and emoji sequences are held together
# by the joiner. Without them the parts run together into words the language does not have
# (a Persian news page: 0.84 of its words kept, by trafilatura alone too). They go through
# extraction as two printable symbols that pages do not use and that, like the joiners,
# part words.
_STAND_INS = {"\u200c": "\u2bd1", "\u200d": "\u2bd2"}
_JOINER_ENTITY = re.compile(r"&(?:(zwn?j)|#(820[45])|#x(200[cd]));", re.IGNORECASE)
_ENTITY_JOINER = {"zwnj": "\u200c", "zwj": "\u200d", "8204": "\u200c", "8205": "\u200d"}


def hide_joiners(html: str) -> str | None:
    """The page with its zero-width joiners (characters or entities) written as stand-ins,
    or None when it holds none, or already holds a stand-in (it is left as it is)."""
    if not any(joiner in html for joiner in _STAND_INS) and not _JOINER_ENTITY.search(html):
        return None
    if any(stand_in in html for stand_in in _STAND_INS.values()):
        return None

    def joiner(match: re.Match[str]) -> str:
        name, decimal, hexadecimal = match.groups()
        if hexadecimal:
            return chr(int(hexadecimal, 16))
        return _ENTITY_JOINER[(name or decimal).lower()]

    html = _JOINER_ENTITY.sub(joiner, html)
    for character, stand_in in _STAND_INS.items():
        html = html.replace(character, stand_in)
    return html


def restore_joiners(text: str) -> str:
    """`text` with the stand-ins of `hide_joiners` written as the joiners again."""
    for character, stand_in in _STAND_INS.items():
        text = text.replace(stand_in, character)
    return text
