"""Held-out evaluation of the filter stage on lines written independently of its rules.

    PYTHONPATH=src python benchmarks/eval_filter_heldout.py          # set 1
    PYTHONPATH=src python benchmarks/eval_filter_heldout.py 3        # tests/data/filter_heldout3.jsonl
    PYTHONPATH=src python benchmarks/eval_filter_heldout.py FILE.jsonl

Nine sets, each written by someone who had not read the rules nor the other sets;
``tests/data/README.md`` says who wrote each, which kinds of sites it holds and how blind
its figure still is (1-6 have since shaped rules or trained the furniture scorer; 7, 8 and 9
are the blind measurement). Sets 2-9 are in page order (furniture above, captions between,
furniture below), so the context mode sees realistic neighbours.

Each record is one line: ``{"text", "label": "noise"|"article", "kind", "script"[, "site"]}``,
e.g. ``{"text": "责任编辑：王翔 SN243", "label": "noise", "kind": "byline", "script": "hans"}``.
A line counts as removed when the stage records a ``drop`` event for it, or when its text
no longer appears among the document's paragraphs (e.g. it was rewritten).

Two modes are run:

* isolated -- each line is its own one-line document;
* context  -- lines are grouped, in file order, into documents of ``GROUP`` lines (never
  across a change of ``site``), since some detectors look at neighbouring lines.

Prints noise removed %, article kept %, per-kind recall (noise) and keep rate (article),
and every miss with the rule that removed/changed the line.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.filter import Filter

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "filter_heldout.jsonl"
GROUP = 6


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_doc(stage: Filter, source: str, texts: list[str]) -> list[tuple[bool, str]]:
    """For each input line: (removed?, rule id or '' ) after running the filter."""
    doc = Document.from_text(source, "\n".join(texts))
    out = stage.process(doc)
    doc = out if out is not None else doc
    whole_dropped = out is None or doc.dropped
    drops: dict[int, str] = {}
    changes: dict[int, str] = {}
    doc_rule = ""
    for ev in doc.events:
        if ev.kind == "drop":
            if ev.line is None:
                doc_rule = ev.rule
            else:
                drops.setdefault(ev.line, ev.rule)
        elif ev.kind == "change" and ev.line is not None:
            changes.setdefault(ev.line, ev.rule)
    kept = {p.line: p.text for p in doc.paragraphs} if not whole_dropped else {}
    result = []
    for i, text in enumerate(texts, start=1):
        if i in drops:
            result.append((True, drops[i]))
        elif whole_dropped:
            result.append((True, f"document:{doc_rule or '?'}"))
        elif kept.get(i) != text.strip():
            result.append((True, f"changed:{changes.get(i, '?')}"))
        else:
            result.append((False, ""))
    return result


def documents(rows: list[dict], group: int) -> list[tuple[int, list[dict]]]:
    """Consecutive lines in documents of at most ``group`` lines; a document never spans
    two sites (a page's furniture never stands above another site's headline)."""
    out: list[tuple[int, list[dict]]] = []
    for start, row in enumerate(rows):
        if out and len(out[-1][1]) < group and out[-1][1][-1].get("site") == row.get("site"):
            out[-1][1].append(row)
        else:
            out.append((start, [row]))
    return out


def evaluate(rows: list[dict], stage: Filter, group: int) -> dict:
    verdicts: list[tuple[bool, str]] = []
    for start, chunk in documents(rows, group):
        verdicts += run_doc(stage, f"heldout-{start}", [r["text"] for r in chunk])
    tot: Counter[tuple[str, str]] = Counter()
    good: Counter[tuple[str, str]] = Counter()
    by_script: Counter[tuple[str, str, bool]] = Counter()
    misses = []
    for row, (removed, rule) in zip(rows, verdicts, strict=True):
        key = (row["label"], row["kind"])
        tot[key] += 1
        ok = removed if row["label"] == "noise" else not removed
        by_script[(row["label"], row["script"], ok)] += 1
        if ok:
            good[key] += 1
        else:
            misses.append((row, rule))
    return {"tot": tot, "good": good, "misses": misses, "by_script": by_script}


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "  n/a"


def summary(res: dict) -> tuple[str, str]:
    tot, good = res["tot"], res["good"]
    n_t = sum(v for (lab, _), v in tot.items() if lab == "noise")
    n_g = sum(v for (lab, _), v in good.items() if lab == "noise")
    a_t = sum(v for (lab, _), v in tot.items() if lab == "article")
    a_g = sum(v for (lab, _), v in good.items() if lab == "article")
    return (f"noise removed {pct(n_g, n_t)} ({n_g}/{n_t})", f"article kept {pct(a_g, a_t)} ({a_g}/{a_t})")


def report(name: str, res: dict) -> None:
    tot, good = res["tot"], res["good"]
    print(f"== {name}")
    print("  " + "   ".join(summary(res)))
    bs = res["by_script"]
    for label in ("noise", "article"):
        parts = []
        for script in ("hans", "hant"):
            g, n = bs[(label, script, True)], bs[(label, script, True)] + bs[(label, script, False)]
            parts.append(f"{script} {pct(g, n)} ({g}/{n})")
        print(f"  {label} {'removed' if label == 'noise' else 'kept'} by script: " + ", ".join(parts))
    for label, what in (("noise", "recall"), ("article", "kept")):
        print(f"  per-kind {label} {what}:")
        for (lab, kind), n in sorted(tot.items()):
            if lab == label:
                print(f"    {kind:12s} {pct(good[(lab, kind)], n)}  ({good[(lab, kind)]}/{n})")
    print("  misses:")
    for row, rule in res["misses"]:
        tag = "NOISE KEPT " if row["label"] == "noise" else f"ARTICLE DROPPED [{rule}]"
        print(f"    {tag:36s} {row['kind']:10s} {row['script']} {row.get('site', ''):18s} {row['text']}")
    print()


def main() -> None:
    arg = sys.argv[1] if len(sys.argv) > 1 else "1"
    path = DATA.with_name(f"filter_heldout{'' if arg == '1' else arg}.jsonl") if arg.isdigit() else Path(arg)
    rows = load(path)
    stage = Filter(Config())
    iso = evaluate(rows, stage, 1)
    ctx = evaluate(rows, Filter(Config()), GROUP)
    report("isolated (one line per document)", iso)
    report(f"context (groups of {GROUP} lines, file order)", ctx)
    print("SUMMARY")
    print("  isolated:       " + "   ".join(summary(iso)))
    print(f"  context ({GROUP}):    " + "   ".join(summary(ctx)))


if __name__ == "__main__":
    main()
