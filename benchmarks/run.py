"""Throughput benchmark: newsclean's CLI against the plain approach on the mixed corpus.

For each ``--mb`` size: build (or reuse) the corpus, run
``python -m newsclean clean DIR -o OUT --jobs N --report R --to hans`` as a subprocess
(every stage on; ``--to hans`` so convert does real work, like the baseline's t2s),
measuring wall time, CPU time and the peak memory of the whole process tree (sampled from
/proc: RSS summed over the tree, and PSS, which counts pages shared by forked workers
once); then run ``baseline_plain.py`` on the same files. Once, on the smallest size, it
times each stage in-process (``--jobs 1``) and profiles a ``--jobs 1`` run with cProfile.

Prints compact tables and writes everything to ``benchmarks/results/<time>.json`` and
``benchmarks/results/latest.json``.

    python benchmarks/run.py                      # 10 MB and 50 MB, jobs 2
    python benchmarks/run.py --mb 10 --mb 160     # the scaling targets
    python benchmarks/run.py --mb 10 --no-baseline --no-profile

CPU seconds per MB are reported beside wall time because they are far less sensitive to
other load on a shared machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SRC = REPO / "src"
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(SRC))

import make_corpus  # noqa: E402

MB = make_corpus.MB
PY = sys.executable
#: the targets of the issue (2 cores, every stage on)
TARGET_MB_S = 10.0
TARGET_RATIO = 10.0
TARGET_TIME_SCALING = 1.2
TARGET_RSS_SCALING = 1.5


# -- measuring a process tree ---------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    """ppid -> pids, from /proc (no psutil needed)."""
    tree: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: split after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        tree[int(fields[1])].append(int(entry.name))
    return tree


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; zeros if it has gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far (0.0 if it has gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss_kb = self.peak_pss_kb = self.max_procs = 0
        #: CPU seconds of the top process alone (the serial part: reading, pickling, writing)
        self.main_cpu_s = 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            tree = _children_map()
            pids, todo = [], [self.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo.extend(tree.get(pid, ()))
            mem = [_memory_kb(p) for p in pids]
            self.peak_rss_kb = max(self.peak_rss_kb, sum(m[0] for m in mem))
            self.peak_pss_kb = max(self.peak_pss_kb, sum(m[1] for m in mem))
            self.max_procs = max(self.max_procs, sum(1 for m in mem if m[0]))
            self.main_cpu_s = max(self.main_cpu_s, _cpu_s(self.pid))
            self.stopped.wait(self.interval)


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``cmd``; wall and CPU seconds (its whole tree) and peak memory."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=REPO)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        # wait4 gives the child's CPU time including its reaped workers, and the largest
        # single-process max RSS the kernel saw in that tree
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stopped.set()
        sampler.join()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return {
        "cmd": cmd,
        "returncode": proc.returncode,
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "main_process_cpu_s": round(sampler.main_cpu_s, 2),
        "peak_tree_rss_mb": round(sampler.peak_rss_kb / 1024, 1),
        "peak_tree_pss_mb": round(sampler.peak_pss_kb / 1024, 1),
        "max_single_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "processes": sampler.max_procs,
        "loadavg_before": round(load, 2),
        "stderr_tracebacks": stderr.count("Traceback (most recent call last)"),
        "stderr_tail": stderr[-600:],
    }


def newsclean_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def best_of(repeat: int, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The run with the least wall time: other load only ever adds time."""
    runs = [run() for _ in range(repeat)]
    best = min(runs, key=lambda r: r["wall_s"])
    best["walls_s"] = [r["wall_s"] for r in runs]
    return best


def run_newsclean(corpus: Path, out_dir: Path, jobs: int, extra: list[str]) -> dict[str, Any]:
    report = out_dir / "report.json"
    cmd = [PY, "-m", "newsclean", "clean", str(corpus), "-o", str(out_dir / "out.jsonl")]
    cmd += ["--jobs", str(jobs), "--report", str(report), *extra]
    result = measure(cmd, newsclean_env())
    if report.is_file():
        rep = json.loads(report.read_text())
        result["documents"] = rep.get("documents")
        result["bytes"] = rep.get("bytes")
        result["rules"] = rep.get("rules")
    return result


