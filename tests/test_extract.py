"""HTML extraction with each site rule, on fixtures modelled on the sites' pages.

Each fixture has site clutter inside the article container that trafilatura keeps on its
own ("without" the rule) and that the site's strip selectors remove ("with" it).
"""

from __future__ import annotations

import pytest

from cleaner import CleanConfig, RuleSet, clean_html
from cleaner.clean.extract import ExtractionError, extract_html, link_texts, parse_page
from cleaner.clean.markup import mend_head
from cleaner.clean.text import mend_fragments, normalise, unwrap_layout_rows
from tests.conftest import FIXTURES

CASES = {
    "newarab": (
        "Follow our coverage of the war in Syria",
        "Pro-Assad camp reacts",
        "Assad's allies rush to defend him despite chemical atrocity",
        "2017-04-09",
    ),
    "middleeasteye": (
        "award-winning podcast",
        "Lavrov pointed out",
        "Assad allies vow to keep battling 'terrorism' in Syria",
        "2017-04-08",
    ),
    "dawn": (
        "top stories from Dawn",
        "Kremlin spokesman Dmitry Peskov",
        "Russia says 'continuing' Syria operation to support Assad's forces",
        "2017-04-05",
    ),
    "israelnationalnews": (
        "leading independent news outlet",
        "Aleppo sits near Syria's northern",
        "Russia Backs Assad Against Calls For Him to Quit",
        "2012-07-26",
    ),
}


@pytest.mark.parametrize("site", sorted(CASES))
def test_site_rule_strips_its_clutter(site: str, rules: RuleSet) -> None:
    clutter, article, title, date = CASES[site]
    html = (FIXTURES / "html" / f"{site}.html").read_text(encoding="utf-8")
    with_rules = clean_html(html, rules=rules)
    # The extractors' vote is off here: it takes some of the same clutter out on its own.
    without = clean_html(html, rules=RuleSet(), config=CleanConfig(agreement=False))
    assert with_rules.site == site  # recognised from the page's canonical URL
    assert with_rules.sitename == rules.get(site).name  # type: ignore[union-attr]
    assert with_rules.status == "ok"
    assert clutter not in with_rules.text
    assert clutter in without.text
    assert article in with_rules.text
    assert with_rules.title == title
    assert with_rules.date == date
    assert title not in with_rules.text


def test_sitename_comes_from_page_metadata_without_a_rule() -> None:
    html = (FIXTURES / "html" / "middleeasteye.html").read_text(encoding="utf-8")
    assert clean_html(html, rules=RuleSet()).sitename == "Middle East Eye"


def test_html_goes_through_the_text_filters(rules: RuleSet) -> None:
    html = (FIXTURES / "html" / "middleeasteye.html").read_text(encoding="utf-8")
    doc = clean_html(html, rules=rules)
    assert "Turkey Unpacked" not in doc.text and "republishing" not in doc.text
    assert doc.lang == "en"


def test_comments_are_never_extracted() -> None:
    paragraph = (
        "<p>" + "The ministry confirmed the figures on Monday after a week of talks. " * 6 + "</p>"
    )
    html = (
        "<html><body><article><h1>Talks end</h1>" + paragraph * 3 + "</article>"
        '<div id="comments" class="comments"><p>Great article, thanks for sharing it with us all!</p>'
        "<p>I disagree with every word of this, the minister is plainly lying to you.</p></div>"
        "</body></html>"
    )
    doc = clean_html(html, rules=RuleSet())
    assert "ministry confirmed" in doc.text
    assert "Great article" not in doc.text


@pytest.mark.parametrize("html", ["", "   ", "<html><body></body></html>", "<<<>>>&&&"])
def test_pages_without_text_raise_a_clear_error(html: str) -> None:
    with pytest.raises(ExtractionError):
        extract_html(html)


def test_malformed_but_readable_html_is_still_cleaned() -> None:
    html = (
        "<html><body><div><p>" + "An unclosed paragraph about the ceasefire talks in Geneva. " * 8
    )
    doc = clean_html(html + "<div><b>and a stray tag", rules=RuleSet())
    assert doc.status == "ok"
    assert "ceasefire talks in Geneva" in doc.text


PIER_PARAGRAPHS = (
    "The harbour council voted on Tuesday to rebuild the old wooden pier",
    "Councillors backed the plan by nine votes to four",
    "will stand on steel piles rather than timber",
    "fishing boats that moor alongside the pier",
    "Local traders welcomed the decision",
)


@pytest.mark.parametrize(
    "page", ["runaway_title.html", "cut_doctype.html", "self_closed_html.html"]
)
def test_a_page_with_a_broken_head_keeps_its_article(page: str) -> None:
    """A `<title>` never closed makes the parser read the rest of the page as the title's
    text, and a `<!DOCTYPE` cut off leaves a tree trafilatura rejects: the article in the
    body is intact in both, and must come out, without markup."""
    html = (FIXTURES / "broken" / page).read_text("utf-8")
    doc = clean_html(html, rules=RuleSet())
    assert doc.status == "ok", doc.reason
    for paragraph in PIER_PARAGRAPHS:
        assert paragraph in doc.text
    assert "<" not in doc.text and "adSlots" not in doc.text
    assert "Copyright Harbour News" not in doc.text
    assert doc.title is not None and "<" not in doc.title


