"""Per-site rule files: load, validate, and match a page to its site.

Rule files are data (TOML), never code. Everything in them is checked when they are loaded,
so a typo in a regular expression or a selector is reported with its file, key and index
before a batch starts, instead of failing on the millionth page.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import regex
from cssselect import GenericTranslator, SelectorError
from lxml import etree

from cleaner.clean.text import Claim, LineFilter

# The trafilatura switches a site may set; everything else is fixed by the pipeline.
TRAFILATURA_OPTIONS = frozenset({"favor_precision", "favor_recall", "include_tables", "fast"})
_TOP_KEYS = frozenset({"name", "hosts", "fingerprints", "fingerprint_min", "html", "text", "tests"})
_HTML_KEYS = frozenset({"strip", "strip_xpath", "trafilatura"})
_TEXT_KEYS = frozenset({"drop", "cut"})
_TEST_KEYS = frozenset({"input", "url", "expected", "absent", "present"})
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


class RuleError(ValueError):
    """One or more rule files are invalid; the message lists every problem found."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class RuleTest:
    """A sample page that the rule file must clean as stated."""

    input: Path
    url: str | None = None
    expected: Path | None = None
    absent: tuple[str, ...] = ()
    present: tuple[str, ...] = ()


# One search of one line by one rule pattern may take this long; past it the pattern is
# backtracking catastrophically and the document fails with the rule named.
PATTERN_TIMEOUT_S = 0.25
# At load, every pattern is tried on runs of its own characters with this budget.
_PROBE_TIMEOUT_S = 0.05
_PROBE_LENGTH = 64


class RuleTimeout(ValueError):
    """A rule pattern ran past its time limit on one line (the message names the rule)."""


@dataclass(frozen=True)
class RulePattern:
    """A rule file's regular expression, searched with a time limit.

    Rule files come from users; a pattern like `(a|aa)+$` takes exponential time on a line
    of a's. The `regex` engine stops it after PATTERN_TIMEOUT_S instead of hanging a worker.
    A timed search costs a clock reading per call, so each document is searched once as a
    whole (`^` and `$` at every line), with the limit; lines are then searched one by one,
    without it, only when the whole matched.
    """

    source: str
    compiled: regex.Pattern[str]
    whole: regex.Pattern[str]

    @classmethod
    def compile(cls, source: str) -> RulePattern:
        return cls(source, regex.compile(source), regex.compile(source, regex.MULTILINE))

    def lines_matching(self, lines: Sequence[str], text: str, rule: str) -> Iterator[int]:
        """Indexes of the lines the pattern matches; `text` is the lines joined by newlines."""
        try:
            if self.whole.search(text, timeout=PATTERN_TIMEOUT_S) is None:
                return
        except TimeoutError:
            raise RuleTimeout(
                f"rule {rule} ({self.source!r}) ran over {PATTERN_TIMEOUT_S} s on one document: "
                "the pattern backtracks catastrophically"
            ) from None
        for index, line in enumerate(lines):
            if self.compiled.search(line):
                yield index


@dataclass(frozen=True)
class SiteRules:
    """One site's rules, compiled."""

    id: str
    name: str
    path: Path
    hosts: tuple[str, ...] = ()
    fingerprints: tuple[RulePattern, ...] = ()
    fingerprint_min: int = 1
    prune_xpath: tuple[str, ...] = ()
    trafilatura_options: Mapping[str, bool] = field(default_factory=dict)
    drop: tuple[RulePattern, ...] = ()
    cut: tuple[RulePattern, ...] = ()
    tests: tuple[RuleTest, ...] = ()

    def matches_host(self, host: str) -> bool:
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def fingerprint_score(self, lines: Sequence[str], text: str) -> int:
        return sum(
            1
            for number, pattern in enumerate(self.fingerprints)
            if next(pattern.lines_matching(lines, text, self._rule("fingerprints", number)), None)
            is not None
        )

    def text_filters(self) -> tuple[LineFilter, ...]:
        """The site's drop and cut rules as line filters, to run before the generic ones."""
        return (self._drop_lines, self._cut_tail)

    def _rule(self, kind: str, number: int) -> str:
        return f"site:{self.id}:{kind}[{number}]"

    def _drop_lines(self, lines: Sequence[str]) -> Iterator[Claim]:
        text = "\n".join(lines)
        for number, pattern in enumerate(self.drop):
            rule = self._rule("drop", number)
            for index in pattern.lines_matching(lines, text, rule):
                yield index, rule

    def _cut_tail(self, lines: Sequence[str]) -> Iterator[Claim]:
        text = "\n".join(lines)
        cuts = (
            (index, number)
            for number, pattern in enumerate(self.cut)
            for index in pattern.lines_matching(lines, text, self._rule("cut", number))
        )
        first = min(cuts, default=None)
        if first is not None:
            start, number = first
            for rest in range(start, len(lines)):
                yield rest, self._rule("cut", number)


