"""Markup and script code left in scraped text.

A scraper that takes a page's text node by node prints whatever the parser handed it as
text: on a page whose `<title>` or a comment was never closed, or whose script sits in a
`document.write` string, that is raw tags, ad-server snippets and lines of JavaScript or
CSS. They are never article text, and a long line of them looks like prose to a classifier
that counts characters. The tag names and the code keywords are HTML's and JavaScript's,
the same on pages in any language.
"""

from __future__ import annotations

import re

_TAG_NAMES = (
    "a|abbr|area|b|base|big|blockquote|body|br|button|center|dd|div|dl|dt|em|embed|font|"
    "form|frame|frameset|h[1-6]|head|hr|html|i|iframe|ilayer|img|input|label|layer|li|link|"
    "map|meta|nobr|noscript|object|ol|option|p|param|script|select|small|source|span|strong|"
    "style|table|tbody|td|textarea|th|thead|tr|u|ul|wbr|nav|section|article|header|footer|"
    "aside|svg|path|video|audio|picture|figure|figcaption|canvas"
)
_MARKUP = re.compile(
    rf"<!--.*?-->|^\s*<!--.*$|</?(?:{_TAG_NAMES})\b[^<>]*/?>", re.IGNORECASE | re.DOTALL
)
# A line this much made of tags and comments is markup, whatever text sits between them.
_MARKUP_SHARE = 0.3

_SCRIPT = re.compile(
    r"\b(?:var|let|const)\s+[\w$]+\s*="  # var x =
    r"|\bfunction\b\s*[\w$]*\s*\("  # function f(
    r"|\bdocument\.(?:write|getElementById|cookie|location|createElement)\b"
    r"|\bwindow\.[\w$]+"
    r"|\bthis\.[\w$]+\s*="
    r"|^\s*[{}]\s*[;)]?\s*$"  # a brace alone
    r"|^\s*/\*|\*/\s*$|^\s*\*\s*@\w+"  # a block comment, a doc-comment tag
    r"|\)\s*\{\s*$|;\s*\}|\}\s*else\b"
    r"|^\s*(?:if|for|while|switch)\s*\(.*\)\s*\{"
    r"|\{[^{}]*\b[a-z-]+\s*:\s*[^;{}]+;[^{}]*\}",  # a CSS rule: { color: red; }
)


# Characters or words one of which every line of script code holds; most prose has none.
_SCRIPT_HINTS = ("=", "{", "}", "*", "function", "window.", "document.")


def is_markup(line: str) -> bool:
    """HTML tags and comments printed as text."""
    if "<" not in line:
        return False
    covered = sum(len(match.group(0)) for match in _MARKUP.finditer(line))
    return covered >= _MARKUP_SHARE * len(line.strip())


def is_script_code(line: str) -> bool:
    """A line of JavaScript or CSS printed as text."""
    return any(hint in line for hint in _SCRIPT_HINTS) and bool(_SCRIPT.search(line))
