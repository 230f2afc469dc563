"""Rule files: validation errors name file, key, index and reason; sites are matched."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import RuleError, RuleSet, clean_text, load_rules
from cleaner.clean.rules import RulePattern, SiteRules, host_of, load_rule_file
from cleaner.run.rule_tests import run_rule_tests
from tests.conftest import ROOT


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(RuleError) as caught:
        load_rule_file(path)
    return caught.value.problems


def test_shipped_rules_load_and_their_tests_pass() -> None:
    rules = load_rules(ROOT / "rules")
    assert {site.id for site in rules.sites} == {
        "newarab",
        "middleeasteye",
        "dawn",
        "israelnationalnews",
    }
    results = list(run_rule_tests(rules))
    assert len(results) == 8
    assert [r.failures for r in results if not r.passed] == []


def test_bad_regex_is_named_with_key_and_index(tmp_path: Path) -> None:
    path = write(
        tmp_path, "site.toml", 'hosts = ["example.com"]\n[text]\ndrop = ["ok", "(unclosed"]\n'
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: text.drop[1]: invalid regular expression '(unclosed'")


def test_a_pattern_that_backtracks_catastrophically_is_refused_at_load(tmp_path: Path) -> None:
    path = write(tmp_path, "site.toml", 'hosts = ["example.com"]\n[text]\ncut = ["(a|aa)+$"]\n')
    [problem] = problems_of(path)
    assert problem.startswith(
        f"{path}: text.cut[0]: regular expression '(a|aa)+$' backtracks catastrophically"
    )


def test_a_pattern_that_runs_too_long_fails_its_document_not_the_batch() -> None:
    slow = RulePattern.compile("(x|xx)+y")
    site = SiteRules(id="slow", name="Slow", path=Path("slow.toml"), drop=(slow,))
    text = "A first paragraph of the story about the council vote.\n" + "x" * 80 + "\n"
    doc = clean_text(text, site="slow", rules=RuleSet((site,)))
    assert (doc.status, doc.reason) == (
        "error",
        "rule site:slow:drop[0] ('(x|xx)+y') ran over 0.25 s on one document: "
        "the pattern backtracks catastrophically",
    )


def test_bad_css_selector_and_xpath_are_errors(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site.toml",
        'hosts = ["example.com"]\n[html]\nstrip = ["div..x"]\nstrip_xpath = ["//div[@"]\n',
    )
    problems = problems_of(path)
    assert any("html.strip[0]: invalid CSS selector 'div..x'" in p for p in problems)
    assert any("html.strip_xpath[0]: invalid XPath" in p for p in problems)


def test_unknown_keys_and_wrong_types_are_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site.toml",
        'hosts = ["not a host"]\nfingerprint = ["x"]\n[html.trafilatura]\n'
        'favor_precision = "yes"\nmax_tree_size = true\n[[tests]]\nurl = "x"\n',
    )
    problems = problems_of(path)
    assert f"{path}: fingerprint: unknown key" in problems
    assert f"{path}: hosts[0]: not a host name: 'not a host'" in problems
    assert f"{path}: html.trafilatura.favor_precision: must be true or false" in problems
    assert any(
        p.startswith(f"{path}: html.trafilatura.max_tree_size: unknown option") for p in problems
    )
    assert f"{path}: tests[0].input: must name a sample file" in problems


def test_a_rule_file_must_say_how_to_recognise_its_site(tmp_path: Path) -> None:
    path = write(tmp_path, "site.toml", 'name = "Nowhere"\n')
    assert problems_of(path) == [
        f"{path}: hosts: a rule file needs hosts or fingerprints to recognise its site"
    ]


def test_invalid_toml_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, "site.toml", "hosts = [\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}: not a readable TOML file")


def test_load_rules_collects_problems_of_every_file(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'hosts = ["a.com"]\n[text]\ncut = ["["]\n')
    write(tmp_path, "b.toml", 'hosts = ["b.com"]\nfingerprint_min = 0\n')
    write(tmp_path, "README.md", "not a rule file")
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path)
    assert [Path(p.split(":")[0]).name for p in caught.value.problems] == ["a.toml", "b.toml"]


def test_missing_rules_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="not a directory"):
        load_rules(tmp_path / "nope")


def test_sites_match_by_host_including_subdomains(rules: RuleSet) -> None:
    assert rules.for_url("https://www.middleeasteye.net/news/x").id == "middleeasteye"  # type: ignore[union-attr]
    assert rules.for_url("https://english.alaraby.co.uk/x").id == "newarab"  # type: ignore[union-attr]
    assert rules.for_url("https://notdawn.com/x") is None
    assert rules.for_url(None) is None
    assert host_of("www.dawn.com/news/1") == "dawn.com"


def test_sites_match_by_fingerprint_in_plain_text(rules: RuleSet) -> None:
    assert rules.for_text(["Contact Editor", "Gabe Kahn,"]).id == "israelnationalnews"  # type: ignore[union-attr]
    # One New Arab fingerprint alone is not enough (fingerprint_min = 2).
    assert rules.for_text(["3 min read", "Some text"]) is None
    assert rules.for_text(["Nothing to see here"]) is None


def test_rule_test_failure_is_reported(tmp_path: Path) -> None:
    paragraph = (
        "A paragraph about the talks, which ended on Monday without an agreement on the border. "
        * 3
    )
    sample = write(tmp_path, "page.txt", f"Headline\n\nContact Editor\nGabe Kahn,\n\n{paragraph}\n")
    write(
        tmp_path,
        "inn.toml",
        f'fingerprints = ["^Contact Editor$"]\n[[tests]]\ninput = "{sample.name}"\n'
        'absent = ["A paragraph"]\npresent = ["Missing words"]\n',
    )
    [result] = run_rule_tests(load_rules(tmp_path))
    assert not result.passed
    assert any("still contains 'A paragraph'" in f for f in result.failures)
    assert any("lost 'Missing words'" in f for f in result.failures)
