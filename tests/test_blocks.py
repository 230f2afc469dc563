"""Block classification (text mode), link runs (HTML mode) and recovering split articles."""

from __future__ import annotations

import lxml.html

from cleaner import clean_text
from cleaner.clean.block_kinds import (
    BlockSettings,
    Kind,
    classify,
    stopword_density,
    stopwords_for,
    text_length,
)
from cleaner.clean.blocks import (
    _whole_content,
    best_span,
    boilerplate_blocks,
    extracted_blocks,
)
from cleaner.clean.line_runs import headline_runs, profile_fields, teaser_runs, thread_start
from cleaner.clean.recall import missed_continuation, page_lines
from cleaner.clean.text import normalise, split_blocks, word_count

SETTINGS = BlockSettings()
GERMAN = (
    "Die Außenminister trafen sich am Montag in Genf, um über eine Waffenruhe zu sprechen. "
    "Die Gespräche endeten jedoch ohne Einigung, weil die Delegationen über die Freilassung "
    "der Gefangenen uneins waren, wie ein Sprecher des Ministeriums am Abend mitteilte."
)
FRENCH = (
    "Les ministres des Affaires étrangères se sont réunis lundi à Genève pour discuter d'un "
    "cessez-le-feu, mais les discussions se sont terminées sans accord, les délégations étant "
    "en désaccord sur la libération des prisonniers, a indiqué un porte-parole dans la soirée."
)
ENGLISH = (
    "The foreign ministers met in Geneva on Monday to discuss a ceasefire, but the talks ended "
    "without agreement after the delegations disagreed over the release of prisoners, a "
    "spokesman for the ministry said in the evening."
)


def test_prose_is_judged_with_its_own_languages_stopwords() -> None:
    for text, lang in ((GERMAN, "de"), (FRENCH, "fr"), (ENGLISH, "en")):
        assert classify(text, stopwords_for(lang), SETTINGS) is Kind.GOOD
    # With the wrong language's stoplist the same prose looks like a list of names.
    assert classify(GERMAN, stopwords_for("en"), SETTINGS) is Kind.BAD
    assert classify(FRENCH, stopwords_for("de"), SETTINGS) is Kind.BAD


def test_languages_without_a_stoplist_use_punctuation() -> None:
    assert stopwords_for("zh-cn") == frozenset()
    sentence = "这是一个很长的句子，用来测试没有停用词表的语言是否仍然可以被判断为正文内容。" * 3
    assert classify(sentence, frozenset(), SETTINGS) is Kind.GOOD
    assert text_length("中文") == 6


def test_menus_around_a_german_article_are_dropped() -> None:
    menu = ["Startseite", "Politik", "Wirtschaft", "Sport", "Kultur", "Wetter", "Impressum"]
    lines = [*menu, GERMAN, "Kritik vom Handel", GERMAN.replace("Montag", "Dienstag"), *menu]
    judge = boilerplate_blocks(stopwords_for("de"))
    claimed = dict(judge(lines, {}))
    kept = [line for i, line in enumerate(lines) if i not in claimed]
    assert kept == [GERMAN, "Kritik vom Handel", GERMAN.replace("Montag", "Dienstag")]


def test_best_span_is_the_highest_scoring_stretch() -> None:
    assert best_span([-5, 10, -3, 10, -50, 8]) == (1, 4)
    assert best_span([-1, -2]) == (0, 0)


def test_teaser_lists_are_found_and_subheaded_articles_are_not() -> None:
    teaser = "Forecasters expect winds of up to 110 km/h on Friday night along the coast."
    listing = []
    for headline in (
        "Storm warning",
        "New school opens",
        "Ferry timetable changes",
        "Library reopens",
    ):
        listing += [headline, teaser]
    assert teaser_runs(listing, {}) == set(range(len(listing)))
    article = ["Storm warning", ENGLISH, ENGLISH, "What comes next", ENGLISH, ENGLISH]
    assert teaser_runs(article, {}) == set()
    # An article's own ranking, numbered in order, has the same shape and is no list of
    # other stories; numbered out of order, it still is one.
    ranking = []
    for number, name in enumerate(("Angelina Jolie", "Bono", "Desmond Tutu", "Bill Gates"), 1):
        ranking += [f"{number}. {name}", teaser]
    assert teaser_runs(ranking, {}) == set()
    shuffled = [ranking[i] for i in (2, 3, 0, 1, 6, 7, 4, 5)]
    assert teaser_runs(shuffled, {}) == set(range(len(shuffled)))


