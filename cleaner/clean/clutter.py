"""Clutter recognised line by line: menus, reading times, read-more links, newsletter and
paywall prompts, comment boxes, publisher footers, contact and tag lines, photo captions.

Each family is a predicate or a claimant over the page's lines; `cleaner.clean.filters` runs
them in priority order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from cleaner.clean.dates import is_date_line
from cleaner.clean.text import Claim, ends_sentence, normalise, word_count

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
    r"deja un comentario|comentarios?|"
    # A blog's comment form: the checkboxes to follow the thread or the blog by e-mail.
    r"notify me of (follow-?up|new) (comments|posts)( via| by)? e-?mail\.?|"
    r"subscribe to comments( on this (entry|post))?\.?|"
    r"benachrichtige mich über (nachfolgende kommentare|neue beiträge) (via|per) e-mail\.?|"
    r"prévenez-moi de tous les nouveaux (commentaires|articles) par (e-?mail|courriel)\.?|"
    r"(recibir un correo electrónico con los siguientes comentarios a esta entrada|"
    r"avísame por correo electrónico de (los )?nuevos (comentarios|posts))\.?|"
    r"avvisami (via e-?mail )?(in caso di|dei) nuovi (commenti|articoli)\.?|"
    r"powiadom mnie o (kolejnych komentarzach|nowych wpisach) (poprzez|przez) e-?mail\.?|"
    r"yeni (yorumları|yazıları) bana e-posta ile bildir\.?)$",
    re.IGNORECASE,
)
# Comment sections sit after the article; these open one, and nothing after them is article.
_COMMENT_SECTION_START = re.compile(
    r"^(leave a (reply|comment)|post a comment|add (a |new )?comment|write a comment|"
    r"comment viewing options|"
    r"join the (conversation|discussion)|comments are closed|"
    r"[\[({]?\s*[1-9][\d,]* comments?\s*[\])}]?:?$|"
    r"your email address will not be published|"
    r"(top|most|all|view|show|read|see|load) (rated |recent |popular |all |more )?comments\b|"
    # "12 Responses to “Title”", "One thought on “Title”": a blog's heading over its
    # comments, in the languages its themes are translated to (a heading, so short).
    r"((one|[1-9][\d,]*) (responses?|repl(y|ies)|thoughts?|comments?) (to|on)|"
    r"(ein|einen|[1-9][\d.]*) (kommentare?|antworten?|gedanken) (zu|auf)|"
    r"(un|une|[1-9][\d ]*) (commentaires?|réponses?) (à|sur|pour)|"
    r"(un|una|[1-9][\d.]*) (comentarios?|respuestas?) (a|en|para)|"
    r"(un|una|[1-9][\d.]*) (commenti|commento|rispost[ae]) (a|su)|"
    r"[1-9][\d ]* (komentarz(e|y)?|odpowied(ź|zi)) (do|na)) [\"“«„'‘].{0,150}$|"
    r"[1-9][\d,]* comments?\s*(…|\.\.\.)\s*(read|add|leave|join)\b.{0,60}$|"
    r"(alle )?kommentare (anzeigen|laden|lesen)|(voir|afficher|lire) (tous )?les commentaires|"
    r"(ver|mostrar|leer) (todos )?los comentarios|(mostra|leggi) (tutti )?i commenti|"
    r"(pokaż|zobacz|czytaj) (wszystkie )?komentarze|tüm yorumları (gör|göster|oku)|"
    r"(comments?|reader views|kommentare?|commentaires?|comentarios?|commenti|komentarze"
    r"|yorumlar|reacties|kommentarer)\s*[(\[]\d[\d,.]*[)\]]\s*:$)",
    re.IGNORECASE,
)


# A comment section follows an article: a section marker cuts the rest only once a real
# paragraph has gone before it ("12 Comments" in a header's byline is not a section).
_ARTICLE_PARAGRAPH_WORDS = 25


def comment_boxes(lines: Sequence[str]) -> Iterator[Claim]:
    article_seen = False
    per_post: set[str] | None = None  # worked out on the page's first marker, if any
    for index, line in enumerate(lines):
        stripped = line.strip()
        marker = article_seen and bool(_COMMENT_SECTION_START.match(stripped))
        if marker and per_post is None:
            per_post = _per_post_markers(lines)
        if (
            marker
            and not _count_repeated_below(stripped, lines[index + 1 :])
            and stripped.casefold() not in (per_post or ())
            and not (index and _in_byline(stripped, lines[index - 1]))
        ):
            for rest in range(index, len(lines)):
                yield rest, "comments"
            return
        if _COMMENT_BOX.match(stripped):
            yield index, "comments"
        article_seen = article_seen or word_count(line) >= _ARTICLE_PARAGRAPH_WORDS


# A comment count ("41 comments", "Comments (186)"), the form a link to the comments takes.
_COMMENT_COUNT = re.compile(
    r"[\[({]?\s*[\d,]+ \w+\s*[\])}]?|\w+\s*[(\[][\d,.]+[)\]]", re.IGNORECASE
)


def _in_byline(marker: str, previous: str) -> bool:
    """Whether `marker` is a comment count beside the post's date ("November 1, 2012 |" /
    "5 Comments"): the byline's link to the comments, above the article, not their heading."""
    return bool(_COMMENT_COUNT.fullmatch(marker.rstrip(":"))) and is_date_line(previous.strip(" |"))


