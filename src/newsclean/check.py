"""Running ``check``: the clean pipeline without output, its events judged as findings.

What fails: every finding not in the baseline whose severity is at or above ``fail_on``
(``warning`` by default, so ``info`` findings such as normalisation fixes only inform),
except that when ``max_dup_ratio`` (NC5xx) or ``max_boilerplate_ratio`` (NC3xx) is set,
that family fails only when the share of input documents with such a finding is over it.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text("北京今天晴。\\n北京今天晴。\\n", encoding="utf-8")
>>> result = run_check([str(folder)], Config(jobs=1))
>>> [(f.line, f.rule) for f in result.reported], result.passed
([(2, 'exact-duplicate')], False)
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsclean.config import Config, ConfigError
from newsclean.document import Document
from newsclean.findings import (
    BOILERPLATE_FAMILY,
    DUPLICATE_FAMILY,
    SEVERITIES,
    CodeBook,
    Finding,
    findings_for_document,
    fingerprint,
    load_codes,
)
from newsclean.io.sinks import AtomicFile
from newsclean.io.sources import STDIN, iter_documents
from newsclean.pipeline import Pipeline, one_folder
from newsclean.report import Report

BASELINE_VERSION = 1
_CODE_PREFIX = re.compile(r"NC\d{0,4}")


@dataclass
class CheckResult:
    """Findings (selected ones, baselined or not), document counts and the verdict."""

    findings: list[Finding]
    documents: dict[str, int]
    counts_add_up: bool = True
    #: name -> (ratio, limit or None)
    ratios: dict[str, tuple[float, float | None]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.reasons

    @property
    def reported(self) -> list[Finding]:
        """Findings not in the baseline: the ones shown."""
        return [f for f in self.findings if not f.baselined]

    @property
    def baselined_count(self) -> int:
        return sum(1 for f in self.findings if f.baselined)

    def counts_by_code(self) -> list[tuple[str, int]]:
        """(code, findings) for the reported findings, most frequent first."""
        counts = Counter(f.code for f in self.reported)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def validate(config: Config) -> None:
    """Raise :class:`ConfigError` for check settings that make no sense."""
    if config.fail_on not in SEVERITIES:
        raise ConfigError(f"fail_on must be one of {', '.join(SEVERITIES)}, not {config.fail_on!r}")
    for name in ("max_dup_ratio", "max_boilerplate_ratio"):
        value = getattr(config, name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1
        ):
            raise ConfigError(f"{name} must be a number from 0 to 1, not {value!r}")
    for name in ("select", "ignore"):
        for prefix in getattr(config, name):
            if not _CODE_PREFIX.fullmatch(prefix.upper()):
                raise ConfigError(f"{name}: {prefix!r} is not a code or code prefix such as NC5 or NC501")


def is_selected(code: str, config: Config) -> bool:
    """Whether ``--select``/``--ignore`` keep a code (longest prefix decides, like ruff).

    >>> is_selected("NC501", Config(select=("NC5",), ignore=("NC50",)))
    False
    >>> is_selected("NC501", Config(select=("NC501",), ignore=("NC5",)))
    True
    """
    select = [p.upper() for p in config.select] or [""]
    best_select = max((len(p) for p in select if code.startswith(p)), default=-1)
    best_ignore = max((len(p.upper()) for p in config.ignore if code.startswith(p.upper())), default=-1)
    return best_select >= 0 and best_select > best_ignore


def documents_of(inputs: Iterable[str], config: Config, exclude: Iterable[str] = ()) -> Iterator[Document]:
    """The documents of ``inputs``, their sources made openable paths: a file found in a
    folder is named with the folder (``samples/a.txt``, not ``a.txt``), as editors and CI
    annotations need."""
    for item in inputs:
        is_dir = item != STDIN and os.path.isdir(item)
        for doc in iter_documents([item], config, exclude=exclude):
            if is_dir:
                doc.source = posixpath.normpath(posixpath.join(Path(item).as_posix(), doc.source))
            yield doc


def collect(
    inputs: list[str], config: Config, book: CodeBook, pipeline: Pipeline | None = None
) -> tuple[list[Finding], Report, int]:
    """Run the pipeline; (every finding, the report, documents read)."""
    read = 0

    def counted(docs: Iterator[Document]) -> Iterator[Document]:
        nonlocal read
        for doc in docs:
            read += 1
            yield doc

    exclude = [config.baseline] if config.baseline else []
    pipeline = pipeline or Pipeline(config, folder_grouped=one_folder(inputs))
    report = Report()
    findings: list[Finding] = []
    for doc in pipeline.run(counted(documents_of(inputs, config, exclude))):
        report.add(doc, kept=not doc.error and not doc.dropped)
        # filter as we go: a big corpus has many unselected (e.g. ignored info) findings
        findings.extend(f for f in findings_for_document(doc, book) if is_selected(f.code, config))
    return findings, report, read


def run_check(
    inputs: list[str], config: Config, pipeline: Pipeline | None = None, use_baseline: bool = True
) -> CheckResult:
    """Check ``inputs``: findings, baseline applied (unless ``use_baseline`` is false),
    thresholds judged."""
    validate(config)
    book = load_codes()
    findings, report, read = collect(inputs, config, book, pipeline)
    documents = {k: report.docs[k] for k in ("in", "kept", "dropped", "errors")}
    adds_up = read == documents["in"] == documents["kept"] + documents["dropped"] + documents["errors"]
    if not adds_up:
        entry = book.by_code["NC090"]
        detail = (
            f"{read} documents read, {documents['in']} came out: {documents['kept']} kept + "
            f"{documents['dropped']} dropped + {documents['errors']} errors"
        )
        where = inputs[0] if inputs else "-"
        findings.append(
            Finding(where, 1, 1, entry.code, entry.severity, "pipeline", entry.rule, entry.message, detail,
                    document=where, fingerprint=fingerprint(where, entry.code, detail))
        )  # fmt: skip
    findings = [f for f in findings if is_selected(f.code, config)]  # NC090 too
    order = {path: i for i, path in reversed(list(enumerate(f.path for f in findings)))}
    findings.sort(key=lambda f: (order[f.path], f.line, f.col, f.code))
    if use_baseline and config.baseline:
        apply_baseline(findings, load_baseline(config.baseline))
    return judge(findings, documents, adds_up, config, read)


def judge(findings: list[Finding], documents: dict[str, int], adds_up: bool, config: Config, read: int) -> CheckResult:
    """Mark the findings that fail and say why the check fails, if it does."""
    limit_rank = SEVERITIES.index(config.fail_on)
    limits = {DUPLICATE_FAMILY: config.max_dup_ratio, BOILERPLATE_FAMILY: config.max_boilerplate_ratio}
    names = {DUPLICATE_FAMILY: "duplicate", BOILERPLATE_FAMILY: "boilerplate"}
    affected: dict[str, set[str]] = {family: set() for family in limits}
    failing = 0
    for f in findings:
        if f.baselined:
            continue
        family = f.code[:3]
        if family in limits:
            affected[family].add(f.document)
        if limits.get(family) is None and SEVERITIES.index(f.severity) <= limit_rank:
            f.fails = True
            failing += 1
    result = CheckResult(findings, documents, adds_up)
    if failing:
        result.reasons.append(f"{failing} finding{'s' if failing != 1 else ''} at or above {config.fail_on}")
    total = max(read, documents["in"])
    for family, limit in limits.items():
        ratio = len(affected[family]) / total if total else 0.0
        result.ratios[names[family]] = (round(ratio, 6), limit)
        if limit is not None and ratio > limit:
            result.reasons.append(f"{names[family]} ratio {ratio:.4f} is over {limit}")
    return result


# -- baseline ----------------------------------------------------------------------------


def load_baseline(path: str) -> Counter[str]:
    """Fingerprint -> how many findings with it the baseline accepts."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = data["findings"]
        return Counter({e["fingerprint"]: int(e.get("count", 1)) for e in entries})
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc}") from exc


