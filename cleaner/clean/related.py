"""Lists of other articles: runs of short headlines with dates or teasers, and their headings.

These are structural, not phrases: judged on a line's neighbours, so they work in any
language.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence

from cleaner.clean.dates import is_date_line
from cleaner.clean.text import Claim, ends_sentence, word_count

# --- structural filters -----------------------------------------------------------------

# A teaser in a list of other articles is short; an article paragraph between two dated
# headings (a live blog) is longer, and stops the run from being taken as a list.
_TEASER_MAX_WORDS = 35
_MAX_LINES_BETWEEN_DATES = 5
_HEADING_MAX_WORDS = 6


def related_article_lists(lines: Sequence[str]) -> Iterator[Claim]:
    """Runs of short headline lines punctuated by dates: lists of *other* articles."""
    dated = [index for index, line in enumerate(lines) if is_date_line(line)]
    runs: list[list[int]] = []
    for index in dated:
        if runs and index - runs[-1][-1] <= _MAX_LINES_BETWEEN_DATES:
            runs[-1].append(index)
        else:
            runs.append([index])
    for run in runs:
        if len(run) < 3:
            continue
        first, last = run[0], run[-1]
        if any(word_count(lines[i]) > _TEASER_MAX_WORDS for i in range(first, last + 1)):
            continue
        period = max(b - a for a, b in itertools.pairwise(run))
        start = first
        # Walk back over the first item's headline and the list's own headings.
        while start > 0 and (first - start) < period:
            previous = lines[start - 1]
            if word_count(previous) > _HEADING_MAX_WORDS or ends_sentence(previous):
                break
            start -= 1
        end = last
        # The last item has no date after it: take up to one period of short lines.
        while end + 1 < len(lines) and end - last < period - 1:
            if word_count(lines[end + 1]) > _TEASER_MAX_WORDS:
                break
            end += 1
        for index in range(start, end + 1):
            yield index, "related-list"


_RELATED_HEADING = re.compile(
    r"^((latest|more|also) (from|in|on) .{1,40}|related|recommended|recommended for you|"
    r"trending|trending now|popular|popular now|most read|most popular|most viewed|"
    r"most shared|top stories|latest news|latest stories|latest articles|more stories|"
    r"more news|you (may|might) also like|read next|editor'?s picks|in other news|"
    r"related (articles|stories|news|posts|content|coverage|topics|links|reading)|"
    r"das könnte sie auch interessieren|à lire également|sur le même sujet|"
    r"te puede interesar|noticias relacionadas|"
    r"similar (threads|topics|posts|questions)|related questions|suggested topics|"
    # the same headings in other languages (German, French, Spanish, Italian, Portuguese,
    # Dutch, Polish, Turkish, Russian, Ukrainian, Arabic, Persian, Vietnamese, Indonesian,
    # Chinese, Japanese, Korean, Hebrew, Thai, Hindi)
    r"ähnliche (artikel|themen|beiträge)|mehr zum thema|weitere artikel|meistgelesen|"
    r"articles similaires|à lire aussi|lire aussi|les plus lus|sujets similaires|"
    r"discussions similaires|artículos relacionados|lo más leído|más leídas|temas similares|"
    r"articoli correlati|i più letti|discussioni simili|notícias relacionadas|"
    r"artigos relacionados|mais lidas|mais lidos|tópicos semelhantes|"
    r"gerelateerde artikelen|meest gelezen|podobne artykuły|najczęściej czytane|"
    r"podobne tematy|powiązane artykuły|ilgili haberler|benzer haberler|benzer konular|"
    r"en çok okunanlar|похожие статьи|читайте также|самое читаемое|похожие темы|"
    r"читайте також|схожі статті|найпопулярніше|أخبار ذات صلة|مقالات ذات صلة|"
    r"الأكثر قراءة|مواضيع ذات صلة|اخبار مرتبط|مطالب مرتبط|مطالب پیشنهادی|"
    r"chủ đề tương tự|bài viết liên quan|tin liên quan|tin đọc nhiều|berita terkait|"
    r"artikel terkait|berita lainnya|相关新闻|相关文章|相关阅读|热门新闻|推荐阅读|猜你喜欢|"
    r"関連記事|関連ニュース|人気記事|おすすめ記事|関連する質問|관련\s?기사|많이 본 뉴스|"
    r"כתבות נוספות|כתבות קשורות|הנקראים ביותר|שרשורים דומים|ข่าวที่เกี่ยวข้อง|ข่าวยอดนิยม|"
    r"บทความที่เกี่ยวข้อง|संबंधित ख़बरें|संबंधित खबरें)\s*:?$",
    re.IGNORECASE,
)
_LINK_MAX_WORDS = 25


def related_headings(lines: Sequence[str]) -> Iterator[Claim]:
    """ "Latest from …" and its list of links, up to the next line that reads like prose."""
    index = 0
    while index < len(lines):
        if not _RELATED_HEADING.match(lines[index].strip()):
            index += 1
            continue
        yield index, "related"
        end = _list_end(lines, index + 1)
        yield from ((i, "related") for i in range(index + 1, end))
        index = end


def _list_end(lines: Sequence[str], start: int) -> int:
    """Where a list of links, or of headline-and-teaser items, that starts at `start` ends."""
    links = start
    while links < len(lines) and _is_list_headline(lines[links]):
        links += 1
    items, index = 0, start
    while index + 1 < len(lines) and _is_list_headline(lines[index]):
        teaser = lines[index + 1]
        if _is_list_headline(teaser) or word_count(teaser) > _TEASER_MAX_WORDS:
            break
        items, index = items + 1, index + 2
    # Teasers only count as a list when the pattern repeats: one short paragraph after a
    # single link may be the article going on.
    return index if items >= 2 and index > links else links


def _is_list_headline(line: str) -> bool:
    return word_count(line) <= _LINK_MAX_WORDS and not ends_sentence(line)