def test_a_closed_title_is_left_alone() -> None:
    html = "<html><head><title>Budget: tax <b>cuts</b> ahead</title></head><body></body></html>"
    assert mend_head(html) == html
    runaway = "<html><head><title>Budget\n<script>var x = 1;</script></head><body><p>Text</p>"
    assert mend_head(runaway) == runaway.replace("Budget\n", "Budget\n</title>")


def test_a_tutorials_code_sample_stays_in_html_mode() -> None:
    """Lines of script printed as text are a broken scrape's leftovers in plain text; in a
    page's own code block they are the content of a tutorial."""
    prose = [
        "Summing a list is the first thing most people write when they learn a new language, "
        "and JavaScript gives you several ways to do it, some clearer than others.",
        "The shortest one folds the list with reduce, starting from zero and adding each item "
        "in turn, which reads well once you know what reduce does with its two arguments.",
        "A plain loop does the same in more lines, and is still the fastest in most engines, "
        "so choose whichever your team finds easier to read in a year from now.",
    ]
    code = [
        "var total = items.reduce(function (sum, item) {",
        "  return sum + item;",
        "}, 0);",
    ]
    html = (
        "<html><head><title>Summing a list in JavaScript</title></head><body><article>"
        f"<h1>Summing a list in JavaScript</h1><p>{prose[0]}</p><p>{prose[1]}</p>"
        "<pre><code>" + "\n".join(code) + f"</code></pre><p>{prose[2]}</p></article></body></html>"
    )
    doc = clean_html(html, rules=RuleSet())
    assert doc.status == "ok"
    assert all(line.strip() in doc.text for line in code)
    assert not [r for r in doc.removed if r.rule in ("markup", "script")]


def test_link_texts_are_every_links_text_pieces_joined() -> None:
    page = parse_page(
        "<html><body><p>An article with links of every shape, long enough to parse.</p>"
        "<a href='/'> Home </a><a href='/a'>Read <b>the rest</b> here</a>"
        "<a href='/b'><!-- a note -->Sport</a><a href='/c'></a><a href='/d'><img src='x'></a>"
        "<a href='/e'>Tail<span>s</span> and <i>more</i>!</a></body></html>"
    )
    by_definition = {normalise(" ".join(a.itertext())) for a in page.tree.iter("a")} - {""}
    assert link_texts(page.tree) == by_definition
    assert by_definition == {"home", "read the rest here", "sport", "tail s and more"}


def _links(*texts: str) -> frozenset[str]:
    return frozenset(normalise(text) for text in texts)


def test_a_paragraph_broken_at_its_links_is_one_line_again() -> None:
    # How trafilatura's fallback reads a blog post node by node: a line at every link.
    lines = [
        "Google Reader has finally come to Google Desktop, as",
        "announced",
        "on the Google Reader blog. This gadget fits right in with the",
        "Gmail",
        ",",
        "Calendar",
        ", and",
        "Docs",
        "gadgets. Please",
        "give it a try",
        "and",
        "tell us",
        "what you think.",
        "James Yum, Developer Programs Engineer",
        "Newer Post",
        "Older Post",
    ]
    links = _links("announced", "Gmail", "Calendar", "Docs", "give it a try", "tell us",
                   "Newer Post", "Older Post")  # fmt: skip
    assert mend_fragments(lines, links) == [
        "Google Reader has finally come to Google Desktop, as announced on the Google Reader "
        "blog. This gadget fits right in with the Gmail, Calendar, and Docs gadgets. Please "
        "give it a try and tell us what you think.",
        "James Yum, Developer Programs Engineer",
        "Newer Post",
        "Older Post",
    ]


def test_menus_tags_headings_and_bylines_stay_lines_of_their_own() -> None:
    tags = ["Tags", "adote um amigo", "agua", "alerta", "meio ambiente"]
    assert mend_fragments(tags, _links(*tags[1:])) == tags
    byline = ["Paulo Coelho's Blog", "by Paulo Coelho on July 21, 2012", "Previous post: nook"]
    assert mend_fragments(byline, _links(byline[0])) == byline
    tagline = ["Geeks are Sexy Technology News", "tech, science, news and social issues"]
    assert mend_fragments(tagline, _links(tagline[0])) == tagline
    dated = ["Calendário Stock Car 2018", "segunda-feira, 22 de janeiro de 2018 às 0:13"]
    assert mend_fragments(dated, frozenset()) == dated
    posted = ["Posted by James Hamilton at October 28, 2012 01:23 PM", "digg this", "| reddit"]
    assert mend_fragments(posted, _links("digg this", "reddit")) == posted


