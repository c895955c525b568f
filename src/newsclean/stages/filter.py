"""filter: drop SEO spam and site boilerplate lines, fix converter and CMS artefacts in place.

The rules are data (``newsclean/rules/*.toml``, see :mod:`newsclean.rules`); this module
runs them and holds the detectors that need more than a regex:

- keyword stuffing (:func:`is_keyword_stuffing`): density of spam terms per phrase;
- converter pinyin annotations (:class:`PinyinAnnotations`), checked against a shipped
  reading table (``data/readings.tsv``);
- the end-of-article zone: after a copyright notice, editor credit or comment widget,
  bullets are related-article links and short lone tags are furniture.

Bylines are not kept in ``text``: the names go to the record's ``author`` / ``editor``
fields (``doc.meta["fields_out"]``) and the line gets a drop event.

>>> from newsclean.config import Config
>>> from newsclean.document import Document
>>> doc = Document.from_text("a.txt", "正在阅读:\\n记者 | 游淼\\n個人信息保護再迎嚴監(jiān)管。\\n微博")
>>> doc = Filter(Config()).process(doc)
>>> doc.clean_text, doc.meta["fields_out"]
('個人信息保護再迎嚴監管。', {'author': '游淼'})
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import opencc

from newsclean.document import Document, Event, Paragraph
from newsclean.furniture_model import load_model
from newsclean.furniture_words import FurnitureWords
from newsclean.rules import Rule, RulePack, load_rules
from newsclean.stages.base import Stage
from newsclean.startup_cache import cached_data, compile_cached

#: a line this long, or with sentence punctuation and this long, is article prose: it
#: ends the end-of-article zone
PROSE_MIN_CHARS = 50
SENTENCE_MIN_CHARS = 18
#: a related-article title is at most this long
RELATED_TITLE_MAX_CHARS = 60
#: in a tag line of several space-separated tags, each tag is at most this long
TAG_MAX_CHARS = 10

_SENTENCE_END = re.compile(r"[。！？!?；;]")
#: closing quotes and brackets that may follow a sentence's final punctuation
_CLOSING_QUOTES = "」』”’\"')）】"
_BULLET = re.compile(r"[•·●▪◆◇■□►▸‣○◦※*\-]\s{0,3}(?=\S)")
_TAG_SHAPED = re.compile(r"[\w·&\s]+")
# Cheap "could there be an artefact here" test; most paragraphs have none of these.
_ARTEFACT_HINT = re.compile(r"[<&#\[_({（]")
_ANNOTATION = re.compile(r"([\u3400-\u9fff])[(（]([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7})[)）]")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,7}|#[xX][0-9a-fA-F]{2,6});")
_SPACE_ENTITIES = frozenset({"&nbsp;", "&ensp;", "&emsp;", "&thinsp;", "&#160;", "&#12288;"})
_SPACE_RUN = re.compile(r"[ \t]{2,}")
#: a clause or sentence end that spam lines never have (they may shout with ！)
_CLAUSE_END = re.compile(r"[。；;]")
#: a quoted span: spam words in quotes are being reported on, not advertised
_QUOTED = re.compile(r"[“\"「『‘][^”\"」』’]{0,30}[”\"」』’]")
_SEGMENT_SPLIT = re.compile(r"[,，;；|/\s]+")
#: weaker separators, tried only when a line has no comma-like ones: 、 lists real things in
#: prose, and _ - join words in URLs and names, so these lines need every segment to hit
_LIST_SPLIT = re.compile(r"[、_\-—]+")
_DOMAIN = re.compile(r"(?:www\.)?[a-z0-9-]{2,40}\.(?:com|net|org|cn|cc|vip|top|xyz|info|me|tv|la|co)\b", re.I)
# Tokens that follow names on byline lines but are not names.
_NOT_A_NAME = re.compile(r"报道|報道|报导|報導|发自|發自|摄|攝|综合|綜合|编译|編譯|整理")


def toneless(syllable: str) -> str:
    """A pinyin syllable without tone marks, ``ü`` as ``v``.

    >>> toneless("jiān"), toneless("lǜ")
    ('jian', 'lv')
    """
    syllable = syllable.replace("ü", "v").replace("ǖ", "v").replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def reading_table() -> dict[str, frozenset[str]]:
    """Toneless readings per character, from ``data/readings.tsv`` (built from pypinyin)."""
    return cached_data("readings", "readings.tsv", _parse_readings)


def _parse_readings(text: str) -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            ch, _, readings = line.partition("\t")
            table[ch] = frozenset(readings.split())
    return table


class PinyinAnnotations:
    """Find converter annotations like ``監(jiān)``: one lowercase syllable in brackets right
    after a Han character it is a reading of.

    A real pronunciation note (``行(háng)``) looks the same, so an annotation is removed only
    when the character is a Traditional form (what converters annotate) or the document has
    at least ``min_per_document`` of them.

    >>> finder = PinyinAnnotations()
    >>> finder.remove("再迎嚴監(jiān)管", doc_count=1)
    ('再迎嚴監管', 1)
    >>> finder.remove("台北(Taipei)與深圳(shen)", doc_count=1)
    ('台北(Taipei)與深圳(shen)', 0)
    """

    min_per_document = 2

    def __init__(self) -> None:
        self.readings = reading_table()
        self._t2s = opencc.OpenCC("t2s")
        self._traditional: dict[str, bool] = {}

    def _verified(self, m: re.Match[str]) -> bool:
        return toneless(m.group(2)) in self.readings.get(m.group(1), ())

    def count(self, text: str) -> int:
        """How many verified annotations ``text`` holds."""
        return sum(1 for m in _ANNOTATION.finditer(text) if self._verified(m))

    def _is_traditional(self, ch: str) -> bool:
        known = self._traditional.get(ch)
        if known is None:
            known = self._traditional[ch] = self._t2s.convert(ch) != ch
        return known

    def remove(self, text: str, doc_count: int) -> tuple[str, int]:
        removed = 0

        def fix(m: re.Match[str]) -> str:
            nonlocal removed
            if self._verified(m) and (doc_count >= self.min_per_document or self._is_traditional(m.group(1))):
                removed += 1
                return m.group(1)
            return m.group(0)

        return _ANNOTATION.sub(fix, text), removed


def decode_entities(text: str) -> str:
    """Decode HTML entities; the space entities become one plain space.

    >>> decode_entities("北京&nbsp;&nbsp;7月7日电 AT&amp;T R&D")
    '北京 7月7日电 AT&T R&D'
    """

    def one(m: re.Match[str]) -> str:
        entity = m.group(0)
        if entity in _SPACE_ENTITIES:
            return " "
        return html.unescape(entity)

    out = _ENTITY.sub(one, text)
    return _SPACE_RUN.sub(" ", out) if out != text else out


def _word_regex(words: list[str]) -> re.Pattern[str] | None:
    """One alternation of ``words``, longest first; Latin words ("av", "dj") only as whole
    words, not inside "Java" or "Django"."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word)
        parts.append(f"(?<![a-z]){escaped}(?![a-z])" if word.isascii() and word.isalpha() else escaped)
    if not parts:
        return None
    # The class lookahead lets the engine skip most positions with a bitmap test.
    first = "".join(sorted({re.escape(c) for w in words for c in (w[0].lower(), w[0].upper())}))
    return compile_cached(f"(?=[{first}])(?:{'|'.join(parts)})", re.I)


