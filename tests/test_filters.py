"""Each generic filter: what it removes, and the article text it must leave alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaner.clean.clutter import comment_boxes, contact_lines, is_caption, tag_lines
from cleaner.clean.dates import is_date_line, parse_date
from cleaner.clean.filters import (
    GENERIC_FILTERS,
    captions,
    clean_lines,
    date_lines,
    markup_lines,
    nav_lines,
    newsletter_prompts,
    paywalls,
    publisher_footers,
    read_more_links,
    reading_times,
    script_lines,
)
from cleaner.clean.related import related_article_lists, related_headings
from cleaner.clean.text import (
    _EDGE_PUNCT,
    _SPACE,
    _SPACE_TO_MEND,
    collapse_spaces,
    normalise,
    split_lines,
)

PARAGRAPH = (
    "Russia on Thursday charged that calls for Syrian President Bashar al-Assad to step "
    "down are blocking efforts to end 16 months of unrest in the country, officials said."
)


def claimed(line_filter, lines: list[str]) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted({index for index, _ in line_filter(lines)})


@pytest.mark.parametrize(
    "line",
    [
        "Skip to main content",
        "Skip to content",
        "Advertisement",
        "Share on WhatsApp",
        "Your browser does not support the audio element.",
        "Zum Inhalt springen",
        "MENU",
    ],
)
def test_nav_lines_removed(line: str) -> None:
    assert claimed(nav_lines, [line]) == [0]


@pytest.mark.parametrize(
    "line", ["Skip the small talk: here is what happened.", "Home secretary resigns", PARAGRAPH]
)
def test_nav_lines_keep_text(line: str) -> None:
    assert claimed(nav_lines, [line]) == []


@pytest.mark.parametrize(
    "line",
    [
        "3 min read",
        "12 mins read",
        "Reading time: 4 minutes",
        "5-minute read",
        "Lesezeit: 3 Minuten",
        "4 min de lecture",
    ],
)
def test_reading_times_removed(line: str) -> None:
    assert claimed(reading_times, [line]) == [0]


@pytest.mark.parametrize(
    "line", ["3 minutes later the building collapsed.", "He read for 10 minutes every night."]
)
def test_reading_times_keep_text(line: str) -> None:
    assert claimed(reading_times, [line]) == []


@pytest.mark.parametrize(
    "line",
    [
        "09 April, 2017",
        "Published April 5, 2017",
        "Updated 22 Dec, 2024",
        "2017-04-09",
        "Last updated: Monday 10 April 2017 14:32 GMT",
        "Published on 12/03/2021",
        "Veröffentlicht am 3. März 2023",
        "Publié le 12 avril 2017",
        "#2 12/03/2024 14:51",  # a forum post's number and date
        "Post #3 · 12.03.2024, 16:05",
    ],
)
def test_date_lines_removed(line: str) -> None:
    assert is_date_line(line)
    assert claimed(date_lines, [line]) == [0]


@pytest.mark.parametrize(
    "line",
    [
        "April 2017 was the cruellest month for Idlib.",
        "Published by the ministry on Monday.",
        "In 2017 Russia kept 59 jets in Syria",
        "Updated guidance for travellers",
        "2024",
        "#1 bestseller in 2023",
    ],
)
def test_date_lines_keep_text(line: str) -> None:
    assert not is_date_line(line)


def test_parse_date_of_date_lines() -> None:
    assert parse_date("09 April, 2017") == "2017-04-09"
    assert parse_date("Published April 5, 2017") == "2017-04-05"
    assert parse_date("Updated 22 Dec") is None  # no year: not a full date


@pytest.mark.parametrize(
    "line",
    [
        "The chemical attack in Idlib has prompted worldwide condemnation [Anadolu]",
        "A protester holds a poster outside the UN office in Damascus Saturday (AFP)",
        "Syrians bury the bodies of victims in Khan Sheikhun. —AFP",
        "Rescue workers search the rubble (Reuters/Omar Sanadiki)",
        "Mourners gather at the funeral (AP Photo/Hassan Ammar)",
        "Demonstrators in Berlin on Saturday. Photo: Getty Images",
    ],
)
def test_captions_removed(line: str) -> None:
    assert is_caption(line)


@pytest.mark.parametrize(
    "line",
    [
        "The United Nations (UN) called for calm.",
        "The agency said it had spoken to Reuters.",
        "He worked for AFP for a decade before joining the ministry.",
        PARAGRAPH + " " + PARAGRAPH + " " + PARAGRAPH + " —AFP",
        # A wire's paragraph signed off with its editors' initials.
        "Die genauen Regeln sollen laut Kogler noch im Juni bekanntgegeben werden./tas/DP/mis",
    ],
)
def test_captions_keep_text(line: str) -> None:
    assert not is_caption(line)


def test_caption_filter_claims_only_captions() -> None:
    lines = [PARAGRAPH, "A man walks past rubble in Aleppo (AFP)", PARAGRAPH]
    assert claimed(captions, lines) == [1]


@pytest.mark.parametrize(
    "line",
    [
        "Read more: A timeline of Syrian regime chemical weapons attacks",
        "READ MORE",
        "Related: Iran reiterates support for Syria",
        "Lesen Sie auch: Die Lage in Syrien",
    ],
)
def test_read_more_removed(line: str) -> None:
    assert claimed(read_more_links, [line]) == [0]


@pytest.mark.parametrize(
    "line", ["Read the full statement below.", "More than 200 militiamen crossed the border."]
)
def test_read_more_keeps_text(line: str) -> None:
    assert claimed(read_more_links, [line]) == []


@pytest.mark.parametrize(
    "line",
    [
        "Stay informed with MEE's newsletters",
        "Sign up to get the latest alerts, insights and analysis, starting with Turkey Unpacked",
        "Subscribe to our newsletter",
        "Get the latest headlines delivered to your inbox",
    ],
)
def test_newsletter_prompts_removed(line: str) -> None:
    assert claimed(newsletter_prompts, [line]) == [0]


@pytest.mark.parametrize(
    "line",
    [
        "The group said in its weekly newsletter that 200 fighters had crossed into Syria.",
        "Subscribers to the ministry's newsletter were told the talks had failed, an official "
        "said on Sunday, adding that the next round would start in Geneva next week.",
        "Get out while you can, the officer shouted at the crowd.",
    ],
)
def test_newsletter_prompts_keep_paragraphs(line: str) -> None:
    assert claimed(newsletter_prompts, [line]) == []


def test_comment_box_cuts_the_tail() -> None:
    lines = [
        PARAGRAPH,
        PARAGRAPH,
        "Leave a Reply",
        "Your email address will not be published.",
        "Latest from Blog",
        "Some other post",
    ]
    assert claimed(comment_boxes, lines) == [2, 3, 4, 5]


@pytest.mark.parametrize(
    "header", ["Add new comment", "Comment viewing options", "7 comments:", "{ 167 comments }"]
)
def test_a_content_managers_comment_controls_cut_the_tail(header: str) -> None:
    lines = [PARAGRAPH, PARAGRAPH, header, "Flat list - collapsed", PARAGRAPH]
    assert claimed(comment_boxes, lines) == [2, 3, 4]


@pytest.mark.parametrize("header", ["Comments (33):", "Kommentare (4):", "Yorumlar (12):"])
def test_a_counted_comment_header_cuts_the_tail(header: str) -> None:
    lines = [PARAGRAPH, PARAGRAPH, header, "Posted By: reader1 | January 07", PARAGRAPH]
    assert claimed(comment_boxes, lines) == [2, 3, 4]
    # Without its colon it is a counter (a byline's "Comments (33)"), not a section.
    assert 2 not in claimed(comment_boxes, [PARAGRAPH, header.rstrip(":"), PARAGRAPH])


def test_comment_link_at_the_top_does_not_cut() -> None:
    lines = ["12 Comments", PARAGRAPH, PARAGRAPH]
    assert claimed(comment_boxes, lines) == [0]


@pytest.mark.parametrize("count", ["41 comments", "{ 12 comments }", "7 comments:"])
def test_a_comment_count_printed_again_below_cuts_only_there(count: str) -> None:
    """A blog's sidebar paragraph comes before the post, whose byline links to its "41
    comments"; the page prints the count again where the comments start."""
    lines = [PARAGRAPH, "Subscribe to RSS", count, "Jul 23, 2012", PARAGRAPH, PARAGRAPH]
    tail = [count, "Join the discussion", "A reader's comment on the post."]
    cut = set(claimed(comment_boxes, [*lines, *tail]))
    assert {6, 7, 8} <= cut and not cut & {3, 4, 5}
    # Printed once, after a paragraph, the count opens the comments.
    assert {2, 3, 4, 5} <= set(claimed(comment_boxes, lines))


