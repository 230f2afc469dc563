"""Where cleaner's HTML mode loses, from the per-page outputs bench/quality.py saved.

    python bench/quality.py --data ../shared/bench --save /tmp/q
    python bench/quality.py --data ../shared/bench --systems trafilatura-recall --save /tmp/qr
    python bench/headroom.py /tmp/q [/tmp/qr ...]

Per corpus (token F1, mean over pages), with no rerun:
- the steps of cleaner's pipeline: trafilatura default -> fast mode (what cleaner extracts
  with) -> cleaner (its filters and recovery on top), and trafilatura favor_recall if saved;
- which of cleaner's rules removed article text: removed lines of 4 tokens or more whose
  token sequence is in the ground truth (lines and tokens), by rule;
- the per-page switch "take readability's output when cleaner's has fewer than X% of
  readability's tokens", for a few X, and the same with trafilatura default instead.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scoring import token_score

_TOKEN = re.compile(r"\w+")
CUT_MIN_TOKENS = 4
THRESHOLDS = (0.1, 0.25, 0.5, 0.75)

Pages = dict[str, dict[str, Any]]  # page id -> saved result


def words(text: str) -> list[str]:
    return [token.casefold() for token in _TOKEN.findall(text or "")]


def load(folders: list[Path], corpus: str) -> dict[str, Pages]:
    """system -> pages, from every folder that has the corpus (later folders add systems)."""
    systems: dict[str, Pages] = {}
    for folder in folders:
        for path in sorted((folder / corpus).glob("*.json")):
            if path.name != "summary.json":
                saved = json.loads(path.read_text("utf-8"))
                systems.setdefault(saved["system"], saved["pages"])
    return systems


def mean_f1(pages: Pages) -> float:
    return sum(page["f1"] for page in pages.values()) / max(1, len(pages))


def contains(haystack: list[str], needle: list[str]) -> bool:
    """Whether `needle` occurs in `haystack` as a contiguous run of tokens."""
    if not needle or len(needle) > len(haystack):
        return False
    first = needle[0]
    size = len(needle)
    return any(
        haystack[i : i + size] == needle
        for i, token in enumerate(haystack[: len(haystack) - size + 1])
        if token == first
    )


def pipeline_steps(systems: dict[str, Pages]) -> list[str]:
    lines = ["pipeline steps (token F1):"]
    steps = ["trafilatura", "trafilatura-recall", "trafilatura-fast", "cleaner"]
    for name in steps:
        if name in systems:
            lines.append(f"  {name:<20} {mean_f1(systems[name]):.3f}")
    if {"cleaner", "trafilatura-fast"} <= systems.keys():
        cleaner, fast = systems["cleaner"], systems["trafilatura-fast"]
        better = sum(cleaner[i]["f1"] > fast[i]["f1"] + 0.01 for i in cleaner)
        worse = sum(cleaner[i]["f1"] < fast[i]["f1"] - 0.01 for i in cleaner)
        lines.append(
            f"  cleaner vs its fast-mode extraction: better on {better} pages, worse on {worse}"
        )
    if {"trafilatura", "trafilatura-fast"} <= systems.keys():
        default, fast = systems["trafilatura"], systems["trafilatura-fast"]
        lost = [i for i in fast if fast[i]["f1"] < default[i]["f1"] - 0.1]
        gap = sum(default[i]["f1"] - fast[i]["f1"] for i in lost) / max(1, len(fast))
        lines.append(
            f"  fast mode 0.1+ below default on {len(lost)} pages (costing {gap:.3f} of mean F1)"
        )
    return lines


PEERS = (
    "trafilatura",
    "trafilatura-fast",
    "trafilatura-precision",
    "readability",
    "resiliparse",
    "justext",
    "boilerpy3",
)
LOSS = 0.1


def losses(systems: dict[str, Pages]) -> list[str]:
    """Pages where cleaner is LOSS or more below the best peer, by where the loss arises."""
    peers = [name for name in PEERS if name in systems]
    cleaner, fast = systems["cleaner"], systems.get("trafilatura-fast")
    default = systems.get("trafilatura")
    kinds: Counter[str] = Counter()
    cost: Counter[str] = Counter()
    for page_id, page in cleaner.items():
        best = max(systems[name][page_id]["f1"] for name in peers)
        if page["f1"] > best - LOSS:
            continue
        if page.get("status") != "ok":
            kind = f"cleaner gives no text ({page.get('reason')})"
        elif fast is None:
            kind = "other"
        elif fast[page_id]["f1"] > best - LOSS:
            kind = "fast extraction fine, cleaner's steps lose it"
        elif default is not None and default[page_id]["f1"] > best - LOSS:
            kind = "fast extraction off, trafilatura default fine"
        else:
            kind = "fast and default extraction off, another peer fine"
        kinds[kind] += 1
        cost[kind] += best - page["f1"]
    pages = max(1, len(cleaner))
    lines = [f"pages where cleaner is {LOSS}+ below the best peer: {sum(kinds.values())}"]
    for kind, count in kinds.most_common():
        lines.append(f"  {count:>4} pages, {cost[kind] / pages:.3f} of mean F1: {kind}")
    return lines


def rule_cuts(systems: dict[str, Pages], truth: dict[str, str]) -> list[str]:
    removed: Counter[str] = Counter()
    cut_lines: Counter[str] = Counter()
    cut_tokens: Counter[str] = Counter()
    for page_id, page in systems["cleaner"].items():
        gold = words(truth[page_id])
        for rule, text in page.get("removed", []):
            removed[rule] += 1
            tokens = words(text)
            if len(tokens) >= CUT_MIN_TOKENS and contains(gold, tokens):
                cut_lines[rule] += 1
                cut_tokens[rule] += len(tokens)
    base = mean_f1(systems["cleaner"])
    lines = [
        f"cleaner's removals: lines, those that are article text ({CUT_MIN_TOKENS}+ tokens found"
        " in the ground truth) and their tokens, and cleaner's F1 with the rule's removals put"
        f" back (token bags ignore order; cleaner: {base:.3f}):",
        f"  {'rule':<18} {'removed':>8} {'in gold':>8} {'gold tokens':>11} {'F1 kept':>8}",
    ]
    for rule, count in removed.most_common():
        kept = f"{kept_f1(systems['cleaner'], truth, rule):.3f}"
        lines.append(
            f"  {rule:<18} {count:>8} {cut_lines[rule]:>8} {cut_tokens[rule]:>11} {kept:>8}"
        )
    return lines


def kept_f1(cleaner: Pages, truth: dict[str, str], rule: str) -> float:
    """Mean F1 of cleaner's output with every line `rule` removed added back."""
    total = 0.0
    for page_id, page in cleaner.items():
        back = [text for name, text in page.get("removed", []) if name == rule]
        total += token_score(truth[page_id], "\n".join([page["text"], *back])).f1
    return total / max(1, len(cleaner))


