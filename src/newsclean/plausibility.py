"""How plausible a string is as Chinese text: a character-frequency model.

Mojibake turns common characters into rare ones (``新闻`` read with the wrong codec becomes
``鏂伴椈``), so the mean log-frequency of a text's characters separates real Chinese from
decoder noise. The table ``data/hanzi.tsv`` is built offline by
``scripts/build_hanzi_table.py`` from wordfreq's Chinese word list; Traditional forms share
the frequency of their Simplified form, so both scripts score alike.

>>> char_cost("的") < char_cost("鏂")
True
>>> text_cost("新闻报道") < text_cost("鏂伴椈鎶ラ亾")
True
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from functools import lru_cache
from importlib import resources

from newsclean.startup_cache import cached_data

#: cost (negative log10 frequency) of a Han character missing from the table: rarer than
#: anything in it, but not impossible (names, Extension A/B in clean text).
UNKNOWN_HAN_COST = 8.5
#: cost of characters that are never part of real text: private use, unassigned,
#: replacement character, C1 controls.
NOISE_COST = 12.0
#: cost of ordinary ASCII, digits and common punctuation: neutral.
NEUTRAL_COST = 3.0


_BMP_HAN = re.compile("[\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _table() -> dict[str, float]:
    table: dict[str, float] = {}
    text = resources.files("newsclean.data").joinpath("hanzi.tsv").read_text(encoding="utf-8")
    for row in text.splitlines():
        if not row or row.startswith("#"):
            continue
        ch, _, logf = row.partition("\t")
        table[ch] = -float(logf)
    return table


def is_han(ch: str) -> bool:
    """True for CJK unified ideographs (basic block, Extension A, B-F, compatibility)."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3134F or 0xF900 <= o <= 0xFAFF


#: costs of the commonest Chinese punctuation (rough shares in news text): they are
#: commoner than most characters, and guessing a lost byte must know that ``。`` beats ``挨``
PUNCTUATION_COST = {
    "，": 1.4,
    "。": 1.7,
    "、": 2.3,
    "“": 2.3,
    "”": 2.3,
    "：": 2.5,
    "（": 2.7,
    "）": 2.7,
    "《": 2.8,
    "》": 2.8,
    "；": 3.0,
    "！": 3.2,
    "？": 3.2,
    "‘": 3.5,
    "’": 3.5,
    "「": 3.2,
    "」": 3.2,
    "—": 3.3,
    "…": 3.3,
}


@lru_cache(maxsize=1)
def _traditional_costs() -> dict[str, float]:
    """The cost of every BMP Han character missing from the table whose Simplified form is
    in it: one OpenCC call for all of them, instead of one call per character met."""
    from newsclean.script import converter

    table = _table()
    missing = [chr(cp) for block in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)) for cp in range(*block)]
    missing = [ch for ch in missing if ch not in table]
    # newlines keep OpenCC's phrase rules from joining neighbours
    simplified = converter("t2s").convert("\n".join(missing)).split("\n")
    return {ch: table[simp] for ch, simp in zip(missing, simplified, strict=False) if simp != ch and simp in table}


@lru_cache(maxsize=65536)
def char_cost(ch: str) -> float:
    """Negative log10 frequency of one character (lower is more plausible)."""
    cost = _table().get(ch) or PUNCTUATION_COST.get(ch)
    if cost is not None:
        return cost
    o = ord(ch)
    if is_han(ch):
        # Traditional forms that OpenCC only produces inside phrases (係 in 關係) are missing
        # from the table: score them as their Simplified form
        if o < 0x10000:
            return _traditional_costs().get(ch, UNKNOWN_HAN_COST)
        from newsclean.script import converter

        simplified = converter("t2s").convert(ch)
        if simplified != ch and simplified in _table():
            return _table()[simplified]
        return UNKNOWN_HAN_COST
    if ch == "\ufffd" or 0xE000 <= o <= 0xF8FF or 0x80 <= o <= 0x9F or o >= 0xF0000:
        return NOISE_COST
    if 0xFF01 <= o <= 0xFF5E:
        # fullwidth forms other than the common punctuation above: real but uncommon
        return 5.0
    cat = unicodedata.category(ch)
    if cat in ("Cn", "Co", "Cs"):
        return NOISE_COST
    if o < 0x80 or cat.startswith("P") or cat.startswith("Z"):
        return NEUTRAL_COST
    # Kana, Hangul, Latin letters with accents, box drawing, symbols: possible, not common
    # in Chinese news; mojibake is full of them.
    return 6.0


