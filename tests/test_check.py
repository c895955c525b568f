"""`newsclean check`: findings at path:line:col, formats, thresholds, settings, baseline,
exit codes, and the trace between check's codes and clean's rejects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newsclean.check import run_check
from newsclean.cli import cli
from newsclean.config import Config
from newsclean.document import Document
from newsclean.findings import _gh_data, _gh_property
from newsclean.pipeline import Pipeline

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

CLEAN = "国家统计局今天发布数据。\n一季度国内生产总值同比增长百分之五点三。\n"
#: a document with one repeated paragraph (line 3 repeats line 1)
DUPLICATED = "深圳地铁今天开通新线路。\n全线共设车站二十四座。\n深圳地铁今天开通新线路。\n"
#: a GitHub workflow command: ::level file=...,line=N,col=N,title=...::message
GITHUB_LINE = re.compile(r"^::(error|warning|notice) file=[^,:\n]+,line=\d+,col=\d+,title=[^,:\n]+::[^\n]+$")


def check(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["check", "-j", "1", *args], input=input, catch_exceptions=False)


def corpus(folder: Path, **files: str) -> Path:
    for name, text in files.items():
        path = folder / name.replace("__", ".")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_samples_fail_with_codes_and_lines() -> None:
    result = check(str(SAMPLES))
    assert result.exit_code == 1
    out = result.stdout
    # the repeated paragraphs of 001 and the furniture of the HTML page, at their lines
    assert re.search(r"samples/001_7e9fe6cf0f86c571\.txt:7:1: NC5\d\d ", out)
    assert re.search(r"samples/001_7e9fe6cf0f86c571\.txt:13:1: NC120 ", out)
    assert re.search(r"samples/shenzhen_metro\.html:15:1: NC110 ", out)
    assert "Documents: 9 in = 9 kept + 0 dropped + 0 errors" in out
    assert out.rstrip().splitlines()[-1].startswith("Failed: ")


def test_a_clean_folder_passes(tmp_path: Path) -> None:
    result = check(str(corpus(tmp_path, a__txt=CLEAN, b__txt="北京今天晴。\n")))
    assert result.exit_code == 0, result.output
    assert "Found 0 findings" in result.stdout and "Passed." in result.stdout


def test_text_output_groups_by_file_and_counts_per_code(tmp_path: Path) -> None:
    corpus(tmp_path, a__txt=DUPLICATED, b__txt=DUPLICATED + "记者\u00a0张三\n", c__txt=CLEAN)
    out = check(str(tmp_path)).stdout
    blocks = out.split("\n\n")
    assert blocks[0].splitlines()[0].startswith(f"{tmp_path.as_posix()}/a.txt:3:1: ")
    assert all(line.startswith(f"{tmp_path.as_posix()}/b.txt") for line in blocks[1].splitlines() if line[0] != " ")
    assert re.search(r"^  NC5\d\d +2  ", out, re.M) and re.search(r"^  NC120 +1  ", out, re.M)
    assert "'记者\\xa0张三' → '记者 张三'" in out  # the fix, invisible character made visible


def test_json_output_parses_and_adds_up(tmp_path: Path) -> None:
    corpus(tmp_path, a__txt=DUPLICATED, c__txt=CLEAN)
    result = check(str(tmp_path), "--output-format", "json")
    data = json.loads(result.stdout)
    assert data["passed"] is False and result.exit_code == 1
    (finding,) = data["findings"]
    assert finding["line"] == 3 and finding["code"].startswith("NC5") and finding["fails"] is True
    assert finding["before"] == "深圳地铁今天开通新线路。"
    docs = data["summary"]["documents"]
    assert docs["in"] == docs["kept"] + docs["dropped"] + docs["errors"] == 2
    assert data["summary"]["counts_add_up"] is True


def test_sarif_output_validates_against_the_2_1_0_schema(tmp_path: Path) -> None:
    corpus(tmp_path, a__txt=DUPLICATED, **{"with space__txt": "记者\u00a0张三\n"})
    (tmp_path / "bad.jsonl").write_text('{"text": 坏\n', encoding="utf-8")
    result = check(str(tmp_path), "--output-format", "sarif")
    sarif = json.loads(result.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert {r["ruleId"] for r in run["results"]} == set(rule_ids)
    for res in run["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert f"{tmp_path.as_posix()}/with%20space.txt" in uris
    assert {r["level"] for r in run["results"]} == {"error", "note"}


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The shipped schema really constrains what we emit (so the test above can fail)."""
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "NC1"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(broken)


def test_github_output_is_well_formed_annotations(tmp_path: Path) -> None:
    corpus(tmp_path, **{"a,b:c__txt": DUPLICATED, "d__html": "<html><body><nav>首页</nav><p>正文。</p></body></html>"})
    result = check(str(tmp_path), "--output-format", "github")
    lines = result.stdout.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == 2
    for line in annotations:
        assert GITHUB_LINE.match(line), line
    assert annotations[0].startswith("::error file=") and "a%2Cb%3Ac.txt,line=3,col=1,title=NC5" in annotations[0]
    assert annotations[1].startswith("::notice ")
    assert not lines[-1].startswith("::")  # the summary is a plain log line


