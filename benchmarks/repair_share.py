"""The repair stage's share of pipeline time on text with nothing to repair (issue #3).

Takes the cleaned text of the benchmark corpus (``make_corpus.py``: the same news prose,
sites and sizes, after a newsclean run), leaves out the documents that had mojibake (any
repair event: their text may still hold damage repair could only flag), writes the rest
back as UTF-8 files in the same site folders, and times every stage in process
(``--jobs 1``), as ``run.py`` does.

    /tmp/venv/bin/python benchmarks/repair_share.py            # 10 MB corpus
    /tmp/venv/bin/python benchmarks/repair_share.py --mb 50
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import make_corpus  # noqa: E402
import run  # noqa: E402

from newsclean.config import Config  # noqa: E402
from newsclean.run import Outputs, clean  # noqa: E402


def clean_corpus(source: Path, target: Path) -> int:
    """Write the cleaned text of every document of ``source`` under ``target``; files written."""
    out, rejects = target / "cleaned.jsonl", target / "rejects.jsonl"
    clean([str(source)], Config.from_mapping({"jobs": 2}), Outputs(output=str(out), rejects=str(rejects)))
    with rejects.open(encoding="utf-8") as fh:
        damaged = {r["source"] for r in map(json.loads, fh) if r.get("stage") == "repair"}
    count = 0
    with out.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["source"] in damaged:
                continue
            path = target / "corpus" / Path(record["source"]).with_suffix(".txt")  # sources are relative to the folder
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(record["text"] + "\n", encoding="utf-8")
            count += 1
    out.unlink()
    rejects.unlink()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    source = make_corpus.build(args.mb, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        files = clean_corpus(source, Path(tmp))
        result = run.stage_times(Path(tmp) / "corpus", {})
    stages = result["seconds"]
    total = result["total_s"]
    print(f"clean text: {files} files, {result['mb']:.1f} MB, pipeline {total:.2f} s (--jobs 1, in process)")
    for name, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<40} {seconds:6.2f} s  {100 * seconds / total:5.1f} %")
    share = 100 * stages.get("repair", 0.0) / total
    print(f"repair: {share:.1f} % of the pipeline's time (target: under 10 %)")


if __name__ == "__main__":
    main()