def test_fragments_of_a_sentence_are_joined() -> None:
    text = "Il\nblack Friday\nincombe su di noi: per chi\n(o per chi è sbarcato)\n\nSecond block\n"
    assert split_blocks(text) == [
        "Il black Friday incombe su di noi: per chi (o per chi è sbarcato)",
        "Second block",
    ]
    assert split_blocks("Japan's\nNikkei 225\n(N225) declined 0.3%.") == [
        "Japan's Nikkei 225 (N225) declined 0.3%."
    ]
    # Whole lines stay apart: a caption repeated, a name after a label.
    assert split_blocks("Sergei Lavrov\nSergei Lavrov\nContact Editor\nGabe Kahn,") == [
        "Sergei Lavrov",
        "Sergei Lavrov",
        "Contact Editor",
        "Gabe Kahn,",
    ]


WRAPPED = """Am Dienstag hat der Stadtrat den neuen Fahrplan der Fähren beschlossen. Ab
März fahren vier Schiffe mehr am Tag, nachdem Pendler von der Insel ein Jahr
lang über Verspätungen geklagt hatten. Die Kosten von rund zweihunderttausend
Euro im Jahr sollen aus den Parkgebühren am neuen Parkhaus am Hafen kommen.

Die Opposition stimmte dagegen. Das Geld gehöre in die Buslinien, die die
Dörfer im Norden der Insel anbinden, sagte ihr Sprecher nach der Sitzung am
Abend. Eine Anhörung zum Winterfahrplan beginnt im nächsten Monat.
"""


def test_a_text_wrapped_at_a_fixed_width_is_read_a_paragraph_a_block() -> None:
    """Each break of an e-mail's paragraphs is where the next word did not fit, whatever its
    case; lines of about that length that could have gone on are a list, and stay lines."""
    assert split_blocks(WRAPPED) == [
        " ".join(paragraph.split()) for paragraph in WRAPPED.strip().split("\n\n")
    ]
    headlines = [
        "Harbour council approves the new ferry timetable for the island",
        "Opposition: the money belongs to the buses",
        "Ferry operator needs two new engines before the winter months",
        "Consultation opens next month",
        "Parking revenue at the terminal to pay for four extra crossings",
        "Commuters welcome the decision",
        "Island villages ask for a bus every hour on weekdays and Sundays",
        "A new car park at the terminal",
        "Late crossings: a year of complaints from commuters in numbers",
        "Mayor to take the first ferry",
    ]
    assert split_blocks("\n".join(headlines)) == headlines


def test_an_amount_split_at_its_inline_elements_is_one_line() -> None:
    """A scrape puts a blank line between the spans of an ingredient; a count over comments
    and a site's name after a share count stay lines."""
    text = "Para la masa\n\n500\n\ng\n\nde harina de trigo\n\n1\n\ncucharadita\n\nde sal\n"
    assert split_blocks(text) == [
        "Para la masa",
        "500 g de harina de trigo",
        "1 cucharadita de sal",
    ]
    assert split_blocks("3 Comments\n\nleave one →") == ["3 Comments", "leave one →"]
    assert split_blocks("1\n\ndigg\n\nexample.org") == ["1 digg", "example.org"]


def test_a_word_set_apart_by_inline_code_inside_a_sentence_is_joined() -> None:
    """Inline code or a linked name starts with a capital, but the sentence stops mid-way
    before it and goes on after it in lower case; a word after a finished sentence, or a
    capitalised line followed by a capitalised one, stays a line."""
    text = "To turn them on, pass a\nRetryPolicy\ninstance to the\nClient\nconstructor."
    joined = "To turn them on, pass a RetryPolicy instance to the Client constructor."
    assert split_blocks(text) == [joined]
    assert split_blocks("The policy is on.\nSettings\nare listed below.") == [
        "The policy is on.",
        "Settings are listed below.",
    ]
    assert split_blocks("Read more from the\nGuardian\nSport") == [
        "Read more from the",
        "Guardian",
        "Sport",
    ]


