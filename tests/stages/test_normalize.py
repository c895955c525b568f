"""normalize: odd spaces, invisible and control characters; CJK content untouched."""

from __future__ import annotations

import pytest

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.normalize import Normalize


def normalize(text: str) -> Document:
    return Normalize(Config()).process(Document.from_text("a.txt", text))


@pytest.mark.parametrize(
    ("before", "after", "rule"),
    [
        ("360\u00a0数科发布三季度财报", "360 数科发布三季度财报", "fix-odd-spaces"),
        ("记者\u2002王伟\u2009报道", "记者 王伟 报道", "fix-odd-spaces"),
        ("新\u200b华\u200b社北京电", "新华社北京电", "remove-invisible"),
        ("\ufeff据央视新闻报道", "据央视新闻报道", "remove-invisible"),
        ("深圳\u00ad地铁", "深圳地铁", "remove-invisible"),
        ("股市\x07今日\x1b[0m收涨", "股市今日[0m收涨", "remove-control"),
        ("孤立\ud800代理项", "孤立代理项", "remove-control"),
        ("编辑：张三    责任编辑：李四", "编辑：张三 责任编辑：李四", "collapse-spaces"),
    ],
)
def test_each_fix_is_applied_and_recorded(before: str, after: str, rule: str) -> None:
    doc = normalize(before)
    assert doc.clean_text == after
    (event,) = doc.events
    assert (event.rule, event.kind, event.line, event.before, event.after) == (rule, "change", 1, before, after)


@pytest.mark.parametrize(
    "text",
    [
        "全角空格\u3000保留，标点符号：“引号”（括号）！？",
        "ＡＢＣ全角字母和１２３全角数字不做转换",
        "兼容汉字\uf900不做NFKC",
        "表情👨\u200d👩\u200d👧需要零宽连接符",
        "English text with single spaces stays.",
        "制表符\t保留",
    ],
)
def test_content_is_left_alone(text: str) -> None:
    doc = normalize(text)
    assert doc.clean_text == text
    assert doc.events == []


def test_line_of_only_invisible_characters_is_dropped_with_its_line() -> None:
    doc = normalize("标题\n\u200b\u200b\n正文。")
    assert doc.clean_text == "标题\n正文。"
    (event,) = doc.events
    assert (event.rule, event.kind, event.line) == ("invisible-only", "drop", 2)


def test_several_fixes_on_one_line_make_one_event() -> None:
    doc = normalize("北京\u00a0\u200b时间\x00  下午")
    assert doc.clean_text == "北京 时间 下午"
    (event,) = doc.events
    assert event.reason == "applied fix_odd_spaces, remove_invisible, remove_control, collapse_spaces"
