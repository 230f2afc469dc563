"""`cleaner rules learn`: what a batch teaches about each site, as reviewable rule files.

The batch is cleaned with learning on (into a scratch folder, discarded), and the blocks it
learned become one rule file per site: anchored patterns, with how many documents each was
found in and an example, for a person to review and move into `rules/`.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from cleaner.clean.pipeline import shipped_rules
from cleaner.corpus.learn import LearnedBlock, normalise_block, rule_file
from cleaner.read.inputs import safe_name
from cleaner.run.batch import clean_batch
from cleaner.run.options import BatchOptions
from cleaner.write.outputs import write_atomic

_PREFIX = "learned:"


def learn_rule_files(inputs: Iterable[Path], out: Path, options: BatchOptions) -> list[Path]:
    """Write one rule file per site that has learned boilerplate; returns their paths."""
    options = replace(options, learn=replace(options.learn, enabled=True), force=True)
    found: dict[str, dict[str, LearnedBlock]] = {}
    with tempfile.TemporaryDirectory(prefix="cleaner-learn-") as scratch:
        report = clean_batch(list(inputs), Path(scratch), options)
        assert report.manifest is not None
        with open(report.manifest, encoding="utf-8") as manifest:
            for line in manifest:
                row = json.loads(line)
                for removal in row["removed"]:
                    if removal["rule"].startswith(_PREFIX):
                        _count(found, removal["rule"][len(_PREFIX) :], removal["text"], row)
    rules = options.clean.rules if options.clean.rules is not None else shipped_rules()
    written = []
    out.mkdir(parents=True, exist_ok=True)
    for site, blocks in sorted(found.items()):
        ordered = sorted(blocks.values(), key=lambda b: (-b.documents, b.text))
        known = rules.get(site)
        hosts = list(known.hosts) if known else ([] if site == "batch" else [site])
        path = out / f"{safe_name(site, 'batch')}.toml"
        write_atomic(path, rule_file(site, ordered, hosts))
        written.append(path)
    return written


def _count(
    found: dict[str, dict[str, LearnedBlock]], site: str, text: str, row: dict[str, str]
) -> None:
    blocks = found.setdefault(site, {})
    key = normalise_block(text)
    seen = blocks.get(key)
    if seen is None:
        blocks[key] = LearnedBlock(text, 1, row["source"])
    else:
        blocks[key] = replace(seen, documents=seen.documents + 1)
