"""cleaner: boilerplate-stripping for scraped news and web text.

Library use::

    import cleaner
    doc = cleaner.clean_html(html, url="https://www.dawn.com/news/1325183")
    doc.text, doc.title, doc.lang, doc.removed
"""

from cleaner.clean.pipeline import (
    CleanConfig,
    clean_document,
    clean_documents,
    clean_html,
    clean_text,
    shipped_rules,
)
from cleaner.clean.rules import RuleError, RuleSet, SiteRules, load_rules
from cleaner.corpus.boilerplate import learn_boilerplate
from cleaner.corpus.learn import LearnConfig
from cleaner.corpus.near_copies import NearDuplicate, find_duplicates
from cleaner.corpus.signatures import DedupConfig
from cleaner.document import Document, RawDocument, Removal
from cleaner.run.batch import clean_batch
from cleaner.run.options import BatchError, BatchOptions, BatchReport

__all__ = [
    "BatchError",
    "BatchOptions",
    "BatchReport",
    "CleanConfig",
    "DedupConfig",
    "Document",
    "LearnConfig",
    "NearDuplicate",
    "RawDocument",
    "Removal",
    "RuleError",
    "RuleSet",
    "SiteRules",
    "clean_batch",
    "clean_document",
    "clean_documents",
    "clean_html",
    "clean_text",
    "find_duplicates",
    "learn_boilerplate",
    "load_rules",
    "shipped_rules",
]
