"""Golden tests: each sample cleaned exactly as its reviewed expected output says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import CleanConfig, clean_text
from tests.conftest import GOLDEN, UPDATE_GOLDEN, sample_paths


@pytest.mark.parametrize("sample", sample_paths(), ids=lambda p: p.stem[:3])
def test_sample_cleans_to_golden(sample: Path, config: CleanConfig) -> None:
    doc = clean_text(sample.read_text(encoding="utf-8"), config=config, doc_id=sample.name)
    body_file = GOLDEN / sample.name
    meta_file = GOLDEN / f"{sample.stem}.meta.json"
    meta = {
        "site": doc.site,
        "title": doc.title,
        "date": doc.date,
        "lang": doc.lang,
        "removed": [[r.rule, r.text] for r in doc.removed],
    }
    if UPDATE_GOLDEN:
        body_file.write_text(doc.text + "\n", encoding="utf-8")
        meta_file.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", "utf-8")
    assert doc.status == "ok"
    assert doc.text + "\n" == body_file.read_text(encoding="utf-8")
    assert meta == json.loads(meta_file.read_text(encoding="utf-8"))


def test_every_sample_has_a_golden_file() -> None:
    assert len(sample_paths()) == 5
    for sample in sample_paths():
        assert (GOLDEN / sample.name).is_file()
