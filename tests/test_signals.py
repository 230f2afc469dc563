"""Stopping a batch the way supervisors do: the main process alone is signalled or killed.

cron, systemd, Airflow, `docker stop`, the OOM killer and `subprocess.run(timeout=...)` signal
the process they started, not its group: the workers must follow it out by themselves and
must not keep the output folder locked.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaner.clean.pipeline import CleanConfig
from cleaner.clean.rules import RuleSet
from cleaner.run import engine
from cleaner.run.batch import clean_batch
from cleaner.run.options import BatchError, BatchOptions
from cleaner.write.folder import Folder
from cleaner.write.outputs import atomic_output
from tests.conftest import ROOT
from tests.test_resume import (
    command,
    complete_rows,
    make_corpus,
    rows_of,
    temporaries,
    wait_for_rows,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc to find what is left running"
)


def running_for(out: Path) -> list[int]:
    """Processes still alive whose command line names this batch's output folder (the main
    process and its forked workers share it); zombies are dead and do not count."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(out).encode() in cmdline and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


def none_left_within(out: Path, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not running_for(out):
            return True
        time.sleep(0.1)
    return not running_for(out)


def workers_of(pid: int) -> list[int]:
    return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_kill_9_of_the_main_process_alone_leaves_no_worker_and_no_lock(tmp_path: Path) -> None:
    """Five kills at random points, each followed at once by the same command: none finds a
    process left after 3 s or the folder locked, and the last run ends the batch with every
    document exactly once."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 1500, seed=5)
    run = command(inputs, out, "--jobs", "2", "--no-progress")
    rng = random.Random(15)
    for _ in range(5):
        process = subprocess.Popen(run, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        done = complete_rows(out)  # the new run may be writing a row as this reads
        wait_for_rows(out, done + rng.randint(0, 250), process)
        if process.poll() is not None:
            break  # finished before the kill: nothing more to stop
        assert workers_of(process.pid), "the batch had no workers to orphan"
        process.send_signal(signal.SIGKILL)  # the main process only
        process.wait()
        assert none_left_within(out), f"left running: {running_for(out)}"

    rerun = subprocess.run(run, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    rows = rows_of(out)
    assert sorted(str(r["id"]) for r in rows) == sorted(p.name for p in inputs.iterdir())
    assert {r["status"] for r in rows} == {"ok"}
    assert temporaries(out) == []


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stop_signal_to_the_main_process_stops_the_batch_and_says_how_to_resume(
    tmp_path: Path, signum: int, code: int
) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 1500, seed=6)
    run = command(inputs, out, "--jobs", "2", "--no-progress")
    process = subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_rows(out, 300, process)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    done = len(rows_of(out))
    assert 300 <= done < 1500
    message = f"interrupted: {done} of 1500 documents done; run the same command again to resume"
    assert message in stderr
    assert "Traceback" not in stderr and "documents in" not in stdout  # no summary, no trace
    assert none_left_within(out), f"left running: {running_for(out)}"
    finished = {str(r["output"]): (out / str(r["output"])).stat().st_mtime_ns for r in rows_of(out)}

    rerun = subprocess.run(run, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{done} (unchanged since the last run)" in rerun.stdout
    assert all((out / name).stat().st_mtime_ns == mtime for name, mtime in finished.items())
    rows = rows_of(out)
    assert len(rows) == 1500 and len({r["id"] for r in rows}) == 1500
    assert temporaries(out) == []


def test_a_subprocess_timeout_leaves_no_process_behind(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 3000, seed=8)
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(
            command(inputs, out, "--jobs", "2", "--no-progress"), capture_output=True, timeout=2
        )
    assert none_left_within(out), f"left running: {running_for(out)}"
    rerun = subprocess.run(command(inputs, out, "--no-progress"), capture_output=True, check=False)
    assert rerun.returncode == 0
    assert len(rows_of(out)) == 3000


@pytest.mark.parametrize("which", ["dedup", "rules learn"])
def test_dedup_and_rules_learn_stop_on_sigterm_with_their_message(
    tmp_path: Path, which: str
) -> None:
    inputs = tmp_path / "in"
    make_corpus(inputs, 3000, seed=9)
    target = tmp_path / ("report.jsonl" if which == "dedup" else "learned")
    run = [sys.executable, "-m", "cleaner", *which.split(), str(inputs), "--out", str(target)]
    process = subprocess.Popen([*run, "--jobs", "2"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers_of(process.pid)) < 2:
        time.sleep(0.05)  # stopped while its workers run
    time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 143, stderr
    assert f"interrupted: no {'report' if which == 'dedup' else 'rule files'} written" in stderr
    assert not target.exists()
    assert none_left_within(target), f"left running: {running_for(target)}"


def test_an_output_folder_that_cannot_be_written_is_refused_before_any_work(
    tmp_path: Path,
) -> None:
    inputs = tmp_path / "in"
    make_corpus(inputs, 3)
    (tmp_path / "a-file").write_text("not a folder\n", "utf-8")
    out = tmp_path / "a-file" / "out"
    result = subprocess.run(command(inputs, out), capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert f"cannot write to {out}" in result.stderr and "Traceback" not in result.stderr


def test_an_injected_full_disk_stops_the_batch_with_a_clear_error_and_a_rerun_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes fail with ENOSPC from the 40th output on: the batch stops naming the folder,
    no output is half written, and once there is space the same batch finishes."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 120, seed=3)
    options = BatchOptions(clean=CleanConfig(rules=RuleSet()), jobs=1, timeout_s=None)
    real_write = Folder.write
    written = 0

    def fills_up(self: Folder, relative: str, content: str) -> None:
        nonlocal written
        if written >= 40:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written += 1
        real_write(self, relative, content)

    monkeypatch.setattr(Folder, "write", fills_up)
    with pytest.raises(BatchError, match=f"no space left on the device of {out}"):
        clean_batch([inputs], out, options)
    assert len(rows_of(out)) == 40
    assert temporaries(out) == []

    monkeypatch.setattr(Folder, "write", real_write)
    report = clean_batch([inputs], out, options)
    assert report.reused == 40 and report.status["ok"] == 120
    assert len(rows_of(out)) == 120


def test_a_full_disk_met_while_another_worker_writes_leaves_no_half_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers: one is mid-write (its temporary open) when the other finds the disk
    full. The batch stops its workers, killing the one writing, and what it was writing is
    removed: the folder holds whole outputs only."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 40, seed=8)
    claim, started = tmp_path / "slow-writer", tmp_path / "slow-write-started"

    def slow_then_full(self: Folder, relative: str, content: str) -> None:
        try:
            os.close(os.open(claim, os.O_CREAT | os.O_EXCL))
        except FileExistsError:  # the other worker is mid-write: now the disk is full
            deadline = time.monotonic() + 20
            while not started.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)) from None
        assert self.local is not None
        with atomic_output(self.local / relative) as stream:
            stream.write(content[:20])
            stream.flush()
            started.touch()
            time.sleep(60)  # killed long before this ends
            stream.write(content[20:])

    monkeypatch.setattr(Folder, "write", slow_then_full)
    # Forked workers, whatever threads earlier tests left: they must inherit the patch.
    monkeypatch.setattr(engine, "worker_context", lambda: multiprocessing.get_context("fork"))
    options = BatchOptions(clean=CleanConfig(rules=RuleSet()), jobs=2, timeout_s=None)
    with pytest.raises(BatchError, match=f"no space left on the device of {out}"):
        clean_batch([inputs], out, options)
    assert started.exists(), "no write was in progress when the disk filled"
    assert temporaries(out) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> object:
    """A 160 KB tmpfs folder (root only: skipped where mounting is not allowed)."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_file_system_that_fills_up_mid_batch(tmp_path: Path, small_disk: Path) -> None:
    inputs, out = tmp_path / "in", small_disk / "out"
    make_corpus(inputs, 600, seed=4)
    run = command(inputs, out, "--jobs", "2", "--no-progress")
    full = subprocess.run(run, capture_output=True, text=True, check=False, cwd=ROOT)
    assert full.returncode == 2, full.stderr[-6000:]
    assert f"no space left on the device of {out}" in full.stderr
    assert "Traceback" not in full.stderr
    assert temporaries(out) == []
    assert none_left_within(out)

    # Space is back: the same command finishes the batch.
    subprocess.run(["mount", "-o", "remount,size=8m", str(small_disk)], check=True)
    rerun = subprocess.run(run, capture_output=True, text=True, check=False, cwd=ROOT)
    assert rerun.returncode == 0, rerun.stderr
    rows = rows_of(out)
    assert len(rows) == 600 and {r["status"] for r in rows} == {"ok"}
    for row in rows:
        text = (out / str(row["output"])).read_text("utf-8")
        assert text.endswith(" said on Monday.\n")


def descendants(pid: int) -> list[int]:
    """The processes below `pid`, from every process's parent in /proc.

    Not from /proc/PID/task/TID/children: the tree is read while it runs, and a Dask worker
    starts and ends a thread for each document (its time limit), so a thread listed a moment
    before may be gone when its children file is opened. A process that ends while /proc is
    read is left out, as it is dead.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_dask_client_leaves_no_lock_no_cluster_and_a_resumable_journal(
    tmp_path: Path, how: int
) -> None:
    pytest.importorskip("distributed")
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 3000, seed=12)
    run = command(inputs, out, "--engine", "dask", "--jobs", "2", "--no-progress")
    process = subprocess.Popen(run, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for_rows(out, 200, process)
    cluster = descendants(process.pid)  # the local cluster's processes are ours
    assert len(cluster) >= 2, "the local cluster's two workers were not found"
    process.send_signal(how)
    _, stderr = process.communicate(timeout=60)
    if how == signal.SIGTERM:
        assert process.returncode == 143, stderr
        assert "interrupted: " in stderr and "of 3000 documents done" in stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in cluster):
        time.sleep(0.2)
    assert not [pid for pid in cluster if alive(pid)]
    done = len(rows_of(out))
    rerun = subprocess.run(command(inputs, out, "--no-progress"), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr  # not locked, journal readable
    assert f"{done} (unchanged since the last run)" in rerun.stdout
    assert len(rows_of(out)) == 3000


def _started(process: subprocess.Popen[str], line: str) -> None:
    assert process.stdout is not None
    assert process.stdout.readline().strip() == line, process.stderr


def test_a_second_signal_while_the_first_winds_down_stops_at_once(tmp_path: Path) -> None:
    """Ctrl-C twice: the second one ends the process at once, also after the batch has
    unwound while the command still works on its message (counting a big crawl's
    documents takes a while), and without a traceback."""
    script = (
        "import sys, time\n"
        "from cleaner.run.stop import Interrupted, stop_on_signals\n"
        "try:\n"
        "    with stop_on_signals():\n"
        "        print('running', flush=True)\n"
        "        time.sleep(60)\n"
        "except Interrupted as stop:\n"
        "    print('winding down', flush=True)\n"
        "    time.sleep(60)\n"
        "    sys.exit(stop.exit_code)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _started(process, "running")
    process.send_signal(signal.SIGINT)
    _started(process, "winding down")
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - started < 5
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr


def test_a_worker_whose_parent_dies_while_it_starts_ends_too(tmp_path: Path) -> None:
    """The main process is killed between forking a worker and the worker's asking to die
    with it (the fork hook widens that moment to a second): the worker must not live on."""
    marker = str(tmp_path / "pool-of-this-test")
    script = (
        "import os, sys, time\n"
        "from cleaner.run.workers import WorkerPool\n"
        "os.register_at_fork(after_in_child=lambda: time.sleep(1.0))\n"
        "print('forking', flush=True)\n"
        "for _ in WorkerPool(2, abs).run([(0, -1)]):\n"
        "    time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, marker], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    _started(process, "forking")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(workers_of(process.pid)) < 2:
        time.sleep(0.02)
    assert len(workers_of(process.pid)) == 2
    process.send_signal(signal.SIGKILL)  # while its workers sleep in the fork hook
    process.wait()
    assert none_left_within(Path(marker), seconds=4.0), f"left running: {running_for(Path(marker))}"


def test_the_manifest_is_on_the_disk_when_the_batch_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power cut after a batch must not leave an empty manifest under its name: its
    content and its folder entry are fsynced before the batch returns."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 5)
    synced: list[str] = []
    real_fsync = os.fsync

    def recorded(handle: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{handle}"))
        real_fsync(handle)

    monkeypatch.setattr(os, "fsync", recorded)
    clean_batch([inputs], out, BatchOptions(clean=CleanConfig(rules=RuleSet()), jobs=1))
    names = [Path(s).name for s in synced]
    assert any(n.startswith(".manifest.jsonl.") for n in names), synced  # its content
    assert str(out) in synced  # the rename


def test_a_row_the_disk_has_no_room_for_is_not_left_half_in_the_manifest(
    small_disk: Path,
) -> None:
    """The disk fills up in the middle of a row: the manifest keeps only whole rows, so it
    reads as JSON lines even before a rerun repairs it."""
    from cleaner.run.journal import Journal

    path = small_disk / "manifest.jsonl"
    with Journal(path, fresh=True) as journal:
        journal.append({"id": "a", "text": "first"})
        filler = small_disk / "filler"
        with open(filler, "wb") as stream, contextlib.suppress(OSError):
            stream.write(bytes(150 * 1024))  # leaves a page or two free
        with pytest.raises(OSError) as raised:
            journal.append({"id": "b", "text": "second " * 10_000})  # 70 KB: part fits
        assert raised.value.errno == errno.ENOSPC
    assert path.read_text("utf-8") == '{"id": "a", "text": "first"}\n'
