"""The Dask engine gives the local engine's answer, on a real cluster of worker processes."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")

from cleaner.clean.pipeline import CleanConfig  # noqa: E402
from cleaner.clean.rules import RuleSet  # noqa: E402
from cleaner.run.batch import clean_batch  # noqa: E402
from cleaner.run.dask_engine import DaskEngine  # noqa: E402
from cleaner.run.dedup_files import dedup_files  # noqa: E402
from cleaner.run.engine import LocalEngine  # noqa: E402
from cleaner.run.options import BatchOptions  # noqa: E402
from tests.conftest import SAMPLES  # noqa: E402
from tests.test_learn import article, page, write_jsonl  # noqa: E402


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A scheduler and two single-threaded worker processes on loopback."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples and ~300 generated documents: sites with templates to learn, wire stories
    rewritten at several outlets, exact copies, and inputs that are error rows."""
    rng = random.Random(6)
    root = tmp_path_factory.mktemp("corpus")
    for sample in sorted(SAMPLES.glob("*.txt")):
        (root / "samples").mkdir(exist_ok=True)
        (root / "samples" / sample.name).write_bytes(sample.read_bytes())
    stories = [article(rng, 6) for _ in range(12)]
    for site in ("Harlow", "Dene", "Mercy", "Oakfield"):
        records = []
        for n in range(60):
            if n % 5 == 0:  # a wire story, reworded a little at each outlet
                paragraphs = [_reword(p, rng) for p in stories[n // 5 % len(stories)]]
            else:
                paragraphs = article(rng, rng.randint(3, 6))
            url = f"https://{site.lower()}-news.example/{n}"
            records.append({"id": f"{site}-{n}", "url": url, "text": page(site, paragraphs)})
        write_jsonl(root / "jsonl" / f"{site}.jsonl", records)
    plain = root / "plain"
    plain.mkdir()
    for n in range(40):
        text = "\n\n".join(article(rng, 4)) + "\n"
        (plain / f"story-{n:02d}.txt").write_text(text, "utf-8")
        if n % 8 == 0:
            (plain / f"story-{n:02d}-copy.txt").write_text(text, "utf-8")
    (plain / "empty.txt").write_bytes(b"")
    (plain / "binary.txt").write_bytes(bytes(range(256)) * 8)
    return root


def _reword(paragraph: str, rng: random.Random) -> str:
    words = paragraph.split()
    for _ in range(max(1, len(words) // 12)):
        words[rng.randrange(len(words))] = rng.choice(["local", "regional", "new", "late"])
    return " ".join(words)


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name != "manifest.jsonl"
    }


def _rows(out: Path) -> dict[str, tuple[Any, ...]]:
    rows = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    return {
        row["id"]: (row["status"], row["reason"], row["duplicate_of"], row["similarity"])
        for row in rows
    }


def test_dask_engine_matches_local(
    cluster: Any, corpus: Path, tmp_path: Path, rules: RuleSet
) -> None:
    options = BatchOptions(clean=CleanConfig(rules=rules), jobs=2)
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"
    local = clean_batch([corpus], local_out, options, engine=LocalEngine(2))
    with distributed.Client(cluster) as client:
        remote = clean_batch([corpus], dask_out, options, engine=DaskEngine(client))

    rows = _rows(local_out)
    assert len(rows) == 292
    assert rows == _rows(dask_out)
    assert _outputs(local_out) == _outputs(dask_out)
    statuses = {row[0] for row in rows.values()}
    assert {"ok", "error"} <= statuses
    assert local.duplicates == remote.duplicates > 10  # wire rewrites and exact copies
    assert local.learned_documents == remote.learned_documents > 200  # the four templates


def test_dask_dedup_matches_local(cluster: Any, corpus: Path) -> None:
    local = dedup_files([corpus / "jsonl", corpus / "plain"], jobs=2)
    with distributed.Client(cluster) as client:
        remote = dedup_files([corpus / "jsonl", corpus / "plain"], engine=DaskEngine(client))
    assert local.duplicates == remote.duplicates
    assert local.errors == remote.errors
    assert len(local.duplicates) > 10


def test_killed_worker_loses_no_document(corpus: Path, tmp_path: Path, rules: RuleSet) -> None:
    """A worker process is killed mid-run: the scheduler reruns its partition elsewhere."""
    options = BatchOptions(clean=CleanConfig(rules=rules), jobs=2)
    killed: list[int] = []
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local) as client,
    ):
        pids = list(client.run(os.getpid).values())

        def kill_once(row: dict[str, Any]) -> None:
            if not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        report = clean_batch(
            [corpus], tmp_path / "out", options, on_document=kill_once,
            engine=DaskEngine(client, partition_size=8),
        )  # fmt: skip
    assert killed
    rows = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").open()]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) == report.documents == 292
    errors = {row["id"]: row["reason"] for row in rows if row["status"] == "error"}
    assert set(errors) == {"plain/empty.txt", "plain/binary.txt"}


def test_cli_engine_dask_on_a_scheduler_address(cluster: Any, tmp_path: Path) -> None:
    """`--engine dask --scheduler ADDRESS` from another working folder: same result as local."""
    command = [sys.executable, "-m", "cleaner", "clean", str(SAMPLES), "--no-progress"]
    local = subprocess.run([*command, "--out", str(tmp_path / "local")], capture_output=True)
    remote = subprocess.run(
        [*command, "--out", "remote", "--engine", "dask", "--scheduler", cluster.scheduler_address],
        capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    assert local.returncode == remote.returncode == 0, remote.stderr.decode()
    assert _outputs(tmp_path / "local") == _outputs(tmp_path / "remote")
    assert _rows(tmp_path / "local") == _rows(tmp_path / "remote")


def test_cli_refuses_scheduler_without_dask(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cleaner", "dedup", str(SAMPLES), "--out", str(tmp_path / "r"),
         "--scheduler", "tcp://127.0.0.1:1"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--scheduler needs --engine dask" in result.stderr


def _dies_on_five(task: int, settings: int) -> int:
    if task == 5:
        os._exit(1)  # a document that kills every worker that runs it
    return task * settings


def test_a_document_that_kills_workers_is_the_only_failure() -> None:
    """Its partition is split and retried; the others' results all arrive, once each."""
    import dask

    from cleaner.run.workers import Failed

    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local) as client,
    ):
        pairs = list(
            DaskEngine(client, partition_size=8).map(_dies_on_five, ((i, i) for i in range(40)), 10)
        )
    results = dict(pairs)
    assert len(pairs) == len(results) == 40
    failed = {key: value for key, value in results.items() if isinstance(value, Failed)}
    assert list(failed) == [5]
    assert failed[5].reason.startswith("worker process died")
    assert all(results[key] == key * 10 for key in results if key != 5)


def _spins_on_three(task: int, settings: int) -> int:
    if task == 3:
        while True:  # a document that never finishes, in Python code
            pass
    return task * settings


def test_a_document_past_the_time_limit_is_a_timeout_and_the_worker_goes_on(
    cluster: Any,
) -> None:
    from cleaner.run.workers import Failed

    with distributed.Client(cluster) as client:
        workers_before = set(client.scheduler_info()["workers"])
        engine = DaskEngine(client, partition_size=4)
        results = dict(engine.map(_spins_on_three, ((i, i) for i in range(12)), 10, timeout_s=1))
        workers_after = set(client.scheduler_info()["workers"])
    assert results.pop(3) == Failed("timeout after 1 s")
    assert results == {i: i * 10 for i in range(12) if i != 3}
    assert workers_after == workers_before  # interrupted, not restarted


def test_the_time_limit_interrupts_only_the_late_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process: a quick document is left alone (nothing is raised in its thread
    afterwards); a slow one is interrupted, but not while it uploads; one stuck where it
    cannot be interrupted (here a long sleep, in C) ends its worker process after the grace
    period, when a nanny will replace the process, and only then."""
    import time

    import cleaner.run.dask_engine as dask_engine
    from cleaner.interrupts import shielded
    from cleaner.run.workers import Failed

    assert dask_engine._within(5.0, lambda task, settings: task + settings, 1, 2, True) == 3
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:  # Python code running: a stray interruption would hit
        pass

    def spin(task: int, settings: int) -> int:
        while True:
            pass

    assert dask_engine._within(0.2, spin, 0, 0, True) == Failed("timeout after 0.2 s")

    def uploads(task: float, settings: int) -> str:
        with shielded():
            stop = time.monotonic() + task
            while time.monotonic() < stop:  # past the limit, but not interrupted
                pass
        return "uploaded"

    late = dask_engine._within(
        0.2, lambda task, settings: [uploads(task, 0), spin(0, 0)], 1.0, 0, True
    )
    assert late == Failed("timeout after 0.2 s")  # interrupted once the upload was done
    assert dask_engine._within(0.2, uploads, 0.6, 0, True) == "uploaded"

    ended: list[int] = []
    monkeypatch.setattr(dask_engine, "_GRACE_S", 0.5)
    monkeypatch.setattr(dask_engine, "_INTERRUPT_EVERY_S", 0.25)
    monkeypatch.setattr(dask_engine.os, "_exit", ended.append)
    for may_exit, exits in ((False, []), (True, [dask_engine._STUCK_EXIT])):
        result = dask_engine._within(0.2, lambda task, settings: time.sleep(task), 1.5, 0, may_exit)
        assert ended == exits
        assert result == Failed("timeout after 0.2 s")  # the sleep ended, the interruption struck


def test_dask_engine_uses_the_index(cluster: Any, tmp_path: Path) -> None:
    """The client looks the batch up in the index and adds it: the same answer as locally."""
    index = tmp_path / "index.db"
    (tmp_path / "in1").mkdir()
    (tmp_path / "in2").mkdir()
    shutil.copy(SAMPLES / "000_a30bae23c3b1c2e1.txt", tmp_path / "in1")
    shutil.copy(SAMPLES / "001_7fddbf4e8879bb3a.txt", tmp_path / "in2")
    first = BatchOptions(jobs=1, index=index, batch_name="monday")
    clean_batch([tmp_path / "in1"], tmp_path / "out1", first)
    second = BatchOptions(jobs=1, index=index, batch_name="tuesday")
    with distributed.Client(cluster) as client:
        clean_batch([tmp_path / "in2"], tmp_path / "out2", second, engine=DaskEngine(client))
    [row] = [json.loads(line) for line in (tmp_path / "out2" / "manifest.jsonl").open()]
    assert row["duplicate_of"] == "monday:000_a30bae23c3b1c2e1.txt"
