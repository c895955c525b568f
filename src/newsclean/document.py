"""The two shapes everything takes: a :class:`Document` flowing through stages, and the
:class:`Event` a stage records for every change it makes.

The rejects file, the report and ``check``'s findings are all derived from events; there
is no second bookkeeping path.

>>> doc = Document.from_text("a.txt", "第一段\\n\\n  第二段")
>>> [(p.line, p.text) for p in doc.paragraphs]
[(1, '第一段'), (3, '第二段')]
"""

from __future__ import annotations

import re
from array import array
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# Only real line breaks: str.splitlines() also splits on \x1c, \x85, U+2028 ..., which
# would make line numbers disagree with editors and `path:line` findings.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

EventKind = Literal["drop", "change", "flag", "error"]


@dataclass(slots=True)
class Event:
    """One thing a stage did (or noticed) to one line or to the whole document.

    ``line`` is the 1-based line in the original input (``None`` for the document as a
    whole); ``kept`` names the copy that was kept when a duplicate was dropped.
    """

    stage: str
    rule: str
    kind: EventKind
    line: int | None
    reason: str
    before: str | None = None
    after: str | None = None
    score: float | None = None
    kept: str | None = None
    col: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(slots=True)
class Paragraph:
    """A paragraph of text and the line of the input it came from."""

    text: str
    line: int


@dataclass
class Document:
    """A document on its way through the pipeline.

    ``raw`` holds the input bytes until ``decode`` turns them into ``paragraphs``;
    ``fields`` are the other fields of a JSONL record, written back unchanged;
    ``meta`` collects what stages learn (encoding, confidence, script, author, ...).
    ``dropped`` is set (with a reason event) when a stage removes the whole document;
    ``error`` is set when the input could not be read at all.
    """

    source: str
    raw: bytes | None = None
    text: str | None = None
    kind: str = "text"  # "text" or "html": how extract should split it
    paragraphs: list[Paragraph] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    group: str = ""  # the "site" a document belongs to, for per-source learning
    dropped: bool = False
    error: str | None = None

    @classmethod
    def from_text(cls, source: str, text: str, **kwargs: Any) -> Document:
        """A document whose text is already decoded and split into paragraphs."""
        doc = cls(source=source, text=text, **kwargs)
        doc.paragraphs = split_paragraphs(text)
        return doc

    def record(self, event: Event) -> None:
        self.events.append(event)

    def drop(self, stage: str, rule: str, reason: str, **kwargs: Any) -> None:
        """Drop the whole document, recording why."""
        self.dropped = True
        self.events.append(Event(stage, rule, "drop", None, reason, **kwargs))

    @property
    def clean_text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled flat (documents cross from worker processes to the main one): the
        paragraphs as one string and an array of line numbers, the events as tuples,
        instead of thousands of small objects each pickled with its class.

        >>> import pickle
        >>> doc = Document.from_text("a.txt", "第一段\\n\\n第二段")
        >>> doc.record(Event("filter", "nav-links", "drop", 2, "navigation", before="返回顶部"))
        >>> pickle.loads(pickle.dumps(doc)) == doc
        True
        """
        texts = [p.text for p in self.paragraphs]
        joined = "\n".join(texts)
        if joined.count("\n") != max(len(texts) - 1, 0):
            joined = None  # a paragraph holding a newline: kept as a list
        paragraphs = (joined, array("q", [p.line for p in self.paragraphs]).tobytes()) if joined is not None else texts
        events = [
            (e.stage, e.rule, e.kind, e.line, e.reason, e.before, e.after, e.score, e.kept, e.col) for e in self.events
        ]
        state = (self.source, self.raw, self.text, self.kind, self.fields, self.meta, self.group, self.dropped)
        return _rebuild_document, (
            state,
            self.error,
            paragraphs,
            [p.line for p in self.paragraphs] if joined is None else None,
            events,
        )


def _rebuild_document(
    state: tuple, error: str | None, paragraphs: Any, lines: list[int] | None, events: list
) -> Document:
    source, raw, text, kind, fields, meta, group, dropped = state
    doc = Document(source, raw, text, kind, [], fields, meta, [Event(*e) for e in events], group, dropped, error)
    if lines is None:
        joined, packed = paragraphs
        numbers = array("q")
        numbers.frombytes(packed)
        doc.paragraphs = [Paragraph(t, n) for t, n in zip(joined.split("\n") if numbers else [], numbers, strict=True)]
    else:
        doc.paragraphs = [Paragraph(t, n) for t, n in zip(paragraphs, lines, strict=True)]
    return doc


def split_paragraphs(text: str, first_line: int = 1) -> list[Paragraph]:
    """Split text into non-blank lines, stripped of indentation, keeping line numbers.

    Surrounding whitespace (including the ideographic space U+3000 used for indenting
    Chinese paragraphs) is layout, not content, so trimming it is not recorded as a change.

    >>> [(p.line, p.text) for p in split_paragraphs("\\u3000\\u3000标题\\r\\n\\r\\n正文。 ")]
    [(1, '标题'), (3, '正文。')]
    """
    out: list[Paragraph] = []
    for i, line in enumerate(_LINE_BREAK.split(text), start=first_line):
        stripped = line.strip()
        if stripped:
            out.append(Paragraph(stripped, i))
    return out
