"""Outputs: the JSONL records, the rejects file (events) and the report (their counts).

Files are written atomically: to a temporary file beside the target, renamed over it only
when the run finishes, so an interrupted run never leaves a half file under the final name.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

STDOUT = "-"


def dumps(record: dict[str, Any]) -> str:
    """One JSON line, UTF-8 text unescaped; lone surrogates escaped rather than crash."""
    try:
        line = json.dumps(record, ensure_ascii=False)
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record, ensure_ascii=True)
    return line + "\n"


class AtomicFile:
    """A text file written to ``PATH.tmp-XXXX`` and renamed to ``PATH`` on :meth:`commit`.

    ``-`` writes to stdout directly.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.tmp: str | None = None
        if path == STDOUT:
            self.fh: IO[str] = sys.stdout
            return
        target = Path(path)
        directory = target.parent if str(target.parent) else Path(".")
        fd, self.tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, text: str) -> None:
        self.fh.write(text)

    def commit(self) -> None:
        if self.tmp is None:
            self.fh.flush()
            return
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.path)
        self.tmp = None

    def abort(self) -> None:
        if self.tmp is None:
            return
        try:
            self.fh.close()
        finally:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None

    @property
    def temp_path(self) -> str | None:
        return self.tmp
