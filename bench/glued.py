"""Glued boilerplate in multilingual scraped news: what cleaner leaves inside paragraphs.

    python bench/glued.py --data ../shared/bench/semeval2022-multilingual [--save FILE] [--top N]

The data folder holds `pairs.jsonl` (SemEval-2022 Task 8: pairs of scraped news texts in de,
es, tr, pl, ar, fr; pair_id "<id1>_<id2>", text1, text2, lang, Overall 1 = same story to
4 = unrelated). Each article id is cleaned once (an id may sit in several pairs; when its texts
differ between pairs, the first one is used and the ids are counted) with `cleaner.clean_text`,
with no URL: the whole set is one "site".

Printed per language:
- texts, and how many cleaning kept (status ok);
- sentences that recur in 3 or more different articles (split on . ! ?, their CJK and
  full-width forms, the Arabic question mark and newlines; sentences under 4 words ignored;
  compared without case or spacing): in the input, in the output (the cleaned bodies), and
  how many of the input's are still in the output, as distinct sentences and occurrences;
  of the output's occurrences, how many are glued inside a longer line (one that holds other
  text too);
- the most frequent recurring sentences left in the output (`--top`);
- texts dropped (status not ok), each with its reason.
Then the near copies `cleaner.find_duplicates` flags among all kept texts (every language at
once): each flagged pair, whether it is an annotated pair and its Overall rating, the share of
the 5-grams the two cleaned texts share that lie in recurring sentences, and the longest
run of words they share; and how many annotated pairs rated Overall >= 3.0 (different
stories) are flagged.

Only the public API is used (`cleaner.clean_text`, `cleaner.find_duplicates`), so the bench
works whatever the package's inner layout. `--save FILE` writes everything as JSON (cleaned
texts included): research data, keep it out of the repository.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cleaner

LANGS = ("de", "es", "tr", "pl", "ar", "fr")
MIN_ARTICLES = 3
MIN_WORDS = 4
DIFFERENT_STORIES = 3.0
TRIM = 150
SHINGLE = 5

_SENTENCE_END = re.compile(r"[.!?。！？؟\n]+")
_WORD = re.compile(r"\w+")


@dataclass
class Article:
    id: str
    lang: str
    text: str
    doc: cleaner.Document = field(default_factory=lambda: cleaner.Document(id=""))


@dataclass
class Recurring:
    """Every sentence of a set of texts, by key: the articles holding it, its occurrences, the
    occurrences glued inside a longer line, and its first form as written.

    The recurring ones are those in at least MIN_ARTICLES different articles.
    """

    articles: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    occurrences: Counter[str] = field(default_factory=Counter)
    glued: Counter[str] = field(default_factory=Counter)
    verbatim: dict[str, str] = field(default_factory=dict)

    def add(self, article_id: str, text: str) -> None:
        for line in text.split("\n"):
            line_words = len(line.split())
            for sentence in sentences(line):
                key = sentence_key(sentence)
                self.articles[key].add(article_id)
                self.occurrences[key] += 1
                self.verbatim.setdefault(key, sentence)
                if line_words > len(sentence.split()):
                    self.glued[key] += 1

    def keys(self) -> set[str]:
        return {key for key, ids in self.articles.items() if len(ids) >= MIN_ARTICLES}

    def count(self, keys: set[str]) -> tuple[int, int]:
        """Distinct sentences of `keys` present, and their occurrences."""
        present = [key for key in keys if self.occurrences[key]]
        return len(present), sum(self.occurrences[key] for key in present)

    def shingles(self) -> set[tuple[str, ...]]:
        """The word 5-grams of the recurring sentences."""
        found: set[tuple[str, ...]] = set()
        for key in self.keys():
            found |= shingles(key)
        return found

    def ranked(self) -> list[str]:
        return sorted(self.keys(), key=lambda k: (-len(self.articles[k]), -self.occurrences[k], k))


def sentences(text: str) -> list[str]:
    """Sentences of at least MIN_WORDS words, stripped, split at the bench's marks."""
    parts = (" ".join(part.split()) for part in _SENTENCE_END.split(text))
    return [part for part in parts if len(part.split()) >= MIN_WORDS]


def sentence_key(sentence: str) -> str:
    return " ".join(sentence.split()).casefold()


