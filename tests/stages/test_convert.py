"""convert: OpenCC to the target script, script detection, clean text untouched by keep."""

from __future__ import annotations

import pytest

from newsclean.config import Config, ConfigError
from newsclean.document import Document
from newsclean.script import detect_script
from newsclean.stages.convert import Convert, opencc_config

TRAD = "臺北市公共運輸處今日宣布，為配合捷運環狀線施工，將調整12條公車路線。"
SIMP = "国家统计局11月9日发布数据显示，10月份全国居民消费价格同比上涨0.3%。"


def convert(text: str, to: str) -> Document:
    return Convert(Config(to=to)).process(Document.from_text("t.txt", text))


@pytest.mark.parametrize(
    ("text", "script"),
    [
        (TRAD, "hant"),
        (SIMP, "hans"),
        ("Reuters reported on Monday.", "none"),
        (TRAD + SIMP, "mixed"),
        ("中国人民", "hans"),  # shared characters only: written the same in both scripts
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_keep_changes_nothing_and_records_script() -> None:
    doc = convert(TRAD, "keep")
    assert doc.clean_text == TRAD
    assert doc.events == []
    assert doc.meta["script"] == "hant"


def test_to_hans_converts_and_records_each_changed_line() -> None:
    doc = convert(f"{TRAD}\n\n{SIMP}", "hans")
    assert doc.clean_text.split("\n")[0].startswith("台北市公共运输处今日宣布")
    assert doc.clean_text.split("\n")[1] == SIMP
    assert [(e.line, e.rule, e.kind) for e in doc.events] == [(1, "t2s", "change")]
    assert doc.events[0].before == TRAD
    assert doc.meta["script"] == "hans" and doc.meta["script_in"] == "mixed"


def test_to_taiwan_uses_phrases() -> None:
    doc = convert("这个软件的鼠标支持很好。", "tw")
    assert doc.clean_text == "這個軟體的滑鼠支援很好。"


def test_already_in_target_is_untouched() -> None:
    doc = convert(SIMP, "hans")
    assert doc.clean_text == SIMP and doc.events == []


@pytest.mark.parametrize(("target", "config"), [("hans", "t2s"), ("hant", "s2t"), ("hk", "s2hk"), ("t2tw", "t2tw")])
def test_targets(target: str, config: str) -> None:
    assert opencc_config(target) == config


def test_unknown_target_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown conversion target"):
        opencc_config("klingon")
