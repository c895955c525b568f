"""normalize: odd spaces, invisible characters and control characters, Chinese-safe.

Fullwidth CJK punctuation (，！（）“”) and the ideographic space are content and stay;
Unicode normalisation forms are not applied because NFC/NFKC rewrite CJK compatibility
ideographs and fullwidth forms. Each fix is a small named function; a paragraph that
changes gets one ``change`` event naming the fixes applied.

>>> fix_odd_spaces("360\\u00a0数科")
'360 数科'
>>> remove_invisible("新\\u200b闻")
'新闻'
>>> fix_odd_spaces("全角\\u3000空格")
'全角\\u3000空格'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from newsclean.document import Document, Event
from newsclean.stages.base import Stage

# NBSP, the en/em spaces, thin and hair spaces, narrow NBSP, medium math space: rendered as
# a plain space, but they break matching and tokenisers. U+3000 is not here: in Chinese
# text it is a deliberate fullwidth space.
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f]")
# Zero-width space, word joiner, BOM inside text, soft hyphen, LRM/RLM and bidi embeddings:
# invisible, and they split words for search and dedup. ZWJ/ZWNJ stay: emoji sequences
# and some scripts need them.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# C0/C1 controls other than tab; lone surrogates (from JSON escapes) cannot be written as UTF-8.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACE_RUN = re.compile(r"[ \t]{2,}")


def fix_odd_spaces(text: str) -> str:
    """Replace NBSP and typographic spaces with a plain space."""
    return _ODD_SPACES.sub(" ", text)


def remove_invisible(text: str) -> str:
    """Remove zero-width and bidi-control characters."""
    return _INVISIBLE.sub("", text)


def remove_control(text: str) -> str:
    """Remove control characters and lone surrogates.

    >>> remove_control("标题\\x07正文")
    '标题正文'
    """
    return _CONTROL.sub("", text)


def collapse_spaces(text: str) -> str:
    """Collapse runs of spaces and tabs to one space and trim the ends.

    >>> collapse_spaces("记者  张三\\t\\t报道 ")
    '记者 张三 报道'
    """
    return _SPACE_RUN.sub(" ", text).strip()


FIXES: tuple[Callable[[str], str], ...] = (fix_odd_spaces, remove_invisible, remove_control, collapse_spaces)

# anything one of the FIXES would change (but the trimming, checked apart): one search
# instead of four substitutions on the (usual) paragraph with nothing to fix
# (one character class first, then a look at the neighbour for spaces and tabs: re tries
# an alternation branch by branch at every position, several times slower)
_ANY_FIX = re.compile(
    "[" + "".join(p.pattern[1:-1] for p in (_ODD_SPACES, _INVISIBLE, _CONTROL)) + " \t](?:(?<=[ \t])[ \t]|(?<![ \t]))"
)


#: a line after the first that starts with whitespace, or a line that ends with it (the
#: trimming; one class first, as for _ANY_FIX)
_EDGE_SPACE = re.compile(r"\s(?:(?<=\n)[^\S\n]|(?<!\n)(?=\n|\Z))")


class Normalize(Stage):
    name = "normalize"
    description = "odd spaces, zero-width and control characters; CJK punctuation and widths untouched"

    def process(self, doc: Document) -> Document | None:
        # one scan of the whole document for the usual one with nothing to fix
        # (newlines join the paragraphs: no fix matches one, and none can span one)
        whole = "\n".join(p.text for p in doc.paragraphs)
        if _ANY_FIX.search(whole) is None and _EDGE_SPACE.search(whole) is None and not whole[:1].isspace():
            return doc
        kept = []
        for para in doc.paragraphs:
            text = para.text
            if _ANY_FIX.search(text) is None and text == text.strip():
                kept.append(para)
                continue
            applied = []
            for fix in FIXES:
                fixed = fix(text)
                if fixed != text:
                    applied.append(fix.__name__)
                    text = fixed
            if applied:
                if text:
                    doc.record(
                        Event(
                            self.name,
                            applied[0].replace("_", "-"),
                            "change",
                            para.line,
                            "applied " + ", ".join(applied),
                            before=para.text,
                            after=text,
                        )
                    )
                    para.text = text
                else:
                    doc.record(
                        Event(
                            self.name,
                            "invisible-only",
                            "drop",
                            para.line,
                            "line held only invisible or control characters",
                            before=para.text,
                        )
                    )
                    continue
            kept.append(para)
        doc.paragraphs = kept
        return doc
