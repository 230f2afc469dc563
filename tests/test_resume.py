"""Crash safety: a killed batch, run again, finishes with every document exactly once."""

from __future__ import annotations

import fcntl
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cleaner.clean.pipeline import CleanConfig
from cleaner.run.batch import clean_batch
from cleaner.run.options import BatchError, BatchOptions
from tests.conftest import ROOT

VOCABULARY = "council budget harbour minister election river school hospital market police".split()
VOCABULARY += [a + b for a in ("ka", "lo", "mi", "ne", "tu", "ra") for b in ("ban", "der", "vek")]


def make_corpus(folder: Path, count: int, seed: int = 7) -> None:
    """`count` short articles that share no paragraphs (no near copies among them)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for number in range(count):
        paragraphs = [
            "The " + " ".join(rng.choice(VOCABULARY) for _ in range(25)) + " said on Monday."
            for _ in range(3)
        ]
        (folder / f"doc{number:05d}.txt").write_text("\n\n".join(paragraphs) + "\n", "utf-8")


def rows_of(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text("utf-8").splitlines()]


def command(inputs: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cleaner", "clean", str(inputs), "--out", str(out), *extra]


def complete_rows(out: Path) -> int:
    """Rows a running batch has finished writing: its journal may end in a row being
    written, which a reader can see in part."""
    manifest = out / "manifest.jsonl"
    return manifest.read_bytes().count(b"\n") if manifest.exists() else 0


def wait_for_rows(out: Path, at_least: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if complete_rows(out) >= at_least:
            return
        time.sleep(0.05)
    pytest.fail("the batch did not get far enough to be killed midway")


def temporaries(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_kill_9_midway_then_the_same_command_finishes_the_batch(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 3000)
    before = {p.name: p.read_bytes() for p in inputs.iterdir()}
    run = command(inputs, out, "--jobs", "2", "--no-progress")
    process = subprocess.Popen(run, stdout=subprocess.DEVNULL, start_new_session=True)
    wait_for_rows(out, 1000, process)
    os.killpg(process.pid, signal.SIGKILL)  # the batch and its workers, as the OOM killer would
    process.wait()
    assert process.returncode == -signal.SIGKILL
    done_before = {
        str(r["output"]): (out / str(r["output"])).stat().st_mtime_ns for r in rows_of(out)
    }
    assert 1000 <= len(done_before) < 3000

    rerun = subprocess.run(run, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    rows = rows_of(out)
    assert len(rows) == 3000
    assert sorted(str(r["id"]) for r in rows) == sorted(before)
    assert {r["status"] for r in rows} == {"ok"}
    outputs = sorted(p.name for p in out.glob("*.txt"))
    assert outputs == sorted(name for name in before)  # doc00000.txt ... doc02999.txt
    for row in rows:
        text = (out / str(row["output"])).read_text("utf-8")
        assert text.endswith(" said on Monday.\n") and len(text) == int(row["chars_out"]) + 1  # type: ignore[call-overload]
    # What was done before the kill was not done again.
    assert all((out / name).stat().st_mtime_ns == mtime for name, mtime in done_before.items())
    assert f"{len(done_before)} (unchanged since the last run)" in rerun.stdout
    assert temporaries(out) == []
    assert {p.name: p.read_bytes() for p in inputs.iterdir()} == before


def test_a_worker_killed_mid_run_costs_one_document_and_a_rerun_redoes_it(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 1500, seed=11)
    run = command(inputs, out, "--jobs", "2", "--no-progress")
    process = subprocess.Popen(run, stdout=subprocess.DEVNULL)
    wait_for_rows(out, 300, process)
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    os.kill(int(children[0]), signal.SIGKILL)
    assert process.wait(timeout=120) in (0, 1)
    rows = rows_of(out)
    assert len(rows) == 1500 and len({r["id"] for r in rows}) == 1500
    died = [r for r in rows if r["status"] == "error"]
    assert len(died) <= 1
    assert all(str(r["reason"]).startswith("worker process died") for r in died)

    assert subprocess.run(run, capture_output=True, check=False).returncode == 0
    assert {r["status"] for r in rows_of(out)} == {"ok"}


def batch(inputs: Path, out: Path, **options: Any) -> int:
    """Clean in process; the number of documents a previous run had already done."""
    settings = replace(BatchOptions(clean=CleanConfig(), jobs=1, timeout_s=None), **options)
    return clean_batch([inputs], out, settings).reused


def test_reruns_redo_only_what_changed(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 20)
    assert batch(inputs, out) == 0
    assert batch(inputs, out) == 20
    assert len(rows_of(out)) == 20

    (inputs / "doc00003.txt").write_text("The council met on Monday. " * 30, "utf-8")
    (out / "doc00007.txt").unlink()
    assert batch(inputs, out) == 18
    rows = {r["id"]: r for r in rows_of(out)}
    assert len(rows) == 20
    assert (out / "doc00003.txt").read_text("utf-8").startswith("The council met on Monday.")
    assert (out / "doc00007.txt").exists()

    assert batch(inputs, out, force=True) == 0
    assert batch(inputs, out, output_format="md") == 0  # other settings: other outputs
    assert batch(inputs, out, output_format="md") == 20


def test_a_near_copy_whose_original_is_gone_is_unmarked_on_the_rerun(tmp_path: Path) -> None:
    """Rows a rerun reuses keep their text, but not a near-copy mark that no longer holds;
    the summary counts what the manifest says."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 6)
    (inputs / "zz-copy.txt").write_bytes((inputs / "doc00002.txt").read_bytes())
    settings = BatchOptions(clean=CleanConfig(), jobs=1, timeout_s=None)
    first = clean_batch([inputs], out, settings)
    marked = {r["id"]: r["duplicate_of"] for r in rows_of(out) if r["duplicate_of"]}
    assert marked == {"zz-copy.txt": "doc00002.txt"} and first.duplicates == 1

    unchanged = (out / "manifest.jsonl").read_text("utf-8").splitlines()[:2]
    (inputs / "doc00002.txt").unlink()
    second = clean_batch([inputs], out, settings)
    rows = rows_of(out)
    assert second.reused == 6 and second.duplicates == 0
    assert [r["id"] for r in rows if r["duplicate_of"] or r["similarity"]] == []
    assert (out / "manifest.jsonl").read_text("utf-8").splitlines()[:2] == unchanged
    assert second.documents == len(rows) == 6
    assert second.status == {"ok": 6} and sum(second.languages.values()) == 6
    assert second.chars_out == sum(int(str(r["chars_out"])) for r in rows)


