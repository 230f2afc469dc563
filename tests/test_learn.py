"""Learning each site's boilerplate from the batch: generated sites around different articles."""

from __future__ import annotations

import json
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from cleaner.clean.pipeline import CleanConfig
from cleaner.clean.rules import RuleSet, load_rules
from cleaner.cli import app
from cleaner.corpus.learn import (
    BlockCounts,
    LearnConfig,
    block_keys,
    confirmed_blocks,
    learned_pattern,
    normalise_block,
)
from cleaner.corpus.signatures import DedupConfig, jaccard, shingle_hashes
from cleaner.run.batch import clean_batch
from cleaner.run.options import BatchOptions

SYLLABLES = "ka lo mi ne tu ra si po der vek zul rim tas mor ban lin".split()
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def article(rng: random.Random, paragraphs: int = 4) -> list[str]:
    """Paragraphs of news-like prose (real function words, invented names), new every call."""
    return [
        " ".join(
            f"The {word(rng)} of {word(rng).capitalize()} said on {rng.choice(DAYS)} that the "
            f"{word(rng)} would {word(rng)} the {word(rng)} before the {word(rng)} in "
            f"{word(rng).capitalize()}."
            for _ in range(3)
        )
        for _ in range(paragraphs)
    ]


def template(site: str) -> dict[str, str]:
    """A site's own lines, which no generic filter knows: only learning can find them."""
    return {
        "header": f"The {site} Chronicle has served the valley towns of Harlow and Dene with "
        "local reporting since 1921.",
        "prompt": f"Tell the {site} Chronicle what you think about the stories we cover by "
        "writing to our letters page.",
        "footer": f"The {site} Chronicle is owned by the Valley Trust, a charity that funds "
        "local journalism in the region.",
    }


def page(site: str, paragraphs: list[str]) -> str:
    parts = template(site)
    body = [parts["header"], *paragraphs[:2], parts["prompt"], *paragraphs[2:], parts["footer"]]
    return "\n\n".join(body) + "\n"


