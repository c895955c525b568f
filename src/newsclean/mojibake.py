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
  byte (``?``) until a single-byte character brought the decoder back in step; lost bytes
  (``?``, U+FFFD) inside any of these; and fullwidth punctuation NFKC-folded to ASCII
  after the damage.

>>> repair_line("鏂伴椈鎶ラ亾").text
'新闻报道'
>>> repair_line("新闻报道").fixes
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import ftfy

from newsclean.plausibility import char_cost, han_cost, is_han

#: characters under this cost are ordinary Chinese; a cluster of dearer ones is suspect
SUSPECT_COST = 5.0
#: a repair must lower the mean character cost of its span by at least this much
MIN_GAIN_PER_CHAR = 1.0
#: the repaired span's Han characters must read at least this plausibly (mean cost)
MAX_REPAIRED_HAN_COST = 4.6
#: penalty (in cost units) for each character a candidate loses; more than any real
#: character costs, so spans are never widened over clean text
LOST_PENALTY = 10.0
#: how far (characters) a candidate span may reach beyond its suspect cluster
REACH = 3

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
_SHIFT_SIGNAL = re.compile(r"[?\ufffd][!-/:-@\[-`{-~]")
_MARKERS = frozenset("?\ufffd")
# What a byte eaten by the decoder together with a lost byte most likely was, from the
# text that follows: the ``<`` of a tag, the ``#`` of a ``#p#...#e#`` CMS page marker.
_EATEN_LT = re.compile(r"/?[A-Za-z][A-Za-z0-9]{0,9}(?:\s[^<>]{0,200})?>")
_EATEN_HASH = re.compile(r"p#[^#]{1,30}#e#")
#: a whole stray tag left in plain text after the ``<`` was restored
STRAY_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]{0,9}\s*/?>")


@lru_cache(maxsize=1)
def _suspect_pattern() -> re.Pattern[str]:
    """Two suspect characters close together (a single rare character is usually a name)."""
    from newsclean.plausibility import _table

    ordinary = {ord(ch) for ch, cost in _table().items() if cost < SUSPECT_COST and len(ch) == 1}
    ordinary.update(range(0x00, 0x80))
    ordinary.update(range(0x3000, 0x3040))  # CJK punctuation
    ordinary.update(range(0x3040, 0x3100))  # kana: Japanese text must pass
    ordinary.update(range(0xFF01, 0xFF5F))  # fullwidth ASCII
    ordinary.update((0xB7, 0xD7, 0xF7, 0xB0, 0x2014, 0x2013, 0x2026, 0x2018, 0x2019, 0x201C, 0x201D))
    ordinary.update(range(0x2460, 0x2474))  # circled numbers
    ranges: list[str] = []
    cps = sorted(ordinary)
    start = prev = cps[0]
    for cp in cps[1:] + [-1]:
        if cp == prev + 1:
            prev = cp
            continue
        ranges.append(_class_char(start) if start == prev else f"{_class_char(start)}-{_class_char(prev)}")
        start = prev = cp
    suspect = "[^" + "".join(ranges) + "]"
    # ? and U+FFFD count as suspect only next to a suspect character
    return re.compile(f"{suspect}[^\\n]{{0,{REACH}}}{suspect}|[?\ufffd]{suspect}|{suspect}[?\ufffd]")


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


def has_signal(text: str) -> bool:
    """Cheap test: could ``text`` hold mojibake at all? (a compiled-regex scan)

    >>> has_signal("国务院总理李强主持召开国务院常务会议。")
    False
    >>> has_signal("鏂伴椈")
    True
    """
    if text.isascii():
        return False
    return bool(
        _suspect_pattern().search(text)
        or _NOISE.search(text)
        or _SHIFT_SIGNAL.search(text)
        or _LATIN_SIGNAL.search(text)
    )


def repair_line(text: str) -> LineRepair:
    """Repair the mojibake in one line; clean text comes back unchanged.

    >>> r = repair_line("发展?!蓖跖畈┱f。")
    >>> r.text, r.fixes[0].method
    ('发展。”王蓬博說。', 'gbk read out of step after a lost byte')
    """
    result = LineRepair(text)
    if not has_signal(text):
        return result
    if _LATIN_SIGNAL.search(text):
        _repair_latin(result)
    _repair_cjk(result)
    return result


def _repair_latin(result: LineRepair) -> None:
    text = result.text
    steps: list[str] = []
    for _ in range(3):  # double (and triple) UTF-8 needs a pass per layer
        fixed = ftfy.fix_and_explain(text, config=FTFY_CONFIG)
        if fixed.text == text:
            break
        steps += [f"{a} {b}" for a, b in fixed.explanation or []]
        text = fixed.text
    if text == result.text or mean_cost(text) > mean_cost(result.text):
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


