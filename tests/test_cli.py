"""The command line, through typer's runner: outputs, manifest, exit codes, bad input."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from tests.conftest import FIXTURES, GOLDEN, ROOT, SAMPLES

runner = CliRunner()
RULES = str(ROOT / "rules")


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def manifest(out: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text("utf-8").splitlines()]


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_clean_samples(tmp_path: Path) -> None:
    before = tree_digest(SAMPLES)
    code, output = run("clean", SAMPLES, "--out", tmp_path, "--rules", RULES, "--jobs", "1")
    assert code == 0, output
    assert "5 documents" in output and "near copies" in output
    rows = manifest(tmp_path)
    assert len(rows) == 5
    assert set(rows[0]) >= {
        "id",
        "source",
        "output",
        "status",
        "reason",
        "site",
        "url",
        "title",
        "date",
        "lang",
        "lang_prob",
        "chars_in",
        "chars_out",
        "removed",
        "duplicate_of",
        "similarity",
    }
    assert {r["status"] for r in rows} == {"ok"} and {r["lang"] for r in rows} == {"en"}
    flagged = [(r["id"][:3], r["duplicate_of"][:3]) for r in rows if r["duplicate_of"]]
    assert flagged == [("001", "000")]
    for row in rows:
        written = (tmp_path / row["output"]).read_text("utf-8")
        assert written == (GOLDEN / row["output"]).read_text("utf-8")
        assert row["chars_out"] == len(written) - 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [p.name for p in SAMPLES.glob("*.txt")] + ["manifest.jsonl"]
    )  # no temporary files left
    assert tree_digest(SAMPLES) == before


def test_two_jobs_give_the_same_result(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    assert run("clean", SAMPLES, "--out", one, "--rules", RULES, "--jobs", "1")[0] == 0
    assert run("clean", SAMPLES, "--out", two, "--rules", RULES, "--jobs", "2")[0] == 0
    assert manifest(one) == manifest(two)
    assert tree_digest(one) == tree_digest(two)


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_other_output_formats(tmp_path: Path, fmt: str) -> None:
    code, _ = run(
        "clean",
        SAMPLES / "002_d3a4e731dcfd973d.txt",
        "--out",
        tmp_path,
        "--rules",
        RULES,
        "--format",
        fmt,
    )
    assert code == 0
    content = (tmp_path / f"002_d3a4e731dcfd973d.{fmt}").read_text("utf-8")
    body = (GOLDEN / "002_d3a4e731dcfd973d.txt").read_text("utf-8").rstrip("\n")
    title = "Russia says 'continuing' Syria operation to support Assad's forces"
    if fmt == "md":
        assert content.startswith(f"# {title}\n\n*2017-04-05*\n\n")
        assert content.count(title) == 1 and content.endswith(body + "\n")
    else:
        record = json.loads(content)
        assert (record["title"], record["date"], record["site"], record["text"]) == (
            title,
            "2017-04-05",
            "dawn",
            body,
        )


def test_bad_format_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("clean", SAMPLES, "--out", tmp_path, "--format", "pdf")
    assert code == 2 and "--format" in output


def test_drop_duplicates(tmp_path: Path) -> None:
    code, _ = run("clean", SAMPLES, "--out", tmp_path, "--rules", RULES, "--drop-duplicates")
    assert code == 0
    row = next(r for r in manifest(tmp_path) if r["id"].startswith("001"))
    assert (row["status"], row["reason"], row["output"]) == ("dropped", "duplicate", None)
    assert row["duplicate_of"].startswith("000") and row["similarity"] > 0.15
    assert not (tmp_path / "001_7fddbf4e8879bb3a.txt").exists()
    assert (tmp_path / "000_a30bae23c3b1c2e1.txt").exists()


def test_lang_filter(tmp_path: Path) -> None:
    code, _ = run("clean", SAMPLES, "--out", tmp_path, "--rules", RULES, "--lang", "fr,de")
    assert code == 0  # dropping by language is not a failure
    rows = manifest(tmp_path)
    assert {(r["status"], r["reason"], r["output"]) for r in rows} == {("dropped", "lang", None)}


def make_bad_batch(folder: Path) -> None:
    folder.mkdir()
    shutil.copy(SAMPLES / "003_4f134465276709e0.txt", folder / "good.txt")
    shutil.copy(FIXTURES / "html" / "dawn.html", folder / "good page.html")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b"  \n\t\n")
    (folder / "binary.html").write_bytes(bytes(range(256)) * 8)
    french = (FIXTURES / "quality" / "fr_news.expected.txt").read_text("utf-8")
    (folder / "latin.txt").write_bytes(french.encode("latin-1"))
    (folder / "malformed.html").write_text("<<<>>><html<body></p></div>&&&", "utf-8")
    whole = gzip.compress((SAMPLES / "002_d3a4e731dcfd973d.txt").read_bytes())
    (folder / "truncated.txt.gz").write_bytes(whole[: len(whole) // 2])
    (folder / "good.txt.gz").write_bytes(
        gzip.compress((SAMPLES / "004_180a2d7879c2616b.txt").read_bytes())
    )
    records = [
        {"id": "rec-1", "text": (SAMPLES / "000_a30bae23c3b1c2e1.txt").read_text("utf-8")},
        "{not json",
        {
            "id": "rec-3",
            "html": (FIXTURES / "html" / "newarab.html").read_text("utf-8"),
            "url": "https://www.newarab.com/news/x",
        },
        {"id": "../../escape", "text": (SAMPLES / "001_7fddbf4e8879bb3a.txt").read_text("utf-8")},
        {"id": "rec-5"},
    ]
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (folder / "notes.md").write_text("not an input", "utf-8")


def test_bad_inputs_become_error_rows_and_the_batch_goes_on(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_bad_batch(inputs)
    before = tree_digest(inputs)
    code, output = run("clean", inputs, "--out", out, "--rules", RULES, "--jobs", "2")
    assert code == 1
    assert "Traceback" not in output
    rows = {r["id"]: r for r in manifest(out)}
    errors = {key: r["reason"] for key, r in rows.items() if r["status"] == "error"}
    assert errors == {
        "empty.txt": "empty input",
        "blank.txt": "empty input",
        "binary.html": "not text (binary)",
        "malformed.html": "no main text found in HTML",
        "truncated.txt.gz": errors["truncated.txt.gz"],
        "batch.jsonl:2": "invalid JSON on line 2: Expecting property name enclosed in double quotes",
        "rec-5": "JSONL record has neither an 'html' nor a 'text' string",
    }
    ok = {key for key, r in rows.items() if r["status"] == "ok"}
    assert ok == {
        "good.txt",
        "good page.html",
        "good.txt.gz",
        "latin.txt",
        "rec-1",
        "rec-3",
        "../../escape",
    }
    french = (FIXTURES / "quality" / "fr_news.expected.txt").read_text("utf-8")
    assert (out / "latin.txt").read_text("utf-8").strip() in french
    assert rows["latin.txt"]["lang"] == "fr"
    assert rows["rec-3"]["site"] == "newarab" and rows["good page.html"]["site"] == "dawn"
    assert rows["../../escape"]["output"] == "batch/escape.txt"
    assert rows["../../escape"]["duplicate_of"] == "rec-1"
    assert "notes.md" not in rows
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert written == {
        "manifest.jsonl",
        "good.txt",
        "good page.txt",
        "good~2.txt",
        "latin.txt",
        "batch/rec-1.txt",
        "batch/rec-3.txt",
        "batch/escape.txt",
    }
    assert tree_digest(inputs) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_output_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(SAMPLES, inputs)
    for _ in range(2):
        code, _ = run("clean", inputs, "--out", inputs / "clean", "--rules", RULES)
        assert code == 0
        assert len(manifest(inputs / "clean")) == 5


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    code, output = run("clean", tmp_path / "nope", "--out", tmp_path / "out")
    assert code == 2 and "no such input" in output


def test_invalid_rules_stop_before_the_batch(tmp_path: Path) -> None:
    bad = tmp_path / "rules"
    bad.mkdir()
    (bad / "x.toml").write_text('hosts = ["x.com"]\n[text]\ndrop = ["(("]\n', "utf-8")
    code, output = run("clean", SAMPLES, "--out", tmp_path / "out", "--rules", bad)
    assert code == 2
    assert "x.toml: text.drop[0]: invalid regular expression" in output
    assert not (tmp_path / "out").exists()


def test_rules_check(tmp_path: Path) -> None:
    code, output = run("rules", "check", RULES)
    assert code == 0, output
    assert "4 rule files valid; 8/8 sample tests pass" in output
    (tmp_path / "x.toml").write_text('hosts = ["x.com"]\n[html]\nstrip = ["a[href"]\n', "utf-8")
    code, output = run("rules", "check", tmp_path)
    assert code == 2 and "x.toml: html.strip[0]: invalid CSS selector" in output


def test_help_shows_an_example_for_every_command() -> None:
    for command in (["clean"], ["rules", "check"]):
        code, output = run(*command, "--help")
        assert code == 0 and "Example: cleaner" in output


def test_dedup_command_on_a_clean_output_folder(tmp_path: Path) -> None:
    clean_out, report = tmp_path / "clean", tmp_path / "report.jsonl"
    assert run("clean", SAMPLES, "--out", clean_out, "--rules", RULES)[0] == 0
    code, output = run("dedup", clean_out, "--out", report, "--jobs", "2")
    assert code == 0, output
    assert "5 texts, 1 near copies, 0 unreadable" in output  # manifest.jsonl is not a text
    [row] = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert (row["id"], row["duplicate_of"]) == (
        "001_7fddbf4e8879bb3a.txt",
        "000_a30bae23c3b1c2e1.txt",
    )
    assert 0.15 < row["similarity"] < 0.4


def test_dedup_refuses_a_report_it_cannot_write_before_doing_the_work(tmp_path: Path) -> None:
    code, output = run("dedup", SAMPLES, "--out", tmp_path)
    assert code == 2 and "cannot write the report" in output and "texts" not in output
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_dedup_command_on_jsonl_with_bad_lines(tmp_path: Path) -> None:
    texts = [p.read_text("utf-8") for p in sorted(GOLDEN.glob("*.txt"))]
    lines = [json.dumps({"id": f"t{i}", "text": t}) for i, t in enumerate(texts)]
    lines += [json.dumps({"id": "copy", "text": texts[2]}), "{broken", json.dumps({"id": "x"})]
    source, report = tmp_path / "texts.jsonl", tmp_path / "report.jsonl"
    source.write_text("\n".join(lines) + "\n", "utf-8")
    code, output = run("dedup", source, "--out", report, "--jobs", "1")
    assert code == 1 and "2 unreadable" in output
    rows = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    # Equal texts: the smaller id is canonical; otherwise the longer text is.
    assert sorted((r["id"], r["duplicate_of"]) for r in rows) == [("t1", "t0"), ("t2", "copy")]
    assert {r["id"]: r["similarity"] for r in rows}["t2"] == 1.0


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_near_copies_are_found_in_every_output_format(tmp_path: Path, fmt: str) -> None:
    code, _ = run("clean", SAMPLES, "--out", tmp_path, "--rules", RULES, "--format", fmt)
    assert code == 0
    flagged = [
        (r["id"][:3], r["duplicate_of"][:3]) for r in manifest(tmp_path) if r["duplicate_of"]
    ]
    assert flagged == [("001", "000")]


def test_gzipped_jsonl_with_a_byte_order_mark_streams(tmp_path: Path) -> None:
    text = (SAMPLES / "004_180a2d7879c2616b.txt").read_text("utf-8")
    body = "\ufeff" + json.dumps({"id": "inn", "text": text}) + "\n"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "feed.jsonl.gz").write_bytes(gzip.compress(body.encode("utf-8")))
    code, _ = run("clean", tmp_path / "in", "--out", tmp_path / "out", "--rules", RULES)
    assert code == 0
    [row] = manifest(tmp_path / "out")
    assert (row["id"], row["status"], row["site"], row["output"]) == (
        "inn",
        "ok",
        "israelnationalnews",
        "feed/inn.txt",
    )
