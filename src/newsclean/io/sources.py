"""Inputs: folders, files and stdin, turned into documents in a deterministic order.

Folders are walked recursively in sorted order (symlinked folders followed once, so a
symlink loop ends); ``.txt .html .htm .jsonl`` in any case are read (``--glob`` changes
that). A ``.jsonl`` file is streamed line by line, one document per record, with every
field but the text kept for the output. Anything that cannot be read becomes a document
with ``error`` set, so the run goes on and the error is reported.
"""

from __future__ import annotations

import errno
import fnmatch
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.decode import DecodeError, decode_bytes

STDIN = "-"


def _kind_for(name: str) -> str:
    lower = name.lower()
    if lower.endswith(".jsonl"):
        return "jsonl"
    if lower.endswith((".html", ".htm")):
        return "html"
    return "text"


def _matches(name: str, globs: tuple[str, ...]) -> bool:
    lower = name.lower()
    return any(fnmatch.fnmatch(lower, g.lower()) for g in globs)


def iter_files(folder: Path, config: Config, exclude: frozenset[str]) -> Iterator[tuple[Path, str] | Document]:
    """(path, source) pairs under ``folder`` in sorted order; error documents for folders
    that cannot be listed."""
    seen_dirs: set[str] = set()
    excluded_names = {os.path.basename(p) for p in exclude}
    stack = [folder]
    # Walk by hand (not os.walk) to sort, follow symlinked folders once, and report errors.
    pending: list[tuple[Path, os.DirEntry[str]]] = []
    while stack:
        current = stack.pop()
        try:
            real = os.path.realpath(current)
            if real in seen_dirs:
                continue
            seen_dirs.add(real)
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            yield Document(source=_rel(current, folder), error=f"cannot list folder: {exc.strerror or exc}")
            continue
        dirs = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                dirs.append(path)
            elif _matches(entry.name, config.globs):
                # realpath costs a syscall per path component: only needed when the entry is
                # a link or has the name of one of the run's own output files
                if (entry.is_symlink() or entry.name in excluded_names) and os.path.realpath(path) in exclude:
                    continue
                pending.append((path, entry))
        # files of this folder before its subfolders, all sorted
        for path, entry in pending:
            special = _special_kind(path, entry)
            if special:
                # a FIFO would block the run forever, a device could be endless
                yield Document(
                    source=_rel(path, folder),
                    error=f"not a regular file ({special}); skipped (name it on the command line to read it)",
                )
            else:
                yield path, _rel(path, folder)
        pending = []
        stack.extend(reversed(dirs))


def _special_kind(path: Path, entry: os.DirEntry[str] | None = None) -> str | None:
    """What a path is when it is neither a regular file nor missing (broken links are
    reported when read)."""
    try:
        if entry is not None and not entry.is_symlink() and entry.is_file():
            return None  # the folder listing says so: no stat call
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _rel(path: Path, folder: Path) -> str:
    try:
        return display_name(path.relative_to(folder).as_posix())
    except ValueError:
        return display_name(path.as_posix())


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (Python keeps them as lone
    surrogates, which cannot be written as UTF-8) are shown as ``\\xNN``.

    >>> display_name(os.fsdecode("新闻 报道.txt".encode()))
    '新闻 报道.txt'
    >>> print(display_name(os.fsdecode("新闻.txt".encode("gbk"))))
    \\xd0\\xc2\\xce\\xc5.txt
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_file(path: Path, source: str, config: Config) -> Iterator[Document]:
    """Documents from one file: one for .txt/.html, one per record for .jsonl."""
    kind = _kind_for(path.name)
    too_big = f"file is over the limit of {config.max_file_bytes} bytes (raise max_file_bytes to read it)"
    data: bytes | None = None
    try:
        # one open and one fstat per file: a corpus is tens of thousands of small files
        with open(path, "rb") as fh:
            if kind == "jsonl":
                yield from read_jsonl(fh, source, config)
                return
            if os.fstat(fh.fileno()).st_size > config.max_file_bytes:
                yield Document(source=source, error=too_big)
                return
            # read in bounded memory even when the size says nothing (pipes, devices)
            data = fh.read(config.max_file_bytes + 1)
            if len(data) > config.max_file_bytes:
                data = None
    except IsADirectoryError:
        yield Document(source=source, error="is a folder, not a file")
        return
    except OSError as exc:
        hint = ""
        if exc.errno == errno.ELOOP:
            hint = " (a symlink loop)"
        elif exc.errno == errno.ENOENT and path.is_symlink():
            hint = " (a symlink to a missing file)"
        yield Document(source=source, error=f"cannot read: {exc.strerror or exc}{hint}")
        return
    if data is None:
        yield Document(source=source, error=too_big)
        return
    yield Document(source=source, raw=data, kind=kind, group=_group(source), meta={"bytes": len(data)})