def test_a_comment_link_under_every_post_of_a_question_page_cuts_no_answer() -> None:
    """A Q&A page prints "Add a comment" under the question and under each answer: the
    answers are the page's content, not comments. A comment section's heading printed
    again at its foot still opens it."""
    posts = [PARAGRAPH, "Add a comment", "3 Answers", PARAGRAPH, "Add a comment"]
    lines = [*posts, PARAGRAPH, "Add a comment", "Your Answer"]
    assert claimed(comment_boxes, lines) == [1, 4, 6]  # the links themselves go
    guardian = [PARAGRAPH, "Join the discussion.", "reader1", PARAGRAPH, "Join the discussion."]
    assert claimed(comment_boxes, guardian) == [1, 2, 3, 4]


COMMENT_CONTROLS = [
    "Load All Comments",
    "Load more comments",
    "Alle Kommentare anzeigen",
    "Voir tous les commentaires",
    "Ver todos los comentarios",
    "Pokaż wszystkie komentarze",
    "Tüm yorumları göster",
]
BLOG_COMMENT_HEADINGS = [
    "156 Responses to “Shuteye”",
    "One thought on “Fall leaf bunting”",
    "20 comments… read them below or add one",
    "3 Kommentare zu „Neue Regeln“",
    "12 commentaires sur « Le budget »",
    "2 respuestas a «El presupuesto»",
    "5 odpowiedzi na „Budżet”",
]


