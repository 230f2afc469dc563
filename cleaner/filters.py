"""Generic clutter filters: they work on any site, with or without a rule file.

Every filter is a pure function over the page's non-empty lines that *claims* lines it
recognises as clutter, naming its rule. The runner gives each line to the first filter
that claims it, so the audit trail says exactly one reason per removed line, and filters
never see a half-edited text (structural filters such as the related-list detector need
the original neighbourhood of a line, not what earlier filters left).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from cleaner.document import Removal

Claim = tuple[int, str]
LineFilter = Callable[[Sequence[str]], Iterator[Claim]]
# A judge sees the whole page and what the filters already claimed, and claims the rest of
# what is not article (the block classifier).
Judge = Callable[[Sequence[str], Mapping[int, str]], Iterator[Claim]]

# Whitespace of every kind, and control characters, BOMs and non-characters, which the
# output never holds: a run of them is one space.
_SPACE = re.compile(r"[\s\u00a0\u200b\u2009\u202f\ufeff\x00-\x1f\x7f-\x9f\ufffe\uffff]+")
_WORD = re.compile(r"\w+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


def collapse_spaces(text: str) -> str:
    """One line: every run of whitespace or control characters as one space, trimmed."""
    return _SPACE.sub(" ", text).strip()


def split_lines(text: str) -> list[str]:
    """Non-empty lines with whitespace collapsed (NBSP and zero-width spaces included)."""
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


_CLOSING = frozenset(",.;:!?)]}”’»%…")
_OPENING = frozenset("(“‘«[")


def split_blocks(text: str) -> list[str]:
    """The text's blocks: non-empty lines, with inline fragments joined back together.

    Text taken from a page node by node breaks a paragraph at every link or bold word
    ("said the\nspokesman\n, adding…"). A line that goes on a sentence (it starts in lower
    case or with closing punctuation) and follows directly, with no blank line, is joined
    to the line before it.
    """
    blocks: list[str] = []
    after_blank = True
    for raw in text.splitlines():
        line = _SPACE.sub(" ", raw).strip()
        if not line:
            after_blank = True
            continue
        if blocks and not after_blank and _continues(blocks[-1], line):
            glue = "" if line[0] in _CLOSING or blocks[-1][-1] in _OPENING else " "
            blocks[-1] = blocks[-1] + glue + line
        else:
            blocks.append(line)
        after_blank = False
    return blocks


_POSSESSIVE = ("'s", "’s")


def _continues(previous: str, line: str) -> bool:
    if line[0].islower() or line[0] in _CLOSING or previous[-1] in _OPENING:
        return True
    # "Japan's" + "Nikkei 225" + "(N225) declined…": a possessive, or a parenthesis opening
    # after an unfinished sentence, goes on the same sentence.
    unfinished = not ends_sentence(previous)
    return unfinished and (previous.endswith(_POSSESSIVE) or line[0] == "(")


# Every filter asks these of the same lines; remembering the answers for recent lines (a
# read-only memo of pure functions) halves the time of the text filters.
_MEMO_LINES = 8192


@lru_cache(maxsize=_MEMO_LINES)
def normalise(line: str) -> str:
    """Comparison key: case, spacing and edge punctuation do not make two lines differ."""
    return _EDGE_PUNCT.sub("", _SPACE.sub(" ", line).casefold()).strip()


@lru_cache(maxsize=_MEMO_LINES)
def word_count(line: str) -> int:
    return len(_WORD.findall(line))


def ends_sentence(line: str) -> bool:
    return line.rstrip("\"'”’»)]").endswith((".", "!", "?", "…", "。", "؟", "!"))


# --- line classifiers -------------------------------------------------------------------


def per_line(rule: str, is_clutter: Callable[[str], bool]) -> LineFilter:
    """A filter that judges each line on its own."""

    def line_filter(lines: Sequence[str]) -> Iterator[Claim]:
        for index, line in enumerate(lines):
            if is_clutter(line):
                yield index, rule

    line_filter.__name__ = line_filter.__qualname__ = f"{rule}_lines"
    return line_filter


# Interface strings that are never article text when they stand alone on a line.
_NAV_LINES = frozenset(
    {
        "skip to main content",
        "skip to content",
        "skip to navigation",
        "skip to main navigation",
        "jump to navigation",
        "jump to content",
        "toggle navigation",
        "main menu",
        "menu",
        "open menu",
        "close menu",
        "search",
        "close",
        "home",
        "share",
        "share this",
        "share this article",
        "share this story",
        "share article",
        "tweet",
        "print",
        "email",
        "e-mail",
        "whatsapp",
        "facebook",
        "twitter",
        "linkedin",
        "telegram",
        "reddit",
        "pinterest",
        "copy link",
        "link copied",
        "copied",
        "advertisement",
        "advertisment",
        "sponsored",
        "sponsored content",
        "back to top",
        "scroll to top",
        "go to top",
        "loading",
        "log in",
        "login",
        "sign in",
        "register",
        "subscribe",
        "next article",
        "previous article",
        "next story",
        "previous story",
        "listen to this article",
        "your browser does not support the audio element",
        "your browser does not support the video tag",
        "zum inhalt springen",
        "zum hauptinhalt springen",
        "aller au contenu principal",
        "aller au contenu",
        "ir al contenido",
        "ir al contenido principal",
        "anzeige",
        "werbung",
        "publicité",
        "publicidad",
        "partager",
        "teilen",
        "compartir",
        "order reprints",
        "reprints",
        "print article",
        "print this article",
        "print this page",
        "email this article",
        "this article has been sent to",
        "an error has occurred, please try again later",
        "thank you",
        "view comments",
    }
)
_SHARE_LINE = re.compile(
    r"^(share|post|send|follow( us)?)( (it|this|article|story))? (on|via|to) "
    r"(facebook|twitter|x|whatsapp|linkedin|telegram|email|reddit|pinterest|instagram)$|"
    r"^click to (share|email|print|tweet)\b|\bopens in (a )?new window$|"
    r"^(like|liked|enjoy|enjoyed|love|loved) this (story|article|post)\?.{0,60}$"
)


def is_nav_line(line: str) -> bool:
    key = normalise(line)
    return key in _NAV_LINES or bool(_SHARE_LINE.match(key))


_READING_TIME = re.compile(
    r"^(estimated )?(reading time|read time|lesezeit|temps de lecture|tiempo de lectura)?\s*:?\s*"
    r"(\d+|one|two|three|four|five|ten)\s*[-\u2011 ]?\s*"
    r"(min|mins|minute|minutes|minuten|minutos)\.?\s*"
    r"(read|reading|read time|lesezeit|de lecture|de lectura)?$",
    re.IGNORECASE,
)


def is_reading_time(line: str) -> bool:
    return bool(_READING_TIME.match(line.strip()))


# The twelve months in calendar order, per language, and the usual short forms.
_MONTH_NAMES = {
    "en": "january february march april may june july august september october november december",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
}
_MONTH_SHORT = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12, "jän": 1, "mär": 3, "okt": 10, "dez": 12, "janv": 1,
    "févr": 2, "fevrier": 2, "avr": 4, "juil": 7, "aout": 8, "déc": 12, "decembre": 12,
    "setiembre": 9,
}  # fmt: skip
_MONTH_NUMBER = {
    name: number
    for names in _MONTH_NAMES.values()
    for number, name in enumerate(names.split(), start=1)
} | _MONTH_SHORT
_MONTH_WORDS = frozenset(_MONTH_NUMBER)
_DATE_FILLERS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur "
    "thurs fri sat sun am pm a m p m at on of the st nd rd th de del di le el der am um "
    "gmt utc bst cet cest est edt pst pdt ist pkt ast eet eest msk jst aest h hrs "
    # weekdays and small words of dates in German, French, Spanish, Italian, Portuguese
    "montag dienstag mittwoch donnerstag freitag samstag sonntag uhr den "
    "lundi mardi mercredi jeudi vendredi samedi dimanche à "
    "lunes martes miércoles jueves viernes sábado domingo las a "
    "lunedì martedì mercoledì giovedì venerdì sabato domenica alle ore "
    "segunda terça quarta quinta sexta feira às da do".split()
)
_DATE_LABEL = re.compile(
    r"^(first published|last updated|last modified|published|updated|posted|posted on|"
    r"modified|date|dated|veröffentlicht|aktualisiert|publié le|publié|mis à jour le|"
    r"mis à jour|publicado|actualizado)\b\s*:?\s*(on\b)?\s*",
    re.IGNORECASE,
)
_DATE_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_DATE_CHARS = re.compile(r"^[\w\s,./:|()+\-–—]+$")


def is_date_line(line: str) -> bool:
    """A line that only states when something was published or updated."""
    if len(line) > 70:
        return False
    rest = _DATE_LABEL.sub("", line.strip(), count=1)
    if not rest or not _DATE_CHARS.match(rest):
        return False
    labelled = len(rest) < len(line.strip())
    tokens = [token.casefold() for token in _DATE_TOKEN.findall(rest)]
    numbers = [token for token in tokens if token.isdigit()]
    words = [token for token in tokens if not token.isdigit()]
    if not numbers or any(w not in _MONTH_WORDS and w not in _DATE_FILLERS for w in words):
        return False
    has_month = any(word in _MONTH_WORDS for word in words)
    has_year = any(len(n) == 4 and n[:2] in ("19", "20") for n in numbers)
    # "Updated at 1:23 p.m.": after a label, a time alone is enough.
    return has_month or (has_year and len(numbers) >= 3) or (labelled and len(numbers) >= 2)


_ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})([./])(\d{1,2})\2((?:19|20)\d\d)\b")


def parse_date(line: str) -> str | None:
    """ISO date (YYYY-MM-DD) of a 'Published …' line, or None when it has no full date.

    Month names are read in English, German, French, Spanish, Italian, Dutch and Portuguese.
    An all-numbers date is read day first with dots (12.03.2024) and month first with
    slashes (03/12/2024), as each is written; when both readings are possible with slashes,
    it is not guessed.
    """
    text = _DATE_LABEL.sub("", line.strip(), count=1).casefold()
    tokens = _DATE_TOKEN.findall(text)
    months = [i for i, token in enumerate(tokens) if token in _MONTH_NUMBER]
    years = [i for i, token in enumerate(tokens) if len(token) == 4 and token[:2] in ("19", "20")]
    if months and years:
        month_at = months[0]
        days = [
            i
            for i, token in enumerate(tokens)
            if token.isdigit() and i != years[0] and 1 <= int(token) <= 31
        ]
        if days:
            day_at = min(days, key=lambda i: abs(i - month_at))
            return _iso(int(tokens[years[0]]), _MONTH_NUMBER[tokens[month_at]], int(tokens[day_at]))
        return None
    if match := _ISO_DATE.search(text):
        return _iso(int(match[1]), int(match[2]), int(match[3]))
    if match := _NUMERIC_DATE.search(text):
        first, separator, second, year = int(match[1]), match[2], int(match[3]), int(match[4])
        if separator == "." or first > 12:
            return _iso(year, second, first)
        return _iso(year, first, second) if second > 12 else None
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


_READ_MORE = re.compile(
    r"^also on [\w.-]+\.[a-z]{2,}\b|"
    r"^(read more|read also|also read|see also|read|more|related|recommended|watch|"
    r"watch more|listen|read next|more on this|more on this story|further reading|"
    r"lesen sie auch|mehr zum thema|lire aussi|à lire aussi|a lire aussi|lee también|"
    r"leer más|leggi anche)\s*[:|»›>\-–—]\s*\S",
    re.IGNORECASE,
)
_READ_MORE_ALONE = frozenset(
    {
        "read more",
        "read more here",
        "click here",
        "continue reading",
        "more",
        "see more",
        "show more",
        "view more",
        "load more",
    }
)


def is_read_more(line: str) -> bool:
    return normalise(line) in _READ_MORE_ALONE or (
        bool(_READ_MORE.match(line)) and word_count(line) <= 30
    )


_SIGNUP_START = re.compile(
    r"^(stay informed|stay up to date|stay updated|stay in the know|stay connected|sign up|"
    r"signup|subscribe|register|join|get|receive|enter your e-?mail|don't miss|never miss|"
    r"want more|like this article|enjoyed this|keep up|be the first|by signing up|"
    r"by subscribing|please sign up|to receive|newsletter)\b",
    re.IGNORECASE,
)
_SIGNUP_TOPIC = re.compile(
    r"newsletter|inbox|e-?mail|alerts|sign up|sign-up|subscri|updates|briefing|digest|"
    r"privacy policy|terms of (use|service)",
    re.IGNORECASE,
)


# What a sign-up box says around its form: its name, and its thanks or its error.
_SIGNUP_WIDGET = re.compile(
    r"^(.{0,40}\bnewsletters?|thanks? (you )?for (signing up|subscribing)\b.*|"
    r"(keep an eye on|check) your (e-?mail )?inbox\b.*|you('re| are) (all )?(set|subscribed)\b.*|"
    r"there was an error processing your (subscription|request)\b.*|"
    r"please enter a valid e-?mail( address)?\.?|invalid e-?mail( address)?\.?)$",
    re.IGNORECASE,
)


def is_newsletter_prompt(line: str) -> bool:
    """Sign-up prompts are short and open with a call to act; a paragraph that merely
    mentions a newsletter does neither, so it stays."""
    words = word_count(line)
    if words <= 30 and _SIGNUP_START.match(line) and _SIGNUP_TOPIC.search(line):
        return True
    return words <= 15 and bool(_SIGNUP_WIDGET.match(line.strip()))


_PAYWALL = re.compile(
    r"^((please )?(subscribe|register|sign in|log ?in)( for free| now)? to (continue reading|"
    r"read (the full|this|more)|keep reading|unlock)|"
    r"already (have an account|a (subscriber|member))\??|"
    r"create (a )?(free )?account|"
    r"you('ve| have) (reached|used( up)?) your (free )?(article|story) limit|"
    r"(this|the rest of this) (content|article|story) is (only )?(available|for) (to )?"
    r"(subscribers|members|premium)|"
    r"to continue reading,? (please )?(log ?in|sign in|subscribe|register)|"
    r"(start|try) your free trial|"
    r"weiterlesen mit|jetzt abonnieren|déjà abonné|abonnez-vous|suscríbete)",
    re.IGNORECASE,
)


def is_paywall(line: str) -> bool:
    """A registration or subscription wall: short, and says so in its first words."""
    return word_count(line) <= 40 and bool(_PAYWALL.match(line.strip()))


_COMMENT_BOX = re.compile(
    r"^(leave a (reply|comment)|post a comment|add a comment|write a comment|"
    r"join the (conversation|discussion)|\d+ comments?|comments?( \(\d+\))?|"
    r"comments are closed\.?|show comments|view comments|hide comments|cancel reply|"
    r"post comment|submit comment|your email address will not be published\.?.*|"
    r"required fields are marked.*|save my name, email,? and website.*|"
    r"you must be logged in to post a comment\.?|log in to comment|"
    r"be the first to comment.*|no comments yet.*|"
    r"kommentare?|kommentar schreiben|laisser un commentaire|commentaires?|"
    r"deja un comentario|comentarios?)$",
    re.IGNORECASE,
)
# Comment sections sit after the article; these open one, and nothing after them is article.
_COMMENT_SECTION_START = re.compile(
    r"^(leave a (reply|comment)|post a comment|add a comment|write a comment|"
    r"join the (conversation|discussion)|[\[(]?[1-9][\d,]* comments?[\])]?$|comments are closed|"
    r"your email address will not be published|"
    r"(top|most|all|view|show|read|see) (rated |recent |popular |all )?comments\b)",
    re.IGNORECASE,
)


# A comment section follows an article: a section marker cuts the rest only once a real
# paragraph has gone before it ("12 Comments" in a header's byline is not a section).
_ARTICLE_PARAGRAPH_WORDS = 25


def comment_boxes(lines: Sequence[str]) -> Iterator[Claim]:
    article_seen = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if article_seen and _COMMENT_SECTION_START.match(stripped):
            for rest in range(index, len(lines)):
                yield rest, "comments"
            return
        if _COMMENT_BOX.match(stripped):
            yield index, "comments"
        article_seen = article_seen or word_count(line) >= _ARTICLE_PARAGRAPH_WORDS


_FOOTER = re.compile(
    r"republish(ing)? (this|our|the) (content|article|story|piece)|all rights reserved|"
    r"^(©|copyright\b|\(c\) ?\d{4})|"
    r"\b(may|must) not be (re)?(published|reproduced|broadcast|rewritten|redistributed)|"
    r"^this (article|story|content|piece) (was|is|has been) (originally |first )?"
    r"(published|republished|reproduced|syndicated)|"
    r"^(the )?(views|opinions) expressed (in this (article|piece) )?are (those of the "
    r"author|the author'?s own|solely)|"
    r"^this copy is for your personal,? non-commercial use only|"
    r"alle rechte vorbehalten|tous droits réservés|todos los derechos reservados",
    re.IGNORECASE,
)


# Words one of the footer patterns needs; most lines have none and skip the regex.
_FOOTER_HINTS = (
    "republish", "rights", "©", "copyright", "(c)", "not be ", "this ", "views", "opinions",
    "personal", "droits", "rechte", "derechos",
)  # fmt: skip


def is_publisher_footer(line: str) -> bool:
    lowered = line.casefold()
    if not any(hint in lowered for hint in _FOOTER_HINTS):
        return False
    return word_count(line) <= 80 and bool(_FOOTER.search(line))


_CONTACT = re.compile(
    r"^(contact|email|e-mail|write to) (the )?(editor|author|writer|reporter|newsroom)\b"
    r"\s*:?\s*(?P<name>.*)$",
    re.IGNORECASE,
)
# "Write to Al Root at allen.root@example.com": the reporter's address under the article.
_WRITE_TO = re.compile(r"^(write to|contact|e-?mail|reach) .{1,60}\bat \S+@\S+\.\w+\.?$", re.I)
_PERSON_NAME = re.compile(
    r"^(?:[A-Z][\w'’.\-]+|de|van|von|al|el|bin|ibn|da|di|la|le)"
    r"(?: (?:[A-Z][\w'’.\-]+|de|van|von|al|el|bin|ibn|da|di|la|le)){0,4}[,;.]?$"
)


def contact_lines(lines: Sequence[str]) -> Iterator[Claim]:
    """'Contact Editor' and the name that follows it, on the same line or the next."""
    for index, line in enumerate(lines):
        if _WRITE_TO.match(line.strip()):
            yield index, "contact"
            continue
        match = _CONTACT.match(line.strip())
        if not match:
            continue
        name = match.group("name").strip()
        if name and not _PERSON_NAME.match(name):
            continue
        yield index, "contact"
        if not name and index + 1 < len(lines) and _PERSON_NAME.match(lines[index + 1].strip()):
            yield index + 1, "contact"


_TAGS = re.compile(
    r"^(tags|tagged|topics|filed under|keywords|schlagwörter|themen|mots-clés|étiquettes|"
    r"etiquetas|temas|tópicos|argomenti)\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_TAG_ITEM_MAX_WORDS = 5


def _is_tag_list(line: str) -> bool:
    items = [item for item in re.split(r"[,|;•·]", line) if item.strip()]
    return (
        bool(items)
        and not ends_sentence(line)
        and all(word_count(item) <= _TAG_ITEM_MAX_WORDS for item in items)
    )


def tag_lines(lines: Sequence[str]) -> Iterator[Claim]:
    """ "Tags: a, b, c" and "Filed under" lists, on one line or on the line after the label."""
    for index, line in enumerate(lines):
        match = _TAGS.match(line.strip())
        if not match:
            continue
        rest = match.group("rest")
        if rest and not _is_tag_list(rest):
            continue
        yield index, "tags"
        if not rest and index + 1 < len(lines) and _is_tag_list(lines[index + 1]):
            yield index + 1, "tags"


_AGENCY = (
    r"(?:AFP|AP|Reuters|Anadolu(?: Agency)?|AA|Getty(?: Images)?|EPA(?:-EFE)?|EFE|Xinhua|"
    r"DPA|dpa|PA(?: Media| Wire)?|AAP|ANSA|TASS|Sputnik|SANA|IRNA|WANA|UPI|NurPhoto|"
    r"Shutterstock|iStock(?:photo)?|Alamy|Bloomberg|SOPA Images|Handout|Supplied|File|"
    r"File photo|Screengrab|Screenshot|Social media|Twitter|Facebook|Instagram|"
    r"[A-Z]{2,6}/[^()\[\]]{1,60}|(?:Photo|Image|Picture|Credit|Courtesy|Foto|Bild)\b[^()\[\]]{0,60})"
)
_CREDIT_IN_BRACKETS = re.compile(
    r"[(\[]\s*" + _AGENCY + r"(?: Photos?)?(?:\s*(?:/|via|-|,)\s*[^()\[\]]{1,60})?\s*[)\]]\s*\.?$"
)
_CREDIT_AFTER_DASH = re.compile(r"(?:[—–]|\s-|/)\s*" + _AGENCY + r"\s*\.?$")
_CREDIT_LABEL = re.compile(
    r"(?:^|\s)(?:Photo|Photograph|Image|Picture|Credit|Photo credit|Foto|Bild)\s*:\s*\S.{0,60}$"
)


_CREDIT_MARKS = ("—", "–", " -", "/", ":")


def is_caption(line: str) -> bool:
    """A line that ends with a photo credit ("(AFP)", "[Anadolu]", "—AFP", "Photo: …")."""
    if not line.rstrip(" .").endswith((")", "]")) and not any(
        mark in line for mark in _CREDIT_MARKS
    ):
        return False  # every credit form needs a bracket at the end, a dash, a slash or a colon
    words = word_count(line)
    if words > 60:
        return False
    if _CREDIT_IN_BRACKETS.search(line) or _CREDIT_LABEL.search(line):
        return True
    return words <= 45 and bool(_CREDIT_AFTER_DASH.search(line))


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
    r"te puede interesar|noticias relacionadas)\s*:?$",
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


# --- runner -----------------------------------------------------------------------------

nav_lines = per_line("nav", is_nav_line)
reading_times = per_line("reading-time", is_reading_time)
date_lines = per_line("date", is_date_line)
read_more_links = per_line("read-more", is_read_more)
newsletter_prompts = per_line("newsletter", is_newsletter_prompt)
publisher_footers = per_line("footer", is_publisher_footer)
captions = per_line("caption", is_caption)
paywalls = per_line("paywall", is_paywall)

GENERIC_FILTERS: tuple[LineFilter, ...] = (
    nav_lines,
    reading_times,
    related_article_lists,
    date_lines,
    read_more_links,
    newsletter_prompts,
    paywalls,
    comment_boxes,
    publisher_footers,
    contact_lines,
    tag_lines,
    captions,
    related_headings,
)

_TITLE_MAX_WORDS = 30
# A line repeated on the next line is an image's alt text or caption printed twice; short
# ones are dropped with their first copy, longer ones only lose the copies.
_REPEATED_CAPTION_MAX_WORDS = 25


@dataclass
class Cleaned:
    """What the filters leave of a page, and why the rest went."""

    lines: list[str]
    removed: list[Removal] = field(default_factory=list)
    title: str | None = None
    date_line: str | None = None


def clean_lines(
    lines: Sequence[str],
    filters: Sequence[LineFilter] = GENERIC_FILTERS,
    title: str | None = None,
    take_title: bool = False,
    judge: Judge | None = None,
) -> Cleaned:
    """Run the filters over a page's lines.

    Args:
        lines: the page's non-empty lines, in order.
        filters: claimants, in priority order (site rules first, then generic ones).
        title: a known title (HTML metadata); lines repeating it are removed.
        take_title: no title known (plain text): the first remaining headline-like line
            is the title, moved out of the body.
        judge: runs last, with the others' claims known, to claim what is still not article.
    """
    claims: dict[int, str] = {}
    for line_filter in filters:
        for index, rule in line_filter(lines):
            claims.setdefault(index, rule)

    remaining = [i for i in range(len(lines)) if i not in claims]
    date_line = _dateline(lines, claims, remaining)
    if title is None and take_title and remaining:
        candidate = lines[remaining[0]]
        headline = not candidate.endswith((".", ",", ";", ":"))
        if headline and word_count(candidate) <= _TITLE_MAX_WORDS:
            title = candidate
    if title:
        title_keys = _title_keys(title)
        for index in remaining:
            if normalise(lines[index]) in title_keys:
                claims[index] = "title"
                if take_title and normalise(lines[index]) != normalise(title):
                    # "Headline | Site" as the page title, "Headline" as its heading.
                    title = lines[index]
        if not take_title:
            _claim_before_headline(lines, claims)
    _claim_consecutive_repeats(lines, claims)
    if judge is not None:
        for index, rule in list(judge(lines, claims)):
            claims.setdefault(index, rule)

    kept = [line for i, line in enumerate(lines) if i not in claims]
    removed = [Removal(claims[i], lines[i]) for i in sorted(claims)]
    return Cleaned(kept, removed, title, date_line)


_TITLE_SEPARATORS = re.compile(r"\s+[-|–—:·•»]\s+|\s*::\s*")
_TITLE_PART_MIN_WORDS = 3


def _title_keys(title: str) -> set[str]:
    """The title, and its parts when a site name is tacked on ("Headline - Site | Section")."""
    parts = _TITLE_SEPARATORS.split(title)
    keys = {normalise(title)}
    keys.update(normalise(part) for part in parts if word_count(part) >= _TITLE_PART_MIN_WORDS)
    return keys


# The article's own dateline sits above its first paragraphs; dates further down belong to
# lists of other articles.
_DATELINE_WITHIN_LINES = 10
_PARAGRAPH_MIN_WORDS = 25


def _dateline(lines: Sequence[str], claims: dict[int, str], remaining: list[int]) -> str | None:
    first_paragraph = next(
        (i for i in remaining if word_count(lines[i]) >= _PARAGRAPH_MIN_WORDS), len(lines)
    )
    limit = max(_DATELINE_WITHIN_LINES, first_paragraph)
    return next((lines[i] for i in sorted(claims) if i < limit and is_date_line(lines[i])), None)


# Extracted text that starts with a few lines and then the page's headline: those lines are
# a promo or a kicker above the article, as long as they are little next to what follows.
_BEFORE_HEADLINE_MAX_SHARE = 0.25


def _claim_before_headline(lines: Sequence[str], claims: dict[int, str]) -> None:
    headline = next((i for i in sorted(claims) if claims[i] == "title"), None)
    if headline is None:
        return
    before = [i for i in range(headline) if i not in claims]
    after = sum(len(lines[i]) for i in range(headline + 1, len(lines)) if i not in claims)
    if before and sum(len(lines[i]) for i in before) <= _BEFORE_HEADLINE_MAX_SHARE * after:
        for index in before:
            claims[index] = "before-headline"


def _claim_consecutive_repeats(lines: Sequence[str], claims: dict[int, str]) -> None:
    """Lines that repeat the one before them, once the lines claimed so far are gone.

    Judged on what is left, so that cleaning the output again finds nothing new: a caption
    printed twice around a removed photo credit is a repeat here, not on a second pass.
    """
    while True:
        kept = [i for i in range(len(lines)) if i not in claims]
        found = False
        start = 0
        while start < len(kept):
            key = normalise(lines[kept[start]])
            end = start + 1
            while end < len(kept) and key and normalise(lines[kept[end]]) == key:
                end += 1
            if end - start > 1:
                found = True
                for copy in kept[start + 1 : end]:
                    claims.setdefault(copy, "repeated")
                if word_count(lines[kept[start]]) <= _REPEATED_CAPTION_MAX_WORDS:
                    claims.setdefault(kept[start], "caption-repeated")
            start = end
        if not found:
            return
