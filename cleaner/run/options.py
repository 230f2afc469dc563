"""What a batch is asked to do (`BatchOptions`) and what it did (`BatchReport`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner.clean.pipeline import CleanConfig
from cleaner.corpus.learn import (
    LearnConfig,
)
from cleaner.corpus.signatures import DedupConfig
from cleaner.read.decode import ReadLimits
from cleaner.write.folder import Folder
from cleaner.write.outputs import (
    OutputFormat,
)


class BatchError(RuntimeError):
    """The batch cannot start (the message says why); no document was touched."""


@dataclass(frozen=True)
class BatchOptions:
    """How a batch is cleaned and written.

    `timeout_s` bounds each document: past it the worker is replaced and the document is an
    error row (None: no limit). `force` redoes documents a previous run finished.
    `index`: the persistent near-copy index the batch is checked against and added to
    (None: near copies within the batch only); `batch_name` names the batch there
    (default: the output folder's absolute path or URL).
    """

    clean: CleanConfig = field(default_factory=CleanConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    output_format: OutputFormat = "txt"
    jobs: int = 1
    drop_duplicates: bool = False
    limits: ReadLimits = field(default_factory=ReadLimits)
    timeout_s: float | None = 30.0
    force: bool = False
    learn: LearnConfig = field(default_factory=LearnConfig)
    index: Path | None = None
    batch_name: str | None = None


@dataclass
class BatchReport:
    """What a batch did, for the summary and the exit code."""

    documents: int = 0
    reused: int = 0
    status: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    sites: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # WARC records, not documents
    learned_documents: int = 0  # documents that lost learned boilerplate
    chars_in: int = 0
    chars_out: int = 0
    manifest: Path | str | None = None
    tables: list[str] = field(default_factory=list)  # --format parquet: the files written

    def count(self, row: dict[str, Any], times: int = 1) -> None:
        """Count a manifest row in (or out, with times=-1: a row that changed)."""
        self.documents += times
        _add(self.status, row["status"], times)
        if row["reason"]:
            _add(self.reasons, f"{row['status']}: {row['reason']}", times)
        if row["status"] == "ok":
            _add(self.languages, row["lang"] or "unknown", times)
            _add(self.sites, row["site"] or "(generic)", times)
            self.chars_in += times * row["chars_in"]
            self.chars_out += times * row["chars_out"]
        # A page's text can lose hundreds of lines to a few rules: each rule named once.
        for rule, n in Counter(removal["rule"] for removal in row["removed"]).items():
            _add(self.removed, _rule_family(rule), times * n)


def _add(counter: Counter[str], key: str, times: int) -> None:
    counter[key] += times
    if counter[key] <= 0:
        del counter[key]


def _rule_family(rule: str) -> str:
    """'site:dawn:drop[2]' counts as 'site:dawn'; generic rules count as themselves."""
    return ":".join(rule.split(":")[:2]) if rule.startswith("site:") else rule


@dataclass(frozen=True)
class WorkerSettings:
    options: BatchOptions
    out: Folder