class KeywordStuffing:
    """Keyword-stuffed SEO lines: many short phrases, most holding a spam term or a domain;
    or a short promotional line with words that only spam uses (彩金, 无码, 代开发票).

    >>> from newsclean.rules import load_rules
    >>> spam = KeywordStuffing(load_rules())
    >>> spam.matches("澳门威尼斯人官网,百家乐真人娱乐城,六合彩开奖结果,时时彩投注平台")
    True
    >>> spam.matches("金沙娱乐城官网-注册送彩金")
    True
    >>> spam.matches("警方捣毁一个网络赌博团伙,查获色情网站3个,涉案金额达500万元。")
    False
    >>> spam.matches("打击“娱乐城”“注册送彩金”广告 警方查处多个平台")
    False
    """

    def __init__(self, pack: RulePack, rule: Rule | None = None) -> None:
        rule = rule or pack.rules["seo-spam"]
        self.pack = pack
        self.min_segments = int(rule.data.get("min_segments", 4))
        self.min_hits = int(rule.data.get("min_hits", 3))
        self.min_share = float(rule.data.get("min_share", 0.5))
        self.max_mean = float(rule.data.get("max_mean_segment_chars", 14))
        self.terms = _word_regex([pack.fold(t) for t in rule.data.get("terms", ())])
        self.strong = _word_regex([pack.fold(t) for t in rule.data.get("strong_terms", ())])
        self.promo = _word_regex([pack.fold(t) for t in rule.data.get("promo_terms", ())])
        self.news = _word_regex([pack.fold(t) for t in rule.data.get("news_words", ())])
        self.strong_min = int(rule.data.get("strong_min", 2))
        self.promo_min = int(rule.data.get("promo_min", 1))
        self.strong_max = int(rule.data.get("strong_max_chars", 100))

    def matches(self, text: str, folded: str | None = None) -> bool:
        if self.terms is None or _CLAUSE_END.search(text):
            return False
        folded = folded if folded is not None else self.pack.fold(text)
        if _SENTENCE_END.search(text):
            # Spam shouts (注册就送！), so ！ and ? do not rule out the promotional test.
            return self._promotional(folded)
        return self._stuffed(folded) or self._promotional(folded)

    def _promotional(self, folded: str) -> bool:
        """A short line with strong spam words and sales talk, and none of the words of a
        report about it. Words in quotes are being talked about, so they do not count."""
        if self.strong is None or len(folded) > self.strong_max or not self.strong.search(folded):
            return False
        if self.news is not None and self.news.search(folded):
            return False
        bare = _QUOTED.sub(" ", folded)
        strong = {m.group(0).lower() for m in self.strong.finditer(bare)}
        if not strong:
            return False
        if len(strong) >= self.strong_min:
            return True
        rest = self.strong.sub(" ", bare)
        promo = {m.group(0).lower() for m in self.promo.finditer(rest)} if self.promo else set()
        return len(promo) >= self.promo_min

    def _stuffed(self, folded: str) -> bool:
        """Many short phrases, most of them holding a spam term or a domain name."""
        segments = [s for s in _SEGMENT_SPLIT.split(folded) if s]
        if len(segments) == 1:
            listed = [s for s in _LIST_SPLIT.split(folded) if s]
            if len(listed) >= 3 and len(listed) * self.max_mean >= len(folded):
                hits = sum(1 for s in listed if self.terms.search(s) or _DOMAIN.search(s))
                return hits == len(listed)
        if len(segments) < self.min_segments:
            return False
        if sum(len(s) for s in segments) / len(segments) > self.max_mean:
            return False
        hits = sum(1 for s in segments if self.terms.search(s) or _DOMAIN.search(s))
        return hits >= self.min_hits and hits >= self.min_share * len(segments)


