"""readability-lxml's second opinion: taken instead of trafilatura's answer when that found
next to nothing, and a check on every block of it otherwise."""

from __future__ import annotations

import pytest

import cleaner.clean.pipeline as pipeline
from cleaner import CleanConfig, RuleSet, clean_html
from cleaner.clean.extract import ExtractionError
from cleaner.clean.second_opinion import disagreed_blocks

CONFIG = CleanConfig(rules=RuleSet())
PARAGRAPHS = [
    f"Paragraph {i}: the harbour council voted on the budget today, and the opposition said "
    "the spending on roads was far too high for a town of this size."
    for i in range(10)
]
PAGE = (
    "<html><head><title>Harbour vote</title></head><body>"
    "<div class='menu'><a href='/'>Home</a> <a href='/news'>News</a></div>"
    "<div class='story'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"
    "</body></html>"
)


def test_a_normal_page_keeps_trafilaturas_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = clean_html(PAGE, config=CONFIG)  # readability agrees on every paragraph
    assert doc.status == "ok" and doc.text.split("\n\n") == PARAGRAPHS
    assert not [r for r in doc.removed if r.rule == "extractors-disagree"]
    asked = []
    monkeypatch.setattr(
        pipeline, "readability_text", lambda tree, last_reader=False: asked.append(1) or ""
    )
    alone = CleanConfig(rules=RuleSet(), agreement=False, second_opinion=False)
    assert clean_html(PAGE, config=alone).text == doc.text
    assert not asked  # both switched off: readability is not run at all


def test_a_wrong_block_is_replaced_by_readabilitys_article(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: "Upcoming events: choir concert")
    doc = clean_html(PAGE, config=CONFIG)
    assert doc.status == "ok"
    assert doc.text.count("harbour council voted") == 10
    assert "choir" not in doc.text


def test_no_main_text_is_rescued_and_without_it_is_still_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def nothing(page: object, **_: object) -> str:
        raise ExtractionError("no main text found in HTML")

    monkeypatch.setattr(pipeline, "main_text", nothing)
    assert clean_html(PAGE, config=CONFIG).text.count("harbour council voted") == 10
    off = CleanConfig(rules=RuleSet(), second_opinion=False)
    doc = clean_html(PAGE, config=off)
    assert (doc.status, doc.reason) == ("error", "no main text found in HTML")


def test_a_second_opinion_that_says_little_more_is_not_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: PARAGRAPHS[0])
    monkeypatch.setattr(
        pipeline, "readability_text", lambda tree, last_reader=False: "\n".join(PARAGRAPHS[:2])
    )
    doc = clean_html(PAGE, config=CONFIG)
    assert doc.text == PARAGRAPHS[0]  # twice the words is not three times: the first stands


def test_a_second_opinion_three_times_longer_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: PARAGRAPHS[0])
    monkeypatch.setattr(
        pipeline, "readability_text", lambda tree, last_reader=False: "\n".join(PARAGRAPHS[:4])
    )
    doc = clean_html(PAGE, config=CONFIG)
    assert doc.text.split("\n\n") == PARAGRAPHS[:4]


