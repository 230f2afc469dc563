"""The per-document pipeline: rules/extract -> filters -> language.

Everything here works on one document at a time and holds no state between documents, so
it can run in any number of worker processes; corpus-level stages (near copies) come after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from lxml.html import HtmlElement

from cleaner.clean.block_kinds import BlockSettings, stopwords_for
from cleaner.clean.blocks import boilerplate_blocks, extracted_blocks
from cleaner.clean.dates import parse_date
from cleaner.clean.extract import (
    MAX_MARKUP_CHARS,
    ExtractionError,
    load_html,
    main_text,
    parse_page,
)
from cleaner.clean.filters import GENERIC_FILTERS, SCRAPED_TEXT_FILTERS, clean_lines
from cleaner.clean.glued import boilerplate_only, unglue
from cleaner.clean.langid import DEFAULT_PREFIX_CHARS, DEFAULT_SEED, detect_language
from cleaner.clean.markup import hide_joiners, restore_joiners
from cleaner.clean.recall import (
    in_two_posts,
    may_continue,
    missed_answers,
    missed_continuation,
    missed_records,
    page_lines,
)
from cleaner.clean.rules import RuleSet, RuleTimeout, SiteRules, load_rules
from cleaner.clean.second_opinion import (
    TAKE_ABOVE_RATIO,
    disagreed_blocks,
    found_apart,
    may_disagree,
    may_take_second,
    missed_lead,
    page_words,
    readability_text,
    starts_under_headline,
    worth_a_second_look,
)
from cleaner.clean.text import (
    Judge,
    ends_sentence,
    extracted_lines,
    prose_words,
    split_blocks,
    word_count,
)
from cleaner.document import Document, RawDocument, Removal


@dataclass(frozen=True)
class CleanConfig:
    """Settings for cleaning one document; the same object goes to every worker.

    `rules=None` means the rule files shipped with cleaner; `RuleSet()` means none.
    """

    rules: RuleSet | None = None
    languages: frozenset[str] | None = None
    # Plain text: judge every block by length and stopword density and keep the article's
    # stretch. HTML: trafilatura selected the content; drop the menus it took in (lines that
    # are whole links). Both measured on ScrapingHub with bench/quality.py.
    classify_text_blocks: bool = True
    classify_html_blocks: bool = True
    blocks: BlockSettings = field(default_factory=BlockSettings)
    # HTML: when the page goes on with several paragraphs after the extracted text, they are
    # the rest of an article split over several containers (see cleaner.clean.recall).
    recover_continuation: bool = True
    # HTML: when trafilatura's fast mode found only part of the article, the readability
    # algorithm's answer is taken if it says several times more (cleaner.clean.second_opinion).
    second_opinion: bool = True
    # HTML: short blocks that the readability algorithm's article leaves out are dropped when
    # it is a tighter cut of the same text (cleaner.clean.second_opinion.disagreed_blocks).
    agreement: bool = True
    # Clutter glued into paragraphs (cookie banners, captcha walls, newsletter forms) is
    # judged sentence by sentence (see cleaner.clean.glued).
    unglue_sentences: bool = True
    lang_seed: int = DEFAULT_SEED
    lang_prefix_chars: int = DEFAULT_PREFIX_CHARS
    # HTML markup (after scripts and styles are dropped) above which a page is refused.
    max_markup_chars: int = MAX_MARKUP_CHARS


@lru_cache(maxsize=1)
def shipped_rules() -> RuleSet:
    """The rule files shipped with cleaner, loaded once per process (read-only)."""
    return load_rules()


def _config(rules: RuleSet | None, config: CleanConfig | None) -> CleanConfig:
    base = config or CleanConfig()
    return replace(base, rules=rules) if rules is not None else base


def clean_text(
    text: str,
    url: str | None = None,
    site: str | None = None,
    rules: RuleSet | None = None,
    config: CleanConfig | None = None,
    doc_id: str = "text",
    title: str | None = None,
) -> Document:
    """Clean text that a scrape already extracted (no DOM left).

    Args:
        text: the page's text, one block a line.
        url: where it came from, to pick the site's rules by host.
        site: a rule file id to use, when neither URL nor fingerprints would find it.
        rules: rule files to use (default: the shipped ones).
        config: other settings (language filter, seed).
        doc_id: the id the Document carries.
        title: the title, when the scrape stored it apart from the text ("": it has none);
            lines repeating it are removed. Unknown (None): a headline-like first line is
            taken as the title.

    Returns:
        The Document; it never raises on bad content (status and reason say what happened).
    """
    raw = RawDocument(id=doc_id, kind="text", content=text, url=url, site=site, title=title)
    return clean_document(raw, _config(rules, config))


def clean_html(
    html: str,
    url: str | None = None,
    rules: RuleSet | None = None,
    config: CleanConfig | None = None,
    doc_id: str = "html",
) -> Document:
    """Clean an HTML page: the site's stripping, trafilatura, then the text filters."""
    raw = RawDocument(id=doc_id, kind="html", content=html, url=url)
    return clean_document(raw, _config(rules, config))


