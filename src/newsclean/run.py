"""Running ``clean``: documents in, records, rejects and a report out."""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
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
from newsclean.io.sinks import AtomicFile, dumps
from newsclean.io.sources import iter_documents
from newsclean.pipeline import Pipeline
from newsclean.report import Report

#: fields newsclean writes; an input field of the same name wins, ours moves to newsclean_<name>
OWN_FIELDS = ("id", "source", "text", "encoding", "script", "changes")


def library_versions() -> dict[str, str]:
    import bs4

    return {
        "chardet": chardet.__version__,
        "opencc": getattr(opencc, "__version__", "unknown"),
        "ftfy": ftfy.__version__,
        "rapidfuzz": rapidfuzz.__version__,
        "beautifulsoup4": bs4.__version__,
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
        pipeline = Pipeline(config)
        for doc in pipeline.run(iter_documents(inputs, config, exclude=exclude)):
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
        for f in files:
            f.commit()
    except BaseException:
        for f in files:
            f.abort()
        raise
    finally:
        sys.stdout.flush()
    return report
