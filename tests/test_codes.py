"""Rule codes: every entry of every ``rules/codes/*.toml`` is well formed and unique, its
``positive`` document yields its code through the whole pipeline and its ``negative``
document does not; the built-in codes are produced where they should be."""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsclean.check import run_check
from newsclean.cli import cli
from newsclean.config import Config
from newsclean.document import Document, Event
from newsclean.findings import (
    BUILTIN,
    CODE_PATTERN,
    CODES_DIR,
    REQUIRED_KEYS,
    SEVERITIES,
    STAGE_FAMILY,
    CodeEntry,
    error_rule,
    findings_for_document,
    load_codes,
)
from newsclean.pipeline import Pipeline
from newsclean.stages.base import Stage
from newsclean.stages.convert import OPENCC_CONFIGS
from newsclean.stages.decode import Decode
from newsclean.stages.extract import Extract
from newsclean.stages.normalize import FIXES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SRC = Path(__file__).resolve().parent.parent / "src" / "newsclean"
CODE_FILES = sorted(CODES_DIR.glob("*.toml"))
FILE_ENTRIES = [e for e in load_codes().entries if e.origin != "built in"]


def raw_entries() -> list[tuple[str, dict]]:
    return [(p.name, raw) for p in CODE_FILES for raw in tomllib.loads(p.read_text(encoding="utf-8")).get("code", [])]


def test_the_core_code_files_exist() -> None:
    names = {p.stem for p in CODE_FILES}
    assert {"pipeline", "decode", "extract", "normalize", "convert"} <= names


@pytest.mark.parametrize(("name", "raw"), raw_entries(), ids=lambda x: x if isinstance(x, str) else x.get("code"))
def test_entry_is_well_formed(name: str, raw: dict) -> None:
    assert CODE_PATTERN.fullmatch(raw["code"]), raw["code"]
    for key in REQUIRED_KEYS:
        assert isinstance(raw.get(key), (str, list)) and raw[key], f"{raw['code']} lacks {key}"
    assert "\n" not in raw["message"] and len(raw["message"]) <= 100
    assert raw.get("severity", "warning") in SEVERITIES
    rules = [raw["rule"]] if isinstance(raw["rule"], str) else raw["rule"]
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", r) for r in rules), rules
    # every code is tested through the pipeline: both documents are required
    assert isinstance(raw.get("positive"), str) and raw["positive"].strip("\n")
    assert isinstance(raw.get("negative"), str)


def test_codes_are_unique_across_files_and_builtins() -> None:
    codes = [raw["code"] for _, raw in raw_entries()] + [e.code for e in BUILTIN]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    assert not duplicates
    keys = [(name.removesuffix(".toml"), r) for name, raw in raw_entries() for r in _rules(raw)]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(("name", "raw"), raw_entries(), ids=lambda x: x if isinstance(x, str) else x.get("code"))
def test_a_code_sits_in_its_stage_family(name: str, raw: dict) -> None:
    """NC3xx and NC3xxx are both filter codes; a four-digit code never reuses a three-digit one's hundred."""
    stage = name.removesuffix(".toml")
    if stage in STAGE_FAMILY:
        assert raw["code"][2] == STAGE_FAMILY[stage], (stage, raw["code"])
    if len(raw["code"]) == 6:
        assert raw["code"][3] != "0", "four-digit codes start at NCd100"


def _rules(raw: dict) -> list[str]:
    return [raw["rule"]] if isinstance(raw["rule"], str) else list(raw["rule"])


def run_document(entry: CodeEntry, text: str, folder: Path) -> set[str]:
    """The codes ``check`` reports for one document, written as the entry says."""
    for i, earlier in enumerate(entry.corpus):  # sorted before "doc": read first
        (folder / f"a{i:02d}.{entry.format}").write_bytes(earlier.encode(entry.encoding))
    (folder / f"doc.{entry.format}").write_bytes(text.encode(entry.encoding))
    config = Config.from_mapping({**entry.settings, "jobs": 1})
    # only the document's own findings: corpus documents may carry the code themselves
    own = f"doc.{entry.format}"
    return {f.code for f in run_check([str(folder)], config).findings if Path(f.path).name.startswith(own)}


@pytest.mark.parametrize("entry", FILE_ENTRIES, ids=lambda e: f"{e.code}-{e.stage}-{e.rule}")
def test_positive_document_yields_the_code(entry: CodeEntry, tmp_path: Path) -> None:
    assert entry.positive is not None
    assert entry.code in run_document(entry, entry.positive, tmp_path)


@pytest.mark.parametrize("entry", FILE_ENTRIES, ids=lambda e: f"{e.code}-{e.stage}-{e.rule}")
def test_negative_document_does_not(entry: CodeEntry, tmp_path: Path) -> None:
    assert entry.negative is not None
    assert entry.code not in run_document(entry, entry.negative, tmp_path)


_EMITTED = re.compile(
    r"""(?:Event\(\s*(?:self\.name|stage|"(?P<stage>[a-z]+)")|\.drop\(\s*(?:self\.name|"(?P<stage2>[a-z]+)"))\s*,\s*"(?P<rule>[a-z][a-z0-9-]*)\""""
)