def test_a_sentence_without_spaces_broken_at_its_inline_elements_is_one_line() -> None:
    """Chinese and Japanese have no capitals to say that a line goes on: a sentence broken
    where inline code or a link sits is joined where the script changes, or after a comma;
    menu entries, in one script or two, hold no comma or stop and stay lines."""
    text = (
        "当前工作目录下的\ntidesync.yaml\n；\n\n"
        "在终端中运行\ntidesync init\n命令，程序会生成示例配置。\n\n"
        "具体方法，请参阅\n同步规则\n一章。\n"
    )
    assert split_blocks(text) == [
        "当前工作目录下的 tidesync.yaml；",
        "在终端中运行 tidesync init 命令，程序会生成示例配置。",
        "具体方法，请参阅同步规则一章。",
    ]
    assert split_blocks("首页\n入门\n用户指南\nHTTP API\n常见问题") == [
        "首页",
        "入门",
        "用户指南",
        "HTTP API",
        "常见问题",
    ]
    # A sentence that ends, or introduces what follows, is not continued by the next line.
    assert split_blocks("示例配置如下：\n安装\n\n运行完成。\nAPI 参考") == [
        "示例配置如下：",
        "安装",
        "运行完成。",
        "API 参考",
    ]


def test_link_lines_in_extracted_html_are_dropped_with_what_they_cut_off() -> None:
    menu = ["Home", "News", "Sport", "Weather", "Contact"]
    lines = [
        *menu,
        "Tiny teaser",
        *menu,
        ENGLISH,
        "A subheading",
        ENGLISH,
        "| 12 | 4 |",
        "Next story",
    ]
    links = frozenset(normalise(x) for x in [*menu, "Next story"])
    claimed = dict(extracted_blocks(frozenset(), links)(lines, {}))
    kept = [line for i, line in enumerate(lines) if i not in claimed]
    assert kept == [ENGLISH, "A subheading", ENGLISH, "| 12 | 4 |"]


def test_printed_addresses_are_not_taken_for_menus() -> None:
    lines = [ENGLISH, "1) Lego set", "https://amzn.to/abc", "2) Toy car", "https://amzn.to/def"]
    links = frozenset(normalise(x) for x in lines if x.startswith("https"))
    assert dict(extracted_blocks(frozenset(), links)(lines, {})) == {}


def test_page_lines_follow_block_elements() -> None:
    tree = lxml.html.fromstring(
        "<html><head><title>T</title><script>var x;</script></head><body><nav><a>Home</a>"
        " <a>News</a></nav><p>One <a href='#'>linked</a> sentence.</p><div>Two<br>Three</div>"
        "</body></html>"
    )
    assert page_lines(tree) == ["Home News", "One linked sentence.", "Two", "Three"]


STORY = [
    "The foreign ministers met in Geneva on Monday to discuss a ceasefire in the north.",
    "Talks ended without agreement after the delegations disagreed over prisoner releases.",
    "A spokesman for the ministry said in the evening that both sides would meet again soon.",
    "Aid groups warned that fuel and medicine were running out in the besieged towns.",
    "The United Nations envoy is expected to visit both capitals before the end of the month.",
    "Diplomats said a draft resolution could reach the Security Council within two weeks.",
]


def test_an_article_split_over_containers_is_continued() -> None:
    paragraphs = [f"{line} {ENGLISH}" for line in STORY]
    page = ["Menu", *paragraphs[:2], "Advertisement", *paragraphs[2:], "More stories", "Link"]
    assert missed_continuation(paragraphs[:2], page) == paragraphs[2:]


def test_a_short_tail_of_prose_is_not_taken_for_a_continuation() -> None:
    bio = "Anna Berg covers transport and city politics for the paper and has written about the harbour for ten years, since she joined from the regional desk in the capital."
    page = [ENGLISH, ENGLISH + " Again.", "About the author", bio, "Newsletter", "Footer"]
    assert missed_continuation([ENGLISH, ENGLISH + " Again."], page) == []


