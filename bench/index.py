"""The persistent near-copy index at scale: a 10,000-document batch against 1M indexed ones.

    python bench/index.py --work DIR [--index-docs 1000000] [--index-batches 10]
                          [--batch-docs 10000] [--jobs 2] [--rounds 1] [--keep-index]

1. Builds an index of `--index-docs` synthetic articles (bench/dedup.py's writer: Zipf words,
   paragraphs, 5% of each chunk planted as rewrites of another document of it) in
   `--index-batches` batches, through the corpus-level API (`CopyIndex.add_batch`: the same
   rows, segments and merges as a batch makes; the per-key cap is applied within each
   batch only, as there is nothing to look up while the bench builds). Texts and signatures
   are made by `--jobs` processes.
2. Writes a batch of `--batch-docs` .txt files: 5% planted rewrites of indexed documents
   (word 5-gram Jaccard spread over 0.1 to 0.7), the rest new articles.
3. Runs the real `cleaner clean` on that batch without an index, then with `--index`
   (alternating, `--rounds` times; the fastest run of each counts), and prints: time of
   each and their ratio, peak memory (PSS of the process tree), the index's lookup time for
   the batch's band keys (timed alone, through the API), index size on disk per document
   (before and after the batch), recall of planted cross-batch pairs at Jaccard >= 0.15
   (and 0.10-0.15), and false pairs (flags that were not planted).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dedup import PLANTED_SHARE, Writer
from bench.measure import run_measured
from cleaner.corpus.index import CopyIndex, Lookup, NewDoc, index_keys
from cleaner.corpus.signatures import DedupConfig, fingerprint, jaccard, shingle_hashes

CHUNK = 5_000
POOL_PER_CHUNK = 40  # originals each chunk offers for the batch's planted copies
BATCH_NAME = "today"
# A worker process's writer (its vocabulary takes a second to make), reseeded per chunk.
_WRITERS: dict[int, Writer] = {}


def _chunk(args: tuple[int, int, int]) -> tuple[list[NewDoc], list[tuple[str, str]]]:
    """A chunk of index documents (NewDoc, canonical positions within the chunk) and a few
    originals (id, text) for the batch's copies."""
    seed, number, size = args
    writer = _WRITERS.get(seed) or _WRITERS.setdefault(seed, Writer(seed))
    writer.rng = np.random.default_rng([seed, number])
    config = DedupConfig()
    docs: list[NewDoc] = []
    originals: list[tuple[int, list[str]]] = []
    pool: list[tuple[str, str]] = []
    for position in range(size):
        doc_id = f"c{number:04d}d{position:05d}"
        canonical = position
        if originals and writer.rng.random() < PLANTED_SHARE:
            canonical, source = originals[int(writer.rng.integers(0, len(originals)))]
            text = "\n\n".join(writer.rewrite(source, float(writer.rng.uniform(0.12, 0.85))))
        else:
            paragraphs = writer.article()
            originals.append((position, paragraphs))
            text = "\n\n".join(paragraphs)
            if len(pool) < POOL_PER_CHUNK:
                pool.append((doc_id, text))
        print_ = fingerprint(text, config)
        docs.append(NewDoc(doc_id, f"synthetic/{doc_id}", text, print_.signature,
                           print_.shingles, print_.digest, canonical))  # fmt: skip
    return docs, pool