#: one space between two CJK characters (Han or full-width punctuation)
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_IN_CJK = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
#: a letter-spaced line has at least this many tokens, and this share of one character
LETTER_SPACED_MIN_TOKENS = 4
LETTER_SPACED_MIN_SHARE = 0.75


def close_letter_spacing(text: str) -> str | None:
    """``text`` with the spaces between its CJK characters taken out, when it is
    letter-spaced furniture (most tokens one character long); ``None`` otherwise.

    Some sites space out their footers character by character, which hides them from the
    rules; only the matching uses the closed form, the line itself is never rewritten.

    >>> close_letter_spacing("新 华 网 版 权 所 有 ，未 经 授 权 禁 止 转 载")
    '新华网版权所有，未经授权禁止转载'
    >>> close_letter_spacing("张三 李四 王五") is None
    True
    """
    tokens = text.split()
    if len(tokens) < LETTER_SPACED_MIN_TOKENS:
        return None
    if sum(1 for t in tokens if len(t) == 1) < LETTER_SPACED_MIN_SHARE * len(tokens):
        return None
    closed = _SPACE_IN_CJK.sub("", text)
    return closed if closed != text else None


def is_prose(text: str) -> bool:
    """Article text, which ends the end-of-article zone: a sentence, or a long line.

    >>> is_prose("曾被网信办通报违规收集和使用个人信息情况。"), is_prose("360数科")
    (True, False)
    """
    n = len(text)
    return n >= PROSE_MIN_CHARS or (n >= SENTENCE_MIN_CHARS and _SENTENCE_END.search(text) is not None)


def is_tag_line(text: str, max_chars: int) -> bool:
    """A lone tag (``360数科``) or a few space-separated tags, with no punctuation.

    >>> is_tag_line("360数科", 12), is_tag_line("央行 降准 货币政策", 12), is_tag_line("你好，世界", 12)
    (True, True, False)
    """
    if not _TAG_SHAPED.fullmatch(text):
        return False
    tokens = text.split()
    if len(tokens) == 1:
        return len(text) <= max_chars
    return len(tokens) <= 8 and all(len(t) <= TAG_MAX_CHARS for t in tokens)


