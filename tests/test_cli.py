"""The command line through click's CliRunner: options, stdin, outputs, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsclean.cli import cli

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def run(*args: str, input: bytes | str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_clean_samples_writes_one_record_per_sample(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = run("clean", str(SAMPLES), "-o", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    recs = records(out.read_text(encoding="utf-8"))
    sources = [r["source"] for r in recs]
    assert sources == sorted(sources)
    expected = sum(1 for p in SAMPLES.iterdir() if p.suffix != ".jsonl") + sum(
        1 for p in SAMPLES.glob("*.jsonl") for line in p.read_text(encoding="utf-8").splitlines() if line.strip()
    )
    assert len(recs) == expected


def test_two_runs_give_identical_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run("clean", str(SAMPLES), "-o", str(a), "-j", "1").exit_code == 0
    assert run("clean", str(SAMPLES), "-o", str(b), "-j", "2").exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_default_command_is_clean() -> None:
    result = run(str(SAMPLES / "gbk_central_bank.txt"))
    assert result.exit_code == 0
    assert "中国人民银行" in records(result.stdout)[0]["text"]


def test_stdin_text_to_stdout() -> None:
    text = "  新华社北京电　今天天气晴。\n\n今天天气晴。\n"
    result = run("clean", "-", input=text.encode("gbk"))
    assert result.exit_code == 0
    (rec,) = records(result.stdout)
    assert rec["source"] == "-"
    assert rec["text"] == "新华社北京电　今天天气晴。\n今天天气晴。"
    assert rec["encoding"]["name"] == "gb18030"


def test_stdin_jsonl_keeps_other_fields_and_numbers_lines() -> None:
    lines = [
        json.dumps({"url": "https://a.cn/1", "text": "第一篇新闻正文。", "tags": ["经济"]}, ensure_ascii=False),
        "",
        json.dumps({"url": "https://a.cn/2", "text": "第二篇新闻正文。"}, ensure_ascii=False),
    ]
    result = run("clean", "-", input="\n".join(lines) + "\n")
    recs = records(result.stdout)
    assert [r["source"] for r in recs] == ["-#1", "-#3"]
    assert recs[0]["tags"] == ["经济"] and recs[0]["url"] == "https://a.cn/1"


def test_text_field_picks_the_field_and_writes_it_back() -> None:
    line = json.dumps({"content": "正文内容。", "text": "别的字段"}, ensure_ascii=False)
    result = run("clean", "-", "--text-field", "content", input=line + "\n")
    (rec,) = records(result.stdout)
    assert rec["content"] == "正文内容。" and rec["text"] == "别的字段"


def test_bad_inputs_are_reported_and_others_kept(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("一篇正常的新闻。", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "nul.txt").write_bytes(b"abc\x00\x00\x00def\x00" * 10)
    (tmp_path / "broken.jsonl").write_text(
        '{"text": "好的记录。"}\n{"text": 坏\n{"title": "无正文"}\n', encoding="utf-8"
    )
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    out, rejects, report = tmp_path / "o.jsonl", tmp_path / "r.jsonl", tmp_path / "rep.json"
    result = run("clean", str(tmp_path), "-o", str(out), "--rejects", str(rejects), "--report", str(report))
    assert result.exit_code == 1
    kept = {r["source"] for r in records(out.read_text(encoding="utf-8"))}
    assert kept == {"good.txt", "broken.jsonl#1"}
    rep = json.loads(report.read_text(encoding="utf-8"))
    docs = rep["documents"]
    assert docs["in"] == docs["kept"] + docs["dropped"] + docs["errors"]
    bad = {e["source"] for e in rep["errors"]}
    assert {"binary.txt", "nul.txt", "broken.jsonl#2", "broken.jsonl#3", "loop.txt"} <= bad
    assert "Traceback" not in result.output
    assert "binary.txt" in result.stderr
    dropped = [json.loads(x) for x in rejects.read_text(encoding="utf-8").splitlines()]
    assert any(r.get("source") == "empty.txt" and r.get("rule") == "empty-document" for r in dropped)


def test_unknown_stage_is_a_usage_error() -> None:
    result = run("clean", str(SAMPLES), "--skip", "nonsense")
    assert result.exit_code == 2
    assert "no such stage" in result.output


def test_output_over_an_input_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("正文。", encoding="utf-8")
    result = run("clean", str(f), "-o", str(f))
    assert result.exit_code == 2
    assert f.read_text(encoding="utf-8") == "正文。"


def test_output_inside_input_folder_is_not_read_back(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("正文。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    for _ in range(2):
        result = run("clean", str(tmp_path), "-o", str(out))
        assert result.exit_code == 0
    assert [r["source"] for r in records(out.read_text(encoding="utf-8"))] == ["a.txt"]


def test_missing_input_is_an_error_not_a_crash(tmp_path: Path) -> None:
    result = run("clean", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert "no such file" in result.stderr


@pytest.mark.parametrize("command", ["clean", "stages"])
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 3


def test_stages_lists_every_stage_in_order() -> None:
    names = [line.split()[0] for line in run("stages").output.splitlines()]
    assert names == [
        "decode",
        "extract",
        "repair",
        "normalize",
        "filter",
        "convert",
        "dedup",
        "furniture",
        "crossdedup",
    ]
