"""Output quality on the ScrapingHub article benchmark, for HTML and for already-scraped text.

    python bench/quality.py --data ../shared/bench/scrapinghub [--worst 10]

Systems, all on the same pages in one run:
- trafilatura: bare trafilatura 2.x, `extract(include_comments=False)`;
- cleaner-html: `cleaner.clean_html`;
- fulltext: the page turned into text naively (the "text mode" input, see `naive_text`);
- cleaner-text: `cleaner.clean_text` on that text.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura
from bs4 import BeautifulSoup

import cleaner
from bench.scoring import PageScore, score_page, summarise

_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def naive_text(html: str) -> str:
    """BeautifulSoup (lxml) text of the page without script/style/noscript/template/svg,
    whitespace collapsed in each line, runs of blank lines collapsed to one."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "svg"]):
        tag.decompose()
    lines = [_SPACES.sub(" ", line).strip() for line in soup.get_text("\n").splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def load_pages(data: Path) -> list[tuple[str, str, str]]:
    """(id, html, expected body) for every page with ground truth."""
    truth = json.loads((data / "ground-truth.json").read_text("utf-8"))
    pages = []
    for page_id in sorted(truth):
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
        pages.append((page_id, html, truth[page_id].get("articleBody") or ""))
    return pages


def run_trafilatura(html: str, _text: str) -> str:
    return trafilatura.extract(html, include_comments=False) or ""


def run_cleaner_html(html: str, _text: str) -> str:
    return cleaner.clean_html(html).text


def run_fulltext(_html: str, text: str) -> str:
    return text


def run_cleaner_text(_html: str, text: str) -> str:
    return cleaner.clean_text(text).text


SYSTEMS: dict[str, Callable[[str, str], str]] = {
    "trafilatura": run_trafilatura,
    "cleaner-html": run_cleaner_html,
    "fulltext": run_fulltext,
    "cleaner-text": run_cleaner_text,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the scrapinghub folder")
    parser.add_argument("--worst", type=int, default=10, help="worst pages shown per system")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset")
    parser.add_argument("--dump", type=Path, help="write each system's outputs here")
    args = parser.parse_args()

    pages = load_pages(args.data)
    texts = [naive_text(html) for _, html, _ in pages]
    chosen = [name.strip() for name in args.systems.split(",") if name.strip()]
    results: dict[str, list[PageScore]] = {}
    for name in chosen:
        system = SYSTEMS[name]
        scores = []
        for (page_id, html, expected), text in zip(pages, texts, strict=True):
            predicted = system(html, text)
            scores.append(score_page(expected, predicted))
            if args.dump:
                target = args.dump / name / f"{page_id}.txt"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(predicted, "utf-8")
        results[name] = scores

    print(f"ScrapingHub article benchmark: {len(pages)} pages")
    print(f"{'system':<14} {'precision':>9} {'recall':>7} {'F1':>6} {'accuracy':>8}")
    for name, scores in results.items():
        s = summarise(scores)
        print(f"{name:<14} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.accuracy:>8.3f}")
    for name, scores in results.items():
        print(f"\nworst {args.worst} pages, {name}:")
        ranked = sorted(zip(scores, pages, strict=True), key=lambda item: item[0].f1)
        for score, (page_id, _, _) in ranked[: args.worst]:
            scored = f"F1 {score.f1:.3f}  P {score.precision:.3f}  R {score.recall:.3f}"
            print(f"  {page_id[:16]}  {scored}")


if __name__ == "__main__":
    main()
