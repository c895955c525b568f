"""dedup: repeated paragraphs and repeated blocks within a document; the first copy is kept.

Two paragraphs are copies when their comparison keys (:mod:`newsclean.matchkey`: width,
Traditional/Simplified, case, punctuation and whitespace folded) are equal, or, for keys of
at least ``dedup_min_chars`` characters, when their rapidfuzz ratio reaches
``dedup_threshold``; either way their numbers must be the same.

A run of two or more consecutive paragraphs repeating an earlier run (the doubled article)
is a *repeated block*: every removed line gets its own ``repeated-block`` event (so each
removed line stays traceable by its line number, with the line of its kept copy), and the
block's first event names the whole range and the range it repeats.

>>> from newsclean.config import Config
>>> from newsclean.document import Document
>>> text = "标题\\n正文一，讲述了一件事情的经过。\\n正文二。\\n标题\\n正文一,讲述了一件事情的经过\\n正文二。"
>>> doc = Dedup(Config()).process(Document.from_text("a.txt", text))
>>> doc.clean_text
'标题\\n正文一，讲述了一件事情的经过。\\n正文二。'
>>> doc.events[0].rule, doc.events[0].reason, doc.events[1].kept
('repeated-block', 'lines 4-6 (3 paragraphs) repeat lines 1-3', 'a.txt:2')
"""

from __future__ import annotations

import bisect
from itertools import chain

from newsclean.config import Config
from newsclean.document import Document, Event, Paragraph
from newsclean.matchkey import SKETCH_META, keys_and_numbers, pack_sketches, similarity, sketch_hashes
from newsclean.stages.base import Stage

#: a block is at least this many consecutive repeated paragraphs
MIN_BLOCK = 2
#: earlier copies tried as the start of a block (the first and the most recent ones):
#: bounds the work on documents with thousands of identical lines
BLOCK_STARTS = 4
#: candidates verified per paragraph with rapidfuzz (each band gives at most a few)
MAX_CANDIDATES = 32

METHOD_KEY = "equal after folding width, script, case, punctuation and whitespace"

#: a document's keys, number signatures and sketches (empty for short keys), per paragraph
Prepared = tuple[list[str], list[str], list[list[int]]]


class Matcher:
    """Which paragraphs of one document are copies of which: equal keys share a group;
    near-equal groups are verified pairs of group representatives."""

    def __init__(self, paragraphs: list[Paragraph], config: Config, prepared: Prepared | None = None) -> None:
        texts = [p.text for p in paragraphs]
        if prepared is not None:
            self.keys, self.numbers, sketched = prepared
        else:
            self.keys, self.numbers = keys_and_numbers(texts)
            sketched = None
        self.group: list[int] = []
        self.members: dict[int, list[int]] = {}  # group -> its paragraphs, in order
        first: dict[tuple[str, str], int] = {}
        for i, pair in enumerate(zip(self.keys, self.numbers, strict=True)):
            # an empty key (a line of punctuation) only matches its exact text
            ident = pair if pair[0] else ("\x00" + texts[i], "")
            g = first.setdefault(ident, i)
            self.group.append(g)
            self.members.setdefault(g, []).append(i)
        self.near: dict[tuple[int, int], float] = {}
        self.near_earlier: dict[int, list[int]] = {}  # group -> earlier groups it nearly copies
        #: LSH band hashes + whole-key hash of the long group representatives (every
        #: paragraph dedup can keep), computed once here for crossdedup too
        self.hashes: dict[int, list[int]] = {}
        self._find_near(config, sketched)

    def _find_near(self, config: Config, sketched: list[list[int]] | None) -> None:
        reps = [i for i, g in enumerate(self.group) if g == i and len(self.keys[i]) >= config.dedup_min_chars]
        if not reps:
            return
        if sketched is not None:
            sketches = [sketched[i] for i in reps]
        else:
            sketches = sketch_hashes([self.keys[i] for i in reps], [self.numbers[i] for i in reps], 0)
        self.hashes = dict(zip(reps, sketches, strict=True))
        if len(reps) < 2:
            return
        seen: dict[int, list[int]] = {}
        for i, hashes in zip(reps, sketches, strict=True):
            bands = hashes[:-1]  # the last is the whole-key hash: equal keys are grouped already
            # earlier paragraphs sharing a band, in band order, each once (dict keeps order)
            candidates = list(dict.fromkeys(chain.from_iterable([seen[b] for b in bands if b in seen])))
            for band in bands:
                seen.setdefault(band, []).append(i)
            for j in candidates[:MAX_CANDIDATES]:
                if self.numbers[i] != self.numbers[j]:
                    continue
                score = similarity(self.keys[j], self.keys[i], config.dedup_threshold)
                if score:
                    self.near[(j, i)] = score
                    self.near_earlier.setdefault(i, []).append(j)

    def score(self, earlier: int, later: int) -> float:
        """Similarity (100 for equal keys) of two paragraphs, 0.0 if they are not copies."""
        a, b = self.group[earlier], self.group[later]
        if a == b:
            return 100.0
        return self.near.get((a, b), 0.0)

    def earlier_copies(self, i: int) -> list[int]:
        """Earlier paragraphs that ``i`` copies (the first and the latest few of each
        group), to try as the start of a block.

        >>> m = Matcher([Paragraph(t, n) for n, t in enumerate("甲乙甲乙甲", 1)], Config())
        >>> m.earlier_copies(4), m.earlier_copies(1)
        ([0, 2], [])
        """
        g = self.group[i]
        found: set[int] = set()
        for group in [g, *self.near_earlier.get(g, ())]:
            members = self.members[group]
            before = members[: bisect.bisect_left(members, i)]
            found.update(before[:1] + before[-(BLOCK_STARTS - 1) :])
        return sorted(found)