def test_an_answer_that_is_most_of_the_page_is_taken_only_for_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nine tenths of the page's words is the menus and lists around the article too: it
    does not replace a first answer, but it is better than none."""
    monkeypatch.setattr(
        pipeline, "readability_text", lambda tree, last_reader=False: "\n".join(PARAGRAPHS[:9])
    )
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: PARAGRAPHS[0])
    assert clean_html(PAGE, config=CONFIG).text == PARAGRAPHS[0]
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: "Menu")
    assert clean_html(PAGE, config=CONFIG).text.split("\n\n") == PARAGRAPHS[:9]


RELATED = (
    "More from the region: ferry timetable changes for the winter season, the new bakery on "
    "Quay Street, and five things to do at the weekend in town"
)


def test_a_block_only_trafilatura_took_in_is_dropped_with_its_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """trafilatura's answer holds a teaser block that readability's article (the real one,
    run on the page) leaves out: the block goes, the article stays whole and in order."""
    answer = "\n".join([*PARAGRAPHS[:5], RELATED, *PARAGRAPHS[5:]])
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: answer)
    doc = clean_html(PAGE, config=CONFIG)
    assert doc.status == "ok"
    assert doc.text.split("\n\n") == PARAGRAPHS
    assert [(r.rule, r.text) for r in doc.removed] == [("extractors-disagree", RELATED)]
    off = clean_html(PAGE, config=CleanConfig(rules=RuleSet(), agreement=False))
    assert RELATED in off.text  # without the check, trafilatura's answer stands


def test_blocks_are_checked_only_against_a_tighter_cut_of_the_same_text() -> None:
    article = PARAGRAPHS[:4]
    # Wrapped and spaced differently, the same words still agree.
    rewrapped = "\n".join(
        " ".join(p.split()[:9]) + "\n " + " ".join(p.split()[9:]) for p in article
    )
    assert disagreed_blocks([*article, RELATED], rewrapped) == [False] * 4 + [True]
    # A second answer much shorter than the first, and not its opening, is another
    # container: no check.
    assert disagreed_blocks([*article, RELATED], RELATED) == [False] * 5
    assert disagreed_blocks([*article, RELATED], "") == [False] * 5
    # An answer from another part of the page (the next post of a thread) has no say.
    other = "\n".join(
        f"Reply {i}: my starter smelled of acetone too, and feeding it twice a day fixed it "
        "within a week, so do not throw it away yet."
        for i in range(4)
    )
    assert disagreed_blocks([*article, RELATED], other) == [False] * 5
    # Nothing in common: the check would leave nothing, so it does not apply.
    assert disagreed_blocks([RELATED], "\n".join(PARAGRAPHS)) == [False]
    # A paragraph of prose is never voted out: a tighter container can miss the article's
    # first paragraphs, which sit in a box of their own on some pages.
    lead = " ".join([PARAGRAPHS[0], PARAGRAPHS[1].replace("Paragraph 1", "Also")])
    assert disagreed_blocks([lead, *article, RELATED], "\n".join(article)) == [False] * 5 + [True]
    # Short blocks are compared word by word.
    assert disagreed_blocks([*article, "Advertisement"], "\n".join(article)) == [False] * 4 + [True]


def test_a_standfirst_above_the_agreed_article_is_not_voted_out() -> None:
    """readability starts at its container's first paragraph; the summary under the
    headline, in a box of its own, is the article's all the same. A line above it that is
    no sentence on the article's topic still goes."""
    article = PARAGRAPHS[:4]
    standfirst = (
        "After a long debate the harbour council approved the budget, but the opposition says "
        "the spending on roads is far too high for the town."
    )
    promo = (
        "Sign up to our morning briefing and get the best of our journalism delivered to your "
        "inbox every single weekday."
    )
    second = "\n".join(article)
    assert disagreed_blocks([standfirst, *article], second) == [False] * 5
    assert disagreed_blocks([promo, *article], second) == [True] + [False] * 4
    # Only directly above the article: not across a line the vote drops.
    blocks = [standfirst, "Advertisement", *article]
    assert disagreed_blocks(blocks, second) == [True, True] + [False] * 4


FOOTER = (
    "Privacy Policy | Advertise | Contact Us | Archives | Classifieds | Subscribe | Site Map | "
    "RSS Feeds | Visit our other news and portal sites: Weekly Gazette, County Times, Valley "
    "Herald, Coast Radio, Jobs Board, Homes Finder, Motors Finder, Dating, Obituaries, "
    "Weather, Traffic, Cinema Listings, Events Guide, Photo Sales, Readers' Letters"
)
LAST_PARAGRAPH = (
    "The harbour council will vote on the budget again next month, when the opposition said "
    "it would once more ask for the spending on roads to be cut, because that spending is far "
    "too high for a town of this size and the roads are not the harbour's first need."
)


def test_a_long_block_after_the_agreed_article_goes_only_when_off_its_topic() -> None:
    """A long line glued from a footer or a list of other stories, after everything both
    extractors kept, is not the article; the article's own last paragraph, which the second
    extractor missed as well, speaks of the same things and stays."""
    article = PARAGRAPHS[:4]
    second = "\n".join(article)
    assert len(FOOTER.split()) >= 40 and len(LAST_PARAGRAPH.split()) >= 40
    assert disagreed_blocks([*article, LAST_PARAGRAPH, FOOTER], second) == [False] * 5 + [True]
    # Before the article's end, a long block is never voted out, on topic or not.
    assert disagreed_blocks([FOOTER, *article], second) == [False] * 5
    assert disagreed_blocks([article[0], FOOTER, *article[1:]], second) == [False] * 5


ABOUT_ME = (
    "I live. I learn. I teach. Here I share and celebrate my own creativity and the "
    "creativity of others, one small find at a time."
)
CRAFT_POST = [
    "Someone on the forum shares these paper leaves, punched from old maps and music sheets "
    "and strung along the window for the autumn table.",
    "They take an afternoon, a hole punch shaped like a leaf and some thread.",
]


def sidebar_page(headline: str = "Paper leaves for crafting", byline: str = "") -> str:
    """A blog page whose "about me" box comes before the post's headline."""
    heading = f"<h1>{headline}</h1>" if headline else ""
    return (
        "<html><head><title>Paper leaves for crafting | Small Finds</title></head><body>"
        f"<div class='sidebar'><h3>About me</h3><p>{ABOUT_ME}</p></div>"
        f"<div class='post'>{heading}{byline}"
        + "".join(f"<p>{p}</p>" for p in CRAFT_POST)
        + "</div></body></html>"
    )


