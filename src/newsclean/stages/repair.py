"""repair: fix mojibake (placeholder until the CJK repair lands; passes text through)."""

from __future__ import annotations

from newsclean.document import Document
from newsclean.stages.base import Stage


class Repair(Stage):
    name = "repair"
    description = "fix mojibake: Latin-family damage with ftfy, CJK damage with a plausibility model"

    def process(self, doc: Document) -> Document | None:
        return doc