@pytest.mark.parametrize("opener", COMMENT_CONTROLS + BLOG_COMMENT_HEADINGS)
def test_a_control_or_heading_over_the_comments_cuts_the_tail(opener: str) -> None:
    """Controls that load or show the comments, and a blog theme's heading over them."""
    lines = [PARAGRAPH, PARAGRAPH, opener, "Heather on", PARAGRAPH]
    assert claimed(comment_boxes, lines) == [2, 3, 4]


@pytest.mark.parametrize("heading", BLOG_COMMENT_HEADINGS)
def test_a_paragraph_that_opens_like_a_comment_heading_is_prose(heading: str) -> None:
    opening = f"{heading.split('“')[0]}“The Wire” is that it is overrated. {PARAGRAPH}"
    assert claimed(comment_boxes, [PARAGRAPH, opening, PARAGRAPH]) == []


def test_comment_box_keeps_paragraphs_about_comments() -> None:
    lines = [PARAGRAPH, "He declined to comment on the report.", PARAGRAPH]
    assert claimed(comment_boxes, lines) == []


@pytest.mark.parametrize(
    "line",
    [
        "Middle East Eye delivers independent and unrivalled coverage and analysis of the Middle "
        "East. To learn more about republishing this content and the associated fees, please fill "
        "out this form.",
        "© 2024 Dawn Media Group. All rights reserved.",
        "This material may not be published, broadcast, rewritten or redistributed.",
        "This article was originally published on The Conversation.",
        # A blog's footer glued into one line, its disclaimer and credit in the middle.
        "Subscribe to comments on this entry Post a comment Powered by Movable Type. Photo at "
        "top by Geoffrey Stone. Opinions expressed are not necessarily those of BT.",
        "The official Google Desktop Blog is powered by Blogger",
        "Fièrement propulsé par WordPress",
        "Die hier geäußerten Meinungen sind nicht unbedingt die der Redaktion.",
        "Las opiniones expresadas en este blog son responsabilidad exclusiva de sus autores.",
        "Le opinioni espresse dagli autori non necessariamente riflettono quelle della testata.",
    ],
)
def test_publisher_footers_removed(line: str) -> None:
    assert claimed(publisher_footers, [line]) == [0]


@pytest.mark.parametrize(
    "line",
    [
        "The copyright dispute went to court in 2019.",
        "The article was published in 2019 by Le Monde.",
        "He said the views expressed were his own, and the plant is powered by coal.",
        "The startup's blog, powered by its own software, drew critics of WordPress.",
    ],
)
def test_publisher_footers_keep_text(line: str) -> None:
    assert claimed(publisher_footers, [line]) == []


