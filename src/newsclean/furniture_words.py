"""Page furniture told by its vocabulary: a short line with no sentence structure whose
characters are nearly all furniture words (分享 收藏 评论 下载 客户端 ...), platform names
(微信 微博 LINE ...), separators, counts and times is a widget, toolbar or menu line.

The rules name the furniture they know; every new site has its own (``分享到 LINE ｜ 收藏``,
``阅读 1.2万 · 评论 36``). This detector generalises over them from what they are made of,
and leaves alone anything that reads like language: sentence punctuation, quotes, commas,
datelines, long lines, or words the vocabulary does not cover (``关注民生``, ``记者手记``,
``分享经济的新机遇``: one furniture word in a subheading is never enough).

The word lists are data (``rules/lexicon.toml``, rule ``furniture-vocabulary``), written in
Simplified: lines are folded by the rule pack first, so Traditional spellings of the same
words match too, and each word's Taiwan and Hong Kong wording (OpenCC's phrase tables:
``登录`` → ``登入``, ``视频`` → ``影片``) is added; vocabulary OpenCC does not know (``臉書``)
is listed itself.

>>> from newsclean.rules import load_rules
>>> words = FurnitureWords(load_rules())
>>> words.reason("分享到：微信 | 微博 | QQ空间")
'furniture words: 分享到, 微信, 微博, QQ空间 (100% of the line)'
>>> words.reason("关注民生") is None, words.reason("分享经济的新机遇") is None
(True, True)
"""

from __future__ import annotations

import re
import unicodedata

from newsclean.rules import Rule, RulePack, any_word_pattern
from newsclean.startup_cache import compile_cached

#: sentence ends, clause marks, quotes and book-title marks: language, not furniture
_LANGUAGE = re.compile(r"[。！？!?；;…，“”‘’「」『』《\"]")
#: an item of a numbered list (3. 扫描二维码, ①, 二、, 第一步): steps in an article
_LIST_ITEM = re.compile(
    r"\s{0,3}(?:\d{1,2}\s?[.．、)）](?!\d)|[①-⑳]|[(（]?[一二三四五六七八九十]{1,3}[、)）]|第[一二三四五六七八九十\d]{1,3}[步章节部条])"
)
#: separators between the items of a toolbar or menu (neutral: they cover their place)
_SEPARATORS = "|｜/／·•丨▪>＞»›》<«‹→←-—_~～"
#: label and bracket punctuation around items (分享到：, 评论(12), 【热门】)
_FRAMING = ":：()（）【】[]〔〕<>{}"
#: a count, size or time: 1.2万, 10万+, 3.4k, 99+, (12), 2024-03-05, 10:23, 3小时前
_NUMBER = (
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
    r"|\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"
    r"|\d{1,3}\s?(?:秒|分钟|小时|天|周|个月|年)前"
    r"|\d{1,2}[-/月]\d{1,2}日?"
    # after the dates, so that 1.2万 is a count; 3.5 alone is a count too
    r"|\d{1,9}(?:[.,]\d{1,3})?\s?(?:[万萬亿億wWkKmM]\+?|\+)?\s?(?:次|人|条|篇|则|則|个|個|赞)?"
)
_SYMBOL_CATEGORIES = ("So", "Sk", "Sm")


