"""Groundwork for hostile inputs: no network, odd folders, nothing written outside --out."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import CleanConfig, RuleSet, clean_html, clean_text
from cleaner.cli import app
from tests.conftest import FIXTURES, ROOT, SAMPLES


def test_cleaning_never_opens_a_network_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("cleaning tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for page in sorted((FIXTURES / "html").glob("*.html")):
        assert clean_html(page.read_text("utf-8")).status == "ok"
    hostile = (
        '<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "http://example.com/x">]>'
        '<html><body><p>&x;</p><img src="http://example.com/i.png"><iframe src="http://example.com">'
        "</iframe><p>"
        + "A paragraph about the harbour bridge and the council vote. " * 6
        + "</p></body></html>"
    )
    assert "harbour bridge" in clean_html(hostile, rules=RuleSet()).text
    assert clean_text((SAMPLES / "000_a30bae23c3b1c2e1.txt").read_text("utf-8")).status == "ok"


def test_symlink_loops_and_folders_named_like_files(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    (inputs / "x.html").mkdir(parents=True)  # a folder with a file's name
    shutil.copy(SAMPLES / "003_4f134465276709e0.txt", inputs / "x.html" / "inside.txt")
    shutil.copy(
        SAMPLES / "004_180a2d7879c2616b.txt", inputs / "name with spaces $(echo x) Сирия.txt"
    )
    os.symlink(inputs, inputs / "loop")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["clean", str(inputs), "--out", str(out), "--rules", str(ROOT / "rules")]
    )
    assert result.exit_code == 0, result.output
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == [
        "manifest.jsonl",
        "name with spaces $(echo x) Сирия.txt",
        "x.html/inside.txt",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


ARTICLE = "".join(
    f"<p>Paragraph {i} of the report says the harbour council voted on the budget today.</p>"
    for i in range(12)
)


def test_a_page_nested_past_the_parser_limit_keeps_its_article() -> None:
    page = (
        "<html><body>"
        + "<div>" * 60_000
        + "deep"
        + "</div>" * 60_000
        + f"<article><h1>Harbour vote</h1>{ARTICLE}</article></body></html>"
    )
    doc = clean_html(page, rules=RuleSet())
    assert doc.status == "ok", doc.reason
    assert doc.text.count("harbour council voted") == 12


def test_a_giant_page_is_slimmed_before_parsing() -> None:
    bulk = "<script>window.state = " + '{"a": "<b>x</b>"},' * 600_000 + "</script>"
    image = '<img src="data:image/png;base64,' + "iVBORw0KGgo" * 600_000 + '">'
    page = f"<html><head>{bulk}</head><body><article>{ARTICLE}{image}</article></body></html>"
    assert len(page) > 15_000_000
    doc = clean_html(page, rules=RuleSet())
    assert doc.status == "ok", doc.reason
    assert doc.text.count("harbour council voted") == 12


def test_too_much_markup_is_refused_with_a_reason() -> None:
    page = f"<html><body><article>{ARTICLE}</article>" + "<div><a href='/x'>x</a></div>" * 100_000
    doc = clean_html(page, rules=RuleSet(), config=CleanConfig(max_markup_chars=1_000_000))
    assert (doc.status, doc.reason) == (
        "error",
        "HTML too large to parse (2.9M characters without scripts and styles; limit 1.0M)",
    )
