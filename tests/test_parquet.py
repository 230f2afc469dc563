"""`--format parquet`: the batch as Parquet files, read back by pyarrow and DuckDB."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.write.folder import Folder
from cleaner.write.parquet import COLUMNS, write_parquet
from tests.test_resume import make_corpus, wait_for_rows
from tests.warc_files import ARTICLE_URLS, article_page, write_mixed, write_pages

pq = pytest.importorskip("pyarrow.parquet")
duckdb = pytest.importorskip("duckdb")
fsspec = pytest.importorskip("fsspec")
distributed = pytest.importorskip("distributed")

runner = CliRunner()


def clean(*args: Any) -> Any:
    return runner.invoke(app, ["clean", *[str(a) for a in args], "--no-progress"])


def rows_of(manifest: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in manifest.read_text("utf-8").splitlines()]


def test_parquet_holds_the_txt_outputs_and_the_manifest(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    write_mixed(crawl / "mixed.warc.gz")
    write_pages(crawl / "more.warc.gz", [(f"https://e.com/{n}", article_page(n)) for n in range(8)])
    as_txt, as_parquet = tmp_path / "txt", tmp_path / "parquet"
    assert clean(crawl, "--out", as_txt).exit_code == 1  # the truncated record
    result = clean(crawl, "--out", as_parquet, "--format", "parquet")
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in as_parquet.glob("*.parquet")) == ["articles-00000.parquet"]

    txt_rows = [r for r in rows_of(as_txt / "manifest.jsonl") if r["status"] == "ok"]
    expected = {
        r["id"]: (as_txt / r["output"]).read_text("utf-8").removesuffix("\n") for r in txt_rows
    }
    assert len(expected) == len(ARTICLE_URLS) + 8

    table = pq.read_table(as_parquet / "articles-00000.parquet")
    assert table.column_names == list(COLUMNS)
    assert dict(zip(table["id"].to_pylist(), table["text"].to_pylist(), strict=True)) == expected
    manifest = {r["id"]: r for r in rows_of(as_parquet / "manifest.jsonl")}
    for row in table.to_pylist():  # every other field is the manifest's
        assert {k: v for k, v in row.items() if k != "text"} == manifest[row["id"]]
    assert any(row["removed"] for row in table.to_pylist())  # a list of {rule, text}

    pattern = str(as_parquet / "*.parquet")
    count, chars = duckdb.sql(f"select count(*), sum(length(text)) from '{pattern}'").fetchall()[0]
    assert count == len(expected) and chars == sum(len(t) for t in expected.values())
    rules = duckdb.sql(f"select distinct unnest(removed).rule from '{pattern}'").fetchall()
    assert ("title",) in rules


def test_files_are_split_and_a_rerun_rewrites_only_what_is_missing(tmp_path: Path) -> None:
    warc, out = tmp_path / "crawl.warc.gz", tmp_path / "out"
    write_pages(warc, [(f"https://e.com/{n}", article_page(n)) for n in range(10)])
    assert clean(warc, "--out", out, "--format", "parquet").exit_code == 0
    folder, manifest = Folder.of(out), out / "manifest.jsonl"

    def read_text(row: dict[str, Any]) -> str:
        return (out / row["output"]).read_text("utf-8").removesuffix("\n")

    names = write_parquet(folder, manifest, read_text, rows_per_file=4)
    assert names == [f"articles-0000{n}.parquet" for n in range(3)]  # 4 + 4 + 2 rows
    assert sorted(p.name for p in out.glob("*.parquet")) == names  # the single file is gone
    assert [pq.read_metadata(out / n).num_rows for n in names] == [4, 4, 2]
    written = {n: (out / n).stat().st_mtime_ns for n in names}
    (out / names[1]).unlink()
    (out / ".articles-00002.parquet.123.abcdef01.tmp").write_bytes(b"half")  # a killed write
    assert write_parquet(folder, manifest, read_text, rows_per_file=4) == names
    assert (out / names[0]).stat().st_mtime_ns == written[names[0]]
    assert (out / names[2]).stat().st_mtime_ns == written[names[2]]
    ids = duckdb.sql(f"select id from '{out}/*.parquet' order by id").fetchall()
    assert len(ids) == len(set(ids)) == 10
    # The next run clears what a killed one left.
    assert clean(warc, "--out", out, "--format", "parquet").exit_code == 0
    assert not list(out.glob(".*.tmp"))


def test_kill_9_mid_batch_then_rerun_every_article_once(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, 2000)
    run = [sys.executable, "-m", "cleaner", "clean", str(inputs), "--out", str(out)]
    run += ["--format", "parquet", "--jobs", "2", "--no-progress"]
    process = subprocess.Popen(run, stdout=subprocess.DEVNULL, start_new_session=True)
    wait_for_rows(out, 600, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not list(out.glob("*.parquet"))
    rerun = subprocess.run(run, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "unchanged since the last run" in rerun.stdout
    table = pq.read_table(out / "articles-00000.parquet")
    assert table.num_rows == 2000
    assert sorted(table["id"].to_pylist()) == sorted(p.name for p in inputs.iterdir())
    for row in table.select(["output", "text"]).to_pylist()[::97]:
        assert (out / row["output"]).read_text("utf-8") == row["text"] + "\n"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_a_crawl_with_no_article_gives_one_empty_file(tmp_path: Path) -> None:
    warc, out = tmp_path / "crawl.warc.gz", tmp_path / "out"
    write_pages(warc, [])
    with open(warc, "ab") as stream:  # a warcinfo record only
        from warcio.warcwriter import WARCWriter

        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record("crawl.warc.gz", {"software": "t"}))
    result = clean(warc, "--out", out, "--format", "parquet")
    assert result.exit_code == 0, result.output
    table = pq.read_table(out / "articles-00000.parquet")
    assert table.num_rows == 0 and table.column_names == list(COLUMNS)
    assert (out / "manifest.jsonl").read_text("utf-8") == ""


def test_a_missing_pyarrow_is_a_clear_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    result = clean(tmp_path, "--out", tmp_path / "out", "--format", "parquet")
    assert result.exit_code == 2
    assert "pip install 'cleaner[parquet]'" in result.output


def test_dask_engine_from_a_warc_url_to_parquet_at_a_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Threads share the in-memory filesystem, so the cluster runs in this process."""
    from cleaner.run.batch import clean_batch
    from cleaner.run.dask_engine import DaskEngine
    from cleaner.run.options import BatchOptions

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    memory = fsspec.filesystem("memory")
    memory.store.clear()
    warc = tmp_path / "mixed.warc.gz"
    write_mixed(warc)
    memory.pipe_file("/crawl/mixed.warc.gz", warc.read_bytes())
    options = BatchOptions(jobs=2, output_format="parquet")
    local = clean_batch([warc], tmp_path / "out", options)
    try:
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            remote = clean_batch(
                ["memory://crawl/*.warc.gz"], "memory://out", options, engine=DaskEngine(client)
            )
        assert remote.status == local.status and remote.skipped == local.skipped
        assert remote.tables == ["articles-00000.parquet"]
        with memory.open("/out/articles-00000.parquet", "rb") as stream:
            remote_table = pq.read_table(stream)
        local_table = pq.read_table(tmp_path / "out" / "articles-00000.parquet")
        columns = ["id", "url", "title", "date", "lang", "text"]
        assert remote_table.select(columns).to_pylist() == local_table.select(columns).to_pylist()
        assert remote_table.num_rows == len(ARTICLE_URLS)
    finally:
        memory.store.clear()


