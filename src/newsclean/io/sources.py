"""Inputs: folders, files and stdin, turned into documents in a deterministic order.

Folders are walked recursively in sorted order (symlinked folders followed once, so a
symlink loop ends); ``.txt .html .htm .jsonl`` in any case are read (``--glob`` changes
that). A ``.jsonl`` file is streamed line by line, one document per record, with every
field but the text kept for the output. Anything that cannot be read becomes a document
with ``error`` set, so the run goes on and the error is reported.
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

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
    stack = [folder]
    # Walk by hand (not os.walk) to sort, follow symlinked folders once, and report errors.
    pending: list[Path] = []
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
                if os.path.realpath(path) not in exclude:
                    pending.append(path)
        # files of this folder before its subfolders, all sorted
        for path in pending:
            yield path, _rel(path, folder)
        pending = []
        stack.extend(reversed(dirs))


def _rel(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.as_posix()


def read_file(path: Path, source: str, config: Config) -> Iterator[Document]:
    """Documents from one file: one for .txt/.html, one per record for .jsonl."""
    kind = _kind_for(path.name)
    try:
        size = path.stat().st_size
        if size > config.max_file_bytes and kind != "jsonl":
            yield Document(
                source=source,
                error=f"file is {size} bytes, over the limit of "
                f"{config.max_file_bytes} (raise max_file_bytes to read it)",
            )
            return
        if kind == "jsonl":
            with path.open("rb") as fh:
                yield from read_jsonl(fh, source, config)
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Document(source=source, error=f"cannot read: {exc.strerror or exc}")
        return
    yield Document(source=source, raw=data, kind=kind, group=_group(source), meta={"bytes": len(data)})


def _group(source: str) -> str:
    """The folder of a file: the default "site" for learned boilerplate."""
    return source.rpartition("/")[0]


def read_jsonl(
    stream: BinaryIO | Iterable[bytes], source: str, config: Config, first_line: int = 1
) -> Iterator[Document]:
    for n, raw in enumerate(stream, start=first_line):
        where = f"{source}#{n}"
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
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Document(source=where, error=f"line {n}: not valid JSON ({exc.msg} at column {exc.colno})")
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
    first non-blank line unless ``input_format`` says)."""
    stream = stream or sys.stdin.buffer
    fmt = config.input_format
    head: list[bytes] = []
    if fmt == "auto":
        for line in stream:
            head.append(line)
            if line.strip():
                break
        first = head[-1].strip() if head else b""
        fmt = "jsonl" if first.startswith(b"{") and _is_json_object(first) else "text"
    if fmt == "jsonl":
        yield from read_jsonl(_chain(iter(head), stream), STDIN, config)
        return
    data = b"".join(head) + stream.read()
    yield Document(source=STDIN, raw=data, kind="html" if fmt == "html" else "text", meta={"bytes": len(data)})


def _chain(first: Iterator[bytes], rest: Iterable[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


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
        if path.is_dir():
            for entry in iter_files(path, config, excluded):
                if isinstance(entry, Document):
                    yield entry
                else:
                    yield from read_file(entry[0], entry[1], config)
        elif os.path.lexists(path):
            if os.path.realpath(path) in excluded:
                continue
            yield from read_file(path, path.as_posix(), config)
        else:
            yield Document(source=path.as_posix(), error="no such file or folder")
