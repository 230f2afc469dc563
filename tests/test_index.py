"""The persistent near-copy index: copies found across batches, crash-safe updates, prune,
one writer at a time (issue 17). Samples 000 and 001 are two outlets' rewrites of one wire
story; 002 is another article."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.corpus.index import CopyIndex
from cleaner.corpus.signatures import DedupConfig
from cleaner.run.batch import clean_batch
from cleaner.run.indexing import PAUSE_ENV, open_index
from cleaner.run.options import BatchError, BatchOptions
from tests.conftest import ROOT, SAMPLES

WIRE, REWRITE, OTHER = "000_a30bae23c3b1c2e1", "001_7fddbf4e8879bb3a", "002_d3a4e731dcfd973d"


def batch_of(folder: Path, *names: str, copy_as: str | None = None) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        target = folder / (copy_as or f"{name}.txt")
        shutil.copy(SAMPLES / f"{name}.txt", target)
    return folder


def rows(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "manifest.jsonl").read_text("utf-8").splitlines()
    return {row["id"]: row for row in map(json.loads, lines)}


def clean(inputs: Path, out: Path, index: Path, name: str | None = None) -> dict[str, Any]:
    options = BatchOptions(jobs=1, timeout_s=None, index=index, batch_name=name)
    clean_batch([inputs], out, options)
    return rows(out)


def documents(index: Path) -> int:
    with CopyIndex(index, DedupConfig(), create=False) as opened:
        return opened.stats().documents


def integrity(index: Path) -> str:
    with sqlite3.connect(index) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_copy_in_a_later_batch_names_the_earlier_batch(tmp_path: Path) -> None:
    index = tmp_path / "index.db"
    clean(batch_of(tmp_path / "in1", WIRE), tmp_path / "out1", index, "monday")
    found = clean(batch_of(tmp_path / "in2", REWRITE, OTHER), tmp_path / "out2", index, "tuesday")
    assert found[f"{REWRITE}.txt"]["duplicate_of"] == f"monday:{WIRE}.txt"
    assert 0.15 < found[f"{REWRITE}.txt"]["similarity"] < 0.5
    assert found[f"{OTHER}.txt"]["duplicate_of"] is None

    # Run again: the batch does not find itself, and is not added twice.
    again = clean(tmp_path / "in2", tmp_path / "out2", index, "tuesday")
    assert again[f"{REWRITE}.txt"]["duplicate_of"] == f"monday:{WIRE}.txt"
    assert again[f"{OTHER}.txt"]["duplicate_of"] is None
    assert documents(index) == 3

    # An exact copy a batch later is flagged against the earliest copy, not the rewrite.
    third = clean(batch_of(tmp_path / "in3", WIRE, copy_as="copy.txt"), tmp_path / "out3", index)
    assert third["copy.txt"]["duplicate_of"] == f"monday:{WIRE}.txt"
    assert third["copy.txt"]["similarity"] == 1.0
    assert documents(index) == 4
    assert integrity(index) == "ok"


def test_without_a_batch_name_the_output_folder_names_the_batch(tmp_path: Path) -> None:
    index = tmp_path / "index.db"
    clean(batch_of(tmp_path / "in1", WIRE), tmp_path / "out1", index)
    found = clean(batch_of(tmp_path / "in2", REWRITE), tmp_path / "out2", index)
    assert found[f"{REWRITE}.txt"]["duplicate_of"] == f"{tmp_path / 'out1'}:{WIRE}.txt"


def test_kill_9_during_the_index_update_leaves_it_as_it_was(tmp_path: Path) -> None:
    index = tmp_path / "index.db"
    clean(batch_of(tmp_path / "in1", WIRE), tmp_path / "out1", index, "monday")
    batch_of(tmp_path / "in2", REWRITE, OTHER)
    command = [sys.executable, "-m", "cleaner", "clean", str(tmp_path / "in2"), "--out",
               str(tmp_path / "out2"), "--index", str(index), "--batch-name", "tuesday",
               "--jobs", "1", "--no-progress"]  # fmt: skip
    env = {**os.environ, PAUSE_ENV: "60"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    journal = index.with_name(index.name + "-journal")
    deadline = time.monotonic() + 60
    try:
        while not journal.exists():  # the update's transaction has written pages
            assert process.poll() is None, "the batch ended before its index update"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGKILL)  # the main process only
        process.wait()
    assert integrity(index) == "ok"  # the hot journal is rolled back on opening
    assert documents(index) == 1
    found = clean(tmp_path / "in2", tmp_path / "out2", index, "tuesday")
    assert found[f"{REWRITE}.txt"]["duplicate_of"] == f"monday:{WIRE}.txt"
    assert documents(index) == 3
    assert integrity(index) == "ok"


def test_prune_removes_the_batches_before_the_date(tmp_path: Path) -> None:
    index = tmp_path / "index.db"
    clean(batch_of(tmp_path / "in1", WIRE), tmp_path / "out1", index, "old")
    clean(batch_of(tmp_path / "in2", OTHER), tmp_path / "out2", index, "new")
    with sqlite3.connect(index) as db:
        db.execute("UPDATE batches SET indexed_at = '2020-01-01T00:00:00+00:00' WHERE name='old'")
    result = CliRunner().invoke(app, ["index", "prune", str(index), "--before", "2021-01-01"])
    assert result.exit_code == 0, result.output
    assert "1 batches (1 documents) removed" in result.output
    with sqlite3.connect(index) as db:
        assert [name for (name,) in db.execute("SELECT name FROM batches")] == ["new"]
        assert db.execute("SELECT count(*) FROM docs").fetchone()[0] == 1
        left = db.execute("SELECT count(DISTINCT doc) FROM bands").fetchone()[0]
        assert left == 1  # the old batch's band keys went with it
    assert integrity(index) == "ok"
    # The pruned batch is no longer matched.
    found = clean(batch_of(tmp_path / "in3", REWRITE), tmp_path / "out3", index, "later")
    assert found[f"{REWRITE}.txt"]["duplicate_of"] is None
    stats = CliRunner().invoke(app, ["index", "stats", str(index)])
    assert stats.exit_code == 0 and "integrity" in stats.output and "later" in stats.output


def test_a_second_batch_into_one_index_is_refused(tmp_path: Path) -> None:
    index = tmp_path / "index.db"
    batch_of(tmp_path / "in1", WIRE)
    with open_index(index, DedupConfig()):  # another run holds the index
        with pytest.raises(BatchError, match="another cleaner run is using the index"):
            clean(tmp_path / "in1", tmp_path / "out1", index)
        result = CliRunner().invoke(
            app,
            [
                "clean",
                str(tmp_path / "in1"),
                "--out",
                str(tmp_path / "out2"),
                "--index",
                str(index),
                "--no-progress",
                "--jobs",
                "1",
            ],
        )
        assert result.exit_code == 2
        assert "another cleaner run is using the index" in result.output
    assert not (tmp_path / "out1" / "manifest.jsonl").exists()  # refused before any work
    assert integrity(index) == "ok"
    assert documents(index) == 0


def test_dedup_and_index_add_use_the_index(tmp_path: Path) -> None:
    index = tmp_path / "index.db"
    # An output folder cleaned without the index, indexed afterwards.
    clean_batch([batch_of(tmp_path / "in1", WIRE)], tmp_path / "out1", BatchOptions(jobs=1))
    added = CliRunner().invoke(
        app, ["index", "add", str(tmp_path / "out1"), "--index", str(index), "--batch-name", "a"]
    )
    assert added.exit_code == 0, added.output
    assert "1 documents indexed" in added.output
    report = tmp_path / "report.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "dedup",
            str(batch_of(tmp_path / "in2", REWRITE)),
            "--out",
            str(report),
            "--index",
            str(index),
            "--batch-name",
            "b",
            "--jobs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert row["id"] == f"{REWRITE}.txt" and row["duplicate_of"] == f"a:{WIRE}.txt"
    assert documents(index) == 2


def test_an_index_with_other_settings_is_refused(tmp_path: Path) -> None:
    index = tmp_path / "index.db"
    with CopyIndex(index, DedupConfig()):
        pass
    options = BatchOptions(jobs=1, dedup=DedupConfig(num_perm=128), index=index)
    with pytest.raises(BatchError, match="other settings"):
        clean_batch([batch_of(tmp_path / "in", WIRE)], tmp_path / "out", options)