def test_contact_editor_and_name_removed() -> None:
    assert claimed(contact_lines, ["Contact Editor", "Gabe Kahn,", PARAGRAPH]) == [0, 1]
    assert claimed(contact_lines, ["Contact Editor: Gabe Kahn", PARAGRAPH]) == [0]


def test_contact_keeps_following_paragraph() -> None:
    assert claimed(contact_lines, ["Contact Editor", PARAGRAPH]) == [0]
    assert claimed(contact_lines, ["Contact the editor of the paper for comment, he said."]) == []


DAWN_WIDGET = [
    "Opinion",
    "Editorial",
    "Military convictions",
    "Updated 22 Dec, 2024",
    "Military convictions",
    "Pakistan's democracy cannot afford such compromises on core democratic values.",
    "Need for talks",
    "22 Dec, 2024",
    "Need for talks",
    "FOR a long time now, the country...",
    "Vulnerable vaccinators",
    "22 Dec, 2024",
    "Vulnerable vaccinators",
    "THE campaign to...",
]


def test_related_article_list_removed_whole() -> None:
    lines = [PARAGRAPH, PARAGRAPH, *DAWN_WIDGET]
    assert claimed(related_article_lists, lines) == list(range(2, len(lines)))


def test_dated_live_blog_entries_are_not_a_list() -> None:
    lines = []
    for hour in ("10:02", "10:30", "11:15"):
        lines += [f"Updated 22 Dec 2024 {hour} GMT", PARAGRAPH + " " + PARAGRAPH]
    assert claimed(related_article_lists, lines) == []


def test_related_heading_and_links_removed() -> None:
    lines = [
        PARAGRAPH,
        "More from Middle East Eye",
        "Iran vows revenge",
        "Gaza talks stall",
        PARAGRAPH,
    ]
    assert claimed(related_headings, lines) == [1, 2, 3]


def test_related_heading_keeps_subheadings() -> None:
    assert claimed(related_headings, [PARAGRAPH, "More pressure on Assad", PARAGRAPH]) == []


def test_title_appears_once_and_leaves_body() -> None:
    title = "Syria: Iraqi militias provide Assad support"
    second = PARAGRAPH + " Again."
    cleaned = clean_lines([title, title, PARAGRAPH, title, second], take_title=True)
    assert cleaned.title == title
    assert cleaned.lines == [PARAGRAPH, second]
    assert [r.rule for r in cleaned.removed] == ["title", "title", "title"]


def test_repeats_are_judged_once_clutter_between_them_is_gone() -> None:
    cleaned = clean_lines([PARAGRAPH, "Subscribe to our newsletter", PARAGRAPH])
    assert cleaned.lines == [PARAGRAPH]
    assert [r.rule for r in cleaned.removed] == ["newsletter", "repeated"]


def test_known_title_is_removed_from_extracted_text() -> None:
    cleaned = clean_lines(["Headline here", PARAGRAPH], title="Headline Here")
    assert cleaned.lines == [PARAGRAPH]


def test_paragraph_first_line_is_not_taken_as_title() -> None:
    cleaned = clean_lines([PARAGRAPH, PARAGRAPH + " Again."], take_title=True)
    assert cleaned.title is None
    assert len(cleaned.lines) == 2


def test_repeated_caption_lines_removed_with_their_first_copy() -> None:
    cleaned = clean_lines(["Sergei Lavrov", "Sergei Lavrov", PARAGRAPH])
    assert cleaned.lines == [PARAGRAPH]
    assert [r.rule for r in cleaned.removed] == ["caption-repeated", "repeated"]


def test_a_lead_printed_twice_above_the_article_is_kept_once() -> None:
    """A scrape that puts the article's summary before its text repeats the lead: one copy
    of it is the article's first paragraph, in text mode as well."""
    from cleaner import clean_text

    lead = (
        "Güney Amerika ülkesi Brezilya'da salgın nedeniyle son 24 saatte 435 kişi hayatını "
        "kaybetti."
    )
    rest = [
        "Sağlık Bakanlığından yapılan açıklamaya göre ülkede ölenlerin sayısı 5 bin 901'e, "
        "virüsün görüldüğü kişi sayısı da 85 bin 218'e yükseldi.",
        "Nüfusu 210 milyona yaklaşan Brezilya, Latin Amerika'da salgından en çok etkilenen "
        "ülke konumunda bulunuyor ve hastaneler doluluk sınırına yaklaşıyor.",
    ]
    cleaned = clean_lines([lead, lead, *rest])
    assert cleaned.lines == [lead, *rest]
    text = "\n\n".join(["Brezilya'da 435 kişi öldü", lead, lead + "?", *rest])
    doc = clean_text(text)
    assert doc.text.split("\n\n") == [lead, *rest]


