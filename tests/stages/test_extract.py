"""extract: HTML pages to paragraphs (furniture dropped and recorded), text to lines."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.extract import (
    Extract,
    html_paragraphs,
    looks_like_html,
    soup_paragraphs,
    stripped_paragraphs,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

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


def _both(html: str) -> tuple[list, list]:
    """(lines, texts, furniture events) from lxml and from BeautifulSoup."""
    out = []
    for parse in (html_paragraphs, soup_paragraphs):
        paragraphs, events = parse(html)
        out.append(([(p.line, p.text) for p in paragraphs], [(e.line, e.reason, e.before) for e in events]))
    return out[0], out[1]


def test_lxml_and_beautifulsoup_agree_on_real_pages() -> None:
    pages = [PAGE, (SAMPLES / "shenzhen_metro.html").read_text(encoding="utf-8")]
    pages.append(
        "<div class=article><h2>一、聚焦民生</h2><p>第一段<a href=#>链接</a>文字，<span>继续</span>。</p>"
        "<ul><li>条目一</li><li>条目二<br>换行</li></ul><aside><p>相关阅读</p></aside>尾部文字"
        "<table><tr><td>指标</td><td>3.5%</td></tr></table><p>引用&ldquo;原话&rdquo;&#12290;</p></div>"
    )
    for page in pages:
        lxml_result, soup_result = _both(page)
        assert lxml_result == soup_result
        assert lxml_result[0]


def test_pages_lxml_would_damage_go_to_beautifulsoup() -> None:
    # an XML declaration in a str, a NUL (libxml2 makes it U+FFFD), nesting past 2048
    for page in [
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>正文</p></body></html>',
        "<p>正\x00文</p>",
        "<body>" + "<div>" * 3000 + "深层正文。" + "</div>" * 3000 + "</body>",
    ]:
        assert html_paragraphs(page) == soup_paragraphs(page)
    assert html_paragraphs("") == ([], [])


_INLINE = st.sampled_from(["b", "span", "a", "em", "strong"])
_BLOCKS = st.sampled_from(["div", "section", "li", "blockquote", "td"])
_WORDS = st.sampled_from(["新闻", "记者", "深圳", "2024年", "，", "。", " ", "\n", "A&amp;B", "&nbsp;", "央行"])


@st.composite
def _inline(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 3 if depth < 2 else 1))
        if kind <= 1:
            parts.append(draw(_WORDS))
        elif kind == 2:
            parts.append("<br>")
        else:
            tag = draw(_INLINE)
            parts.append(f"<{tag}>{draw(_inline(depth + 1))}</{tag}>")
    return "".join(parts)


@st.composite
def _block(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.integers(0, 4 if depth < 3 else 1))
    if kind == 0:
        return f"<p>{draw(_inline())}</p>"
    if kind == 1:
        return draw(_inline())
    if kind == 2:
        tag = draw(st.sampled_from(["nav", "footer", "aside", "script"]))
        return f"<{tag}>{draw(_inline())}</{tag}>"
    tag = draw(_BLOCKS)
    if tag == "li":
        inner = "".join(f"<li>{draw(_inline())}</li>" for _ in range(draw(st.integers(1, 3))))
        return f"<ul>{inner}</ul>"
    if tag == "td":
        return f"<table><tr><td>{draw(_inline())}</td><td>{draw(_inline())}</td></tr></table>"
    inner = "".join(draw(_block(depth + 1)) for _ in range(draw(st.integers(0, 3))))
    return f"<{tag}>{inner}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(st.lists(_block(), max_size=6), st.sampled_from(["", "\n"]))
def test_lxml_and_beautifulsoup_agree_on_well_formed_pages(blocks: list[str], sep: str) -> None:
    page = "<html><body>" + sep.join(blocks) + "</body></html>"
    lxml_result, soup_result = _both(page)
    assert lxml_result == soup_result
