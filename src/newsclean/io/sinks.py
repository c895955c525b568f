"""Outputs: the JSONL records, the rejects file (events) and the report (their counts).

Files are written atomically: to a temporary file beside the target, renamed over it only
when the run finishes, so an interrupted run never leaves a half file under the final name.
A target that is not a regular file (``/dev/null``, a FIFO, a terminal) is written
directly: renaming over it would replace the device with a plain file.

>>> dumps({"text": "正文", "bad": "\\ud800"})
'{"text": "\\\\u6b63\\\\u6587", "bad": "\\\\ud800"}\\n'
"""

from __future__ import annotations

import json
import math
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

STDOUT = "-"


def dumps(record: dict[str, Any]) -> str:
    """One JSON line, UTF-8 text unescaped; lone surrogates escaped rather than crash.

    NaN and Infinity are not JSON (readers reject the line), so they are written as null;
    inputs holding them are rejected when read, so only a stage's score can carry one.
    """
    try:
        line = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except ValueError:
        record = _finite(record)
        line = json.dumps(record, ensure_ascii=False, allow_nan=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record, ensure_ascii=True, allow_nan=False)
    return line + "\n"


def _finite(value: Any) -> Any:
    """``value`` with non-finite floats replaced by None, recursively.

    >>> _finite({"a": [float("nan"), 1.5]})
    {'a': [None, 1.5]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


class OutputError(OSError):
    """An output path that cannot be used; the message says which and what to do."""


def _is_special(path: Path) -> bool:
    """True for an existing target that is not a regular file (device, FIFO, socket)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


class AtomicFile:
    """A text file written to ``.NAME.XXXX.tmp`` beside ``PATH`` and renamed to ``PATH`` on
    :meth:`commit`; :meth:`abort` removes the temporary file.

    ``-`` writes to stdout directly, and so does a special file such as ``/dev/null``.

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> f = AtomicFile(os.path.join(d, "out.jsonl")); f.write("{}\\n")
    >>> os.listdir(d) == [os.path.basename(f.temp_path)]
    True
    >>> f.commit(); os.listdir(d)
    ['out.jsonl']
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.tmp: str | None = None
        self.direct = False
        if path == STDOUT:
            self.fh: IO[str] = sys.stdout
            return
        target = Path(path)
        if target.is_dir():
            raise OutputError(f"{path} is a folder; give a file name for the output")
        if _is_special(target):
            self.direct = True
            self.fh = open(target, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in commit/abort
            return
        directory = target.parent if str(target.parent) else Path(".")
        if not directory.is_dir():
            raise OutputError(f"cannot write {path}: folder {directory} does not exist")
        fd, self.tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def write(self, text: str) -> None:
        self.fh.write(text)

    def commit(self) -> None:
        if self.tmp is None:
            self.fh.flush()
            if self.direct:
                self.fh.close()
                self.direct = False
            return
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.path)
        self.tmp = None

    def abort(self) -> None:
        """Close and delete the temporary file; never raises (it runs while unwinding)."""
        if self.direct:
            self.direct = False
            try:
                self.fh.close()
            except OSError:
                pass
            return
        if self.tmp is None:
            return
        try:
            self.fh.close()  # may fail again on a full disk: the file goes anyway
        except OSError:
            pass
        try:
            os.unlink(self.tmp)
        except OSError:
            pass
        self.tmp = None

    @property
    def temp_path(self) -> str | None:
        return self.tmp