# 新华社北京3月5日电, （中央社記者X台北5日電）, 本报讯: a dateline opens an article
_DATELINE = re.compile(
    r"[^。！？!?]{0,40}?(?:\d{1,2}|[一二三四五六七八九十]{1,3})日\s{0,2}[电電讯訊]|[(（【〔\[]?\s{0,2}本[报報网網]讯"
)


def is_dateline(text: str) -> bool:
    """A dateline (the opening of an article), never an item of a related-articles list.

    >>> is_dateline("新华社北京3月5日电"), is_dateline("（中央社記者陳家倫台北5日電）"), is_dateline("本报讯")
    (True, True, True)
    >>> is_dateline("央行宣布3月5日起下调存款准备金率")
    False
    """
    return _DATELINE.match(text) is not None


def is_related_title(text: str) -> bool:
    """A headline-shaped line: short, not ending like a sentence (a quoted sentence,
    ``她說：「謝謝大家。」``, ends like one too).

    >>> is_related_title("央行宣布降准0.5个百分点"), is_related_title("她說：「謝謝大家的支持。」")
    (True, False)
    """
    # Headlines may end in ？ or ！, but not in 。, even inside quotes.
    ends = ("。", "；", ";", "：", ":")
    return len(text) <= RELATED_TITLE_MAX_CHARS and not text.rstrip(_CLOSING_QUOTES).endswith(ends)


_QUESTION_HEADLINE = re.compile(r"[^。；;“”「」『』\"]{6,48}[？！?!]")


def is_question_headline(text: str) -> bool:
    """A headline ending in a question or exclamation mark (related lists are full of them):
    one clause of at most 49 characters, no full stop or quote inside. A paragraph that
    asks a question is longer, or has a full stop before it.

    >>> is_question_headline("央行降准0.5个百分点，释放多少流动性？"), is_question_headline("她问：“你来吗？”")
    (True, False)
    >>> is_question_headline("会议结束了。那么，下一步怎么走？")
    False
    """
    return _QUESTION_HEADLINE.fullmatch(text) is not None