def write_jsonl(path: Path, records: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")


def site_pages(site: str, prefix: str, articles: list[list[str]]) -> list[dict[str, str]]:
    """JSONL records of `site`'s pages (ids prefix-0, prefix-1…), each article in its template."""
    host = f"https://{site.lower()}-news.example"
    return [
        {"id": f"{prefix}-{n}", "url": f"{host}/{prefix}/{n}", "text": page(site, paragraphs)}
        for n, paragraphs in enumerate(articles)
    ]


def rows_of(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "manifest.jsonl").read_text("utf-8").splitlines()
    return {row["id"]: row for row in map(json.loads, lines)}


def run(inputs: Path, out: Path, **options: Any) -> dict[str, dict[str, Any]]:
    settings = BatchOptions(clean=CleanConfig(rules=RuleSet()), jobs=1, timeout_s=None)
    clean_batch([inputs], out, replace(settings, **options))
    return rows_of(out)


def three_sites(folder: Path) -> dict[str, list[str]]:
    """Six pages on each of three sites; returns each page's article paragraphs."""
    folder.mkdir()
    rng = random.Random(3)
    articles, records = {}, []
    for site in ("Alder", "Birch", "Cedar"):
        for number in range(6):
            doc_id = f"{site.lower()}-{number}"
            articles[doc_id] = article(rng)
            url = f"https://www.{site.lower()}-news.example/story/{number}"
            records.append({"id": doc_id, "url": url, "text": page(site, articles[doc_id])})
    write_jsonl(folder / "pages.jsonl", records)
    return articles


def test_each_sites_template_is_learned_and_removed(tmp_path: Path) -> None:
    articles = three_sites(tmp_path / "in")
    rows = run(tmp_path / "in", tmp_path / "out")
    for doc_id, paragraphs in articles.items():
        row = rows[doc_id]
        site = doc_id.split("-")[0].capitalize()
        text = (tmp_path / "out" / row["output"]).read_text("utf-8")
        assert text == "\n\n".join(paragraphs) + "\n"  # the article, whole, and nothing else
        learned = {r["text"] for r in row["removed"] if r["rule"].startswith("learned:")}
        assert learned <= set(template(site).values())
        assert {r["rule"] for r in row["removed"] if r["text"] in learned} <= {
            f"learned:{site.lower()}-news.example"
        }
        assert row["chars_out"] == len(text) - 1


def test_without_learning_the_template_stays(tmp_path: Path) -> None:
    three_sites(tmp_path / "in")
    rows = run(tmp_path / "in", tmp_path / "out", learn=LearnConfig(enabled=False))
    text = (tmp_path / "out" / rows["alder-0"]["output"]).read_text("utf-8")
    assert template("Alder")["prompt"] in text


def test_wire_copies_on_one_site_keep_their_shared_paragraphs(tmp_path: Path) -> None:
    """Four outlets' pages on one site; three carry the same wire story, lightly edited."""
    rng = random.Random(9)
    wire = article(rng, paragraphs=5)
    records, copies = [], []
    for number in range(3):
        edited = list(wire)
        edited[number] = edited[number].replace(" said ", " told reporters ")
        copies.append(edited)
        url = f"https://alder-news.example/wire/{number}"
        records.append({"id": f"wire-{number}", "url": url, "text": page("Alder", edited)})
    for number in range(3):
        url = f"https://alder-news.example/local/{number}"
        records.append({"id": f"local-{number}", "url": url, "text": page("Alder", article(rng))})
    (tmp_path / "in").mkdir()
    write_jsonl(tmp_path / "in" / "pages.jsonl", records)
    rows = run(tmp_path / "in", tmp_path / "out")
    for number in range(3):
        row = rows[f"wire-{number}"]
        text = (tmp_path / "out" / row["output"]).read_text("utf-8")
        assert text == "\n\n".join(copies[number]) + "\n"  # in order; the template gone
        learned = {r["text"] for r in row["removed"] if r["rule"].startswith("learned:")}
        assert learned == set(template("Alder").values())
    assert rows["wire-1"]["duplicate_of"] is not None
    assert not list((tmp_path / "out").rglob(".*"))  # no text kept aside once learning ends


def test_plain_texts_from_mixed_sites_learn_across_the_batch(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    rng = random.Random(5)
    for number in range(8):
        site = ("Alder", "Birch")[number % 2]
        (inputs / f"page{number}.txt").write_text(page(site, article(rng)), "utf-8")
    rows = run(inputs, tmp_path / "out")
    for number in range(8):
        row = rows[f"page{number}.txt"]
        site = ("Alder", "Birch")[number % 2]
        text = (tmp_path / "out" / row["output"]).read_text("utf-8")
        assert not set(template(site).values()) & set(text.split("\n\n"))
        assert "learned:batch" in {r["rule"] for r in row["removed"]}


def test_pages_sharing_only_a_template_are_not_near_copies_after_learning(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    rng = random.Random(8)
    short = [article(rng, paragraphs=2) for _ in range(4)]
    write_jsonl(inputs / "pages.jsonl", site_pages("Cedar", "short", short))
    before = run(inputs, tmp_path / "plain", learn=LearnConfig(enabled=False))
    texts = [(tmp_path / "plain" / row["output"]).read_text("utf-8") for row in before.values()]
    alike = max(
        jaccard(shingle_hashes(a), shingle_hashes(b)) for a in texts for b in texts if a != b
    )
    assert alike >= DedupConfig().threshold  # the template makes them alike by Jaccard
    # ... but what they share sits at their edges: a template, not a copy, learned or not.
    assert not any(row["duplicate_of"] for row in before.values())
    after = run(inputs, tmp_path / "learned")
    assert not any(row["duplicate_of"] for row in after.values())


def test_counting_is_independent_of_input_order() -> None:
    rng = random.Random(1)
    docs = [block_keys("s", ["shared line", *article(rng)]) for _ in range(5)]
    results = []
    for order in ([0, 1, 2, 3, 4], [4, 2, 0, 3, 1]):
        counts = BlockCounts()
        position = {counts.add(docs[doc]): doc for doc in order}
        repeated = counts.repeated(3)
        results.append({position[d]: sorted(keys.tolist()) for d, keys in repeated.items()})
    assert results[0] == results[1]
    assert sorted(results[0]) == [0, 1, 2, 3, 4]
    shared = int(block_keys("s", ["Shared  LINE"])[0])
    assert all(keys == [shared] for keys in results[0].values())


def test_a_block_held_by_one_group_only_is_not_boilerplate() -> None:
    key = np.array([7], dtype=np.uint64)
    repeated = {1: key, 2: key, 3: key, 4: key}
    assert confirmed_blocks(repeated, {}, 3) == {7}
    assert confirmed_blocks(repeated, {1: 1, 2: 1, 3: 1}, 3) == set()  # 1-2-3 are copies
    assert confirmed_blocks(repeated, {1: -1, 2: -1}, 3) == {7}  # groups -1, 3 and 4


def test_learned_patterns_match_the_block_and_its_variants() -> None:
    pattern = learned_pattern("© 2024 Alder  News (all rights) reserved.")
    rules = RuleSet()
    assert pattern == r"(?i)^©\s+\d+\s+Alder\s+News\s+\(all\s+rights\)\s+reserved\.$"
    import regex

    assert regex.search(pattern, "© 2025 ALDER News (all rights) reserved.")
    assert not regex.search(pattern, "Intro: © 2025 Alder News (all rights) reserved.")
    assert normalise_block(" A  1999 b") == "a 0 b"
    assert rules.sites == ()


def test_rules_learn_writes_rule_files_that_load_and_pass_the_check(tmp_path: Path) -> None:
    three_sites(tmp_path / "in")
    plain = tmp_path / "plain"
    plain.mkdir()
    rng = random.Random(6)
    for number in range(4):
        (plain / f"p{number}.txt").write_text(page("Dogwood", article(rng)), "utf-8")
    learned = tmp_path / "learned"
    result = CliRunner().invoke(
        app, ["rules", "learn", str(tmp_path / "in"), str(plain), "--out", str(learned)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in learned.glob("*.toml"))
    assert names == [
        "alder-news.example.toml",
        "batch.toml",
        "birch-news.example.toml",
        "cedar-news.example.toml",
    ]
    rules = load_rules(learned)
    alder = rules.get("alder-news.example")
    assert alder is not None and alder.hosts == ("alder-news.example",)
    assert len(alder.drop) == 3
    text = (learned / "alder-news.example.toml").read_text("utf-8")
    assert "# in 6 documents, e.g." in text
    batch = rules.get("batch")
    assert batch is not None and batch.fingerprints and len(batch.drop) == 3
    check = CliRunner().invoke(app, ["rules", "check", str(learned)])
    assert check.exit_code == 0, check.output
    # The learned file does what the learning did: the template goes, the article stays.
    sample = page("Alder", article(random.Random(99)))
    from cleaner import clean_text

    doc = clean_text(sample, url="https://alder-news.example/x", rules=rules)
    assert template("Alder")["prompt"] not in doc.text
    assert {r.rule for r in doc.removed} >= {"site:alder-news.example:drop[0]"}


@pytest.mark.parametrize("flag", ["--no-learn", "--learn"])
def test_cli_switch(tmp_path: Path, flag: str) -> None:
    three_sites(tmp_path / "in")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["clean", str(tmp_path / "in"), "--out", str(out), flag])
    assert result.exit_code == 0, result.output
    text = (out / rows_of(out)["birch-2"]["output"]).read_text("utf-8")
    assert (template("Birch")["prompt"] in text) == (flag == "--no-learn")


def test_exact_copies_lose_the_template_and_keep_their_article(tmp_path: Path) -> None:
    """Three identical pages among distinct ones: all their paragraphs repeat, so they count
    as one group; the template is still learned from the other pages and leaves them too."""
    rng = random.Random(12)
    story = article(rng)
    records = site_pages("Birch", "copy", [story] * 3)
    records += site_pages("Birch", "own", [article(rng) for _ in range(3)])
    write_jsonl(tmp_path / "in" / "pages.jsonl", records)
    rows = run(tmp_path / "in", tmp_path / "out")
    for n in range(3):
        text = (tmp_path / "out" / rows[f"copy-{n}"]["output"]).read_text("utf-8")
        assert text == "\n\n".join(story) + "\n"
    assert rows["copy-1"]["duplicate_of"] == "copy-0" and rows["copy-1"]["similarity"] == 1.0
    assert not any(rows[f"own-{n}"]["duplicate_of"] for n in range(3))


def test_pages_added_after_a_finished_run_learn_the_same_template(tmp_path: Path) -> None:
    """Outputs of the first run lost their template; the rows say so, and that still counts."""
    rng = random.Random(21)
    first = site_pages("Alder", "p", [article(rng) for _ in range(4)])
    write_jsonl(tmp_path / "in" / "a.jsonl", first)
    run(tmp_path / "in", tmp_path / "out")
    write_jsonl(tmp_path / "in" / "b.jsonl", site_pages("Alder", "new", [article(rng)]))
    rows = run(tmp_path / "in", tmp_path / "out")
    text = (tmp_path / "out" / rows["new-0"]["output"]).read_text("utf-8")
    assert not set(template("Alder").values()) & set(text.split("\n\n"))
    assert {r["rule"] for r in rows["new-0"]["removed"]} == {"learned:alder-news.example"}
    old = (tmp_path / "out" / rows["p-0"]["output"]).read_text("utf-8")
    assert template("Alder")["prompt"] not in old
    assert sum(r["rule"].startswith("learned:") for r in rows["p-0"]["removed"]) == 3


def test_learning_steps_give_the_same_result_when_run_twice(tmp_path: Path) -> None:
    """A Dask worker lost after a step wrote its output makes the step run again: each step
    works from the output as it was before learning, so a second run changes nothing."""
    from cleaner.corpus.learn import paragraphs_of
    from cleaner.run.learning import _learning_step, _Residual, _Settle, backup_name
    from cleaner.run.options import WorkerSettings
    from cleaner.write.folder import Folder

    rng = random.Random(4)
    paragraphs = [template("Harlow")["header"], *article(rng, 3), template("Harlow")["footer"]]
    original = "\n\n".join(paragraphs) + "\n"
    (tmp_path / "x.txt").write_text(original, "utf-8")
    settings = WorkerSettings(BatchOptions(), Folder.of(tmp_path))
    keys = block_keys("s", paragraphs_of(original.rstrip("\n"))).tolist()
    residual = _Residual("x.txt", 0, "s", tuple(keys), (keys[0], keys[4]))

    first = _learning_step(residual, settings)
    trimmed = (tmp_path / "x.txt").read_text("utf-8")
    second = _learning_step(residual, settings)
    assert second.texts == first.texts == (paragraphs[0], paragraphs[4])
    assert (tmp_path / "x.txt").read_text("utf-8") == trimmed
    assert paragraphs[0] not in trimmed and paragraphs[1] in trimmed

    # Settling: the header was a real paragraph after all (put back), the footer was not.
    positions = tuple(first.positions.tolist())
    settle = _Settle("x.txt", 0, positions, first.texts, frozenset({4}), True)
    settled = [_learning_step(settle, settings) for _ in range(2)]
    assert settled[0].removed == settled[1].removed == (paragraphs[4],)
    assert settled[0].chars_out == settled[1].chars_out
    assert (settled[0].fingerprint.signature == settled[1].fingerprint.signature).all()
    assert (tmp_path / "x.txt").read_text("utf-8") == "\n\n".join(paragraphs[:4]) + "\n"
    assert (tmp_path / backup_name("x.txt")).read_text("utf-8") == original


# Run in a process of its own: workers are forked there (no other test's threads about),
# so they run the patched step.
KILLING_STEP = """
import os, sys
from dataclasses import replace
from pathlib import Path
import cleaner.run.learning
from cleaner.run.batch import clean_batch
from cleaner.run.options import BatchOptions
from cleaner.clean.pipeline import CleanConfig
from cleaner.clean.rules import RuleSet

real_step = cleaner.run.learning._learning_step

def dies_on_alder_2(task, settings):
    result = real_step(task, settings)
    if task.output == "pages/alder-2.txt":
        os._exit(3)  # as the OOM killer would, after the output was rewritten
    return result

cleaner.run.learning._learning_step = dies_on_alder_2
options = BatchOptions(clean=CleanConfig(rules=RuleSet()), jobs=2, timeout_s=60.0)
clean_batch([Path(sys.argv[1])], Path(sys.argv[2]), options)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers fork on Linux only")
def test_a_document_whose_learning_step_kills_its_worker_keeps_its_whole_output(
    tmp_path: Path,
) -> None:
    """The worker dies after the step rewrote the output: the chunk's other documents are
    tried again one by one and learn; this one gets back its output from before learning,
    and its row claims no learned removal."""
    import subprocess

    articles = three_sites(tmp_path / "in")
    command = [sys.executable, "-c", KILLING_STEP, str(tmp_path / "in"), str(tmp_path / "out")]
    subprocess.run(command, check=True, cwd=Path(__file__).parent.parent)
    rows = rows_of(tmp_path / "out")

    for doc_id, paragraphs in articles.items():
        text = (tmp_path / "out" / rows[doc_id]["output"]).read_text("utf-8")
        learned = [r for r in rows[doc_id]["removed"] if r["rule"].startswith("learned:")]
        if doc_id == "alder-2":
            assert text == page("Alder", paragraphs) and not learned
        else:
            assert text == "\n\n".join(paragraphs) + "\n" and learned
    assert not [p.name for p in (tmp_path / "out").rglob(".*")]


def test_when_every_learning_step_fails_outputs_are_whole_and_no_copy_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each step fails after it rewrote its output: every document gets its output from
    before learning back, and the copies kept aside are deleted all the same."""
    import cleaner.run.learning

    articles = three_sites(tmp_path / "in")
    real_step = cleaner.run.learning._learning_step

    def fails_after_writing(task: Any, settings: Any) -> Any:
        real_step(task, settings)
        raise RuntimeError("lost after writing")

    monkeypatch.setattr(cleaner.run.learning, "_learning_step", fails_after_writing)
    rows = run(tmp_path / "in", tmp_path / "out")  # in this process
    for doc_id, paragraphs in articles.items():
        site = doc_id.split("-")[0].capitalize()
        text = (tmp_path / "out" / rows[doc_id]["output"]).read_text("utf-8")
        assert text == page(site, paragraphs)
        assert not [r for r in rows[doc_id]["removed"] if r["rule"].startswith("learned:")]
    assert not [p.name for p in (tmp_path / "out").rglob(".*")]