def clean_documents(
    docs: Iterable[RawDocument], rules: RuleSet | None = None, config: CleanConfig | None = None
) -> Iterator[Document]:
    """Clean a stream of documents lazily, one Document out for each one in."""
    settings = _config(rules, config)
    for raw in docs:
        yield clean_document(raw, settings)


def clean_document(raw: RawDocument, config: CleanConfig) -> Document:
    """Clean one document; failures become its status and reason, never an exception."""
    if config.rules is None:
        config = replace(config, rules=shipped_rules())
    doc = Document(id=raw.id, source=raw.source, kind=raw.kind, url=raw.url)
    doc.chars_in = len(raw.content)
    if raw.error:
        return _failed(doc, raw.error)
    if not raw.content.strip():
        return _failed(doc, "empty input")
    rules = config.rules or RuleSet()
    try:
        site = rules.get(raw.site) if raw.site else None
        if raw.site and site is None:
            return _failed(doc, f"unknown site {raw.site!r}")
        if raw.kind == "html":
            hidden = hide_joiners(raw.content)
            _clean_html_into(doc, hidden or raw.content, site, rules, config)
            if hidden is not None:
                _restore_joiners(doc)
        else:
            doc.title = raw.title or None
            _clean_text_into(doc, raw.content, site, rules, config, title=raw.title)
    except (ExtractionError, RuleTimeout) as error:
        return _failed(doc, str(error))
    if doc.status != "ok":
        return doc
    doc.date = doc.date or raw.date
    wall = boilerplate_only(doc)
    if wall:
        doc.status, doc.reason = "dropped", f"no article: only boilerplate ({wall})"
        return doc
    if not doc.text:
        doc.status, doc.reason = "dropped", "no article text left after cleaning"
        return doc
    if config.languages is not None and doc.lang not in config.languages:
        doc.status, doc.reason = "dropped", "lang"
    return doc


def _restore_joiners(doc: Document) -> None:
    """The zero-width joiners back in everything read from a page (see `hide_joiners`)."""
    doc.text = restore_joiners(doc.text)
    doc.title = restore_joiners(doc.title) if doc.title else doc.title
    doc.sitename = restore_joiners(doc.sitename) if doc.sitename else doc.sitename
    doc.removed = [Removal(r.rule, restore_joiners(r.text)) for r in doc.removed]


def _failed(doc: Document, reason: str) -> Document:
    doc.status, doc.reason = "error", reason
    return doc