def test_of_two_different_answers_the_one_under_the_headline_is_the_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """trafilatura took the sidebar box above the headline, readability the post below it:
    they share no text, and the post is what the headline introduces."""
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: ABOUT_ME)
    doc = clean_html(sidebar_page(), config=CONFIG)
    assert doc.status == "ok" and doc.text.split("\n\n") == CRAFT_POST
    # Without a headline there is no telling: the first answer stays.
    doc = clean_html(sidebar_page(headline=""), config=CONFIG)
    assert doc.text == ABOUT_ME


def test_an_answer_under_the_headline_that_says_little_is_not_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The article below the headline stays when the other answer is a byline between them."""
    byline = "<p class='by'>by Anna Roberts on May 3, 2012</p>"
    article = " ".join(CRAFT_POST)
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: article)
    monkeypatch.setattr(
        pipeline, "readability_text", lambda tree, **_: "by Anna Roberts on May 3, 2012"
    )
    assert clean_html(sidebar_page(byline=byline), config=CONFIG).text == article
    # The sidebar box is above the headline: an answer there is never taken for the article.
    monkeypatch.setattr(pipeline, "readability_text", lambda tree, **_: ABOUT_ME)
    assert clean_html(sidebar_page(), config=CONFIG).text == article


def test_an_answer_is_placed_by_where_its_text_starts_below_the_headline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """readability's answer opens with a label that the page also shows above the headline
    (a "Video" tab); its text under the headline is the post, so it is taken over the
    "about me" box, as it is without the label."""
    page = sidebar_page().replace("<body>", "<body><div class='tabs'><p>VIDEO</p></div>")
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: ABOUT_ME)
    monkeypatch.setattr(
        pipeline, "readability_text", lambda tree, **_: "\n\n".join(["VIDEO", *CRAFT_POST])
    )
    doc = clean_html(page, config=CONFIG)
    assert doc.text.split("\n\n")[-2:] == CRAFT_POST
    assert ABOUT_ME not in doc.text


AUTHOR_BOX = (
    "Jane Miller writes about gardening and travel from her studio in Vermont. Her new book "
    "on window boxes is out now from all good booksellers."
)


def test_a_shorter_answer_that_is_the_opening_judges_only_the_tail() -> None:
    """readability stopped where the article's container ends, after its first paragraph:
    of what trafilatura took in after that, what speaks of something else goes (an author
    box, a list of other stories); the article's own short paragraphs stay, and so do lists
    (two items or more in a row), which may be the post itself (a roundup of links)."""
    article = PARAGRAPHS[:6]
    blocks = [*article, AUTHOR_BOX, RELATED]
    assert len(PARAGRAPHS[0].split()) < 0.3 * sum(len(b.split()) for b in blocks)
    assert disagreed_blocks(blocks, PARAGRAPHS[0]) == [False] * 6 + [True, True]
    roundup = [f"- {RELATED}", f"- {AUTHOR_BOX}"]
    assert disagreed_blocks([*article, *roundup], PARAGRAPHS[0]) == [False] * 8
    # One item alone is no list: a disclaimer set as a bullet goes like any other line.
    assert disagreed_blocks([*article, f"- {AUTHOR_BOX}"], PARAGRAPHS[0]) == [False] * 6 + [True]
    # Not the opening of the first answer: no say on its tail.
    assert disagreed_blocks([AUTHOR_BOX, *blocks], PARAGRAPHS[0]) == [False] * 9


SIDEBAR = "\n".join(
    f"My {topic} corner\n{ABOUT_ME.replace('one small find', f'find number {n}')}"
    for n, topic in enumerate(["paper", "yarn", "wood", "glass", "clay", "paint", "ink"])
)


def test_a_short_post_under_a_blog_themes_h3_headline_is_taken_over_a_long_sidebar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A blog theme: the date in an h2 over the post, the post's title in an h3. The post
    is two sentences, far shorter than the sidebar the first answer took; still a
    paragraph, not a byline, and it is what the headline introduces."""
    post = " ".join(CRAFT_POST)
    assert 20 <= len(post.split()) < 0.25 * len(SIDEBAR.split())
    page = (
        "<html><head><title>Paper leaves for crafting</title></head><body>"
        "<div class='blog-name'>Small Finds</div><div class='sidebar'>"
        + "".join(f"<p>{line}</p>" for line in SIDEBAR.split("\n"))
        + "</div>"
        "<h2>Monday</h2><div class='post'><h3>Paper leaves for crafting</h3>"
        f"<p>{post}</p></div></body></html>"
    )
    monkeypatch.setattr(pipeline, "main_text", lambda page, **_: SIDEBAR)
    monkeypatch.setattr(pipeline, "readability_text", lambda tree, **_: post)
    assert clean_html(page, config=CONFIG).text == post


