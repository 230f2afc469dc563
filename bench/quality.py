"""Output quality of cleaner and its peers on the news-page corpora, for HTML and for text.

    python bench/quality.py --data ../shared/bench [--corpus l3s] [--jobs 2] [--save /tmp/q]

`--data` is the folder holding scrapinghub/, l3s/ and dragnet/ (each html/<id>.html.gz and
ground-truth.json with articleBody), or one of those folders. All systems run on the same
pages in one run (bench/peers.py):
- HTML mode: cleaner (`clean_html`), trafilatura (default, fast, favor_precision; all with
  include_comments=False), readability-lxml, Resiliparse main content, jusText (stoplist of
  the page's language by langdetect), boilerpy3 ArticleExtractor;
- text mode: the page's naive text (`naive_text`), and `cleaner.clean_text` on it.

Scores: the mean per-page token F1 of the corpora's SOURCE.md (case-folded `\\w+` bags) on
every corpus, and ScrapingHub's own metric (bench/scoring.py) on scrapinghub. Then, per
corpus, the per-page oracle of the peers (the best peer on each page) and the pages where
cleaner loses most to the best peer. A system that fails on a page scores 0 there.
`--save DIR` writes every system's output and scores on every page as JSON (DIR/<corpus>/
<system>.json, and summary.json): keep it out of the repository (use /tmp).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.peers import ALL_SYSTEMS, CLEANER, HTML_SYSTEMS, MODES, PEERS, TEXT_SYSTEMS
from bench.runner import SystemResult, Task, run_all
from bench.scoring import mean_token_score, summarise

CORPORA = ("scrapinghub", "l3s", "dragnet")
# The corpus scored with its own benchmark's metric as well.
SHINGLE_METRIC_CORPUS = "scrapinghub"


def corpus_folders(data: Path, only: str | None) -> dict[str, Path]:
    """The corpora to run: `data` itself when it is one, else its known subfolders."""
    if (data / "ground-truth.json").is_file():
        found = {data.resolve().name: data}
    else:
        found = {
            name: data / name for name in CORPORA if (data / name / "ground-truth.json").is_file()
        }
    if only:
        if only not in found:
            raise SystemExit(f"no corpus {only!r} under {data} (found: {', '.join(found)})")
        found = {only: found[only]}
    if not found:
        raise SystemExit(f"no corpus under {data} (a folder with ground-truth.json)")
    return found


def load_truth(folder: Path) -> dict[str, str]:
    """id -> expected article body, for every page with ground truth and an HTML file."""
    truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    return {
        page_id: entry.get("articleBody") or ""
        for page_id, entry in sorted(truth.items())
        if (folder / "html" / f"{page_id}.html.gz").is_file()
    }


Results = dict[str, dict[str, SystemResult]]  # system -> page id -> result


def table(corpus: str, mode: str, results: Results, systems: list[str]) -> list[str]:
    shingles = corpus == SHINGLE_METRIC_CORPUS
    head = f"{'system':<22} {'P':>6} {'R':>6} {'F1':>6}"
    if shingles:
        head += f" | {'SH-P':>6} {'SH-R':>6} {'SH-F1':>6} {'SH-acc':>6}"
    head += f" | {'empty':>5} {'failed':>6} {'seconds':>8}"
    lines = [f"{corpus}, {mode} mode (token F1 mean over pages; SH = ScrapingHub metric)", head]
    for system in systems:
        pages = results[system].values()
        token = mean_token_score(r.tokens for r in pages)
        row = f"{system:<22} {token.precision:>6.3f} {token.recall:>6.3f} {token.f1:>6.3f}"
        if shingles:
            sh = summarise(r.shingles for r in pages)
            row += f" | {sh.precision:>6.3f} {sh.recall:>6.3f} {sh.f1:>6.3f} {sh.accuracy:>6.3f}"
        empty = sum(r.shingles.empty and r.error is None for r in pages)
        failed = sum(r.error is not None for r in pages)
        seconds = sum(r.seconds for r in pages)
        row += f" | {empty:>5} {failed:>6} {seconds:>8.1f}"
        lines.append(row)
    return lines


def best_peer(results: Results, peers: list[str], page_id: str) -> tuple[str, float]:
    """The peer with the highest token F1 on a page (the first of them on a tie)."""
    name = max(peers, key=lambda peer: results[peer][page_id].tokens.f1)
    return name, results[name][page_id].tokens.f1


def oracle(corpus: str, results: Results, peers: list[str]) -> tuple[list[str], dict[str, Any]]:
    ids = sorted(results[peers[0]])
    picks = [best_peer(results, peers, page_id) for page_id in ids]
    f1 = sum(score for _, score in picks) / max(1, len(ids))
    wins = Counter(name for name, _ in picks)
    summary: dict[str, Any] = {"peers": peers, "f1": f1, "wins": dict(wins.most_common())}
    line = f"oracle of the peers (best peer on each page): token F1 {f1:.3f}"
    if corpus == SHINGLE_METRIC_CORPUS:
        chosen = [
            results[name][page_id].shingles for (name, _), page_id in zip(picks, ids, strict=True)
        ]
        summary["sh_f1"] = summarise(chosen).f1
        line += f", SH-F1 {summary['sh_f1']:.3f}"
    lines = [line, "  best peer on a page: " + ", ".join(f"{n} {c}" for n, c in wins.most_common())]
    if CLEANER in results:
        with_cleaner = [
            max(score, results[CLEANER][page_id].tokens.f1)
            for (_, score), page_id in zip(picks, ids, strict=True)
        ]
        summary["f1_with_cleaner"] = sum(with_cleaner) / max(1, len(ids))
        level = sum(
            results[CLEANER][i].tokens.f1 >= s - 1e-9 for (_, s), i in zip(picks, ids, strict=True)
        )
        summary["cleaner_at_least_best_peer"] = level
        lines.append(
            f"  oracle with cleaner too: {summary['f1_with_cleaner']:.3f}; cleaner at least as good"
            f" as the best peer on {level} of {len(ids)} pages"
        )
    return lines, summary


def worst(results: Results, peers: list[str], count: int) -> tuple[list[str], list[dict[str, Any]]]:
    """The pages where cleaner (HTML) is furthest below the best peer."""
    rows = []
    for page_id, mine in results[CLEANER].items():
        name, score = best_peer(results, peers, page_id)
        rows.append((mine.tokens.f1 - score, page_id, mine.tokens.f1, name, score))
    rows.sort()
    picked = [row for row in rows[:count] if row[0] < 0]
    width = max((len(row[1]) for row in picked), default=0)
    lines = [f"{count} pages where cleaner loses most to the best peer (token F1):"]
    lines += [
        f"  {pid:<{width}}  cleaner {c:.3f}  {name:<21} {s:.3f}  ({gap:+.3f})"
        for gap, pid, c, name, s in picked
    ]
    listed = [
        {"id": pid, "cleaner_f1": c, "best_peer": name, "best_peer_f1": s}
        for _, pid, c, name, s in picked
    ]
    return lines, listed


def save(folder: Path, corpus: str, results: Results, summary: dict[str, Any]) -> None:
    target = folder / corpus
    target.mkdir(parents=True, exist_ok=True)
    for system, pages in results.items():
        payload = {
            "corpus": corpus,
            "system": system,
            "mode": MODES[system],
            "pages": {
                page_id: {
                    "text": r.text,
                    "precision": r.tokens.precision,
                    "recall": r.tokens.recall,
                    "f1": r.tokens.f1,
                    "sh": {
                        "tp": r.shingles.tp,
                        "fp": r.shingles.fp,
                        "fn": r.shingles.fn,
                        "exact": r.shingles.exact,
                    },
                    "seconds": r.seconds,
                    "error": r.error,
                    **r.extra,
                }
                for page_id, r in sorted(pages.items())
            },
        }
        (target / f"{system}.json").write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    (target / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False), "utf-8")


def report(corpus: str, results: Results, count: int) -> tuple[list[str], dict[str, Any]]:
    pages = len(next(iter(results.values())))
    lines = [f"=== {corpus}: {pages} pages"]
    summary: dict[str, Any] = {"corpus": corpus, "pages": pages, "systems": {}}
    for system, by_page in results.items():
        token = mean_token_score(r.tokens for r in by_page.values())
        entry = {
            "mode": MODES[system],
            "precision": token.precision,
            "recall": token.recall,
            "f1": token.f1,
        }
        entry["seconds"] = sum(r.seconds for r in by_page.values())
        entry["failed"] = sum(r.error is not None for r in by_page.values())
        if corpus == SHINGLE_METRIC_CORPUS:
            sh = summarise(r.shingles for r in by_page.values())
            entry.update(
                sh_precision=sh.precision, sh_recall=sh.recall, sh_f1=sh.f1, sh_accuracy=sh.accuracy
            )
        summary["systems"][system] = entry
    html = [s for s in results if MODES[s] == "html"]
    text = [s for s in results if MODES[s] == "text"]
    for mode, systems in (("HTML", html), ("text", text)):
        if systems:
            lines += ["", *table(corpus, mode, results, systems)]
    peers = [p for p in PEERS if p in results]
    if peers:
        oracle_lines, summary["oracle"] = oracle(corpus, results, peers)
        lines += ["", *oracle_lines]
    if peers and CLEANER in results and count:
        worst_lines, summary["worst"] = worst(results, peers, count)
        lines += ["", *worst_lines]
    return lines, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, required=True, help="folder of the corpora, or one corpus"
    )
    parser.add_argument("--corpus", choices=CORPORA, help="run this corpus only")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--save", type=Path, help="write outputs and scores here (JSON; not in the repo)"
    )
    parser.add_argument(
        "--worst", type=int, default=10, help="pages listed where cleaner loses most"
    )
    default = ",".join([*HTML_SYSTEMS, *TEXT_SYSTEMS])
    parser.add_argument(
        "--systems", default=default, help=f"comma-separated, of: {', '.join(ALL_SYSTEMS)}"
    )
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds a system may take on a page"
    )
    parser.add_argument(
        "--limit", type=int, help="the first N pages of each corpus only (quick runs)"
    )
    args = parser.parse_args()

    systems = [name.strip() for name in args.systems.split(",") if name.strip()]
    unknown = [name for name in systems if name not in ALL_SYSTEMS]
    if unknown:
        parser.error(f"unknown systems: {', '.join(unknown)}")
    corpora = corpus_folders(args.data, args.corpus)
    truths = {corpus: load_truth(folder) for corpus, folder in corpora.items()}
    tasks = [
        Task(
            corpus,
            page_id,
            folder / "html" / f"{page_id}.html.gz",
            expected,
            tuple(systems),
            bool(args.save),
            args.timeout,
        )
        for corpus, folder in corpora.items()
        for page_id, expected in list(truths[corpus].items())[: args.limit]
    ]
    started = time.perf_counter()
    results: dict[str, Results] = {corpus: defaultdict(dict) for corpus in corpora}
    for done, page in enumerate(run_all(tasks, args.jobs), 1):
        for system, result in page.systems.items():
            results[page.corpus][system][page.page_id] = result
        if done % 200 == 0 or done == len(tasks):
            print(
                f"  {done}/{len(tasks)} pages, {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
    wall = time.perf_counter() - started

    for corpus in corpora:
        ordered = {system: results[corpus][system] for system in systems}
        lines, summary = report(corpus, ordered, args.worst)
        print("\n".join(lines), end="\n\n")
        if args.save:
            summary["wall_seconds_all_corpora"] = wall
            save(args.save, corpus, ordered, summary)
    print(
        f"{len(tasks)} pages, {len(systems)} systems, --jobs {args.jobs}: {wall:.0f} s wall clock"
    )


if __name__ == "__main__":
    main()