def emitted_rules() -> set[tuple[str, str]]:
    """(stage, rule) of every literal rule id in the stage modules and the pipeline."""
    found = set()
    for path in [*sorted((SRC / "stages").glob("*.py")), SRC / "pipeline.py"]:
        for m in _EMITTED.finditer(path.read_text(encoding="utf-8")):
            stage = m.group("stage") or m.group("stage2") or path.stem
            found.add((stage, m.group("rule")))
    # rule ids built at run time: normalize names its event after the first fix applied,
    # convert after the OpenCC config
    found |= {("normalize", fix.__name__.replace("_", "-")) for fix in FIXES}
    found |= {("convert", name) for name in OPENCC_CONFIGS}
    return found


def test_core_rules_have_codes_and_others_fall_back_visibly() -> None:
    book = load_codes()
    rules = emitted_rules()
    assert {("normalize", "invisible-only"), ("pipeline", "empty-document"), ("decode", "uncertain-encoding")} <= rules
    fallback = sorted(f"{s}/{r}" for s, r in rules if book.lookup(s, r).code.endswith("99"))
    if fallback:  # other stages' codes land with their branches: listed, not failed
        warnings.warn("rules reported under a fallback code: " + ", ".join(fallback), stacklevel=1)
    mine = {"pipeline", "decode", "extract", "normalize", "convert"}
    assert not [r for r in fallback if r.split("/")[0] in mine]


@pytest.mark.parametrize(
    ("message", "rule", "code"),
    [
        ("binary file: contains NUL bytes", "binary-file", "NC001"),
        ("binary file: too many control bytes", "binary-file", "NC001"),
        ("undecodable: 40 of 80 characters unreadable as gb18030", "undecodable", "NC002"),
        ("line 4: undecodable: 9 of 10 characters unreadable as cp950", "undecodable", "NC002"),
        ("line 2: not valid JSON (Expecting value at column 10)", "broken-jsonl-line", "NC003"),
        ("line 7: a JSON list, not an object", "broken-jsonl-line", "NC003"),
        ("line 3: record has no 'text' field (choose the field with --text-field)", "missing-text-field", "NC004"),
        (
            "line 3: record has a non-string (int) 'text' field (choose the field with --text-field)",
            "missing-text-field",
            "NC004",
        ),
        ("cannot read: Permission denied", "unreadable-input", "NC005"),
        ("cannot list folder: Permission denied", "unreadable-input", "NC005"),
        ("no such file or folder", "unreadable-input", "NC005"),
        (
            "file is 300000000 bytes, over the limit of 268435456 (raise max_file_bytes to read it)",
            "unreadable-input",
            "NC005",
        ),
        ("internal error in stage filter: KeyError: 'x' (please report this)", "internal-error", "NC091"),
        ("something nobody wrote yet", "input-error", "NC099"),
    ],
)
def test_every_input_error_message_has_its_code(message: str, rule: str, code: str) -> None:
    assert error_rule(message) == rule
    assert load_codes().for_error(message).code == code


class Crashing(Stage):
    name = "filter"

    def process(self, doc: Document) -> Document | None:
        raise KeyError("boom")


class Silent(Stage):
    name = "filter"

    def process(self, doc: Document) -> Document | None:
        return None  # drops without recording a rule


def _pipeline(extra: type[Stage]) -> Pipeline:
    config = Config(jobs=1)
    return Pipeline(config, [Decode(config), Extract(config), extra(config)])


def test_a_crashing_stage_is_nc091_and_a_silent_drop_nc092(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("国家统计局今天发布数据。", encoding="utf-8")
    crashed = run_check([str(tmp_path)], Config(jobs=1), pipeline=_pipeline(Crashing))
    assert [f.code for f in crashed.findings] == ["NC091"]
    dropped = run_check([str(tmp_path)], Config(jobs=1), pipeline=_pipeline(Silent))
    assert [(f.code, f.stage) for f in dropped.findings] == [("NC092", "filter")]
    assert dropped.documents == {"in": 1, "kept": 0, "dropped": 1, "errors": 0}


def test_an_unlisted_rule_falls_back_to_its_stage_family() -> None:
    doc = Document.from_text("a.txt", "正文。")
    for stage, code in [("repair", "NC299"), ("filter", "NC399"), ("dedup", "NC599"), ("newstage", "NC099")]:
        doc.events = [Event(stage, "rule-from-the-future", "flag", 1, "why")]
        (finding,) = findings_for_document(doc, load_codes())
        assert finding.code == code
        assert "rule-from-the-future" in finding.message


@pytest.mark.parametrize("code", sorted(load_codes().by_code))
def test_rule_command_explains_every_code(code: str) -> None:
    result = CliRunner().invoke(cli, ["rule", code.lower()])
    assert result.exit_code == 0
    entry = load_codes().by_code[code]
    assert result.output.startswith(code) and entry.message in result.output and "Why is this bad?" in result.output


def test_rule_command_lists_all_and_refuses_unknown_codes() -> None:
    listed = CliRunner().invoke(cli, ["rule"])
    assert listed.exit_code == 0
    assert {line.split()[0] for line in listed.output.splitlines()} == set(load_codes().by_code)
    assert CliRunner().invoke(cli, ["rule", "normalize/remove-invisible"]).output.startswith("NC121")
    assert CliRunner().invoke(cli, ["rule", "NC999"]).exit_code == 2