def test_repeated_long_paragraph_keeps_one_copy() -> None:
    cleaned = clean_lines([PARAGRAPH, PARAGRAPH])
    assert cleaned.lines == [PARAGRAPH]
    assert [r.rule for r in cleaned.removed] == ["repeated"]


def test_subheadings_and_quotes_stay() -> None:
    lines = [
        "Pro-Assad camp reacts",
        PARAGRAPH,
        '"I would consider it fair for President Bashar al-Assad to resign," he said.',
    ]
    assert clean_lines(lines, GENERIC_FILTERS).lines == lines


def test_every_removal_is_recorded_once() -> None:
    lines = split_lines(
        "Skip to main content\n\n" + PARAGRAPH + "\n3 min read\n\u00a0\nRead more: X\n"
    )
    cleaned = clean_lines(lines)
    assert cleaned.lines == [PARAGRAPH]
    assert sorted(r.text for r in cleaned.removed) == [
        "3 min read",
        "Read more: X",
        "Skip to main content",
    ]


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("09 April, 2017", "2017-04-09"),
        ("Veröffentlicht am 12. März 2024", "2024-03-12"),
        ("Publié le 12 avril 2024", "2024-04-12"),
        ("Publicado el 3 de mayo de 2023", "2023-05-03"),
        ("segunda-feira, 22 de janeiro de 2018 às 0:13", "2018-01-22"),
        ("2019-11-18", "2019-11-18"),
        ("Published 12.03.2024", "2024-03-12"),
        ("Posted 11/18/2019", "2019-11-18"),
        ("Posted 03/04/2019", None),
        ("Updated 22 Dec", None),
    ],
)
def test_dates_in_several_languages(line: str, iso: str | None) -> None:
    assert parse_date(line) == iso


def test_updated_at_a_time_is_a_date_line() -> None:
    assert is_date_line("Updated at 1:23 p.m.")
    assert not is_date_line("At 1:23 the train left.")


@pytest.mark.parametrize(
    "line",
    [
        "Subscribe to continue reading",
        "Already have an account? Log in",
        "You have reached your free article limit.",
        "Déjà abonné ? Connectez-vous",
        "This content is only available to subscribers.",
    ],
)
def test_paywalls_removed(line: str) -> None:
    assert claimed(paywalls, [line]) == [0]


def test_paywall_filter_keeps_reporting_about_paywalls() -> None:
    line = "The newspaper said subscribers had already reached 200,000, and that the paywall would stay."
    assert claimed(paywalls, [line]) == []


def test_tag_lists_removed_with_their_label() -> None:
    lines = [PARAGRAPH, "Tags", "stock car 2018, interlagos, calendar", PARAGRAPH]
    assert claimed(tag_lines, lines) == [1, 2]
    assert claimed(tag_lines, ["Filed Under: Politics, Syria, Russia"]) == [0]


def test_tag_filter_keeps_sentences_that_start_like_a_label() -> None:
    assert claimed(tag_lines, ["Topics ranged from the budget to the war in Syria, he said."]) == []


@pytest.mark.parametrize(
    "line",
    [
        "Pick Six Newsletter",
        "Thanks for signing up!",
        "Keep an eye on your inbox for the latest news.",
        "There was an error processing your subscription.",
    ],
)
def test_newsletter_box_messages_removed(line: str) -> None:
    assert claimed(newsletter_prompts, [line]) == [0]


@pytest.mark.parametrize(
    "line",
    [
        "Click to share on Facebook (Opens in new window)",
        "Like this story? Share it with a friend!",
        "- Order Reprints",
    ],
)
def test_share_and_reprint_widgets_removed(line: str) -> None:
    assert claimed(nav_lines, [line]) == [0]


def test_reporter_address_line_removed() -> None:
    assert claimed(contact_lines, ["Write to Al Root at allen.root@example.com"]) == [0]
    assert claimed(contact_lines, ["He said he would write to the minister at once."]) == []


def test_a_zero_comment_counter_does_not_cut_the_article() -> None:
    lines = [PARAGRAPH, "0 Comments", PARAGRAPH, PARAGRAPH]
    assert claimed(comment_boxes, lines) == [1]  # the counter goes, the article stays


