"""Running ``clean``: documents in, records, rejects and a report out."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import chardet
import ftfy
import opencc
import rapidfuzz

from newsclean import __version__
from newsclean.config import Config
from newsclean.document import Document
from newsclean.findings import code_for_error, code_for_event
from newsclean.io.sinks import STDOUT, AtomicFile, OutputError, dumps
from newsclean.io.sources import iter_documents, read_ahead
from newsclean.pipeline import Pipeline, one_folder
from newsclean.report import Report

#: fields newsclean writes; an input field of the same name wins, ours moves to newsclean_<name>
OWN_FIELDS = ("id", "source", "text", "encoding", "script", "changes")


def library_versions() -> dict[str, str]:
    import bs4
    from lxml import etree

    return {
        "chardet": chardet.__version__,
        "opencc": getattr(opencc, "__version__", "unknown"),
        "ftfy": ftfy.__version__,
        "rapidfuzz": rapidfuzz.__version__,
        "beautifulsoup4": bs4.__version__,
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
    }


def doc_id(source: str, text: str) -> str:
    """Stable id from source and cleaned text.

    >>> doc_id("a.txt", "正文")
    'e7a4a3eacbbd4862'
    """
    return hashlib.sha256(f"{source}\n{text}".encode()).hexdigest()[:16]


def output_record(doc: Document, config: Config) -> dict[str, Any]:
    text = doc.clean_text
    text_key = config.text_field if doc.fields or config.text_field != "text" else "text"
    ours: dict[str, Any] = {
        "id": doc_id(doc.source, text),
        "source": doc.source,
        text_key: text,
        "encoding": doc.meta.get("encoding"),
        "script": doc.meta.get("script"),
        "changes": dict(sorted(Counter(e.stage for e in doc.events).items())),
    }
    for key, value in doc.meta.get("fields_out", {}).items():
        ours.setdefault(key, value)
    record = {k: v for k, v in ours.items() if v is not None and k not in doc.fields}
    for key, value in doc.fields.items():
        if key in ours and ours[key] is not None:
            record[f"newsclean_{key}"] = ours[key]
        record[key] = value
    return record


def reject_records(doc: Document) -> Iterable[dict[str, Any]]:
    """Rejects records; ``code`` is the rule code ``check`` reports the same thing under."""
    if doc.error:
        yield {
            "type": "error",
            "source": doc.source,
            "stage": "input",
            "code": code_for_error(doc.error),
            "reason": doc.error,
        }
    for event in doc.events:
        yield {"type": "event", "source": doc.source, "code": code_for_event(event), **event.to_dict()}


def header(config: Config) -> dict[str, Any]:
    return {"type": "header", "newsclean": __version__, "config": config.to_dict(), "libraries": library_versions()}


def _looks_like_our_output(path: str) -> bool:
    """True when a file is empty or starts like a file newsclean writes (a record, the
    rejects header, a report), so overwriting it loses no input."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(1 << 20)
    except OSError:
        return False
    if not first.strip():
        return True
    try:
        head = json.loads(first)
    except ValueError:
        return first.strip() == b"{"  # the report, indented
    return isinstance(head, dict) and (
        head.get("type") == "header" or {"id", "source", "changes"} <= head.keys() or "newsclean" in head
    )


def check_outputs(inputs: list[str], outputs: Outputs, config: Config) -> None:
    """Refuse outputs that would overwrite an input or each other, before any work.

    An output inside an input folder is not read back (see ``iter_documents``); an
    existing file there that the run would read is an input, and is not overwritten unless
    it is a previous run's output.
    """
    paths = [p for p in (outputs.output, outputs.rejects, outputs.report) if p and p != STDOUT]
    real = [os.path.realpath(p) for p in paths]
    for i, (path, r) in enumerate(zip(paths, real, strict=True)):
        if r in real[:i]:
            raise OutputError(f"{path} is given for two outputs; give each its own file")
    folders = []
    for item in inputs:
        if item == STDOUT:
            continue
        r = os.path.realpath(item)
        if os.path.isdir(item):
            folders.append(r + os.sep)
        elif r in real:
            raise OutputError(f"output {item} is also an input; choose another path")
    for path, r in zip(paths, real, strict=True):
        if not os.path.isfile(r) or not any(r.startswith(f) for f in folders):
            continue
        reads_it = any(fnmatch.fnmatch(os.path.basename(r).lower(), g.lower()) for g in config.globs)
        if reads_it and not _looks_like_our_output(r):
            raise OutputError(
                f"output {path} is an input file inside an input folder and would be overwritten; choose another path"
            )


@dataclass
class Outputs:
    output: str = "-"
    rejects: str | None = None
    report: str | None = None


def clean(
    inputs: list[str],
    config: Config,
    outputs: Outputs,
    on_error: Callable[[Document], None] | None = None,
    on_document: Callable[[Document], None] | None = None,
) -> Report:
    """Run the pipeline over ``inputs``; files are committed only if the run completes."""
    report = Report()
    check_outputs(inputs, outputs, config)
    files: list[AtomicFile] = []
    try:
        out = AtomicFile(outputs.output)
        files.append(out)
        rejects = AtomicFile(outputs.rejects) if outputs.rejects else None
        if rejects:
            files.append(rejects)
            rejects.write(dumps(header(config)))
        exclude = [f.path for f in files if f.path != "-"] + [f.temp_path for f in files if f.temp_path]
        if outputs.report and outputs.report != "-":
            exclude.append(outputs.report)
        pipeline = Pipeline(config, folder_grouped=one_folder(inputs))
        # closing(): on a write error the pipeline (and its worker pool) is shut down here,
        # not whenever the generator happens to be collected
        with closing(pipeline.run(read_ahead(iter_documents(inputs, config, exclude=exclude)))) as documents:
            for doc in documents:
                kept = not doc.error and not doc.dropped
                nbytes = 0
                if kept:
                    line = dumps(output_record(doc, config))
                    nbytes = len(line.encode("utf-8"))
                    out.write(line)
                if rejects:
                    for rec in reject_records(doc):
                        rejects.write(dumps(rec))
                if doc.error and on_error:
                    on_error(doc)
                report.add(doc, kept, nbytes)
                if on_document:
                    on_document(doc)
        if outputs.report:
            rep = AtomicFile(outputs.report)
            files.append(rep)
            rep.write(json.dumps(report.full(), ensure_ascii=False, indent=2) + "\n")
        # Ctrl-C or SIGTERM waits until every file is renamed: all outputs or none. One
        # that arrives meanwhile came too late to stop the run, which is now complete.
        stop = {signal.SIGINT, signal.SIGTERM}
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stop)
        try:
            for f in files:
                f.commit()
        finally:
            for signum in signal.sigpending() & stop:
                signal.sigwait({signum})
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    except BaseException:
        for f in files:
            f.abort()
        raise
    finally:
        sys.stdout.flush()
    return report