def test_a_parenthesis_goes_on_a_sentence_only_right_after_a_link() -> None:
    lines = ["The latest issue of", "US mag EGM", "(via 1up) stokes the rumour mill."]
    assert mend_fragments(lines, _links("US mag EGM")) == [
        "The latest issue of US mag EGM (via 1up) stokes the rumour mill."
    ]
    # A caption's credit, then the wire's dateline: two blocks, whatever the caption says.
    captioned = [
        "A sign at the movie theater speaks to the heightened anxiety (Chip Somodevilla)",
        "(CBS/AP) At least 4 people have been arrested.",
    ]
    assert mend_fragments(captioned, frozenset()) == captioned


def test_layout_table_rows_are_read_as_lines_and_data_tables_stay() -> None:
    rows = [
        "| | | Police said the man was arrested on Tuesday. | | |",
        "| Top \\| Back \\| E-mail to a friend \\| Printable version | | |",
        "| |",
        "| Pos. | Driver | Points |",
        "| 1 | Kyle Busch | 5040 |",
        "A line of its own | with a bar inside",
        # A cell of several paragraphs spreads its row over lines.
        "| Copyright © 2007 - 2008 - eFluxMedia.",
        "Subscribe to comments on this entry. | | |",
        # Cells that are mostly links: a menu of sister papers, a list of other headlines.
        "| The Chester Chronicle | The Cheshire Guide |",
        "| 15 hrs ago | | Washington girls knock off Lincoln |",
        # A cell that is itself a menu: the row is the page's footer, not a data table.
        "| © 2008 eFluxMedia. All rights reserved. | Home \\| About Us \\| Contact Us |",
        # Teasers side by side, each a sentence.
        "| Another top group may withdraw its album. | | Our pick of the best hotels. |",
    ]
    links = _links("The Chester Chronicle", "The Cheshire Guide", "Kyle Busch",
                   "Washington girls knock off Lincoln")  # fmt: skip
    assert unwrap_layout_rows(rows, links) == [
        "Police said the man was arrested on Tuesday.",
        "Top | Back | E-mail to a friend | Printable version",
        "| Pos. | Driver | Points |",
        "| 1 | Kyle Busch | 5040 |",
        "A line of its own | with a bar inside",
        "Copyright © 2007 - 2008 - eFluxMedia.",
        "Subscribe to comments on this entry.",
        "The Chester Chronicle",
        "The Cheshire Guide",
        "15 hrs ago",
        "Washington girls knock off Lincoln",
        "© 2008 eFluxMedia. All rights reserved.",
        "Home | About Us | Contact Us",
        "Another top group may withdraw its album.",
        "Our pick of the best hotels.",
    ]


def test_a_footer_in_a_layout_tables_cell_is_known_for_a_footer() -> None:
    article = (
        "Police said the man was arrested on Tuesday evening after a chase through the town "
        "centre, and he will appear before magistrates on Friday morning to answer the charges. "
    )
    html = (
        "<html><head><title>Man arrested after chase</title></head><body><table>"
        f"<tr><td><h1>Man arrested after chase</h1><p>{article * 3}</p><p>{article * 2}</p>"
        "</td></tr><tr><td>Copyright and Trade Mark Notice</td></tr>"
        "<tr><td>© 2008 owned by or licensed to Trinity Mirror North West &amp; North Wales "
        "Limited. Please read our Terms and Conditions and Privacy Statement before using "
        "this site.</td></tr></table></body></html>"
    )
    doc = clean_html(html, config=CleanConfig(rules=RuleSet()))
    assert "Copyright" not in doc.text and "©" not in doc.text
    assert doc.text.count("Police said") == 5
    assert {removal.rule for removal in doc.removed if "Trinity" in removal.text} == {"footer"}


def test_headings_that_a_table_of_contents_links_to_are_kept() -> None:
    """A heading is no menu entry because the page's own contents list links to it; links
    to other pages (and a script's bare "#") still mark menu lines."""
    headings = ["What the council decided", "What it will cost", "What happens next"]
    paragraph = (
        "The harbour council voted on the ferry timetable on Tuesday, and the opposition "
        "said the spending was far too high for a town of this size, whatever it brings."
    )
    contents = "".join(f"<li><a href='#s{n}'>{h}</a></li>" for n, h in enumerate(headings))
    sections = "".join(
        f"<h2 id='s{n}'>{h}</h2><p>{paragraph} ({n})</p><p>{paragraph} [{n}]</p>"
        for n, h in enumerate(headings)
    )
    page = (
        "<html><head><title>Ferry timetable</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='#'>Menu</a> <a href='/news'>News</a></nav>"
        f"<article><h1>Ferry timetable</h1><div class='toc'><p>Contents</p><ul>{contents}"
        f"</ul></div>{sections}</article></body></html>"
    )
    doc = clean_html(page, url="https://example.org/ferry")
    lines = doc.text.split("\n\n")
    assert all(heading in lines for heading in headings), doc.removed
    assert "Menu" not in lines and "Home" not in lines
