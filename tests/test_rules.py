"""Every rule in the built-in pack proves itself on its own positive and negative examples,
and the rule loader rejects malformed or unsafe rule files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsclean.config import Config
from newsclean.document import Document
from newsclean.rules import LINE_RULE_MAX_CHARS, RuleError, builtin_rules, load_rules, read_rule_file
from newsclean.stages.filter import Filter

# checked: every built-in pattern compiles alone and uses no back-reference (runs skip this)
RULES = builtin_rules(check=True)
STAGE = Filter(Config())


def run(text: str, stage: Filter = STAGE) -> Document:
    return stage.process(Document.from_text("example.txt", text))


def positives():
    for rule in RULES:
        for example in rule.positive:
            yield pytest.param(rule, example, id=f"{rule.id}+{str(example)[:20]}")


def negatives():
    for rule in RULES:
        for example in rule.negative:
            yield pytest.param(rule, example, id=f"{rule.id}-{example[:20]}")


def test_every_rule_has_examples_both_ways() -> None:
    for rule in RULES:
        assert rule.positive, f"{rule.id} has no positive example"
        assert rule.negative, f"{rule.id} has no negative example"


@pytest.mark.parametrize(("rule", "example"), list(positives()))
def test_positive_example_fires(rule, example) -> None:
    if isinstance(example, list):  # a fix: [before, after]
        before, after = example
        doc = run(before)
        assert doc.clean_text == after
        assert any(e.rule == rule.id and e.kind == "change" for e in doc.events)
    else:
        doc = run(example)
        dropped_by = [e.rule for e in doc.events if e.kind == "drop"]
        if rule.id in dropped_by:
            return
        # rule files overlap: a rule earlier in the pack may take the line first; the
        # line must still go, and this rule must match it on its own
        assert dropped_by and "\n" not in example, dropped_by
        assert STAGE.pack.rule_matches(rule.id, example), dropped_by


@pytest.mark.parametrize(("rule", "example"), list(negatives()))
def test_negative_example_is_left_alone(rule, example) -> None:
    doc = run(example)
    assert not any(e.rule == rule.id for e in doc.events)
    if "\n" not in example and (rule.kind in ("drop", "field") or rule.id == "seo-spam"):
        # A single article line must come through whole and unchanged, by any rule.
        assert doc.clean_text == example, [e.rule for e in doc.events]


def test_traditional_forms_match_simplified_patterns() -> None:
    pack = load_rules()
    assert pack.match_line("版權所有，未經授權不得轉載。").id == "copyright-notice"
    assert pack.match_line("掃一掃下載APP").id == "app-download"


def test_disabled_rule_does_not_fire() -> None:
    stage = Filter(Config(disable_rules=("share-widget",)))
    assert run("微博", stage).clean_text == "微博"
    assert run("微博").clean_text == ""


def test_user_rule_file_adds_a_rule(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        "[[rule]]\n"
        'id = "site-slogan"\n'
        'description = "site slogan"\n'
        "pattern = '''新闻改变生活'''\n"
        'positive = ["新闻改变生活"]\n'
        'negative = ["新闻改变了他的生活。"]\n',
        encoding="utf-8",
    )
    stage = Filter(Config(rules=(str(path),)))
    doc = run("正文第一段。\n新闻改变生活", stage)
    assert doc.clean_text == "正文第一段。"
    assert [e.rule for e in doc.events] == ["site-slogan"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]]\nid = 'Bad Id'\ndescription = 'x'\npattern = 'a'\n", "kebab-case"),
        ("[[rule]]\nid = 'no-pattern'\ndescription = 'x'\n", "needs a pattern"),
        ("[[rule]]\nid = 'bad-re'\ndescription = 'x'\npattern = '(a'\n", "bad pattern"),
        ("[[rule]]\nid = 'backref'\ndescription = 'x'\npattern = '(?P<a>x)(?P=a)'\n", "back-references"),
        ("[[rule]]\nid = 'no-desc'\npattern = 'a'\n", "description"),
        (
            "[[rule]]\nid = 'f'\ndescription = 'x'\npattern = 'a'\nfields_pattern = '(?P<author>a)'\n",
            "needs kind 'field'",
        ),
        ("[[rule]\n", "not valid TOML"),
    ],
)
def test_malformed_rule_files_are_explained(text: str, message: str) -> None:
    with pytest.raises(RuleError, match=re.escape(message)):
        read_rule_file(text, "user.toml")


def test_duplicate_rule_id_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.toml"
    path.write_text("[[rule]]\nid = 'nav-reading'\ndescription = 'x'\npattern = 'a'\n", encoding="utf-8")
    with pytest.raises(RuleError, match="already defined"):
        load_rules((str(path),))


@pytest.mark.parametrize(
    "line",
    [
        "a" * 1_000_000,
        "微" * 1_000_000,
        "(" + "1." * 300_000,
        "<p " + " " * 1_000_000,
        "#p#" + "分" * 1_000_000,
        ("记者 " + "张三 " * 50) * 2000,
        "，".join(["免费视频"] * 100_000),
        "首页 > " * 100_000,
    ],
    ids=["latin", "han", "stock", "tag", "cms", "byline", "spam", "breadcrumb"],
)
def test_rules_finish_on_a_1mb_line(line: str) -> None:
    # Catastrophic backtracking would hang here; pytest's own run time shows it.
    doc = run(line)
    assert doc.paragraphs or doc.events
    assert len(line) > LINE_RULE_MAX_CHARS


def test_patterns_are_written_in_simplified() -> None:
    """A Traditional-only character in a pattern joins the fold's own characters, and is
    then never folded, for every rule (週 in one pattern made 鏡週刊 miss 周刊 everywhere)."""
    import opencc

    from newsclean.rules import _data_words

    t2s = opencc.OpenCC("t2s")
    found = {}
    for rule in RULES:
        for text in [rule.pattern or "", str(rule.data.get("fields_pattern", ""))] + _data_words(rule):
            for ch in re.findall(r"[\u3400-\u9fff]", text):
                if t2s.convert(ch) != ch:
                    found.setdefault(ch, rule.id)
    assert not found, found