def test_local_engine_from_warc_and_wet_urls_to_parquet_at_a_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process (the in-memory filesystem is this process's): WARC and WET read from a
    URL, Parquet and the manifest written to one."""
    from cleaner.run.batch import clean_batch
    from cleaner.run.options import BatchOptions
    from tests.warc_files import write_wet

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    memory = fsspec.filesystem("memory")
    memory.store.clear()
    warc, wet = tmp_path / "mixed.warc.gz", tmp_path / "text.warc.wet.gz"
    write_mixed(warc)
    paragraph = "The council approved the harbour budget on Monday after a long debate. " * 4
    write_wet(
        wet, [(f"https://e.net/{n}", f"Budget {n} approved\n\n{paragraph}") for n in range(3)]
    )
    for path in (warc, wet):
        memory.pipe_file(f"/crawl/{path.name}", path.read_bytes())
    options = BatchOptions(jobs=1, output_format="parquet", timeout_s=None)
    try:
        report = clean_batch(["memory://crawl"], "memory://out", options)
        assert report.status["ok"] == len(ARTICLE_URLS) + 3 and report.status["error"] == 1
        assert report.skipped["request"] == 1 and report.skipped["warcinfo"] == 2
        with memory.open("/out/articles-00000.parquet", "rb") as stream:
            table = pq.read_table(stream)
        urls = sorted(table["url"].to_pylist())
        assert urls == sorted([*ARTICLE_URLS, *(f"https://e.net/{n}" for n in range(3))])
        manifest = memory.cat_file("/out/manifest.jsonl").decode("utf-8").splitlines()
        assert len(manifest) == len(ARTICLE_URLS) + 3 + 1  # and the truncated record's row
    finally:
        memory.store.clear()
