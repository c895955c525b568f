"""filter: drop spam and boilerplate lines (placeholder until the rule pack lands)."""

from __future__ import annotations

from newsclean.document import Document
from newsclean.stages.base import Stage


class Filter(Stage):
    name = "filter"
    description = "drop SEO spam and site boilerplate, fix converter and CMS artefacts in place"

    def process(self, doc: Document) -> Document | None:
        return doc