def _clean_html_into(
    doc: Document, html: str, site: SiteRules | None, rules: RuleSet, config: CleanConfig
) -> None:
    page = parse_page(html, doc.url, config.max_markup_chars)
    site = site or rules.for_url(doc.url) or rules.for_url(page.meta.url)
    doc.url = page.meta.url or doc.url
    doc.title = page.meta.title
    doc.date = page.meta.date
    doc.sitename = page.meta.sitename
    try:
        text = main_text(
            page,
            prune_xpath=site.prune_xpath if site else (),
            options=site.trafilatura_options if site else None,
        )
    except ExtractionError:
        text = ""
    thread = False
    if text:
        _clean_text_into(doc, text, site, rules, config, title=page.meta.title, links=page.links)
        if config.recover_continuation:
            # Finding a Q&A page's markup walks the whole tree: only pages that name it do.
            thread = _recover_the_rest(doc, page.tree, qa_page="QAPage" in html)
    words, page_size = word_count(doc.text), page_words(page.tree)
    ask = config.second_opinion and may_take_second(words, page_size)
    # A thread's posts are the content by the page's structure: a second extractor that
    # took one post of it has no say on the others.
    vote = config.agreement and not thread and may_disagree(doc.text.split("\n\n"))
    # The second extractor is the tree's last reader: it may change it rather than a copy.
    second = readability_text(page.tree, last_reader=True) if ask or vote else ""
    worth = ask and worth_a_second_look(words, word_count(second), page_size)
    apart = bool(second and doc.text) and found_apart(doc.text, second)
    other = None
    if worth or apart:
        other = replace(doc, removed=[])
        _clean_text_into(other, second, site, rules, config, page.meta.title, page.links)
    if worth and other is not None and word_count(other.text) >= TAKE_ABOVE_RATIO * max(1, words):
        _take_second(doc, other)
        return
    if not text and not doc.text:
        raise ExtractionError("no main text found in HTML")
    # The second extractor changed the tree: the headline is looked for in the page as
    # parsed again (on the few pages whose two answers are apart).
    if (
        apart
        and other is not None
        and found_apart(doc.text, other.text)
        and starts_under_headline(
            parse_page(html, doc.url, config.max_markup_chars).tree,
            page.meta.title,
            doc.text,
            other.text,
        )
    ):
        _take_second(doc, other)
        return
    if vote and doc.text and second:
        thread = not _keep_agreed(doc, second, lambda: load_html(html))
    lead = missed_lead(doc.text, second) if second and doc.text and not thread else []
    if lead:
        opening = replace(doc, removed=[])
        _clean_text_into(opening, "\n".join(lead), site, rules, config, page.meta.title, page.links)
        _prepend(doc, opening)


def _prepend(doc: Document, opening: Document) -> None:
    """The article's opening paragraphs, which the first extractor missed, cleaned alone."""
    if opening.text and opening.status == "ok":
        doc.text = f"{opening.text}\n\n{doc.text}"
        doc.removed = [*opening.removed, *doc.removed]


def _take_second(doc: Document, other: Document) -> None:
    """The second extractor's article, cleaned, in place of the first's."""
    doc.text, doc.removed, doc.lang, doc.lang_prob = (
        other.text, other.removed, other.lang, other.lang_prob
    )  # fmt: skip


def _recover_the_rest(doc: Document, tree: HtmlElement, qa_page: bool = False) -> bool:
    """Add what the extractor left of an article split over containers, or of a thread
    (every post, when it took one; a Q&A page's answers, on a page that names its markup);
    whether the text is a thread's posts."""
    kept = doc.text.split("\n\n") if doc.text else []
    if kept and may_continue(tree, kept):
        found = missed_continuation(kept, page_lines(tree))
        if found:
            doc.text = "\n\n".join([doc.text, *found])
    thread = missed_records(tree, kept) or (missed_answers(tree, kept) if qa_page else None)
    if thread:
        doc.text = "\n\n".join(thread)
    return bool(thread)


