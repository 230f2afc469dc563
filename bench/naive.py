"""The "text mode" input of the quality benches: a page's text as a naive scrape gets it."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def naive_text(html: str) -> str:
    """BeautifulSoup (lxml) text of the page without script/style/noscript/template/svg,
    whitespace collapsed in each line, runs of blank lines collapsed to one."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "svg"]):
        tag.decompose()
    lines = [_SPACES.sub(" ", line).strip() for line in soup.get_text("\n").splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
