"""Timing guard: every regular expression in newsclean on 1 MB pathological lines.

Finds every compiled pattern in every newsclean module (module globals, class attributes,
and the attributes of each stage built with the default config, so patterns compiled
from rule files count too), runs ``finditer`` and ``sub`` over each pathological line,
and fails (exit 1) if any takes over the limit. A pattern that backtracks
catastrophically would take minutes; an alarm stops it after ``--timeout`` seconds.

    PYTHONPATH=src python benchmarks/pathological_lines.py [--size 1000000] [--limit 1.0]

Then each stage runs on a document made of each 1 MB line, as the pipeline runs it (this
decides the exit code: raw patterns that the stages never apply to long lines only
report), and the whole pipeline runs over one 20 MB line (as text, and as HTML) and the time and
peak memory are printed (``--big-mb 0`` skips it).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any

import newsclean
from newsclean.config import Config


def lines(size: int) -> dict[str, str]:
    """Lines built to hurt: long runs of what patterns look for, almost matching."""
    unit = {
        "han": "中",
        "ascii": "a",
        "spaces": " ",
        "space-tab": " \t",
        "ideographic-space": "\u3000",
        "nbsp-zwsp": "\u00a0\u200b",
        "open-angle": "<",
        "unclosed-tags": "<a ",
        "tags": "<b>",
        "entities": "&#",
        "punct": "。，",
        "digits": "1",
        "url": "http://a",
        "mojibake": "鏂伴椈",
        "replacement": "\ufffd",
        "controls": "\x07\x1b",
        "newlines": "\n",
        "cr": "\r",
        "brackets": "【",
        "quotes": "“",
        "mixed": "新闻 <p>&amp; 12:30 http://x.cn/?a=1 【广告】",
    }
    return {name: (u * (size // len(u) + 1))[:size] for name, u in unit.items()}


def patterns() -> Iterator[tuple[str, re.Pattern[Any]]]:
    seen: set[int] = set()

    def scan(owner: str, namespace: dict[str, Any]) -> Iterator[tuple[str, re.Pattern[Any]]]:
        for name, value in namespace.items():
            values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
            if isinstance(value, dict):
                values = list(value.values())
            for v in values:
                if isinstance(v, re.Pattern) and id(v) not in seen:
                    seen.add(id(v))
                    yield f"{owner}.{name}", v

    for info in pkgutil.walk_packages(newsclean.__path__, "newsclean."):
        try:
            module = importlib.import_module(info.name)
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"cannot import {info.name}: {exc}", file=sys.stderr)
            continue
        yield from scan(info.name, vars(module))
        for attr in vars(module).values():
            if isinstance(attr, type) and attr.__module__ == info.name:
                yield from scan(f"{info.name}.{attr.__name__}", vars(attr))
    from newsclean.pipeline import build_stages

    for stage in build_stages(Config(jobs=1)):
        yield from scan(f"stage {stage.name}", vars(stage))
        for value in vars(stage).values():  # rule objects holding patterns
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if hasattr(item, "__dict__"):
                    yield from scan(f"stage {stage.name} {type(item).__name__}", vars(item))


class Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="characters per line")
    parser.add_argument("--limit", type=float, default=1.0, help="seconds allowed per pattern and line")
    parser.add_argument("--timeout", type=int, default=20, help="seconds before a pattern is stopped")
    parser.add_argument("--big-mb", type=int, default=20, help="size of the one-line file for the pipeline run")
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    texts = lines(args.size)
    encoded = {k: v.encode("utf-8", "surrogatepass") for k, v in texts.items()}
    found = list(patterns())
    print(f"{len(found)} patterns x {len(texts)} lines of {args.size} characters")
    slow = []
    worst: list[tuple[float, str, str]] = []
    for where, pattern in found:
        subject = encoded if isinstance(pattern.pattern, bytes) else texts
        for line_name, line in subject.items():
            start = time.perf_counter()
            signal.alarm(args.timeout)
            try:
                for _ in pattern.finditer(line):
                    pass
                pattern.sub(b"" if isinstance(line, bytes) else "", line)
                seconds = time.perf_counter() - start
            except Timeout:
                seconds = float("inf")
            finally:
                signal.alarm(0)
            worst.append((seconds, where, line_name))
            if seconds > args.limit:
                slow.append((seconds, where, line_name))
    worst.sort(reverse=True)
    print("slowest:")
    for seconds, where, line_name in worst[:8]:
        print(f"  {seconds:8.3f} s  {where}  on {line_name}")
    total = sum(s for s, _, _ in worst)
    print(f"total {total:.2f} s over {len(worst)} runs; over {args.limit} s: {len(slow)}")
    for seconds, where, line_name in slow:
        print(f"SLOW {where} on {line_name}: {seconds:.2f} s")
    stage_slow = stages_on_lines(texts, args.limit, args.timeout)
    if args.big_mb:
        whole_pipeline_on_one_line(args.big_mb)
    return 1 if stage_slow else 0


def stages_on_lines(texts: dict[str, str], limit: float, timeout: int) -> list[tuple[float, str, str]]:
    """Each per-line stage on a document of one pathological line, as the pipeline runs it.

    A raw pattern above can be slow on 1 MB yet never see such a line: the filter only
    tries whole-line rules on lines of at most 200 characters, for example. This is the
    figure that matters: how long each stage takes on the line.
    """
    from newsclean.document import Document
    from newsclean.pipeline import build_stages

    stages = [s for s in build_stages(Config(jobs=1)) if s.name not in ("decode", "extract")]
    slow: list[tuple[float, str, str]] = []
    print(f"stages on one line of {len(next(iter(texts.values())))} characters:")
    for stage in stages:
        worst = (0.0, "")
        for line_name, line in texts.items():
            doc = Document.from_text(f"{line_name}.txt", line)
            if stage.needs_observe:
                stage.observe(doc)
            start = time.perf_counter()
            signal.alarm(timeout)
            try:
                stage.process(doc)
                seconds = time.perf_counter() - start
            except Timeout:
                seconds = float("inf")
            finally:
                signal.alarm(0)
            worst = max(worst, (seconds, line_name))
            if seconds > limit:
                slow.append((seconds, stage.name, line_name))
        print(f"  {stage.name:<11} slowest {worst[0]:.3f} s (on {worst[1]})")
    for seconds, name, line_name in slow:
        print(f"SLOW stage {name} on {line_name}: {seconds:.2f} s")
    return slow


def whole_pipeline_on_one_line(megabytes: int) -> None:
    import resource

    from newsclean.document import Document
    from newsclean.pipeline import Pipeline

    pipeline = Pipeline(Config(jobs=1))
    chars = megabytes * 1024 * 1024 // 3
    cases = {
        "text": ("新闻" * (chars // 2)).encode(),
        "html": (
            "<html><body><p>" + "新闻<b>报道</b>" * (megabytes * 1024 * 1024 // 19) + "</p></body></html>"
        ).encode(),
    }
    for kind, data in cases.items():
        start = time.perf_counter()
        (doc,) = pipeline.run([Document(source=f"big.{kind}", raw=data, kind=kind)])
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rules = sorted({e.rule for e in doc.events})
        print(
            f"pipeline on one {len(data) / 1e6:.0f} MB {kind} line: {seconds:.1f} s, peak RSS {peak:.0f} MB, "
            f"{len(doc.clean_text)} characters out, events {rules}, error {doc.error}"
        )


if __name__ == "__main__":
    sys.exit(main())
