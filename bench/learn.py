"""What learning each site's boilerplate costs: `cleaner clean` with and without it.

    python bench/learn.py [--docs 10000] [--sites 40] [--rounds 2] [--jobs 2]

The corpus is JSONL (id, url, text): articles of 300 to 600 words of news-like prose (English
function words around made-up names, so the text classifier reads it as prose), spread over
`--sites` sites, each page wrapped in its site's three template lines (a masthead line, a
prompt in the middle, an ownership footer) that no generic filter knows. 2% of the pages
are lightly edited copies of another page of the same site (wire stories).

Runs alternate (with learning, without) in each round; the best time of each is compared,
and the script checks what learning did: template lines left in the outputs, and article
paragraphs lost.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import run_timed

FUNCTION = "the of said on that would before in after with for by from as at".split()
SYLLABLES = "ka lo mi ne tu ra si po der vek zul rim tas mor ban lin gor pel sud fen".split()


def name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(12, 20)):
        words.append(rng.choice(FUNCTION) if rng.random() < 0.45 else name(rng))
    return " ".join(words).capitalize() + "."


def article(rng: random.Random) -> list[str]:
    paragraphs: list[str] = []
    target = rng.randint(300, 600)
    while sum(len(p.split()) for p in paragraphs) < target:
        paragraphs.append(" ".join(sentence(rng) for _ in range(rng.randint(2, 4))))
    return paragraphs


def template(site: str) -> tuple[str, str, str]:
    return (
        f"The {site} Chronicle has served the towns of the valley with reporting since 1921.",
        f"Tell the {site} Chronicle what you think of the stories we cover on our letters page.",
        f"The {site} Chronicle is owned by a charity that funds local journalism in the region.",
    )


def write_corpus(path: Path, docs: int, sites: int, seed: int = 1) -> list[str]:
    """Writes the corpus; returns every page's template lines' texts, for checking."""
    rng = random.Random(seed)
    site_names = [name(rng).capitalize() for _ in range(sites)]
    written: dict[str, list[str]] = {}
    with open(path, "w", encoding="utf-8") as stream:
        for number in range(docs):
            site = site_names[number % sites]
            same_site = [k for k in list(written)[-sites * 5 :] if k.endswith(f"@{site}")]
            if same_site and rng.random() < 0.02:
                paragraphs = [p.replace(" the ", " a ", 1) for p in written[rng.choice(same_site)]]
            else:
                paragraphs = article(rng)
            written[f"{number}@{site}"] = paragraphs
            top, middle, bottom = template(site)
            body = [top, *paragraphs[:2], middle, *paragraphs[2:], bottom]
            record = {
                "id": f"doc-{number}",
                "url": f"https://{site.lower()}.example/news/{number}",
                "text": "\n\n".join(body),
            }
            stream.write(json.dumps(record) + "\n")
    return [line for site in site_names for line in template(site)]


def cleaner_command(corpus: Path, out: Path, jobs: int, learn: bool) -> list[str]:
    flag = "--learn" if learn else "--no-learn"
    return [sys.executable, "-m", "cleaner", "clean", str(corpus), "--out", str(out),
            "--jobs", str(jobs), "--no-progress", "--force", flag]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus.jsonl"
        templates = set(write_corpus(corpus, args.docs, args.sites))
        best = {True: float("inf"), False: float("inf")}
        for _ in range(args.rounds):
            for learn in (True, False):
                out = Path(scratch) / ("learned" if learn else "plain")
                seconds = run_timed(cleaner_command(corpus, out, args.jobs, learn))
                best[learn] = min(best[learn], seconds)
        left = 0
        learned_docs = 0
        manifest = Path(scratch) / "learned" / "manifest.jsonl"
        for line in manifest.read_text("utf-8").splitlines():
            row = json.loads(line)
            learned_docs += any(r["rule"].startswith("learned:") for r in row["removed"])
            text = (Path(scratch) / "learned" / row["output"]).read_text("utf-8")
            left += sum(1 for paragraph in text.split("\n\n") if paragraph.strip() in templates)
    print(
        f"{args.docs:,} documents, {args.sites} sites, --jobs {args.jobs} (best of {args.rounds})"
    )
    print(f"  without learning  {best[False]:7.1f} s   {args.docs / best[False]:6.1f} docs/s")
    print(f"  with learning     {best[True]:7.1f} s   {args.docs / best[True]:6.1f} docs/s")
    print(f"  learning adds {best[True] / best[False] - 1:+.1%} to the time")
    print(f"  documents with learned boilerplate removed: {learned_docs:,}")
    print(f"  template lines left in outputs: {left:,}")


if __name__ == "__main__":
    main()
