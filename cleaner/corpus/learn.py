"""Each site's boilerplate, learned from the batch itself.

A site's template shows itself by repeating, word for word, across pages whose articles
differ: a block (a paragraph of the cleaned text, compared without case, spacing or digits)
found in at least `min_documents` documents of one site is boilerplate. Wire stories are the
exception: two outlets' versions of one story share paragraphs legitimately. So the documents
holding a block are first grouped by what is left of them without the repeated blocks (their
"residual"): near copies of each other form one group, and so do documents with almost
nothing left (their whole content is shared). A block is boilerplate only when it is found in
at least `min_documents` groups, that is around that many different articles.

The counting is a map-reduce over (site, block) keys: workers hash their documents' blocks,
the parent counts keys with numpy, so it can run on any engine that can group by key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from cleaner.clean.rules import host_of

Keys = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class LearnConfig:
    """Settings of the learning stage (on by default in batches)."""

    enabled: bool = True
    # Documents (of different articles) a block must be found in to be boilerplate.
    min_documents: int = 3
    # A document with fewer words left without its repeated blocks is all shared content: it
    # counts as a copy, not as one more article around the blocks.
    min_residual_words: int = 30


def site_key(site: str | None, url: str | None) -> str:
    """Which site a document's template belongs to: its rule file, its URL's host, or ""
    (the whole batch) when neither is known."""
    return site or host_of(url) or ""


def rule_name(key: str) -> str:
    """The manifest's rule for a learned block: `learned:<site>` (`learned:batch` without)."""
    return f"learned:{key or 'batch'}"


_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def normalise_block(text: str) -> str:
    """Case, spacing and numbers do not make two blocks differ ("© 2023" is "© 2024")."""
    return _SPACES.sub(" ", _DIGITS.sub("0", text.casefold())).strip()


def paragraphs_of(text: str) -> list[str]:
    """The blocks of a cleaned text (paragraphs are separated by a blank line)."""
    return [p for p in text.split("\n\n") if p.strip()]


def block_keys(site: str, paragraphs: Iterable[str]) -> Keys:
    """One 64-bit key per paragraph, for (site, normalised paragraph)."""
    prefix = site.encode("utf-8") + b"\0"
    keys = [
        int.from_bytes(
            hashlib.blake2b(prefix + normalise_block(p).encode("utf-8"), digest_size=8).digest(),
            "little",
        )
        for p in paragraphs
    ]
    return np.array(keys, dtype=np.uint64)


@dataclass
class BlockCounts:
    """Each document's (site, block) keys in text order, counted over the batch.

    Eight bytes a block: like near-copy signatures, this grows with the batch, not with
    the length of its texts. Documents are numbered 0, 1, 2… in the order they are added.
    """

    _keys: list[Keys] = field(default_factory=list)
    _held: dict[int, Keys] = field(default_factory=dict)

    def add(self, keys: Keys, held: Keys | None = None) -> int:
        """A document's keys in text order, and `held`: keys it counts as holding though
        its text no longer has them (taken out by an earlier run)."""
        self._keys.append(keys)
        if held is not None and len(held):
            self._held[len(self._keys) - 1] = held
        return len(self._keys) - 1

    def ordered(self, doc: int) -> Keys:
        return self._keys[doc]

    def repeated(self, min_documents: int) -> dict[int, Keys]:
        """For every document holding a key found in `min_documents` or more documents,
        those keys (each once)."""
        uniques = [
            np.unique(np.concatenate([keys, self._held[doc]]) if doc in self._held else keys)
            for doc, keys in enumerate(self._keys)
        ]
        if not uniques:
            return {}
        keys = np.concatenate(uniques)
        docs = np.repeat(np.arange(len(uniques), dtype=np.int64), [len(u) for u in uniques])
        if not len(keys):
            return {}
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        frequent = counts[inverse] >= min_documents
        keys, docs = keys[frequent], docs[frequent]
        if not len(docs):
            return {}
        starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]]).tolist()
        ends = [*starts[1:], len(docs)]
        return {int(docs[s]): keys[s:e] for s, e in zip(starts, ends, strict=True)}


def confirmed_blocks(
    repeated: Mapping[int, Keys], group_of: Mapping[int, int], min_documents: int
) -> set[int]:
    """The repeated keys found in at least `min_documents` groups of documents.

    Args:
        repeated: each document's repeated keys (from `BlockCounts.repeated`).
        group_of: the group of a document (its near-copy cluster, or one group for all
            documents with almost nothing of their own); a document missing is its own group.
    """
    groups: dict[int, set[int]] = {}
    for doc, keys in repeated.items():
        group = group_of.get(doc, doc)
        for key in keys.tolist():
            groups.setdefault(key, set()).add(group)
    return {key for key, held in groups.items() if len(held) >= min_documents}


def learned_pattern(text: str) -> str:
    """An anchored pattern for a learned line: escaped, numbers and spacing free, any case."""
    parts = []
    for piece in re.split(r"(\d+|\s+)", text.strip()):
        if not piece:
            continue
        if piece.isdigit():
            parts.append(r"\d+")
        elif piece.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(piece))
    return "(?i)^" + "".join(parts) + "$"


@dataclass(frozen=True)
class LearnedBlock:
    """One learned block of a site, for a reviewable rule file."""

    text: str
    documents: int
    example: str


def rule_file(site: str, blocks: Sequence[LearnedBlock], hosts: Sequence[str]) -> str:
    """A rule file (TOML) that drops a site's learned blocks, with counts and examples as
    comments for the person who reviews it."""
    name = site or "batch"
    lines = [
        "# Boilerplate learned by `cleaner rules learn`: every line below repeated word for word",
        "# (case, spacing and numbers aside) across different articles of this site.",
        "# Review each one (delete any that is article text), then move this file into rules/.",
        f'name = "{_toml_text(name)} (learned)"',
    ]
    if hosts:
        lines.append("hosts = [" + ", ".join(f'"{_toml_text(h)}"' for h in hosts) + "]")
    else:
        # No host to go by: the site is recognised in text by its most widespread lines.
        lines.append("fingerprints = [")
        lines.extend(f"    {_toml_literal(learned_pattern(b.text))}," for b in blocks[:3])
        lines.append("]")
    lines += ["", "[text]", "drop = ["]
    for block in blocks:
        lines.append(f"    # in {block.documents} documents, e.g. {_comment(block.example)}")
        lines.append(f"    {_toml_literal(learned_pattern(block.text))},")
    lines.append("]")
    return "\n".join(lines) + "\n"


def _toml_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _toml_literal(pattern: str) -> str:
    """A TOML string holding `pattern` as written (literal when it can be)."""
    if "'" not in pattern and "\n" not in pattern:
        return f"'{pattern}'"
    return '"' + _toml_text(pattern) + '"'


def _comment(text: str) -> str:
    return text.replace("\n", " ")[:120]
