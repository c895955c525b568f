"""dedup: repeated paragraphs within a document; the first copy is kept.

>>> from newsclean.config import Config
>>> from newsclean.document import Document
>>> doc = Dedup(Config()).process(Document.from_text("a.txt", "标题\\n正文一。\\n标题\\n正文一。"))
>>> doc.clean_text
'标题\\n正文一。'
>>> doc.events[0].kept
'a.txt:1'
"""

from __future__ import annotations

from newsclean.document import Document, Event
from newsclean.stages.base import Stage


class Dedup(Stage):
    name = "dedup"
    description = "exact repeated paragraphs within a document (first copy kept)"

    def process(self, doc: Document) -> Document | None:
        seen: dict[str, int] = {}
        kept = []
        for para in doc.paragraphs:
            first = seen.get(para.text)
            if first is None:
                seen[para.text] = para.line
                kept.append(para)
            else:
                doc.record(
                    Event(
                        self.name,
                        "exact-duplicate",
                        "drop",
                        para.line,
                        f"same paragraph as line {first}",
                        before=para.text,
                        score=100.0,
                        kept=f"{doc.source}:{first}",
                    )
                )
        doc.paragraphs = kept
        return doc