def test_paragraphs_of_a_text_already_kept_run_together_are_no_continuation() -> None:
    """A page that prints its article twice, run together in one block and then paragraph
    by paragraph: the paragraphs are the article again, not more of it."""
    paragraphs = [
        f"Paragraph {n} of the harbour story: the council voted on the pier, and the traders "
        f"on the promenade said the closure had cost them {n + 2} summers of visitors."
        for n in range(6)
    ]
    whole = " ".join(paragraphs)
    page = ["Menu", whole, "Photo: the pier in 1930", *paragraphs, "More stories", "Link"]
    assert missed_continuation([whole], page) == []
    # A real continuation after such a block is still found.
    more = [f"{line} {ENGLISH}" for line in STORY[:4]]
    assert missed_continuation([whole], [*page[:3], *more]) == more


def test_an_article_printed_twice_keeps_its_first_copy() -> None:
    """The page's text holds the article twice (a hidden or print copy below it): the
    first copy is the article; repeated menus still go every time."""
    article = [
        "Hill bought three of the players as presents for his children last week.",
        "He said one of the devices had been returned to the store by a previous buyer.",
        "Hill questioned why the store would sell used goods as new, against its own rules.",
        "He declined the offer of a new player and has kept the old one as evidence.",
    ]
    menu = ["Home", "News", "Sport", "Contact us"]
    lines = [*menu, *article, "Share this story", *article, *menu, "Copyright News One"]
    claimed = dict(boilerplate_blocks(stopwords_for("en"))(lines, {}))
    kept = [line for i, line in enumerate(lines) if i not in claimed]
    assert kept == article
    # A single prose line printed twice (a promotion at the top and the bottom) is no copy
    # of a text: both go.
    promo = "Sign up to our morning briefing and get the day's news in your inbox."
    lines = [promo, *article, promo]
    claimed = dict(boilerplate_blocks(stopwords_for("en"))(lines, {}))
    assert claimed.get(0) and claimed.get(5)


def test_a_list_the_article_introduces_stays_in_it() -> None:
    """Short list items cost a stretch of text as menus do; a list that the article
    introduces with a colon is its own, and the paragraph after it is not cut off."""
    intro = (
        "The update brings several changes for European users of the phone, and the "
        "maker says it will reach every country by the end of the month. Here is what changed:"
    )
    items = ["- Quick Office 5.3", "- Ovi Store 1.5", "- Mail for Exchange 2.9", "- Maps 3.0"]
    after = (
        "Users who do not want to wait can install the update from the maker's website, "
        "where the full list of fixes and known problems is also published for each model."
    )
    menu = ["• Home", "• Phones", "• Tablets", "• Contact"]
    lines = [*menu, intro, *items, after, *menu]
    claimed = dict(boilerplate_blocks(stopwords_for("en"))(lines, {}))
    kept = [line for i, line in enumerate(lines) if i not in claimed]
    assert kept == [intro, *items, after]


BLOG_POST = [
    "The race for the nomination has tightened in Iowa, where the latest polls show the "
    "former governor's lead down to the low single digits after a month of attacks.",
    "His campaign has answered with a new advertisement on evangelical radio stations, "
    "while his rivals spend the last days before the caucuses in the state's eastern towns.",
    "Turnout will decide it: a strong showing among young voters, who rarely come out in "
    "January, could upset every poll published so far, the campaign's pollster said.",
    "In New Hampshire the picture is different, and the winner there may carry Michigan "
    "too, which would give him a lot of momentum heading into South Carolina and Florida.",
    "Whatever happens on Thursday, the field will be smaller by the end of the month, and "
    "the candidates who stay in will need money as much as votes to reach the big states.",
    "Both parties' caucuses start at seven in the evening, local time.",
]
COMMENTS = []
for number, (name, text) in enumerate(
    [
        ("Travis Pahl", "I think the polls are missing the young voters entirely this time."),
        ("Bruce Guthrie", "Travis, you are probably right about that, but turnout decides."),
        ("Hairy Buddah", "The Giuliani slide is what surprises me most in all of this."),
        ("Ben Anderson", "Bush lost Iowa and won New Hampshire in 2000; they flipped in 2004."),
    ],
    1,
):
    COMMENTS += ["Posted by:", f"{name} on December 29, 2007 0{number}:11 PM", text]


