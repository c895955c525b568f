"""The plain approach newsclean is compared with: what a user would write in an afternoon.

Per file: ``chardet.detect`` -> decode -> ``ftfy.fix_text`` -> OpenCC ``t2s`` -> split into
lines -> drop a line when rapidfuzz finds a kept line of the same document at least 90%
similar (``fuzz.ratio``). One process, JSONL out. No HTML parsing, no audit trail, no
spam or boilerplate rules: it does less than newsclean, so the speed ratio is conservative.

    python benchmarks/baseline_plain.py benchmarks/corpus/mb10-seed1 -o /tmp/plain.jsonl
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import chardet
import ftfy
import opencc
from rapidfuzz import fuzz, process

SUFFIXES = (".txt", ".html", ".htm")
NEAR_DUP_THRESHOLD = 90


def iter_files(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(SUFFIXES):
                yield Path(root) / name


def clean_bytes(data: bytes, cc: opencc.OpenCC) -> list[str]:
    """The plain cleaning of one file: its kept paragraphs."""
    name = chardet.detect(data).get("encoding") or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        name = "utf-8"
    text = cc.convert(ftfy.fix_text(data.decode(name, errors="replace")))
    kept: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line and process.extractOne(line, kept, scorer=fuzz.ratio, score_cutoff=NEAR_DUP_THRESHOLD) is None:
            kept.append(line)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="plain chardet + ftfy + OpenCC + rapidfuzz cleaner")
    parser.add_argument("folder", type=Path)
    parser.add_argument("-o", "--output", default="-")
    args = parser.parse_args(argv)
    cc = opencc.OpenCC("t2s")
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    start = time.perf_counter()
    files = nbytes = 0
    with out:
        for path in iter_files(args.folder):
            data = path.read_bytes()
            kept = clean_bytes(data, cc)
            out.write(json.dumps({"source": str(path), "text": "\n".join(kept)}, ensure_ascii=False) + "\n")
            files += 1
            nbytes += len(data)
    print(f"{files} files, {nbytes} bytes in {time.perf_counter() - start:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
