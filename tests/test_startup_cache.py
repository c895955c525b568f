"""The on-disk cache of the rule pack's compiled regexes and fold table: faster starts, the
same matches, and nothing worse than a slower start when the cache is missing or damaged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsclean import startup_cache
from newsclean.rules import RulePack, builtin_rules, fold_table
from newsclean.startup_cache import cached_value, compile_cached

LINES = [
    "版權所有 未經授權不得轉載",
    "新华社北京3月5日电",
    "责任编辑：王晓明",
    "他说：“我们要保护版权。”",
    "新华社",
    "返回顶部",
]
#: a pattern long enough to be cached, with Han classes, named groups and a scoped flag
BIG = "|".join(
    [f"(?P<g{i}>[一-鿿]{{{i % 3 + 1},4}}(?:社|报){i})" for i in range(200)]
    + ["(?P<tail>(?i:copyright).*)", "(?P<han>[一-鿿]{2,6}社)"]
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEWSCLEAN_CACHE_DIR", str(tmp_path))
    return tmp_path


def _same(a: re.Pattern[str], b: re.Pattern[str], texts: list[str]) -> None:
    assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
    for text in texts:
        ma, mb = a.fullmatch(text), b.fullmatch(text)
        assert (ma and (ma.lastgroup, ma.span())) == (mb and (mb.lastgroup, mb.span()))


def test_a_cached_program_matches_like_a_fresh_compile(cache: Path) -> None:
    texts = ["新华社7", "人民日报社3", "Copyright 2026", "COPYRIGHT", "新华社", "中新社", "报"]
    first = compile_cached(BIG)
    assert len(list(cache.glob("re-*.marshal"))) == 1
    second = compile_cached(BIG)  # from the file this time
    _same(first, re.compile(BIG), texts)
    _same(second, re.compile(BIG), texts)
    assert second.fullmatch("中新社").lastgroup == "han"


def test_a_damaged_or_foreign_cache_file_is_compiled_afresh(cache: Path) -> None:
    compile_cached(BIG)
    (path,) = cache.glob("re-*.marshal")
    for junk in (b"", b"not marshal at all", path.read_bytes()[:100]):
        path.write_bytes(junk)
        _same(compile_cached(BIG), re.compile(BIG), ["新华社7", "Copyright"])


def test_a_stored_key_that_differs_is_not_trusted(cache: Path) -> None:
    assert cached_value("fold", ("甲",), lambda: {1: "a"}) == {1: "a"}
    (path,) = cache.glob("fold-*.marshal")
    # another key's value under this file name (a collision, or a hand-copied file)
    import marshal

    path.write_bytes(marshal.dumps((repr(("乙",)), {2: "b"})))
    assert cached_value("fold", ("甲",), lambda: {1: "a"}) == {1: "a"}


def test_the_cache_can_be_switched_off_or_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSCLEAN_CACHE_DIR", "")
    assert startup_cache.cache_dir() is None
    _same(compile_cached(BIG), re.compile(BIG), ["新华社7"])
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setenv("NEWSCLEAN_CACHE_DIR", str(blocked / "sub"))
    _same(compile_cached(BIG), re.compile(BIG), ["新华社7"])


def test_the_rule_pack_from_the_cache_equals_the_pack_built_afresh(cache: Path, monkeypatch) -> None:
    rules = builtin_rules()
    warm_up = RulePack(rules)  # writes the cache
    cached = RulePack(rules)
    monkeypatch.setenv("NEWSCLEAN_CACHE_DIR", "")
    fresh = RulePack(rules)
    assert cached._fold == fresh._fold == warm_up._fold
    for line in LINES:
        a, b = cached.match_line(line), fresh.match_line(line)
        assert (a and a.id) == (b and b.id), line
        assert cached.fix_line(line) == fresh.fix_line(line)


def test_fold_table_maps_traditional_forms_only_of_rule_characters() -> None:
    table = fold_table("版权")
    assert "版權所有".translate(table) == "版权所有"
    assert "权" not in "".join(chr(k) for k in table)


def test_old_cache_files_are_pruned(cache: Path) -> None:
    for i in range(startup_cache.KEEP_PER_KIND + 5):
        cached_value("fold", (f"rules {i}",), lambda i=i: {i: "x"})
    assert len(list(cache.glob("fold-*.marshal"))) == startup_cache.KEEP_PER_KIND


def test_pruning_one_kind_leaves_a_kind_with_a_longer_name(cache: Path) -> None:
    cached_value("re-all", ("other",), lambda: [1])
    for i in range(startup_cache.KEEP_PER_KIND + 2):
        cached_value("re", (f"pattern {i}",), lambda i=i: [i])
    assert len(list(cache.glob("re-all-*.marshal"))) == 1


def test_pruning_keeps_the_files_used_most_recently(cache: Path) -> None:
    import os
    import time

    keys = [(f"rules {i}",) for i in range(startup_cache.KEEP_PER_KIND)]
    for key in keys:
        cached_value("fold", key, lambda key=key: {0: key[0]})
    # file n was last used n seconds after a time long ago: rules 0 is the oldest
    old = time.time() - 10 * startup_cache.TOUCH_AFTER_S
    for n, key in enumerate(keys):
        path = cache / f"fold-{startup_cache._key('fold', *key)}.marshal"
        os.utime(path, (old + n, old + n))
    assert cached_value("fold", keys[0], lambda: pytest.fail("a stored value is built again")) == {0: "rules 0"}
    cached_value("fold", ("one more",), lambda: {0: "one more"})
    names = {p.name for p in cache.glob("fold-*.marshal")}
    assert f"fold-{startup_cache._key('fold', *keys[0])}.marshal" in names  # used: kept
    assert f"fold-{startup_cache._key('fold', *keys[1])}.marshal" not in names  # least recently used
    assert len(names) == startup_cache.KEEP_PER_KIND


def test_data_tables_are_read_afresh_when_the_file_changes(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    table = folder / "table.tsv"
    table.write_text("甲\t1\n", encoding="utf-8")
    builds: list[str] = []

    def build(text: str) -> list[str]:
        builds.append(text)
        return text.split()

    from importlib import resources

    monkeypatch.setattr(resources, "files", lambda package: folder)
    assert startup_cache.cached_data("table", "table.tsv", build) == ["甲", "1"]
    assert startup_cache.cached_data("table", "table.tsv", build) == ["甲", "1"]
    assert len(builds) == 1
    table.write_text("乙\t22\n", encoding="utf-8")
    assert startup_cache.cached_data("table", "table.tsv", build) == ["乙", "22"]
    assert len(builds) == 2
