"""Learned boilerplate for a library caller: documents in, documents without their site's
template out.

The batch runner learns over outputs on disk, in parallel, without ever holding the texts
in one process; a pipeline that calls cleaner as a library step has its documents in
memory. Both decide the same way, with the same functions (cleaner.corpus.learn): a
paragraph, or a sentence glued inside paragraphs, found in at least `min_documents`
documents of one site is boilerplate when those documents are different articles. Near
copies of each other (one wire story at several outlets), and documents with almost nothing
else, count once, so the sentences that copies of one story share stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from cleaner.clean.sentences import kept_pieces, sentence_spans
from cleaner.corpus.learn import (
    BlockCounts,
    LearnConfig,
    block_keys,
    confirmed_blocks,
    paragraphs_of,
    rule_name,
    site_key,
)
from cleaner.corpus.near_copies import find_duplicates
from cleaner.corpus.signatures import DedupConfig
from cleaner.document import Document, Removal

# Sentences are keyed apart from paragraphs: a one-sentence paragraph is both, once each.
_SENTENCE = "\0sentence"
# Sentences this short ("Read more.", "Photo: AFP") say too little to be learned alone.
_SENTENCE_MIN_WORDS = 4


def learn_boilerplate(
    documents: Iterable[Document],
    config: LearnConfig | None = None,
    dedup: DedupConfig | None = None,
) -> list[Document]:
    """The documents, with the boilerplate they share taken out and recorded.

    Each document that lost something comes back as a copy, its text shortened and its
    removals (rule `learned:<site>`) added; one left with no text is dropped ("no article
    text left after cleaning"). Documents that are not ok pass as
    they are. Nothing is printed; the input documents are not changed.

    Args:
        documents: cleaned documents; their site is their rule file, else their URL's host,
            else (no URL) the whole batch.
        config: `min_documents`, the different articles a block must recur in.
        dedup: how near copies are judged when documents are grouped.
    """
    settings = config or LearnConfig()
    docs = list(documents)
    units = [_units(doc) if doc.status == "ok" else ([], []) for doc in docs]
    counts = BlockCounts()
    for doc, (paragraphs, sentences) in zip(docs, units, strict=True):
        site = site_key(doc.site, doc.url)
        counts.add(
            np.concatenate([block_keys(site, paragraphs), block_keys(site + _SENTENCE, sentences)])
        )
    repeated = counts.repeated(settings.min_documents)
    if not repeated:
        return docs
    residuals = {
        number: _without(docs[number], set(keys.tolist()))[0] for number, keys in repeated.items()
    }
    # Documents are grouped by what they say of their own: near copies are one group, and
    # so are documents with almost nothing of their own (their whole text is shared).
    group_of: dict[int, int] = {}
    own = [
        (str(number), text)
        for number, text in residuals.items()
        if len(text.split()) >= settings.min_residual_words
    ]
    for found in find_duplicates(own, dedup):
        group_of[int(found.id)] = int(found.duplicate_of)
    for number, text in residuals.items():
        if len(text.split()) < settings.min_residual_words:
            group_of[number] = -1
    boilerplate = confirmed_blocks(repeated, group_of, settings.min_documents)
    if not boilerplate:
        return docs
    learned = list(docs)
    for number in repeated:
        text, removed = _without(docs[number], boilerplate)
        if not removed:
            continue
        doc = docs[number]
        rule = rule_name(site_key(doc.site, doc.url))
        changed = replace(doc, removed=[*doc.removed, *(Removal(rule, t) for t in removed)])
        changed.text = text  # chars_out follows the text
        if not text:
            changed.status, changed.reason = "dropped", "no article text left after cleaning"
        learned[number] = changed
    return learned


def _units(doc: Document) -> tuple[list[str], list[str]]:
    """A document's paragraphs, and the sentences of its paragraphs of several sentences."""
    paragraphs = paragraphs_of(doc.text)
    sentences: list[str] = []
    for paragraph in paragraphs:
        spans = sentence_spans(paragraph)
        if len(spans) > 1:
            sentences.extend(
                sentence
                for a, b in spans
                if len((sentence := paragraph[a:b].strip()).split()) >= _SENTENCE_MIN_WORDS
            )
    return paragraphs, sentences


def _without(doc: Document, keys: set[int]) -> tuple[str, list[str]]:
    """The document's text without the paragraphs and sentences whose key is in `keys`,
    and what was taken out. A paragraph that loses a sentence in its middle becomes two:
    no text is joined that the document did not have together."""
    site = site_key(doc.site, doc.url)
    kept: list[str] = []
    removed: list[str] = []
    for paragraph in paragraphs_of(doc.text):
        if int(block_keys(site, [paragraph])[0]) in keys:
            removed.append(paragraph)
            continue
        spans = sentence_spans(paragraph)
        if len(spans) < 2:
            kept.append(paragraph)
            continue
        sentences = [paragraph[a:b].strip() for a, b in spans]
        sentence_keys = block_keys(site + _SENTENCE, sentences).tolist()
        out = [
            len(sentence.split()) >= _SENTENCE_MIN_WORDS and key in keys
            for sentence, key in zip(sentences, sentence_keys, strict=True)
        ]
        removed.extend(s for s, gone in zip(sentences, out, strict=True) if gone)
        kept.extend(kept_pieces(paragraph, spans, out))
    return "\n\n".join(kept), removed