def _encode_char(ch: str, codec: str, fold: bool) -> bytes | None:
    if fold:
        ch = _fullwidth(ch)
    if ch == "€" and codec in ("gb18030", "cp950", "cp932"):
        return b"\x80"  # Windows decoders map a lone 0x80 to the euro sign
    try:
        return ch.encode(codec)
    except UnicodeEncodeError:
        return None


#: (name, codec the bytes were wrongly read with, codec they really are)
UTF8_MISREADS = (
    ("utf-8 read as gbk", "gb18030", "utf-8"),
    ("utf-8 read as big5", "cp950", "utf-8"),
    ("utf-8 read as shift-jis", "cp932", "utf-8"),
    ("gbk read as latin-1", "cp1252", "gb18030"),
    ("big5 read as latin-1", "cp1252", "cp950"),
)
#: double-byte codecs whose text may be read out of step
SHIFTABLE = (("gbk", "gb18030"), ("big5", "cp950"))
_GBK_TRAILS = bytes([*range(0x40, 0x7F), *range(0x80, 0xFF)])
_LEADS = bytes(range(0x81, 0xFF))


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    after: str
    method: str
    lost: int
    gain: float
    guessed: int = 0
    eaten: str = ""


def _misread(span: str, wrong: str, right: str, fold: bool) -> tuple[str, int] | None:
    """Re-encode ``span`` with ``wrong`` and decode with ``right``: (text, characters lost)."""
    parts: list[bytes] = []
    for ch in span:
        if ch in _MARKERS:
            parts.append(b"\xff")  # a lost byte: force a break in the decode
            continue
        if wrong == "cp1252" and "\x80" <= ch <= "\xff":
            parts.append(ch.encode("latin-1"))
            continue
        b = _encode_char(ch, wrong, fold and not ch.isalnum())
        if b is None:
            return None
        parts.append(b)
    data = b"".join(parts)
    if right == "utf-8" and data.isascii():
        return None
    text = data.decode(right, errors="replace")
    lost = text.count("\ufffd")
    return text.replace("\ufffd", ""), lost


def _best_char(pairs: list[bytes], codec: str, before: str, after: str) -> str | None:
    """The most plausible character among the decodes of ``pairs`` between two neighbours."""
    best: tuple[float, str] | None = None
    for pair in pairs:
        try:
            ch = pair.decode(codec)
        except UnicodeDecodeError:
            continue
        if len(ch) != 1 or not (is_han(ch) or "\u3000" <= ch <= "\u303f" or "\u2010" <= ch <= "\u2027"):
            continue
        cost = char_cost(ch) + _context_cost(before, ch, after)
        if best is None or cost < best[0]:
            best = (cost, ch)
    return best[1] if best else None


_SENTENCE_END = frozenset("。！？")
_OPENERS = frozenset("“‘《（「『【")
_CLOSERS = frozenset("”’》）」』】")


def _context_cost(before: str, ch: str, after: str) -> float:
    """A little punctuation sense for guessed characters: no ``。。``; a quote after a full
    stop at the end of a line closes rather than opens."""
    cost = 0.0
    if before in _SENTENCE_END and (ch in _SENTENCE_END or ch in "，、；："):
        cost += 3.0
    if ch in _OPENERS and (not after or after.isascii()):
        cost += 2.0
    if ch in _CLOSERS and before not in _SENTENCE_END and not is_han(before):
        cost += 1.0
    return cost


def _shifted(text: str, start: int, end: int, codec: str, drop_noise: bool) -> _Candidate | None:
    """Undo double-byte text read one byte out of step: ``text[start:end]`` begins just after
    the lost byte (shown as ? when the damage left one) and ends at the single-byte
    character that brought the decoder back in step (ASCII, ``€``, or ? for an unreadable
    pair)."""
    span = text[start:end]
    body = span[1:] if span[:1] in _MARKERS else span
    if len(body) < 2:
        return None
    last = body[-1]
    trailing_marker = last in _MARKERS
    if not (trailing_marker or last.isascii() or last == "€"):
        return None
    data = bytearray()
    for ch in body[:-1]:
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
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    first = _best_char([bytes([x, data[0]]) for x in _LEADS], codec, before, data[1:3].decode(codec, "ignore")[:1])
    if first is None:
        return None
    rest = bytes(data[1:])
    tail_char = ""
    if trailing_marker:
        if len(rest) % 2 == 0:
            return None
        lead = rest[-1:]
        rest = rest[:-1]
        prev = (first + rest.decode(codec, "ignore"))[-1:]
        guess = _best_char([lead + bytes([y]) for y in _GBK_TRAILS], codec, prev, after)
        if guess is None:
            return None
        tail_char = guess
    try:
        middle = rest.decode(codec)
    except UnicodeDecodeError:
        return None
    repaired = first + middle + tail_char
    eaten = ""
    if trailing_marker:
        if _EATEN_HASH.match(text, end):
            eaten = "#"
        elif _EATEN_LT.match(text, end):
            eaten = "<"
    name = f"{'gbk' if codec == 'gb18030' else 'big5'} read out of step after a lost byte"
    return _Candidate(start, end, repaired + eaten, name, 0, 0.0, guessed=1 + trailing_marker, eaten=eaten)


