"""The cross-document duplicate index: an incremental MinHash-LSH index.

Three implementations with the same lookups: :class:`DedupIndex` keeps band hashes and
comparison keys in SQLite (``--index PATH`` keeps it between runs; in memory only SQLite's
page cache, :data:`CACHE_KIB`, and a :class:`HashFilter`); :class:`MemoryIndex` holds its
hashes in compact arrays and its keys in a temporary file, and is several times faster
but peaks at ~370 bytes per paragraph; :class:`TieredIndex`, a run's private index by
default, is a MemoryIndex up to :data:`MEMORY_PARAGRAPHS` paragraphs, then a private
temporary DedupIndex (``index_in_memory = true`` keeps a MemoryIndex throughout).

Each band hash points at the *first* kept paragraph that had it (``INSERT OR IGNORE``):
the index keeps the first copy in input order, a lookup returns at most one candidate per
band, and repeated boilerplate cannot make candidate lists grow.

>>> from newsclean.matchkey import band_hashes, exact_hash
>>> index = DedupIndex()
>>> key = "国家网信办通报八十四款违规应用"
>>> index.add("a.txt", 3, key, "八十四", band_hashes([key])[0] + [exact_hash(key, "八十四")])
>>> [[(c.source, c.line) for c in found] for found in index.candidates_per_paragraph(band_hashes([key]), ["八十四"])]
[[('a.txt', 3)]]
>>> index.close()
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np

from newsclean.config import ConfigError
from newsclean.matchkey import SKETCH_VERSION

#: SQLite page cache, the index's whole memory cost
CACHE_KIB = 32 * 1024
#: commit after this many added paragraphs (a crash loses at most these)
COMMIT_EVERY = 20_000
#: hashes per lookup query (SQLite allows at least 32766 parameters)
_BATCH = 5000
#: paragraphs a run's private index holds in memory before it moves into SQLite (about
#: 150 bytes each, peaking near 370 while the sorted arrays are merged: ~55 MB at most)
MEMORY_PARAGRAPHS = 150_000
#: bits of the in-memory filter in front of the band table (16 MiB whatever the corpus
#: size; two probes per hash: ~2 % false hits at 1M paragraphs, far fewer below)
FILTER_BITS = 1 << 27

_INSERT_PARAGRAPH = "INSERT INTO paragraph (id, source, line, key, numbers) VALUES (?, ?, ?, ?, ?)"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS paragraph (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL, line INTEGER NOT NULL,
    key TEXT NOT NULL, numbers TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS band (hash INTEGER PRIMARY KEY, paragraph INTEGER NOT NULL) WITHOUT ROWID;
"""


class DedupIndexError(ConfigError):
    """The index file cannot be used (another sketch version, not an index)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A paragraph already in the index that may be a copy of the one looked up."""

    id: int
    source: str
    line: int
    key: str
    numbers: str


class StoredCandidate:
    """A :class:`Candidate` of a :class:`MemoryIndex`: its key and numbers are read from
    the index's file on first use."""

    __slots__ = ("_index", "_loaded", "id", "line", "numbers_hash", "source")

    def __init__(self, index: MemoryIndex, n: int) -> None:
        self._index = index
        self.id = n + 1
        self.source = index._sources[index._doc[n]]
        self.line = index._line[n]
        self.numbers_hash = index._numbers[n]
        self._loaded: tuple[str, str] | None = None

    def _load(self) -> tuple[str, str]:
        if self._loaded is None:
            self._loaded = self._index._read(self.id - 1)
        return self._loaded

    @property
    def key(self) -> str:
        return self._load()[0]

    @property
    def numbers(self) -> str:
        return self._load()[1]