def test_a_comment_thread_after_the_article_is_cut_in_text_mode() -> None:
    """Records alike (a poster label, a name and a time) after an article are its
    comments; the same records from the top of a page are a thread, which is the content."""
    judge = boilerplate_blocks(stopwords_for("en"))
    lines = [*BLOG_POST, *COMMENTS, "Archives", "Contact"]
    claimed = dict(judge(lines, {}))
    assert [line for i, line in enumerate(lines) if i not in claimed] == BLOG_POST
    assert thread_start(lines, 0, len(lines)) == len(BLOG_POST)
    # A thread from the top of the page (a forum) has no article before its records.
    thread = [BLOG_POST[0], *COMMENTS]
    assert thread_start(thread, 0, len(thread)) == len(thread)


def test_repeated_labels_with_dates_inside_an_article_do_not_cut_it() -> None:
    """Embedded posts quoted in an article ("— name (@handle)" and a date line) and an
    "Advertisement" label between paragraphs that mention years are no comment thread."""
    judge = boilerplate_blocks(stopwords_for("en"))
    article = []
    for paragraph in BLOG_POST:
        article += [paragraph, "Advertisement", f"Since 2008 the state has voted early. {ENGLISH}"]
    claimed = dict(judge(article, {}))
    kept = [line for i, line in enumerate(article) if i not in claimed]
    assert all(paragraph in kept for paragraph in BLOG_POST)


SHORT_STORY = [
    "People from all over the world are coming to London to see the Olympic Games.",
    "Scott and Kathy Cleveland from Idaho are among the thousands making the trip.",
    "They made a home-made movie about their preparations for the visit.",
]
BLURB = (
    "This page is best viewed in an up-to-date web browser with style sheets enabled. While "
    "you will be able to view the content of this page in your current browser, you will not "
    "be able to get the full visual experience. Please consider upgrading your browser "
    "software or enabling style sheets if you are able to do so, and read our help pages."
)


def test_a_short_article_under_its_headline_outweighs_one_long_blurb() -> None:
    """A stretch of a few sentences that starts under the headline is the article, unless
    the best stretch elsewhere is much stronger: one long browser notice is not."""
    judge = boilerplate_blocks(stopwords_for("en"))
    headline = "Scott and Kathy Cleveland are coming to the Olympics"
    menu = ["Home", "News", "Sport", "Weather", "Olympics"]
    footer = [*menu, "Contact us", "About the BBC", "Privacy", "Cookies", "Help"] * 2
    lines = ["BBC News - " + headline, *menu, headline, "24 July 2012", *SHORT_STORY, *footer]
    lines.append(BLURB)
    title = {len(menu) + 1: "title"}
    claimed = dict(judge(lines, title))
    assert [line for i, line in enumerate(lines) if i not in claimed] == SHORT_STORY
    # Without the headline in the text there is nothing to anchor the article: the
    # longest stretch wins, as it does when the page's title line is only its first line.
    for claims in {}, {0: "title"}:
        kept = [line for i, line in enumerate(lines) if i not in dict(judge(lines, claims))]
        assert kept == [BLURB]


SIGNED_COMMENTS = []
for number, (name, text) in enumerate(
    [
        ("Ellen", "Sixty for a low when the high is over a hundred is not cool at all."),
        ("Toni", "This weather makes me weep, and the humidity is no better here."),
        ("Gina", "We have the cool nights machine in Pittsburgh and we keep it."),
    ],
    1,
):
    SIGNED_COMMENTS += [text, f"Posted by: {name} at September 10, 2012 0{number}:40 PM"]