def apply_baseline(findings: list[Finding], accepted: Counter[str]) -> None:
    """Mark findings the baseline accepts; a fingerprint seen more often than recorded is new.

    >>> f = [Finding("a.txt", n, 1, "NC501", "warning", "dedup", "r", "m", "d", fingerprint="x") for n in (3, 9)]
    >>> apply_baseline(f, Counter({"x": 1}))
    >>> [x.baselined for x in f]
    [True, False]
    """
    remaining = Counter(accepted)
    for f in findings:
        if remaining[f.fingerprint] > 0:
            remaining[f.fingerprint] -= 1
            f.baselined = True


def write_baseline(path: str, findings: list[Finding]) -> int:
    """Record ``findings`` (fingerprints with counts) in ``path``; returns how many."""
    counts: Counter[str] = Counter()
    first: dict[str, Finding] = {}
    for f in findings:
        counts[f.fingerprint] += 1
        first.setdefault(f.fingerprint, f)
    entries = [
        {"fingerprint": fp, "path": first[fp].path, "code": first[fp].code, "count": n, "message": first[fp].message}
        for fp, n in counts.items()
    ]
    entries.sort(key=lambda e: (e["path"], e["code"], e["fingerprint"]))
    out = AtomicFile(path)
    try:
        data = {"newsclean_baseline": BASELINE_VERSION, "findings": entries}
        out.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        out.commit()
    except BaseException:
        out.abort()
        raise
    return sum(counts.values())