@lru_cache(maxsize=1)
def _pairs() -> dict[str, float]:
    keys, values, _first, _second = _bigram_columns()
    logf = array("d")
    logf.frombytes(values)
    return dict(zip(keys.split("\n"), logf.tolist(), strict=True))


@lru_cache(maxsize=1)
def _bigram_columns() -> tuple[str, bytes, str, str]:
    """The bigram table as flat columns (the start-up cache loads a dict of 150,000 floats
    slower than the file parses, and these faster than either): its keys, joined by
    newlines; its values, as doubles; the first and second characters of its two-character
    keys, as two aligned strings."""
    return cached_data("bigram-columns", "bigram.tsv", _parse_pairs)


def _parse_pairs(text: str) -> tuple[str, bytes, str, str]:
    # one split of the whole file: several times faster than a loop over rows
    fields = text[text.index("\n") + 1 :].split()
    keys = fields[0::2]
    pairs = "".join(pair for pair in keys if len(pair) == 2)
    values = array("d", map(float, fields[1::2])).tobytes()
    return "\n".join(keys), values, pairs[0::2], pairs[1::2]


def pair_bonus(a: str, b: str) -> float:
    """How much more often ``a`` and ``b`` stand together (inside words) than chance would
    have it: pointwise mutual information in log10 units, 0 for unrelated pairs, at most 4.

    >>> pair_bonus("统", "计") > 1.0
    True
    >>> pair_bonus("统", "鏂")
    0.0
    """
    if not a or not b:
        return 0.0
    logf = _pairs().get(a + b)
    if logf is None:
        return 0.0
    table = _table()
    if a not in table or b not in table:
        return 0.0
    return max(0.0, min(4.0, logf + table[a] + table[b]))


@lru_cache(maxsize=1)
def _pair_columns() -> tuple[str, str]:
    """The bigram table's first and second characters, as two aligned strings: a
    character's partners are found with ``str.find`` (C speed) instead of an index that
    would cost a Python loop over every pair at start-up in every worker."""
    _keys, _values, first, second = _bigram_columns()
    return first, second


@lru_cache(maxsize=8192)
def word_partners(ch: str, following: bool) -> str:
    """The characters that form a known pair with ``ch``: those that can follow it
    (``following``), or precede it; every other character has a :func:`pair_bonus` of 0.

    >>> "计" in word_partners("统", following=True), "统" in word_partners("计", following=False)
    (True, True)
    """
    if len(ch) != 1:
        return ""
    firsts, seconds = _pair_columns()
    column, other = (firsts, seconds) if following else (seconds, firsts)
    found: list[str] = []
    at = column.find(ch)
    while at >= 0:
        found.append(other[at])
        at = column.find(ch, at + 1)
    return "".join(found)


def text_cost(text: str) -> float:
    """Mean character cost of ``text`` (0.0 for empty text)."""
    if not text:
        return 0.0
    return sum(char_cost(ch) for ch in text) / len(text)


def han_cost(text: str) -> float | None:
    """Mean cost of the Han characters only, or ``None`` when there are none."""
    # the regex and map() keep the per-character loop in C: decode scores every
    # candidate reading of every legacy-encoded file with this
    costs = list(map(char_cost, _BMP_HAN.findall(text)))
    return sum(costs) / len(costs) if costs else None