def test_a_thread_of_signed_comments_is_cut_in_both_modes() -> None:
    """Comments signed under each ("Posted by: name at date") follow the author's own
    signature; the thread, signature and all, goes in text and in HTML mode."""
    lines = [*BLOG_POST, "Posted by Laurie at September 10, 2012 9:01 AM", *SIGNED_COMMENTS]
    assert thread_start(lines, 0, len(lines)) == len(BLOG_POST)
    for judge in boilerplate_blocks(stopwords_for("en")), extracted_blocks(frozenset(), set()):
        claimed = dict(judge(lines, {}))
        assert [line for i, line in enumerate(lines) if i not in claimed] == BLOG_POST


def test_one_authors_stamped_entries_and_embedded_posts_are_no_thread() -> None:
    """A live report signs every entry with one name; embedded posts quoted in an article
    are introduced by a dash and their author's stamp line. Neither is cut."""
    update = "The count in the eastern towns goes on, and the lead has changed hands again."
    live = [*BLOG_POST]  # entries after enough prose that a thread would be cut there
    for hour in range(1, 5):
        live += [update, f"Posted by Menzie Chinn at 0{hour}:10 PM"]
    assert thread_start(live, 0, len(live)) == len(live)
    tweet = "Polls in the east close at eight, and the lines are long everywhere tonight."
    quoting = [*BLOG_POST]
    for number in range(1, 5):
        quoting += [tweet, "—", f"Reader {number} (@reader{number}) November 02, 2012", update]
    assert thread_start(quoting, 0, len(quoting)) == len(quoting)
    claimed = dict(extracted_blocks(frozenset(), set())(quoting, {}))
    assert quoting[-1] not in {quoting[i] for i in claimed}


HEADLINES = [
    "Newcastle midfielder charged with assault after nightclub incident",
    "Keegan arrival to take headlines as top pair battle on",
    "Federer spoils home favourite's show with quick-fire win",
    "Beer sales could fall victim to tournament disruptions",
    "Non-league side advance to play Liverpool in the cup",
    "Police defend pepper spray use on tournament crowd",
    "Liverpool see off Luton challenge in replay",
]


def test_a_run_of_headlines_is_a_list_of_other_stories_but_a_schedule_is_not() -> None:
    judge = boilerplate_blocks(stopwords_for("en"))
    lines = [*BLOG_POST, *HEADLINES]
    claimed = dict(judge(lines, {}))
    assert [line for i, line in enumerate(lines) if i not in claimed] == BLOG_POST
    assert headline_runs(HEADLINES, {}) == set(range(len(HEADLINES)))
    schedule = [
        f"June {day} – {city} @ {hall}"
        for day, city, hall in [
            (9, "West Palm Beach, FL", "Coral Sky Amphitheatre"),
            (10, "Tampa, FL", "Credit Union Amphitheatre"),
            (14, "Alpharetta, GA", "Bank Amphitheatre"),
            (17, "Nashville, TN", "Bridgestone Arena"),
            (19, "Charlotte, NC", "Music Pavilion"),
            (20, "Raleigh, NC", "Walnut Creek Music Park"),
        ]
    ]
    assert headline_runs(["The band's tour dates", *schedule], {}) == set()


def test_a_link_that_a_filter_took_still_cuts_the_article_off() -> None:
    # A blog in a layout table: the post, then the sidebar's headings, links and blurb.
    lines = [
        ENGLISH,
        "Latest Book",
        "more books by the author",
        "Syndication",
        "Crypto-Gram Newsletter",
        "If you prefer to receive the author's comments on security as a monthly e-mail "
        "digest, subscribe to the sister publication, a newsletter sent on the fifteenth.",
    ]
    links = frozenset(normalise(x) for x in ["more books by the author", "Crypto-Gram Newsletter"])
    newsletter = {4: "newsletter"}  # what the newsletter filter claims, before the judge
    claimed = dict(extracted_blocks(frozenset(), links)(lines, newsletter))
    assert [i for i in range(len(lines)) if i not in claimed and i not in newsletter] == [0, 1]


