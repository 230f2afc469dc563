"""The reliability acceptance run: one folder of everything a scrape folder can hold."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import shutil
import sys
from pathlib import Path

from bench.measure import run_measured
from tests.conftest import FIXTURES, ROOT, SAMPLES

FRENCH = (FIXTURES / "quality" / "fr_news.expected.txt").read_text("utf-8")
ARABIC_PARAGRAPHS = [
    "قال رئيس الوزراء يوم الاثنين إن الحكومة ستعمل على تحسين الاقتصاد وخفض معدلات البطالة في"
    " البلاد خلال العام المقبل، مشيرا إلى أن الميزانية الجديدة تتضمن استثمارات كبيرة في التعليم.",
    "وأضاف أن المجلس البلدي وافق على خطة لإصلاح الطرق والجسور في المدينة، وأن العمل سيبدأ في"
    " الربيع بعد موافقة البرلمان على التمويل اللازم للمشروع الذي طال انتظاره.",
    "من جهتها، قالت المعارضة إن الخطة لا تكفي لمعالجة ارتفاع الأسعار، ودعت الحكومة إلى دعم"
    " الأسر الفقيرة وزيادة الأجور في القطاع العام قبل نهاية العام الحالي.",
]
ARTICLE = "".join(
    f"<p>Paragraph {n} of the report says the harbour council voted on the budget today.</p>"
    for n in range(12)
)


def digest_tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink() and "loop" not in p.parts
    }


def make_hostile_folder(folder: Path) -> None:
    rng = random.Random(5)
    folder.mkdir()
    shutil.copy(SAMPLES / "003_4f134465276709e0.txt", folder / "good.txt")
    shutil.copy(FIXTURES / "html" / "dawn.html", folder / "good page.html")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "whitespace.txt").write_bytes(b" \n\t\r\n  \n")
    (folder / "random.html").write_bytes(rng.randbytes(50_000))
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(5000))
    nul = FRENCH.replace(". ", ".\x00 ", 3).replace("\n", "\x00\n", 2)
    (folder / "nul.txt").write_bytes(nul.encode("utf-8"))
    (folder / "latin1.txt").write_bytes(FRENCH.encode("latin-1"))
    page = (FIXTURES / "quality" / "fr_news.html").read_text("utf-8")
    (folder / "utf16.html").write_bytes(page.encode("utf-16"))  # with its BOM
    arabic = "".join(f"<p>{p}</p>" for p in ARABIC_PARAGRAPHS)
    (folder / "arabic.html").write_bytes(
        (
            '<html><head><meta http-equiv="Content-Type" content="text/html; '
            'charset=windows-1256"><title>الميزانية</title></head>'
            f"<body><article><h1>الميزانية الجديدة</h1>{arabic}</article></body></html>"
        ).encode("cp1256")
    )
    bulk = "<script>window.state = " + '{"a": "<b>x</b>"},' * 700_000 + "</script>"
    image = '<img src="data:image/png;base64,' + "iVBORw0KGgo" * 1_100_000 + '">'
    giant = f"<html><head>{bulk}</head><body><article>{ARTICLE}{image}</article></body></html>"
    (folder / "giant.html").write_text(giant, "utf-8")
    deep = "<div>" * 60_000 + "</div>" * 60_000
    (folder / "deep.html").write_text(f"<html><body>{deep}<article>{ARTICLE}</article>", "utf-8")
    member = gzip.compress(b"\x00" * (1 << 20), compresslevel=9)
    (folder / "bomb.html.gz").write_bytes(member * 1024)  # 1 GiB inflated
    whole = gzip.compress((SAMPLES / "002_d3a4e731dcfd973d.txt").read_bytes())
    (folder / "truncated.txt.gz").write_bytes(whole[: len(whole) // 2])
    records = [
        json.dumps({"id": "ok-1", "text": (SAMPLES / "000_a30bae23c3b1c2e1.txt").read_text()}),
        '{"id": "broken", "text": "no end',
        json.dumps({"id": "../../x", "text": (SAMPLES / "004_180a2d7879c2616b.txt").read_text()}),
        "[1, 2, 3]",
        json.dumps({"id": "none"}),
    ]
    (folder / "feed.jsonl").write_text("\n".join(records) + "\n", "utf-8")
    odd = "spaces $(touch pwned) `id` Сирия.txt"
    shutil.copy(SAMPLES / "001_7fddbf4e8879bb3a.txt", folder / odd)
    (folder / "x.html").mkdir()
    shutil.copy(SAMPLES / "002_d3a4e731dcfd973d.txt", folder / "x.html" / "inside.txt")
    os.symlink(folder, folder / "loop")


def test_a_hostile_folder_is_cleaned_without_loss(tmp_path: Path) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_hostile_folder(inputs)
    before = digest_tree(inputs)
    command = [sys.executable, "-m", "cleaner", "clean", str(inputs), "--out", str(out)]
    command += ["--jobs", "2", "--rules", str(ROOT / "rules"), "--no-progress"]
    errors: list[str] = []
    _, peak_kib = run_measured(command, accept=(1,), stderr=errors)  # exit code 1: some failed
    assert peak_kib < 2 * 1024 * 1024, f"peak memory {peak_kib / 1024:.0f} MB"
    assert "Traceback" not in errors[0] and "Error" not in errors[0], errors[0]

    rows = {r["id"]: r for r in map(json.loads, (out / "manifest.jsonl").open(encoding="utf-8"))}
    errors = {key: r["reason"] for key, r in rows.items() if r["status"] == "error"}
    assert errors.pop("feed.jsonl:2").startswith("invalid JSON on line 2: ")
    assert errors == {
        "empty.txt": "empty input",
        "whitespace.txt": "empty input",
        "random.html": "not text (binary)",
        "image.txt": "not text (PNG image)",
        "bomb.html.gz": "decompressed size over limit (> 64.0 MB)",
        "truncated.txt.gz": "gzip stream truncated",
        "feed.jsonl:4": "JSONL record is not an object",
        "none": "JSONL record has neither an 'html' nor a 'text' string",
    }
    good = {key for key, r in rows.items() if r["status"] == "ok"}
    assert good == {
        "good.txt",
        "good page.html",
        "nul.txt",
        "latin1.txt",
        "utf16.html",
        "arabic.html",
        "giant.html",
        "deep.html",
        "ok-1",
        "../../x",
        "spaces $(touch pwned) `id` Сирия.txt",
        "x.html/inside.txt",
    }
    assert len(rows) == len(good) + len(errors) + 1

    def output(key: str) -> str:
        return (out / rows[key]["output"]).read_text("utf-8")

    assert output("latin1.txt") in FRENCH and rows["latin1.txt"]["lang"] == "fr"
    assert "\x00" not in output("nul.txt") and rows["nul.txt"]["lang"] == "fr"
    assert "Le conseil municipal" in output("utf16.html") and rows["utf16.html"]["lang"] == "fr"
    assert ARABIC_PARAGRAPHS[1] in output("arabic.html") and rows["arabic.html"]["lang"] == "ar"
    for key in ("giant.html", "deep.html"):
        assert output(key).count("harbour council voted") == 12
    assert rows["../../x"]["output"] == "feed/x.txt"

    assert digest_tree(inputs) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]
    assert not (Path.cwd() / "pwned").exists()
    assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