class HashFilter:
    """A fixed-size Bloom filter of 64-bit hashes: "certainly absent" or "maybe present".

    Most paragraphs of a corpus are new; the filter answers their lookups without a
    query, so SQLite only sees the hashes that may be there.

    >>> f = HashFilter(1 << 16)
    >>> f.add([7, -9])
    >>> f.maybe([7, 8, -9])
    [7, -9]
    """

    def __init__(self, bits: int = FILTER_BITS) -> None:
        if bits & (bits - 1):
            raise ValueError("bits must be a power of two")
        self.mask = np.uint64(bits - 1)
        self.bits = np.zeros(bits // 8, dtype=np.uint8)

    def _probes(self, hashes: list[int]) -> tuple[np.ndarray, np.ndarray]:
        h = np.array(hashes, dtype=np.int64).view(np.uint64)
        # the hashes are already well mixed: low and high halves are two probes
        return h & self.mask, (h >> np.uint64(32)) & self.mask

    def add(self, hashes: list[int]) -> None:
        if not hashes:
            return
        for probe in self._probes(hashes):
            np.bitwise_or.at(self.bits, probe >> np.uint64(3), np.left_shift(1, probe & np.uint64(7)).astype(np.uint8))

    def maybe(self, hashes: list[int]) -> list[int]:
        """The hashes that may have been added (every added one is among them)."""
        if not hashes:
            return []
        a, b = self._probes(hashes)
        hit = ((self.bits[a >> np.uint64(3)] >> (a & np.uint64(7)).astype(np.uint8)) & 1) & (
            (self.bits[b >> np.uint64(3)] >> (b & np.uint64(7)).astype(np.uint8)) & 1
        )
        if not hit.any():
            return []
        return [h for h, ok in zip(hashes, hit.tolist(), strict=True) if ok]


class DedupIndex:
    """Band hashes → first paragraph with them; paragraphs' keys for verification.

    ``path=None`` is a private temporary database deleted on :meth:`close`. A
    :class:`HashFilter` in front of the band table spares most lookups a query.
    """

    def __init__(self, path: str | None = None) -> None:
        # "" makes SQLite create a private temporary on-disk database
        try:
            self.db = sqlite3.connect(path or "", isolation_level=None)
            self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self.db.execute("PRAGMA journal_mode = WAL" if path else "PRAGMA journal_mode = OFF")
            # a private index is thrown away on close: nothing to make durable
            self.db.execute("PRAGMA synchronous = NORMAL" if path else "PRAGMA synchronous = OFF")
            self.db.executescript(_SCHEMA)
            row = self.db.execute("SELECT value FROM settings WHERE name = 'sketch'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DedupIndexError(f"cannot use {path} as a dedup index: {exc}") from exc
        if row is None:
            self.db.execute("INSERT INTO settings VALUES ('sketch', ?)", (SKETCH_VERSION,))
        elif row[0] != SKETCH_VERSION:
            raise DedupIndexError(f"{path} was built with sketch {row[0]}, this version uses {SKETCH_VERSION}")
        self.filter = HashFilter()
        # an index kept between runs: its hashes go into the filter, in bounded chunks
        rows = self.db.execute("SELECT hash FROM band")
        while chunk := rows.fetchmany(100_000):
            self.filter.add([h for (h,) in chunk])
        self.db.execute("BEGIN")
        # ids are assigned here so a whole document's paragraphs go in with executemany
        self.next_id = (self.db.execute("SELECT max(id) FROM paragraph").fetchone()[0] or 0) + 1
        #: paragraphs added since the last write, and their hashes (first owner): written
        #: in one sorted batch every COMMIT_EVERY paragraphs, since one document's rows at a
        #: time land all over the band table's B-tree (a third of a big run's time)
        self._new: dict[int, Candidate] = {}
        self._new_bands: dict[int, int] = {}

    def candidates_many(self, hashes: Iterable[int]) -> dict[int, Candidate]:
        """For a batch of hashes (a whole document's), the paragraph each one points at;
        hashes not in the index are absent.

        >>> index = DedupIndex()
        >>> index.add("a.txt", 3, "国家网信办", "", [7, 9])
        >>> {h: c.line for h, c in index.candidates_many([7, 8]).items()}
        {7: 3}
        >>> index.close()
        """
        hashes = self.filter.maybe(list(dict.fromkeys(hashes)))
        found: dict[int, Candidate] = {}
        by_id: dict[int, Candidate] = {}
        # hashes not yet written: the table's owner is older, so it wins (below)
        for h in hashes:
            owner = self._new_bands.get(h)
            if owner is not None:
                found[h] = self._new[owner]
        for start in range(0, len(hashes), _BATCH):
            chunk = hashes[start : start + _BATCH]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                "SELECT band.hash, p.id, p.source, p.line, p.key, p.numbers FROM band "
                f"JOIN paragraph AS p ON p.id = band.paragraph WHERE band.hash IN ({marks})",
                chunk,
            ).fetchall()
            for h, *row in rows:
                cand = by_id.get(row[0])
                if cand is None:
                    cand = by_id[row[0]] = Candidate(*row)
                found[h] = cand
        return found

    def candidates_per_paragraph(self, sketches: list[list[int]], numbers: list[str]) -> list[list[Candidate]]:
        """For each paragraph of a document (its hashes and number signature), the indexed
        paragraphs sharing a hash and the numbers, oldest first."""
        found = self.candidates_many(h for hashes in sketches for h in hashes)
        out = []
        for hashes, nums in zip(sketches, numbers, strict=True):
            cands = {c.id: c for c in (found.get(h) for h in hashes) if c is not None and c.numbers == nums}
            out.append([cands[i] for i in sorted(cands)])
        return out

    def add(self, source: str, line: int, key: str, numbers: str, hashes: Iterable[int]) -> None:
        """Index a kept paragraph; hashes already taken keep pointing at the older one."""
        self.add_many(source, [(line, key, numbers, hashes)])

    def add_many(self, source: str, paragraphs: list[tuple[int, str, str, Iterable[int]]]) -> None:
        """Index kept paragraphs of one document, in order: (line, key, numbers, hashes)."""
        if not paragraphs:
            return
        first = self.next_id
        self.next_id += len(paragraphs)
        added: list[int] = []
        for n, (line, key, numbers, hashes) in enumerate(paragraphs, first):
            self._new[n] = Candidate(n, source, line, key, numbers)
            for h in hashes:
                self._new_bands.setdefault(h, n)  # the first paragraph with a hash owns it
                added.append(h)
        self.filter.add(added)
        if len(self._new) >= COMMIT_EVERY:
            self._write()

    def _write(self) -> None:
        """Write the paragraphs added since the last write, band rows in hash order (a
        hash the table has keeps its older owner), and commit: a crash loses at most
        COMMIT_EVERY paragraphs."""
        self.db.executemany(_INSERT_PARAGRAPH, [(c.id, c.source, c.line, c.key, c.numbers) for c in self._new.values()])
        count = len(self._new_bands)
        hashes = np.fromiter(self._new_bands, dtype=np.int64, count=count)
        owners = np.fromiter(self._new_bands.values(), dtype=np.int64, count=count)
        order = np.argsort(hashes, kind="stable")
        rows = zip(hashes[order].tolist(), owners[order].tolist(), strict=True)
        self.db.executemany("INSERT OR IGNORE INTO band VALUES (?, ?)", rows)
        self._new, self._new_bands = {}, {}
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM paragraph").fetchone()[0] + len(self._new)

    def import_from(self, memory: MemoryIndex) -> None:
        """Take over everything a (fresh) :class:`MemoryIndex` holds, ids and first owners
        included, in bounded batches."""
        batch: list[tuple[int, str, int, str, str]] = []
        for row in memory.paragraphs():
            batch.append(row)
            if len(batch) >= COMMIT_EVERY:
                self.db.executemany(_INSERT_PARAGRAPH, batch)
                batch = []
        self.db.executemany(_INSERT_PARAGRAPH, batch)
        for hashes, owners in memory.bands():
            self.db.executemany(
                "INSERT OR IGNORE INTO band VALUES (?, ?)", zip(hashes.tolist(), (owners + 1).tolist(), strict=True)
            )
            self.filter.add(hashes.tolist())
        self.next_id = len(memory) + 1
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def close(self) -> None:
        if self._new:
            self._write()
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self.db.close()


class MemoryIndex:
    """The same lookups as :class:`DedupIndex` at a fraction of the cost, in about 150
    bytes per kept paragraph (peaking at ~370 bytes while sorted runs are merged: hence
    bounded by :class:`TieredIndex` unless ``index_in_memory = true``).

    Band hashes live in a sorted numpy array (8-byte hash + 4-byte paragraph number) fed
    from a small dict of recent ones; comparison keys go to a temporary file, read back
    only for the (rare) paragraphs a lookup hits.

    >>> index = MemoryIndex()
    >>> index.add_many("a.txt", [(3, "国家网信办", "", [7, 9]), (5, "另一段", "2", [9, 11])])
    >>> index.add_many("b.txt", [(1, "第三段", "", [11, 13])])
    >>> found = index.candidates_per_paragraph([[7, 8, 9, 11], [13], [11]], ["", "", "3"])
    >>> [[(c.source, c.line, c.key) for c in cands] for cands in found]
    [[('a.txt', 3, '国家网信办')], [('b.txt', 1, '第三段')], []]
    >>> index.close()
    """

    #: recent hashes kept in a dict before they are merged into the sorted arrays
    RECENT = 20_000

    def __init__(self) -> None:
        self._hashes = np.zeros(0, dtype=np.int64)  # sorted
        self._owners = np.zeros(0, dtype=np.int32)  # paragraph number of each hash
        self._recent: dict[int, int] = {}
        self._sources: list[str] = []
        self._doc = array("i")
        self._line = array("i")
        self._numbers = array("q")  # hash() of each paragraph's number signature
        self._offsets = array("q", [0])  # paragraph n's key is bytes offsets[n]:offsets[n+1]
        self._file = tempfile.TemporaryFile(prefix="newsclean-dedup-")
        self._tail = bytearray()  # not yet written to the file
        self._flushed = 0
        self._last: dict[int, int] = {}  # hash -> owner, of the last lookup

    def __len__(self) -> int:
        return len(self._line)

    def _owner_of(self, hashes: list[int]) -> list[int]:
        """Paragraph number holding each hash, -1 where none does."""
        # per document there are ~100 hashes: plain lists and C-level map() beat numpy's
        # per-call overhead everywhere but the binary search of the big sorted array
        owners = list(map(self._recent.get, hashes, repeat(-1)))
        if len(self._hashes) and hashes:
            wanted = np.array(hashes, dtype=np.int64)
            at = self._hashes.searchsorted(wanted)
            np.minimum(at, len(self._hashes) - 1, out=at)
            hit = self._hashes[at] == wanted
            if hit.any():
                found = self._owners[at].tolist()
                owners = [f if h else o for f, h, o in zip(found, hit.tolist(), owners, strict=True)]
        return owners

    def candidates_per_paragraph(self, sketches: list[list[int]], numbers: list[str]) -> list[list[StoredCandidate]]:
        """For each paragraph of a document (its hashes and number signature), the indexed
        paragraphs sharing a hash and the numbers, oldest first (as :class:`DedupIndex`)."""
        flat = list(chain.from_iterable(sketches))
        owner = dict(zip(flat, self._owner_of(flat), strict=True))
        # add_many usually follows with some of these same hashes: spare it a second
        # round of (cache-missing) lookups in the big tables
        self._last = owner
        out: list[list[StoredCandidate]] = [[] for _ in sketches]
        if max(owner.values(), default=-1) < 0:
            return out
        loaded: dict[int, StoredCandidate] = {}
        for p, hashes in enumerate(sketches):
            found = {owner[h] for h in hashes}
            found.discard(-1)
            if not found:
                continue
            # numbers first, by hash (this index lives in one process, so hash() is
            # stable): most band hits of template sentences differ in their numbers
            mine = hash(numbers[p])
            for n in sorted(found):
                if self._numbers[n] != mine:
                    continue
                cand = loaded.get(n)
                if cand is None:
                    cand = loaded[n] = StoredCandidate(self, n)
                if cand.numbers == numbers[p]:
                    out[p].append(cand)
        return out

    def _read(self, n: int) -> tuple[str, str]:
        start, end = self._offsets[n], self._offsets[n + 1]
        if start >= self._flushed:
            data = bytes(self._tail[start - self._flushed : end - self._flushed])
        else:
            data = os.pread(self._file.fileno(), end - start, start)
        key, _, numbers = data.decode("utf-8").partition("\x00")
        return key, numbers

    def add_many(self, source: str, paragraphs: list[tuple[int, str, str, Iterable[int]]]) -> None:
        """Index kept paragraphs of one document; hashes already taken keep their owner."""
        if not paragraphs:
            return
        doc = len(self._sources)
        self._sources.append(source)
        first = len(self._line)
        last, self._last = self._last, {}
        new: dict[int, int] = {}
        for n, (line, key, numbers, hashes) in enumerate(paragraphs, first):
            self._doc.append(doc)
            self._line.append(line)
            self._numbers.append(hash(numbers))
            self._tail += f"{key}\x00{numbers}".encode()
            self._offsets.append(self._flushed + len(self._tail))
            for h in hashes:
                new.setdefault(h, n)  # within the document the first paragraph wins
        if not all(h in last for h in new):
            last = dict(zip(new, self._owner_of(list(new)), strict=True))
        # a hash already taken keeps its older owner
        self._recent.update((h, n) for h, n in new.items() if last[h] < 0)
        if len(self._tail) >= 1 << 20:
            self._file.write(self._tail)
            self._file.flush()
            self._flushed += len(self._tail)
            self._tail = bytearray()
        # the dict is merged when it reaches 1/16 of the arrays: merges stay rare as the
        # index grows, and a small dict keeps its lookups in the CPU cache
        if len(self._recent) >= max(self.RECENT, len(self._hashes) // 16):
            self._merge()

    def paragraphs(self) -> Iterator[tuple[int, str, int, str, str]]:
        """(id, source, line, key, numbers) of every paragraph, in order (ids from 1)."""
        for n in range(len(self._line)):
            key, numbers = self._read(n)
            yield n + 1, self._sources[self._doc[n]], self._line[n], key, numbers

    def bands(self, chunk: int = 100_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(hashes, paragraph numbers) of every band hash, in bounded chunks."""
        self._merge()
        for start in range(0, len(self._hashes), chunk):
            yield self._hashes[start : start + chunk], self._owners[start : start + chunk]

    def _merge(self) -> None:
        # the recent hashes are disjoint from the arrays: sort them and insert them at
        # their places, one new array each (no sort of the whole, no index array), so the
        # peak is the old arrays plus the new ones
        hashes = np.fromiter(self._recent.keys(), dtype=np.int64, count=len(self._recent))
        owners = np.fromiter(self._recent.values(), dtype=np.int32, count=len(self._recent))
        order = np.argsort(hashes)
        hashes, owners = hashes[order], owners[order]
        at = self._hashes.searchsorted(hashes)
        self._hashes = np.insert(self._hashes, at, hashes)
        self._owners = np.insert(self._owners, at, owners)
        self._recent = {}

    def close(self) -> None:
        self._file.close()


class TieredIndex:
    """The private index of a run without ``--index``: a :class:`MemoryIndex` (fast) until
    it holds :data:`MEMORY_PARAGRAPHS` paragraphs, then everything moves into a private
    :class:`DedupIndex` (memory bounded by SQLite's page cache) for the rest of the run.

    >>> index = TieredIndex(limit=3)
    >>> index.add_many("a.txt", [(3, "国家网信办", "", [7, 9]), (5, "另一段", "2", [9, 11])])
    >>> type(index.current).__name__
    'MemoryIndex'
    >>> index.add_many("b.txt", [(1, "第三段", "", [11, 13])])
    >>> type(index.current).__name__
    'DedupIndex'
    >>> found = index.candidates_per_paragraph([[7, 8, 9, 11], [13], [11]], ["", "", "3"])
    >>> [[(c.source, c.line, c.key) for c in cands] for cands in found]
    [[('a.txt', 3, '国家网信办')], [('b.txt', 1, '第三段')], []]
    >>> index.close()
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = MEMORY_PARAGRAPHS if limit is None else limit
        self.current: MemoryIndex | DedupIndex = MemoryIndex()

    def __len__(self) -> int:
        return len(self.current)

    def candidates_per_paragraph(
        self, sketches: list[list[int]], numbers: list[str]
    ) -> list[list[Candidate]] | list[list[StoredCandidate]]:
        return self.current.candidates_per_paragraph(sketches, numbers)

    def add_many(self, source: str, paragraphs: list[tuple[int, str, str, Iterable[int]]]) -> None:
        self.current.add_many(source, paragraphs)
        if isinstance(self.current, MemoryIndex) and len(self.current) >= self.limit:
            memory, self.current = self.current, DedupIndex()
            self.current.import_from(memory)
            memory.close()

    def close(self) -> None:
        self.current.close()