class Filter(Stage):
    name = "filter"
    description = "drop SEO spam and site boilerplate, fix converter and CMS artefacts in place"

    def __init__(self, config) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config)
        self.pack = load_rules(config.rules, config.disable_rules)
        rules = self.pack.rules
        self.spam = KeywordStuffing(self.pack) if "seo-spam" in rules else None
        self.pinyin = PinyinAnnotations() if "pinyin-annotation" in rules else None
        self.entities = "html-entity" in rules
        self.related_on = "related-list" in rules
        self.letter_spaced = "letter-spaced" in rules
        self.furniture = FurnitureWords(self.pack) if "furniture-vocabulary" in rules else None
        model_rule = rules.get("furniture-model")
        threshold = model_rule.data.get("threshold") if model_rule else None
        self.model = load_model(None if threshold is None else float(threshold)) if model_rule else None
        tail = rules.get("tail-tag")
        self.tail_max = int(tail.data.get("max_chars", 12)) if tail else 0

    # -- artefacts -------------------------------------------------------------------

    def _fix(self, doc: Document, para: Paragraph, pinyin_count: int) -> str:
        """Apply the in-place fixes to one paragraph, one change event per rule."""
        text = para.text
        steps: list[tuple[str, str, str]] = []  # (rule id, before, after)
        fixed, fired = self.pack.fix_line(text)
        if fired:
            fixed = _SPACE_RUN.sub(" ", fixed).strip()
            steps.extend((rid, text, fixed) for rid in fired)
            text = fixed
        if self.entities and "&" in text:
            fixed = decode_entities(text).strip()
            if fixed != text:
                steps.append(("html-entity", text, fixed))
                text = fixed
        if self.pinyin is not None and ("(" in text or "（" in text):
            fixed, removed = self.pinyin.remove(text, pinyin_count)
            if removed:
                steps.append(("pinyin-annotation", text, fixed))
                text = fixed
        for rid, before, after in steps:
            doc.record(Event(self.name, rid, "change", para.line, self.pack.rules[rid].description, before, after))
        return text

    # -- the stage -------------------------------------------------------------------

    def process(self, doc: Document) -> Document | None:
        paras = doc.paragraphs
        pinyin_count = 0
        if self.pinyin is not None:
            pinyin_count = sum(self.pinyin.count(p.text) for p in paras if "(" in p.text or "（" in p.text)
        kept: list[Paragraph] = []
        in_tail = False
        in_related = False
        for i, para in enumerate(paras):
            original = para.text
            text = self._fix(doc, para, pinyin_count) if _ARTEFACT_HINT.search(original) else original
            if not text:
                self._drop(doc, para, "artefact-only", original)
                continue
            para.text = text
            # Folding costs; only lines the line rules may match, or spam candidates, need it.
            maybe_line = self.pack.may_match_line(text)
            maybe_spam = self.spam is not None and not _CLAUSE_END.search(text)
            folded = self.pack.fold(text) if maybe_line or maybe_spam else text
            rule = self.pack.match_line(text, folded, checked=True) if maybe_line else None
            if rule is not None:
                if rule.kind == "field":
                    self._take_fields(doc, rule, text)
                self._drop(doc, para, rule.id, text)
                in_tail = in_tail or rule.ends_article
                in_related = in_related or rule.starts_related
                continue
            if maybe_spam and self.spam is not None and self.spam.matches(text, folded):
                self._drop(doc, para, "seo-spam", text)
                continue
            if self.letter_spaced and " " in text and self._letter_spaced(doc, para, text):
                continue
            if in_related or in_tail:
                verdict = self._tail_verdict(text, paras[i + 1].text if i + 1 < len(paras) else None, in_related)
                if verdict:
                    self._drop(doc, para, verdict, text)
                    continue
                if is_prose(text) or is_dateline(text):
                    in_tail = in_related = False
            # Last: the long tail of furniture no rule names, told by its vocabulary.
            if self.furniture is not None and (why := self.furniture.reason(text, folded if maybe_line else None)):
                self._drop(doc, para, "furniture-vocabulary", text, why)
                continue
            # After every rule: the shape of furniture no rule or word list names.
            if self.model is not None and (why := self.model.reason(text)):
                self._drop(doc, para, "furniture-model", text, why)
                continue
            kept.append(para)
        doc.paragraphs = kept
        return doc

    def _letter_spaced(self, doc: Document, para: Paragraph, text: str) -> bool:
        """Drop a letter-spaced line (人 民 网 版 权 所 有) that a rule matches once its spaces
        are closed: a change event records the closing, a drop event the rule."""
        closed = close_letter_spacing(text)
        if closed is None:
            return False
        rule = self.pack.match_line(closed)
        rule_id = rule.id if rule is not None else None
        if rule_id is None and self.spam is not None and self.spam.matches(closed):
            rule_id = "seo-spam"
        if rule_id is None:
            return False
        desc = self.pack.rules["letter-spaced"].description
        doc.record(Event(self.name, "letter-spaced", "change", para.line, desc, text, closed))
        if rule is not None and rule.kind == "field":
            self._take_fields(doc, rule, closed)
        self._drop(doc, para, rule_id, closed)
        return True

    def _tail_verdict(self, text: str, next_text: str | None, in_related: bool) -> str | None:
        """After the article's end: the rule id to drop ``text`` by, or ``None`` to keep it."""
        if is_dateline(text):
            return None
        if self.related_on:
            bullet = _BULLET.match(text)
            if bullet and is_related_title(text[bullet.end() :]) and not _SENTENCE_END.search(text):
                return "related-list"
            if in_related and is_related_title(text) and (not is_prose(text) or is_question_headline(text)):
                return "related-list"
        # A short line followed by article text is a headline of what follows, not a tag.
        if self.tail_max and is_tag_line(text, self.tail_max) and (next_text is None or not is_prose(next_text)):
            return "tail-tag"
        return None

    def _take_fields(self, doc: Document, rule: Rule, text: str) -> None:
        out = doc.meta.setdefault("fields_out", {})
        for name, value in self.pack.fields(rule, text).items():
            names = [n for n in value.split("、") if n and not _NOT_A_NAME.search(n)]
            if names and name not in out:
                out[name] = "、".join(names)

    def _drop(self, doc: Document, para: Paragraph, rule_id: str, text: str, reason: str = "") -> None:
        rule = self.pack.rules.get(rule_id)
        reason = reason or (rule.description if rule else "line is empty once artefacts are removed")
        doc.record(Event(self.name, rule_id, "drop", para.line, reason, before=text))