@dataclass(frozen=True)
class RuleSet:
    """All loaded sites, matched by URL host first and by text fingerprints otherwise."""

    sites: tuple[SiteRules, ...] = ()

    def get(self, site_id: str) -> SiteRules | None:
        return next((site for site in self.sites if site.id == site_id), None)

    def for_url(self, url: str | None) -> SiteRules | None:
        host = host_of(url)
        if not host:
            return None
        return next((site for site in self.sites if site.matches_host(host)), None)

    def for_text(self, lines: Sequence[str]) -> SiteRules | None:
        best: tuple[int, SiteRules] | None = None
        text = "\n".join(lines)
        for site in self.sites:
            score = site.fingerprint_score(lines, text) if site.fingerprints else 0
            if score >= site.fingerprint_min and score > 0 and (best is None or score > best[0]):
                best = (score, site)
        return best[1] if best else None


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def default_rules_dir() -> Path:
    """The rule files shipped with cleaner: bundled in the wheel, or the checkout's rules/."""
    package = Path(__file__).resolve().parent.parent  # cleaner/, above cleaner/clean/
    bundled = package / "rules"
    return bundled if bundled.is_dir() else package.parent / "rules"


def load_rules(directory: Path | str | None = None) -> RuleSet:
    """Load and validate every `*.toml` rule file in a directory (not its subfolders).

    Raises:
        RuleError: listing every problem in every file, as `file: key[index]: reason`.
    """
    folder = Path(directory) if directory is not None else default_rules_dir()
    if not folder.is_dir():
        raise RuleError([f"{folder}: not a directory of rule files"])
    sites: list[SiteRules] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            sites.append(load_rule_file(path))
        except RuleError as error:
            problems.extend(error.problems)
    if problems:
        raise RuleError(problems)
    return RuleSet(tuple(sites))


def load_rule_file(path: Path) -> SiteRules:
    """Parse and compile one rule file; raise RuleError naming every invalid key."""
    problems: list[str] = []

    def problem(key: str, reason: str) -> None:
        problems.append(f"{path}: {key}: {reason}")

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RuleError([f"{path}: not a readable TOML file: {error}"]) from None

    for key in sorted(set(data) - _TOP_KEYS):
        problem(key, "unknown key")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        problem("name", "must be a non-empty string")
        name = path.stem

    hosts = _strings(data, "hosts", problem)
    for index, host in enumerate(hosts):
        if not _HOST.match(host):
            problem(f"hosts[{index}]", f"not a host name: {host!r}")
    fingerprints = _regexes(data, "fingerprints", problem)
    fingerprint_min = data.get("fingerprint_min", 1)
    if (
        not isinstance(fingerprint_min, int)
        or isinstance(fingerprint_min, bool)
        or not (1 <= fingerprint_min <= max(1, len(fingerprints)))
    ):
        problem("fingerprint_min", "must be an integer from 1 to the number of fingerprints")
        fingerprint_min = 1
    if not hosts and not fingerprints:
        problem("hosts", "a rule file needs hosts or fingerprints to recognise its site")

    html = _table(data, "html", _HTML_KEYS, problem)
    prune: list[str] = []
    for index, selector in enumerate(_strings(html, "html.strip", problem, key="strip")):
        try:
            prune.append(GenericTranslator().css_to_xpath(selector))
        except SelectorError as error:
            problem(f"html.strip[{index}]", f"invalid CSS selector {selector!r}: {error}")
    for index, expression in enumerate(
        _strings(html, "html.strip_xpath", problem, key="strip_xpath")
    ):
        try:
            etree.XPath(expression)
        except etree.XPathSyntaxError as error:
            problem(f"html.strip_xpath[{index}]", f"invalid XPath {expression!r}: {error}")
        else:
            prune.append(expression)
    options = html.get("trafilatura", {})
    if not isinstance(options, dict):
        problem("html.trafilatura", "must be a table of options")
        options = {}
    for key, value in options.items():
        if key not in TRAFILATURA_OPTIONS:
            allowed = ", ".join(sorted(TRAFILATURA_OPTIONS))
            problem(f"html.trafilatura.{key}", f"unknown option (allowed: {allowed})")
        elif not isinstance(value, bool):
            problem(f"html.trafilatura.{key}", "must be true or false")

    text = _table(data, "text", _TEXT_KEYS, problem)
    drop = _regexes(text, "text.drop", problem, key="drop")
    cut = _regexes(text, "text.cut", problem, key="cut")
    tests = _tests(data, path, problem)

    if problems:
        raise RuleError(problems)
    return SiteRules(
        id=path.stem,
        name=name,
        path=path,
        hosts=tuple(hosts),
        fingerprints=tuple(fingerprints),
        fingerprint_min=fingerprint_min,
        prune_xpath=tuple(prune),
        trafilatura_options={k: v for k, v in options.items() if k in TRAFILATURA_OPTIONS},
        drop=tuple(drop),
        cut=tuple(cut),
        tests=tuple(tests),
    )


