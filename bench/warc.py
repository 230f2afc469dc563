"""WARC input: throughput against the same pages as files, the two WARC libraries, and memory.

    python bench/warc.py --data ../shared/bench/scrapinghub [--pages 500] [--rounds 2] [--gb 1]

Every figure is a ratio between runs made in this same script, alternating, because the
machine is shared and absolute times drift:
1. `cleaner clean --jobs 2` on `--pages` HTML files against the same pages as one WARC
   (gzip per record, each page a `response` with its URL, after a `request`): wall time,
   and the CPU time of the command and its workers, which other work on the machine
   disturbs much less;
2. reading that WARC's records and payloads with fastwarc (what cleaner uses) against
   warcio, in this process;
3. peak memory (PSS of the process tree) of `cleaner clean --jobs 2` on an uncompressed
   WARC of `--gb` GB made by repeating the pages, against one a tenth of its size.
Everything generated goes under /tmp and is deleted at the end.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bench.measure import run_measured, run_timed
from cleaner.corpus.signatures import DedupConfig


def load_pages(data: Path) -> list[tuple[str, bytes]]:
    """The benchmark's pages: (URL from its ground truth, HTML bytes), in a stable order."""
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    pages = []
    for path in sorted((data / "html").glob("*.html.gz")):
        key = path.name.removesuffix(".html.gz")
        url = truth.get(key, {}).get("url") or f"https://bench.example/{key}"
        pages.append((url, gzip.decompress(path.read_bytes())))
    return pages


def write_files(pages: list[tuple[str, bytes]], folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for number in range(count):
        (folder / f"{number:06d}.html").write_bytes(pages[number % len(pages)][1])


def write_warc(
    pages: list[tuple[str, bytes]], path: Path, count: int | None, size: int | None, gz: bool
) -> int:
    """A crawl of the pages, repeated: `count` responses, or until the file has `size` bytes.
    Each response follows its request, as crawlers write them. Returns the responses."""
    written = 0
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=gz)
        while (count is None or written < count) and (size is None or stream.tell() < size):
            url, html = pages[written % len(pages)]
            url = f"{url}?copy={written // len(pages)}" if written >= len(pages) else url
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "bench")], is_http_request=True)
            writer.write_record(
                writer.create_warc_record(
                    url, "request", payload=io.BytesIO(b""), http_headers=request
                )
            )
            headers = [("Content-Type", "text/html; charset=utf-8")]
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(html), http_headers=http
                )
            )
            written += 1
    return written


def cleaner_command(inputs: Path, out: Path, jobs: int = 2) -> list[str]:
    return [sys.executable, "-m", "cleaner", "clean", str(inputs), "--out", str(out),
            "--jobs", str(jobs), "--no-progress"]  # fmt: skip


def timed(command: list[str], out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its workers). On a machine shared with
    other work the wall time drifts with their load; the CPU time much less."""
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run_timed(command, accept=(0, 1))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def read_fastwarc(path: Path) -> int:
    from fastwarc.warc import ArchiveIterator

    total = 0
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream, parse_http=True, auto_decode="all"):
            if record.http_headers.status_code == 200:
                total += len(record.reader.read())
    return total


def read_warcio(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    total = 0
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response" and record.http_headers.get_statuscode() == "200":
                total += len(record.content_stream().read())
    return total


def best_read(reader: object, path: Path, rounds: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        size = reader(path)  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return min(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the scrapinghub folder")
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each")
    parser.add_argument("--gb", type=float, default=1.0, help="size of the big WARC")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()

    pages = load_pages(args.data)
    folder = Path(tempfile.mkdtemp(prefix="cleaner-warc-", dir="/tmp"))
    try:
        files, warc, out = folder / "html", folder / "crawl.warc.gz", folder / "out"
        write_files(pages, files, args.pages)
        write_warc(pages, warc, args.pages, None, gz=True)
        file_times, warc_times = [], []
        for _ in range(args.rounds):  # alternating, so drift hits both alike
            file_times.append(timed(cleaner_command(files, out), out))
            warc_times.append(timed(cleaner_command(warc, out), out))
        rows = (out / "manifest.jsonl").read_text("utf-8").count("\n")
        file_time, warc_time = min(t for t, _ in file_times), min(t for t, _ in warc_times)
        file_cpu, warc_cpu = min(c for _, c in file_times), min(c for _, c in warc_times)
        print(f"cleaner clean --jobs 2, {args.pages} pages (best of {args.rounds}):")
        print(
            f"  as HTML files        {args.pages / file_time:7.1f} pages/s   "
            f"{1000 * file_cpu / args.pages:6.1f} ms CPU a page"
        )
        print(
            f"  as one WARC (.gz)    {args.pages / warc_time:7.1f} pages/s   "
            f"{1000 * warc_cpu / args.pages:6.1f} ms CPU a page   ({rows} rows)"
        )
        print(
            f"  WARC to files: {file_time / warc_time:.2f}x the throughput, "
            f"{file_cpu / warc_cpu:.2f}x by CPU time"
        )

        plain = folder / "crawl.warc"
        write_warc(pages, plain, args.pages, None, gz=False)
        print(f"reading the WARC's records and payloads (best of {args.rounds + 1}):")
        for name, path in (("gzip", warc), ("plain", plain)):
            fast, size = best_read(read_fastwarc, path, args.rounds + 1)
            slow, other = best_read(read_warcio, path, args.rounds + 1)
            assert size == other, (size, other)
            mb = path.stat().st_size / 2**20
            print(
                f"  {name:5}  fastwarc {mb / fast:7.1f} MB/s   warcio {mb / slow:7.1f} MB/s   "
                f"fastwarc {slow / fast:.1f}x faster"
            )
        plain.unlink()
        shutil.rmtree(out, ignore_errors=True)

        if args.skip_memory:
            return
        peaks, documents = {}, {}
        for size in (args.gb / 10, args.gb):
            big = folder / "big.warc"
            documents[size] = write_warc(pages, big, None, int(size * 2**30), gz=False)
            shutil.rmtree(out, ignore_errors=True)
            _, peaks[size] = run_measured(cleaner_command(big, out), accept=(0, 1))
            big.unlink()
        small, large = args.gb / 10, args.gb
        # The near-copy stage keeps a signature per document for the whole batch, by design.
        signature = DedupConfig().num_perm * 4 / 1024  # KiB a document
        aside = {size: peaks[size] - documents[size] * signature for size in peaks}
        print("memory, cleaner clean --jobs 2 on an uncompressed WARC (process tree, PSS):")
        print(f"  {small:.1f} GB, {documents[small]} pages  {peaks[small] / 1024:7.0f} MB peak")
        print(
            f"  {large:.1f} GB, {documents[large]} pages {peaks[large] / 1024:7.0f} MB peak   "
            f"ratio {peaks[large] / peaks[small]:.2f}x for {large / small:.0f}x the WARC; "
            f"without near-copy signatures {aside[large] / aside[small]:.2f}x"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