def test_the_cards_under_a_threads_posts_go_and_an_articles_labelled_lists_stay() -> None:
    """A forum prints the poster's card under each post: labels that recur, one of them a
    count. A listicle's "Role: …" lines and one label under two photos are content."""
    post = "Добрый вечер. Ситуация довольно типичная, за последний месяц это третья тема."
    card = ["- Модератор", "- Сообщения: 8912", "- Зарегистрирован: 3 фев 2015", "- Откуда: Казань"]
    lines = [post, *card, post.replace("Добрый", "Хороший"), *card]
    assert dict(profile_fields(lines)) == {i: "user-info" for i in (2, 3, 4, 7, 8, 9)}
    listicle = ["Roots: Daughter of Meryl Streep", "Role: Meskada", "Roots: Niece", "Role: Goats"]
    assert dict(profile_fields(listicle)) == {}
    photos = ["Photo: AP 2012", ENGLISH, "Photo: AP 2013"]
    assert dict(profile_fields(photos)) == {}


DOCS_PROSE = [
    f"Part {n}: the client sends the request again when the server does not answer in time, "
    "and it waits a little longer before each new attempt so that a server which is already "
    "busy is not flooded with the same request over and over again by all of its clients."
    for n in range(6)
]
CODE = ["from", "skiff", "import", "Client", "policy", "=", "RetryPolicy", "(", "max_attempts",
        "=", "4", ")", "client", "=", "Client", "(", "retry", "=", "policy", ")"]  # fmt: skip
TABLE = ["Parameter", "Type", "Default", "max_attempts", "int", "3", "backoff", "float", "0.5"]


def test_a_page_that_is_mostly_content_keeps_the_parts_its_code_and_tables_cut_apart() -> None:
    """Code samples and tables are a short line each in scraped text: on a manual they cut
    the text into parts, each a stretch of its own. When the prose outside the best stretch
    is as much as inside it and several paragraphs long, the article runs from the first
    paragraph of prose to the last; with time stamps in between (comments) it does not."""
    menu = ["Home", "Docs", "Tutorials", "Blog"]
    parts = [*DOCS_PROSE[:2], *CODE, *DOCS_PROSE[2:4], *TABLE, *DOCS_PROSE[4:]]
    doc = clean_text("\n".join(["Retries and timeouts", *menu, *parts, "© 2024 Skiff"]))
    assert all(paragraph in doc.text for paragraph in DOCS_PROSE)
    assert "Tutorials" not in doc.text
    # What would be added: with a time stamp (comments) or a comment section the filters
    # found, the best stretch stays as it is.
    lines = [*DOCS_PROSE[:4], *TABLE, *DOCS_PROSE[4:]]
    kinds = [classify(line, stopwords_for("en"), SETTINGS) for line in lines]
    best = (len(lines) - 2, len(lines))

    def runs(lines: list[str], claimed: dict[int, str]) -> set[int]:
        return teaser_runs(lines, claimed) | headline_runs(lines, claimed)

    assert _whole_content(lines, {}, kinds, best, runs(lines, {})) == (0, len(lines))
    stamps = ["Posted by reader1 at 12:03 PM", "Posted by reader2 at 12:09 PM"]
    timed = [*lines[:5], *stamps, *lines[7:]]
    assert _whole_content(timed, {}, kinds, best, runs(timed, {})) == best
    claimed = {5: "comments"}
    assert _whole_content(lines, claimed, kinds, best, runs(lines, claimed)) == best


def test_words_keep_their_vowel_signs_and_points() -> None:
    """A word of an Indic or Thai script, or Arabic with its vowel points, or Vietnamese
    written with combining tones, is one word: `\\w` alone cuts them at every mark."""
    assert word_count("किसान परेशान हैं") == 3
    assert word_count("ถ้าถามว่า น่าน") == 2
    assert word_count("مُحَمَّد رَسُول") == 2
    assert word_count("Vie\u0323\u0302t Nam") == 2


def test_hindi_prose_has_the_stopword_density_of_prose() -> None:
    """jusText's thresholds (0.30 to 0.32) hold for Hindi once its words are whole."""
    paragraph = (
        "भारत मौसम विज्ञान विभाग के ताज़ा आंकड़ों के अनुसार, 1 जून से अब तक देशभर में "
        "सामान्य से 18 प्रतिशत कम बारिश दर्ज की गई है। मध्य भारत में यह कमी 29 प्रतिशत तक "
        "पहुंच गई है, लेकिन महाराष्ट्र के विदर्भ क्षेत्र तक आने के बाद उसकी रफ़्तार धीमी पड़ गई।"
    )
    assert stopword_density(paragraph, stopwords_for("hi")) > 0.4


