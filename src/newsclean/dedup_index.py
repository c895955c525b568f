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
            self.db.execute("PRAGMA synchronous = NORMAL")
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

    def add(self, source: str, line: int, key: str, numbers: str, hashes: Iterable[int]) -> None:
        """Index a kept paragraph; hashes already taken keep pointing at the older one."""
        cursor = self.db.execute(
            "INSERT INTO paragraph (source, line, key, numbers) VALUES (?, ?, ?, ?)", (source, line, key, numbers)
        )
        pid = cursor.lastrowid
        self.db.executemany("INSERT OR IGNORE INTO band VALUES (?, ?)", ((h, pid) for h in hashes))
        self.pending += 1
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
