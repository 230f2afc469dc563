"""Shared fixtures: the project's samples, rule files and golden outputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cleaner import CleanConfig, RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# CLEANER_UPDATE_GOLDEN=1 rewrites the golden files; review the diff before committing.
UPDATE_GOLDEN = os.environ.get("CLEANER_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules(ROOT / "rules")


@pytest.fixture(scope="session")
def config(rules: RuleSet) -> CleanConfig:
    return CleanConfig(rules=rules)


def sample_paths() -> list[Path]:
    return sorted(SAMPLES.glob("*.txt"))
