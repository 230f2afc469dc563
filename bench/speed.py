"""Throughput of `cleaner clean` against bare trafilatura, scaling over cores, and memory.

    python bench/speed.py --data ../shared/bench/scrapinghub [--pages 500] [--rounds 2]

Every figure is a ratio between runs made in this same script, alternating, because the
machines are shared and absolute times drift:
1. HTML, one core: bare trafilatura (`extract(include_comments=False, with_metadata=True)`,
   reading the same files and writing one .txt each) against `cleaner clean --jobs 1`;
2. `cleaner clean --jobs 2` against `--jobs 1` on the same pages, and for reference what
   the machine itself gives: two bare trafilatura processes side by side, half the pages
   each, against one doing all (shared cores and memory bandwidth cap every program alike);
3. text mode: documents a second of `cleaner clean` on the pages' naive text;
4. memory: peak PSS of `cleaner clean`'s process tree on 10,000 text documents against
   1,000, also without the near-copy signatures the batch holds by design.
The pages are the benchmark's, repeated to `--pages`.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import run_measured, run_timed
from bench.naive import naive_text
from cleaner.corpus.signatures import DedupConfig

BARE_TRAFILATURA = """
import sys
from pathlib import Path
import trafilatura
source, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for path in sorted(source.glob("*.html")):
    text = trafilatura.extract(
        path.read_text("utf-8"), include_comments=False, with_metadata=True
    ) or ""
    (out / (path.stem + ".txt")).write_text(text, "utf-8")
"""


def prepare(data: Path, folder: Path, pages: int) -> tuple[Path, Path]:
    """`pages` HTML files and their naive text, cycling through the benchmark's pages."""
    html_dir, text_dir = folder / "html", folder / "text"
    html_dir.mkdir(parents=True)
    text_dir.mkdir()
    sources = sorted((data / "html").glob("*.html.gz"))
    for number in range(pages):
        html = gzip.decompress(sources[number % len(sources)].read_bytes()).decode("utf-8")
        (html_dir / f"{number:05d}.html").write_text(html, "utf-8")
        (text_dir / f"{number:05d}.txt").write_text(naive_text(html), "utf-8")
    return html_dir, text_dir


def split_in_two(pages: Path, folder: Path) -> list[Path]:
    """The pages in two folders (hard links), alternately: two equal halves."""
    halves = [folder / "half-0", folder / "half-1"]
    for half in halves:
        half.mkdir()
    for number, page in enumerate(sorted(pages.glob("*.html"))):
        (halves[number % 2] / page.name).hardlink_to(page)
    return halves


def run_side_by_side(commands: list[list[str]]) -> float:
    """Seconds until every command, all started at once, has finished."""
    started = time.perf_counter()
    processes = [subprocess.Popen(c, stdout=subprocess.DEVNULL) for c in commands]
    if any(process.wait() != 0 for process in processes):
        raise SystemExit(f"{commands[0][:3]} failed")
    return time.perf_counter() - started


def cleaner_command(inputs: Path, out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "cleaner", "clean", str(inputs), "--out", str(out),
            "--jobs", str(jobs), "--no-progress"]  # fmt: skip


def best(command: list[str], out: Path, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        shutil.rmtree(out, ignore_errors=True)
        times.append(run_timed(command, accept=(0, 1)))
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the scrapinghub folder")
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="cleaner-speed-"))
    try:
        html_dir, text_dir = prepare(args.data, folder, args.pages)
        out = folder / "out"
        bare = [sys.executable, "-c", BARE_TRAFILATURA, str(html_dir), str(out)]
        halves = split_in_two(html_dir, folder)
        pair = [[sys.executable, "-c", BARE_TRAFILATURA, str(half), str(out)] for half in halves]
        bare_times, one_times, two_times, pair_times = [], [], [], []
        for _ in range(args.rounds):  # alternating, so drift hits all alike
            bare_times.append(best(bare, out, 1))
            shutil.rmtree(out, ignore_errors=True)
            pair_times.append(run_side_by_side(pair))
            one_times.append(best(cleaner_command(html_dir, out, 1), out, 1))
            two_times.append(best(cleaner_command(html_dir, out, 2), out, 1))
        bare_time, one_time, two_time = min(bare_times), min(one_times), min(two_times)
        pair_time = min(pair_times)
        pages = args.pages
        print(f"HTML, {pages} pages (best of {args.rounds}):")
        print(f"  bare trafilatura      {pages / bare_time:7.1f} pages/s")
        print(
            f"  cleaner --jobs 1      {pages / one_time:7.1f} pages/s   "
            f"ratio to trafilatura {bare_time / one_time:.2f}x"
        )
        print(
            f"  cleaner --jobs 2      {pages / two_time:7.1f} pages/s   "
            f"ratio to --jobs 1 {one_time / two_time:.2f}x"
        )
        print(
            f"  machine's own scaling: two bare trafilatura processes side by side, half the "
            f"pages each, {bare_time / pair_time:.2f}x one"
        )

        text_ones, text_twos = [], []
        for _ in range(args.rounds):
            text_ones.append(best(cleaner_command(text_dir, out, 1), out, 1))
            text_twos.append(best(cleaner_command(text_dir, out, 2), out, 1))
        text_one, text_two = min(text_ones), min(text_twos)
        print(f"text mode, {pages} documents:")
        print(f"  cleaner --jobs 1      {pages / text_one:7.1f} docs/s")
        print(
            f"  cleaner --jobs 2      {pages / text_two:7.1f} docs/s   "
            f"ratio to --jobs 1 {text_one / text_two:.2f}x"
        )

        peaks = {}
        for count in (1000, 10000):
            many = folder / f"text-{count}"
            many.mkdir()
            texts = sorted(text_dir.glob("*.txt"))
            for number in range(count):
                shutil.copyfile(texts[number % len(texts)], many / f"{number:06d}.txt")
            shutil.rmtree(out, ignore_errors=True)
            _, peaks[count] = run_measured(cleaner_command(many, out, 2), accept=(0, 1))
            shutil.rmtree(many)
        # The near-copy stage holds one signature per document for the whole batch, by
        # design; the memory bound is on everything else.
        signature = DedupConfig().num_perm * 4 / 1024  # KiB a document
        aside = {count: peaks[count] - count * signature for count in peaks}
        print("memory, text mode, --jobs 2 (whole process tree, PSS):")
        print(f"  1,000 documents  {peaks[1000] / 1024:7.0f} MB peak")
        print(
            f"  10,000 documents {peaks[10000] / 1024:7.0f} MB peak   "
            f"ratio {peaks[10000] / peaks[1000]:.2f}x; "
            f"without near-copy signatures ({10000 * signature / 1024:.0f} MB) "
            f"{aside[10000] / aside[1000]:.2f}x"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
