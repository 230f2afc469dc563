"""Inputs and outputs behind fsspec URLs (here fsspec's in-memory filesystem)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

fsspec = pytest.importorskip("fsspec")
distributed = pytest.importorskip("distributed")

from cleaner.clean.pipeline import CleanConfig  # noqa: E402
from cleaner.clean.rules import RuleSet  # noqa: E402
from cleaner.run.batch import clean_batch  # noqa: E402
from cleaner.run.dask_engine import DaskEngine  # noqa: E402
from cleaner.run.options import BatchOptions  # noqa: E402
from tests.conftest import SAMPLES  # noqa: E402

FIXTURE_HTML = Path(__file__).resolve().parent / "fixtures" / "html"


@pytest.fixture
def memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An empty in-memory filesystem, and a journal cache of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fs = fsspec.filesystem("memory")
    fs.store.clear()
    fs.pseudo_dirs.clear()
    fs.pseudo_dirs.append("")
    yield fs
    fs.store.clear()


def _inputs(folder: Path) -> None:
    """The samples, an HTML page gzipped, and a JSONL file with one bad line."""
    (folder / "texts").mkdir(parents=True)
    for sample in sorted(SAMPLES.glob("*.txt")):
        (folder / "texts" / sample.name).write_bytes(sample.read_bytes())
    page = sorted(FIXTURE_HTML.glob("*.html"))[0]
    (folder / "page.html.gz").write_bytes(gzip.compress(page.read_bytes()))
    records = [
        {"id": "a", "text": "Short one.\n\n" + SAMPLES.joinpath(sorted(
            p.name for p in SAMPLES.glob("*.txt"))[0]).read_text("utf-8")},
        "not json",
    ]  # fmt: skip
    (folder / "feed.jsonl").write_text(
        json.dumps(records[0]) + "\n" + str(records[1]) + "\n", "utf-8"
    )


def _upload(fs: Any, folder: Path, root: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            fs.pipe_file(f"{root}/{path.relative_to(folder).as_posix()}", path.read_bytes())


def _memory_outputs(fs: Any, root: str) -> dict[str, bytes]:
    return {
        name[len(root) + 1 :]: fs.cat_file(name)
        for name in fs.find(root)
        if not name.endswith("manifest.jsonl")
    }


def _local_outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "manifest.jsonl"
    }


def _verdicts(manifest: str) -> list[tuple[Any, ...]]:
    rows = [json.loads(line) for line in manifest.splitlines()]
    return [(r["id"], r["status"], r["reason"], r["output"], r["duplicate_of"]) for r in rows]


def test_memory_urls_give_the_local_answer(memory: Any, tmp_path: Path, rules: RuleSet) -> None:
    _inputs(tmp_path / "in")
    _upload(memory, tmp_path / "in", "/in")
    options = BatchOptions(clean=CleanConfig(rules=rules), jobs=1, timeout_s=None)

    local = clean_batch([tmp_path / "in"], tmp_path / "out", options)
    remote = clean_batch(["memory://in"], "memory://out", options)

    assert remote.manifest == "memory://out/manifest.jsonl"
    local_manifest = (tmp_path / "out" / "manifest.jsonl").read_text("utf-8")
    remote_manifest = memory.cat_file("/out/manifest.jsonl").decode("utf-8")
    assert _verdicts(local_manifest) == _verdicts(remote_manifest)
    assert _local_outputs(tmp_path / "out") == _memory_outputs(memory, "/out")
    statuses = {row[1] for row in _verdicts(remote_manifest)}
    assert statuses == {"ok", "error"}  # the bad JSONL line
    assert remote.status == local.status and remote.status["ok"] == 7


def test_rerun_on_a_url_reuses_finished_documents(
    memory: Any, tmp_path: Path, rules: RuleSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    _inputs(tmp_path / "in")
    _upload(memory, tmp_path / "in", "/in")
    options = BatchOptions(clean=CleanConfig(rules=rules), jobs=1, timeout_s=None)
    first = clean_batch(["memory://in"], "memory://out", options)
    # Another machine: no local journal; the manifest is fetched from the output URL.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    second = clean_batch(["memory://in"], "memory://out", options)
    assert second.reused == first.status["ok"] + first.status["error"] - 1  # bad line redone
    assert second.status == first.status


def test_dask_engine_reads_and_writes_urls(memory: Any, tmp_path: Path, rules: RuleSet) -> None:
    """Threads share the in-memory filesystem, so the cluster runs in this process."""
    _inputs(tmp_path / "in")
    _upload(memory, tmp_path / "in", "/in")
    options = BatchOptions(clean=CleanConfig(rules=rules), jobs=2)
    local = clean_batch([tmp_path / "in"], tmp_path / "out", options)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = clean_batch(["memory://in"], "memory://out", options, engine=DaskEngine(client))
    assert remote.status == local.status
    assert _local_outputs(tmp_path / "out") == _memory_outputs(memory, "/out")
    remote_manifest = memory.cat_file("/out/manifest.jsonl").decode("utf-8")
    local_manifest = (tmp_path / "out" / "manifest.jsonl").read_text("utf-8")
    assert _verdicts(local_manifest) == _verdicts(remote_manifest)


def test_an_output_url_inside_the_input_url_is_not_read_back(memory: Any, rules: RuleSet) -> None:
    for sample in sorted(SAMPLES.glob("*.txt"))[:3]:
        memory.pipe_file(f"/in/{sample.name}", sample.read_bytes())
    options = BatchOptions(clean=CleanConfig(rules=rules), jobs=1, timeout_s=None)
    first = clean_batch(["memory://in"], "memory://in/out", options)
    second = clean_batch(["memory://in"], "memory://in/out", options)
    assert first.documents == second.documents == 3
    assert second.reused == 3


def test_urls_are_walked_like_local_folders(memory: Any, tmp_path: Path) -> None:
    """Same documents, order and output names from a URL as from the same local folder;
    a file named on its own is taken whatever its suffix (an error row, as locally)."""
    from cleaner.read.inputs import iter_sources

    text = sorted(SAMPLES.glob("*.txt"))[0].read_text("utf-8")
    tree = tmp_path / "tree"
    (tree / "B").mkdir(parents=True)
    (tree / "a" / "deep").mkdir(parents=True)
    (tree / "b.txt").write_text(text, "utf-8")
    (tree / "B" / "x.txt").write_text(text, "utf-8")
    (tree / "a" / "deep" / "y.txt").write_text(text, "utf-8")
    (tree / "a" / "z.html").write_text("<p>x</p>", "utf-8")
    (tree / "b.jsonl").write_text(json.dumps({"id": "x", "text": text}) + "\n", "utf-8")
    (tree / "notes.doc").write_text("x", "utf-8")
    _upload(memory, tree, "/tree")

    def listed(sources: Any) -> list[tuple[str, str, str | None]]:
        return [(s.id, s.output_name, s.error) for s in sources]

    assert listed(iter_sources(["memory://tree"])) == listed(iter_sources([tree]))
    assert listed(iter_sources([f"file://{tree}"])) == listed(iter_sources([tree]))
    single = listed(iter_sources(["memory://tree/notes.doc"]))
    assert single == listed(iter_sources([tree / "notes.doc"]))
    assert single[0][2] == "unsupported file type"


def test_a_file_url_output_is_a_local_folder(tmp_path: Path, rules: RuleSet) -> None:
    """file:// is the local disk: temp file + rename, folders made as needed; an output
    folder inside the input folder is not read back."""
    inputs = tmp_path / "in"
    (inputs / "nested").mkdir(parents=True)
    for sample in sorted(SAMPLES.glob("*.txt"))[:2]:
        (inputs / "nested" / sample.name).write_bytes(sample.read_bytes())
    options = BatchOptions(clean=CleanConfig(rules=rules), jobs=1, timeout_s=None)
    out = f"file://{inputs}/out"
    first = clean_batch([f"file://{inputs}"], out, options)
    second = clean_batch([f"file://{inputs}"], out, options)
    assert first.status["ok"] == second.reused == second.documents == 2
    assert len(list((inputs / "out" / "nested").glob("*.txt"))) == 2


def test_dedup_reads_texts_and_jsonl_behind_urls_as_it_reads_local_files(
    memory: Any, tmp_path: Path
) -> None:
    """`cleaner dedup` on a clean output in a store: same report as on the same files on
    disk, the report written to the store too; an unreadable text is an error row. One
    job: a memory:// store lives in this process only."""
    from typer.testing import CliRunner

    from cleaner.cli import app

    local = tmp_path / "texts"
    local.mkdir()
    samples = sorted(SAMPLES.glob("*.txt"))
    for sample in samples:
        (local / sample.name).write_bytes(sample.read_bytes())
    (local / "copy.txt.gz").write_bytes(gzip.compress(samples[2].read_bytes()))
    (local / "broken.txt.gz").write_bytes(b"not gzip at all")
    records = [{"id": "again", "text": samples[4].read_text("utf-8")}]
    (local / "more.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    (local / "manifest.jsonl").write_text('{"id": "a row, not a text"}\n', "utf-8")
    _upload(memory, local, "/store/texts")

    runner = CliRunner()
    on_disk = runner.invoke(app, ["dedup", str(local), "--out", str(tmp_path / "r.jsonl")])
    in_store = runner.invoke(
        app, ["dedup", "memory://store/texts", "--out", "memory://store/r.jsonl", "--jobs", "1"]
    )
    assert on_disk.exit_code == in_store.exit_code == 1  # broken.txt.gz is an error row
    for result in (on_disk, in_store):
        assert "7 texts, 3 near copies, 1 unreadable" in result.output.replace("\n", " ")
    expected = (tmp_path / "r.jsonl").read_bytes()
    assert memory.cat_file("/store/r.jsonl") == expected
    pairs = {(r["id"], r["duplicate_of"]) for r in map(json.loads, expected.splitlines())}
    assert pairs >= {("copy.txt.gz", samples[2].name), ("again", samples[4].name)}