def trim(text: str, limit: int = TRIM) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def longest_shared(a: str, b: str) -> str:
    """The longest run of words two texts share (word for word, any case)."""
    words_a, words_b = a.split(), b.split()
    matcher = difflib.SequenceMatcher(
        None, [w.casefold() for w in words_a], [w.casefold() for w in words_b], autojunk=False
    )
    match = matcher.find_longest_match(0, len(words_a), 0, len(words_b))
    return " ".join(words_a[match.a : match.a + match.size])


def read_pairs(folder: Path) -> tuple[list[dict[str, Any]], dict[str, Article], int]:
    """The pairs, the articles by id (first text of each id), and ids whose texts differ."""
    pairs = []
    articles: dict[str, Article] = {}
    conflicts = set()
    with open(folder / "pairs.jsonl", encoding="utf-8") as stream:
        for line in stream:
            row = json.loads(line)
            pairs.append(row)
            first, second = row["pair_id"].split("_")
            for article_id, text in ((first, row["text1"]), (second, row["text2"])):
                known = articles.get(article_id)
                if known is None:
                    articles[article_id] = Article(article_id, row["lang"], text)
                elif known.text != text:
                    conflicts.add(article_id)
    return pairs, articles, len(conflicts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder with pairs.jsonl")
    parser.add_argument("--save", type=Path, help="write the details as JSON")
    parser.add_argument("--top", type=int, default=5, help="recurring sentences shown a language")
    parser.add_argument(
        "--no-learn",
        action="store_true",
        help="skip cleaner.learn_boilerplate (what a batch learns from its own documents)",
    )
    args = parser.parse_args()

    pairs, articles, conflicts = read_pairs(args.data)
    for article in articles.values():
        article.doc = cleaner.clean_text(article.text, doc_id=article.id)
    learn = getattr(cleaner, "learn_boilerplate", None)
    if learn is not None and not args.no_learn:
        # As a batch does: the texts have no URL, so they count as one site.
        ordered = list(articles.values())
        for article, doc in zip(ordered, learn([a.doc for a in ordered]), strict=True):
            article.doc = doc
    langs = [lang for lang in LANGS if any(a.lang == lang for a in articles.values())]
    langs += sorted({a.lang for a in articles.values()} - set(langs))
    note = f" ({conflicts} ids with other texts in other pairs: first text used)"
    print(f"{len(pairs)} pairs, {len(articles)} distinct articles" + (note if conflicts else ""))

    saved: dict[str, Any] = {"languages": {}, "flagged": [], "docs": []}
    before: dict[str, Recurring] = {}
    header = (
        f"{'lang':4s} {'texts':>5s} {'ok':>5s}  {'input: sent':>11s} {'occ':>5s}  "
        f"{'output: sent':>12s} {'occ':>5s} {'glued':>5s}  "
        f"{'input still out: sent':>21s} {'occ':>5s}"
    )
    print(f"\nSentences in >= {MIN_ARTICLES} articles (>= {MIN_WORDS} words)")
    print(header)
    details: dict[str, tuple[Recurring, list[Article]]] = {}
    for lang in langs:
        group = [a for a in articles.values() if a.lang == lang]
        kept = [a for a in group if a.doc.status == "ok"]
        source, output = Recurring(), Recurring()
        for article in group:
            source.add(article.id, article.text)
        for article in kept:
            output.add(article.id, article.doc.text)
        before[lang] = source
        details[lang] = (output, group)
        in_keys, out_keys = source.keys(), output.keys()
        in_sent, in_occ = source.count(in_keys)
        out_sent, out_occ = output.count(out_keys)
        still_sent, still_occ = output.count(in_keys)
        glued = sum(output.glued[key] for key in out_keys)
        print(
            f"{lang:4s} {len(group):5d} {len(kept):5d}  {in_sent:11d} {in_occ:5d}  "
            f"{out_sent:12d} {out_occ:5d} {glued:5d}  {still_sent:21d} {still_occ:5d}"
        )
        saved["languages"][lang] = {
            "texts": len(group),
            "ok": len(kept),
            "input": {"sentences": in_sent, "occurrences": in_occ},
            "output": {"sentences": out_sent, "occurrences": out_occ, "glued": glued},
            "input_still_in_output": {"sentences": still_sent, "occurrences": still_occ},
            "recurring_output": [
                {
                    "text": output.verbatim[key],
                    "articles": len(output.articles[key]),
                    "occurrences": output.occurrences[key],
                    "glued": output.glued[key],
                    "input_articles": len(source.articles.get(key, ())),
                    "ids": sorted(output.articles[key]),
                }
                for key in output.ranked()
            ],
            "recurring_input": [
                {
                    "text": source.verbatim[key],
                    "articles": len(source.articles[key]),
                    "occurrences": source.occurrences[key],
                    "output_articles": len(output.articles.get(key, ())),
                }
                for key in source.ranked()
            ],
        }

    for lang in langs:
        output, group = details[lang]
        ranked = output.ranked()
        print(f"\n[{lang}] recurring sentences left in the output: {len(ranked)}")
        for key in ranked[: args.top]:
            print(
                f"  {len(output.articles[key]):3d} articles {output.occurrences[key]:3d}x "
                f"(glued {output.glued[key]}): {trim(output.verbatim[key])}"
            )
        dropped = [a for a in group if a.doc.status != "ok"]
        print(f"[{lang}] dropped: {len(dropped)}")
        for article in dropped:
            print(
                f"  {article.id} {article.doc.status}: {article.doc.reason} "
                f"({len(article.text)} chars: {trim(article.text, 80)})"
            )

    kept_docs = [a.doc for a in articles.values() if a.doc.status == "ok"]
    flagged = list(cleaner.find_duplicates(kept_docs))
    rating = {frozenset(row["pair_id"].split("_")): row["Overall"] for row in pairs}
    boiler = {lang: before[lang].shingles() for lang in langs}
    print(f"\nNear copies flagged among {len(kept_docs)} kept texts: {len(flagged)}")
    canonical = {dup.id: dup.duplicate_of for dup in flagged}
    for dup in sorted(flagged, key=lambda d: -d.similarity):
        a, b = articles[dup.id], articles[dup.duplicate_of]
        overall = rating.get(frozenset((dup.id, dup.duplicate_of)))
        shared = shingles(a.doc.text) & shingles(b.doc.text)
        in_boiler = len(shared & (boiler.get(a.lang, set()) | boiler.get(b.lang, set())))
        share = in_boiler / len(shared) if shared else 0.0
        run = longest_shared(a.doc.text, b.doc.text)
        label = f"annotated, Overall {overall:.2f}" if overall is not None else "not annotated"
        print(
            f"  {dup.id} ~ {dup.duplicate_of} ({a.lang}/{b.lang}) J={dup.similarity:.3f} "
            f"{label}; shared 5-grams {len(shared)}, in recurring sentences {share:.0%}"
        )
        print(f"      longest shared run ({len(run.split())} words): {trim(run)}")
        saved["flagged"].append(
            {
                "id": dup.id,
                "duplicate_of": dup.duplicate_of,
                "similarity": dup.similarity,
                "langs": [a.lang, b.lang],
                "annotated": overall is not None,
                "overall": overall,
                "shared_shingles": len(shared),
                "shared_in_recurring": share,
                "longest_shared": run,
            }
        )

    def cluster(article_id: str) -> str:
        return canonical.get(article_id, article_id)

    different = [row for row in pairs if row["Overall"] >= DIFFERENT_STORIES]
    direct = same_cluster = 0
    for row in different:
        first, second = row["pair_id"].split("_")
        if canonical.get(first) == second or canonical.get(second) == first:
            direct += 1
        if cluster(first) == cluster(second):
            same_cluster += 1
    annotated = sum(1 for f in saved["flagged"] if f["annotated"])
    print(
        f"Flagged pairs that are annotated pairs: {annotated} of {len(flagged)}\n"
        f"Annotated pairs rated Overall >= {DIFFERENT_STORIES}: {len(different)}; "
        f"flagged: {direct} (in one near-copy cluster: {same_cluster})"
    )

    if args.save:
        saved["different_stories"] = {
            "pairs": len(different),
            "flagged": direct,
            "same_cluster": same_cluster,
        }
        for article in articles.values():
            doc = article.doc
            saved["docs"].append(
                {
                    "id": article.id,
                    "lang": article.lang,
                    "detected": doc.lang,
                    "status": doc.status,
                    "reason": doc.reason,
                    "title": doc.title,
                    "text": doc.text,
                    "removed": [[r.rule, r.text] for r in doc.removed],
                }
            )
        args.save.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"details saved to {args.save}", file=sys.stderr)


if __name__ == "__main__":
    main()