def switch(systems: dict[str, Pages], truth: dict[str, str], fallback: str) -> list[str]:
    """F1 of: cleaner, unless it has fewer than X of the fallback's tokens on the page."""
    cleaner, other = systems["cleaner"], systems[fallback]
    sizes = {i: (len(words(cleaner[i]["text"])), len(words(other[i]["text"]))) for i in cleaner}
    lines = [f"cleaner, or {fallback} when cleaner has fewer than X of its tokens:"]
    for share in THRESHOLDS:
        switched = [i for i, (mine, theirs) in sizes.items() if mine < share * theirs]
        total = sum((other if i in switched else cleaner)[i]["f1"] for i in cleaner) / max(
            1, len(cleaner)
        )
        lines.append(f"  X = {share:>4.0%}: F1 {total:.3f} ({len(switched)} pages switched)")
    best = sum(max(cleaner[i]["f1"], other[i]["f1"]) for i in cleaner) / max(1, len(cleaner))
    lines.append(f"  best of the two on each page: {best:.3f}")
    return lines


def check_scores(systems: dict[str, Pages], truth: dict[str, str]) -> None:
    """The saved F1s are those of the saved texts (a stale or mixed folder is caught)."""
    for name, pages in systems.items():
        for page_id in list(pages)[:5]:
            f1 = token_score(truth[page_id], pages[page_id]["text"]).f1
            if abs(f1 - pages[page_id]["f1"]) > 1e-9:
                raise SystemExit(
                    f"{name} {page_id}: saved F1 is not its text's (saved without text?)"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("saved", type=Path, nargs="+", help="folders written by quality --save")
    parser.add_argument("--data", type=Path, default=Path("../shared/bench"), help="the corpora")
    args = parser.parse_args()
    corpora = sorted({p.name for folder in args.saved for p in folder.iterdir() if p.is_dir()})
    for corpus in corpora:
        systems = load(args.saved, corpus)
        gold = json.loads((args.data / corpus / "ground-truth.json").read_text("utf-8"))
        truth = {page_id: entry.get("articleBody") or "" for page_id, entry in gold.items()}
        check_scores(systems, truth)
        pages = len(next(iter(systems.values())))
        lines = [f"=== {corpus}: {pages} pages", *pipeline_steps(systems)]
        if "cleaner" in systems:
            lines += losses(systems)
            lines += rule_cuts(systems, truth)
            for fallback in ("readability", "trafilatura"):
                if fallback in systems:
                    lines += switch(systems, truth, fallback)
        print("\n".join(lines), end="\n\n")


if __name__ == "__main__":
    main()