# A marker printed under every post (a question and its answers) is no section's heading.
_PER_POST_MIN = 3


def _per_post_markers(lines: Sequence[str]) -> set[str]:
    """Comment markers that the page prints under each of several posts ("Add a comment"
    under a question and under every answer): each one, and the last, follows a real
    paragraph of its own. A comment section's heading printed again at its foot ("Join
    the discussion." above and below the comments) is printed twice, not under each post."""
    places: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        folded = line.strip().casefold()
        if _COMMENT_SECTION_START.match(folded):
            places.setdefault(folded, []).append(number)
    return {
        folded
        for folded, at in places.items()
        if len(at) >= _PER_POST_MIN
        and all(
            any(word_count(line) >= _ARTICLE_PARAGRAPH_WORDS for line in lines[after + 1 : upto])
            for after, upto in zip([-1, *at[:-1]], at, strict=True)
        )
    }


def _count_repeated_below(marker: str, below: Sequence[str]) -> bool:
    """Whether `marker` is a comment count that the page prints again further down: the
    first is the link beside the headline and byline, the second heads the comments."""
    if not _COMMENT_COUNT.fullmatch(marker.rstrip(":")):
        return False
    folded = marker.casefold()
    return any(line.strip().casefold() == folded for line in below)


_FOOTER = re.compile(
    r"republish(ing)? (this|our|the) (content|article|story|piece)|all rights reserved|"
    r"^(©|copyright\b|\(c\) ?\d{4})|"
    r"\b(may|must) not be (re)?(published|reproduced|broadcast|rewritten|redistributed)|"
    r"^this (article|story|content|piece) (was|is|has been) (originally |first )?"
    r"(published|republished|reproduced|syndicated)|"
    r"^(the )?(views|opinions) expressed (in this (article|piece) )?are (those of the "
    r"author|the author'?s own|solely)|"
    r"^this copy is for your personal,? non-commercial use only|"
    r"alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|"
    # A site's disclaimer that its authors speak for themselves, wherever it is glued.
    r"\b(views|opinions) expressed (here |on this \w+ |in this \w+ )?are not necessarily "
    r"(those|the views|the opinions) of|"
    r"geäußerten meinungen (\w+ ){0,3}(sind|geben|spiegeln) nicht (unbedingt|notwendigerweise)|"
    r"opinions exprimées (\w+ ){0,3}n'engagent que|"
    r"opiniones expresadas (\w+ ){0,3}(son (de )?(exclusiva )?responsabilidad|no "
    r"(necesariamente )?(reflejan|representan))|"
    r"opinioni espresse (\w+ ){0,3}(sono (di )?(esclusiva )?responsabilità|non "
    r"(necessariamente )?(riflettono|rappresentano))|"
    # The blog software's credit line.
    r"\b(proudly )?powered by (wordpress|movable type|blogger|typepad|drupal|joomla|ghost|"
    r"squarespace|tumblr|vbulletin|phpbb|discourse)\b|"
    r"(fièrement )?propulsé par wordpress|(mit stolz )?präsentiert von wordpress|"
    r"betrieben mit wordpress|funciona (gracias a|con) wordpress|"
    r"(orgogliosamente )?(realizzato|creato) con wordpress|dumnie wspierane przez wordpress|"
    r"wordpress gururla sunar",
    re.IGNORECASE,
)


# Words one of the footer patterns needs; most lines have none and skip the regex.
_FOOTER_HINTS = (
    "republish", "rights", "©", "copyright", "(c)", "not be ", "this ", "views", "opinions",
    "personal", "droits", "rechte", "derechos", "meinungen", "opiniones", "opinioni",
    "powered", "wordpress",
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
    # Editors' initials glued to a paragraph's last stop ("…gelegen./jbz/DP/he") sign off
    # a wire's text; they are no photo's credit.
    return words <= 45 and bool(_CREDIT_AFTER_DASH.search(line)) and not _SIGN_OFF.search(line)


_SIGN_OFF = re.compile(r"[.!?](?:/[\w-]{1,8}){2,}\s*$")


# A wiki's reference notes: each opens with the mark that links back to where it is cited
# ("↑ Schnaidt: Die Urkunden…", "^ a b Smith, John (2001)."), whatever the language.
_REFERENCE_NOTE = re.compile(
    r"^(?:[-*•]\s*|\d{1,3}\.\s*)?[↑^↩]\s*(?:[a-z]\s+)*(?:[\"“„'«]|[^\W\d_])"
)


def is_reference_note(line: str) -> bool:
    """A note of a list of references, which cite the article's sources, not its text."""
    return bool(_REFERENCE_NOTE.match(line))