def test_lines_above_the_headline_in_extracted_html() -> None:
    second = PARAGRAPH.replace("Thursday", "Friday")
    lines = ["Night mode is a new camera setting", "Headline of the day", PARAGRAPH, second]
    cleaned = clean_lines(lines, title="Headline of the day")
    assert cleaned.lines == [PARAGRAPH, second]
    assert [r.rule for r in cleaned.removed] == ["before-headline", "title"]


@pytest.mark.parametrize("prefix", ["Re:", "RE: ", "AW:", "Odp:", "Ynt:", "Απ:", "Re[2]:"])
def test_a_posts_subject_repeating_the_threads_title_goes_with_the_title(prefix: str) -> None:
    title = "Laptop lost its Wi-Fi after the update"
    lines = [title, PARAGRAPH, f"{prefix} {title}", PARAGRAPH.replace("Thursday", "Friday")]
    cleaned = clean_lines(lines, title=title)
    assert [r.rule for r in cleaned.removed] == ["title", "title"]
    # A reply that only starts like it is a post.
    reply = f"Re: {title}, mine did too and the fix was a new driver."
    assert clean_lines([title, PARAGRAPH, reply], title=title).lines == [PARAGRAPH, reply]


def test_a_lead_paragraph_above_the_headline_is_the_articles() -> None:
    """Some pages' text puts the article's first paragraph above the headline: a paragraph
    of prose on the article's topic stays there; a promo above the headline still goes."""
    lead = (
        "BELGRADE, Serbia — Twenty years ago the city council rejected the plan for the new "
        "harbour bridge, and today the same council has voted for the bridge and its budget."
    )
    promo = (
        "The best photographs of the week, chosen by our picture editors, from the floods in "
        "the south to the snow in the mountains and a rare white stork seen near the lake."
    )
    article = [
        "The council voted for the harbour bridge on Monday after a long debate about its "
        "budget, which the opposition had called far too high for a city of this size.",
        "Work on the bridge is to start next spring, and the council expects the harbour "
        "crossing to open to traffic within three years of that.",
    ]
    article += [f"{line} ({number})" for number in range(6) for line in article]
    lines = [lead, promo, "Headline of the day", *article]
    cleaned = clean_lines(lines, title="Headline of the day")
    assert cleaned.lines == [lead, *lines[3:]]
    assert [(r.rule, r.text) for r in cleaned.removed] == [
        ("before-headline", promo),
        ("title", "Headline of the day"),
    ]


def test_related_heading_takes_a_teaser_list_but_not_the_article() -> None:
    teaser = "Forecasters expect winds of up to 110 km/h on Friday night."
    listing = ["Sur le même sujet", "Alerte tempête", teaser, "Nouvelle école", teaser, PARAGRAPH]
    assert claimed(related_headings, listing) == [0, 1, 2, 3, 4]
    inline = ["Related", "Iran vows revenge", "The talks resumed on Monday in Geneva.", PARAGRAPH]
    assert claimed(related_headings, inline) == [0, 1]


def test_title_from_page_title_prefers_the_headline() -> None:
    lines = [
        "Stadtrat sperrt Hafenbrücke | Flussbote",
        "Startseite",
        "Stadtrat sperrt Hafenbrücke",
        PARAGRAPH,
    ]
    cleaned = clean_lines(lines, take_title=True)
    assert cleaned.title == "Stadtrat sperrt Hafenbrücke"


@pytest.mark.parametrize(
    "line",
    [
        "<a href='http://ads.example.com/click.php?n=ab2e' target='_blank'><img src='x.gif' /></a>",
        '<div id="tracking"><IMG SRC="http://ad.example.net/pixel;sz=1x1" width="1" height="1">',
        "<!-- begin ad tag (tile=1) -->",
        "<SCRIPT LANGUAGE=\"JavaScript1.1\">if (document.layers) {document.write('<SCR')}",
        "var adSlots = {ad1: {id: 1, size: '728x90'}};",
        "newsi.bbccom.AdConfigurator = function(){ this._zoneFile = '/js/zonefile.js';",
        "* @param {Object} name",
        "}",
        "#toolbar a { color: #fff; text-decoration: none; }",
    ],
)
def test_markup_and_script_printed_as_text_removed(line: str) -> None:
    assert claimed(markup_lines, [line]) + claimed(script_lines, [line]) != []


