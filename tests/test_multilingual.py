"""Not English-only: German and French pages are cleaned with their own language's rules."""

from __future__ import annotations

import pytest

from bench.naive import naive_text
from cleaner import CleanConfig, clean_html, clean_text
from tests.conftest import FIXTURES

CASES = {
    "de_news": (
        "de",
        "2024-03-12",
        "Stadtrat sperrt Hafenbrücke für Autos",
        [
            "Zum Inhalt springen",
            "Veröffentlicht am",
            "Anzeige",
            "Das könnte Sie auch",
            "Sturmwarnung",
            "Alle Rechte vorbehalten",
            "Startseite",
        ],
        ["Kritik vom Einzelhandel", "Die Bürgermeisterin"],
    ),
    "fr_news": (
        "fr",
        "2024-04-12",
        "Le conseil ferme le pont du port aux voitures",
        [
            "Aller au contenu",
            "Publié le",
            "Lire aussi",
            "Sur le même sujet",
            "Alerte tempête",
            "Déjà abonné",
            "Tous droits réservés",
            "Accueil",
        ],
        ["Les commerçants de la rive nord", "La maire"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("mode", ["html", "text"])
def test_page_in_its_language(name: str, mode: str, config: CleanConfig) -> None:
    lang, date, title, gone, kept = CASES[name]
    html = (FIXTURES / "quality" / f"{name}.html").read_text("utf-8")
    doc = (
        clean_html(html, config=config)
        if mode == "html"
        else clean_text(naive_text(html), config=config)
    )
    assert (doc.lang, doc.date, doc.title) == (lang, date, title)
    for text in gone:
        assert text not in doc.text, text
    for text in kept:
        assert text in doc.text, text


@pytest.mark.parametrize(
    ("name", "lang"), [("de_news", "de"), ("fr_news", "fr"), ("en_news", "en")]
)
def test_blocks_are_judged_with_the_detected_languages_stoplist(
    name: str, lang: str, config: CleanConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cleaner.clean.pipeline
    from cleaner.clean.block_kinds import stopwords_for

    asked: list[str | None] = []

    def spy(code: str | None) -> frozenset[str]:
        asked.append(code)
        return stopwords_for(code)

    monkeypatch.setattr(cleaner.clean.pipeline, "stopwords_for", spy)
    html = (FIXTURES / "quality" / f"{name}.html").read_text("utf-8")
    clean_text(naive_text(html), config=config)
    clean_html(html, config=config)
    assert asked == [lang, lang]


def test_a_chinese_page_with_code_lines_is_chinese() -> None:
    """Its paragraphs have no spaces, so counted by spaces each is one word, and the command
    lines between them (eight words and more) looked like its only prose."""
    text = "\n\n".join(
        [
            "配置文件说明",
            "tidesync run --config /etc/tidesync/config.yaml --dry-run --verbose --log-level debug",
            "Tidesync 的所有行为都可以通过一个 YAML 格式的配置文件进行控制。与命令行参数相比，"
            "配置文件更适合保存长期不变的设置，例如需要同步的目录、排除规则以及网络相关的参数。",
            "exclude: [ '*.tmp', '.git/', 'node_modules/', '__pycache__/', '*.log', '*.bak' ]",
            "如果以上位置都不存在配置文件，程序将使用内置的默认值运行，并在日志中输出一条警告信息。"
            "建议将配置文件的权限设置为仅当前用户可读，并且不要把包含密码的配置文件提交到公共仓库中。",
        ]
    )
    doc = clean_text(text, title="配置文件说明")
    assert doc.status == "ok" and doc.lang == "zh-cn"
