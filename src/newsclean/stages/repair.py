"""repair: undo mojibake, line by line, recording every repair with its method.

Latin-family damage (UTF-8 read as cp1252) goes to ftfy; CJK damage (UTF-8 read as GBK,
Big5 or Shift-JIS, GBK read as latin-1, double-byte text read out of step, lost bytes,
NFKC after the damage) is reversed where a plausibility model of Chinese says the
reversal reads far better than the damage (see :mod:`newsclean.mojibake`). Damage no
reversal explains is flagged, or the line dropped with ``drop_damaged``.

>>> from newsclean.config import Config
>>> doc = Repair(Config()).process(Document.from_text("a.txt", "鏂伴椈鎶ラ亾\\n新闻报道"))
>>> [p.text for p in doc.paragraphs], [e.rule for e in doc.events]
(['新闻报道', '新闻报道'], ['cjk-mojibake'])
"""

from __future__ import annotations

from newsclean.document import Document, Event
from newsclean.mojibake import any_signal, has_signal, repair_line, signal_lines
from newsclean.stages.base import Stage

#: how much of a damaged span the audit trail quotes
EXCERPT_CHARS = 80


class Repair(Stage):
    name = "repair"
    description = "fix mojibake: Latin-family damage with ftfy, CJK damage with a plausibility model"

    def process(self, doc: Document) -> Document | None:
        whole = "\n".join(p.text for p in doc.paragraphs)
        if not any_signal(whole):
            return doc  # the usual document: one scan says no line holds a signal
        # the lines that hold a character a signal starts from: the others need no look
        suspects = signal_lines(whole)
        kept = []
        for i, para in enumerate(doc.paragraphs):
            # the fast path: one compiled-regex scan says there is nothing to look at
            if i not in suspects or not has_signal(para.text):
                kept.append(para)
                continue
            result = repair_line(para.text)
            for fix in result.fixes:
                if fix.rule == "stray-tag":
                    reason = f"removed stray markup {fix.before!r} completed by the repair"
                else:
                    lost = f"; {fix.lost} character(s) lost" if fix.lost else "; nothing lost"
                    reason = f"{fix.method} (confidence {fix.confidence}){lost}"
                doc.record(
                    Event(
                        self.name,
                        fix.rule,
                        "change",
                        para.line,
                        reason,
                        before=fix.before,
                        after=fix.after,
                        score=fix.confidence,
                    )
                )
            para.text = result.text
            if result.damaged:
                excerpt = " | ".join(result.damaged)[:EXCERPT_CHARS]
                if self.config.drop_damaged:
                    doc.record(
                        Event(
                            self.name,
                            "unrepairable-mojibake",
                            "drop",
                            para.line,
                            f"damaged text no reversal explains: {excerpt}",
                            before=para.text,
                        )
                    )
                    continue
                doc.record(
                    Event(
                        self.name,
                        "unrepairable-mojibake",
                        "flag",
                        para.line,
                        f"damaged text no reversal explains: {excerpt}",
                        before=excerpt,
                    )
                )
            if para.text:
                kept.append(para)
        doc.paragraphs = kept
        return doc
