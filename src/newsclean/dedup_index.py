"""The cross-document duplicate index: an incremental MinHash-LSH index kept in SQLite.

Memory stays bounded whatever the corpus size: band hashes and comparison keys live in an
SQLite database (a private temporary file by default, or ``--index PATH`` to keep it
between runs), and only SQLite's page cache (:data:`CACHE_KIB`) is held in memory.

Each band hash points at the *first* kept paragraph that had it (``INSERT OR IGNORE``):
the index keeps the first copy in input order, a lookup returns at most one candidate per
band, and repeated boilerplate cannot make candidate lists grow.

>>> from newsclean.matchkey import band_hashes, exact_hash
>>> index = DedupIndex()
>>> key = "国家网信办通报八十四款违规应用"
>>> index.add("a.txt", 3, key, "八十四", band_hashes([key])[0] + [exact_hash(key, "八十四")])
>>> [(c.source, c.line) for c in index.candidates(band_hashes([key])[0])]
[('a.txt', 3)]
>>> index.close()
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from newsclean.config import ConfigError
from newsclean.matchkey import SKETCH_VERSION

#: SQLite page cache, the index's whole memory cost
CACHE_KIB = 32 * 1024
#: commit after this many added paragraphs (a crash loses at most these)
COMMIT_EVERY = 20_000
#: hashes per lookup query (SQLite allows at least 32766 parameters)
_BATCH = 5000

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

    def same_numbers(self, numbers: str) -> bool:
        return self.numbers == numbers


class StoredCandidate:
    """A :class:`Candidate` of a :class:`MemoryIndex`: its key is read from the index's
    file only when the numbers match (most band hits of template sentences do not)."""

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

    def same_numbers(self, numbers: str) -> bool:
        # hash() is salted per process, but this index lives and dies in one process
        return hash(numbers) == self.numbers_hash and self.numbers == numbers


class DedupIndex:
    """Band hashes → first paragraph with them; paragraphs' keys for verification.

    ``path=None`` is a private temporary database deleted on :meth:`close`.
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
        self.db.execute("BEGIN")
        self.pending = 0
        # ids are assigned here so a whole document's paragraphs go in with executemany
        self.next_id = (self.db.execute("SELECT max(id) FROM paragraph").fetchone()[0] or 0) + 1

    def candidates(self, hashes: Iterable[int]) -> list[Candidate]:
        """Indexed paragraphs sharing at least one hash, oldest first."""
        hashes = list(hashes)
        if not hashes:
            return []
        marks = ",".join("?" * len(hashes))
        rows = self.db.execute(
            "SELECT id, source, line, key, numbers FROM paragraph WHERE id IN "
            f"(SELECT paragraph FROM band WHERE hash IN ({marks})) ORDER BY id",
            hashes,
        ).fetchall()
        return [Candidate(*row) for row in rows]

    def candidates_many(self, hashes: Iterable[int]) -> dict[int, Candidate]:
        """For a batch of hashes (a whole document's), the paragraph each one points at;
        hashes not in the index are absent.

        >>> index = DedupIndex()
        >>> index.add("a.txt", 3, "国家网信办", "", [7, 9])
        >>> {h: c.line for h, c in index.candidates_many([7, 8]).items()}
        {7: 3}
        >>> index.close()
        """
        hashes = list(dict.fromkeys(hashes))
        found: dict[int, Candidate] = {}
        by_id: dict[int, Candidate] = {}
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

    def add(self, source: str, line: int, key: str, numbers: str, hashes: Iterable[int]) -> None:
        """Index a kept paragraph; hashes already taken keep pointing at the older one."""
        self.add_many(source, [(line, key, numbers, hashes)])

    def add_many(self, source: str, paragraphs: list[tuple[int, str, str, Iterable[int]]]) -> None:
        """Index kept paragraphs of one document, in order: (line, key, numbers, hashes)."""
        if not paragraphs:
            return
        first = self.next_id
        self.next_id += len(paragraphs)
        self.db.executemany(
            "INSERT INTO paragraph (id, source, line, key, numbers) VALUES (?, ?, ?, ?, ?)",
            [(first + n, source, line, key, numbers) for n, (line, key, numbers, _) in enumerate(paragraphs)],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO band VALUES (?, ?)",
            [(h, first + n) for n, (_, _, _, hashes) in enumerate(paragraphs) for h in hashes],
        )
        self.pending += len(paragraphs)
        if self.pending >= COMMIT_EVERY:
            self.db.execute("COMMIT")
            self.db.execute("BEGIN")
            self.pending = 0

    def __len__(self) -> int:
        return self.db.execute("SELECT count(*) FROM paragraph").fetchone()[0]

    def close(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self.db.close()


class MemoryIndex:
    """The private index of a run without ``--index``: the same lookups as
    :class:`DedupIndex` at a fraction of the cost, in about 150 bytes per kept paragraph.

    Band hashes live in a sorted numpy array (8-byte hash + 4-byte paragraph number) fed
    from a small dict of recent ones; comparison keys go to a temporary file, read back
    only for the (rare) paragraphs a lookup hits.

    >>> index = MemoryIndex()
    >>> index.add_many("a.txt", [(3, "国家网信办", "", [7, 9]), (5, "另一段", "2", [9, 11])])
    >>> {h: (c.line, c.key) for h, c in index.candidates_many([7, 8, 9, 11]).items()}
    {7: (3, '国家网信办'), 9: (3, '国家网信办'), 11: (5, '另一段')}
    >>> index.candidates_many([11])[11].same_numbers("2")
    True
    >>> index.close()
    """

    #: recent hashes kept in a dict before they are merged into the sorted arrays
    RECENT = 100_000

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

    def __len__(self) -> int:
        return len(self._line)

    def _owner_of(self, hashes: list[int]) -> list[int]:
        """Paragraph number holding each hash, -1 where none does."""
        out = [self._recent.get(h, -1) for h in hashes]
        if len(self._hashes) and hashes:
            wanted = np.array(hashes, dtype=np.int64)
            at = np.searchsorted(self._hashes, wanted)
            at[at == len(self._hashes)] = 0
            hit = self._hashes[at] == wanted
            if hit.any():
                owners = np.where(hit, self._owners[at], -1).tolist()
                out = [o if o >= 0 else r for o, r in zip(owners, out, strict=True)]
        return out

    def _read(self, n: int) -> tuple[str, str]:
        start, end = self._offsets[n], self._offsets[n + 1]
        if start >= self._flushed:
            data = bytes(self._tail[start - self._flushed : end - self._flushed])
        else:
            data = os.pread(self._file.fileno(), end - start, start)
        key, _, numbers = data.decode("utf-8").partition("\x00")
        return key, numbers

    def candidates_many(self, hashes: Iterable[int]) -> dict[int, StoredCandidate]:
        """For a batch of hashes, the paragraph each one points at (see :class:`DedupIndex`)."""
        hashes = list(dict.fromkeys(hashes))
        found: dict[int, StoredCandidate] = {}
        by_id: dict[int, StoredCandidate] = {}
        for h, n in zip(hashes, self._owner_of(hashes), strict=True):
            if n < 0:
                continue
            cand = by_id.get(n)
            if cand is None:
                cand = by_id[n] = StoredCandidate(self, n)
            found[h] = cand
        return found

    def add_many(self, source: str, paragraphs: list[tuple[int, str, str, Iterable[int]]]) -> None:
        """Index kept paragraphs of one document; hashes already taken keep their owner."""
        if not paragraphs:
            return
        doc = len(self._sources)
        self._sources.append(source)
        first = len(self._line)
        new: dict[int, int] = {}
        for n, (line, key, numbers, hashes) in enumerate(paragraphs, first):
            self._doc.append(doc)
            self._line.append(line)
            self._numbers.append(hash(numbers))
            self._tail += f"{key}\x00{numbers}".encode()
            self._offsets.append(self._flushed + len(self._tail))
            for h in hashes:
                new.setdefault(h, n)
        taken = self._owner_of(list(new))
        self._recent.update((h, n) for (h, n), t in zip(new.items(), taken, strict=True) if t < 0)
        if len(self._tail) >= 1 << 20:
            self._file.write(self._tail)
            self._file.flush()
            self._flushed += len(self._tail)
            self._tail = bytearray()
        if len(self._recent) >= self.RECENT:
            self._merge()

    def _merge(self) -> None:
        # the recent hashes are disjoint from the arrays, so a stable sort of the two
        # sorted runs (timsort merges them in linear time) is all it takes
        hashes = np.fromiter(self._recent.keys(), dtype=np.int64, count=len(self._recent))
        owners = np.fromiter(self._recent.values(), dtype=np.int32, count=len(self._recent))
        hashes = np.concatenate([self._hashes, hashes])
        owners = np.concatenate([self._owners, owners])
        order = np.argsort(hashes, kind="stable")
        self._hashes, self._owners = hashes[order], owners[order]
        self._recent = {}

    def close(self) -> None:
        self._file.close()