def test_a_half_written_last_row_and_stale_temporaries_are_cleared(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 5)
    batch(inputs, out)
    manifest = out / "manifest.jsonl"
    lines = manifest.read_text("utf-8").splitlines(keepends=True)
    manifest.write_text("".join(lines[:3]) + lines[3][:40], "utf-8")  # killed mid-write
    (out / ".doc00004.txt.12345.0badcafe.tmp").write_text("half an output", "utf-8")
    (out / "keep.me.tmp").write_text("not ours", "utf-8")
    assert batch(inputs, out) == 3
    assert len(rows_of(out)) == 5
    assert sorted(p.name for p in temporaries(out)) == ["keep.me.tmp"]


def test_a_second_run_into_the_same_folder_is_refused(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 2)
    out.mkdir()
    handle = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(BatchError, match="another cleaner run is writing to"):
            batch(inputs, out)
        result = subprocess.run(command(inputs, out), capture_output=True, text=True, check=False)
        assert result.returncode == 2 and "another cleaner run is writing to" in result.stderr
    finally:
        os.close(handle)
    assert not (out / "manifest.jsonl").exists()


def test_a_document_over_the_time_limit_is_an_error_row(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 3)
    links = "".join(
        f"<div><p>Item {n} of a very long list</p><a href='/{n}'>x</a></div>" for n in range(60_000)
    )
    (inputs / "slow.html").write_text(f"<html><body>{links}</body></html>", "utf-8")
    result = subprocess.run(
        command(inputs, out, "--timeout", "1", "--jobs", "1", "--rules", str(ROOT / "rules")),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    rows = {r["id"]: r for r in rows_of(out)}
    assert (rows["slow.html"]["status"], rows["slow.html"]["reason"]) == (
        "error",
        "timeout after 1 s",
    )
    assert [rows[f"doc0000{n}.txt"]["status"] for n in range(3)] == ["ok", "ok", "ok"]


def test_a_reused_output_name_taken_by_another_input_is_redone(tmp_path: Path) -> None:
    """Names are handed out in input order: a.htm -> a.txt, a.html -> a~2.txt; with a.htm
    gone and a.txt added, a.txt now gets a~2.txt and a.html must not keep it."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 3)
    paragraphs = "".join(
        f"<p>The harbour council met for the {n}th time on Monday and voted on the budget "
        f"for the coming year, which the mayor said would cost {n * 3} million.</p>"
        for n in range(4, 12)
    )
    page = f"<html><head><title>Vote</title></head><body><article>{paragraphs}</article>"
    (inputs / "a.htm").write_text(page.replace("harbour", "river"), "utf-8")
    (inputs / "a.html").write_text(page, "utf-8")
    batch(inputs, out)
    (inputs / "a.htm").unlink()
    (inputs / "doc00001.txt").rename(inputs / "a.txt")
    batch(inputs, out)
    rows = rows_of(out)
    outputs = [str(r["output"]) for r in rows]
    assert len(outputs) == len(set(outputs)) == 4
    by_id = {str(r["id"]): r for r in rows}
    assert "harbour council" in (out / str(by_id["a.html"]["output"])).read_text("utf-8")


def test_a_run_killed_while_learning_is_redone_on_the_next(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 6)
    batch(inputs, out)
    assert not (out / ".cleaner-learning").exists()
    (out / ".cleaner-learning").write_text("learning in progress\n", "utf-8")  # as a kill leaves it
    assert batch(inputs, out) == 0
    assert not (out / ".cleaner-learning").exists()
    assert batch(inputs, out) == 6
