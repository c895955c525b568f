"""The furniture-model detector: a learned scorer that runs after every rule, on short lines
with no sentence structure only. The lines here are written for these tests, not taken
from the training sets (filter_heldout 1-6, filter_pages, furniture_words_dev, the rule
pack's examples)."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsclean.config import Config
from newsclean.document import Document
from newsclean.furniture_model import MAX_CHARS, has_sentence_structure, judged, load_model
from newsclean.stages.filter import Filter

ROOT = Path(__file__).resolve().parent.parent
MODEL_FILE = ROOT / "src" / "newsclean" / "data" / "furniture_model.json"
STAGE = Filter(Config())
MODEL = load_model()

#: credit and source lines that no rule names (checked: the stage keeps them without the model)
FURNITURE = [
    "图文编辑：周婷 审核：陈刚",
    "文/图 本报记者 孙悦",
    "来源 本站 作者 admin",
]
#: footer rows and menus: a rule may take them first, but the model alone must too
MENUS = [
    "本網簡介 | 廣告服務 | 聯絡我們 | 私隱政策",
    "主編信箱 | 讀者服務 | 訂閱電子報",
]
#: article lines that look a little like furniture: subheadings, names, quotes, datelines
ARTICLE = [
    "二、稳就业保民生",
    "（三）加强基层治理",
    "第三章 附则",
    "编者按",
    "现场直击",
    "专家解读",
    "数说两会",
    "背景链接",
    "结语",
    "陈志明、林美华、黄建国",
    "赵立新 孙丽娟 周文涛",
    "上海 北京 深圳",
    "“绿水青山就是金山银山”",
    "她说：“我们一定能做到！”",
    "本报讯（记者 王丽）",
    "新华社杭州4月12日电",
    "一、聚焦民生",
    "记者手记",
    # headlines: a long run of Han characters, or a work's title in book-title marks
    "台北市政府宣布明年起调涨公车票价",
    "《原神》新版本 4.5 上线 玩家 3 月 13 日可体验",
    "《王者荣耀》KPL 春季赛 AG 夺冠",
]


def dropped_by(text: str, stage: Filter = STAGE) -> list[str]:
    doc = stage.process(Document.from_text("page.txt", text))
    return [e.rule for e in doc.events if e.kind == "drop"]


def test_model_file_is_what_the_training_script_makes() -> None:
    """Retraining on the same data gives the shipped file byte for byte."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import train_furniture_model as training
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from newsclean.furniture_model import Featurizer

    rows = [r for name in training.SETS for doc in training.load_set(name) for r in doc]
    rows += training.rule_examples()
    text = training.dumps(training.train(rows, Featurizer(), training.DEFAULT_THRESHOLD))
    shipped = MODEL_FILE.read_text(encoding="utf-8")
    assert hashlib.sha256(text.encode()).hexdigest() == hashlib.sha256(shipped.encode()).hexdigest()


def test_model_file_is_compact_and_loads() -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert MODEL_FILE.stat().st_size < 300_000
    assert 0.5 < data["threshold"] < 1 and len(data["weights"]) > 500
    assert MODEL.threshold == 0.92  # from rules/model.toml, same as the model file


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_no_rule_names_goes(line: str) -> None:
    assert dropped_by(line) == ["furniture-model"]
    without = Filter(Config(disable_rules=("furniture-model",)))
    assert dropped_by(line, without) == []


@pytest.mark.parametrize("line", MENUS)
def test_menus_and_footer_rows_go(line: str) -> None:
    assert dropped_by(line)
    assert MODEL.reason(line) is not None


@pytest.mark.parametrize("line", ARTICLE)
def test_article_lines_stay(line: str) -> None:
    doc = STAGE.process(Document.from_text("page.txt", f"国家统计局今天发布数据，一季度经济运行平稳。\n{line}"))
    assert [e.rule for e in doc.events if e.kind == "drop"] == []
    assert doc.clean_text.splitlines()[-1] == line


def test_reason_names_score_and_features() -> None:
    doc = STAGE.process(Document.from_text("page.txt", "文/图 本报记者 孙悦"))
    (event,) = [e for e in doc.events if e.kind == "drop"]
    assert event.rule == "furniture-model"
    assert re.fullmatch(r"furniture-like line \(score (0\.9\d|1\.00): .+\)", event.reason), event.reason
    assert '"记者"' in event.reason
    reason = MODEL.reason("本網簡介 | 廣告服務 | 聯絡我們 | 私隱政策")
    assert reason is not None and "separators" in reason


def test_disable_by_id() -> None:
    stage = Filter(Config(disable_rules=("furniture-model",)))
    assert stage.model is None
    assert dropped_by("文/图 本报记者 孙悦", stage) == []


def test_long_lines_and_sentences_are_never_judged() -> None:
    long_line = "首页 | 新闻 | 体育 | 娱乐 | 财经 | 科技 | 汽车 | 房产 | 旅游 | 教育 | 健康 | 文化 | 时尚 | 军事 | 历史"
    assert len(long_line.replace(" ", "")) > MAX_CHARS and MODEL.score(long_line) is None
    assert MODEL.score("关注我们，获取更多资讯。") is None
    assert MODEL.score("点击查看更多精彩内容！") is None
    assert not judged("分享")  # too little to go on: the vocabulary detector's


_han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
_any = st.sampled_from(list("首页新闻分享评论关于我们联系广告版权所有编辑记者 |·/>：:（）【】0123456789abc"))
_words = st.text(st.one_of(_han, _any), min_size=0, max_size=30)
_sentence = st.builds(
    lambda head, a, b, end, tail: f"{head}{a}{b}{end}{tail}",
    _words,
    _han,
    _han,
    st.sampled_from(list("。！？；!?;")),
    _words,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sentence)
def test_property_sentences_are_never_dropped_by_the_model(line: str) -> None:
    """A line with a sentence or clause end after words is never the model's to drop."""
    assert has_sentence_structure(line)
    assert MODEL.score(line) is None and MODEL.reason(line) is None
    doc = STAGE.process(Document.from_text("page.txt", line))
    assert "furniture-model" not in [e.rule for e in doc.events]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.one_of(_han, _any), min_size=MAX_CHARS + 1, max_size=120))
def test_property_long_lines_are_never_dropped_by_the_model(line: str) -> None:
    if len(line) - line.count(" ") > MAX_CHARS:
        assert MODEL.reason(line) is None


def test_headlines_are_never_judged() -> None:
    from newsclean.furniture_model import judged

    # a run of 12 Han characters, or a title in book-title marks, is running text; a menu
    # with the same characters split into items is judged
    assert not judged("台北市政府宣布明年起调涨公车票价")
    assert not judged("《原神》新版本 4.5 上线")
    assert judged("台北市 政府 公车 票价")
