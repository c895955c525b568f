"""extract: HTML pages to paragraphs (furniture dropped and recorded), text to lines."""

from __future__ import annotations

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.extract import Extract, html_paragraphs, looks_like_html, stripped_paragraphs

PAGE = """<!DOCTYPE html>
<html><head><title>新闻标题</title><script>var a = "<p>不是正文</p>";</script></head>
<body>
<nav><a href="/">首页</a> | <a href="/news">新闻中心</a></nav>
<h1>深圳地铁13号线北延段开通运营</h1>
<div class="meta">2024-12-28 09:30 来源：深圳特区报</div>
<p>12月28日上午，深圳地铁13号线北延段正式开通&nbsp;运营。</p>
<p>市民李女士表示：“以前上班要换乘两次，<br>现在一趟就到了。”</p>
<!-- 广告位 -->
<footer>版权所有 © 深圳新闻网</footer>
</body></html>
"""


def extract(text: str, kind: str = "text") -> Document:
    return Extract(Config()).process(Document(source="a", text=text, kind=kind))


def test_page_paragraphs_with_their_source_lines() -> None:
    doc = extract(PAGE, kind="html")
    assert [(p.line, p.text) for p in doc.paragraphs] == [
        (5, "深圳地铁13号线北延段开通运营"),
        (6, "2024-12-28 09:30 来源：深圳特区报"),
        (7, "12月28日上午，深圳地铁13号线北延段正式开通\u00a0运营。"),  # normalize fixes the NBSP
        (8, "市民李女士表示：“以前上班要换乘两次，"),
        (8, "现在一趟就到了。”"),
    ]


def test_furniture_with_text_is_recorded_and_code_is_not() -> None:
    doc = extract(PAGE, kind="html")
    dropped = [(e.rule, e.kind, e.line, e.before) for e in doc.events]
    assert dropped == [
        ("html-furniture", "drop", 4, "首页 | 新闻中心"),
        ("html-furniture", "drop", 10, "版权所有 © 深圳新闻网"),
    ]


def test_html_in_a_txt_file_is_sniffed() -> None:
    doc = extract(PAGE)
    assert doc.meta["format"] == "html"
    assert doc.paragraphs[0].text == "深圳地铁13号线北延段开通运营"


def test_text_with_a_stray_tag_stays_text() -> None:
    text = "威脅我的家人。”該用戶表示。</p>\n第二段。"
    assert not looks_like_html(text)
    doc = extract(text)
    assert [p.text for p in doc.paragraphs] == ["威脅我的家人。”該用戶表示。</p>", "第二段。"]
    assert "format" not in doc.meta


def test_deep_nesting_does_not_recurse() -> None:
    html = "<html><body>" + "<div>" * 5000 + "深层正文。" + "</div>" * 5000 + "</body></html>"
    paragraphs, events = html_paragraphs(html)
    assert [p.text for p in paragraphs] == ["深层正文。"] and events == []


def test_tag_strip_fallback_agrees_with_the_parser_on_a_plain_page() -> None:
    parsed, _ = html_paragraphs(PAGE)
    stripped = stripped_paragraphs(PAGE)
    assert [(p.line, p.text) for p in stripped] == [(p.line, p.text) for p in parsed]


def test_tag_strip_is_linear_on_unclosed_tags() -> None:
    # every "<" unclosed: a backtracking pattern would rescan the rest of the line each time
    paragraphs = stripped_paragraphs("<p>正文" + "<a" * 200_000)
    assert paragraphs[0].text.startswith("正文")