class Dedup(Stage):
    name = "dedup"
    description = (
        "repeated paragraphs and blocks within a document: exact, near (script, punctuation, a few characters)"
    )

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        #: id(document) -> (its paragraph texts, keys, numbers, sketches) from prepare()
        self._prepared: dict[int, tuple[list[str], Prepared]] = {}

    def prepare(self, docs: list[Document]) -> None:
        """Keys, number signatures and sketches of a whole batch at once: one NFKC and
        OpenCC pass and one MinHash pass over many documents cost less than one each."""
        self._prepared.clear()
        texts = [p.text for doc in docs for p in doc.paragraphs]
        keys, numbers = keys_and_numbers(texts)
        sketches = sketch_hashes(keys, numbers, self.config.dedup_min_chars)
        at = 0
        for doc in docs:
            n = len(doc.paragraphs)
            span = slice(at, at + n)
            self._prepared[id(doc)] = (texts[span], (keys[span], numbers[span], sketches[span]))
            at += n

    def process(self, doc: Document) -> Document | None:
        paras = doc.paragraphs
        if not paras:
            return doc
        ready = self._prepared.pop(id(doc), None)
        # only if the document is the one prepared, unchanged since
        prepared = ready[1] if ready is not None and ready[0] == [p.text for p in paras] else None
        m = Matcher(paras, self.config, prepared)
        kept_copy: dict[int, int] = {}  # removed index -> index of its kept copy

        def root(j: int) -> int:
            while j in kept_copy:
                j = kept_copy[j]
            return j

        i = 0
        n = len(paras)
        while i < n:
            starts = m.earlier_copies(i)
            best_start, best_len = -1, 0
            for j in starts:
                length = 0
                # the kept run must end before the removed run begins
                while i + length < n and j + length < i and m.score(j + length, i + length):
                    length += 1
                if length > best_len:
                    best_start, best_len = j, length
            if best_len == 0:
                i += 1
                continue
            if best_len >= MIN_BLOCK:
                self._drop_block(doc, m, i, best_start, best_len, kept_copy, root)
            else:
                self._drop_one(doc, m, i, best_start, kept_copy, root)
            i += best_len
        doc.paragraphs = [p for k, p in enumerate(paras) if k not in kept_copy]
        # keys and sketches are the expensive part of matching: computed here, in a worker
        # process, crossdedup (in the main process) only looks them up
        kept = [k for k in range(len(paras)) if k not in kept_copy]
        doc.meta[SKETCH_META] = pack_sketches(
            [paras[k].line for k in kept],
            [m.keys[k] for k in kept],
            [m.numbers[k] for k in kept],
            [m.hashes.get(k, []) for k in kept],
        )
        return doc

    def _drop_one(self, doc: Document, m: Matcher, i: int, j: int, kept_copy: dict[int, int], root) -> None:
        paras = doc.paragraphs
        kept = root(j)
        score = m.score(j, i)
        if paras[i].text == paras[kept].text:
            rule, reason = "exact-duplicate", f"same paragraph as line {paras[kept].line}"
        elif score == 100.0:
            rule, reason = "near-duplicate", f"same as line {paras[kept].line} when {METHOD_KEY}"
        else:
            rule = "near-duplicate"
            reason = f"nearly the same as line {paras[kept].line} (rapidfuzz ratio {score:.1f} on the comparison key, same numbers)"
        doc.record(
            Event(
                self.name,
                rule,
                "drop",
                paras[i].line,
                reason,
                before=paras[i].text,
                score=round(score, 1),
                kept=f"{doc.source}:{paras[kept].line}",
            )
        )
        kept_copy[i] = j

    def _drop_block(
        self, doc: Document, m: Matcher, i: int, j: int, length: int, kept_copy: dict[int, int], root
    ) -> None:
        paras = doc.paragraphs
        span = f"lines {paras[i].line}-{paras[i + length - 1].line}"
        kept_span = f"lines {paras[j].line}-{paras[j + length - 1].line}"
        for t in range(length):
            kept = root(j + t)
            score = m.score(j + t, i + t)
            if t == 0:
                reason = f"{span} ({length} paragraphs) repeat {kept_span}"
            else:
                how = "same paragraph as" if paras[i + t].text == paras[kept].text else "copy of"
                reason = f"in the repeated block at {span}: {how} line {paras[kept].line}"
            doc.record(
                Event(
                    self.name,
                    "repeated-block",
                    "drop",
                    paras[i + t].line,
                    reason,
                    before=paras[i + t].text,
                    score=round(score, 1),
                    kept=f"{doc.source}:{paras[kept].line}",
                )
            )
            kept_copy[i + t] = j + t
