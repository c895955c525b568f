"""Fuzz decode, extract and the whole pipeline with mutated real-looking input.

A deterministic mutation fuzzer (no extra dependency): seeds are the samples plus small
hostile snippets, encoded several ways; each input is a seed with random byte flips,
insertions, deletions, truncation, splices and tag soup. Every input goes through
``decode_bytes``, ``Extract`` (as HTML and as text), the full ``Pipeline`` and the JSONL
reader; a crash is any exception other than ``DecodeError``, an "internal error" on a
document, or a written line that is not strict UTF-8 JSON.

    PYTHONPATH=src python benchmarks/fuzz.py [--count 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
import traceback
from pathlib import Path

from newsclean.config import Config
from newsclean.document import Document
from newsclean.io.sinks import dumps
from newsclean.io.sources import read_jsonl
from newsclean.pipeline import Pipeline
from newsclean.run import output_record, reject_records
from newsclean.stages.decode import DecodeError, decode_bytes
from newsclean.stages.extract import Extract

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SNIPPETS = [
    "新华社北京电　国务院新闻办公室今天举行新闻发布会。",
    "臺北市政府今日宣布調整公車票價。",
    "<html><body><div><p>正文&amp;段落</p><br><nav>首页</nav></div></body></html>",
    "<p>未闭合<div><span>" * 20,
    '{"text": "记录正文", "url": "https://a.cn/1"}\n{"text": "\\ud800"}\n',
    "鏂伴椈鎶ラ亾\u00a0\u200b\x00\x07\u3000",
]
ENCODINGS = ["utf-8", "gb18030", "big5hkscs", "utf-16-le", "utf-16-be", "utf-8-sig", "shift_jis"]


def seeds() -> list[bytes]:
    out = [p.read_bytes() for p in sorted(SAMPLES.iterdir()) if p.is_file() and p.suffix != ".md"]
    for text in SNIPPETS:
        for enc in ENCODINGS:
            try:
                out.append(text.encode(enc))
            except UnicodeEncodeError:
                pass
    return out


def mutate(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(7)
        pos = rng.randint(0, len(buf))
        if op == 0 and buf:  # flip a byte
            buf[min(pos, len(buf) - 1)] = rng.randrange(256)
        elif op == 1:  # insert random bytes
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 2:  # delete a span
            del buf[pos : pos + rng.randint(1, 64)]
        elif op == 3:  # truncate
            del buf[pos:]
        elif op == 4:  # splice in part of another seed
            other = rng.choice(pool)
            start = rng.randint(0, len(other))
            buf[pos:pos] = other[start : start + rng.randint(1, 400)]
        elif op == 5:  # tag soup and entities
            buf[pos:pos] = rng.choice([b"<div>", b"</p>", b"<br>", b"<script>", b"&#x", b"&amp;", b"<!--", b"\n\n"])
        else:  # repeat a span
            span = bytes(buf[pos : pos + rng.randint(1, 32)])
            buf[pos:pos] = span * rng.randint(2, 50)
    return bytes(buf)


def check_written(doc: Document, config: Config) -> None:
    lines = [dumps(r) for r in reject_records(doc)]
    if not doc.error and not doc.dropped:
        lines.append(dumps(output_record(doc, config)))
    for line in lines:
        json.loads(line.encode("utf-8").decode("utf-8"))
    if doc.error and doc.error.startswith("internal error"):
        raise AssertionError(doc.error)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = seeds()
    config = Config(jobs=1)
    pipeline = Pipeline(config)
    extract = Extract(config)
    crashes: list[str] = []
    counts = {"decoded": 0, "refused": 0, "kept": 0, "dropped": 0, "errors": 0, "jsonl_docs": 0}
    nbytes = 0
    started = time.perf_counter()
    for i in range(args.count):
        data = mutate(rng.choice(pool), rng, pool)
        nbytes += len(data)
        try:
            try:
                text = decode_bytes(data).text
                counts["decoded"] += 1
            except DecodeError:
                counts["refused"] += 1
                text = data.decode("utf-8", "replace")
            for kind in ("html", "text"):
                extract.process(Document(source="f", text=text, kind=kind))
            kind = rng.choice(["text", "html"])
            (doc,) = pipeline.run([Document(source=f"fuzz{i}.txt", raw=data, kind=kind)])
            check_written(doc, config)
            counts["errors" if doc.error else "dropped" if doc.dropped else "kept"] += 1
            for doc in pipeline.run(read_jsonl(io.BytesIO(data), f"fuzz{i}.jsonl", config)):
                check_written(doc, config)
                counts["jsonl_docs"] += 1
        except Exception:  # noqa: BLE001 - a crash is what we are looking for
            crashes.append(f"input {i} ({len(data)} bytes, prefix {data[:40]!r}):\n{traceback.format_exc()}")
    seconds = time.perf_counter() - started
    print(f"{args.count} inputs ({nbytes / 1e6:.1f} MB) in {seconds:.1f} s ({args.count / seconds:.0f} inputs/s)")
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    print(f"crashes: {len(crashes)}")
    for crash in crashes[:5]:
        print(crash)
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