PHOTO_POST_STEPS = [
    "For each purchase of a shirt, you get a set of two cards with the characters on them, "
    "and the set is the same for every size.",
    "If you buy two shirts then you end up with two sets, which makes four cards in all and "
    "one of each character.",
    "We also have a few carry cases, in the blue version and in the red one, and there are "
    "not many of either of them.",
    "The cases come folded in packs so that they fit in a bag without creasing, and each of "
    "them holds a set of cards.",
    "Each poster comes with a card, so if you buy all ten of the posters you will take ten "
    "cards of the set home with you.",
    "All purchases come with a free bag that has the artwork printed on both sides, one in "
    "each of the two styles.",
    "Here are the prices, since many of the sellers do not tell you what they ask until you "
    "reach the hall itself.",
    "This is where we are: in hall seven, right next to the shop at the entrance, and I will "
    "be there when I am not on stage.",
]


PHOTO_POST_OPENING = [
    "Last weekend the convention opened its doors again, and for the first time I had a booth "
    "of my own in the hall next to the main stage, which meant three days of meeting readers "
    "in person.",
    "Many of you asked what we would bring and how much it would cost, so here is the whole "
    "list with pictures, before the doors open and the queues begin on Saturday.",
]


def photo_post(steps: list[str]) -> list[str]:
    """A blog's menu, the post's opening, then each step under a photo's three lines."""
    lines = ["Home", "Blog", "Gallery", "Shop", "About me", "Contact", *PHOTO_POST_OPENING]
    for number, step in enumerate(steps):
        lines += [f"Img ID#{1593 + number} Title:", "Photo: Mei Tanaka", "Click to enlarge", step]
    return lines


def test_a_photo_posts_paragraphs_between_picture_lines_are_kept_and_its_teasers_not() -> None:
    """A blog post told in pictures: two paragraphs, then a short paragraph under each of
    eight photos, each photo leaving three short lines in the scraped text. The best stretch
    is the opening; the stretch grows across the photos' lines to every paragraph, and stops
    before the list of other posts."""
    lines = photo_post(PHOTO_POST_STEPS)
    teasers = ["My first convention trip", "How I pack for a weekend away", "Ten cafes to visit"]
    lines += ["Related posts", *teasers, "Comments are closed."]
    doc = clean_text("\n".join(lines), url="https://example.org/blog/booth")
    paragraphs = doc.text.split("\n\n")
    expected = PHOTO_POST_OPENING + PHOTO_POST_STEPS
    assert [p for p in paragraphs if p in expected] == expected
    assert not any(teaser in doc.text for teaser in ["Related posts", *teasers])


def test_paragraphs_that_mention_years_are_no_time_stamps_but_comment_headers_are() -> None:
    """The photo post again, its paragraphs now telling the booth's history with years in
    them ("since 2019"), and its comments after it, each under a "Posted by … 5:10 PM"
    header. A sentence with a year is no time stamp: the stretch still grows to every
    paragraph, and stops at the comments."""
    years = [
        f"{step[:-1]}, as every year since {2015 + n}." for n, step in enumerate(PHOTO_POST_STEPS)
    ]
    lines = photo_post(years)
    comments = [
        "I went there last year as well and the queue at the booth was the longest in the "
        "whole hall, so come early if you want one of the carry cases before they are gone.",
        "Thanks for posting the prices in advance, it makes planning the budget for the "
        "weekend so much easier than guessing at the door like we had to do last time.",
    ]
    lines.append("2 Comments")
    for number, comment in enumerate(comments):
        lines += [f"Posted by reader{number} on January 10, 2024 5:{10 + number} PM", comment]
    doc = clean_text("\n".join(lines), url="https://example.org/blog/booth-history")
    paragraphs = doc.text.split("\n\n")
    expected = PHOTO_POST_OPENING + years
    assert [p for p in paragraphs if p in expected] == expected
    assert not any(comment in doc.text for comment in comments)
