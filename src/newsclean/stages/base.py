"""The shape of a stage.

A stage is a small object built from the :class:`~newsclean.config.Config`; ``process``
takes a document and returns it (changed in place, every change recorded as an
:class:`~newsclean.document.Event`) or ``None`` to drop it. Per-document stages are pure
functions of the document and the read-only config, so they run in worker processes.

Corpus stages (``corpus = True``) see every document in input order in the main process.
When ``needs_observe`` is true, the pipeline first has every document observed (a map side
that builds a mergeable summary), then ``process(doc)`` decides using it. Observing is split
so the costly part runs beside the per-document stages: ``observation(doc)`` (in the worker
process) returns a small picklable summary of one document, ``absorb(summary)`` (in the main
process) adds it up; ``observe(doc)`` does both.
"""

from __future__ import annotations

from typing import Any, ClassVar

from newsclean.config import Config
from newsclean.document import Document


class Stage:
    name: ClassVar[str] = ""
    #: one line for `newsclean stages`
    description: ClassVar[str] = ""
    corpus: ClassVar[bool] = False
    #: may be set per instance (a stage with nothing to learn spares the pipeline its spool)
    needs_observe: bool = False

    def __init__(self, config: Config) -> None:
        self.config = config

    def process(self, doc: Document) -> Document | None:
        raise NotImplementedError

    def prepare(self, docs: list[Document]) -> None:
        """Per-document stages: work for a whole batch before ``process`` sees each of its
        documents (e.g. one call into a C library instead of one per document). Optional:
        ``process`` must give the same result whether or not it ran."""

    def observe(self, doc: Document) -> None:
        """Corpus stages: see a document before any is processed (only if needs_observe)."""
        self.absorb(self.observation(doc))

    def observation(self, doc: Document) -> Any:
        """What :meth:`absorb` needs of one document (runs where the document was processed)."""
        return None

    def absorb(self, summary: Any) -> None:
        """Add one document's :meth:`observation` to what the stage has learned."""

    def finish(self) -> None:
        """Called once after the last document (write profiles, close indexes)."""