@pytest.mark.parametrize(
    "line",
    [
        PARAGRAPH,
        "For those who have yet to watch <The Palace: Tale of Jang Noksu>, do it now.",
        "* The calendar has 36 races, and only the top 12 fight for the title.",
        "Women, Blogging, and Boundaries from the Marketing Blog -->GrokDotCom by Future Now",
        "The app breaks from the guidelines for functionality (it pans both ways), he said.",
        "Use the tag <b> for bold and <i> for italics, the style guide says in its first part.",
        "Der Preis (inkl. MwSt.) gilt für alle Bestellungen; Versand nach Absprache.",
    ],
)
def test_markup_and_script_filters_keep_prose(line: str) -> None:
    assert claimed(markup_lines, [line]) == claimed(script_lines, [line]) == []


def test_scraped_text_of_a_broken_page_loses_its_markup_and_keeps_its_article() -> None:
    """What a naive scraper prints for a page whose title was never closed: the head's
    scripts and ad tags as text, then the article."""
    from cleaner import RuleSet, clean_text

    article = [
        "The harbour council voted on Tuesday to rebuild the old wooden pier, which has been "
        "closed since a storm damaged its supports two winters ago.",
        "Councillors backed the plan by nine votes to four after a debate of almost three "
        "hours, in which opponents argued for spending the money on flood defences.",
        "Work is due to start in the spring and should take about eighteen months, during "
        "which the fishing boats will use a temporary pontoon.",
    ]
    head = [
        "Harbour News | Councilnews library-->",
        '<script src="/js/shared/site.js" language="JavaScript"></script>',
        "var adSlots = {ad1: {id: 1, size: '728x90'}, ad2: {id: 2, size: '160x600'}};",
        "if (typeof(site) == 'object') { site.setAds(adSlots); }",
        '<link type="text/css" rel="stylesheet" href="/css/screen/shared/ads.css" />',
    ]
    doc = clean_text("\n\n".join([*head, *article]), rules=RuleSet())
    assert doc.text.split("\n\n") == article
    assert {r.rule for r in doc.removed} >= {"markup", "script"}


# Spaces of every kind, control characters, edge punctuation, underscores, letters and
# digits of several scripts: what the comparison keys are made of.
_KEY_TEXT = st.text(alphabet=" \t\n\r\x00\x1f\x85\u00a0\u2009\u3000\ufeff_.-!'’«ab1É²ßİΣς٣中")


@given(st.one_of(_KEY_TEXT, st.text()))
def test_keys_and_spacing_are_what_the_plain_patterns_give(text: str) -> None:
    """normalise and the space mending are written for speed; these are their definitions."""
    assert _SPACE_TO_MEND.sub(" ", text) == _SPACE.sub(" ", text)
    assert collapse_spaces(text) == _SPACE.sub(" ", text).strip()
    assert normalise(text) == _EDGE_PUNCT.sub("", _SPACE.sub(" ", text).casefold()).strip()


def test_a_comment_count_beside_the_posts_date_is_its_byline() -> None:
    """A blog's sidebar blurb, then the post: its date and comment count above the headline;
    the comments' own heading further down still opens them."""
    lines = [PARAGRAPH, "November 1, 2012 |", "5 Comments", "Pan-Fried Polenta", PARAGRAPH]
    cut = set(claimed(comment_boxes, lines))
    assert not cut & {3, 4}
    comments = ["Leave a Reply", "A reader's comment on the recipe."]
    assert {5, 6} <= set(claimed(comment_boxes, [*lines, *comments]))


@pytest.mark.parametrize(
    "line",
    [
        "Notify me of followup comments via e-mail",
        "Notify me of new posts by email.",
        "Benachrichtige mich über nachfolgende Kommentare via E-Mail.",
        "Prévenez-moi de tous les nouveaux commentaires par e-mail.",
        "Avvisami via e-mail in caso di nuovi commenti",
        "Powiadom mnie o kolejnych komentarzach poprzez e-mail.",
        "Yeni yorumları bana e-posta ile bildir.",
    ],
)
def test_a_comment_forms_follow_by_email_boxes_go(line: str) -> None:
    lines = [PARAGRAPH, line, PARAGRAPH]
    assert claimed(comment_boxes, lines) == [1]