class FurnitureWords:
    """The ``furniture-vocabulary`` detector: see the module docstring.

    >>> from newsclean.rules import load_rules
    >>> words = FurnitureWords(load_rules())
    >>> words.reason("閱讀 1.2萬 · 評論 36")
    'furniture words: 閱讀, 評論 (100% of the line)'
    >>> words.reason("中国队3:1日本队") is None, words.reason("新华社北京3月5日电") is None
    (True, True)
    """

    def __init__(self, pack: RulePack, rule: Rule | None = None) -> None:
        rule = rule or pack.rules["furniture-vocabulary"]
        self.pack = pack
        self.max_chars = int(rule.data.get("max_chars", 40))
        self.min_share = float(rule.data.get("min_share", 0.85))
        self.min_words = int(rule.data.get("min_words", 2))
        words: dict[str, float] = {}
        # the strongest list a word is in wins
        for key, weight in (("phrases", 2.0), ("words", 1.0), ("platforms", 1.0), ("weak_words", 0.5)):
            for word in rule.data.get(key, ()):
                for form in locale_forms(word):
                    words.setdefault(pack.fold(form).lower(), weight)
        self.weights = words
        self.counters = {pack.fold(w).lower() for w in rule.data.get("counters", ())}
        self.regex = _compile(list(words))

    def reason(self, text: str, folded: str | None = None) -> str | None:
        """The event reason when ``text`` is furniture by its vocabulary, else ``None``."""
        if len(text) > self.max_chars * 2 or _LANGUAGE.search(text) or _LIST_ITEM.match(text):
            return None
        folded = folded if folded is not None else self.pack.fold(text)
        size = len(folded) - sum(1 for ch in folded if ch.isspace())
        if size == 0 or size > self.max_chars:
            return None
        # Imported here: the filter stage imports this module.
        from newsclean.stages.filter import is_dateline

        if is_dateline(text):
            return None
        found: dict[str, str] = {}  # folded word -> as written
        covered = counts = last = 0
        for m in self.regex.finditer(folded):
            covered += sum(1 for ch in folded[last : m.start()] if _neutral(ch))
            covered += sum(1 for ch in m.group() if not ch.isspace())
            last = m.end()
            if m.lastgroup == "w":
                # The fold maps one character to one, so the span holds the word as written.
                found.setdefault(
                    m.group().lower(), text[m.start() : m.end()] if len(text) == len(folded) else m.group()
                )
            else:
                counts += 1
        if not found:
            return None
        covered += sum(1 for ch in folded[last:] if _neutral(ch))
        share = covered / size
        evidence = sum(self.weights[w] for w in found)
        # A separator between items, or a count of the page's own readers and reactions
        # (not of an article's figures: 下载量 5000万次): a toolbar or counter, not a label.
        if any(ch in _SEPARATORS for ch in folded) or (counts and any(w in self.counters for w in found)):
            evidence += 1
        if share < self.min_share or evidence < self.min_words:
            return None
        return f"furniture words: {', '.join(found.values())} ({share:.0%} of the line)"


def locale_forms(word: str) -> list[str]:
    """``word`` and the words Taiwan and Hong Kong use for it (OpenCC's phrase tables):
    the fold makes characters Simplified, not vocabulary.

    >>> locale_forms("视频"), locale_forms("登录")
    (['视频', '影片', '視頻'], ['登录', '登入', '登錄'])
    """
    from newsclean.script import converter

    forms = [word]
    for config in ("s2twp", "s2hk"):
        form = converter(config).convert(word)
        if form not in forms:
            forms.append(form)
    return forms


def _neutral(ch: str) -> bool:
    """Separators, framing brackets and icons: they take no part in the wording."""
    return ch in _SEPARATORS or ch in _FRAMING or unicodedata.category(ch) in _SYMBOL_CATEGORIES


def _trie(words: list[str]) -> str:
    """A regex matching the longest of ``words`` at a position; a word ending in a Latin
    letter must end a Latin word (``line`` is not in ``online``).

    >>> _trie(["分享", "分享到", "line"])
    '(?:line(?![a-z])|分享(?:到|))'
    """
    return any_word_pattern(words, longest=True, word_end=_latin_word_end)


def _latin_word_end(word: str) -> str:
    return "(?![a-z])" if word[-1].isascii() and word[-1].isalpha() else ""


def _compile(words: list[str]) -> re.Pattern[str]:
    """One regex: the words as group ``w`` (longest match; Latin ones only as whole words),
    counts and times as group ``n``. A lookahead on the first characters lets the engine
    skip most positions of a line with one bitmap test."""
    latin = [w for w in words if w[0].isascii() and w[0].isalpha()]
    other = [w for w in words if w not in latin]
    alternatives = [f"(?<![a-z]){_trie(latin)}"] if latin else []
    alternatives += [_trie(other)] if other else []
    first = {c for w in words for c in (w[0].lower(), w[0].upper())}
    hint = "".join(sorted(re.escape(c) for c in first)) + r"\d"
    word_group = "|".join(alternatives) or "(?!)"
    return compile_cached(f"(?=[{hint}])(?:(?P<w>{word_group})|(?P<n>{_NUMBER}))", re.IGNORECASE)
