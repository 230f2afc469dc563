"""Pages that are mostly content keep their content (issue 13, point 3).

The dev corpora are news pages, where most of a page is clutter and cutting hard pays. On a
forum thread, a mailing-list message, a documentation page, a long essay or a recipe, most
of the page is content, and the short lines (ingredients, headings, quoted lines) are part
of it. A second forum thread, in Russian and in phpBB's layout, has a header of a dozen
short lines (name, rank, post count, join date, "Quote") above each post; a second
mailing-list message, in German, is wrapped at 72 characters, its nouns in capitals on
either side of every break; a Spanish recipe's ingredients are a quantity, a unit and a
name in three inline elements ("500" / "g" / "de harina de trigo" in a naive scrape); a
Japanese blog post's sentences break at every link in a naive scrape, with no capitals to
say that a line goes on; a Dutch government press release ends in a contact block; a
Hindi news report holds a table of figures (a cell a line in a naive scrape) between its
paragraphs, and Hindi's vowel signs are not word characters to `\\w`; a German thread in
Discourse's markup wraps each post's <article> in a frame of its own, marks the opening
poster's posts with one more class, and opens with a greeting the extractor joins to the
paragraph under it; a Persian news report writes its words' parts apart with zero-width
non-joiners, which trafilatura drops as unprintable. These pages were
written for the tests, each with its content beside it (tests/fixtures/content/<page>
.content.txt); cleaning, from HTML and from the page's naive text, must keep at least 95%
of the content's words.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bench.naive import naive_text
from cleaner import clean_html, clean_text
from cleaner.clean.markup import hide_joiners
from tests.conftest import FIXTURES

PAGES = sorted((FIXTURES / "content").glob("*.html"))
KEEP_AT_LEAST = 0.95
_WORD = re.compile(r"\w+")


def words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))


def kept_share(output: str, content: str) -> float:
    """The share of the content's words (with their counts) found in the output."""
    wanted = words(content)
    return sum((words(output) & wanted).values()) / sum(wanted.values())


def content_of(page: Path) -> str:
    return page.with_name(f"{page.stem}.content.txt").read_text("utf-8")


def test_the_kinds_of_page_are_there() -> None:
    assert [page.stem for page in PAGES] == [
        "blog_post_ja",
        "documentation",
        "essay",
        "forum_thread",
        "forum_thread_discourse_de",
        "forum_thread_ru",
        "mailing_list",
        "mailing_list_de",
        "news_fa",
        "news_table_hi",
        "press_release_nl",
        "recipe",
        "recipe_es",
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_html_mode_keeps_the_content(page: Path) -> None:
    doc = clean_html(page.read_text("utf-8"), url=f"https://example.org/{page.stem}")
    assert doc.status == "ok", doc.reason
    assert kept_share(doc.text, content_of(page)) >= KEEP_AT_LEAST, doc.removed


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_text_mode_keeps_the_content(page: Path) -> None:
    doc = clean_text(naive_text(page.read_text("utf-8")), url=f"https://example.org/{page.stem}")
    assert doc.status == "ok", doc.reason
    assert kept_share(doc.text, content_of(page)) >= KEEP_AT_LEAST, doc.removed


def test_the_measure_sees_a_lost_paragraph() -> None:
    """Losing one of the essay's seven paragraphs takes the share below the bar."""
    content = content_of(FIXTURES / "content" / "essay.html")
    assert kept_share(content, content) == 1.0
    assert kept_share("\n".join(content.splitlines()[1:]), content) < KEEP_AT_LEAST


def test_a_thread_of_comments_is_not_taken_for_the_content() -> None:
    """The same page with its posts marked as comments: comments under an article are not
    its text, so only what the extractor chose stays."""
    thread = (FIXTURES / "content" / "forum_thread.html").read_text("utf-8")
    page = thread.replace('class="post"', 'class="comment"')
    posts = clean_html(thread, url="https://example.org/thread").text
    comments = clean_html(page, url="https://example.org/comments").text
    assert "wholemeal rye" in posts
    assert "wholemeal rye" not in comments


def test_a_question_page_keeps_its_answers() -> None:
    """A Q&A page marked up with schema.org's QAPage (StackExchange's layout): fast mode takes
    the question's container, and the answers, each in a container of its own, are the
    rest of the content. The answerers' cards, the votes and the comments stay out."""
    page = FIXTURES / "qa" / "qa_page.html"
    doc = clean_html(page.read_text("utf-8"), url="https://example.org/questions/1")
    assert doc.status == "ok", doc.reason
    assert kept_share(doc.text, content_of(page)) >= KEEP_AT_LEAST
    assert "answered Mar" not in doc.text
    assert "hard-coding 1440" not in doc.text and "the class with" not in doc.text  # comments


def test_a_question_page_without_markup_keeps_its_question_and_answers() -> None:
    """A Japanese Q&A page with no schema.org markup: trafilatura takes the question and the
    answers, readability the best answer alone. The question's and the answers' bodies are
    elements of one kind in different places, so the vote does not drop them as comments;
    and Japanese paragraphs, a few "words" each between their commas, count as paragraphs."""
    page = FIXTURES / "qa" / "qa_page_ja.html"
    doc = clean_html(page.read_text("utf-8"), url="https://example.org/qa/1")
    assert doc.status == "ok", doc.reason
    assert kept_share(doc.text, content_of(page)) >= 0.85
    assert "6年間住んだ賃貸マンション" in doc.text  # the question
    assert "元不動産管理会社勤務です。" in doc.text  # another answer
    assert "tak***さん" not in doc.text and "参考になる" not in doc.text  # cards, votes


def test_zero_width_joiners_come_through_html_extraction() -> None:
    """Written as characters or as any of their entities, the joiners are in the text
    where the page had them, in the body and in the title."""
    body = "<p>" + " ".join(["کتاب&zwnj;ها را می&#8204;خوانم و دوست&#x200C;ها می\u200cآیند."] * 12)
    page = f"<html><head><title>خبر\u200cها</title></head><body><article>{body}</p></article></body></html>"
    doc = clean_html(page, url="https://example.org/fa")
    assert doc.status == "ok", doc.reason
    assert "کتاب\u200cها را می\u200cخوانم و دوست\u200cها می\u200cآیند." in doc.text
    assert doc.title == "خبر\u200cها"
    assert "\u2bd1" not in doc.text


def test_a_page_that_uses_a_stand_in_symbol_is_left_as_it_is() -> None:
    """The stand-ins are rare symbols; a page that holds one (a chart of signs, say) keeps
    it, and its joiners go the way trafilatura sends them."""
    assert hide_joiners("<p>a\u200cb \u2bd1</p>") is None
    assert hide_joiners("<p>plain text</p>") is None
    assert hide_joiners("<p>a&ZWNJ;b</p>") == "<p>a\u2bd1b</p>"
