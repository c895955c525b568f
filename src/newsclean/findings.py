"""Findings: stage events as stable, documented rule codes, and the formats they print in.

Every ``src/newsclean/rules/codes/<stage>.toml`` is loaded (whatever stages exist); an
event whose (stage, rule) has no entry gets its stage family's fallback code (NC099,
NC199, ... NC599) so nothing is lost. A few codes cannot be produced by an input document
(a pipeline bug, a stage that drops without a reason) and are built in here.

>>> book = load_codes()
>>> book.lookup("normalize", "remove-invisible").code
'NC121'
>>> book.lookup("filter", "no-such-rule").code
'NC399'
>>> book.for_error("line 3: not valid JSON (Expecting value at column 9)").rule
'broken-jsonl-line'
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsclean import __version__
from newsclean.document import Document, Event

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from newsclean.check import CheckResult

CODES_DIR = Path(__file__).resolve().parent / "rules" / "codes"
#: most severe first; ``fail_on`` fails on its level and every level before it
SEVERITIES = ("error", "warning", "info")
#: three digits, or four once a family's hundred is used up (filter: NC301-NC398, then NC3100-NC3998)
CODE_PATTERN = re.compile(r"NC\d{3,4}")
REQUIRED_KEYS = ("code", "rule", "message", "what", "why", "example")
#: the first digit of a code by stage: the fallback for an unlisted rule is NC<d>99
STAGE_FAMILY = {
    "pipeline": "0",
    "input": "0",
    "decode": "1",
    "extract": "1",
    "normalize": "1",
    "repair": "2",
    "filter": "3",
    "convert": "4",
    "dedup": "5",
}
#: codes judged by a ratio threshold instead of one by one (see check.py)
DUPLICATE_FAMILY, BOILERPLATE_FAMILY = "NC5", "NC3"


class CodeFileError(ValueError):
    """A rule code file is malformed or two entries collide."""


@dataclass(frozen=True)
class CodeEntry:
    """One documented rule code (an entry of a ``codes/*.toml`` file, or built in)."""

    code: str
    stage: str
    rules: tuple[str, ...]
    message: str
    what: str
    why: str
    example: str
    severity: str = "warning"
    fix: str = ""
    positive: str | None = None
    negative: str | None = None
    #: how the positive/negative text becomes an input file: extension and byte encoding
    format: str = "txt"
    encoding: str = "utf-8"
    #: settings laid over the defaults when running positive/negative (e.g. to = "hans")
    settings: dict[str, Any] = field(default_factory=dict)
    #: documents run before positive/negative, for rules that need a corpus (cross-document
    #: duplicates, learned site furniture)
    corpus: tuple[str, ...] = ()
    origin: str = "built in"

    @property
    def rule(self) -> str:
        return self.rules[0]

    def explain(self) -> str:
        """The text ``newsclean rule CODE`` prints."""
        lines = [
            f"{self.code} {self.stage}/{self.rule} [{self.severity}]",
            "",
            self.message,
            "",
            "What it does",
            f"  {self.what}",
            "",
            "Why is this bad?",
            f"  {self.why}",
            "",
            "Example",
            f"  {self.example}",
        ]
        if self.fix:
            lines += ["", "Fix", f"  {self.fix}"]
        if len(self.rules) > 1:
            lines += ["", "Covers rules: " + ", ".join(self.rules)]
        lines += ["", f"Defined in: {self.origin}"]
        return "\n".join(lines)


def _builtin(
    code: str, stage: str, rule: str, severity: str, message: str, what: str, why: str, example: str
) -> CodeEntry:
    return CodeEntry(code, stage, (rule,), message, what, why, example, severity)


#: codes no input document can produce on purpose; tested one by one in tests/test_codes.py
BUILTIN: tuple[CodeEntry, ...] = (
    _builtin(
        "NC002",
        "pipeline",
        "undecodable",
        "error",
        "Input bytes are readable in no encoding",
        "Reports an input where more than a tenth of the characters stay unreadable in the best encoding found.",
        "The text cannot be recovered; the input is skipped.",
        "random bytes saved with a .txt name",
    ),
    _builtin(
        "NC090",
        "pipeline",
        "counts-mismatch",
        "error",
        "Document counts do not add up",
        "Checks that documents read = kept + dropped + errors.",
        "A document that vanishes without a reason is data lost silently (a pipeline bug).",
        "10 read, 8 kept, 1 dropped, 0 errors",
    ),
    _builtin(
        "NC091",
        "pipeline",
        "internal-error",
        "error",
        "A stage crashed on this document",
        "Reports a document a stage raised an exception on; the document is skipped.",
        "It is a bug in newsclean: please report it with the input.",
        "internal error in stage filter: KeyError: 'x'",
    ),
    _builtin(
        "NC092",
        "pipeline",
        "dropped",
        "warning",
        "Document dropped by a stage without a specific reason",
        "Reports a document a stage removed without recording its own rule.",
        "Every drop should say why; this one only says which stage.",
        "document dropped by the stage",
    ),
    *(
        _builtin(
            f"NC{digit}99",
            family,
            "*",
            "warning",
            f"Unlisted {label} finding",
            f"Any event of the {label} stages ({family} family) whose rule has no documented code yet.",
            "Nothing is lost: the event is reported with its stage, rule and reason.",
            f"{family}/some-new-rule",
        )
        for family, digit, label in (
            ("pipeline", "0", "input or pipeline"),
            ("decode", "1", "decoding, extraction or normalisation"),
            ("repair", "2", "mojibake repair"),
            ("filter", "3", "spam or boilerplate"),
            ("convert", "4", "script or conversion"),
            ("dedup", "5", "duplicate"),
        )
    ),
)


def _entry_from_toml(raw: dict[str, Any], stage: str, origin: str) -> CodeEntry:
    missing = [k for k in REQUIRED_KEYS if not raw.get(k)]
    if missing:
        raise CodeFileError(f"{origin}: entry {raw.get('code', '?')} lacks {', '.join(missing)}")
    code = raw["code"]
    if not CODE_PATTERN.fullmatch(code):
        raise CodeFileError(f"{origin}: {code!r} is not a code like NC123")
    severity = raw.get("severity", "warning")
    if severity not in SEVERITIES:
        raise CodeFileError(f"{origin}: {code} severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    rules = raw["rule"]
    rules = (rules,) if isinstance(rules, str) else tuple(rules)
    if "\n" in raw["message"]:
        raise CodeFileError(f"{origin}: {code} message must be one line")
    return CodeEntry(
        code=code,
        stage=stage,
        rules=rules,
        message=raw["message"],
        what=raw["what"],
        why=raw["why"],
        example=raw["example"],
        severity=severity,
        fix=raw.get("fix", ""),
        positive=raw.get("positive"),
        negative=raw.get("negative"),
        format=raw.get("format", "txt"),
        encoding=raw.get("encoding", "utf-8"),
        settings=dict(raw.get("settings", {})),
        corpus=tuple(raw.get("corpus", ())),
        origin=origin,
    )


class CodeBook:
    """All codes: from the files, then the built-in ones; lookups by code and by rule."""

    def __init__(self, entries: list[CodeEntry]) -> None:
        self.entries = entries
        self.by_code: dict[str, CodeEntry] = {}
        self.by_rule: dict[tuple[str, str], CodeEntry] = {}
        for entry in entries:
            other = self.by_code.get(entry.code)
            if other is not None:
                raise CodeFileError(f"code {entry.code} is defined twice ({other.origin}, {entry.origin})")
            self.by_code[entry.code] = entry
            for rule in entry.rules:
                key = (entry.stage, rule)
                if key in self.by_rule:
                    raise CodeFileError(f"{entry.stage}/{rule} has two codes ({self.by_rule[key].code}, {entry.code})")
                self.by_rule[key] = entry

    def lookup(self, stage: str, rule: str) -> CodeEntry:
        """The code for an event; the stage family's fallback when it has none."""
        entry = self.by_rule.get((stage, rule))
        if entry is not None:
            return entry
        if rule == "dropped":
            return self.by_code["NC092"]
        return self.by_code[f"NC{STAGE_FAMILY.get(stage, '0')}99"]

    def for_error(self, message: str) -> CodeEntry:
        """The code for an input error (``Document.error``)."""
        return self.lookup("pipeline", error_rule(message))

    def get(self, code_or_rule: str) -> CodeEntry | None:
        """An entry by code (``NC121``) or by ``stage/rule``."""
        key = code_or_rule.strip()
        if key.upper() in self.by_code:
            return self.by_code[key.upper()]
        stage, _, rule = key.partition("/")
        return self.by_rule.get((stage, rule))


def error_rule(message: str) -> str:
    """The rule id of an input error message (from sources.py, decode.py, pipeline.py).

    >>> error_rule("binary file: contains NUL bytes")
    'binary-file'
    >>> error_rule("line 2: record has no 'text' field (choose the field with --text-field)")
    'missing-text-field'
    """
    text = _LINE_PREFIX.sub("", message)
    if text.startswith("internal error in stage"):
        return "internal-error"
    if text.startswith("binary file"):
        return "binary-file"
    if text.startswith("undecodable"):
        return "undecodable"
    if text.startswith(("not valid JSON", "a JSON ")):
        return "broken-jsonl-line"
    if text.startswith("record has"):
        return "missing-text-field"
    if text.startswith(("cannot read", "cannot list folder", "no such file or folder", "file is ")):
        return "unreadable-input"
    return "input-error"


_LINE_PREFIX = re.compile(r"^line \d+: ")


@cache
def load_codes(directory: str | None = None) -> CodeBook:
    """Every ``*.toml`` in the codes folder (the stage is the file name) plus the built-ins."""
    folder = Path(directory) if directory else CODES_DIR
    entries: list[CodeEntry] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CodeFileError(f"cannot read {path.name}: {exc}") from exc
        for raw in data.get("code", []):
            entries.append(_entry_from_toml(raw, path.stem, f"rules/codes/{path.name}"))
    entries.extend(BUILTIN)
    return CodeBook(entries)


def code_for_event(event: Event) -> str:
    """The code ``clean`` writes into each rejects record.

    >>> code_for_event(Event("normalize", "collapse-spaces", "change", 3, "applied collapse_spaces"))
    'NC123'
    """
    return load_codes().lookup(event.stage, event.rule).code


def code_for_error(message: str) -> str:
    """The code of an input error, for the rejects record.

    >>> code_for_error("binary file: too many control bytes")
    'NC001'
    """
    return load_codes().for_error(message).code


@dataclass
class Finding:
    """One reported problem at ``path:line:col``."""

    path: str
    line: int
    col: int
    code: str
    severity: str
    stage: str
    rule: str
    message: str
    detail: str
    fix: str = ""
    before: str | None = None
    after: str | None = None
    #: the input document it belongs to (``file.jsonl#3`` for a JSONL record)
    document: str = ""
    fingerprint: str = ""
    baselined: bool = False
    fails: bool = False

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def to_dict(self) -> dict[str, Any]:
        out = {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "severity": self.severity,
            "stage": self.stage,
            "rule": self.rule,
            "message": self.message,
            "detail": self.detail,
            "fix": self.fix or None,
            "before": self.before,
            "after": self.after,
            "document": self.document,
            "fingerprint": self.fingerprint,
            "baselined": self.baselined,
            "fails": self.fails,
        }
        return {k: v for k, v in out.items() if v is not None}


_RECORD = re.compile(r"^(.*)#(\d+)$")


def split_source(source: str) -> tuple[str, int | None]:
    """(file, record line) of a document source; JSONL records are ``file#N``.

    >>> split_source("crawl/a.jsonl#12"), split_source("a.txt")
    (('crawl/a.jsonl', 12), ('a.txt', None))
    """
    match = _RECORD.match(source)
    if match and (match.group(1).lower().endswith(".jsonl") or match.group(1) == "-"):
        return match.group(1), int(match.group(2))
    return source, None


def fingerprint(path: str, code: str, content: str) -> str:
    """Path, code and a hash of the content, never the line: edits above keep it stable.

    >>> fingerprint("a.txt", "NC501", "正文") == fingerprint("a.txt", "NC501", "正文")
    True
    """
    return hashlib.sha256(f"{path}\0{code}\0{content}".encode("utf-8", "surrogatepass")).hexdigest()[:20]


def findings_for_document(doc: Document, book: CodeBook) -> list[Finding]:
    """Every finding of one processed document: its input error, its events, its script."""
    path, record_line = split_source(doc.source)
    out: list[Finding] = []
    if doc.error:
        entry = book.for_error(doc.error)
        content = _LINE_PREFIX.sub("", doc.error)
        out.append(
            Finding(
                path=path,
                line=record_line or 1,
                col=1,
                code=entry.code,
                severity=entry.severity,
                stage="input",
                rule=entry.rule,
                message=entry.message,
                detail=doc.error,
                fix=entry.fix,
                document=doc.source,
                fingerprint=fingerprint(path, entry.code, content),
            )
        )
    events = list(doc.events)
    if doc.meta.get("script_in") == "mixed":
        # Not a stage event (convert only records what it changes): check reports it.
        events.append(Event("convert", "mixed-script", "flag", None, "Simplified and Traditional mixed in one text"))
    whole_text: str | None = None
    for event in events:
        entry = book.lookup(event.stage, event.rule)
        detail = event.reason
        if record_line is not None:
            line = record_line
            if event.line is not None:
                detail += f" (line {event.line} of the text)"
        else:
            line = event.line or 1
        if event.kept:
            detail += f"; kept {event.kept}"
        if event.before is not None:
            content = event.before
        else:
            # a whole-document finding: its reason, and for a JSONL record its text (the
            # path alone does not tell records apart)
            if whole_text is None:
                whole_text = doc.clean_text if record_line is not None else ""
            content = f"{event.reason}\0{whole_text}"
        message = entry.message if entry.rules[0] != "*" else f"{entry.message}: {event.stage}/{event.rule}"
        out.append(
            Finding(
                path=path,
                line=line,
                col=event.col or 1,
                code=entry.code,
                severity=entry.severity,
                stage=event.stage,
                rule=event.rule,
                message=message,
                detail=detail,
                fix=entry.fix,
                before=_clip(event.before),
                after=_clip(event.after),
                document=doc.source,
                fingerprint=fingerprint(path, entry.code, f"{event.rule}\0{content}"),
            )
        )
    return out


#: characters of before/after kept in a finding (the fingerprint uses the whole text):
#: findings of a large corpus are held until the end
KEPT_CHARS = 500


def _clip(text: str | None) -> str | None:
    return text if text is None or len(text) <= KEPT_CHARS else text[: KEPT_CHARS - 1] + "…"


# -- formats -----------------------------------------------------------------------------

#: characters of a before/after excerpt shown in text output
EXCERPT_CHARS = 60


def _excerpt(text: str) -> str:
    """A short, quoted excerpt with invisible and odd characters made visible.

    >>> print(_excerpt("记者\u00a0游淼"))
    '记者\\xa0游淼'
    """
    shown = text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
    # invisible and odd spaces are the point of some findings: escape them, keep the rest
    visible = "".join(c if c.isprintable() or c == "\u3000" else c.encode("unicode_escape").decode() for c in shown)
    return f"'{visible}'"


def format_text(result: CheckResult) -> str:
    """Findings grouped by file, one ``path:line:col: CODE message`` line each, then a
    summary counting findings per code."""
    lines: list[str] = []
    current = None
    for f in result.reported:
        if f.path != current:
            if current is not None:
                lines.append("")
            current = f.path
        mark = "" if f.fails else f" [{f.severity}]"
        lines.append(f"{f.location()}: {f.code} {f.message}{mark} — {f.detail}")
        if f.before is not None and f.after is not None:
            lines.append(f"    {_excerpt(f.before)} → {_excerpt(f.after)}")
        elif f.before is not None:
            lines.append(f"    removed: {_excerpt(f.before)}")
        if f.fix and f.fails:
            lines.append(f"    fix: {f.fix}")
    if lines:
        lines.append("")
    lines.extend(summary_lines(result))
    return "\n".join(lines) + "\n"


def summary_lines(result: CheckResult) -> list[str]:
    counts = result.counts_by_code()
    reported = result.reported
    files = len({f.path for f in reported})
    by_severity = {s: sum(1 for f in reported if f.severity == s) for s in SEVERITIES}
    out = [
        f"Found {len(reported)} finding{'s' if len(reported) != 1 else ''} in {files} file{'s' if files != 1 else ''}"
        f" ({by_severity['error']} error{'s' if by_severity['error'] != 1 else ''},"
        f" {by_severity['warning']} warning{'s' if by_severity['warning'] != 1 else ''}, {by_severity['info']} info)"
        + (f"; {result.baselined_count} more in the baseline" if result.baselined_count else "")
    ]
    book = load_codes()
    for code, n in counts:
        entry = book.by_code.get(code)
        out.append(f"  {code} {n:>6}  {entry.message if entry else ''}")
    d = result.documents
    out.append(
        f"Documents: {d['in']} in = {d['kept']} kept + {d['dropped']} dropped + {d['errors']} errors"
        + ("" if result.counts_add_up else " (DO NOT ADD UP)")
    )
    for name, (ratio, limit) in result.ratios.items():
        if limit is not None:
            verdict = "over" if ratio > limit else "within"
            out.append(f"{name} ratio {ratio:.4f} ({verdict} the limit {limit})")
    if result.passed:
        out.append("Passed.")
    else:
        out.append("Failed: " + "; ".join(result.reasons))
    return out


def format_json(result: CheckResult) -> str:
    """One JSON document: findings, counts per code, documents, ratios and the verdict."""
    data = {
        "newsclean": __version__,
        "passed": result.passed,
        "reasons": result.reasons,
        "findings": [f.to_dict() for f in result.reported],
        "summary": {
            "findings": len(result.reported),
            "baselined": result.baselined_count,
            "codes": dict(result.counts_by_code()),
            "documents": result.documents,
            "counts_add_up": result.counts_add_up,
            "ratios": {k: {"ratio": r, "limit": lim} for k, (r, lim) in result.ratios.items()},
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(result: CheckResult) -> str:
    """GitHub Actions workflow commands, one annotation per finding.

    Failing findings are ``::error``; the rest ``::warning`` or ``::notice`` by severity.
    """
    lines = []
    for f in result.reported:
        # only what fails the check is an ::error; the rest warn or inform
        level = "error" if f.fails else ("notice" if f.severity == "info" else "warning")
        props = ",".join(
            [
                f"file={_gh_property(f.path)}",
                f"line={f.line}",
                f"col={f.col}",
                f"title={_gh_property(f'{f.code} {f.stage}/{f.rule}')}",
            ]
        )
        lines.append(f"::{level} {props}::{_gh_data(f'{f.message}: {f.detail}')}")
    lines.append(_gh_data(summary_lines(result)[0] + ". " + summary_lines(result)[-1]))
    return "\n".join(lines) + "\n"


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def format_sarif(result: CheckResult) -> str:
    """SARIF 2.1.0: one run, the codes used as rules, one result per finding."""
    book = load_codes()
    used = sorted({f.code for f in result.reported})
    index = {code: i for i, code in enumerate(used)}
    rules = []
    for code in used:
        entry = book.by_code[code]
        rules.append(
            {
                "id": code,
                "name": entry.rule if entry.rule != "*" else f"{entry.stage}-unlisted",
                "shortDescription": {"text": entry.message},
                "fullDescription": {"text": entry.what},
                "help": {"text": f"{entry.why}\nExample: {entry.example}"},
                "defaultConfiguration": {"level": _SARIF_LEVEL[entry.severity]},
                "properties": {"stage": entry.stage, "severity": entry.severity},
            }
        )
    results = []
    for f in result.reported:
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": "error" if f.fails else _SARIF_LEVEL[f.severity],
                "message": {"text": f"{f.message}: {f.detail}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(f.path)},
                            "region": {"startLine": f.line, "startColumn": f.col},
                        }
                    }
                ],
                "partialFingerprints": {"newsclean/v1": f.fingerprint},
                "properties": {"stage": f.stage, "rule": f.rule, "document": f.document},
            }
        )
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "newsclean",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/newsclean/",
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": True, "exitCode": 0 if result.passed else 1}],
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"


def _uri(path: str) -> str:
    """A relative URI reference for a path (SARIF wants URIs; spaces and % escaped)."""
    from urllib.parse import quote

    return quote(path if path != "-" else "stdin", safe="/:@")


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github, "sarif": format_sarif}
