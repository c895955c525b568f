"""Evaluate the filter stage on the labelled test set and measure its throughput.

    PYTHONPATH=src python benchmarks/eval_filter.py [tests/data/filter_pages.jsonl]

Each record of the test set is a page: ``{"site": ..., "lines": [{"text", "label",
"fixed"?}]}`` with label ``noise`` (must be dropped), ``article`` (must stay unchanged) or
``artefact`` (must stay, changed to ``fixed``). Prints overall and per-rule figures, every
miss, then MB/s on clean article text.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.filter import Filter

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "filter_pages.jsonl"


def evaluate(path: Path, stage: Filter) -> dict[str, float]:
    totals: Counter[str] = Counter()
    good: Counter[str] = Counter()
    per_rule: Counter[str] = Counter()
    wrong_rule: Counter[str] = Counter()
    misses: list[str] = []
    for record in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
        lines = record["lines"]
        doc = stage.process(Document.from_text(record["site"], "\n".join(x["text"] for x in lines)))
        kept = {p.line: p.text for p in doc.paragraphs}
        drops = {e.line: e.rule for e in doc.events if e.kind == "drop"}
        for e in doc.events:
            per_rule[f"{e.kind} {e.rule}"] += 1
        for n, line in enumerate(lines, start=1):
            label = line["label"]
            totals[label] += 1
            if label == "noise":
                ok = n in drops
            elif label == "article":
                ok = kept.get(n) == line["text"]
                if n in drops:
                    wrong_rule[drops[n]] += 1
            else:
                ok = kept.get(n) == line["fixed"]
            good[label] += ok
            if not ok:
                misses.append(f"{label:8} {line['text'][:60]!r} -> {kept.get(n, 'DROPPED ' + drops.get(n, ''))!r:.70}")
    for miss in sorted(set(misses)):
        print("MISS", miss)
    print("\nper rule (events):")
    for rule, n in sorted(per_rule.items()):
        print(f"  {rule:32} {n:5}  wrongly dropped article lines: {wrong_rule.get(rule.split()[1], 0)}")
    figures = {label: good[label] / totals[label] for label in totals}
    print(
        f"\nnoise removed {good['noise']}/{totals['noise']} = {figures['noise']:.1%}; "
        f"article kept {good['article']}/{totals['article']} = {figures['article']:.1%}; "
        f"artefacts fixed {good['artefact']}/{totals['artefact']} = {figures['artefact']:.1%}"
    )
    return figures


def throughput(stage: Filter, megabytes: float = 4.0) -> float:
    """MB/s (UTF-8 input bytes) on clean article text from the seed page."""
    sample = Path(__file__).resolve().parent.parent / "samples" / "001_7e9fe6cf0f86c571.txt"
    article = [x for x in sample.read_text(encoding="utf-8").splitlines() if len(x) > 40]
    text = "\n".join(article)
    docs, size = [], 0
    while size < megabytes * 1e6:
        docs.append(text)
        size += len(text.encode("utf-8"))
    start = time.perf_counter()
    for i, t in enumerate(docs):
        stage.process(Document.from_text(f"{i}.txt", t))
    elapsed = time.perf_counter() - start
    return size / 1e6 / elapsed


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    stage = Filter(Config())
    evaluate(path, stage)
    print(f"throughput on clean article text: {throughput(stage):.1f} MB/s (paragraph split included)")


if __name__ == "__main__":
    main()
