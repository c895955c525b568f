"""End to end over samples/: the output and the audit trail of every sample, compared
with tests/golden/<sample>.jsonl.

A golden file holds the sample's output records (``{"record": ...}``) and then its
events (``{"event": ...}``), one per line, so a review of a change shows exactly which
line of which sample changed and why. After an intended change, regenerate and review:

    pytest tests/test_end_to_end.py --update-golden && git diff tests/golden
"""

from __future__ import annotations

import difflib
import json
from collections import defaultdict
from pathlib import Path

import pytest

from newsclean.config import Config
from newsclean.run import Outputs, clean

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if p.suffix.lower() in (".txt", ".html", ".htm", ".jsonl"))


def sample_of(source: str) -> str:
    """``crawl_mixed.jsonl#3`` belongs to ``crawl_mixed.jsonl``."""
    return source.split("#", 1)[0]


@pytest.fixture(scope="module")
def actual(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The golden lines each sample produces now (one run over the whole folder)."""
    tmp = tmp_path_factory.mktemp("e2e")
    out, rejects = tmp / "out.jsonl", tmp / "rejects.jsonl"
    clean([str(SAMPLES)], Config(jobs=1), Outputs(str(out), str(rejects)))
    lines: dict[str, list[str]] = defaultdict(list)
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        lines[sample_of(record["source"])].append(json.dumps({"record": record}, ensure_ascii=False))
    for line in rejects.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if event.get("type") == "header":  # versions and config: not part of the behaviour
            continue
        lines[sample_of(event["source"])].append(json.dumps({"event": event}, ensure_ascii=False))
    return lines


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_matches_golden(name: str, actual: dict[str, list[str]], update_golden: bool) -> None:
    golden = GOLDEN / f"{name}.jsonl"
    now = actual.get(name, [])
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text("".join(line + "\n" for line in now), encoding="utf-8")
        return
    if not golden.exists():
        pytest.fail(f"no golden file for {name}: run pytest tests/test_end_to_end.py --update-golden")
    expected = golden.read_text(encoding="utf-8").splitlines()
    if now != expected:
        diff = "\n".join(difflib.unified_diff(expected, now, "golden", "now", lineterm="", n=1))
        pytest.fail(
            f"{name} differs from {golden.relative_to(ROOT)}; if intended, rerun with --update-golden "
            f"and review git diff:\n{diff}"
        )


def test_no_golden_file_without_a_sample(update_golden: bool) -> None:
    stale = sorted({p.name.removesuffix(".jsonl") for p in GOLDEN.glob("*.jsonl")} - set(SAMPLE_NAMES))
    if update_golden:
        for name in stale:
            (GOLDEN / f"{name}.jsonl").unlink()
        return
    assert not stale, f"golden files for samples that no longer exist: {stale} (--update-golden removes them)"


def test_every_sample_has_output_or_a_reason(actual: dict[str, list[str]]) -> None:
    for name in SAMPLE_NAMES:
        assert actual.get(name), f"{name} produced neither a record nor an event"