def _table(data: dict[str, Any], key: str, allowed: frozenset[str], problem: Any) -> dict[str, Any]:
    table = data.get(key, {})
    if not isinstance(table, dict):
        problem(key, "must be a table")
        return {}
    for unknown in sorted(set(table) - allowed):
        problem(f"{key}.{unknown}", "unknown key")
    return table


def _strings(data: dict[str, Any], label: str, problem: Any, key: str | None = None) -> list[str]:
    values = data.get(key or label, [])
    if not isinstance(values, list):
        problem(label, "must be a list of strings")
        return []
    good = []
    for index, value in enumerate(values):
        if isinstance(value, str) and value:
            good.append(value)
        else:
            problem(f"{label}[{index}]", "must be a non-empty string")
    return good


def _regexes(
    data: dict[str, Any], label: str, problem: Any, key: str | None = None
) -> list[RulePattern]:
    compiled = []
    for index, source in enumerate(_strings(data, label, problem, key)):
        try:
            pattern = regex.compile(source)
        except regex.error as error:
            problem(f"{label}[{index}]", f"invalid regular expression {source!r}: {error}")
            continue
        if slow := _backtracking_probe(pattern):
            problem(
                f"{label}[{index}]",
                f"regular expression {source!r} backtracks catastrophically "
                f"(over {_PROBE_TIMEOUT_S} s on {slow!r})",
            )
            continue
        compiled.append(RulePattern.compile(source))
    return compiled


def _backtracking_probe(pattern: regex.Pattern[str]) -> str | None:
    """A short text the pattern cannot finish searching in time, if one is found.

    Exponential patterns blow up on a run of the characters they repeat, followed by one
    that makes the match fail; the probe tries a run of each character the pattern names.
    """
    characters = {c for c in pattern.pattern if c.isalnum() or c in " -_.,"} | {"a", " ", "1"}
    for character in sorted(characters):
        for tail in ("\x00", "!", ""):
            probe = character * _PROBE_LENGTH + tail
            try:
                pattern.search(probe, timeout=_PROBE_TIMEOUT_S)
            except TimeoutError:
                return probe[:8] + "…"
    return None


def _tests(data: dict[str, Any], path: Path, problem: Any) -> list[RuleTest]:
    entries = data.get("tests", [])
    if not isinstance(entries, list):
        problem("tests", "must be an array of tables ([[tests]])")
        return []
    tests = []
    for index, entry in enumerate(entries):
        label = f"tests[{index}]"
        if not isinstance(entry, dict):
            problem(label, "must be a table")
            continue
        for unknown in sorted(set(entry) - _TEST_KEYS):
            problem(f"{label}.{unknown}", "unknown key")
        source = entry.get("input")
        if not isinstance(source, str) or not source:
            problem(f"{label}.input", "must name a sample file")
            continue
        expected = entry.get("expected")
        if expected is not None and not isinstance(expected, str):
            problem(f"{label}.expected", "must name a file")
            expected = None
        url = entry.get("url")
        if url is not None and not isinstance(url, str):
            problem(f"{label}.url", "must be a string")
            url = None
        tests.append(
            RuleTest(
                input=(path.parent / source),
                url=url,
                expected=(path.parent / expected) if expected else None,
                absent=tuple(_strings(entry, f"{label}.absent", problem, key="absent")),
                present=tuple(_strings(entry, f"{label}.present", problem, key="present")),
            )
        )
    return tests