def _keep_agreed(doc: Document, second: str, tree: Callable[[], HtmlElement | None]) -> bool:
    """Drop the blocks that the second extractor's article leaves out (with their rule);
    False when what it leaves out are other posts of a thread (nothing is dropped then).

    readability takes one container: on a Q&A page or a thread, one post. When the vote
    would drop a good part of the text, in paragraphs, the page (parsed again: readability
    changed it) is asked whether the longest of them and the first block kept sit in two
    posts of one kind (`in_two_posts`); an article's comment section is of another kind.
    """
    blocks = doc.text.split("\n\n")
    dropped = disagreed_blocks(blocks, second)
    if _other_posts(blocks, dropped):
        kept = next(block for block, drop in zip(blocks, dropped, strict=True) if not drop)
        longest = max(
            (block for block, drop in zip(blocks, dropped, strict=True) if drop),
            key=prose_words,
        )
        page = tree()
        if page is not None and in_two_posts(page, kept, longest):
            return False
    if any(dropped):
        doc.removed.extend(
            Removal("extractors-disagree", block)
            for block, drop in zip(blocks, dropped, strict=True)
            if drop
        )
        doc.text = "\n\n".join(b for b, drop in zip(blocks, dropped, strict=True) if not drop)
    return True


# What the vote must drop before the page is asked whether it drops posts: this share of
# the text's words, with a block of a paragraph's length among them (about 3% of the dev
# corpora's pages, so the second parse is rare).
_POSTS_SHARE = 0.25
_POST_MIN_WORDS = 15


def _other_posts(blocks: list[str], dropped: list[bool]) -> bool:
    """Whether what the vote drops may be other posts: much of the text, in paragraphs,
    with something kept."""
    if all(dropped) or not any(dropped):
        return False
    sizes = [prose_words(block) for block in blocks]
    gone = [size for size, drop in zip(sizes, dropped, strict=True) if drop]
    return sum(gone) >= _POSTS_SHARE * sum(sizes) and max(gone) >= _POST_MIN_WORDS


def _clean_text_into(
    doc: Document,
    text: str,
    site: SiteRules | None,
    rules: RuleSet,
    config: CleanConfig,
    title: str | None,
    links: frozenset[str] | None = None,
) -> None:
    # An extractor's lines are whole elements, but for layout tables' rows and paragraphs
    # its fallback broke at links; scraped text has lost its elements and is read in blocks.
    lines = extracted_lines(text, links) if links is not None else split_blocks(text)
    site = site or rules.for_url(doc.url) or rules.for_text(lines)
    if config.unglue_sentences:
        unglued = unglue(lines)
        lines = unglued.lines
        doc.removed.extend(unglued.removed)
    guess = detect_language(prose_sample(lines, config.lang_prefix_chars), config.lang_seed)
    doc.lang, doc.lang_prob = guess.lang, guess.prob
    generic = GENERIC_FILTERS if links is not None else (*SCRAPED_TEXT_FILTERS, *GENERIC_FILTERS)
    filters = (*site.text_filters(), *generic) if site else generic
    stopwords = stopwords_for(guess.lang)
    judge: Judge | None = None
    if links is not None:
        if config.classify_html_blocks:
            judge = extracted_blocks(stopwords, links, config.blocks)
    elif config.classify_text_blocks:
        judge = boilerplate_blocks(stopwords, config.blocks)
    cleaned = clean_lines(lines, filters, title=title, take_title=title is None, judge=judge)
    doc.site = site.id if site else None
    if site:
        doc.sitename = site.name
    doc.title = doc.title or cleaned.title
    if doc.date is None and cleaned.date_line:
        doc.date = parse_date(cleaned.date_line)
    doc.removed.extend(cleaned.removed)
    doc.text = "\n\n".join(cleaned.lines)


# Lines this long are prose; menus and headlines are shorter and say little of the language.
_PROSE_MIN_WORDS = 8


def prose_sample(lines: list[str], limit: int) -> str:
    """The page's prose lines (or all of it, if it has none), up to `limit` characters:
    its long lines that end a sentence, else its long lines."""
    long = [line for line in lines if prose_words(line) >= _PROSE_MIN_WORDS]
    # Sentences first: a command line or a list of tags is long too, and in another script.
    prose = [line for line in long if ends_sentence(line)] or long or lines
    sample, size = [], 0
    for line in prose:
        sample.append(line)
        size += len(line) + 1
        if size >= limit:
            break
    return "\n".join(sample)
