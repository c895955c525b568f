"""Which Chinese script a text is written in: ``hans``, ``hant``, ``mixed`` or ``none``.

A character counts as Traditional when OpenCC's t2s changes it and as Simplified when s2t
changes it; characters shared by both scripts count for neither.

>>> detect_script("新闻报道")
'hans'
>>> detect_script("新聞報道")
'hant'
>>> detect_script("Hello")
'none'
"""

from __future__ import annotations

import re
from functools import cache

import opencc

from newsclean.plausibility import is_han
from newsclean.startup_cache import cached_value

#: share of the minority script's marked characters above which a text is "mixed"
MIXED_SHARE = 0.2


@cache
def converter(config: str) -> opencc.OpenCC:
    """One OpenCC converter per config and process (building one reads its dictionaries)."""
    return opencc.OpenCC(config)


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_marks: dict[str, int] = {}  # char -> 1 Traditional-only, -1 Simplified-only, 0 neither


#: str.translate tables deleting the Traditional-only / Simplified-only characters: the
#: counts are then length differences, computed in C
_DELETE_TRAD: dict[int, None] = {}
_DELETE_SIMP: dict[int, None] = {}
_ASTRAL_HAN = re.compile("[\U00020000-\U0003134f]")
_BMP_HAN_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


def _learn(chars: list[str]) -> None:
    joined = "\n".join(chars)  # one C call each; newlines stop phrase matching across chars
    as_simp = converter("t2s").convert(joined).split("\n")
    as_trad = converter("s2t").convert(joined).split("\n")
    for ch, s, t in zip(chars, as_simp, as_trad, strict=False):
        mark = 1 if s != ch and t == ch else (-1 if t != ch and s == ch else 0)
        _marks[ch] = mark
        if mark > 0:
            _DELETE_TRAD[ord(ch)] = None
        elif mark < 0:
            _DELETE_SIMP[ord(ch)] = None


def _learn_bmp() -> None:
    """:func:`_learn` for every BMP Han character: two OpenCC passes over 28,000 characters
    (a tenth of a second), so the marks are kept in the start-up cache."""

    def build() -> dict[str, int]:
        _learn([chr(cp) for start, end in _BMP_HAN_BLOCKS for cp in range(start, end)])
        return dict(_marks)

    marks = cached_value("script-marks", (getattr(opencc, "__version__", "?"), _BMP_HAN_BLOCKS), build)
    _marks.update(marks)
    for ch, mark in marks.items():
        if mark > 0:
            _DELETE_TRAD[ord(ch)] = None
        elif mark < 0:
            _DELETE_SIMP[ord(ch)] = None


def script_counts(text: str) -> tuple[int, int]:
    """(Traditional-only, Simplified-only) character counts.

    >>> script_counts("新聞报道 2024")
    (1, 1)
    """
    if not _marks:  # every BMP Han character at once, on first use
        _learn_bmp()
    if _ASTRAL_HAN.search(text):
        unseen = sorted({ch for ch in _ASTRAL_HAN.findall(text) if ch not in _marks})
        if unseen:
            _learn(unseen)
    return len(text) - len(text.translate(_DELETE_TRAD)), len(text) - len(text.translate(_DELETE_SIMP))


def detect_script(text: str) -> str:
    if converter("t2s").convert(text) == text:
        # no Traditional-only character: one C call settles most Simplified text
        return "hans" if _HAN.search(text) else "none"
    trad, simp = script_counts(text)
    if not trad and not simp:
        return "hans" if any(is_han(ch) for ch in text) else "none"
    if min(trad, simp) > MIXED_SHARE * (trad + simp):
        return "mixed"
    return "hant" if trad > simp else "hans"