def test_a_wikis_reference_notes_are_not_the_article() -> None:
    """Each note opens with the mark that links back to its citation, in any language; an
    arrow before a figure is a market's move, not a note."""
    lines = [
        "Haldenbrunn liegt am Rand der Schwäbischen Alb, etwa zwölf Kilometer von Reutlingen.",
        "Einzelnachweise",
        "- ↑ Eugen Schnaidt: Die Urkunden des Klosters Zwiefalten bis 1300. Stuttgart 1958.",
        "^ a b Smith, John (2001). A History of the Valley. London: Example Press.",
        "↑ 3.2% on the day after the vote",
    ]
    kept = clean_lines(lines, GENERIC_FILTERS)
    assert [r.rule for r in kept.removed if r.text in lines[2:4]] == ["references", "references"]
    assert lines[0] in kept.lines and lines[4] in kept.lines


ARCHIVED_MESSAGE = [
    "De: Rodrigo Ferraz <rodrigo em exemplo.org>",
    "Data: Tue, 12 Mar 2024 14:22:10 -0300",
    "Assunto: Re: [caju-dev] Falha ao compilar o plugin com GCC 13",
    "Message-ID: <e81c0f4a em exemplo.org>",
    "Oi Luana,",
    "> src/plugins/ortografia/dicionario.cpp:214:18: error: 'uint32_t' was not declared",
    "A partir do GCC 13 a libstdc++ deixou de incluir o cstdint indiretamente, então "
    "qualquer arquivo que usa uint32_t sem incluir o cabeçalho quebra.",
    "Abraços,",
    "Rodrigo",
    "--",
    "Rodrigo Antunes Ferraz",
    "Mantenedor do Caju - https://caju.org.br",
    "Chave GPG: 0x7A3F 91C2 E4B0 55D8",
    "_______________________________________________",
    "caju-dev mailing list",
    "https://lists.exemplo.org/listinfo/caju-dev",
]


def test_an_archived_messages_header_signature_and_list_footer_go_and_its_body_stays() -> None:
    """The header fields (labelled in Portuguese by the archive), the signature under its
    separator and the list's footer under its rule go; the body, quoted line and greeting
    included, stays."""
    cleaned = clean_lines(ARCHIVED_MESSAGE, GENERIC_FILTERS)
    assert cleaned.lines == ARCHIVED_MESSAGE[4:9]
    rules = {r.text: r.rule for r in cleaned.removed}
    assert rules["Message-ID: <e81c0f4a em exemplo.org>"] == "mail-header"
    assert rules["Chave GPG: 0x7A3F 91C2 E4B0 55D8"] == "signature"
    assert rules["caju-dev mailing list"] == "list-footer"


def test_an_example_email_in_an_article_and_a_dash_line_in_prose_stay() -> None:
    """An article that shows an email to send ("To: / From: / Subject:", no date sent) keeps
    it; two dashes followed by paragraphs of prose are no signature separator."""
    example = [
        "To: editor@example.com",
        "From: you@yourcompany.com",
        "Subject: Quick question",
        "Hey, I loved your piece on remote teams and wondered whether you would take a guest "
        "post on how small agencies run their weekly planning without a project manager.",
    ]
    assert clean_lines(example, GENERIC_FILTERS).lines == example
    prose = [
        "--",
        "The second part of the story begins a year later, when the council finally agreed "
        "to fund the bridge and the first lorries arrived at the river with the steel.",
    ]
    assert clean_lines(prose, GENERIC_FILTERS).lines[-1] == prose[-1]


@pytest.mark.parametrize(
    "heading",
    ["Similar threads", "Читайте також", "Berita Terkait", "ข่าวที่เกี่ยวข้อง", "相关新闻",
     "اخبار مرتبط", "Chủ đề tương tự", "Benzer Haberler:"],
)  # fmt: skip
def test_related_headings_in_many_languages_take_their_list(heading: str) -> None:
    """The heading over a list of other stories, in the page's language, goes with the list;
    the prose after the list stays."""
    lines = [
        heading,
        "Storm cuts power to 400 villages",
        "Trains run late across the west",
        "The council said on Friday that the repairs would take at least two more weeks, "
        "and asked residents to report fallen lines to the emergency number.",
    ]
    assert list(related_headings(lines)) == [(0, "related"), (1, "related"), (2, "related")]
