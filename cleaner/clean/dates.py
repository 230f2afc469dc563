"""Dates: lines that are only a date ("Published 3 May 2021") and parsing them.

A page's dateline is clutter in the body but the article's date in the metadata, so the
same recogniser serves both.
"""

from __future__ import annotations

import re
from datetime import date

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
# A forum post's number before its date ("#2 12/03/2024 14:51", "Post #3 · 12.03.2024").
_POST_NUMBER = re.compile(r"^(?:post\s*)?#\d+\s*[·|:,\-–—]?\s*", re.IGNORECASE)
_DATE_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_DATE_CHARS = re.compile(r"^[\w\s,./:|()+\-–—]+$")


def is_date_line(line: str) -> bool:
    """A line that only states when something was published or updated."""
    if len(line) > 70:
        return False
    rest = _DATE_LABEL.sub("", _POST_NUMBER.sub("", line.strip(), count=1), count=1)
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
