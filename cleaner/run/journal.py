"""The batch's journal and resume: `manifest.jsonl` while the batch runs, and its final form.

Each row is appended and flushed as its document finishes, so a crash or a kill loses at
most the documents in flight. A rerun takes every row whose input and settings are
unchanged (and whose output is there) as done; at the end the manifest is rewritten in
input order with near copies and learned boilerplate marked, in one atomic rename.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from array import array
from collections.abc import Collection
from dataclasses import dataclass, fields
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from cleaner.corpus.learn import (
    block_keys,
    site_key,
)
from cleaner.read.inputs import Source
from cleaner.run.options import BatchOptions, BatchReport
from cleaner.write.folder import Folder
from cleaner.write.outputs import (
    OutputFormat,
    atomic_output,
    markdown_header,
)

# Reasons that may not recur on a second try: such documents are redone by a rerun.
_TRANSIENT = re.compile(
    r"^(timeout after|worker process died|internal error|no space left|duplicate$)"
)


@dataclass(frozen=True)
class Reuse:
    """A previous run's row for this input: reusable if the input still has this digest."""

    input_hash: str
    output: str | None
    body_start: int
    site: str = ""  # the document's learning site key
    # Keys of the paragraphs learning took out of the output in an earlier run: the document
    # still holds them, for counting, so documents added later learn the same template.
    learned: tuple[int, ...] = ()


@dataclass(frozen=True)
class Learned:
    """What learning took out of one document, for its manifest row."""

    rule: str
    texts: list[str]
    chars_out: int


def reuse_of(
    row: dict[str, Any], settings_hash: str, fmt: OutputFormat, output: str
) -> Reuse | None:
    """What of a previous row can stand, if its input turns out unchanged.

    `output` is the name this run gives the document's output: names are handed out in
    input order, so another input may have taken the old one.
    """
    if row.get("settings_hash") != settings_hash or not row.get("input_hash"):
        return None
    if row["reason"] and _TRANSIENT.match(row["reason"]):
        return None
    if row["status"] != "ok":
        return Reuse(row["input_hash"], None, 0)
    if row["output"] != output:
        return None
    header = markdown_header(row["title"], row["date"], row["url"])
    start = {"txt": 0, "md": len(header.encode("utf-8")), "json": -1, "parquet": 0}[fmt]
    site = site_key(row["site"], row["url"])
    gone = [r["text"] for r in row["removed"] if r["rule"].startswith("learned:")]
    learned = tuple(block_keys(site, gone).tolist()) if gone else ()
    return Reuse(row["input_hash"], row["output"], start, site, learned)


def settings_digest(options: BatchOptions) -> str:
    """A digest of everything that shapes one document's output and row.

    Rows made with other settings (or another cleaner version) are redone, not reused.
    Near-copy settings are not in it: that stage reruns over the whole batch every time.
    """
    clean = options.clean
    described: dict[str, Any] = {
        f.name: getattr(clean, f.name) for f in fields(clean) if f.name != "rules"
    }
    if clean.languages is not None:
        described["languages"] = sorted(clean.languages)
    rules = clean.rules
    described["rules"] = (
        None
        if rules is None
        else [
            (
                site.id,
                site.hosts,
                [p.source for p in site.fingerprints],
                site.fingerprint_min,
                site.prune_xpath,
                sorted(site.trafilatura_options.items()),
                [p.source for p in site.drop],
                [p.source for p in site.cut],
            )
            for site in sorted(rules.sites, key=lambda s: s.id)
        ]
    )
    described["format"] = options.output_format
    described["limits"] = options.limits.max_bytes
    described["learn"] = repr(options.learn)
    described["version"] = _version()
    encoded = json.dumps(described, sort_keys=True, default=repr).encode("utf-8")
    return hashlib.blake2b(encoded, digest_size=8).hexdigest()


def _version() -> str:
    try:
        return metadata.version("cleaner")
    except metadata.PackageNotFoundError:
        return "unknown"


class Journal:
    """`manifest.jsonl` while a batch runs: rows appended and flushed as documents finish.

    Opening it finds the rows of earlier runs by document (the latest row wins) and cuts off
    a half-written last line left by a kill.
    """

    def __init__(self, path: Path, fresh: bool) -> None:
        self.path = path
        self._previous: dict[bytes, int] = {}
        if fresh:
            path.unlink(missing_ok=True)
        elif path.exists():
            self._load()
        # Closed by __exit__: the journal lives as long as the batch, across many calls.
        # Unbuffered: a row that cannot be written (a full disk) is not kept in a buffer to
        # fail again, or to land half, when the journal is closed.
        self._writer: IO[bytes] = open(path, "ab", buffering=0)  # noqa: SIM115
        self._reader: IO[bytes] = open(path, "rb")  # noqa: SIM115

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self._writer.close()
        self._reader.close()

    def _load(self) -> None:
        offset = 0
        with open(self.path, "r+b") as stream:
            for line in stream:
                if not line.endswith(b"\n"):
                    stream.truncate(offset)
                    break
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    row = json.loads(line)
                    self._previous[_document_key(row["id"], row["source"])] = offset
                offset += len(line)

    def find(self, source: Source) -> int | None:
        return self._previous.get(_document_key(source.id, source.source))

    def line_at(self, offset: int) -> bytes:
        self._reader.seek(offset)
        return self._reader.readline()

    def row_at(self, offset: int) -> dict[str, Any]:
        row: dict[str, Any] = json.loads(self.line_at(offset))
        return row

    def append(self, row: dict[str, Any]) -> int:
        offset = self._writer.tell()
        line = memoryview(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
        try:
            while line:  # an unbuffered write may take only part of the line
                line = line[self._writer.write(line) or 0 :]
        except OSError:  # a full disk: the part that fitted goes, only whole rows stay
            with contextlib.suppress(OSError):
                self._writer.truncate(offset)
            raise
        return offset


def _document_key(doc_id: str, source: str) -> bytes:
    return hashlib.blake2b(f"{doc_id}\0{source}".encode(), digest_size=16).digest()


def write_manifest(
    journal: Journal,
    offsets: array[int],
    changed: Collection[int],
    out: Folder,
    duplicates: dict[int, tuple[str, float]],
    learned: dict[int, Learned],
    options: BatchOptions,
    report: BatchReport,
) -> Path:
    """The journal's latest row for each document, in input order, with what learning took
    out and the near copies marked.

    Rows that do not change are copied as they are, unparsed: for a million documents this
    is the one part of the batch that no worker shares.
    """
    with atomic_output(journal.path, durable=True) as stream:
        for number, offset in enumerate(offsets):
            if number not in changed:
                stream.write(journal.line_at(offset).decode("utf-8"))
                continue
            row = journal.row_at(offset)
            report.count(row, times=-1)
            if number in learned:
                found = learned[number]
                row["removed"].extend({"rule": found.rule, "text": t} for t in found.texts)
                row["chars_out"] = found.chars_out
                if not found.chars_out:
                    out.unlink(row["output"])
                    row["output"], row["status"] = None, "dropped"
                    row["reason"] = "no article text left after cleaning"
            row["duplicate_of"], row["similarity"] = duplicates.get(number, (None, None))
            if number in duplicates and options.drop_duplicates:
                if row["output"]:
                    out.unlink(row["output"])
                row["output"], row["status"], row["reason"] = None, "dropped", "duplicate"
            report.count(row)
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    return journal.path