@given(st.text(max_size=80))
def test_github_escaping_keeps_one_line_and_round_trips(text: str) -> None:
    data, prop = _gh_data(text), _gh_property(text)
    assert "\n" not in data and "\r" not in data
    assert "," not in prop and ":" not in prop

    def unescape(s: str) -> str:
        for code, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            s = s.replace(code, ch)
        return s

    assert unescape(data) == text and unescape(prop) == text


def test_dup_ratio_judges_duplicates_as_a_share_of_documents(tmp_path: Path) -> None:
    corpus(tmp_path, a__txt=DUPLICATED, b__txt=CLEAN, c__txt="北京今天晴。\n", d__txt="上海今天多云。\n")
    assert check(str(tmp_path)).exit_code == 1
    within = check(str(tmp_path), "--max-dup-ratio", "0.3")
    assert within.exit_code == 0 and "duplicate ratio 0.2500 (within the limit 0.3)" in within.stdout
    over = check(str(tmp_path), "--max-dup-ratio", "0.2")
    assert over.exit_code == 1 and "duplicate ratio 0.2500 is over 0.2" in over.stdout


def test_boilerplate_ratio_is_accepted_and_reported(tmp_path: Path) -> None:
    corpus(tmp_path, b__txt=CLEAN)
    result = check(str(tmp_path), "--max-boilerplate-ratio", "0.1")
    assert result.exit_code == 0 and "boilerplate ratio 0.0000 (within the limit 0.1)" in result.stdout


def test_select_ignore_and_fail_on(tmp_path: Path) -> None:
    corpus(tmp_path, a__txt=DUPLICATED + "沿线设有\u00a0三座换乘站。\n")
    assert check(str(tmp_path), "--ignore", "NC5").exit_code == 0  # only an info finding left
    assert check(str(tmp_path), "--ignore", "NC5", "--fail-on", "info").exit_code == 1
    assert check(str(tmp_path), "--fail-on", "error").exit_code == 0
    selected = json.loads(check(str(tmp_path), "--select", "NC1,NC4", "--output-format", "json").stdout)
    assert [f["code"] for f in selected["findings"]] == ["NC120"]
    narrowed = json.loads(
        check(str(tmp_path), "--ignore", "NC1", "--select", "NC120", "-o", "-", "--output-format", "json").stdout
    )
    assert [f["code"] for f in narrowed["findings"]] == ["NC120"]  # the longer prefix wins


def test_settings_file_applies_and_the_command_line_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = corpus(tmp_path / "data", a__txt=DUPLICATED)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.newsclean]\nignore = ["NC5"]\n', encoding="utf-8")
    assert check(str(data)).exit_code == 0
    (tmp_path / "newsclean.toml").write_text('max_dup_ratio = 0.5\nfail_on = "warning"\n', encoding="utf-8")
    assert check(str(data)).exit_code == 1  # newsclean.toml is read instead of pyproject: ratio 1.0 > 0.5
    assert check(str(data), "--max-dup-ratio", "1").exit_code == 0


def test_baseline_fails_only_on_new_findings(tmp_path: Path) -> None:
    data = corpus(tmp_path / "data", a__txt=DUPLICATED, b__txt=CLEAN)
    baseline = tmp_path / "baseline.json"
    written = check(str(data), "--baseline", str(baseline), "--write-baseline")
    assert written.exit_code == 0 and baseline.exists()
    assert check(str(data), "--baseline", str(baseline)).exit_code == 0
    # lines inserted above the known finding move it, but it is the same finding
    (data / "a.txt").write_text("新华社深圳电\n\n" + DUPLICATED, encoding="utf-8")
    moved = check(str(data), "--baseline", str(baseline))
    assert moved.exit_code == 0 and "1 more in the baseline" in moved.stdout
    # a new repeat in the same file is new
    (data / "a.txt").write_text(DUPLICATED + "沿线设有三座换乘站。\n全线共设车站二十四座。\n", encoding="utf-8")
    new = check(str(data), "--baseline", str(baseline), "--output-format", "json")
    assert new.exit_code == 1
    assert [(f["path"].rsplit("/", 1)[1], f["line"]) for f in json.loads(new.stdout)["findings"]] == [("a.txt", 5)]


def test_same_repeat_twice_needs_two_baseline_entries(tmp_path: Path) -> None:
    data = corpus(tmp_path / "data", a__txt=DUPLICATED)
    baseline = tmp_path / "b.json"
    check(str(data), "--baseline", str(baseline), "--write-baseline")
    (data / "a.txt").write_text(DUPLICATED + "深圳地铁今天开通新线路。\n", encoding="utf-8")
    assert check(str(data), "--baseline", str(baseline)).exit_code == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--select", "E501"],
        ["--baseline", "does-not-exist.json"],
        ["--write-baseline"],
        ["--skip", "decode"],
        ["--output-format", "xml"],
        ["--max-dup-ratio", "2"],
    ],
)
def test_usage_and_configuration_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    corpus(tmp_path, a__txt=CLEAN)
    assert check(str(tmp_path), *args).exit_code == 2


