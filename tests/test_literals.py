"""Required strings (rules/literals.py): a rule is tried only on lines holding one of its
required strings, so the strings must never leave out a line the rule matches."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from newsclean.rules import load_rules
from newsclean.rules.literals import required_literals

DATA = Path(__file__).resolve().parent / "data"
PACK = load_rules()


def _example_lines() -> list[str]:
    lines: list[str] = []
    for rule in PACK.rules.values():
        for example in (*rule.positive, *rule.negative):
            texts = example if isinstance(example, list) else [example]
            lines.extend(line for text in texts for line in str(text).split("\n"))
    for record in (DATA / "filter_pages.jsonl").read_text(encoding="utf-8").splitlines():
        lines.extend(json.loads(record).get("text", "").split("\n"))
    return [line for line in lines if line.strip()]


def test_the_literal_index_finds_what_the_combined_alternation_finds() -> None:
    """The old way (one alternation of every rule, first match wins) and the index agree."""
    ids: dict = {}
    combined = PACK._combine(PACK._line_rules, ids)
    lines = _example_lines()
    assert len(lines) > 1000
    for line in lines:
        folded = PACK.fold(line)
        m = combined.fullmatch(folded)
        expected = ids[m.lastgroup].id if m else None
        got = PACK.match_line(line, folded, checked=True)
        assert (got.id if got else None) == expected, line


def test_most_rules_have_a_requirement() -> None:
    """Rules tried on every line cost every line: few may have none."""
    assert bin(PACK._always).count("1") <= len(PACK._line_rules) // 8


@given(st.text(alphabet=st.sampled_from("责任编辑编审核ABCab:：（）()版权所有 "), max_size=20))
def test_a_matching_line_holds_a_required_string(text: str) -> None:
    patterns = [
        r"(?:责任编辑|责编)[:：]\s*\S{0,4}",
        r"[（(]?(?i:ab|编审)[)）]?.{0,5}",
        r"(?=.*版权)[^核]{0,12}",
        r"(?:版权|审核){1,3}\S*",
        r"(?:(?i:a)|b)c?版?",
    ]
    for pattern in patterns:
        need = required_literals(pattern)
        assert need is not None, pattern
        if re.fullmatch(pattern, text):
            assert any(literal in text.casefold() for literal in need), (pattern, text, need)


def test_patterns_with_an_optional_or_open_part_need_nothing_from_it() -> None:
    assert required_literals(r"(?:版权)?[一-鿿]{2,4}") is None
    assert required_literals(r"版权|[一-鿿]{2}") is None
    assert required_literals(r"(?!版权).{2,8}") is None
    assert sorted(required_literals(r"[一-鿿]{0,3}(?:记者|通讯员)[一-鿿]{2,3}")) == ["记者", "通讯员"]
