"""cleaner: boilerplate-stripping for scraped news and web text.

Library use::

    import cleaner
    doc = cleaner.clean_html(html, url="https://www.dawn.com/news/1325183")
    doc.text, doc.title, doc.lang, doc.removed
"""

from cleaner.dedup import DedupConfig, NearDuplicate, find_duplicates
from cleaner.document import Document, Removal
from cleaner.pipeline import (
    CleanConfig,
    RawDocument,
    clean_document,
    clean_documents,
    clean_html,
    clean_text,
    shipped_rules,
)
from cleaner.rules import RuleError, RuleSet, SiteRules, load_rules

__all__ = [
    "CleanConfig",
    "DedupConfig",
    "Document",
    "NearDuplicate",
    "RawDocument",
    "Removal",
    "RuleError",
    "RuleSet",
    "SiteRules",
    "clean_document",
    "clean_documents",
    "clean_html",
    "clean_text",
    "find_duplicates",
    "load_rules",
    "shipped_rules",
]