def test_the_second_extractor_drops_the_same_unlikely_elements_as_trafilaturas_port() -> None:
    """Only elements with a class or id are judged (found in C): the same ones go as when
    the port walks every element, nested ones and those inside dropped ones included."""
    from lxml.html import fromstring
    from trafilatura.readability_lxml import Document as Port

    from cleaner.clean.second_opinion import html_to_text, readability_text

    story = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:5])
    page = (
        "<html><body class='x'><div id='header'>Site name and slogan, a long one here</div>"
        "<div class='main-column'><div class='sidebar'><p>" + PARAGRAPHS[9] + "</p>"
        "<div class='comment'><p>A nested comment, which goes with its sidebar.</p></div></div>"
        f"<article class=''>{story}</article>"
        "<div id='comments'><p>" + PARAGRAPHS[8] + "</p></div></div>"
        "<div class='footer twitter'><p>" + PARAGRAPHS[7] + "</p></div></body></html>"
    )
    ours = readability_text(fromstring(page))
    assert ours == html_to_text(Port(fromstring(page), min_text_length=25).summary())
    lines = ours.splitlines()
    assert lines[:5] == PARAGRAPHS[:5]
    assert not {PARAGRAPHS[7], PARAGRAPHS[8]} & set(lines)


# An article whose opening paragraphs are spans between line breaks, beside blocks (a blog
# engine's markup): fast mode starts at the first block, readability has them all.
LEAD = [
    "The harbour council has approved a new ferry timetable that adds four crossings a day "
    "from March, after a year of complaints from commuters on the island.",
    "Councillors said the change would cost about two hundred thousand pounds a year, to be "
    "paid from the parking revenue that the new car park at the terminal brings in.",
    "At the meeting, the ferry operator said that two of its three boats would need new "
    "engines before the busier timetable could run without delays in the winter months.",
    "The opposition group voted against the plan, saying that the money should have gone to "
    "the bus routes that serve the villages in the north of the island instead.",
    "A consultation on the winter timetable will open next month, and residents can send "
    "their views to the council by post or through its website until the end of April.",
]
SPANS_PAGE = (
    "<html><head><title>Ferry timetable approved</title></head><body>"
    "<div class='header'><a href='/'>Home</a> <a href='/news'>News</a></div>"
    "<div class='post-outer'><h3 class='post-title'>Ferry timetable approved</h3>"
    "<div class='post-body'><div style='margin-bottom: 15px;'><span><br /></span></div>"
    f"<span style='font-family: Georgia;'>{LEAD[0]}</span><span><br /></span>"
    f"<span style='font-family: Georgia;'>{LEAD[1]}</span><a name='more'></a>"
    f"<span style='font-family: Georgia;'>{LEAD[2]}</span><span><br /></span>"
    f"<div style='margin-bottom: 15px;'><span>{LEAD[3]}</span></div>"
    f"<div style='margin-bottom: 15px;'><span>{LEAD[4]}</span></div></div></div>"
    "<div class='sidebar'><h2>Archive</h2><ul><li><a href='/2012'>2012</a></li></ul></div>"
    "</body></html>"
)


def test_an_opening_the_first_extractor_missed_is_taken_from_the_second() -> None:
    doc = clean_html(SPANS_PAGE, config=CONFIG)
    assert doc.status == "ok"
    assert doc.text.startswith(LEAD[0] + "\n\n")  # fast mode alone starts at LEAD[1]
    assert doc.text.endswith(LEAD[4]) and doc.text.count(LEAD[0]) == 1


def test_what_is_above_the_article_is_no_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    """A byline and a photo's caption toggle above the article, or a second answer that also
    runs on after the article (comments), add nothing."""
    article = "\n".join(PARAGRAPHS)
    above = "By Anna Roberts, Staff Writer\nUpdated 5:27 am, May 3, 2012\n"
    caption = (
        "The harbour master, left, and the mayor look at the new ferry at the quay in the "
        "town on Monday, May 2, 2012, before the vote ... more\n"
    )
    comment = "\n".join(
        f"Comment {n}: I have taken that ferry every day for ten years and it was never late "
        "once, whatever the council says about it now."
        for n in range(4)
    )
    for second in (above + caption + article, LEAD[0] + "\n" + article + "\n" + comment):
        monkeypatch.setattr(pipeline, "readability_text", lambda tree, second=second, **_: second)
        doc = clean_html(PAGE, config=CONFIG)
        assert doc.text.split("\n\n") == PARAGRAPHS, second
