"""Which strings a line must contain for a rule's pattern to match it: the rule pack tries a
whole-line rule only on lines that hold one of them, found for all rules at once by one
Aho-Corasick pass (pyahocorasick) instead of trying every rule on every line.

:func:`required_literals` reads the parsed pattern (``re``'s own parser) and gives a set of
strings such that every match contains at least one of them, or ``None`` when it finds no
such set (the rule is then tried on every line). It is sound by construction: it only
ever looks at parts of the pattern every match must go through, so a rule is never
skipped on a line it matches; ``tests/test_rules.py`` also checks every rule's examples.
Strings are case-folded: lines are case-folded before the search, which keeps
case-insensitive parts (``(?i:app)``) sound.

>>> sorted(required_literals(r"(?:责任编辑|责编)[:：]\\s*\\S{2,4}"))
['责任编辑', '责编']
>>> sorted(required_literals(r"[【\\[]?\\s*(?i:APP)下载"))  # the longer of two: 'app' and '下载'
['app']
>>> required_literals(r"[一-鿿]{2,4}") is None
True
"""

from __future__ import annotations

try:
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

#: change when the reading of patterns changes: cached requirements carry it
VERSION = 5
#: a character class of more characters than this is no requirement
MAX_CLASS = 12
#: a requirement of more strings than this is not worth the automaton's memory
MAX_STRINGS = 2000

#: widths at or above this are "any length"
MAX_WIDTH = 65535

Need = frozenset[str] | None


def required_literals(pattern: str, flags: int = 0) -> Need:
    """Strings (case-folded) one of which every match of ``pattern`` contains, or None."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except Exception:  # noqa: BLE001 - an odd pattern is simply always tried
        return None
    return _best(_needs_of_sequence(list(parsed)))


def match_width(pattern: str, flags: int = 0) -> tuple[int, int]:
    """The fewest and most characters a match of ``pattern`` can span (the most capped at
    ``MAX_WIDTH``): a whole-line rule cannot match a line whose length lies outside.

    >>> match_width(r"(?:责任编辑|责编)[:：]\\s*\\S{2,4}")
    (5, 65535)
    >>> match_width(r"返回顶部|返回首页")
    (4, 4)
    """
    try:
        low, high = sre_parse.parse(pattern, flags).getwidth()
    except Exception:  # noqa: BLE001 - an odd pattern may be any length
        return 0, MAX_WIDTH
    return min(low, MAX_WIDTH), min(high, MAX_WIDTH)


def _score(need: frozenset[str]) -> tuple[float, int]:
    """The most selective requirement: the one whose commonest string is rarest (a string's
    rarity is the sum of its characters' costs, -log10 of their frequency in news text),
    then fewer strings. A lone 图 beats a lone : or /; 记者 beats 图."""
    return (min(map(_rarity, need)), -len(need))


def _rarity(text: str) -> float:
    from newsclean.plausibility import char_cost

    # ASCII punctuation and digits are on most lines of scraped news: commoner than their
    # neutral cost says
    return sum(2.0 if ch.isascii() and not ch.isalpha() else char_cost(ch) for ch in text)


def _best(needs: list[frozenset[str]]) -> Need:
    usable = [n for n in needs if n and "" not in n and len(n) <= MAX_STRINGS]
    return max(usable, key=_score) if usable else None


def _needs_of_sequence(items: list) -> list[frozenset[str]]:
    """The requirements of a sequence: each item's own, and its runs of literals joined."""
    needs: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            joined = "".join(run)
            needs.append(frozenset([joined.casefold()]))
            if op is C.BRANCH:
                # re's parser takes a common prefix out of an alternation (责任编辑|责编 is
                # 责 then 任编辑|编): the prefix and each alternative's first literals
                needs.append(frozenset((joined + _leading_literals(alt)).casefold() for alt in av[1]))
            run = []
        one = _need_of_item(op, av)
        if one is not None:
            needs.append(one)
    if run:
        needs.append(frozenset(["".join(run).casefold()]))
    return needs


def _leading_literals(items) -> str:  # type: ignore[no-untyped-def]
    out = []
    for op, av in items:
        if op is not C.LITERAL:
            break
        out.append(chr(av))
    return "".join(out)


def _need_of_item(op, av) -> Need:  # type: ignore[no-untyped-def]
    if op is C.LITERAL:
        return frozenset([chr(av).casefold()])
    if op is C.IN:
        chars = []
        for kind, value in av:
            if kind is not C.LITERAL:
                return None  # a range, a category or a negation: too wide
            chars.append(chr(value).casefold())
        return frozenset(chars) if len(chars) <= MAX_CLASS else None
    if op is C.SUBPATTERN:
        return _best(_needs_of_sequence(list(av[-1])))
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _best(_needs_of_sequence(list(av)))
    if op is C.ASSERT and av[0] == 1:
        # a lookahead sees the rest of the line: what it requires, the line holds
        return _best(_needs_of_sequence(list(av[1])))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) or op is getattr(C, "POSSESSIVE_REPEAT", None):
        low, _high, body = av
        return _best(_needs_of_sequence(list(body))) if low >= 1 else None
    if op is C.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            need = _best(_needs_of_sequence(list(alternative)))
            if need is None:
                return None  # one alternative needs nothing: neither does the branch
            union |= need
        return frozenset(union)
    return None  # AT, ANY, NOT_LITERAL, CATEGORY, ASSERT_NOT, GROUPREF ...: no requirement
