"""furniture: learned boilerplate, lines that repeat across many documents of one site.

A corpus stage in two passes. ``observe`` counts, per group (``doc.group``: the folder, or
the domain of a ``url`` field), in how many documents each normalised short line occurs,
in a bounded table per group; ``process`` drops the lines that occur in at least
``FURNITURE_MIN_SHARE`` of the group's documents (and at least ``FURNITURE_MIN_COUNT``), in
groups of at least ``FURNITURE_MIN_DOCS`` documents. The learned lines are written to
``config.profile_out`` (JSON, readable); with ``config.profile`` a saved profile is loaded
and nothing is learned, so runs are repeatable.

>>> from newsclean.config import Config
>>> from newsclean.document import Document
>>> stage = Furniture(Config())
>>> docs = [Document.from_text(f"{i}.txt", f"第{i}篇报道的正文，内容各不相同。\\n本网站所有内容仅供参考", group="site") for i in range(6)]
>>> for d in docs:
...     stage.observe(d)
>>> [stage.process(d).clean_text for d in docs][0]
'第0篇报道的正文，内容各不相同。'
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsclean.document import Document, Event
from newsclean.stages.base import Stage

#: a group needs this many documents before anything is learned from it
FURNITURE_MIN_DOCS = 5
#: a line is furniture when it occurs in at least this share of the group's documents ...
FURNITURE_MIN_SHARE = 0.5
#: ... and in at least this many of them
FURNITURE_MIN_COUNT = 3
#: longer lines are article text (repeated paragraphs are dedup's business)
FURNITURE_MAX_CHARS = 200
#: distinct lines tracked per group; when full, lines seen once are forgotten (lossy
#: counting: a line that is real furniture keeps coming back and is counted again)
MAX_TRACKED_LINES = 20_000
#: whole-document hashes kept to count exact copies once (about 60 MB at the limit)
MAX_SEEN_DOCUMENTS = 1_000_000
#: sample texts kept per group for the profile
MAX_PROFILE_LINES = 500

RULE = "site-furniture"


def line_key(text: str) -> str:
    """The normalised form lines are counted by: spacing does not matter. Digits do:
    template sentences that differ only in numbers ("新增确诊病例12例") are news.

    >>> line_key("本站 所有内容  仅供参考") == line_key("本站所有内容仅供参考")
    True
    """
    return "".join(text.split())  # str.split() splits on exactly the characters \s matches


def line_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(line_key(text).encode("utf-8"), digest_size=8).digest(), "big")


#: doc.meta key of the paragraphs' line hashes, from observing to processing
HASHES_META = "furniture_hashes"


def _line_hashes(doc: Document) -> list[int]:
    """:func:`line_hash` of each paragraph short enough to be furniture, 0 for the others."""
    return [line_hash(p.text) if len(p.text) <= FURNITURE_MAX_CHARS else 0 for p in doc.paragraphs]


@dataclass
class GroupCounts:
    """Per-group document count and bounded line counts (hash -> [count, sample text])."""

    documents: int = 0
    lines: dict[int, list[Any]] = field(default_factory=dict)

    def add(self, hashes: dict[int, str]) -> None:
        self.documents += 1
        for h, text in hashes.items():
            entry = self.lines.get(h)
            if entry is not None:
                entry[0] += 1
                continue
            if len(self.lines) >= MAX_TRACKED_LINES:
                self.lines = {k: v for k, v in self.lines.items() if v[0] > 1}
                if len(self.lines) >= MAX_TRACKED_LINES:
                    continue
            self.lines[h] = [1, text]

    def furniture(self) -> dict[int, tuple[int, str]]:
        if self.documents < FURNITURE_MIN_DOCS:
            return {}
        need = max(FURNITURE_MIN_COUNT, math.ceil(FURNITURE_MIN_SHARE * self.documents))
        return {h: (c, t) for h, (c, t) in self.lines.items() if c >= need}


class Furniture(Stage):
    name = "furniture"
    description = "drop lines that repeat across most documents of the same site (learned, or from --profile)"
    corpus = True
    needs_observe = True

    def __init__(self, config) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config)
        self.groups: dict[str, GroupCounts] = {}
        self.seen_documents: set[int] = set()
        #: group -> its furniture lines (hash -> (count, text)), decided per group on its
        #: first document processed: every document of the group has been observed by then
        self.learned: dict[str, dict[int, tuple[int, str]]] = {}
        self.loaded = config.profile is not None
        # a loaded profile is used as is: no first pass over the corpus (and no spool)
        self.needs_observe = not self.loaded
        if self.loaded:
            self.learned = load_profile(config.profile)

    def observation(self, doc: Document) -> tuple[str, int, dict[int, str]] | None:
        """The document's group, a hash of its text and its short lines by hash; the line
        hashes are kept in ``doc.meta`` for :meth:`process`."""
        if self.loaded:
            return None
        hashes = _line_hashes(doc)
        doc.meta[HASHES_META] = (len(doc.paragraphs), hashes)
        short = {h: p.text for h, p in zip(hashes, doc.paragraphs, strict=True) if h}
        return doc.group, line_hash(doc.clean_text), short

    def absorb(self, summary: tuple[str, int, dict[int, str]] | None) -> None:
        if summary is None:
            return
        group, digest, short = summary
        # Copies of one document (the same article saved twice, or in two encodings) would
        # make every one of its lines look like site furniture: count each text once.
        # Bounded: past MAX_SEEN_DOCUMENTS, copies are no longer recognised.
        if digest in self.seen_documents:
            return
        if len(self.seen_documents) < MAX_SEEN_DOCUMENTS:
            self.seen_documents.add(digest)
        self.groups.setdefault(group, GroupCounts()).add(short)

    def furniture_of(self, group: str) -> dict[int, tuple[int, str]]:
        """The furniture lines of a group (decided once; its line counts are freed then)."""
        found = self.learned.get(group)
        if found is None:
            found = {}
            counts = self.groups.get(group)
            if counts is not None and not self.loaded:
                found = counts.furniture()
                counts.lines = {}
            self.learned[group] = found
        return found

    def process(self, doc: Document) -> Document | None:
        stored = doc.meta.pop(HASHES_META, None)
        furniture = self.furniture_of(doc.group)
        if not furniture:
            return doc
        kept = []
        total = self.groups[doc.group].documents if doc.group in self.groups else None
        hashes = stored[1] if stored and stored[0] == len(doc.paragraphs) else _line_hashes(doc)
        for para, h in zip(doc.paragraphs, hashes, strict=True):
            hit = furniture.get(h) if h else None
            if hit is None:
                kept.append(para)
                continue
            seen = f"{hit[0]} of {total}" if total else f"{hit[0]}"
            doc.record(
                Event(
                    self.name,
                    RULE,
                    "drop",
                    para.line,
                    f"line repeats in {seen} documents of {doc.group or 'this source'}: site furniture",
                    before=para.text,
                )
            )
        doc.paragraphs = kept
        return doc

    def finish(self) -> None:
        if self.config.profile_out and not self.loaded:
            learned = {g: f for g in self.groups if (f := self.furniture_of(g))}
            write_profile(self.config.profile_out, learned, self.groups)


def write_profile(path: str, learned: dict[str, dict[int, tuple[int, str]]], groups: dict[str, GroupCounts]) -> None:
    """Write the learned furniture as JSON: per group, its document count and lines."""
    data = {
        "newsclean_profile": 1,
        "min_docs": FURNITURE_MIN_DOCS,
        "min_share": FURNITURE_MIN_SHARE,
        "groups": {
            g: {
                "documents": groups[g].documents if g in groups else None,
                "furniture": [{"line": t, "count": c} for c, t in sorted(lines.values(), key=lambda x: (-x[0], x[1]))][
                    :MAX_PROFILE_LINES
                ],
            }
            for g, lines in sorted(learned.items())
        },
    }
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def load_profile(path: str) -> dict[str, dict[int, tuple[int, str]]]:
    """Read a profile written by :func:`write_profile` (or by hand: only ``line`` is needed)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        out: dict[str, dict[int, tuple[int, str]]] = {}
        for group, entry in data["groups"].items():
            out[group] = {line_hash(x["line"]): (int(x.get("count", 0)), x["line"]) for x in entry["furniture"]}
        return out
    except (OSError, ValueError, KeyError, TypeError) as exc:
        from newsclean.config import ConfigError

        raise ConfigError(f"cannot read furniture profile {path}: {exc}") from exc
