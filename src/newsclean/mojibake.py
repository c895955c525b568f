"""Find and undo mojibake in one line of text.

Two families of damage:

* Latin-family: UTF-8 read as cp1252/latin-1 (``æ–°é—»``), possibly twice. ftfy undoes it,
  configured so it never touches CJK widths, quotes or normalisation.
* CJK: bytes of one encoding decoded with another. The line is scanned for clusters of
  characters that are implausible in Chinese; each cluster's neighbourhood is re-encoded
  with the codec that produced it and decoded with the right one, and a candidate is kept
  only when it reads as much more plausible Chinese than the damaged text. Covered: UTF-8
  read as GBK/GB18030/cp936 (a lone 0x80 is ``€``), Big5/cp950 and Shift-JIS/cp932; GBK or
  Big5 read as latin-1/cp1252; double-byte text read one byte out of step after a lost
  byte (``?``, or no mark at all) until a single-byte character brought the decoder back
  in step; lost bytes (``?``, U+FFFD) inside any of these; and fullwidth punctuation
  NFKC-folded to ASCII after the damage.

Guesses are held to what the damage allows: a byte a decoder turned into U+FFFD is one it
could not read (Shift-JIS reads 0xB1 as ``ｱ``, so ``蟆`` U+FFFD is ``将``, not ``就``); text
read out of step holds no single byte before the one that resynchronised it; and where no
``?`` marks the lost byte, the reading must be ordinary text in the line's script whose
guessed character makes a word with a neighbour.

>>> repair_line("鏂伴椈鎶ラ亾").text
'新闻报道'
>>> repair_line("新闻报道").fixes
[]
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import ftfy

from newsclean.plausibility import NOISE_COST, UNKNOWN_HAN_COST, char_cost, han_cost, is_han, pair_bonus, word_partners
from newsclean.script import script_counts
from newsclean.startup_cache import cached_value, compile_cached

#: characters under this cost are ordinary Chinese; a cluster of dearer ones is suspect
SUSPECT_COST = 5.0
#: a repair must lower the mean character cost of its span by at least this much
MIN_GAIN_PER_CHAR = 1.0
#: the repaired span's Han characters must read at least this plausibly (mean cost)
MAX_REPAIRED_HAN_COST = 4.6
#: and the characters read from text out of step with no ? at the lost byte, this (news
#: text averages about 3.0; ``詹甲頒`` read from clean ``嬲布最C`` is 4.3)
MAX_UNMARKED_HAN_COST = 4.0
#: penalty (in cost units) for each character a candidate loses; more than any real
#: character costs, so spans are never widened over clean text
LOST_PENALTY = 10.0
#: what a lost-byte marker (? or U+FFFD) inside a damaged span costs
MARKER_COST = 8.0
#: a repair may lose or guess at most this share of the characters it produces
MAX_UNCERTAIN_SHARE = 0.2
#: suspect clusters are cut at this length, so the work per cluster stays bounded (a
#: repair can still widen past it, and the next cluster picks up where one ended)
MAX_CLUSTER = 200
#: the longest span one repair covers (a whole damaged paragraph is repaired in pieces)
MAX_SPAN = 400
#: lines longer than this are repaired in windows of at most this many characters
WINDOW = 2000
#: the search around suspect clusters (the expensive part) covers at most this many
#: characters of damaged windows per line; later windows are only reversed whole or flagged
SEARCH_BUDGET = 4000
#: at most this many lost-byte markers of a cluster are tried as the start of text read
#: out of step, each with at most this many ends
MAX_SHIFT_STARTS = 6
MAX_SHIFT_ENDS = 10
#: how far (characters) a candidate span may reach beyond its suspect cluster
REACH = 3
#: how far before its suspect cluster text read out of step may start when no ? marks the
#: lost byte (the first characters so read can look ordinary: ``从车奈侍`` for ``反映的问``)
UNMARKED_REACH = 6

# ftfy with everything that could alter CJK text switched off: widths (fullwidth
# punctuation is content), quotes (“” are standard Chinese), Unicode normalisation (NFC
# rewrites CJK compatibility ideographs), HTML entities and control characters (other
# stages own those), line breaks, ligatures and lossy-sequence replacement (it writes U+FFFD).
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    remove_control_chars=False,
    normalization=None,
    replace_lossy_sequences=False,
    explain=True,
)

# A UTF-8 lead byte read as latin-1/cp1252 followed by a continuation byte so read: the
# signature of Latin-family mojibake. Cheap, and ftfy (slow) runs only where it matches.
_LATIN_SIGNAL = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
# Decoder noise: never part of real text.
_NOISE = re.compile("[\ufffd\u0080-\u009f]")
# A lost byte shown as ? or U+FFFD followed by NFKC-folded fullwidth punctuation: the
# start of a span decoded out of step.
_SHIFT_SIGNAL = re.compile(r"[?\ufffd][!-/:-@\[-`{-~]|[^\x00-\x7f][?\ufffd]")
_MARKERS = frozenset("?\ufffd")
# What text read out of step after a ? leaves when it holds no unusual character: a lone
# trail byte read as ASCII just before Chinese (see _odd_resync), or a byte eaten before a
# tag or a CMS page marker (see _EATEN_LT, _EATEN_HASH).
_SHIFT_EVIDENCE = re.compile(
    "[?\ufffd][^\x00-\x7f]{0,8}[@-~\u20ac](?=[\u3000-\u303f\u3400-\u9fff\uff01-\uff5e,.;:!?“”‘’]|$)"
    "|[?\ufffd](?:p#|/?[A-Za-z][A-Za-z0-9]{0,9}(?:\\s[^<>]{0,200})?>)"
)
# Characters :func:`_encode_char` encodes differently from the codec (markers, the euro
# sign of a lone 0x80, C1 controls kept as bytes for cp1252).
_SPECIAL_ENCODING = re.compile("[?\ufffd\u20ac\u0080-\u009f]")
# Unmistakable mojibake: UTF-8 punctuation read as GBK (銆 for 。、, 鈥 for “”—, 锛 for the
# fullwidth forms), private-use characters, cp1252 readings of UTF-8 lead bytes.
_MOJIBAKE_MARK = re.compile("[銆鈥锛\ue000-\uf8ff]|[ÃÂâåæçèé][\u0080-\u00bf\u2018-\u201e\u20ac\u2122]")
# What a byte eaten by the decoder together with a lost byte most likely was, from the
# text that follows: the ``<`` of a tag, the ``#`` of a ``#p#...#e#`` CMS page marker.
_EATEN_LT = re.compile(r"/?[A-Za-z][A-Za-z0-9]{0,9}(?:\s[^<>]{0,200})?>")
_EATEN_HASH = re.compile(r"p#[^#]{1,30}#e#")
#: a whole stray tag left in plain text after the ``<`` was restored
STRAY_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,9}\s*/?>")


@lru_cache(maxsize=2)
def _suspect_class(precheck: bool = False) -> str:
    """A regex class of the characters that are not ordinary Chinese text.

    The ``precheck`` class, used only to decide whether a line is searched at all, also
    passes what no misread of UTF-8 Chinese produces on its own: latin-1 letters and
    symbols (``Café``; cp1252 mojibake has its own signal, GBK read as latin-1 comes in
    runs), characters beyond the BMP (Extension B, emoji: GBK, Big5 and Shift-JIS have
    none, and GB18030's four-byte forms need ASCII digits inside UTF-8 characters) and
    emoji selectors.
    """
    from newsclean.plausibility import _table

    table = _table()
    ordinary = {ord(ch) for ch, cost in table.items() if cost < SUSPECT_COST and len(ch) == 1}
    ordinary.update(map(ord, _ordinary_traditional()))
    ordinary.update(range(0x00, 0x80))
    ordinary.update(range(0x3000, 0x3040))  # CJK punctuation
    ordinary.update(range(0x3040, 0x3100))  # kana: Japanese text must pass
    ordinary.update(range(0xFF01, 0xFF5F))  # fullwidth ASCII
    ordinary.update((0xB7, 0xD7, 0xF7, 0xB0, 0x2014, 0x2013, 0x2026, 0x2018, 0x2019, 0x201C, 0x201D))
    ordinary.update(range(0x2460, 0x2474))  # circled numbers
    # pinyin tone letters outside latin-1 (the latin-1 ones are what cp1252 mojibake is
    # made of): Běijīng, nǚ and lǜ are clean text
    ordinary.update(map(ord, "āǎēěīǐōǒūǔǖǘǚǜńňǹḿ"))
    if precheck:
        ordinary.update(range(0xA0, 0x100))
        ordinary.update((*range(0xFE00, 0xFE10), 0x200D))  # emoji variation selectors, ZWJ
    ranges: list[str] = []
    cps = sorted(ordinary)
    start = prev = cps[0]
    for cp in cps[1:] + [-1]:
        if cp == prev + 1:
            prev = cp
            continue
        ranges.append(_class_char(start) if start == prev else f"{_class_char(start)}-{_class_char(prev)}")
        start = prev = cp
    if precheck:
        # beyond the BMP, as one class range (the private-use planes stay noise)
        ranges.append(f"{_class_char(0x10000)}-{_class_char(0xEFFFF)}")
    return "[^" + "".join(ranges) + "]"


def _ordinary_traditional() -> list[str]:
    """Traditional characters missing from the frequency table whose Simplified form is
    ordinary (``係``, ``佈``, ``瀋``): :func:`~newsclean.plausibility.char_cost` scores them
    as that form, and the pre-check must not treat clean Traditional text as suspect."""
    from newsclean.plausibility import _traditional_costs

    return [ch for ch, cost in _traditional_costs().items() if cost < SUSPECT_COST]


@lru_cache(maxsize=1)
def _suspect_pattern() -> re.Pattern[str]:
    """Two suspect characters close together (a single rare character is usually a name)."""
    suspect = _suspect_class()
    # ? and U+FFFD count as suspect only next to a suspect character
    return compile_cached(f"{suspect}[^\\n]{{0,{REACH}}}{suspect}|[?\ufffd]{suspect}|{suspect}[?\ufffd]")


@lru_cache(maxsize=1)
def _unusual_pattern() -> re.Pattern[str]:
    """Any one character that is not ordinary Chinese, ASCII or common punctuation (the
    pre-check's class)."""
    return compile_cached(_suspect_class(precheck=True))


@lru_cache(maxsize=1)
def _signal_pattern() -> re.Pattern[str]:
    """:func:`_suspect_pattern` with the pre-check's class."""
    suspect = _suspect_class(precheck=True)
    return compile_cached(f"{suspect}[^\\n]{{0,{REACH}}}{suspect}|[?\ufffd]{suspect}|{suspect}[?\ufffd]")


@lru_cache(maxsize=2)
def _lone_trail_pattern(precheck: bool = False) -> re.Pattern[str]:
    """A suspect character soon followed by one ASCII character of the trail-byte range
    standing alone before a Han character (``總暽B行`` for ``總體運行``): where double-byte
    text read out of step, its lost lead byte leaving no ?, came back in step."""
    suspect = _suspect_class(precheck)
    return compile_cached(f"{suspect}[^\\x00-\\x7f]{{0,2}}[@-~](?=[\u3400-\u9fff])")


def _class_char(cp: int) -> str:
    return "\\" + chr(cp) if chr(cp) in "\\]^-[" else chr(cp)


@dataclass(slots=True)
class Fix:
    """One repaired span: where, what it was and became, how, and what was lost."""

    start: int
    end: int
    before: str
    after: str
    method: str
    confidence: float
    lost: int = 0
    rule: str = "cjk-mojibake"


@dataclass(slots=True)
class LineRepair:
    """The result of :func:`repair_line`: the text, the fixes made, the damage left."""

    text: str
    fixes: list[Fix] = field(default_factory=list)
    #: spans that look damaged but no reversal explained
    damaged: list[str] = field(default_factory=list)


def any_signal(text: str) -> bool:
    """False when no line of ``text`` (lines joined by newlines) can give
    :func:`has_signal` True: one scan of a whole document for the usual one with nothing
    unusual, instead of one per line. True only means "look line by line".

    >>> any_signal("国务院常务会议。\\n新华社北京3月5日电"), any_signal("正文。\\n鏂伴椈")
    (False, True)
    """
    if text.isascii():
        return False
    return (
        "?" in text
        or "\ufffd" in text
        or _LATIN1_CHAR.search(text) is not None
        or _unusual_pattern().search(text) is not None
    )


_TRIGGER = re.compile("[?\ufffd\u0080-\u00ff]")
_NEWLINE = re.compile("\n")


def signal_lines(text: str) -> set[int]:
    """The lines of ``text`` (0-based, lines joined by newlines) that hold a character
    :func:`has_signal` can start from (an unusual character, ``?``, U+FFFD, latin-1): on
    any other line it is False. Two class scans of the document instead of a few
    searches per line.

    >>> sorted(signal_lines("国务院常务会议。\\n鏂伴椈\\n新华社北京3月5日电\\n谁?"))
    [1, 3]
    """
    found = [m.start() for m in _unusual_pattern().finditer(text)]
    found += [m.start() for m in _TRIGGER.finditer(text)]
    if not found:
        return set()
    if len(found) <= 8:
        return {text.count("\n", 0, at) for at in found}
    breaks = [m.start() for m in _NEWLINE.finditer(text)]
    return {bisect_right(breaks, at) for at in found}


def has_signal(text: str) -> bool:
    """Cheap test: could ``text`` hold mojibake at all? (a compiled-regex scan)

    >>> has_signal("国务院总理李强主持召开国务院常务会议。")
    False
    >>> has_signal("鏂伴椈")
    True
    """
    if text.isascii():
        return False
    # most clean lines hold no unusual character at all: one scan of a character class
    first = _unusual_pattern().search(text)
    if ("?" in text or "\ufffd" in text) and _SHIFT_SIGNAL.search(text):
        # a ? in Chinese text is usually a question mark: text read out of step after a
        # lost byte leaves rare characters, a lone trail byte before Chinese, or an eaten <
        if first or "\ufffd" in text or _SHIFT_EVIDENCE.search(text):
            return True
    if _LATIN1_CHAR.search(text) and (_LATIN_SIGNAL.search(text) or _LATIN1_HINT.search(text)):
        return True  # cp1252 mojibake, or GBK/Big5 read as latin-1
    if first is None:
        return False
    at = first.start()
    return bool(_signal_pattern().search(text, max(0, at - 1)) or _NOISE.search(text, at) or _lone_trail(text, at))


# an ASCII character of the trail-byte range straight before a Han character: a cheap scan
# (a small class) before the full :func:`_lone_trail_pattern` looks at the few around it
_TRAIL_BEFORE_HAN = re.compile("[@-~](?=[\u3400-\u9fff])")


def _lone_trail(text: str, at: int) -> bool:
    """:func:`_lone_trail_pattern` (the pre-check's) matches in ``text`` from ``at`` on."""
    pattern = _lone_trail_pattern(precheck=True)
    for m in _TRAIL_BEFORE_HAN.finditer(text, at):
        if pattern.search(text, max(at, m.start() - 3), m.end() + 1):
            return True
    return False


def repair_line(text: str) -> LineRepair:
    """Repair the mojibake in one line; clean text comes back unchanged.

    A line longer than :data:`WINDOW` is repaired window by window, and the search around
    suspect clusters covers only its first :data:`SEARCH_BUDGET` characters: beyond, a
    window gets the cheap whole-window reversals, and damage they leave is only flagged.
    The cost of a line is linear in its length, whatever it holds.

    >>> r = repair_line("发展?!蓖跖畈┱f。")
    >>> r.text, r.fixes[0].method
    ('发展。”王蓬博說。', 'gbk read out of step after a lost byte; 1 lost character(s) guessed')
    """
    if len(text) <= WINDOW:
        return _repair_window(text, search=True)
    out = LineRepair(text)
    pieces: list[str] = []
    searched = 0
    for start, end in _windows(text):
        window = text[start:end]
        if not has_signal(window):
            pieces.append(window)
            continue
        part = _repair_window(window, search=searched < SEARCH_BUDGET)
        searched += len(window)
        pieces.append(part.text)
        for fix in part.fixes:
            fix.start += start
            fix.end += start
        out.fixes += part.fixes
        out.damaged += part.damaged
    out.text = "".join(pieces)
    return out


_ASCII_CHAR = re.compile("[\x00-\x7f]")


def _windows(text: str) -> list[tuple[int, int]]:
    """Cut ``text`` into windows of at most :data:`WINDOW` characters, each ending (where
    one is near) at an ASCII character: the bytes of a misread never straddle one.

    >>> _windows("中" * 1500 + "a" + "中" * 1500)
    [(0, 1501), (1501, 3001)]
    """
    out: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + WINDOW)
        if end < len(text):
            # the last ASCII character of the window's second half (one C scan, reversed)
            half = start + WINDOW // 2
            found = _ASCII_CHAR.search(text[half:end][::-1])
            if found:
                end -= found.start()
        out.append((start, end))
        start = end
    return out


def _repair_window(text: str, search: bool) -> LineRepair:
    if not has_signal(text):
        return LineRepair(text)
    # the fast path for the common case, a whole line misread with one codec: one linear
    # pass instead of a search around every suspect cluster
    whole = _whole_line(text)
    if whole is not None:
        return whole
    latin = _LATIN_SIGNAL.search(text) is not None
    via_ftfy = LineRepair(text)
    if latin and search:  # ftfy is slow too: within the search budget only
        _repair_latin(via_ftfy)
        if via_ftfy.fixes and not has_signal(via_ftfy.text):
            return via_ftfy  # ftfy explained all of it: nothing left for the CJK search
    if not search:
        # over the search budget: flag what is unmistakably damaged, repair nothing more
        result = LineRepair(text)
        if _NOISE.search(text) or _MOJIBAKE_MARK.search(text) or latin:
            result.damaged.append(text[:MAX_CLUSTER])
        return result
    direct = LineRepair(text)
    _repair_cjk(direct)
    if not latin:
        return direct
    # ftfy and the CJK reversals can both claim Latin-looking text (GBK read as latin-1
    # also looks like cp1252 mojibake): keep whichever reads as better Chinese
    if not via_ftfy.fixes:
        return direct
    _repair_cjk(via_ftfy)
    return via_ftfy if mean_cost(via_ftfy.text) <= mean_cost(direct.text) else direct


def _whole_line(text: str) -> LineRepair | None:
    """The line as UTF-8 read whole with one wrong codec, when that reversal leaves
    nothing suspect behind; None when it does not (the cluster search takes over).

    >>> _whole_line("鏂伴椈鎶ラ亾锛?2026").text
    '新闻报道，2026'
    """
    markers = text.count("?") + text.count("\ufffd") // 3  # up to three U+FFFD per character
    if markers > 2 + MAX_UNCERTAIN_SHARE * len(text):
        return None  # each marker is a lost or guessed character: too many for _score
    best: _Candidate | None = None
    for name, codec in UTF8_MISREADS:
        got = _utf8_misread(text, 0, len(text), codec, False)
        if got is None:
            continue
        fixed, lost, guessed = got
        cand = _score(text, _Candidate(0, len(text), fixed, name, lost, guessed=guessed, codec=codec))
        if cand is None or has_signal(fixed):
            continue
        if best is None or cand.gain > best.gain:
            best = cand
    if best is None:
        return None
    method = best.method + (f"; {best.guessed} lost character(s) guessed" if best.guessed else "")
    confidence = round(max(0.5, min(0.99, 0.55 + 0.1 * best.gain / len(text))), 2)
    if best.guessed:
        confidence = min(confidence, 0.8)
    rule = "lossy-mojibake" if best.lost else "latin-mojibake" if best.codec == "cp1252" else "cjk-mojibake"
    fix = Fix(0, len(text), text, best.after, method, confidence, best.lost, rule)
    return LineRepair(best.after, [fix])


def _repair_latin(result: LineRepair) -> None:
    text = result.text
    steps: list[str] = []
    for _ in range(3):  # double (and triple) UTF-8 needs a pass per layer
        fixed = ftfy.fix_and_explain(text, config=FTFY_CONFIG)
        if fixed.text == text:
            break
        steps += [f"{a} {b}" for a, b in fixed.explanation or []]
        text = fixed.text
    if text == result.text or mean_cost(text) >= mean_cost(result.text):
        return
    result.fixes.append(
        Fix(0, len(result.text), result.text, text, "ftfy: " + ", ".join(steps), 0.9, rule="latin-mojibake")
    )
    result.text = text


def mean_cost(text: str) -> float:
    """Mean plausibility cost per character (see :mod:`newsclean.plausibility`)."""
    return sum(map(char_cost, text)) / len(text) if text else 0.0


# ---------------------------------------------------------------- candidate reversals


def _fullwidth(ch: str) -> str:
    """The fullwidth form NFKC folded to ``ch``, if any."""
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


@lru_cache(maxsize=65536)
def _encode_char(ch: str, codec: str, fold: bool) -> bytes | None:
    """``ch`` in the bytes ``codec`` gives it (cached: spans are re-encoded many times)."""
    if fold:
        ch = _fullwidth(ch)
    if ch == "€" and codec in ("gb18030", "cp950", "cp932"):
        return b"\x80"  # Windows decoders map a lone 0x80 to the euro sign
    if codec == "cp1252" and "\x80" <= ch <= "\xff":
        return ch.encode("latin-1")  # C1 controls: bytes cp1252 leaves unassigned
    try:
        return ch.encode(codec)
    except UnicodeEncodeError:
        return None


#: (name, codec the bytes were wrongly read with): the bytes are really UTF-8
UTF8_MISREADS = (
    ("utf-8 read as gbk", "gb18030"),
    ("utf-8 read as big5", "cp950"),
    ("utf-8 read as shift-jis", "cp932"),
    # what ftfy leaves when bytes were lost (U+FFFD for cp1252's five unassigned bytes)
    ("utf-8 read as cp1252", "cp1252"),
)
#: double-byte text read as latin-1/cp1252: (name, codec the bytes really are)
LATIN1_MISREADS = (("gbk read as latin-1", "gb18030"), ("big5 read as latin-1", "cp950"))
#: double-byte codecs whose text may be read out of step
SHIFTABLE = (("gbk", "gb18030"), ("big5", "cp950"))
_TRAILS = bytes([*range(0x40, 0x7F), *range(0x80, 0xFF)])
_LEADS = bytes(range(0x81, 0xFF))
_CONTINUATIONS = bytes(range(0x80, 0xC0))
# the leads of 3-byte characters in Chinese text: punctuation (E2), CJK punctuation and
# ideographs (E3-E9), fullwidth forms (EF)
_UTF8_LEADS3 = bytes([0xE2, *range(0xE3, 0xEA), 0xEF])
# Runs of text that latin-1/cp1252 can encode: where GBK or Big5 read as latin-1 lives.
_LATIN1_RUN = re.compile(
    "[\x00-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    after: str
    method: str
    lost: int
    gain: float = 0.0
    guessed: int = 0
    eaten: str = ""
    codec: str = ""
    fold: bool = False
    #: how well the guessed characters make words with their neighbours (pair bonuses):
    #: of two readings of the same damage, the one whose guesses make words wins
    bond: float = 0.0


def _extend(text: str, best: _Candidate) -> _Candidate:
    """Widen a UTF-8 reversal to the right while that explains more of the line (mojibake
    can end in characters that look ordinary, such as fullwidth forms)."""
    if not best.codec:
        return best
    e = best.end
    while e < min(len(text), best.start + MAX_SPAN) and e - best.end < 12:
        e += 1
        got = _utf8_misread(text, best.start, e, best.codec, best.fold)
        if got is None:
            break
        cand = _score(
            text,
            _Candidate(best.start, e, got[0], best.method, got[1], guessed=got[2], codec=best.codec, fold=best.fold),
        )
        if cand and cand.gain > best.gain:
            best = cand  # and look up to 12 characters beyond the new end
    return best


def _guess_cost(ch: str, before: str, after: str, script: int = 0) -> float:
    """Cost of a guessed character between two neighbours: its frequency, a little
    punctuation sense, whether it forms words with them, and whether it is in the script
    (``script``: 1 Traditional, -1 Simplified, 0 unknown) of the text around it."""
    cost = char_cost(ch) + _context_cost(before, ch, after) - pair_bonus(before, ch) - pair_bonus(ch, after)
    if script and is_han(ch):
        trad, simp = _char_script(ch)
        if (trad and script < 0) or (simp and script > 0):
            cost += 1.0
    return cost


@lru_cache(maxsize=65536)
def _char_script(ch: str) -> tuple[int, int]:
    return script_counts(ch)


#: the most :func:`_context_cost` can lower a character's cost (a unit after a digit)
_CONTEXT_RELIEF = 2.0


class _Options(NamedTuple):
    """The plausible characters a guess can choose from: by frequency, and by position."""

    ranked: tuple[tuple[float, int, str], ...]
    index: dict[str, int]


def _options(decoded: list[str]) -> _Options:
    chars = [ch for ch in dict.fromkeys(decoded) if _plausible_guess(ch)]
    ranked = tuple(sorted((char_cost(ch), i, ch) for i, ch in enumerate(chars)))
    return _Options(ranked, {ch: i for i, ch in enumerate(chars)})


def _cheapest(
    options: _Options, before: str, after: str, script: int, allowed: Callable[[str], bool] | None = None
) -> tuple[float, str] | None:
    """The option with the lowest :func:`_guess_cost` (the first such, in option order),
    without costing them all: only characters that form a word with a neighbour can beat
    their frequency by much, so the rest are tried commonest first until none can win.

    ``allowed`` narrows the options; it is asked only of a character that would win, so
    an expensive test runs a few times instead of once per option."""
    best: tuple[float, int, str] | None = None
    index = options.index
    for ch in [*word_partners(before, following=True), *word_partners(after, following=False)]:
        i = index.get(ch)
        if i is not None:
            key = (_guess_cost(ch, before, after, script), i, ch)
            if (best is None or key < best) and (allowed is None or allowed(ch)):
                best = key
    for cost, i, ch in options.ranked:
        if best is not None and cost - _CONTEXT_RELIEF > best[0]:
            break
        key = (_guess_cost(ch, before, after, script), i, ch)
        if (best is None or key < best) and (allowed is None or allowed(ch)):
            best = key
    return (best[0], best[2]) if best else None


@lru_cache(maxsize=256)
def _script_of(text: str) -> int:
    """1 when ``text`` is marked Traditional, -1 Simplified, 0 when it does not say."""
    trad, simp = script_counts(text)
    return (trad > simp) - (simp > trad)


#: the general punctuation Chinese text uses (not hyphens or low quotes): what a guessed
#: character from that block may be
_GUESSABLE_PUNCTUATION = frozenset("–—‘’“”…•‧")


def _plausible_guess(ch: str) -> bool:
    return len(ch) == 1 and (
        is_han(ch) or "\u3000" <= ch <= "\u303f" or ch in _GUESSABLE_PUNCTUATION or "\uff01" <= ch <= "\uff5e"
    )


@lru_cache(maxsize=4096)
def _best_char(pairs: tuple[bytes, ...], codec: str, before: str, after: str, script: int = 0) -> str | None:
    """The most plausible character among the decodes of ``pairs`` between two neighbours."""
    best = _cheapest(_pair_options(pairs, codec), before, after, script)
    return best[1] if best else None


@lru_cache(maxsize=1024)
def _pair_options(pairs: tuple[bytes, ...], codec: str) -> _Options:
    decoded = []
    for pair in pairs:
        try:
            decoded.append(pair.decode(codec))
        except UnicodeDecodeError:
            continue
    return _options(decoded)


_SENTENCE_END = frozenset("。！？")
_STOPS = frozenset("。！？，、；：")
_OPENERS = frozenset("“‘《（「『【")
_CLOSERS = frozenset("”’》）」』】")


def _context_cost(before: str, ch: str, after: str) -> float:
    """A little punctuation sense for guessed characters: no ``。。``; a quote after a full
    stop at the end of a line closes rather than opens."""
    cost = 0.0
    if before in _SENTENCE_END and (ch in _SENTENCE_END or ch in "，、；："):
        cost += 3.0
    elif ch in _STOPS and (before in _STOPS or before in _OPENERS or before in ",.;:!?("):
        # a stop or comma straight after another or an opening bracket (``：。``,
        # ``(，``, NFKC-folded or not) is rare; after ``”`` or ``%`` it is ordinary
        cost += 3.0
    if ch in _OPENERS and (not after or after.isascii()):
        cost += 2.0
    if ch in _CLOSERS and before not in _SENTENCE_END and not (before and is_han(before)):
        cost += 1.0
    if not after and ch in "，、；：（《【「）》】」–":
        cost += 2.0  # a line does not end mid-sentence, nor (usually) on a bracket
    if before.isdigit() and before.isascii() and ch in _UNITS:
        cost -= 2.0  # 4月11日, 3.5万元
    return cost


_UNITS = frozenset("年月日号时点分秒万亿元角岁个名位家次倍天周")


@lru_cache(maxsize=4)
def _nfkc_expansions(codec: str) -> dict[str, str]:
    """Characters of a double-byte ``codec`` that NFKC turns into several characters
    (``⒀`` -> ``(13)``, ``ⅲ`` -> ``iii``, ``㈡`` -> ``(二)``), keyed by what NFKC made."""
    return cached_value("nfkc-expansions", (codec, unicodedata.unidata_version), lambda: _find_expansions(codec))


def _find_expansions(codec: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for lead in range(0x81, 0xFF):
        for trail in _TRAILS:
            try:
                ch = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            folded = unicodedata.normalize("NFKC", ch)
            if len(ch) == 1 and len(folded) > 1:
                out.setdefault(folded, ch)
    return out


@lru_cache(maxsize=4)
def _expansion_starts(codec: str) -> tuple[frozenset[str], int]:
    """The characters an NFKC expansion of ``codec`` can start with, and the longest one."""
    table = _nfkc_expansions(codec)
    return frozenset(key[0] for key in table), max(map(len, table), default=1)


def _unfold(body: str, codec: str) -> list[str]:
    """Split ``body`` into the characters it was before NFKC, longest expansion first.

    >>> _unfold("a(13)b", "gb18030")
    ['a', '⒀', 'b']
    """
    table = _nfkc_expansions(codec)
    starts, longest = _expansion_starts(codec)
    if not any(ch in starts for ch in body):
        return list(body)
    out: list[str] = []
    i = 0
    while i < len(body):
        if body[i] not in starts:
            out.append(body[i])
            i += 1
            continue
        for n in range(min(longest, len(body) - i), 1, -1):
            original = table.get(body[i : i + n])
            if original is not None:
                out.append(original)
                i += n
                break
        else:
            out.append(body[i])
            i += 1
    return out


def _encode_span(span: str, codec: str, fold: bool) -> list[bytes | str] | None:
    """``span`` in the bytes ``codec`` gives it; lost-byte markers stay as ``str``."""
    parts: list[bytes | str] = []
    for ch in span:
        if ch in _MARKERS:
            parts.append(ch)
            continue
        b = _encode_char(ch, codec, fold and not ch.isalnum())
        if b is None:
            return None
        parts.append(b)
    return parts


def _utf8_head(data: bytes) -> int:
    """How many continuation bytes ``data`` starts with (the tail of a cut character)."""
    n = 0
    while n < len(data) and n < 3 and 0x80 <= data[n] < 0xC0:
        n += 1
    return n


def _utf8_tail(data: bytes) -> int:
    """How many bytes at the end of ``data`` are an incomplete UTF-8 sequence."""
    for back in range(1, min(3, len(data)) + 1):
        b = data[-back]
        if b >= 0xC0:
            need = 2 if b < 0xE0 else 3 if b < 0xF0 else 4
            return back if back < need else 0
        if b < 0x80:
            return 0
    return 0


def _utf8_decode(parts: list[bytes | str], before: str = "", after: str = "", codec: str = "") -> tuple[str, int, int]:
    """Decode UTF-8 in which some bytes are lost (``None``), guessing the lost bytes of a
    character from the plausibility model when at most two are missing.

    ``before`` and ``after`` are the characters around the span, context for guesses;
    ``codec`` the one the bytes were misread with, which a guess for bytes it turned
    into U+FFFD must be consistent with. Returns (text, characters lost, characters guessed).

    >>> _utf8_decode(["统计".encode() + b"\\xe5\\xb1", "\\ufffd"])[0]
    '统计局'
    """
    segments: list[bytes] = []
    markers: list[str] = []
    buf: list[bytes] = []  # joined once per segment: ``+=`` on bytes is quadratic
    gaps = 0
    for part in parts:
        if isinstance(part, str):
            segments.append(b"".join(buf))
            markers.append(part)
            buf = []
            gaps += 1
        else:
            buf.append(part)
    segments.append(b"".join(buf))
    if not gaps:
        text = segments[0].decode("utf-8", errors="replace")
        lost = text.count("\ufffd")
        return text.replace("\ufffd", ""), lost, 0
    # decode each segment's whole characters; the cut ends meet at the gaps
    decoded: list[str] = []
    heads: list[bytes] = []
    tails: list[bytes] = []
    lost = 0
    for seg in segments:
        h = _utf8_head(seg)
        t = _utf8_tail(seg[h:])
        body = seg[h : len(seg) - t].decode("utf-8", errors="replace")
        lost += body.count("\ufffd")
        decoded.append(body.replace("\ufffd", ""))
        heads.append(seg[:h])
        tails.append(seg[len(seg) - t :] if t else b"")
    lost += len(heads[0] and "x") + len(tails[-1] and "x")  # cut at the span's edges
    out = [before, decoded[0]]
    guessed = 0
    script = _script_of("".join(decoded))
    i = 0
    while i < gaps:
        # a run of markers with nothing between them hides an unknown number of bytes
        run = 1
        while i + run < gaps and not segments[i + run]:
            run += 1
        left, right = tails[i], heads[i + run]
        prev = next((piece[-1] for piece in reversed(out) if piece), "")
        if codec and _split_gap(markers, segments, i, left):
            # the first and the last byte of one character lost, its middle byte kept
            # (``！`` EF BC 81 read as Shift-JIS: U+FFFD, ``ｼ``, U+FFFD)
            following = next((piece[0] for piece in [*decoded[i + 2 :], after] if piece), "")
            ch = _fill_split(segments[i + 1], segments[i + 2][:4], codec, prev, following, script)
            if ch:
                out += [ch, decoded[i + 2]]
                guessed += 1
                i += 2
                continue
        following = next((piece[0] for piece in [*decoded[i + run :], after] if piece), "")
        # a U+FFFD from a decoder stands for one byte, so a run of them can be filled
        # exactly; a run of ? (one per unencodable character) cannot
        exact = run if all(m == "\ufffd" for m in markers[i : i + run]) else 0
        # the bytes after the gap, which the decoder read on from (see _misread_there)
        misread, follow = (codec, segments[i + run][:4]) if exact else ("", b"")
        ch = _fill_gap(left, right, prev, following, script, exact, misread, follow) if run == 1 or exact else None
        if ch:
            out.append(ch)
            guessed += 1
        elif run > 1:
            lost += run  # an estimate: a marker stands for one or two bytes
        elif left or right:
            lost += 1
        out.append(decoded[i + run])
        i += run
    return "".join(out)[len(before) :], lost, guessed


def _split_gap(markers: list[str], segments: list[bytes], i: int, left: bytes) -> bool:
    """Gap ``i`` and the next are single U+FFFD around one lone continuation byte, with no
    cut character before: the lead and last byte of one 3-byte character lost."""
    return (
        not left
        and i + 1 < len(markers)
        and markers[i] == markers[i + 1] == "\ufffd"
        and len(segments[i + 1]) == 1
        and 0x80 <= segments[i + 1][0] < 0xC0
        and (i + 2 == len(markers) or bool(segments[i + 2]))
    )


@lru_cache(maxsize=1024)
def _fill_split(middle: bytes, follow: bytes, codec: str, before: str, after: str, script: int) -> str | None:
    """The character whose UTF-8 is a lost lead, ``middle`` and a lost last byte, of those
    ``codec`` could have turned the lost bytes of into U+FFFD (see :func:`_misread_there`).

    >>> _fill_split(b"\\xbc", b"", "cp932", "度", "", -1)
    '！'
    """
    chars = []
    for lead in _UTF8_LEADS3:
        for last in _CONTINUATIONS:
            if _misread_there(bytes([lead]), middle + bytes([last]), codec) and _misread_there(
                bytes([last]), follow, codec
            ):
                chars.append((bytes([lead]) + middle + bytes([last])).decode("utf-8", errors="replace"))
    best = _cheapest(_options(chars), before, after, script)
    return best[1] if best and best[0] < 4.5 else None


@lru_cache(maxsize=4096)
def _fill_gap(
    left: bytes,
    right: bytes,
    before: str,
    after: str,
    script: int = 0,
    exact: int = 0,
    codec: str = "",
    follow: bytes = b"",
) -> str | None:
    """The character whose UTF-8 is ``left`` + lost bytes + ``right``, if one reads well.

    With ``codec`` and ``follow`` (the bytes after the gap), only characters whose lost
    bytes ``codec`` could not have read are options: UTF-8 ``将`` read as Shift-JIS
    leaves ``蟆`` and U+FFFD for its last byte 0x86, and ``就`` (last byte 0xB1, which
    Shift-JIS reads as ``ｱ``) cannot have left that.
    """
    if left:
        need = 2 if left[0] < 0xE0 else 3 if left[0] < 0xF0 else 4
        missing = need - len(left) - len(right)
    elif right:
        missing = 3 - len(right) - 1
    else:
        return None
    if missing < 0 or missing > 2 or (not left and missing > 1):
        return None
    if exact and exact != missing + (0 if left else 1):
        return None  # the lost bytes were not all one character's
    options = _gap_options(left, right, missing)
    best = None
    if codec:
        # only characters whose lost bytes ``codec`` could not have read
        cut, keep = len(left), len(right)

        def allowed(ch: str) -> bool:
            data = ch.encode("utf-8")
            return _misread_there(data[cut : len(data) - keep], follow, codec)

        best = _cheapest(options, before, after, script, allowed)
    if best is None or best[0] >= 4.5:
        # no character the decoder could have failed on reads well: the U+FFFD may not
        # be the decoder's (a later step replaced a character), so any character will do
        best = _cheapest(options, before, after, script)
    # a guess must be a common character or a strong fit with its neighbours
    return best[1] if best and best[0] < 4.5 else None


@lru_cache(maxsize=1024)
def _gap_options(left: bytes, right: bytes, missing: int) -> _Options:
    """Every character whose UTF-8 is ``left`` + ``missing`` bytes + ``right`` (any lead
    byte of Chinese text when ``left`` is empty)."""
    options: list[bytes] = []
    prefixes = [left] if left else [bytes([x]) for x in _UTF8_LEADS3]
    for prefix in prefixes:
        if missing == 0:
            options.append(prefix + right)
        elif missing == 1:
            options += [prefix + bytes([c]) + right for c in _CONTINUATIONS]
        else:
            options += [prefix + bytes([c, d]) + right for c in _CONTINUATIONS for d in _CONTINUATIONS]
    decoded = []
    for opt in options:
        try:
            decoded.append(opt.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    return _options(decoded)


def _misread_there(lost: bytes, follow: bytes, codec: str) -> bool:
    """Could ``codec`` have turned each byte of ``lost``, followed by ``follow``, into one
    U+FFFD? Not when a byte reads as a character alone or with the next byte.

    >>> _misread_there(b"\\x86", b"\\xe7\\xbb", "cp932"), _misread_there(b"\\xb1", b"\\xe7\\xbb", "cp932")
    (True, False)
    """
    for j in range(len(lost)):
        tail = (lost[j + 1 :] + follow)[:4]
        if (lost[j : j + 1] + tail).decode(codec, errors="replace") != "\ufffd" + tail.decode(codec, errors="replace"):
            return False
    return True


def _utf8_misread(text: str, start: int, end: int, codec: str, fold: bool) -> tuple[str, int, int] | None:
    """``text[start:end]`` as UTF-8 that was read with ``codec``: (text, lost, guessed)."""
    span = text[start:end]
    if not fold and not _SPECIAL_ENCODING.search(span):
        # no lost-byte marker and no character with a special byte: the codec's own
        # encoder (C speed) gives the same bytes as encoding character by character
        try:
            data = span.encode(codec)
        except UnicodeEncodeError:
            return None
        if data.isascii():
            return None
        decoded = data.decode("utf-8", errors="replace")
        if "\ufffd" not in decoded or not _alternates(codec).keys() & set(span):
            return decoded.replace("\ufffd", ""), decoded.count("\ufffd"), 0
    parts = _encode_span(span, codec, fold)
    if parts is None:
        return None
    if all(isinstance(p, str) or p.isascii() for p in parts):
        return None
    before, after = text[start - 1 : start], text[end : end + 1]
    alternates = _alternates(codec)
    for k, ch in enumerate(span):
        # a character the codec reads from several byte pairs (cp932's NEC and IBM
        # duplicates: ``√`` is 81E3 and 8795) encodes to one: try the others where
        # that one leaves bytes that are not UTF-8 (``燕`` E7 87 95 reads as ``鍋√``)
        if ch in alternates and not isinstance(parts[k], str):
            lost = {}
            for option in (parts[k], *alternates[ch]):
                parts[k] = option
                lost[option] = _utf8_decode(parts, before, after, codec)[1]
            parts[k] = min(lost, key=lost.__getitem__)
    return _utf8_decode(parts, before, after, codec)


@lru_cache(maxsize=8)
def _alternates(codec: str) -> dict[str, tuple[bytes, ...]]:
    """The characters ``codec`` decodes from more than one byte pair, with the pairs its
    encoder does not give them.

    >>> _alternates("cp932")["√"]
    (b'\\x87\\x95',)
    """
    if codec in ("cp1252", "gb18030"):
        return {}
    return cached_value("codec-alternates", (codec,), lambda: _find_alternates(codec))


def _find_alternates(codec: str) -> dict[str, tuple[bytes, ...]]:
    found: dict[str, list[bytes]] = {}
    for lead in range(0x81, 0x100):
        for trail in range(0x40, 0x100):
            pair = bytes([lead, trail])
            try:
                ch = pair.decode(codec)
            except UnicodeDecodeError:
                continue
            if len(ch) == 1 and _encode_char(ch, codec, False) != pair:
                found.setdefault(ch, []).append(pair)
    return {ch: tuple(pairs) for ch, pairs in found.items()}


def _shifted(text: str, start: int, end: int, codec: str, drop_noise: bool) -> _Candidate | None:
    """Undo double-byte text read one byte out of step: ``text[start:end]`` begins just after
    the lost byte (shown as ? when the damage left one) and ends at the single-byte
    character that brought the decoder back in step (ASCII, ``€``, or ? for an unreadable
    pair)."""
    span = text[start:end]
    marked = span[:1] in _MARKERS
    body = span[1:] if marked else span
    if not body:
        return None
    last = body[-1]
    trailing_marker = last in _MARKERS
    if not (trailing_marker or last.isascii() or last == "€"):
        return None
    if len(body) == 1 and not (marked and trailing_marker is False and _short_shift_ok(text, start, end)):
        return None
    if not marked and _number_inside(body[:-1], codec):
        # a digit in an ASCII run is a number of clean text (``3.5乜?2%``), not a folded
        # fullwidth one, unless a ? marks the damage or NFKC made the run (``⒐`` -> ``9.``)
        return None
    chars = _unfold(body[:-1], codec)
    data = bytearray()
    for ch in chars:
        if drop_noise and "\ue000" <= ch <= "\uf8ff":
            continue
        b = _encode_char(ch, codec, fold=ch.isascii())
        if b is None or len(b) != 2:
            return None
        data += b
    if not trailing_marker:
        tail = _encode_char(last, codec, fold=False)
        if tail is None:
            return None
        data += tail
    if not data:
        return None
    rest = bytes(data[1:])
    lead = b""
    if trailing_marker:
        if len(rest) % 2 == 0:
            return None
        lead, rest = rest[-1:], rest[:-1]
    elif len(rest) % 2:
        return None
    try:
        middle = rest.decode(codec)
    except UnicodeDecodeError:
        return None
    if any(ch < "\x80" for ch in middle):
        # a single byte inside would have brought the decoder back in step there: the
        # span would have ended at it
        return None
    if not marked and len(middle) < 1 + 2 * trailing_marker:
        # nothing marks a lost byte here: the reading must rest on decoded characters
        # more than on guessed ones (``甯傚?`` in UTF-8 read as GBK is not ``体競錶``)
        return None
    script = _script_of(text)
    if not marked and len(body) == 2 and char_cost(body[0]) < UNKNOWN_HAN_COST:
        # one character and a lone trail byte (``謩e`` for ``分別``) say little: the
        # character must be one no news text uses (``蕊e`` in clean text stays)
        return None
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    first = _best_char(_lead_pairs(data[0]), codec, before, middle[:1] or after, script)
    if first is None:
        return None
    if not marked and (
        (len(middle) < 3 and pair_bonus(before, first) + pair_bonus(first, middle[:1]) < 1.0)
        or any(char_cost(ch) >= SUSPECT_COST for ch in middle)
        or (han_cost(middle) or 0.0) > MAX_UNMARKED_HAN_COST
        or _mixes_script(middle, script)
    ):
        # with no ? to say a byte was lost here, what the bytes read as must be ordinary
        # text in the script of the line, and in a short span the guessed character must
        # make a word with a neighbour (``謩e`` is ``分別``; ``玥X`` is not ``高琪``,
        # nor ``槑X`` ``构鷺``)
        return None
    tail_char = ""
    if trailing_marker:
        guess = _best_char(_trail_pairs(lead[0]), codec, (first + middle)[-1:], after, script)
        if guess is None:
            return None
        tail_char = guess
    if len(body) == 1:
        # one guessed character from one byte: only when it makes a word with a neighbour,
        # or is a common character after a lowercase trail byte (``A股`` after ``吗?`` stays)
        words = pair_bonus(before, first) + pair_bonus(first, after)
        common = body.islower() and char_cost(first) < 3.2
        # 。，、 before a quote or the line end (not before Han: 吗?A股 must stay)
        stop = first in "。，、" and is_han(before or "a") and not (after and is_han(after))
        if words < 1.0 and not common and not stop:
            return None
    eaten = ""
    if trailing_marker:
        if _EATEN_HASH.match(text, end):
            eaten = "#"
        elif _EATEN_LT.match(text, end):
            eaten = "<"
    name = f"{'gbk' if codec == 'gb18030' else 'big5'} read out of step after a lost byte"
    bond = pair_bonus(before, first) + pair_bonus(first, (middle + tail_char)[:1] or after)
    if tail_char:
        bond += pair_bonus((first + middle)[-1], tail_char) + pair_bonus(tail_char, after)
    return _Candidate(
        start, end, first + middle + tail_char + eaten, name, 0, guessed=1 + trailing_marker, eaten=eaten, bond=bond
    )


@lru_cache(maxsize=256)
def _lead_pairs(trail: int) -> tuple[bytes, ...]:
    """Every double-byte sequence ending in ``trail``."""
    return tuple(bytes([x, trail]) for x in _LEADS)


@lru_cache(maxsize=256)
def _trail_pairs(lead: int) -> tuple[bytes, ...]:
    """Every double-byte sequence starting with ``lead``."""
    return tuple(bytes([lead, y]) for y in _TRAILS)


def _odd_resync(text: str, end: int) -> bool:
    """``text[end - 1]`` is a lone ASCII trail byte (``@``-``~``, or the ``€`` of a lone
    0x80) standing before Chinese text: where a decoder out of step came back in step."""
    ch = text[end - 1]
    if not ("@" <= ch <= "~" or ch == "€"):
        return False
    if end - 2 >= 0 and "a" <= text[end - 2].lower() <= "z":
        return False  # part of a Latin word
    nxt = text[end : end + 1]
    return not nxt or is_han(nxt) or "\u3000" <= nxt <= "\u303f" or "\uff01" <= nxt <= "\uff5e" or nxt in ",.;:!?“”‘’"


def _short_shift_ok(text: str, start: int, end: int) -> bool:
    """``?q`` between Chinese characters: a lead byte lost, its trail byte read as ASCII."""
    return start > 0 and is_han(text[start - 1]) and _odd_resync(text, end)


def _score(text: str, cand: _Candidate) -> _Candidate | None:
    """Fill in the gain of a candidate, or None when it does not clearly beat the original."""
    before = text[cand.start : cand.end]
    after = cand.after[: len(cand.after) - len(cand.eaten)] if cand.eaten else cand.after
    if not after:
        return None
    if cand.lost + cand.guessed > max(2, MAX_UNCERTAIN_SHARE * len(after)):
        return None  # mostly guesswork: a plausible-looking wrong text is worse than a flag
    han = han_cost(after)
    if han is not None and han > MAX_REPAIRED_HAN_COST:
        return None
    if han is None and not any("\u3000" <= ch <= "\u303f" or ch in "“”" for ch in after):
        return None
    # a lost-byte marker in Chinese text, and the ASCII byte that brought a decoder back
    # in step, are damage, not neutral ASCII
    costs = [MARKER_COST if ch in _MARKERS else char_cost(ch) for ch in before]
    if cand.method.endswith("lost byte") and _odd_resync(text, cand.end):
        costs[-1] = MARKER_COST
    old = sum(costs) / len(before)
    new = mean_cost(after)
    if new > old - MIN_GAIN_PER_CHAR:
        return None
    # improvement per character times the damage covered: a wider span that is really
    # damaged gains more, and a shorter reading of the same span gains nothing for it
    # Latin letters a reversal creates (rather than keeps) are a sign of a wrong codec
    created = max(0, _letters(after) - _letters(before))
    cand.gain = (old - new) * len(before) - LOST_PENALTY * cand.lost - 4.0 * created
    return cand if cand.gain > 0 else None


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isascii() and ch.isalpha())


def _clusters(text: str) -> list[tuple[int, int]]:
    """Spans of suspect characters (merged when close) and noise."""
    spans: list[tuple[int, int]] = []
    for m in _suspect_pattern().finditer(text):
        spans.append((m.start(), m.end()))
    for m in _NOISE.finditer(text):
        spans.append((m.start(), m.end()))
    for m in _SHIFT_SIGNAL.finditer(text):
        spans.append((m.start(), m.end()))
    for m in _lone_trail_pattern().finditer(text):
        spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + REACH and b - merged[-1][0] <= MAX_CLUSTER:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _latin1_candidates(text: str) -> list[_Candidate]:
    """Whole runs of latin-1-encodable text that decode as GBK or Big5."""
    out: list[_Candidate] = []
    for m in _LATIN1_RUN.finditer(text):
        run = m.group()
        if sum(1 for ch in run if ch >= "\x80") < 2:
            continue
        data = b"".join(ch.encode("latin-1") if ch <= "\xff" else ch.encode("cp1252") for ch in run)
        for name, codec in LATIN1_MISREADS:
            try:
                fixed = data.decode(codec)
            except UnicodeDecodeError:
                continue
            cand = _score(text, _Candidate(m.start(), m.end(), fixed, name, 0))
            if cand:
                out.append(cand)
    return out


def _candidates(text: str, a: int, b: int) -> list[_Candidate]:
    out: list[_Candidate] = []
    lo, hi = max(0, a - REACH), min(len(text), b + REACH)
    has_ascii = any("!" <= ch <= "~" for ch in text[lo:hi])
    for name, codec in UTF8_MISREADS:
        for fold in (False, True) if has_ascii else (False,):
            # the cluster itself must read as UTF-8 with this codec before spans are tried
            got = _utf8_misread(text, a, b, codec, fold)
            if got is None or (got[1] > 0 and not got[0]):
                continue
            # every span holds the cluster: if the cluster alone is mostly lost bytes, no
            # span can pass _score's limit on guesswork (the edges change a few at most)
            if got[1] + got[2] - 3 > max(2, MAX_UNCERTAIN_SHARE * (len(got[0]) + 2 * REACH)):
                continue
            for s in range(lo, a + 1):
                for e in range(b, hi + 1):
                    got = _utf8_misread(text, s, e, codec, fold)
                    if got is None:
                        continue
                    fixed, lost, guessed = got
                    cand = _score(text, _Candidate(s, e, fixed, name, lost, guessed=guessed, codec=codec, fold=fold))
                    if cand:
                        out.append(cand)
    # out-of-step spans start at a lost-byte marker (or anywhere near the cluster) and end
    # at the single-byte character that resynchronised the decoder
    # a lead byte lost without a trace (no ?) leaves no marker: the span then starts at
    # the cluster or a little before it (its first characters can look ordinary)
    marked = sorted(i for i in range(max(0, a - 12), b) if text[i] in _MARKERS)[:MAX_SHIFT_STARTS]
    starts = sorted({*marked, *range(max(0, a - UNMARKED_REACH), a + 1)})
    ends = [i + 1 for i in range(a, min(len(text), b + 40)) if text[i].isascii() or text[i] == "€"]
    # evidence of damage per character: suspect characters, and decoder noise (twice)
    costs = [_evidence(ch) for ch in text[: min(len(text), b + 40)]]
    # bounded: a decoder out of step comes back in step at the first single-byte
    # character or so, and a cluster full of ? (``?`` soup) must not cost starts x ends
    for s in starts:
        for e in [e for e in ends if e > s][:MAX_SHIFT_ENDS]:
            # cheap evidence first: suspect characters, a lone ASCII character that brought
            # the decoder back in step in the middle of Chinese, or an eaten byte; a span
            # between two lost-byte markers needs one suspect character
            if text[s] not in _MARKERS and _MARKERS.intersection(text[s : e - 1]):
                continue  # a marker inside: the lost byte is there, not before s
            evidence = sum(costs[s:e])
            # a span between two markers, with two characters or more and no other marker
            # between them, and something suspect there (``?壬险恰?`` for ``比上涨。``)
            bracketed = (
                evidence > 0
                and text[s] in _MARKERS
                and text[e - 1] in _MARKERS
                and e - s > 3
                and not _MARKERS.intersection(text[s + 1 : e - 1])
            )
            if (
                text[s] not in _MARKERS
                and text[e - 1] in _MARKERS
                and (e == len(text) or text[e].isalnum() and text[e].isascii())
            ):
                # a ? before a digit or at the line end ends a span no ? starts: a lone
                # trail byte just as well as a question mark (between two ?, see above)
                evidence += 1
            strong = (
                evidence >= 2
                or ((evidence or text[s] in _MARKERS) and _odd_resync(text, e))
                or (text[e - 1] in _MARKERS and bool(_EATEN_HASH.match(text, e) or _EATEN_LT.match(text, e)))
            )
            if not strong and not bracketed:
                continue
            # a private-use character inside the span is a real byte pair (GBK's
            # user-defined rows decode to it, and text read out of step meets them
            # often); one just before the single byte that resynchronised the decoder
            # (not a ?, which is what the decoder wrote for it) may instead be what a
            # decoder wrote for that byte (the seed's ``扒穫\ue2d0€錢``): dropped only
            # there, or when the bytes read as nothing
            noise_at_resync = e - 2 > s and "\ue000" <= text[e - 2] <= "\uf8ff" and text[e - 1] not in _MARKERS
            for _, codec in SHIFTABLE:
                found = False
                for drop_noise in (False, True):
                    if drop_noise and (found and not noise_at_resync or not _has_pua(text, s, e)):
                        break  # dropping noise changes nothing, or is not needed
                    cand = _shifted(text, s, e, codec, drop_noise)
                    scored = _score(text, cand) if cand else None
                    if scored and not strong and any(char_cost(ch) >= SUSPECT_COST for ch in scored.after):
                        scored = None  # on weak evidence, only a reading of ordinary text
                    if scored:
                        # a confirmed eaten byte is evidence the short span was damage
                        scored.gain += 6.0 * bool(cand.eaten) + cand.bond
                        out.append(scored)
                        found = True
    return out


# a run of ASCII characters with a digit in it
_ASCII_RUN_DIGIT = re.compile(r"[\x00-\x7f]*[0-9][\x00-\x7f]*")


def _number_inside(body: str, codec: str) -> bool:
    """True when ``body`` holds a digit in a run of ASCII characters that is not one
    character's NFKC expansion: a number of clean text, not a folded fullwidth digit.

    >>> _number_inside("和3.5乜", "gb18030"), _number_inside("翱9.ぃ", "gb18030"), _number_inside("杲3衷", "gb18030")
    (True, False, False)
    """
    expansions = _nfkc_expansions(codec)
    return any(len(m.group()) > 1 and m.group() not in expansions for m in _ASCII_RUN_DIGIT.finditer(body))


def _mixes_script(text: str, script: int) -> bool:
    """True when ``text`` holds a character only the other script uses than ``script``
    (1 Traditional, -1 Simplified): ``臟`` read out of Simplified text is a wrong reading.

    >>> _mixes_script("炎症臟", -1), _mixes_script("炎症臟", 1), _mixes_script("分別", 0)
    (True, False, False)
    """
    for ch in text:
        trad, simp = _char_script(ch)
        if (trad and script < 0) or (simp and script > 0):
            return True
    return False


@lru_cache(maxsize=65536)
def _evidence(ch: str) -> int:
    """How much ``ch`` says the text around it is damaged: 2 for decoder noise (private
    use, U+FFFD, C1 controls), 1 for a suspect character, 0 for ordinary text."""
    cost = char_cost(ch)
    return 2 if cost >= NOISE_COST else int(cost >= SUSPECT_COST)


def _has_pua(text: str, start: int, end: int) -> bool:
    return any("\ue000" <= ch <= "\uf8ff" for ch in text[start:end])


def _repair_cjk(result: LineRepair) -> None:
    text = result.text
    cands_by_cluster = [(a, b, _candidates(text, a, b)) for a, b in _clusters(text)]
    latin = _latin1_candidates(text) if _LATIN1_HINT.search(text) else []
    # a latin-1 run repair covers its clusters
    plan: list[tuple[int, int, list[_Candidate]]] = []
    for a, b, cands in cands_by_cluster:
        cover = [c for c in latin if c.start <= a and b <= c.end]
        plan.append((a, b, cands + cover))
    pieces: list[str] = []
    pos = 0
    changed = False
    for a, b, all_cands in plan:
        if b <= pos:
            continue
        cands = [c for c in all_cands if c.start >= pos]
        if a < pos:  # the previous repair ended inside this cluster: look at the rest
            a = pos
            cands += [c for c in _candidates(text, a, b) if c.start >= pos]
        if not cands:
            window = text[a:b]
            # rare characters alone are not damage (classical Chinese, kanji, names): only
            # decoder noise and the unmistakable marks of mojibake are flagged
            if _NOISE.search(window) or _MOJIBAKE_MARK.search(window):
                result.damaged.append(window)
            continue
        best = _extend(text, max(cands, key=lambda c: (c.gain, -c.lost, -(c.end - c.start))))
        pieces.append(text[pos : best.start])
        lost = best.lost + (1 if best.guessed > 1 and not best.eaten and "out of step" in best.method else 0)
        confidence = round(max(0.5, min(0.99, 0.55 + 0.1 * best.gain / max(1, best.end - best.start))), 2)
        if best.guessed:
            confidence = min(confidence, 0.8)
        rule = "lossy-mojibake" if lost else "cjk-mojibake"
        after = best.after
        pos = best.end
        tag = STRAY_TAG.match("<" + text[pos:]) if best.eaten == "<" else None
        if tag:
            # the restored ``<`` completes a tag: markup in plain text, removed whole
            after = after[:-1]
            pos += len(tag.group()) - 1
        pieces.append(after)
        method = best.method + (f"; {best.guessed} lost character(s) guessed" if best.guessed else "")
        result.fixes.append(
            Fix(best.start, best.end, text[best.start : best.end], after, method, confidence, lost, rule)
        )
        if tag:
            result.fixes.append(
                Fix(best.end, pos, tag.group(), "", "markup left after the repair", 0.9, 0, "stray-tag")
            )
        changed = True
    if not changed:
        return
    pieces.append(text[pos:])
    result.text = "".join(pieces)


_LATIN1_HINT = re.compile("[\u00a1-\u00ff]{2}")
_LATIN1_CHAR = re.compile("[\u0080-\u00ff]")