def run_baseline(corpus: Path, out_dir: Path) -> dict[str, Any]:
    return measure([PY, str(HERE / "baseline_plain.py"), str(corpus), "-o", str(out_dir / "plain.jsonl")])


# -- time per stage, in process ------------------------------------------------------------


def stage_times(corpus: Path, extra_config: dict[str, Any]) -> dict[str, Any]:
    """Run the real ``clean()`` with ``--jobs 1``, timing every stage's process/observe/finish
    calls, reading and everything else (writing records, the report, the pipeline's own
    bookkeeping)."""
    import newsclean.pipeline as pipeline_module
    import newsclean.run as run_module
    from newsclean.config import Config

    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)

    def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - t
                calls[label] += 1

        return wrapper

    real_build = pipeline_module.build_stages
    real_iter = run_module.iter_documents

    def build_timed(config: Any, registry: Any = None) -> list[Any]:
        stages = real_build(config, registry)
        for stage in stages:
            stage.process = timed(stage.name, stage.process)
            stage.prepare = timed(stage.name, stage.prepare)  # a batch's work counts as the stage's
            # observing is split in two: a summary where the document is, adding it up
            stage.observation = timed(f"{stage.name} (observe)", stage.observation)
            stage.absorb = timed(f"{stage.name} (observe)", stage.absorb)
            stage.finish = timed(f"{stage.name} (finish)", stage.finish)
        return stages

    def iter_timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
        it = real_iter(*args, **kwargs)
        while True:
            t = time.perf_counter()
            try:
                doc = next(it)
            except StopIteration:
                spent["read files"] += time.perf_counter() - t
                return
            spent["read files"] += time.perf_counter() - t
            calls["read files"] += 1
            yield doc

    config = Config.from_mapping({"jobs": 1, **extra_config})
    pipeline_module.build_stages = build_timed
    run_module.iter_documents = iter_timed
    try:
        with tempfile.TemporaryDirectory() as tmp:
            outputs = run_module.Outputs(output=f"{tmp}/out.jsonl", report=f"{tmp}/report.json")
            start = time.perf_counter()
            run_module.clean([str(corpus)], config, outputs)
            total = time.perf_counter() - start
    finally:
        pipeline_module.build_stages = real_build
        run_module.iter_documents = real_iter
    docs = calls.get("read files", 0)
    nbytes = sum(p.stat().st_size for p in corpus.rglob("*") if p.suffix in (".txt", ".html"))
    rows = {k: round(v, 3) for k, v in spent.items() if v >= 0.0005}
    rows["other (write, report, bookkeeping)"] = round(total - sum(spent.values()), 3)
    return {"total_s": round(total, 3), "documents": docs, "mb": round(nbytes / MB, 2), "seconds": rows}


# -- cProfile of a --jobs 1 CLI run ----------------------------------------------------------


def profile(corpus: Path, out_dir: Path, extra: list[str], top: int = 25) -> dict[str, Any]:
    prof = out_dir / "jobs1.prof"
    cmd = [PY, "-m", "cProfile", "-o", str(prof), "-m", "newsclean", "clean", str(corpus)]
    cmd += ["-o", str(out_dir / "prof-out.jsonl"), "--jobs", "1", *extra]
    result = measure(cmd, newsclean_env())
    stats = pstats.Stats(str(prof))
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{_short(file)}:{line}({func})",
                "calls": ncalls,
                "tottime_s": round(tottime, 3),
                "cumtime_s": round(cumtime, 3),
            }
        )
    by_tot = sorted(rows, key=lambda r: -r["tottime_s"])[:top]
    by_cum = sorted(rows, key=lambda r: -r["cumtime_s"])[: top * 2]
    text = io.StringIO()
    pstats.Stats(str(prof), stream=text).sort_stats("tottime").print_stats(40)
    (out_dir / "profile-tottime.txt").write_text(text.getvalue())
    return {"wall_s": result["wall_s"], "profiled_s": round(total, 3), "by_tottime": by_tot, "by_cumtime": by_cum}