def _group(source: str) -> str:
    """The folder of a file: the default "site" for learned boilerplate."""
    return source.rpartition("/")[0]


def read_jsonl(
    stream: BinaryIO | _Prepended | Iterable[bytes], source: str, config: Config, first_line: int = 1
) -> Iterator[Document]:
    for n, raw in enumerate(_bounded_lines(stream, config.max_file_bytes), start=first_line):
        where = f"{source}#{n}"
        if raw is None:
            yield Document(
                source=where,
                error=f"line {n}: record is over the limit of {config.max_file_bytes} bytes "
                "(raise max_file_bytes to read it)",
            )
            continue
        if not raw.strip():
            continue
        encoding = {"name": "utf-8", "confidence": 1.0}
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                decoded = decode_bytes(raw)
            except DecodeError as exc:
                yield Document(source=where, error=f"line {n}: {exc}")
                continue
            line = decoded.text
            encoding = {"name": decoded.encoding, "confidence": decoded.confidence}
        try:
            record = json.loads(line, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            msg = exc.msg.removesuffix(" at")  # "Invalid control character at"
            yield Document(
                source=where, error=f"line {n}: not valid JSON ({msg} at column {exc.colno}); record skipped"
            )
            continue
        except (ValueError, RecursionError) as exc:
            # NaN/Infinity, numbers of over 4300 digits, nesting deeper than Python's stack
            if isinstance(exc, RecursionError):
                why = "nested too deeply"
            elif "digits" in str(exc):
                why = "a number too long to read"
            else:
                why = str(exc)
            yield Document(source=where, error=f"line {n}: not valid JSON ({why}); record skipped")
            continue
        if not isinstance(record, dict):
            yield Document(source=where, error=f"line {n}: a JSON {type(record).__name__}, not an object")
            continue
        text = record.pop(config.text_field, None)
        if not isinstance(text, str):
            what = "has no" if text is None else f"has a non-string ({type(text).__name__})"
            yield Document(
                source=where,
                error=f"line {n}: record {what} {config.text_field!r} field (choose the field with --text-field)",
            )
            continue
        group = _group(source)
        url = record.get("url")
        if isinstance(url, str) and "//" in url:
            group = url.split("//", 1)[1].split("/", 1)[0].lower()
        yield Document(
            source=where,
            text=text,
            kind="text",
            fields=record,
            group=group,
            meta={"bytes": len(raw), "encoding": encoding},
        )


def read_stdin(config: Config, stream: BinaryIO | None = None) -> Iterator[Document]:
    """stdin: JSONL streamed record by record, or one text document (detected from the
    first non-blank line unless ``input_format`` says); memory bounded by max_file_bytes."""
    stream = stream or sys.stdin.buffer
    limit = config.max_file_bytes
    fmt = config.input_format
    head: list[bytes] = []
    if fmt == "auto":
        while True:
            line = stream.readline(limit + 1)
            if not line:
                break
            head.append(line)
            if line.strip() or len(line) > limit:
                break
        first = head[-1].strip() if head else b""
        fmt = "jsonl" if first.startswith(b"{") and _is_json_object(first) else "text"
    if fmt == "jsonl":
        yield from read_jsonl(_Prepended(head, stream), STDIN, config)
        return
    data = b"".join(head)
    data += stream.read(max(0, limit + 1 - len(data)))
    if len(data) > limit:
        yield Document(source=STDIN, error=f"input is over the limit of {limit} bytes (raise max_file_bytes)")
        return
    yield Document(source=STDIN, raw=data, kind="html" if fmt == "html" else "text", meta={"bytes": len(data)})


class _Prepended:
    """``stream`` with some lines already read from it put back in front (``readline`` only)."""

    def __init__(self, head: list[bytes], stream: BinaryIO) -> None:
        self.head = list(reversed(head))
        self.stream = stream

    def readline(self, size: int = -1) -> bytes:
        if self.head:
            return self.head.pop()
        return self.stream.readline(size)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


#: how much of an over-long line is held at once while skipping it
_SKIP_CHUNK = 1 << 20


def _bounded_lines(stream: BinaryIO | _Prepended | Iterable[bytes], limit: int) -> Iterator[bytes | None]:
    """Lines of ``stream``; ``None`` (and the rest of the line skipped) for a line over
    ``limit`` bytes, so one endless line cannot take all memory.

    >>> import io
    >>> list(_bounded_lines(io.BytesIO(b"ab\\nabcdef\\ncd"), 4))
    [b'ab\\n', None, b'cd']
    """
    readline = getattr(stream, "readline", None)
    if readline is None:  # an iterator of lines (stdin's head, tests): already in memory
        for line in stream:
            yield line if len(line) <= limit else None
        return
    while True:
        line = readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n") and len(line) == limit + 1:
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = readline(_SKIP_CHUNK)
        yield None


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, UnicodeDecodeError):
        return False


