"""A learned scorer for page furniture no rule names: the ``furniture-model`` detector.

The rules name the furniture they know and the vocabulary detector
(:mod:`newsclean.furniture_words`) covers toolbars and menus; every new site still brings
its own menus, bylines, footers and prompts. This scorer generalises over their *shape*: a
logistic regression over character 1-3-grams (Traditional folded to Simplified, digits to
``0``) and shape features (length, separators, short space-separated tokens, a ``XX：``
label, what the line ends with). It is trained by ``benchmarks/train_furniture_model.py``
on the labelled line sets and shipped as data (``data/furniture_model.json``).

Precision comes first, so the model only ever sees short lines with no sentence structure
(:func:`has_sentence_structure`): a long line, or one with a sentence or clause end after
some words, is article text whatever its score.

>>> model = load_model()
>>> model.reason("首页 | 新闻 | 体育 | 娱乐 | 财经")[:24]
'furniture-like line (sco'
>>> model.reason("一、聚焦民生") is None, model.reason("他说：“我们会继续努力。”") is None
(True, True)
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources

import opencc

#: how many judged lines' verdicts are remembered (short lines: a few hundred KB at most)
VERDICT_CACHE = 8192
_UNSEEN = object()
#: lines longer than this (non-space characters) are article text for the model
MAX_CHARS = 40
#: lines with fewer word characters (Han, letters, digits) give the model too little to go
#: on: a letter-spaced word (文 · 化) or a credit stub (本期 / 文); known short furniture
#: (分享, 评论) is the vocabulary detector's
MIN_WORD_CHARS = 4
#: a full stop or clause end anywhere, or ！？ after at least two characters of words (one
#: closing quote or bracket between): language, not furniture
_SENTENCE = re.compile(r"[。；;]|\w[^。！？!?；;]*?\w[^。！？!?；;\w]{0,2}[！？!?]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
#: separators between the items of menus, toolbars and bylines
_SEPARATORS = frozenset("|｜/／·•丨▪>＞»›》<«‹→←_~～-—")
_LABEL = re.compile(r"[\u3400-\u9fffA-Za-z]{1,8}\s?[：:]")
#: the label of a ``label：value`` line (责任编辑, 来源), a feature of its own
_LABEL_WORD = re.compile(r"([^\s：:]{1,8})\s?[：:]")
#: what splits a line into its items: spaces, separators, labels' colons, commas, brackets
_ITEM_SPLIT = re.compile(r"[\s|｜/／·•丨▪>＞»›》<«‹→←_~～\-—：:，、,（）()【】\[\]]+")
#: items up to this long are features of their own (a menu item, a name, a platform)
ITEM_MAX_CHARS = 6
_BRACKETS = frozenset("【】[]〔〕()（）<>《》「」『』")

#: (upper bound, name) of the length buckets, non-space characters
_LENGTHS = ((2, "1-2"), (4, "3-4"), (6, "5-6"), (9, "7-9"), (14, "10-14"), (20, "15-20"), (30, "21-30"))
#: readable names of the shape features, for the drop reason
SHAPE_NAMES = {
    "tok:short": "short tokens",
    "sep:1": "a separator",
    "sep:2+": "separators",
    "label": "a label",
    "bracket": "brackets",
    "end:digit": "ends in a number",
    "end:colon": "ends in a colon",
    "comma": "commas",
}


#: an unbroken run of this many Han characters is running text (a headline, a subheading,
#: a sentence without its stop), never a menu, byline or footer, whose items are short
RUNNING_HAN = 12
_RUNNING = re.compile(f"[\u3400-\u9fff]{{{RUNNING_HAN},}}")
#: a title in book-title marks (《英雄联盟》): a headline or a sentence names a work so; the
#: vocabulary detector reads it as language too
_BOOK_TITLE = re.compile(r"《[^》]{1,30}》")


def has_sentence_structure(text: str) -> bool:
    """True when ``text`` reads like article prose: longer than :data:`MAX_CHARS`
    non-space characters, a sentence or clause end (。！？；) after some words, a run of
    :data:`RUNNING_HAN` Han characters or a title in book-title marks (a headline).

    >>> has_sentence_structure("会议强调，要坚持稳中求进。"), has_sentence_structure("分享到：微信 | 微博")
    (True, False)
    >>> has_sentence_structure("查看更多！")
    True
    """
    if len(text) - text.count(" ") > MAX_CHARS:
        return True
    return (
        _SENTENCE.search(text) is not None or _RUNNING.search(text) is not None or _BOOK_TITLE.search(text) is not None
    )


def too_short(text: str) -> bool:
    """Fewer than :data:`MIN_WORD_CHARS` word characters: not for the model to judge.

    >>> too_short("文 · 化"), too_short("热门评论")
    (True, False)
    """
    return sum(1 for ch in text if ch.isalnum()) < MIN_WORD_CHARS


def judged(text: str) -> bool:
    """Whether the model judges ``text`` at all: no sentence structure, not too short or
    too long, and not a dateline (本报讯（记者 王丽）opens an article).

    >>> judged("设为首页 | 加入收藏"), judged("会议强调，要坚持稳中求进。"), judged("分享")
    (True, False, False)
    >>> judged("本报讯（记者 王丽）")
    False
    """
    # Imported here: the filter stage imports this module.
    from newsclean.stages.filter import is_dateline

    # the length test first: it is what turns away most lines, and it is the cheapest
    return not has_sentence_structure(text) and not too_short(text) and not is_dateline(text)


def _char_class(ch: str) -> str:
    if ch == " ":
        return "_"
    if ch in _SEPARATORS:
        return "s"
    if "\u3400" <= ch <= "\u9fff":
        return "h"
    if ch.isdigit():
        return "d"
    if ch.isascii() and ch.isalpha():
        return "l"
    return "p"


#: the class of the commonest characters, looked up rather than worked out
_CLASSES = {ch: _char_class(ch) for ch in " 0abcdefghijklmnopqrstuvwxyz" + "".join(_SEPARATORS)}


def _bucket(share: float) -> str:
    return "0" if share == 0 else "lo" if share < 0.34 else "mid" if share < 0.67 else "hi" if share < 1 else "all"


class Featurizer:
    """Text to feature names; shared by the training script and the runtime.

    >>> sorted(Featurizer().features("责任编辑：王翔"))[:6]
    ['#^责', '#^责任', '#任', '#任编', '#任编辑', '#王']
    """

    def __init__(self) -> None:
        self._t2s = opencc.OpenCC("t2s")

    def normalise(self, text: str) -> str:
        """Folded (Simplified, lower case, digits as 0, one space between tokens)."""
        text = _SPACES.sub(" ", text.strip()).lower()
        return _DIGITS.sub("0", self._t2s.convert(text))

    def features(self, text: str) -> set[str]:
        t = self.normalise(text)
        padded = f"^{t}$"
        n = len(padded)
        # n-grams: "#" marks them, so they never collide with a shape feature's name
        grams = {padded[i : i + k] for k in (1, 2, 3) for i in range(n - k + 1)}
        grams.discard("^")
        grams.discard("$")
        out = {"#" + g for g in grams}
        size = len(t) - t.count(" ")
        if size == 0:
            return out
        # whole items (首页, 联系我们) and their number: word-level evidence the n-grams blur
        items = [x for x in _ITEM_SPLIT.split(t) if x]
        out.update("w:" + x for x in items if len(x) <= ITEM_MAX_CHARS)
        out.add(f"items:{min(len(items), 6)}")
        if label := _LABEL_WORD.match(t):
            out.add("lab:" + label.group(1))
        out.add("len:" + next((name for top, name in _LENGTHS if size <= top), "31+"))
        han = len(_HAN.findall(t))
        digits = t.count("0")
        latin = sum(1 for ch in t if ch.isascii() and ch.isalpha())
        seps = sum(1 for ch in t if ch in _SEPARATORS)
        out.add("han:" + _bucket(han / size))
        out.add("digit:" + _bucket(digits / size))
        out.add("latin:" + _bucket(latin / size))
        if seps:
            out.add("sep:1" if seps == 1 else "sep:2+")
        tokens = t.split(" ")
        if len(tokens) >= 3:
            out.add("tok:3+")
            if sum(1 for tok in tokens if len(tok) <= 4) >= 0.75 * len(tokens):
                out.add("tok:short")
        elif len(tokens) == 2:
            out.add("tok:2")
        if any(ch in "，、," for ch in t):
            out.add("comma")
        if _LABEL.match(t):
            out.add("label")
        if any(ch in _BRACKETS for ch in t):
            out.add("bracket")
        last = t[-1]
        end = {"。": "stop", "！": "excl", "？": "excl", "!": "excl", "?": "excl", "：": "colon", ":": "colon"}
        out.add("end:" + end.get(last, "quote" if last in "」』”’\"')）】" else _char_class(last)))
        # the line's shape as a run-length-free string of character classes: h_h_h, hsh
        classes = "".join([_CLASSES.get(ch) or _char_class(ch) for ch in t])
        shape = re.sub(r"(.)\1+", r"\1", classes)
        padded = f"^{shape[:12]}$"
        for i in range(len(padded) - 1):
            out.add("c:" + padded[i : i + 2])
            if i + 3 <= len(padded):
                out.add("c:" + padded[i : i + 3])
        return out


class FurnitureModel:
    """The shipped logistic-regression model: ``weights`` per feature, ``bias``, and the
    ``threshold`` above which a line is furniture.

    >>> model = FurnitureModel({"bias": -1.0, "threshold": 0.5, "weights": {"#首页": 3.0}})
    >>> round(model.score("首页 | 新闻"), 2), model.score("会议强调，要坚持稳中求进。")
    (0.88, None)
    """

    def __init__(self, data: dict, threshold: float | None = None) -> None:
        self.weights: dict[str, float] = data["weights"]
        self.bias = float(data["bias"])
        self.threshold = float(data["threshold"] if threshold is None else threshold)
        self.featurizer = Featurizer()
        self._known = frozenset(self.weights)
        self._verdicts: dict[str, str | None] = {}

    def score(self, text: str) -> float | None:
        """Probability that ``text`` is furniture; ``None`` for a line the model never
        judges (sentence structure, too long, empty)."""
        if not judged(text):
            return None
        return self._score(self.featurizer.features(text))[0]

    def _score(self, feats: set[str]) -> tuple[float, list[tuple[float, str]]]:
        weights = self.weights
        present = [(weights[f], f) for f in feats & self._known]
        # fsum: exact, so the score does not depend on the set's (hash-seeded) order
        z = self.bias + math.fsum([w for w, _ in present])
        z = max(-30.0, min(30.0, z))
        return 1.0 / (1.0 + math.exp(-z)), present

    def reason(self, text: str) -> str | None:
        """The drop reason when ``text`` is furniture by the model, else ``None``.

        >>> load_model().reason("央行宣布下调存款准备金率0.5个百分点。") is None
        True
        """
        if not judged(text):
            return None
        # A site repeats its furniture on every page: the verdict of a line seen is looked up.
        cached = self._verdicts.get(text, _UNSEEN)
        if cached is not _UNSEEN:
            return cached
        if len(self._verdicts) >= VERDICT_CACHE:
            self._verdicts.clear()
        verdict = self._verdicts[text] = self._reason(text)
        return verdict

    def _reason(self, text: str) -> str | None:
        p, present = self._score(self.featurizer.features(text))
        if p < self.threshold:
            return None
        # the strongest evidence: the largest positive weights, named readably; words and
        # shapes first, single characters only when nothing else is left, and an n-gram
        # inside a longer one shown (闻 in 新闻) adds nothing
        names: list[str] = []
        for w, f in sorted(present, reverse=True)[:12]:
            if w <= 0:
                break
            quoted = f[0] == "#" or f[:2] in ("w:", "la")
            name = f.partition(":")[2] if f[:2] in ("w:", "la") else f[1:].strip("^$").strip() if quoted else ""
            name = f'"{name}"' if name and quoted else SHAPE_NAMES.get(f, "")
            if name and name not in names:
                names.append(name)
        names = [n for n in names if not any(n != m and n.strip('"') in m for m in names)]
        shown = ([n for n in names if len(n.strip('"')) > 1] + [n for n in names if len(n.strip('"')) == 1])[:3]
        return f"furniture-like line (score {p:.2f}: {', '.join(shown)})"


@lru_cache(maxsize=4)
def load_model(threshold: float | None = None) -> FurnitureModel:
    """The shipped model (``data/furniture_model.json``), loaded once."""
    text = resources.files("newsclean.data").joinpath("furniture_model.json").read_text(encoding="utf-8")
    return FurnitureModel(json.loads(text), threshold)
