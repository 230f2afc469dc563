"""A mailing-list archive's message: its header fields and the sender's signature.

An archived message (Pipermail, Hyperkitty, MHonArc, a mail client's "print" view) shows the
message's header fields above its body, as lines or as a table ("From: …", "Date: …",
"Message-ID: <…>"), and ends with the sender's signature under the signature separator, a
line of two dashes and a space (RFC 3676), often followed by the list's own footer under a
line of underscores. The body, quoted lines and all, is the content; the fields, the
signature and the footer are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from cleaner.clean.text import Claim, word_count

# The header fields archives print, by their standard names and as archives in other
# languages label them (Portuguese, Spanish, French, German, Italian, Dutch, Polish,
# Turkish, Russian).
_FIELD = re.compile(
    r"^\|?\s*(?:from|to|cc|bcc|date|sent|subject|message-id|in-reply-to|references|reply-to|"
    r"sender|organization|list-id|de|para|data|enviado|assunto|asunto|fecha|objet|envoyé|"
    r"à|von|an|datum|betreff|gesendet|da|inviato|oggetto|van|aan|onderwerp|verzonden|od|do|"
    r"temat|wysłano|kimden|kime|tarih|konu|от|кому|дата|тема)\s*:\s*(?:\|\s*)?\S",
    re.IGNORECASE,
)
# A header as a mail client or an archive prints it holds when the message was sent (where
# an example in an article, "To: / From: / Subject:", does not).
_SENT_FIELD = re.compile(
    r"^\|?\s*(?:date|sent|message-id|data|enviado|fecha|envoyé|datum|gesendet|inviato|"
    r"verzonden|wysłano|tarih|дата)\s*:",
    re.IGNORECASE,
)
# A table's rule line between its rows, as extracted text prints it ("|---|---|").
_TABLE_RULE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)+\s*$")
# Fields in a row that make a message's header (two could be a form or an interview).
_MIN_FIELDS = 3
# What a signature holds at most: a name, a title, a web address, a key, a motto.
_SIGNATURE_MAX_LINES = 6
_SIGNATURE_LINE_MAX_WORDS = 15
# A mailing list's footer starts under a line of underscores.
_FOOTER_RULE = re.compile(r"^_{8,}$")
_FOOTER_MAX_LINES = 4


def mail_headers(lines: Sequence[str]) -> Iterator[Claim]:
    """A message's header fields: at least three field lines in a row (table rules between
    them allowed), one of them the date it was sent or its message id."""
    run: list[int] = []
    fields, sent = 0, False
    for index, line in enumerate([*lines, ""]):
        if _FIELD.match(line):
            run.append(index)
            fields += 1
            sent = sent or bool(_SENT_FIELD.match(line))
        elif run and _TABLE_RULE.match(line):
            run.append(index)
        else:
            if fields >= _MIN_FIELDS and sent:
                yield from ((i, "mail-header") for i in run)
            run, fields, sent = [], 0, False


def signatures(lines: Sequence[str]) -> Iterator[Claim]:
    """The signature separator and the few short lines under it, up to the end of the text,
    a message's next header field or the list's footer rule; and that footer."""
    for index, line in enumerate(lines):
        if line.strip() != "--":
            continue
        end = index + 1
        while end < len(lines) and not _FOOTER_RULE.match(lines[end]):
            if _FIELD.match(lines[end]) or end - index > _SIGNATURE_MAX_LINES:
                break
            end += 1
        closed = end == len(lines) or _FOOTER_RULE.match(lines[end]) or _FIELD.match(lines[end])
        signed = lines[index + 1 : end]
        if not closed or any(word_count(s) > _SIGNATURE_LINE_MAX_WORDS for s in signed):
            continue
        yield from ((i, "signature") for i in range(index, end))
        if end < len(lines) and _FOOTER_RULE.match(lines[end]):
            stop = min(len(lines), end + 1 + _FOOTER_MAX_LINES)
            yield from ((i, "list-footer") for i in range(end, stop))