def test_a_bad_setting_in_the_file_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus(tmp_path / "d", a__txt=CLEAN)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "newsclean.toml").write_text('fail_on = "sometimes"\n', encoding="utf-8")
    result = check("d")
    assert result.exit_code == 2 and "fail_on" in result.output


def test_help_documents_exit_codes() -> None:
    out = CliRunner().invoke(cli, ["check", "--help"]).output
    assert "0 passed, 1 findings over the thresholds, 2 usage" in out


def test_input_errors_and_empty_documents_are_findings(tmp_path: Path) -> None:
    (tmp_path / "feed.jsonl").write_text(
        '{"text": "第一条新闻。"}\n{"text": 坏\n{"title": "无正文"}\n{"text": "  "}\n', encoding="utf-8"
    )
    (tmp_path / "nul.txt").write_bytes(b"abc\x00\x00def\x00" * 4)
    data = json.loads(check(str(tmp_path), "--output-format", "json").stdout)
    found = {(f["path"].rsplit("/", 1)[1], f["line"], f["code"]) for f in data["findings"]}
    assert found == {
        ("feed.jsonl", 2, "NC003"),
        ("feed.jsonl", 3, "NC004"),
        ("feed.jsonl", 4, "NC010"),
        ("nul.txt", 1, "NC001"),
    }
    assert data["summary"]["documents"] == {"in": 5, "kept": 1, "dropped": 1, "errors": 3}


def test_missing_input_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    result = check(str(tmp_path / "nope"))
    assert result.exit_code == 1 and "NC005" in result.stdout


def test_mixed_script_is_reported_from_the_document(tmp_path: Path) -> None:
    corpus(tmp_path, a__txt="国务院新闻办公室今天舉行新聞發布會，介紹經濟運行情况。\n")
    out = check(str(tmp_path)).stdout
    assert f"{tmp_path.as_posix()}/a.txt:1:1: NC402 " in out


class LosingPipeline(Pipeline):
    """A pipeline with a bug: it loses the second document."""

    def run(self, docs):  # type: ignore[no-untyped-def]
        for i, doc in enumerate(super().run(docs)):
            if i != 1:
                yield doc


def test_counts_that_do_not_add_up_are_an_error(tmp_path: Path) -> None:
    corpus(tmp_path, a__txt=CLEAN, b__txt="北京今天晴。\n")
    config = Config(jobs=1)
    result = run_check([str(tmp_path)], config, pipeline=LosingPipeline(config))
    assert [f.code for f in result.findings] == ["NC090"] and not result.passed
    assert not result.counts_add_up


def test_rejects_codes_trace_to_check_findings(tmp_path: Path) -> None:
    data = corpus(tmp_path / "data", a__txt=DUPLICATED + "新\u200b闻\n", b__txt="正文\u0007。\n")
    (data / "c.jsonl").write_text('{"text": 坏\n', encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    CliRunner().invoke(cli, ["clean", str(data), "-o", str(tmp_path / "o.jsonl"), "--rejects", str(rejects), "-j", "1"])
    recs = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()][1:]

    def where(rec: dict) -> tuple[str, int]:
        # a JSONL record is located at its line in the file, a text event at its line
        file, _, record = rec["source"].partition("#")
        return file, int(record) if record else rec.get("line") or 1

    from_clean = sorted((*where(r), r["code"]) for r in recs)
    found = json.loads(check(str(data), "--output-format", "json").stdout)["findings"]
    from_check = sorted((f["path"].rsplit("/", 1)[1], f["line"], f["code"]) for f in found)
    assert from_clean == from_check
    assert {c for *_, c in from_check} >= {"NC121", "NC122", "NC003"}


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(["北京今天晴。", "新华社北京电", "记者 张三", "图片来源：视觉中国", ""]), max_size=6))
def test_fingerprints_do_not_depend_on_lines_above(prefix: list[str]) -> None:
    """Whatever clean lines are added on top, the repeat keeps its fingerprint."""
    config = Config(jobs=1)

    def prints(text: str) -> set[str]:
        doc = Document(source="a.txt", raw=text.encode("utf-8"))
        (out,) = Pipeline(config).run([doc])
        from newsclean.findings import findings_for_document, load_codes

        return {f.fingerprint for f in findings_for_document(out, load_codes()) if f.code.startswith("NC5")}

    body = "深圳地铁今天开通新线路。\n" * 2
    prefix = [p for p in dict.fromkeys(prefix)]  # no repeats among the added lines themselves
    assert prints("\n".join(prefix) + "\n" + body) == prints(body)


def test_output_file_is_written(tmp_path: Path) -> None:
    data = corpus(tmp_path / "d", a__txt=DUPLICATED)
    out = tmp_path / "report.sarif"
    result = check(str(data), "--output-format", "sarif", "-o", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_stdin_is_checked() -> None:
    result = check("-", input=DUPLICATED)
    assert result.exit_code == 1 and "-:3:1: NC5" in result.stdout
