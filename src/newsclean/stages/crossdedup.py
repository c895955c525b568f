"""crossdedup: paragraphs already seen in an earlier document (or an earlier run).

A corpus stage: it runs in the main process and sees documents in input order, so an
incremental index keeps the first copy. Candidates come from MinHash-LSH bands over
character 3-grams of the comparison key (:mod:`newsclean.matchkey`) plus a hash of the
whole key; each is verified with rapidfuzz against ``dedup_threshold``, and the numbers
must be equal. The keys, numbers and hashes are computed by dedup in the worker processes
and handed over in ``doc.meta`` (this stage runs serially in the main process, so it only
looks them up); without ``--index`` the index is private: in memory up to
:data:`~newsclean.dedup_index.MEMORY_PARAGRAPHS` paragraphs, then in a temporary SQLite
file (``index_in_memory = true`` in the settings keeps it in memory). Paragraphs shorter than ``dedup_min_chars`` key characters are never
matched across documents ("图片来源：新华社" is legitimately everywhere).

A document left with nothing but copies (and at most a few short lines, under
:data:`LEFTOVER_SHARE` of its text) is dropped whole, naming the document it copies.

>>> from newsclean.config import Config
>>> from newsclean.document import Document
>>> stage = CrossDedup(Config())
>>> body = "国家网信办通报八十四款违规收集使用个人信息的应用程序，要求十五个工作日内完成整改。"
>>> a = stage.process(Document.from_text("a.txt", "标题甲\\n" + body))
>>> b = Document.from_text("b.txt", "标题乙\\n" + body.replace("，", ","))
>>> stage.process(b) is None, b.dropped, b.events[-1].rule, b.events[-1].kept
(True, True, 'duplicate-document', 'a.txt')
>>> stage.finish()
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from newsclean.config import Config
from newsclean.dedup_index import Candidate, DedupIndex, DedupIndexError, MemoryIndex, StoredCandidate, TieredIndex
from newsclean.document import Document, Event
from newsclean.matchkey import SKETCH_META, keys_and_numbers, similarity, sketch_hashes, unpack_sketches
from newsclean.stages.base import Stage

#: a document whose copies leave only short lines making up less than this share of its
#: key characters is dropped whole (a repost with its own byline is still a repost)
LEFTOVER_SHARE = 0.2


def check_index(path: str | None) -> None:
    """Fail early (a usage error) when ``path`` exists and is not a usable index."""
    if path and Path(path).exists():
        DedupIndex(path).close()


class CrossDedup(Stage):
    name = "crossdedup"
    description = "paragraphs copied from an earlier document or run (MinHash LSH + rapidfuzz; --index keeps it)"
    corpus = True

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        check_index(config.index)
        self._index: DedupIndex | MemoryIndex | TieredIndex | None = None

    @property
    def index(self) -> DedupIndex | MemoryIndex | TieredIndex:
        # opened on first use: worker processes build every stage but never run this one;
        # only an index kept between runs (--index) needs SQLite, a private one is faster
        # as compact arrays in memory
        if self._index is None:
            # SQLite keeps memory bounded by its page cache (~42 bytes per paragraph at 1M);
            # MemoryIndex is several times faster but holds ~370 bytes per paragraph at
            # peak. A run's private index is in memory up to MEMORY_PARAGRAPHS paragraphs,
            # then in a temporary SQLite file; index_in_memory = true keeps it in memory.
            if self.config.index:
                self._index = DedupIndex(self.config.index)
            elif self.config.index_in_memory:
                self._index = MemoryIndex()
            else:
                self._index = TieredIndex()
        return self._index

    def process(self, doc: Document) -> Document | None:
        paras = doc.paragraphs
        keys, numbers, sketches = self._sketches(doc)
        long = [i for i, k in enumerate(keys) if len(k) >= self.config.dedup_min_chars]
        if not long:
            return doc
        # one lookup for the whole document: its own paragraphs are added only after it
        # (copies within a document are dedup's business), so the batch sees the same index
        found = self.index.candidates_per_paragraph([sketches[i] for i in long], [numbers[i] for i in long])
        removed: dict[int, tuple[str, int]] = {}  # paragraph index -> kept (source, line)
        to_add = []
        for i, cands in zip(long, found, strict=True):
            best = self._best_copy(keys[i], cands) if cands else None
            if best is None:
                to_add.append((paras[i].line, keys[i], numbers[i], sketches[i]))
                continue
            score, cand = best
            removed[i] = (cand.source, cand.line)
            method = (
                "same comparison key (width, script, case, punctuation, whitespace folded)"
                if score == 100.0
                else f"rapidfuzz ratio {score:.1f} on the comparison key, same numbers"
            )
            doc.record(
                Event(
                    self.name,
                    "cross-duplicate",
                    "drop",
                    paras[i].line,
                    f"copy of {cand.source} line {cand.line}: {method}",
                    before=paras[i].text,
                    score=round(score, 1),
                    kept=f"{cand.source}:{cand.line}",
                )
            )
        self.index.add_many(doc.source, to_add)
        if not removed:
            return doc
        total = sum(len(k) for k in keys) or 1
        left = [i for i in range(len(paras)) if i not in removed]
        if not to_add and sum(len(keys[i]) for i in left) < LEFTOVER_SHARE * total:
            source = Counter(src for src, _ in removed.values()).most_common(1)[0][0]
            leftover = "\n".join(paras[i].text for i in left) or None
            doc.drop(
                self.name,
                "duplicate-document",
                f"all {len(removed)} paragraphs of {self.config.dedup_min_chars}+ characters are copies"
                + (f"; {len(left)} short line(s) left (in before)" if left else ""),
                before=leftover,
                kept=source,
            )
            return None
        doc.paragraphs = [paras[i] for i in left]
        return doc

    def _sketches(self, doc: Document) -> tuple[list[str], list[str], list[list[int]]]:
        """Keys, number signatures and LSH hashes (bands + whole key) of the paragraphs:
        from dedup's work in the worker process when it is there and still matches the
        paragraphs (furniture may have removed some since), computed here otherwise."""
        paras = doc.paragraphs
        packed = doc.meta.pop(SKETCH_META, None)
        if packed is not None:
            c_lines, c_keys, c_numbers, c_hashes = unpack_sketches(packed)
            lines = [p.line for p in paras]
            if c_lines == lines:
                return c_keys, c_numbers, c_hashes
            # paragraphs removed since: find the rest by line, unless one input line
            # held several paragraphs (HTML) and the line no longer says which
            if len(set(c_lines)) == len(c_lines):
                at = {line: n for n, line in enumerate(c_lines)}
                if all(line in at for line in lines):
                    rows = [at[line] for line in lines]
                    return [c_keys[n] for n in rows], [c_numbers[n] for n in rows], [c_hashes[n] for n in rows]
        keys, numbers = keys_and_numbers([p.text for p in paras])
        return keys, numbers, sketch_hashes(keys, numbers, self.config.dedup_min_chars)

    def _best_copy(
        self, key: str, cands: list[Candidate] | list[StoredCandidate]
    ) -> tuple[float, Candidate | StoredCandidate] | None:
        best: tuple[float, Candidate | StoredCandidate] | None = None
        for cand in cands:  # oldest first: the first copy wins ties
            score = 100.0 if cand.key == key else similarity(cand.key, key, self.config.dedup_threshold)
            if score and (best is None or score > best[0]):
                best = (score, cand)
        return best

    def finish(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None


__all__ = ["CrossDedup", "DedupIndexError", "check_index"]
