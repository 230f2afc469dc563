"""Near-copy detection at scale: synthetic corpora with planted near copies.

    python bench/dedup.py [--sizes 10000,50000,100000,200000] [--jobs 2] [--rounds 2] [--keep DIR]

Each corpus is JSONL (id, text) of articles of 300 to 600 words in paragraphs, drawn from a
Zipf-distributed vocabulary, with 5% of the documents planted as near copies of another one.
A planted copy is made the way outlets rewrite a wire story: each paragraph of the original
is kept (with a few words changed) or replaced by a new one, and a paragraph or two of the
outlet's own is added; how much is kept is drawn so that word 5-gram Jaccard spreads over
0.1 to 0.7. `cleaner dedup` runs on each corpus in a subprocess, --rounds times (the fastest
counts: one slow run on a shared machine would skew the scaling ratios); the script prints
wall time, peak RSS of the whole process tree, documents a second, recall of planted pairs
by Jaccard band, and pairs flagged that were not planted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import run_measured
from cleaner.corpus.signatures import jaccard, shingle_hashes

BANDS = ((0.10, 0.15), (0.15, 0.20), (0.20, 0.30), (0.30, 0.50), (0.50, 1.01))
VOCABULARY = 50_000
PLANTED_SHARE = 0.05


class Writer:
    """Synthetic articles from a Zipf vocabulary of made-up words."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        lengths = self.rng.integers(2, 10, size=VOCABULARY)
        self.words = np.array(
            ["".join(self.rng.choice(letters, size=n)) for n in lengths], dtype=object
        )
        weights = 1.0 / np.arange(1, VOCABULARY + 1) ** 1.07
        self.cumulative = np.cumsum(weights / weights.sum())

    def draw(self, count: int) -> list[str]:
        ids = np.minimum(np.searchsorted(self.cumulative, self.rng.random(count)), VOCABULARY - 1)
        return list(self.words[ids])

    def paragraph(self) -> str:
        return " ".join(self.draw(int(self.rng.integers(40, 90)))) + "."

    def article(self) -> list[str]:
        paragraphs: list[str] = []
        target = int(self.rng.integers(300, 600))
        while sum(len(p.split()) for p in paragraphs) < target:
            paragraphs.append(self.paragraph())
        return paragraphs

    def rewrite(self, original: list[str], keep: float) -> list[str]:
        copy = []
        for paragraph in original:
            if self.rng.random() < keep:
                words = paragraph.split()
                changed = np.flatnonzero(self.rng.random(len(words)) < 0.03)
                for position, word in zip(changed, self.draw(len(changed)), strict=True):
                    words[position] = word
                copy.append(" ".join(words))
            else:
                copy.append(self.paragraph())
        copy.extend(self.paragraph() for _ in range(int(self.rng.integers(0, 3))))
        return copy


def make_corpus(path: Path, size: int, seed: int) -> dict[tuple[str, str], float]:
    """Write the corpus; return the planted pairs (copy id, original id) and their Jaccard."""
    writer = Writer(seed)
    planted: dict[tuple[str, str], float] = {}
    originals: list[tuple[str, list[str]]] = []
    with open(path, "w", encoding="utf-8") as stream:
        for number in range(size):
            doc_id = f"doc{number:07d}"
            if originals and writer.rng.random() < PLANTED_SHARE:
                source_id, source = originals[int(writer.rng.integers(0, len(originals)))]
                paragraphs = writer.rewrite(source, keep=float(writer.rng.uniform(0.12, 0.85)))
                text = "\n\n".join(paragraphs)
                planted[(doc_id, source_id)] = jaccard(
                    shingle_hashes(text), shingle_hashes("\n\n".join(source))
                )
            else:
                paragraphs = writer.article()
                if len(originals) < 5000:
                    originals.append((doc_id, paragraphs))
                text = "\n\n".join(paragraphs)
            stream.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    return planted


def run_dedup(corpus: Path, report: Path, jobs: int) -> tuple[float, int]:
    command = [sys.executable, "-m", "cleaner", "dedup", str(corpus), "--out", str(report),
               "--jobs", str(jobs)]  # fmt: skip
    return run_measured(command)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000,200000")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep corpora and reports in this folder")
    parser.add_argument(
        "--rounds", type=int, default=2, help="runs of each size; the fastest counts"
    )
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="cleaner-dedup-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    columns = f"{'docs':>8} {'seconds':>8} {'docs/s':>8} {'peak MB':>8} {'false':>6}"
    print(f"{columns}  recall by Jaccard band")
    times: dict[int, float] = {}
    for size in (int(x) for x in args.sizes.split(",")):
        corpus, report = folder / f"corpus-{size}.jsonl", folder / f"report-{size}.jsonl"
        planted = make_corpus(corpus, size, args.seed)
        runs = [run_dedup(corpus, report, args.jobs) for _ in range(max(1, args.rounds))]
        elapsed, peak_kib = min(seconds for seconds, _ in runs), max(peak for _, peak in runs)
        times[size] = elapsed
        cluster: dict[str, str] = {}
        rows = [json.loads(line) for line in report.read_text().splitlines()]
        for row in rows:
            cluster[row["id"]] = row["duplicate_of"]
            cluster[row["duplicate_of"]] = row["duplicate_of"]
        # Copies are only made of original documents, so a copy's group is its source.
        source_of = {copy_id: source_id for copy_id, source_id in planted}
        false = sum(
            1
            for row in rows
            if source_of.get(row["id"], row["id"])
            != source_of.get(row["duplicate_of"], row["duplicate_of"])
        )
        recall = []
        for low, high in BANDS:
            in_band = [pair for pair, similarity in planted.items() if low <= similarity < high]
            found = sum(
                1 for a, b in in_band if a in cluster and b in cluster and cluster[a] == cluster[b]
            )
            recall.append(
                f"[{low:.2f},{min(high, 1):.2f}) {found}/{len(in_band)}"
                f"={found / max(1, len(in_band)):.3f}"
            )
        print(
            f"{size:>8} {elapsed:>8.1f} {size / elapsed:>8.0f} {peak_kib / 1024:>8.0f} "
            f"{false:>6}  " + "  ".join(recall),
            flush=True,
        )
        if not args.keep:
            corpus.unlink()
            report.unlink()
    sizes = sorted(times)
    for small, large in itertools.pairwise(sizes):
        print(
            f"time {large} / time {small} = {times[large] / times[small]:.2f} "
            f"(size ratio {large / small:.1f})"
        )


if __name__ == "__main__":
    main()
