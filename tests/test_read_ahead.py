"""read_ahead: documents read by a background thread, in order, bounded, errors passed on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from newsclean.document import Document
from newsclean.io.sources import read_ahead


def _documents(n: int, produced: list[int] | None = None) -> Iterator[Document]:
    for i in range(n):
        if produced is not None:
            produced.append(i)
        yield Document(source=f"{i}.txt", raw=f"第{i}篇".encode())


def test_same_documents_in_the_same_order() -> None:
    assert [d.source for d in read_ahead(_documents(1000), depth=7)] == [f"{i}.txt" for i in range(1000)]


def test_reads_at_most_depth_ahead() -> None:
    produced: list[int] = []
    out = read_ahead(_documents(100, produced), depth=5)
    assert next(out).source == "0.txt"
    time.sleep(0.2)
    # one taken, five waiting, and the reader holding the next one it could not queue
    assert len(produced) <= 7
    out.close()


def test_an_error_of_the_reader_reaches_the_caller_after_the_documents_before_it() -> None:
    def failing() -> Iterator[Document]:
        yield Document(source="a.txt")
        raise OSError("disk gone")

    out = read_ahead(failing())
    assert next(out).source == "a.txt"
    with pytest.raises(OSError, match="disk gone"):
        next(out)


def test_closing_stops_the_reader() -> None:
    out = read_ahead(_documents(10_000), depth=3)
    next(out)
    out.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(t.name == "newsclean-read-ahead" for t in threading.enumerate()):
        time.sleep(0.01)
    assert not any(t.name == "newsclean-read-ahead" for t in threading.enumerate())
