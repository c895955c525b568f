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

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

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
