"""The filter stage's rule pack: rules as data, loaded from TOML and compiled into a few
combined regexes.

Every rule has an ``id`` (the Event.rule it emits), a ``description`` (the event reason),
and ``positive`` / ``negative`` examples that ``tests/test_rules.py`` runs. A rule is one of:

``drop``
    ``pattern`` must match the WHOLE line (``re.fullmatch``); the line is dropped.
``field``
    like ``drop``, and the pattern's named groups (``author``, ``editor``) become output
    fields of the record (first value wins). A rule whose line holds several labelled
    credits in any order (``责编：王晓明 审核：陈静``) gives a ``fields_pattern`` instead: its
    named groups are taken from every match found in the dropped line.
``fix``
    every ``pattern`` match inside a line is replaced by ``replace`` (default: nothing);
    the line stays. Examples are ``[before, after]`` pairs.
``detector``
    the logic lives in :mod:`newsclean.stages.filter` (keyword-stuffing density, pinyin
    readings, the end-of-article zone); the TOML entry carries its id, description, data
    (e.g. ``terms``) and examples.

Patterns are written in Simplified Chinese: lines and patterns are both *folded* (the
Traditional forms of the characters the patterns use are mapped to their Simplified form by
a ``str.translate`` table), so one pattern covers both scripts. Vocabulary that differs
(``软件``/``軟體``) must still be spelled out. Patterns run with ``re.IGNORECASE``.

>>> pack = load_rules()
>>> pack.match_line("返回頂部").id
'nav-links'
>>> pack.match_line("他返回顶部的办公室。") is None
True
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from importlib import resources
from operator import itemgetter, or_
from pathlib import Path
from typing import Any

import ahocorasick
import opencc

from newsclean.rules import literals
from newsclean.rules.literals import match_width, required_literals
from newsclean.startup_cache import cached_value, compile_all_cached, compile_cached

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KINDS = ("drop", "field", "fix", "detector")
#: the built-in rule files, in this package
BUILTIN_FILES = (
    "spam.toml",
    "boilerplate.toml",
    "notices.toml",
    "artefacts.toml",
    "social.toml",
    "gov.toml",
    "widgets.toml",
    "regional.toml",
    "lexicon.toml",
    "portal.toml",
    # credits first: a byline with a photo credit fills the author field rather than
    # going as a caption
    "credits.toml",
    "captions.toml",
    "footers.toml",
    "traditional2.toml",
    "widgets2.toml",
    "misses.toml",
    "model.toml",
)
#: lines longer than this are article text for the whole-line rules (boilerplate is short);
#: it also bounds the work the combined regex does per line
LINE_RULE_MAX_CHARS = 200
#: English says in about 400 characters what Chinese says in 200 (the platform notices
#: some sites print under each article): mostly-ASCII lines get this larger bound
LATIN_LINE_MAX_CHARS = 400
#: lines longer than this are tried against the whole-line rules only if they contain one
#: of the keywords below (or a rule's own ``keywords``): long lines are nearly always
#: article prose, and the keyword search is much cheaper than the combined rules
LONG_LINE_CHARS = 32
LONG_LINE_KEYWORDS = (
    "侵权 转载 版权 著作权 Copyright copyright COPYRIGHT © 免责 仅代表 不代表 原创 ICP 许可证 公网安备 来源 来自 "
    "原标题 标签 关键词 TAG Tag tag 位置 上一篇 下一篇 正在阅读 发布 > » › ＞ 首页 记者 编辑 摄 评论 留言 二维码 扫一扫 扫码 分享"
).split()
_second = itemgetter(1)
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")
_HAN = re.compile(r"[\u3400-\u9fff]")


class RuleError(ValueError):
    """A rule file is malformed: the message names the file and the rule."""


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    description: str
    category: str = ""
    pattern: str | None = None
    replace: str = ""
    #: a drop rule that marks the end of the article body (copyright, editor, comments)
    ends_article: bool = False
    #: a drop rule that introduces a list of related articles
    starts_related: bool = False
    positive: tuple[Any, ...] = ()
    negative: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    origin: str = ""


def _mostly_latin(text: str) -> bool:
    """At most one character in five outside ASCII (CJK takes 3 bytes in UTF-8, so the byte
    count tells cheaply): an English line, which needs more characters.

    >>> _mostly_latin("Notice: the content above is uploaded by a user."), _mostly_latin("版权所有")
    (True, False)
    """
    return len(text.encode("utf-8", "surrogatepass")) * 5 <= len(text) * 7


_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|N\{[^}]*\}|.)")


def case_insensitive(pattern: str) -> str:
    """``pattern`` matching regardless of case: scoped ``(?i:...)`` where it holds a cased
    letter, as is otherwise. Same matches as compiling with ``re.IGNORECASE``, but ``re``
    then expands every character range of the pattern one character at a time, which
    made compiling the rule pack take most of a second.

    >>> case_insensitive("下载(?:APP|客户端)"), case_insensitive("[一-鿿]{2,4}(?:社|报)")
    ('(?i:下载(?:APP|客户端))', '[一-鿿]{2,4}(?:社|报)')
    """
    letters = _ESCAPE.sub("", pattern)
    return f"(?i:{pattern})" if letters.lower() != letters.upper() else pattern


def any_word_pattern(words: Iterable[str], longest: bool = False, word_end: Callable[[str], str] | None = None) -> str:
    """A regex matching where any of ``words`` begins, as a trie: ``re`` tries an
    alternation one branch at a time, so words sharing a first character are grouped.

    For a search that only asks *whether* a word occurs, a word's longer extensions are
    dropped; ``longest`` keeps them, tried before the word itself, so a match is the
    longest word at its position. ``word_end(word)`` is appended where a word ends (e.g.
    a lookahead that a Latin word ends there).

    >>> any_word_pattern(["版权所有", "版权声明", "版权", "关注"])
    '(?:关注|版权)'
    >>> any_word_pattern(["扫码关注", "扫一扫"])
    '扫(?:一扫|码关注)'
    >>> any_word_pattern(["分享", "分享到", "line"], longest=True, word_end=lambda w: "(?![a-z])" if w == "line" else "")
    '(?:line(?![a-z])|分享(?:到|))'
    """
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = word_end(word) if word_end else ""

    def pattern(node: dict) -> str:
        if "" in node and not longest:  # a word ends here: whatever follows is not needed
            return node[""]
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            branches.append(node[""])  # the word ends here: tried after its extensions
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return pattern(trie) if trie else "(?!)"


def _data_words(rule: Rule) -> list[str]:
    """The words of a rule's data lists (``terms``, ``strong_terms``, ``news_words`` ...):
    they are written in Simplified and matched against folded lines, so their characters
    join the fold."""
    return [w for value in rule.data.values() if isinstance(value, list) for w in value if isinstance(w, str)]


def _known_chars() -> list[str]:
    """Every character of the CJK Unified Ideographs block (Simplified and Traditional)."""
    return [chr(c) for c in range(0x4E00, 0xA000)]


def _width_masks(widths: list[tuple[int, int]]) -> list[int]:
    """For each line length up to the longest a line rule is tried on, the bit mask of the
    rules whose matches can be that long; the last entry stands for every longer line.

    >>> [bin(m) for m in _width_masks([(1, 2), (2, LATIN_LINE_MAX_CHARS + 5)])[:4]]
    ['0b0', '0b1', '0b11', '0b10']
    """
    top = LATIN_LINE_MAX_CHARS + 1
    masks = [0] * (top + 1)
    for i, (low, high) in enumerate(widths):
        bit = 1 << i
        for length in range(low, min(high, top) + 1):
            masks[length] |= bit
    return masks


def _sorted_or_none(need: frozenset[str] | None) -> list[str] | None:
    return None if need is None else sorted(need)


def fold_table(chars: Iterable[str]) -> dict[int, str]:
    """A ``str.translate`` table from the Traditional forms of ``chars`` to ``chars``.

    >>> table = fold_table("发")
    >>> "頭髮發展".translate(table)
    '頭发发展'
    """
    chars = set(chars)
    table: dict[int, str] = {}
    converters = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk")]
    for ch in sorted(chars):
        for conv in converters:
            variant = conv.convert(ch)
            if len(variant) == 1 and variant != ch and ord(variant) not in table:
                table[ord(variant)] = ch
    # One Simplified character can stand for several Traditional ones (复: 復 複 覆,
    # 布: 佈): also map every known character whose t2s form is a rule character.
    known = [c for c in _known_chars() if ord(c) not in table]
    simplified = opencc.OpenCC("t2s").convert("\n".join(known)).split("\n")
    if len(simplified) == len(known):
        for variant, simple in zip(known, simplified, strict=True):
            if simple in chars and variant != simple:
                table.setdefault(ord(variant), simple)
    # A Simplified character must never be rewritten, even if it is some other
    # character's Traditional form (e.g. 后/後): only map characters no rule uses.
    return {k: v for k, v in table.items() if chr(k) not in chars}


class RulePack:
    """The loaded rules, compiled: one combined whole-line regex, one combined fix regex.

    >>> pack = load_rules()
    >>> pack.fix_line("新聞#p#分頁標題#e#")
    ('新聞', ['cms-page-marker'])
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: dict[str, Rule] = {}
        for rule in rules:
            if rule.id in self.rules:
                raise RuleError(f"{rule.origin}: rule id {rule.id!r} already defined in {self.rules[rule.id].origin}")
            self.rules[rule.id] = rule
        self._build_fold()
        line_rules = [r for r in self.rules.values() if r.kind in ("drop", "field") and r.pattern]
        fix_rules = [r for r in self.rules.values() if r.kind == "fix" and r.pattern]
        self._line_rules = line_rules
        self._line_res = compile_all_cached([self._body(r) for r in line_rules])
        self._literals, self._always = self._literal_index(line_rules)
        self._fix_ids: dict[str, Rule] = {}
        self._fix_re = self._combine(fix_rules, self._fix_ids)
        keywords = set(LONG_LINE_KEYWORDS)
        for rule in line_rules:
            keywords.update(k for k in rule.data.get("keywords", ()) if isinstance(k, str) and k)
        # an automaton finds whether a long line holds a keyword ten times faster than a
        # case-insensitive regex alternation (which re cannot scan for with a literal prefix)
        self._long_line_hint = ahocorasick.Automaton()
        for word in {v.casefold() for k in keywords for v in self._variants(k)}:
            self._long_line_hint.add_word(word, word)
        self._long_line_hint.make_automaton()
        # compiled when first used: most runs meet a few of the field rules
        self._field_rules = {r.id: r for r in line_rules if r.kind == "field"}
        self._fields: dict[str, re.Pattern[str]] = {}

    def _build_fold(self) -> None:
        """Map Traditional forms of every Han character in patterns and term lists to the
        Simplified form the rules are written in."""
        chars: set[str] = set()
        for rule in self.rules.values():
            texts = [rule.pattern or "", str(rule.data.get("fields_pattern", ""))] + _data_words(rule)
            for text in texts:
                chars.update(_HAN.findall(text))
        key = ("".join(sorted(chars)), getattr(opencc, "__version__", "?"))
        self._fold: dict[int, str] = cached_value("fold", key, lambda: fold_table(chars))
        self._unfold: dict[str, set[str]] = {}
        for code, simple in self._fold.items():
            self._unfold.setdefault(simple, set()).add(chr(code))

    def _variants(self, word: str) -> set[str]:
        """``word`` in Simplified and in every folded Traditional spelling."""
        out = {""}
        for ch in word:
            out = {prefix + form for prefix in out for form in {ch} | self._unfold.get(ch, set())}
        return out

    def may_match_line(self, text: str) -> bool:
        """False when ``text`` cannot be boilerplate: too long, or long with no keyword."""
        n = len(text)
        if n <= LONG_LINE_CHARS:
            return True
        if n <= LATIN_LINE_MAX_CHARS and _mostly_latin(text):
            # English lines are rare in Chinese news, and English keywords would make the
            # hint stop at every Latin letter of every Chinese line: try them all.
            return True
        return n <= LINE_RULE_MAX_CHARS and next(self._long_line_hint.iter(text.casefold()), None) is not None

    def fold(self, text: str) -> str:
        """``text`` with Traditional forms of the rules' characters made Simplified.

        >>> load_rules().fold("版權所有")
        '版权所有'
        """
        return text.translate(self._fold)

    def _combine(self, rules: list[Rule], ids: dict[str, Rule]) -> re.Pattern[str] | None:
        parts = []
        for i, rule in enumerate(rules):
            name = f"r{i}"
            ids[name] = rule
            parts.append(f"(?P<{name}>{self._body(rule)})")
        if not parts:
            return None
        return compile_cached("|".join(parts))

    def match_line(self, text: str, folded: str | None = None, checked: bool = False) -> Rule | None:
        """The first whole-line rule matching ``text`` (``checked``: the caller already
        called :meth:`may_match_line`). Only rules whose required strings the line holds
        are tried (see :mod:`newsclean.rules.literals`), in pack order."""
        if not self._line_rules or not (checked or self.may_match_line(text)):
            return None
        if folded is None:
            folded = self.fold(text)
        folded_case = folded.casefold()
        # single characters (common punctuation) would make the automaton report at
        # nearly every position: a set intersection finds them instead (reduce and
        # itemgetter keep both loops in C)
        candidates = reduce(
            or_, map(self._single_masks.__getitem__, self._single_chars.intersection(folded_case)), self._always
        )
        if self._literals is not None:
            candidates = reduce(or_, map(_second, self._literals.iter(folded_case)), candidates)
        fits = self._fits
        candidates &= fits[min(len(folded), len(fits) - 1)]
        regexes = self._line_res
        while candidates:
            lowest = candidates & -candidates
            i = lowest.bit_length() - 1
            if regexes[i].fullmatch(folded):
                return self._line_rules[i]
            candidates ^= lowest
        return None

    def rule_matches(self, rule_id: str, text: str) -> bool:
        """Does this whole-line rule alone match ``text`` (whichever rule the pack would
        report first)?

        >>> load_rules().rule_matches("nav-links", "返回頂部")
        True
        """
        for rule, regex in zip(self._line_rules, self._line_res, strict=True):
            if rule.id == rule_id:
                return regex.fullmatch(self.fold(text)) is not None
        return False

    def _body(self, rule: Rule) -> str:
        """A rule's pattern as matched: folded, case-insensitive where it has letters, its
        named groups (read by :meth:`fields`) made plain."""
        return case_insensitive(_NAMED_GROUP.sub("(?:", self.fold(rule.pattern or "")))

    def _literal_index(self, rules: list[Rule]) -> tuple[ahocorasick.Automaton | None, int]:
        """An automaton from each required string to the bit mask of the rules needing it,
        and the mask of the rules needing none (tried on every line); required single
        characters go to ``_single_masks``."""
        masks: dict[str, int] = {}
        self._single_masks: dict[str, int] = {}
        always = 0
        bodies = [self._body(rule) for rule in rules]
        # parsing every pattern again costs a fifth of a second: kept with the programs
        needs = cached_value(
            "needs",
            (literals.VERSION, *bodies),
            lambda: [[_sorted_or_none(required_literals(b)), *match_width(b)] for b in bodies],
        )
        self._fits = _width_masks([(low, high) for _need, low, high in needs])
        for i, (need, _low, _high) in enumerate(needs):
            if need is None:
                always |= 1 << i
                continue
            for literal in need:
                into = self._single_masks if len(literal) == 1 else masks
                into[literal] = into.get(literal, 0) | 1 << i
        self._single_chars = frozenset(self._single_masks)
        if not masks:
            return None, always
        automaton = ahocorasick.Automaton()
        for literal, mask in masks.items():
            automaton.add_word(literal, mask)
        automaton.make_automaton()
        return automaton, always

    def fields(self, rule: Rule, text: str) -> dict[str, str]:
        """The named groups of a ``field`` rule on ``text``, cleaned: ``{"author": "游淼"}``.

        >>> pack = load_rules()
        >>> pack.fields(pack.rules["staff-combined"], "責編：王曉明 審核：陳靜")
        {'editor': '王曉明'}
        """
        regex = self._fields.get(rule.id)
        if regex is None:
            if rule.id not in self._field_rules:
                return {}
            source = rule.data.get("fields_pattern") or rule.pattern or ""
            regex = self._fields[rule.id] = compile_cached(case_insensitive(self.fold(source)))
        folded = self.fold(text)
        if "fields_pattern" in rule.data:
            matches = list(regex.finditer(folded))
        else:
            whole = regex.fullmatch(folded)
            matches = [whole] if whole else []
        out: dict[str, str] = {}
        for m in matches:
            for name, value in m.groupdict().items():
                if value and name not in out:
                    # Take the value from the original (unfolded) text at the same span:
                    # the fold is one character to one character, so spans agree.
                    start, end = m.span(name)
                    raw = text[start:end] if len(folded) == len(text) else value
                    out[name] = "、".join(re.split(r"[\s、,，/／]+", raw.strip()))
        return out

    def fix_line(self, text: str) -> tuple[str, list[str]]:
        """``text`` with every fix rule applied, and the ids of the rules that fired."""
        if self._fix_re is None:
            return text, []
        fired: list[str] = []

        def replace(m: re.Match[str]) -> str:
            rule = self._fix_ids[m.lastgroup or ""]
            if rule.id not in fired:
                fired.append(rule.id)
            return rule.replace

        # Fix patterns are ASCII/number shaped; folding is not needed and would cost.
        return self._fix_re.sub(replace, text), fired

    def detector(self, rule_id: str) -> Rule | None:
        rule = self.rules.get(rule_id)
        return rule if rule is not None and rule.kind == "detector" else None


