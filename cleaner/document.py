"""The one record that flows through every stage of the pipeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["ok", "dropped", "error"]
InputKind = Literal["html", "text"]


@dataclass(frozen=True)
class Removal:
    """One removed line or block, and the rule that removed it (for the audit trail)."""

    rule: str
    text: str


@dataclass
class Document:
    """An input page on its way to becoming a clean article.

    Stages fill fields in as they go; every input yields exactly one Document, even when it
    fails, so the manifest can account for everything that was read.
    """

    id: str
    source: str = ""
    kind: InputKind = "text"
    url: str | None = None
    site: str | None = None
    sitename: str | None = None
    title: str | None = None
    date: str | None = None
    lang: str | None = None
    lang_prob: float | None = None
    text: str = ""
    chars_in: int = 0
    removed: list[Removal] = field(default_factory=list)
    status: Status = "ok"
    reason: str | None = None
    output: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None
    # A digest of the input as stored (see cleaner.read.decode.input_digest): reruns skip
    # unchanged ones.
    input_hash: str | None = None

    @property
    def chars_out(self) -> int:
        return len(self.text)

    def manifest_row(self) -> dict[str, Any]:
        """The manifest's view: everything but the body, which lives in the output file."""
        row = asdict(self)
        del row["text"], row["kind"]
        row["chars_out"] = self.chars_out
        return {key: row[key] for key in MANIFEST_FIELDS}


MANIFEST_FIELDS = (
    "id",
    "source",
    "output",
    "status",
    "reason",
    "site",
    "sitename",
    "url",
    "title",
    "date",
    "lang",
    "lang_prob",
    "chars_in",
    "chars_out",
    "removed",
    "duplicate_of",
    "similarity",
    "input_hash",
)


@dataclass(frozen=True)
class RawDocument:
    """An input as read: its content, or the reason it could not be read."""

    id: str
    kind: InputKind
    content: str = ""
    source: str = ""
    url: str | None = None
    site: str | None = None
    error: str | None = None
    # Text inputs: the title when the scrape kept it apart ("" when there is none); None
    # when unknown, and then a headline line at the top of the text is taken as the title.
    title: str | None = None
    # The date to give the document when its content shows none (a WARC record's date).
    date: str | None = None