def build_index(
    path: Path, total: int, batches: int, jobs: int, seed: int
) -> list[tuple[str, str]]:
    """The index, batch by batch; returns the pool of originals (`<batch>:<id>`, text)."""
    per_batch = total // batches
    pool: list[tuple[str, str]] = []
    context = multiprocessing.get_context("fork")
    with CopyIndex(path, DedupConfig()) as index, context.Pool(jobs) as workers:
        chunks = [(seed, n, CHUNK) for n in range(total // CHUNK)]
        results = workers.imap(_chunk, chunks)
        for batch in range(batches):
            name = f"day{batch:03d}"
            started = time.perf_counter()
            count = per_batch // CHUNK

            def docs(name: str = name, count: int = count) -> Iterator[NewDoc]:
                offset = 0
                for _ in range(count):
                    chunk, originals = next(results)
                    pool.extend((f"{name}:{doc_id}", text) for doc_id, text in originals)
                    for doc in chunk:
                        yield NewDoc(doc.doc_id, doc.source, doc.text, doc.signature,
                                     doc.shingles, doc.digest, doc.canonical + offset)  # fmt: skip
                    offset += len(chunk)

            index.add_batch(name, docs(), Lookup())
            print(f"  indexed {name}: {per_batch} docs in {time.perf_counter() - started:.0f} s",
                  flush=True)  # fmt: skip
    return pool


def write_batch(
    folder: Path, docs: int, pool: list[tuple[str, str]], seed: int
) -> dict[str, tuple[str, float]]:
    """The batch's .txt files; returns planted copies: file id -> (original, Jaccard)."""
    writer = Writer(seed)
    writer.rng = np.random.default_rng([seed, 999_999])
    folder.mkdir(parents=True, exist_ok=True)
    planted: dict[str, tuple[str, float]] = {}
    for number in range(docs):
        doc_id = f"new{number:06d}.txt"
        if writer.rng.random() < PLANTED_SHARE:
            original, source = pool[int(writer.rng.integers(0, len(pool)))]
            keep = float(writer.rng.uniform(0.12, 0.85))
            text = "\n\n".join(writer.rewrite(source.split("\n\n"), keep))
            planted[doc_id] = (original, jaccard(shingle_hashes(text), shingle_hashes(source)))
        else:
            text = "\n\n".join(writer.article())
        (folder / doc_id).write_text(text, "utf-8")
    return planted


def clean_command(batch: Path, out: Path, jobs: int, index: Path | None) -> list[str]:
    command = [sys.executable, "-m", "cleaner", "clean", str(batch), "--out", str(out),
               "--jobs", str(jobs), "--no-progress", "--force"]  # fmt: skip
    if index is not None:
        command += ["--index", str(index), "--batch-name", BATCH_NAME]
    return command


def lookup_seconds(index_path: Path, out: Path) -> tuple[float, int]:
    """The index's lookup of the batch's band keys, timed alone (the batch's own rows from
    its run are left out, as a rerun does)."""
    config = DedupConfig()
    texts = sorted(out.glob("*.txt"))
    signatures = np.stack([fingerprint(p.read_text("utf-8"), config).signature for p in texts])
    keys = index_keys(signatures, config)
    with CopyIndex(index_path, config) as index:
        started = time.perf_counter()
        found = index.lookup(keys, exclude=index.batch_range(BATCH_NAME))
        return time.perf_counter() - started, len(found.pairs)


def score(out: Path, planted: dict[str, tuple[str, float]]) -> tuple[list[str], int]:
    rows = [json.loads(line) for line in (out / "manifest.jsonl").open(encoding="utf-8")]
    flagged = {row["id"]: row["duplicate_of"] for row in rows if row["duplicate_of"]}
    false = sum(1 for doc, of in flagged.items() if planted.get(doc, ("",))[0] != of)
    lines = []
    for low, high in ((0.10, 0.15), (0.15, 1.01)):
        band = [doc for doc, (_, sim) in planted.items() if low <= sim < high]
        found = sum(1 for doc in band if flagged.get(doc) == planted[doc][0])
        lines.append(f"[{low:.2f},{min(high, 1):.2f}) {found}/{len(band)}"
                     f" = {found / max(1, len(band)):.4f}")  # fmt: skip
    return lines, false


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--index-docs", type=int, default=1_000_000)
    parser.add_argument("--index-batches", type=int, default=10)
    parser.add_argument("--batch-docs", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-index", action="store_true", help="reuse an index in --work")
    args = parser.parse_args()

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    index_path, pool_path = work / "index.db", work / "pool.jsonl"
    if not (args.keep_index and index_path.exists() and pool_path.exists()):
        index_path.unlink(missing_ok=True)
        started = time.perf_counter()
        pool = build_index(index_path, args.index_docs, args.index_batches, args.jobs, args.seed)
        pool_path.write_text("".join(json.dumps(item) + "\n" for item in pool), "utf-8")
        print(f"index of {args.index_docs} docs built in {time.perf_counter() - started:.0f} s")
    pool = [tuple(json.loads(line)) for line in pool_path.open(encoding="utf-8")]
    with CopyIndex(index_path, DedupConfig()) as index:
        before = index.stats()
    size_before = before.file_bytes / before.documents
    batch = work / "batch"
    planted = write_batch(batch, args.batch_docs, pool, args.seed + 1)  # type: ignore[arg-type]

    best = {"plain": float("inf"), "index": float("inf")}
    peaks = {"plain": 0, "index": 0}
    for _ in range(max(1, args.rounds)):
        for kind, index_arg in (("plain", None), ("index", index_path)):
            command = clean_command(batch, work / f"out-{kind}", args.jobs, index_arg)
            seconds, peak = run_measured(command)
            best[kind], peaks[kind] = min(best[kind], seconds), max(peaks[kind], peak)
    lookup, candidates = lookup_seconds(index_path, work / "out-index")
    with CopyIndex(index_path, DedupConfig()) as index:
        after = index.stats()
        check = index.integrity()
    recall, false = score(work / "out-index", planted)

    print(f"index: {before.documents} docs, {before.segments} segments, "
          f"{size_before:.0f} bytes/doc on disk ({before.text_bytes / before.documents:.0f} of "
          f"them compressed text); after the batch: {after.documents} docs, "
          f"{after.file_bytes / after.documents:.0f} bytes/doc; integrity {check}")  # fmt: skip
    print(
        f"batch of {args.batch_docs}: without index {best['plain']:.1f} s, "
        f"with index {best['index']:.1f} s: ratio {best['index'] / best['plain']:.2f}"
    )
    print(
        f"peak memory (PSS, process tree): without {peaks['plain'] / 1024:.0f} MB, "
        f"with {peaks['index'] / 1024:.0f} MB"
    )
    print(f"lookup of the batch's band keys alone: {lookup:.1f} s ({candidates} candidates)")
    print(f"planted cross-batch copies: {len(planted)}; recall " + "  ".join(recall))
    print(f"false pairs: {false}")


if __name__ == "__main__":
    main()