def _check_pattern(pattern: str, where: str) -> None:
    """Raise :class:`RuleError` if ``pattern`` does not compile or uses a back-reference."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise RuleError(f"{where}: bad pattern: {exc}") from exc
    if "(?P=" in pattern:
        raise RuleError(f"{where}: back-references are not allowed (they can backtrack)")


def _as_rule(entry: dict[str, Any], origin: str, check: bool = True) -> Rule:
    if not isinstance(entry, dict):
        raise RuleError(f"{origin}: every [[rule]] must be a table")
    rid = entry.get("id")
    if not isinstance(rid, str) or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rid):
        raise RuleError(f"{origin}: rule id {rid!r} must be kebab-case (e.g. 'copyright-notice')")
    kind = entry.get("kind", "drop")
    if kind not in KINDS:
        raise RuleError(f"{origin}: rule {rid}: kind {kind!r} is not one of {', '.join(KINDS)}")
    description = entry.get("description")
    if not isinstance(description, str) or not description:
        raise RuleError(f"{origin}: rule {rid}: needs a description (it is the reason shown for each change)")
    pattern = entry.get("pattern")
    if kind != "detector":
        if not isinstance(pattern, str) or not pattern:
            raise RuleError(f"{origin}: rule {rid}: a {kind} rule needs a pattern")
        if check:
            _check_pattern(pattern, f"{origin}: rule {rid}")
    fields_pattern = entry.get("fields_pattern")
    if fields_pattern is not None:
        if kind != "field" or not isinstance(fields_pattern, str) or "(?P<" not in fields_pattern:
            raise RuleError(f"{origin}: rule {rid}: fields_pattern needs kind 'field' and named groups")
        if check:
            _check_pattern(fields_pattern, f"{origin}: rule {rid}")
    known = {"id", "kind", "description", "category", "pattern", "replace", "ends_article", "starts_related"}
    known |= {"positive", "negative"}
    # "keywords": literals that let this rule be tried on lines over LONG_LINE_CHARS;
    # "fields_pattern": where a field rule's named groups come from (see the module doc)
    data = {k: v for k, v in entry.items() if k not in known}
    return Rule(
        id=rid,
        kind=kind,
        description=description,
        category=str(entry.get("category", "")),
        pattern=pattern,
        replace=str(entry.get("replace", "")),
        ends_article=bool(entry.get("ends_article", False)),
        starts_related=bool(entry.get("starts_related", False)),
        positive=tuple(entry.get("positive", ())),
        negative=tuple(entry.get("negative", ())),
        data=data,
        origin=origin,
    )


def read_rule_file(text: str, origin: str, check: bool = True) -> list[Rule]:
    """The rules of one TOML document (``[[rule]]`` tables); ``check`` compiles each pattern
    alone for a precise error (the built-in files are checked by the test suite instead:
    compiling them twice would cost every run a third of a second)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{origin}: not valid TOML: {exc}") from exc
    return [_as_rule(entry, origin, check) for entry in data.get("rule", [])]


def builtin_rules(check: bool = False) -> list[Rule]:
    out: list[Rule] = []
    pkg = resources.files("newsclean.rules")
    for name in BUILTIN_FILES:
        out.extend(read_rule_file(pkg.joinpath(name).read_text(encoding="utf-8"), f"rules/{name}", check))
    return out


_BUILTIN_CACHE: dict[tuple[tuple[str, ...], tuple[str, ...]], RulePack] = {}


def load_rules(extra_files: Iterable[str] = (), disabled: Iterable[str] = ()) -> RulePack:
    """The built-in pack plus user rule files, minus the disabled ids (cached per process)."""
    key = (tuple(extra_files), tuple(disabled))
    pack = _BUILTIN_CACHE.get(key)
    if pack is None:
        rules = builtin_rules()
        for path in key[0]:
            try:
                text = Path(path).read_text(encoding="utf-8")
            except OSError as exc:
                raise RuleError(f"cannot read rule file {path}: {exc}") from exc
            rules.extend(read_rule_file(text, path))
        off = set(key[1])
        pack = RulePack(r for r in rules if r.id not in off)
        _BUILTIN_CACHE[key] = pack
    return pack
