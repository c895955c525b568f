"""Hostile and broken input: every file is accounted for, nothing crashes, memory stays
bounded, and interrupted runs leave no partial output.

The hostile corpus is generated here (no committed binaries). Interruption and full-disk
tests run the real CLI in a subprocess.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsclean.cli import cli
from newsclean.config import Config
from newsclean.document import Document
from newsclean.io.sources import iter_documents, read_stdin
from newsclean.pipeline import Pipeline

SRC = Path(__file__).resolve().parent.parent / "src"
ARTICLE = (
    "新华社北京3月5日电　第十四届全国人民代表大会第二次会议5日上午在人民大会堂开幕。\n"
    "国务院总理作政府工作报告，回顾过去一年工作，提出今年经济社会发展的主要目标。\n"
)
#: long enough to exercise the limits, small enough to keep the suite fast (the benchmark
#: uses 20 MB)
LONG_LINE_BYTES = 5 * 1024 * 1024
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def run_cli(*args: str, input: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def make_hostile_folder(root: Path) -> tuple[set[str], set[str]]:
    """Write one file of every hostile kind; return (sources that must be kept, sources
    that must be reported as errors)."""
    good: set[str] = set()
    bad: set[str] = set()

    def put(name: str, data: bytes, ok: bool | None) -> None:
        (root / name).write_bytes(data)
        if ok is True:
            good.add(name)
        elif ok is False:
            bad.add(name)

    put("正常 新闻.txt", ARTICLE.encode("utf-8"), True)  # spaces and Chinese in the name
    put("empty.txt", b"", None)  # dropped: no text
    put("binary.txt", bytes(range(256)) * 64, False)
    put("nul.txt", b"\x00\x01\x02PK\x03\x04" * 500, False)
    put("stray_nul.txt", ARTICLE.encode("utf-8").replace("。".encode(), "。\x00".encode(), 1), True)
    put("gbk.txt", ARTICLE.encode("gbk"), True)
    put("mixed.txt", ARTICLE.encode("utf-8") + "中国人民银行决定下调存款准备金率。\n".encode("gbk"), True)
    put("truncated_utf8.txt", ARTICLE.encode("utf-8")[:-4], True)
    put("long_line.txt", ("长" * (LONG_LINE_BYTES // 3)).encode("utf-8"), True)
    deep = "<html><body>" + "<div>" * 20_000 + "深层嵌套的正文。" + "</div>" * 20_000 + "</body></html>"
    put("deep.html", deep.encode("utf-8"), True)
    put("utf16.txt", ARTICLE.encode("utf-16"), True)
    lines = [
        json.dumps({"text": "第一条正常记录。"}, ensure_ascii=False),  # 1 kept
        '{"text": "半截记录',  # 2 broken
        '{"text": "\\ud800孤立代理项", "url": "https://a.cn/x"}',  # 3 lone surrogate: kept, cleaned
        '{"text": "数值", "score": NaN}',  # 4 NaN is not JSON
        "[" * 50_000 + "]" * 50_000,  # 5 nested too deeply
        '{"text": "大数", "n": ' + "9" * 5000 + "}",  # 6 over Python's int digit limit
        '["不是对象"]',  # 7
        '{"title": "没有正文"}',  # 8
        '{"text": "最后一条被截断',  # 9 partial last line, no newline
    ]
    put("crawl.jsonl", "\n".join(lines).encode("utf-8"), None)
    good |= {"crawl.jsonl#1", "crawl.jsonl#3"}
    bad |= {f"crawl.jsonl#{n}" for n in (2, 4, 5, 6, 7, 8, 9)}
    (root / "self_loop.txt").symlink_to(root / "self_loop.txt")
    bad.add("self_loop.txt")
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    bad.add("dangling.txt")
    sub = root / "sub"
    sub.mkdir()
    (sub / "loop").symlink_to(root, target_is_directory=True)  # folder loop: walked once
    os.mkfifo(root / "pipe.txt")
    bad.add("pipe.txt")
    gbk_name = os.fsencode(root) + b"/" + "新闻".encode("gbk") + b".txt"
    with open(gbk_name, "wb") as fh:
        fh.write(ARTICLE.encode("utf-8"))
    good.add("\\xd0\\xc2\\xce\\xc5.txt")
    if not IS_ROOT:  # root reads mode-000 files anyway
        put("unreadable.txt", ARTICLE.encode("utf-8"), False)
        os.chmod(root / "unreadable.txt", 0)
    return good, bad


def test_hostile_folder_is_fully_accounted_for(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good, bad = make_hostile_folder(folder)
    out, rejects, report = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl", tmp_path / "report.json"
    # the good files share one article: cross-document dedup would rightly keep only the first
    args = ["--skip", "crossdedup", "-o", str(out), "--rejects", str(rejects), "--report", str(report)]
    result = run_cli("clean", str(folder), *args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output

    # valid JSONL (strict UTF-8, no lone surrogates) for every good input
    data = out.read_bytes().decode("utf-8")
    records = [json.loads(line) for line in data.splitlines()]
    kept = {r["source"] for r in records}
    assert good <= kept
    assert not kept & bad
    assert all(not any(0xD800 <= ord(c) <= 0xDFFF for c in r["text"]) for r in records)
    by_source = {r["source"]: r for r in records}
    assert by_source["crawl.jsonl#3"]["text"] == "孤立代理项"
    assert by_source["crawl.jsonl#3"]["url"] == "https://a.cn/x"
    assert by_source["deep.html"]["text"] == "深层嵌套的正文。"
    assert len(by_source["long_line.txt"]["text"]) == LONG_LINE_BYTES // 3
    assert "中国人民银行决定下调存款准备金率。" in by_source["mixed.txt"]["text"]
    assert "\x00" not in by_source["stray_nul.txt"]["text"]

    # the report adds up and names every bad input with a reason
    rep = json.loads(report.read_text(encoding="utf-8"))
    docs = rep["documents"]
    assert docs["in"] == docs["kept"] + docs["dropped"] + docs["errors"]
    assert docs["kept"] == len(records)
    reasons = {e["source"]: e["reason"] for e in rep["errors"]}
    assert set(reasons) == bad
    assert all(reasons.values())
    assert "FIFO" in reasons["pipe.txt"]
    assert "NaN" in reasons["crawl.jsonl#4"]
    assert "nested too deeply" in reasons["crawl.jsonl#5"]
    # each error is one line on stderr naming the file
    for source in bad:
        assert any(line.startswith(f"newsclean: error: {source}: ") for line in result.stderr.splitlines())
    # the empty file is a drop with a reason, not silence
    events = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert any(e.get("source") == "empty.txt" and e.get("rule") == "empty-document" for e in events)


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    if IS_ROOT:
        pytest.skip("root can read a mode-000 file")
    f = tmp_path / "secret.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    f.chmod(0)
    result = run_cli("clean", str(tmp_path))
    assert result.exit_code == 1
    assert "secret.txt: cannot read: Permission denied" in result.stderr


def test_file_over_the_size_limit_is_refused_not_read() -> None:
    # /dev/zero is endless: a bounded read is the only way this returns
    (doc,) = iter_documents(["/dev/zero"], Config(max_file_bytes=1 << 20))
    assert doc.error and "over the limit" in doc.error


def test_endless_jsonl_line_is_skipped_and_the_next_read(tmp_path: Path) -> None:
    f = tmp_path / "big.jsonl"
    f.write_bytes(b'{"text": "' + b"x" * (3 << 20) + b'"}\n{"text": "\xe4\xb8\x8b\xe4\xb8\x80\xe6\x9d\xa1"}\n')
    docs = list(iter_documents([str(f)], Config(max_file_bytes=1 << 20)))
    assert "over the limit" in (docs[0].error or "")
    assert docs[1].text == "下一条"


def test_stdin_over_the_limit_is_an_error() -> None:
    import io

    (doc,) = read_stdin(Config(max_file_bytes=1000), io.BytesIO("长".encode() * 2000))
    assert doc.error and "over the limit" in doc.error


def test_html_over_the_parser_limit_falls_back_with_a_flag() -> None:
    html = "<html><body><nav>首页 | 新闻</nav>" + "<p>第一段正文内容。</p>" * 20 + "</body></html>"
    config = Config(jobs=1, max_html_chars=100)
    (doc,) = Pipeline(config).run([Document(source="a.html", raw=html.encode(), kind="html")])
    assert [p.text for p in doc.paragraphs] == ["第一段正文内容。"]  # the 19 copies dropped by dedup
    (flag,) = [e for e in doc.events if e.rule == "html-fallback"]
    assert flag.kind == "flag" and "over the parser limit of 100" in flag.reason


def test_output_over_an_input_inside_the_folder_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "b.txt"
    target.write_text(ARTICLE, encoding="utf-8")
    result = run_cli("clean", str(tmp_path), "-o", str(target))
    assert result.exit_code == 2
    assert "would be overwritten" in result.stderr
    assert target.read_text(encoding="utf-8") == ARTICLE


def test_same_file_for_two_outputs_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    result = run_cli("clean", str(tmp_path / "a.txt"), "-o", str(out), "--rejects", str(out))
    assert result.exit_code == 2
    assert "two outputs" in result.stderr


def test_output_to_a_fifo_writes_through_it(tmp_path: Path) -> None:
    # A FIFO stands in for /dev/null and friends (shared by every process on the machine):
    # a rename over it would replace it with a plain file.
    import threading

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run_cli("clean", str(tmp_path / "in"), "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    (record,) = [json.loads(line) for line in received[0].decode("utf-8").splitlines()]
    assert record["source"] == "a.txt"


# -- real subprocesses: signals and full disks ------------------------------------------


def cli_process(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen(
        [sys.executable, "-m", "newsclean", "clean", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def make_big_folder(folder: Path, files: int = 1500) -> None:
    folder.mkdir()
    for i in range(files):
        body = "\n\n".join(f"第{i}篇第{j}段：{ARTICLE.strip()}" for j in range(12))
        (folder / f"doc{i:05d}.txt").write_text(body, encoding="utf-8")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_leaves_no_partial_output_and_a_rerun_completes(tmp_path: Path, jobs: str) -> None:
    folder = tmp_path / "in"
    make_big_folder(folder)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "clean.jsonl"
    out.write_text("previous run\n", encoding="utf-8")
    proc = cli_process(str(folder), "-o", str(out), "--report", str(out_dir / "report.json"), "-j", jobs)
    deadline = time.monotonic() + 30
    # wait until the run is writing (its temporary file exists), then stop it
    while not any(p.name.endswith(".tmp") for p in out_dir.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == 130
    assert b"Traceback" not in stderr
    assert "interrupted after" in stderr.decode()
    assert out.read_text(encoding="utf-8") == "previous run\n"  # untouched
    assert sorted(p.name for p in out_dir.iterdir()) == ["clean.jsonl"]  # no temp files, no report

    proc = cli_process(str(folder), "-o", str(out), "-j", jobs)
    proc.communicate(timeout=60)
    assert proc.returncode == 0
    sources = [json.loads(line)["source"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sources == sorted(p.name for p in folder.iterdir())


def test_full_device_is_a_clear_error(tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    proc = cli_process(str(tmp_path), "-o", "/dev/full")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert b"No space left on device" in stderr and b"Traceback" not in stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def _limit_file_size() -> None:
    # a file-size limit makes writes fail as a full disk does, but for this process only
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_write_failure_midway_removes_the_temporary_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_big_folder(folder, files=100)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    proc = cli_process(str(folder), "-o", str(out_dir / "clean.jsonl"), preexec_fn=_limit_file_size)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert b"cannot write output" in stderr and b"Traceback" not in stderr
    assert list(out_dir.iterdir()) == []


def test_100k_nested_divs_are_read_by_the_fallback_with_a_flag() -> None:
    html = "<html><body>" + "<div>" * 100_000 + "深层嵌套的正文。" + "</div>" * 100_000 + "</body></html>"
    (doc,) = Pipeline(Config(jobs=1)).run([Document(source="deep.html", raw=html.encode(), kind="html")])
    assert doc.clean_text == "深层嵌套的正文。"
    (flag,) = [e for e in doc.events if e.rule == "html-fallback"]
    assert "200004 tags is over the parser limit of 50000" in flag.reason


class _KillsItsWorker:
    """A stage standing in for a crash in C code or the OOM killer: a document holding
    自毁 kills the process cleaning it."""

    name = "killer"
    corpus = False
    needs_observe = False

    def __init__(self, config: Config) -> None:
        self.config = config

    def process(self, doc: Document) -> Document:
        if any("自毁" in p.text for p in doc.paragraphs):
            os.kill(os.getpid(), signal.SIGKILL)
        return doc

    def finish(self) -> None:
        pass


def test_a_worker_killed_mid_batch_costs_only_its_document(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsclean import pipeline
    from newsclean.stages.decode import Decode
    from newsclean.stages.extract import Extract

    registry = [Decode, Extract, _KillsItsWorker]
    monkeypatch.setattr(pipeline, "REGISTRY", registry)  # forked workers build these stages
    texts = [f"第{i}篇正文。" for i in range(20)]
    texts[7] = "这篇会自毁。"
    docs = [Document(source=f"d{i}.txt", raw=t.encode()) for i, t in enumerate(texts)]
    config = Config(jobs=2, batch_size=4)
    out = list(pipeline.Pipeline(config, stages=[cls(config) for cls in registry]).run(docs))
    assert [d.source for d in out] == [f"d{i}.txt" for i in range(20)]
    assert [d.source for d in out if d.error] == ["d7.txt"]
    assert "worker process died" in (out[7].error or "")
    assert [d.clean_text for d in out if not d.error] == [t for i, t in enumerate(texts) if i != 7]
