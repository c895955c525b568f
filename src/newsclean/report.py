"""Report: the counts of a run, derived from the documents' events and nothing else.

>>> from newsclean.document import Document, Event
>>> r = Report()
>>> doc = Document.from_text("a.txt", "正文")
>>> doc.record(Event("dedup", "exact-duplicate", "drop", 3, "same as line 1"))
>>> r.add(doc, kept=True)
>>> r.to_dict()["documents"], r.to_dict()["rules"]
({'in': 1, 'kept': 1, 'dropped': 0, 'errors': 0}, {'dedup/exact-duplicate': 1})
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from newsclean import __version__
from newsclean.document import Document

#: error entries listed in the report; the rest are only counted (all are in the rejects)
MAX_LISTED_ERRORS = 1000


class Report:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.docs = Counter[str]()
        self.bytes_in = 0
        self.bytes_out = 0
        self.stages: dict[str, Counter[str]] = {}
        self.rules = Counter[str]()
        self.errors: list[dict[str, str]] = []

    def add(self, doc: Document, kept: bool, out_bytes: int = 0) -> None:
        self.docs["in"] += 1
        self.bytes_in += int(doc.meta.get("bytes", 0))
        self.bytes_out += out_bytes
        if doc.error:
            self.docs["errors"] += 1
            if len(self.errors) < MAX_LISTED_ERRORS:
                self.errors.append({"source": doc.source, "reason": doc.error})
        elif kept:
            self.docs["kept"] += 1
        else:
            self.docs["dropped"] += 1
        for event in doc.events:
            self.stages.setdefault(event.stage, Counter())[event.kind] += 1
            self.rules[f"{event.stage}/{event.rule}"] += 1

    @property
    def error_count(self) -> int:
        return self.docs["errors"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": {k: self.docs[k] for k in ("in", "kept", "dropped", "errors")},
            "bytes": {"in": self.bytes_in, "out": self.bytes_out},
            "stages": {k: dict(sorted(v.items())) for k, v in sorted(self.stages.items())},
            "rules": dict(sorted(self.rules.items())),
            "errors": self.errors,
        }

    def full(self) -> dict[str, Any]:
        """The report file: counts plus version and elapsed time."""
        seconds = time.perf_counter() - self.started
        return {"newsclean": __version__, **self.to_dict(), "seconds": round(seconds, 3)}

    def summary(self) -> str:
        d = self.docs
        line = f"newsclean: {d['in']} documents in, {d['kept']} kept, {d['dropped']} dropped, {d['errors']} errors"
        parts = [f"{stage} {sum(c.values())}" for stage, c in sorted(self.stages.items())]
        if parts:
            line += "; events: " + ", ".join(parts)
        return line
