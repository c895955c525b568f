"""Throughput and memory of dedup + crossdedup at growing corpus sizes.

    PYTHONPATH=src python benchmarks/bench_dedup.py 10000 100000 1000000

Each size runs three times, each time in a fresh subprocess (peak RSS is per process): with
the in-memory index (``index_in_memory = true``, "memory"), with the default private index
("tiered": in memory up to ``MEMORY_PARAGRAPHS``, then a temporary SQLite file) and with
SQLite from the start ("sqlite": ``--index``). The corpus is synthetic:
documents of 20 paragraphs of 30-120 characters drawn from common Chinese words, with
10% of paragraphs copied (with punctuation or a character changed) from earlier
documents. Reported: paragraphs per second (dedup's time only), peak RSS growth over the
process after start-up (everything dedup holds: Python objects, SQLite page cache, numpy),
RSS growth per paragraph, and the SQLite index file's size per paragraph (disk, not memory).
Times are CPU seconds of this process (less sensitive than wall time to other load).
"""

from __future__ import annotations

import functools
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

PARAS_PER_DOC = 20


@functools.cache
def _words() -> list[str]:
    from wordfreq import top_n_list

    return [w for w in top_n_list("zh", 20000) if all("\u4e00" <= c <= "\u9fff" for c in w)]


def corpus(paragraphs: int, seed: int = 1) -> Iterator[list[str]]:
    rng = random.Random(seed)
    words = _words()
    recent: list[str] = []
    made = 0
    while made < paragraphs:
        doc = []
        for _ in range(min(PARAS_PER_DOC, paragraphs - made)):
            if recent and rng.random() < 0.1:
                text = rng.choice(recent)
                text = text.replace("，", ",") if rng.random() < 0.5 else text[:-3] + "的" + text[-2:]
            else:
                parts = []
                while sum(map(len, parts)) < rng.randint(30, 120):
                    parts.append(rng.choice(words))
                    if rng.random() < 0.12:
                        parts.append(str(rng.randint(1, 2025)) if rng.random() < 0.3 else "，")
                text = "".join(parts) + "。"
                recent.append(text)
                if len(recent) > 5000:
                    recent.pop(rng.randrange(len(recent)))
            doc.append(text)
        made += len(doc)
        yield doc


def measure(paragraphs: int, mode: str) -> dict:
    from newsclean.config import Config
    from newsclean.document import Document
    from newsclean.stages.crossdedup import CrossDedup
    from newsclean.stages.dedup import Dedup

    # warm up: word list, OpenCC dictionaries, numpy, rapidfuzz are start-up costs
    Dedup(Config()).process(Document.from_text("warm.txt", "\n".join(next(corpus(40, seed=2)))))
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "index.sqlite")
        config = Config(index=path if mode == "sqlite" else None, index_in_memory=mode == "memory")
        within, across = Dedup(config), CrossDedup(config)
        removed = 0
        seconds = 0.0
        for n, paras in enumerate(corpus(paragraphs)):
            doc = Document.from_text(f"d{n}.txt", "\n".join(paras))
            start = time.process_time()  # only dedup's time, not the corpus generator's
            doc = across.process(within.process(doc)) or doc
            seconds += time.process_time() - start
            removed += len(paras) - (0 if doc.dropped else len(doc.paragraphs))
        start = time.process_time()
        across.finish()
        seconds += time.process_time() - start
        size = os.path.getsize(path) if mode == "sqlite" else 0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_start
    return {
        "mode": mode,
        "paragraphs": paragraphs,
        "removed": removed,
        "seconds": round(seconds, 1),
        "paragraphs_per_s": round(paragraphs / seconds),
        "rss_growth_mb": round(rss / 1e3, 1),
        "rss_bytes_per_paragraph": round(rss * 1e3 / paragraphs),
        "index_file_bytes_per_paragraph": round(size / paragraphs),
    }


def main() -> int:
    if len(sys.argv) > 3 and sys.argv[1] == "--one":
        print(json.dumps(measure(int(sys.argv[2]), sys.argv[3])))
        return 0
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    print(
        f"{'index':>6} {'paragraphs':>10} {'removed':>8} {'CPU s':>8} {'para/s':>8} {'RSS+ MB':>8} "
        f"{'RSS+ B/para':>11} {'file B/para':>11}"
    )
    for size in sizes:
        for mode in ("memory", "tiered", "sqlite"):
            cmd = [sys.executable, __file__, "--one", str(size), mode]
            r = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            print(
                f"{r['mode']:>6} {r['paragraphs']:>10} {r['removed']:>8} {r['seconds']:>8} {r['paragraphs_per_s']:>8} "
                f"{r['rss_growth_mb']:>8} {r['rss_bytes_per_paragraph']:>11} {r['index_file_bytes_per_paragraph']:>11}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