def _score(text: str, cand: _Candidate) -> _Candidate | None:
    """Fill in the gain of a candidate, or None when it does not clearly beat the original."""
    before = text[cand.start : cand.end]
    after = cand.after[: len(cand.after) - len(cand.eaten)] if cand.eaten else cand.after
    if not after:
        return None
    new = mean_cost(after)
    old = mean_cost(before)
    han = han_cost(after)
    if han is not None and han > MAX_REPAIRED_HAN_COST:
        return None
    if han is None and not any("\u3000" <= ch <= "\u303f" or ch in "“”" for ch in after):
        return None
    if new > old - MIN_GAIN_PER_CHAR:
        return None
    cand.gain = sum(map(char_cost, before)) - sum(map(char_cost, after)) - LOST_PENALTY * cand.lost
    return cand if cand.gain > 0 else None


def _clusters(text: str) -> list[tuple[int, int]]:
    """Spans of suspect characters (merged when close) and noise."""
    spans: list[tuple[int, int]] = []
    for m in _suspect_pattern().finditer(text):
        spans.append((m.start(), m.end()))
    for m in _NOISE.finditer(text):
        spans.append((m.start(), m.end()))
    for m in _SHIFT_SIGNAL.finditer(text):
        spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + REACH:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _candidates(text: str, a: int, b: int) -> list[_Candidate]:
    out: list[_Candidate] = []
    lo, hi = max(0, a - REACH), min(len(text), b + REACH)
    for s in range(lo, a + 1):
        for e in range(b, hi + 1):
            span = text[s:e]
            if span.isascii():
                continue
            for name, wrong, right in UTF8_MISREADS:
                for fold in (False, True):
                    got = _misread(span, wrong, right, fold)
                    if got is None:
                        continue
                    fixed, lost = got
                    cand = _score(text, _Candidate(s, e, fixed, name, lost, 0.0))
                    if cand:
                        out.append(cand)
                    if not any("!" <= ch <= "~" for ch in span):
                        break  # folding changes nothing
    # out-of-step spans start at a lost-byte marker (or anywhere near the cluster) and end
    # at the single-byte character that resynchronised the decoder
    starts = {i for i in range(lo, b) if text[i] in _MARKERS} or set(range(lo, a + 1))
    ends = [i + 1 for i in range(a, min(len(text), b + 40)) if text[i].isascii() or text[i] == "€"]
    ends.append(min(len(text), b + 40))
    for s in sorted(starts):
        for e in ends:
            if e - s < 2:
                continue
            for _, codec in SHIFTABLE:
                for drop_noise in (True, False):
                    cand = _shifted(text, s, e, codec, drop_noise)
                    if cand is None:
                        continue
                    corroborated = bool(cand.eaten)
                    suspects = sum(1 for ch in text[s:e] if char_cost(ch) >= SUSPECT_COST)
                    if suspects < 2 and not corroborated:
                        continue
                    scored = _score(text, cand)
                    if scored:
                        # a confirmed eaten byte is evidence the short span was damage
                        scored.gain += 6.0 * corroborated
                        out.append(scored)
    return out


def _repair_cjk(result: LineRepair) -> None:
    text = result.text
    pieces: list[str] = []
    pos = 0
    changed = False
    for a, b in _clusters(text):
        if a < pos:
            continue
        cands = [c for c in _candidates(text, a, b) if c.start >= pos]
        if not cands:
            window = text[a:b]
            if _NOISE.search(window) or (len(window) >= 3 and mean_cost(window) >= 6.0):
                result.damaged.append(window)
            continue
        best = max(cands, key=lambda c: (c.gain, -c.lost, -(c.end - c.start)))
        pieces.append(text[pos : best.start])
        lost = best.lost + (1 if best.guessed > 1 and not best.eaten else 0)
        confidence = round(max(0.5, min(0.99, 0.55 + 0.1 * best.gain / max(1, best.end - best.start))), 2)
        if best.guessed:
            confidence = min(confidence, 0.8)
        rule = "lossy-mojibake" if lost else "cjk-mojibake"
        pieces.append(best.after)
        result.fixes.append(Fix(best.start, best.end, text[best.start : best.end], best.after, best.method, confidence, lost, rule))
        pos = best.end
        changed = True
    if not changed:
        return
    pieces.append(text[pos:])
    result.text = "".join(pieces)
