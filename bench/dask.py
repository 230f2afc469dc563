"""The Dask engine's cost on one machine: `cleaner clean` local engine against Dask.

    python bench/dask.py [--docs 20000] [--rounds 2] [--jobs 2]

Both runs clean the same generated text documents (one .txt file each, 40 sites with
templates to learn and some rewritten stories), alternating, best of `--rounds`:
(a) `--jobs N` on the local engine, (b) `--engine dask --jobs N`: a LocalCluster of N
single-threaded worker processes started by the command (its start-up is in the time).
Prints docs/s, the ratio, and whether both gave the same manifest statuses and near copies.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.learn import write_corpus
from bench.measure import run_measured


def write_files(folder: Path, docs: int) -> None:
    """The generated corpus as one .txt file a document, a folder per site."""
    corpus = folder / "corpus.jsonl"
    write_corpus(corpus, docs, sites=40)
    with open(corpus, encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            site = record["url"].split("/")[2]
            (folder / "texts" / site).mkdir(parents=True, exist_ok=True)
            (folder / "texts" / site / f"{record['id']}.txt").write_text(record["text"], "utf-8")
    corpus.unlink()


def command(inputs: Path, out: Path, jobs: int, engine: str) -> list[str]:
    return [sys.executable, "-m", "cleaner", "clean", str(inputs), "--out", str(out),
            "--jobs", str(jobs), "--no-progress", "--force", "--engine", engine]  # fmt: skip


def verdicts(out: Path) -> dict[str, tuple[str, str | None]]:
    rows = (json.loads(line) for line in (out / "manifest.jsonl").open(encoding="utf-8"))
    return {row["id"]: (row["status"], row["duplicate_of"]) for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_files(folder, args.docs)
        best = {"local": float("inf"), "dask": float("inf")}
        peaks = {"local": 0, "dask": 0}
        for _ in range(args.rounds):  # alternating, so drift hits both alike
            for engine in best:
                out = folder / engine
                seconds, peak = run_measured(command(folder / "texts", out, args.jobs, engine))
                best[engine] = min(best[engine], seconds)
                peaks[engine] = max(peaks[engine], peak)
        same = verdicts(folder / "local") == verdicts(folder / "dask")
    print(f"{args.docs:,} text documents, --jobs {args.jobs} (best of {args.rounds})")
    for engine, seconds in best.items():
        print(
            f"  {engine:5s}  {seconds:7.1f} s  {args.docs / seconds:7.1f} docs/s  "
            f"peak {peaks[engine] / 1024:6.0f} MB"
        )
    print(f"  Dask takes {best['dask'] / best['local']:.2f}x the local engine's time")
    print(f"  same statuses and near copies: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