def iter_documents(inputs: Iterable[str], config: Config, exclude: Iterable[str] = ()) -> Iterator[Document]:
    """Every document of every input, in order; ``exclude`` lists real paths not to read
    (the run's own output files)."""
    excluded = frozenset(os.path.realpath(p) for p in exclude)
    for item in inputs:
        if item == STDIN:
            yield from read_stdin(config)
            continue
        path = Path(item)
        try:
            is_dir = path.is_dir()
        except OSError as exc:
            yield Document(source=display_name(path.as_posix()), error=f"cannot read: {exc.strerror or exc}")
            continue
        if is_dir:
            for entry in iter_files(path, config, excluded):
                if isinstance(entry, Document):
                    yield entry
                else:
                    yield from read_file(entry[0], entry[1], config)
        elif os.path.lexists(path):
            if os.path.realpath(path) in excluded:
                continue
            yield from read_file(path, display_name(path.as_posix()), config)
        else:
            yield Document(source=display_name(path.as_posix()), error="no such file or folder")


#: documents read ahead of the pipeline, at most (and at most this many bytes of them)
READ_AHEAD_DOCUMENTS = 256
READ_AHEAD_BYTES = 32 * 1024 * 1024


class _Raised:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(documents: Iterator[Document], depth: int = READ_AHEAD_DOCUMENTS) -> Iterator[Document]:
    """``documents`` in the same order, read by a background thread ahead of the caller.

    Reading a file mostly waits for the disk (a large corpus is not in the page cache),
    and Python releases the GIL while it waits: the main process cleans, deduplicates
    and writes meanwhile. Bounded: at most ``depth`` documents and
    :data:`READ_AHEAD_BYTES` bytes wait (one document always may). An exception of the
    reader is raised here, where the caller would have met it; closing this generator
    stops the reader.

    >>> [d.source for d in read_ahead(iter([Document(source="a"), Document(source="b")]))]
    ['a', 'b']
    """
    import threading
    from collections import deque

    waiting: deque[Document | _Raised | None] = deque()
    queued_bytes = 0
    stop = False
    ready = threading.Condition()

    def size(doc: Document) -> int:
        return len(doc.raw or b"") + len(doc.text or "")

    def produce() -> None:
        nonlocal queued_bytes
        item: Document | _Raised | None
        try:
            for doc in documents:
                with ready:
                    while not stop and waiting and (len(waiting) >= depth or queued_bytes >= READ_AHEAD_BYTES):
                        ready.wait()
                    if stop:
                        return
                    waiting.append(doc)
                    queued_bytes += size(doc)
                    ready.notify_all()
            item = None  # the end
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            item = _Raised(exc)
        with ready:
            waiting.append(item)
            ready.notify_all()

    reader = threading.Thread(target=produce, name="newsclean-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            with ready:
                while not waiting:
                    ready.wait()
                item = waiting.popleft()
                if isinstance(item, Document):
                    queued_bytes -= size(item)
                ready.notify_all()
            if item is None:
                return
            if isinstance(item, _Raised):
                raise item.error
            yield item
    finally:
        with ready:
            stop = True
            ready.notify_all()
