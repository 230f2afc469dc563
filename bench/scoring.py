"""The ScrapingHub article-extraction-benchmark metric, re-implemented from its description.

Tokens are `\\w+` matches (case kept); the unit is the multiset of 4-token shingles; per page
TP/FP/FN are normalised to sum to 1; precision and recall are averaged over pages (pages with
an empty prediction are left out of the precision average); F1 is the harmonic mean of the two
averages; accuracy is the share of pages whose token sequence matches exactly.

Also the team's metric for every corpus (`token_score`): token-bag F1 per page, mean over pages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def shingles(text: str, size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    words = tokens(text)
    return Counter(
        tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1)) if words
    )


@dataclass(frozen=True)
class PageScore:
    tp: float
    fp: float
    fn: float
    exact: bool
    empty: bool

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_page(expected: str, predicted: str) -> PageScore:
    truth, guess = shingles(expected), shingles(predicted)
    tp = sum((truth & guess).values())
    fp = sum((guess - truth).values())
    fn = sum((truth - guess).values())
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(tp, fp, fn, tokens(expected) == tokens(predicted), not tokens(predicted))


@dataclass(frozen=True)
class Summary:
    precision: float
    recall: float
    f1: float
    accuracy: float
    pages: int


def summarise(scores: Iterable[PageScore]) -> Summary:
    pages = list(scores)
    with_prediction = [s for s in pages if not s.empty]
    precision = sum(s.precision for s in with_prediction) / max(1, len(with_prediction))
    recall = sum(s.recall for s in pages) / max(1, len(pages))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(s.exact for s in pages) / max(1, len(pages))
    return Summary(precision, recall, f1, accuracy, len(pages))


# The team's metric for every corpus (see each corpus's SOURCE.md): a bag of case-folded
# `\w+` tokens, precision/recall/F1 per page (an empty output scores 0), mean over pages.


def token_bag(text: str) -> Counter[str]:
    return Counter(token.casefold() for token in tokens(text))


@dataclass(frozen=True)
class TokenScore:
    precision: float
    recall: float
    f1: float


def token_score(expected: str, predicted: str) -> TokenScore:
    truth, guess = token_bag(expected), token_bag(predicted)
    common = sum((truth & guess).values())
    if not common:
        return TokenScore(0.0, 0.0, 0.0)
    precision = common / sum(guess.values())
    recall = common / sum(truth.values())
    return TokenScore(precision, recall, 2 * precision * recall / (precision + recall))


def mean_token_score(scores: Iterable[TokenScore]) -> TokenScore:
    pages = list(scores)
    n = max(1, len(pages))
    return TokenScore(
        sum(s.precision for s in pages) / n,
        sum(s.recall for s in pages) / n,
        sum(s.f1 for s in pages) / n,
    )
