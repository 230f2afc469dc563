"""Running the sample tests that each rule file names (`cleaner rules check`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cleaner.clean.pipeline import CleanConfig, clean_document
from cleaner.clean.rules import RuleSet, RuleTest, SiteRules
from cleaner.document import RawDocument
from cleaner.read.decode import InputError, decode_text, read_bytes


@dataclass(frozen=True)
class RuleTestResult:
    site: str
    test: RuleTest
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def run_rule_tests(rules: RuleSet) -> Iterator[RuleTestResult]:
    """Clean each site's samples with the whole rule set and check what the file promises:
    the sample is recognised as that site, and its output matches."""
    config = CleanConfig(rules=rules)
    for site in rules.sites:
        for test in site.tests:
            yield RuleTestResult(site.id, test, tuple(_check(site, test, config)))


def _check(site: SiteRules, test: RuleTest, config: CleanConfig) -> Iterator[str]:
    is_html = test.input.name.lower().removesuffix(".gz").endswith((".html", ".htm"))
    try:
        content = decode_text(read_bytes(test.input), is_html=is_html)
    except InputError as error:
        yield f"{test.input}: {error}"
        return
    raw = RawDocument(str(test.input), "html" if is_html else "text", content, url=test.url)
    doc = clean_document(raw, config)
    if doc.status != "ok":
        yield f"{test.input}: status {doc.status} ({doc.reason})"
        return
    if doc.site != site.id:
        yield f"{test.input}: recognised as {doc.site or 'no site'}, not {site.id}"
    for text in test.absent:
        if text in doc.text:
            yield f"{test.input}: still contains {text!r}"
    for text in test.present:
        if text not in doc.text:
            yield f"{test.input}: lost {text!r}"
    if test.expected is not None:
        try:
            expected = test.expected.read_text(encoding="utf-8").removesuffix("\n")
        except OSError as error:
            yield f"{test.expected}: cannot read expected output: {error.strerror}"
            return
        if doc.text != expected:
            yield f"{test.input}: output differs from {test.expected}"