def _short(file: str) -> str:
    for marker in ("site-packages/", "/src/", "lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


# -- the report ------------------------------------------------------------------------------


def rate(mb: float, seconds: float) -> float:
    return round(mb / seconds, 2) if seconds else float("inf")


def print_tables(results: dict[str, Any]) -> None:
    sizes = results["sizes"]
    print(f"\nnewsclean --jobs {results['jobs']} {' '.join(results['newsclean_args'])} vs plain (1 process)")
    print(
        f"{'corpus':>8} {'files':>6} {'MB':>6} | {'wall s':>7} {'MB/s':>6} {'docs/s':>7} {'CPU s/MB':>8} "
        f"{'main s/MB':>9} {'RSS MB':>7} {'PSS MB':>7} | {'plain s':>7} {'MB/s':>5} {'CPU s/MB':>8} {'RSS':>5} | {'x wall':>6} {'x CPU':>5}"
    )
    for size in sizes:
        n, b = size["newsclean"], size.get("baseline")
        line = (
            f"{size['label']:>8} {size['files']:>6} {size['mb']:>6.1f} | {n['wall_s']:>7.2f} {n['mb_s']:>6.2f} "
            f"{n['docs_s']:>7.0f} {n['cpu_s_per_mb']:>8.3f} {n['main_process_cpu_s'] / size['mb']:>9.3f} {n['peak_tree_rss_mb']:>7.0f} {n['peak_tree_pss_mb']:>7.0f} |"
        )
        if b:
            line += (
                f" {b['wall_s']:>7.2f} {b['mb_s']:>5.2f} {b['cpu_s_per_mb']:>8.3f} {b['peak_tree_rss_mb']:>5.0f} |"
                f" {size['ratio_wall']:>6.1f} {size['ratio_cpu']:>5.1f}"
            )
        print(line)
        if n["returncode"] or n["stderr_tracebacks"]:
            print(f"   ! newsclean exit {n['returncode']}, {n['stderr_tracebacks']} tracebacks on stderr")
    if "stages" in results:
        st = results["stages"]
        print(f"\ntime per stage (--jobs 1, in process, {st['mb']} MB, {st['documents']} documents, {st['total_s']} s)")
        for name, sec in sorted(st["seconds"].items(), key=lambda kv: -kv[1]):
            print(f"  {name:<38} {sec:>7.2f} s {100 * sec / st['total_s']:>5.1f} %  {rate(st['mb'], sec):>8.1f} MB/s")
    if "profile" in results:
        pr = results["profile"]
        print(f"\ncProfile, --jobs 1 over {results['profile_corpus']} ({pr['profiled_s']} s profiled): top by own time")
        for row in pr["by_tottime"][:15]:
            print(
                f"  {row['tottime_s']:>7.2f} s {row['cumtime_s']:>7.2f} cum {row['calls']:>9}  {row['function'][:90]}"
            )
    print("\ntargets:")
    for check in results["targets"]:
        print(f"  [{'PASS' if check['ok'] else 'FAIL'}] {check['what']}: {check['value']}")


def targets(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    checks = []
    for size in sizes:
        n = size["newsclean"]
        checks.append(
            {"what": f">= {TARGET_MB_S} MB/s at {size['label']}", "value": n["mb_s"], "ok": n["mb_s"] >= TARGET_MB_S}
        )
        if "ratio_wall" in size:
            checks.append(
                {
                    "what": f">= {TARGET_RATIO}x plain at {size['label']} (wall)",
                    "value": size["ratio_wall"],
                    "ok": size["ratio_wall"] >= TARGET_RATIO,
                }
            )
    if len(sizes) > 1:
        small, big = sizes[0], sizes[-1]
        t = round(big["newsclean"]["wall_s_per_mb"] / small["newsclean"]["wall_s_per_mb"], 2)
        m = round(big["newsclean"]["peak_tree_pss_mb"] / small["newsclean"]["peak_tree_pss_mb"], 2)
        label = f"{big['label']} / {small['label']}"
        checks.append(
            {"what": f"time per MB {label} <= {TARGET_TIME_SCALING}", "value": t, "ok": t <= TARGET_TIME_SCALING}
        )
        checks.append({"what": f"peak PSS {label} <= {TARGET_RSS_SCALING}", "value": m, "ok": m <= TARGET_RSS_SCALING})
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, action="append", help="corpus sizes (repeatable; default 10 and 50)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the fastest is kept")
    parser.add_argument("--to", default="hans", help="newsclean --to (default hans, like the baseline's t2s)")
    parser.add_argument("--rejects", action="store_true", help="also write the audit trail (--rejects)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-stages", action="store_true", help="skip the in-process time per stage")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run")
    args = parser.parse_args(argv)
    sizes_mb = sorted(args.mb or [10.0, 50.0])

    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    work = Path(tempfile.mkdtemp(prefix="newsclean-bench-"))
    extra = ["--to", args.to]
    results: dict[str, Any] = {
        "when": stamp,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "jobs": args.jobs,
        "newsclean_args": extra + (["--rejects", "FILE"] if args.rejects else []),
        "git": _git_head(),
        "sizes": [],
    }
    for mb in sizes_mb:
        corpus = make_corpus.build(mb, args.seed)
        manifest = json.loads((corpus / "manifest.json").read_text())
        size_mb = manifest["bytes"] / MB
        label = f"{mb:g} MB"
        print(f"[{label}] newsclean --jobs {args.jobs} ...", file=sys.stderr, flush=True)
        run_extra = extra + (["--rejects", str(work / "rejects.jsonl")] if args.rejects else [])
        n = best_of(
            args.repeat, lambda corpus=corpus, run_extra=run_extra: run_newsclean(corpus, work, args.jobs, run_extra)
        )
        _rates(n, size_mb, manifest["files"])
        size: dict[str, Any] = {"label": label, "corpus": str(corpus), "files": manifest["files"], "mb": size_mb}
        size["manifest_tags"] = manifest["tags"]
        size["newsclean"] = n
        if not args.no_baseline:
            print(f"[{label}] plain baseline ...", file=sys.stderr, flush=True)
            b = best_of(args.repeat, lambda corpus=corpus: run_baseline(corpus, work))
            _rates(b, size_mb, manifest["files"])
            size["baseline"] = b
            size["ratio_wall"] = round(b["wall_s"] / n["wall_s"], 1)
            size["ratio_cpu"] = round(b["cpu_s"] / n["cpu_s"], 1)
        results["sizes"].append(size)
    smallest = make_corpus.build(sizes_mb[0], args.seed)
    if not args.no_stages:
        print("time per stage ...", file=sys.stderr, flush=True)
        results["stages"] = stage_times(smallest, {"to": args.to})
    if not args.no_profile:
        print("cProfile ...", file=sys.stderr, flush=True)
        results["profile_corpus"] = f"{sizes_mb[0]:g} MB"
        results["profile"] = profile(smallest, work, extra)
        (RESULTS / f"{stamp}-profile.txt").write_text((work / "profile-tottime.txt").read_text())
    results["targets"] = targets(results["sizes"])
    text = json.dumps(results, ensure_ascii=False, indent=1) + "\n"
    (RESULTS / f"{stamp}.json").write_text(text)
    (RESULTS / "latest.json").write_text(text)
    shutil.rmtree(work, ignore_errors=True)
    print_tables(results)
    print(f"\nresults: {RESULTS / (stamp + '.json')}")
    return 0


def _rates(run: dict[str, Any], size_mb: float, files: int) -> None:
    run["mb_s"] = rate(size_mb, run["wall_s"])
    run["docs_s"] = round(files / run["wall_s"], 1)
    run["wall_s_per_mb"] = round(run["wall_s"] / size_mb, 4)
    run["cpu_s_per_mb"] = round(run["cpu_s"] / size_mb, 4)


def _git_head() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=REPO, capture_output=True, text=True)
        return out.stdout.strip() + ("+dirty-src" if dirty.stdout.strip() else "")
    except OSError:
        return None


if __name__ == "__main__":
    sys.exit(main())
