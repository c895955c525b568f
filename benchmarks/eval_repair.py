"""Build the repair test set and measure the repair stage on it.

    /tmp/venv/bin/python benchmarks/eval_repair.py --build   # (re)write tests/data/repair_cases.jsonl
    /tmp/venv/bin/python benchmarks/eval_repair.py           # per-kind figures, clean-text MB/s
    /tmp/venv/bin/python benchmarks/eval_repair.py --pathological 1000000  # 1 MB lines, timed

Sentences are generated from templates of news phrases (Simplified, and Traditional via
OpenCC), then damaged the way real pipelines damage text: UTF-8 read as GBK, Big5,
Shift-JIS or cp1252 (once or twice), GBK/Big5 read as latin-1, double-byte text read out of
step after a lost byte, lossy decodes (``?``, U+FFFD), NFKC after the damage. Each case
records the damaged text, the intended text and whether it is fully recoverable (no byte
lost). Clean controls (news, rare characters, Japanese, pinyin, emoji, URLs, code) must
come through untouched.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from newsclean.config import Config  # noqa: E402
from newsclean.document import Document  # noqa: E402
from newsclean.plausibility import pair_bonus  # noqa: E402
from newsclean.stages.repair import Repair  # noqa: E402

CASES = ROOT / "tests" / "data" / "repair_cases.jsonl"

WHO = "国家统计局 财政部 中国人民银行 市交通委 省教育厅 国务院新闻办 市场监管总局 区卫健委 生态环境部 海关总署 商务部 外交部发言人 市气象台 公安部 最高人民法院".split()
WHERE = "北京 上海 广州 深圳 成都 武汉 杭州 南京 西安 重庆 天津 长沙 郑州 青岛 厦门 昆明".split()
WHAT = "居民消费价格 社会消费品零售总额 进出口总值 城镇调查失业率 全国粮食产量 新能源汽车销量 固定资产投资 规模以上工业增加值 地铁客运量 空气质量优良天数".split()
VERB = "同比上涨 环比下降 同比增长 稳中有升 持续回落 创历史新高 保持平稳".split()
EVENT = "举行新闻发布会 召开常务会议 发布最新数据 出台支持政策 启动专项行动 公布调查结果 开展安全检查".split()
PEOPLE = "王蓬博 李明 张晓燕 陈建国 刘洋 赵丽 黄志强 周婷 吴海峰 郑雪".split()
SAY = "表示 指出 介绍 强调 透露 认为".split()
TOPIC = "下一步将继续加大政策支持力度 市场总体运行平稳 相关部门正在调查此事 群众反映的问题已经得到解决 预计明年将保持增长态势 该项目计划于年底前竣工".split()

TEMPLATES = (
    "{who}今天{event}，{what}{verb}{pct}%。",
    "据{who}消息，{year}年{month}月{where}{what}{verb}{pct}%。",
    "{person}{say}，“{topic}。”",
    "记者从{who}获悉，{where}{what}{verb}，{topic}。",
    "{month}月{day}日，{who}在{where}{event}。{person}{say}，{topic}。",
    "“{topic}，”{person}说，“我们会认真听取意见。”",
    "{where}市{what}连续{n}个月{verb}，专家{say}{topic}。",
    "《{where}日报》报道：{who}{event}，{topic}！",
    "{person}（{who}工作人员）{say}：{topic}；此外，{what}{verb}。",
    "{where}、{where2}两地{what}分别{verb}{pct}%和{pct2}%。",
)

CLEAN_EXTRA = (
    "参考消息网6月3日报道 据法新社报道，联合国秘书长古特雷斯呼吁各方保持克制。",
    "他的名字里有个生僻字“䶮”，还有扩展B区的“𠮷”和“𪚥”，系统照样能显示。",
    "东京（共同社）日本政府は3日、新しい経済対策を発表した。",
    "北京（Běijīng）的拼音带声调，nǚ和lǜ里有ü。",
    "网友纷纷点赞👍😂，称“太暖心了❤️”。",
    "详情请访问 https://www.gov.cn/zhengce/2024-06/03/content_6955031.htm?id=42&lang=zh 。",
    "代码示例：for (int i = 0; i < n; i++) { sum += a[i]; } // 累加",
    "全角字母ＡＢＣ和全角数字１２３、全角标点！？：；（）【】都是正文。",
    "The quick brown fox jumps over the lazy dog. Café au lait, naïve résumé.",
    "台北市政府今（3）日公布最新防疫措施，民眾應配合戴口罩。",
    "張先生說：「這件事我們會依法處理。」",
    "温度为25°C，误差±0.5，面积约3×4平方米，比例为1/2。",
    "嗚呼！噫吁嚱，危乎高哉！蜀道之難，難於上青天。",
    "在粵語中，「冇」、「嘢」、「噉」、「咁」係常用字。",
    "第一季度GDP同比增长5.3%，CPI上涨0.1%，PPI下降2.7%。",
    "央行：M2余额304.8万亿元，同比增长7.0%。",
    "他问道：“真的吗?!”大家都笑了。",
    "你确定吗???我不信!!!",
    "“新闻”两个字在日语里写作「ニュース」。",
    "阿卜杜勒·阿齐兹·本·萨勒曼于当地时间周日抵达。",
    "这是真的吗?A股今天收涨1.2%,创业板指涨2%。",
    "你刷B站吗?K线图显示,C罗本赛季已进12球。",
    "什么?!这也太离谱了吧?!",
    "为什么?iPhone 15的销量不及预期?",
    "“真的假的?”网友问。",
    "《红楼梦》第⒀回写道：“秦可卿死封龙禁尉。”",
    "罗马数字ⅲ和带圈数字⑴在公文中偶尔出现。",
    "张三（男，1985年生）、李四（女）均已到案。",
)


def sentences(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        t = rng.choice(TEMPLATES)
        w1, w2 = rng.sample(WHERE, 2)
        out.append(
            t.format(
                who=rng.choice(WHO),
                where=w1,
                where2=w2,
                what=rng.choice(WHAT),
                verb=rng.choice(VERB),
                event=rng.choice(EVENT),
                person=rng.choice(PEOPLE),
                say=rng.choice(SAY),
                topic=rng.choice(TOPIC),
                pct=f"{rng.randint(1, 30)}.{rng.randint(0, 9)}",
                pct2=f"{rng.randint(1, 30)}.{rng.randint(0, 9)}",
                year=rng.randint(2015, 2025),
                month=rng.randint(1, 12),
                day=rng.randint(1, 28),
                n=rng.randint(2, 9),
            )
        )
    return out


def _shift(
    text: str, codec: str, rng: random.Random, mark: bool, eat: bool, nfkc: bool
) -> tuple[str, str, bool] | None:
    """Replace (or drop) the lead byte of one double-byte character and decode out of step.

    ``eat``: the decoder swallows the byte after an unreadable lead (as some do) instead
    of resynchronising on it."""
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        return None
    leads = []
    i = 0
    while i < len(data):
        if data[i] >= 0x81:
            leads.append(i)
            i += 2
        else:
            i += 1
    if not leads:
        return None
    at = rng.choice(leads[:-1] or leads)
    damaged = data[:at] + (b"?" if mark else b"") + data[at + 1 :]
    out = []
    j = 0
    intact = True
    while j < len(damaged):
        b = damaged[j]
        if b < 0x80:
            out.append(chr(b))
            j += 1
            continue
        pair = damaged[j : j + 2]
        try:
            out.append(pair.decode(codec))
            j += 2
        except UnicodeDecodeError:
            out.append("€" if b == 0x80 else "?")
            swallowed = eat and len(pair) == 2
            # an ASCII byte swallowed with an unreadable lead is lost for good
            intact = intact and not (swallowed and pair[1] < 0x80 and chr(pair[1]) not in "<#")
            j += 2 if swallowed else 1
    got = "".join(out)
    if nfkc:
        return unicodedata.normalize("NFKC", got), unicodedata.normalize("NFKC", text), intact
    return got, text, intact


def build(seed: int = 20240603) -> list[dict]:
    import opencc

    rng = random.Random(seed)
    s2t = opencc.OpenCC("s2t")
    simp = sentences(rng, 300)
    trad = [s2t.convert(s) for s in sentences(rng, 200)]
    pool = simp + trad
    cases: list[dict] = []

    def add(kind: str, damaged: str, intended: str, recoverable: bool = True) -> None:
        cases.append({"kind": kind, "damaged": damaged, "intended": intended, "recoverable": recoverable})

    for s in pool[:150] + pool[300:360]:
        add("clean", s, s)
    for s in CLEAN_EXTRA:
        add("clean", s, s)
    for s in rng.sample(pool, 60):
        b = s.encode("utf-8")
        try:
            add("utf8-as-gbk", b.decode("gb18030"), s)
        except UnicodeDecodeError:
            add("utf8-as-gbk", b.decode("gb18030", errors="replace"), s, False)
    for s in rng.sample(pool, 40):
        # damage one phrase inside clean text
        a = rng.randrange(0, max(1, len(s) - 6))
        span = s[a : a + rng.randint(3, 6)]
        try:
            bad = span.encode("utf-8").decode("gb18030")
        except UnicodeDecodeError:
            continue
        add("utf8-as-gbk-span", s[:a] + bad + s[a + len(span) :], s)
    for s in rng.sample(pool, 40):
        try:
            add("utf8-as-big5", s.encode("utf-8").decode("cp950"), s)
        except UnicodeDecodeError:
            add("utf8-as-big5", s.encode("utf-8").decode("cp950", errors="replace"), s, False)
    for s in rng.sample(pool, 40):
        try:
            add("utf8-as-shift-jis", s.encode("utf-8").decode("cp932"), s)
        except UnicodeDecodeError:
            add("utf8-as-shift-jis", s.encode("utf-8").decode("cp932", errors="replace"), s, False)
    for s in rng.sample(simp, 30):
        add("gbk-as-latin-1", s.encode("gbk").decode("latin-1"), s)
    for s in rng.sample(trad, 30):
        try:
            add("big5-as-latin-1", s.encode("cp950").decode("latin-1"), s)
        except UnicodeEncodeError:
            continue
    for s in rng.sample(pool, 40):
        add("utf8-as-cp1252", _cp1252(s), s)
    for s in rng.sample(pool, 20):
        add("double-utf8", _cp1252(_cp1252(s)), s)
    for i, s in enumerate(rng.sample(simp, 40) + rng.sample(trad, 40)):
        codec = "gb18030" if i < 40 or i % 2 else "cp950"
        got = _shift(s, codec, rng, mark=i % 3 != 0, eat=i % 2 == 0, nfkc=i % 4 != 1)
        if got:
            # a byte lost without a trace (no ?) is found only when the damage shows
            add("out-of-step" if i % 3 else "out-of-step-unmarked", got[0], got[1], got[2])
    for s in rng.sample(pool, 40):
        bad = s.encode("utf-8").decode("gb18030", errors="replace")
        chars = list(bad)
        k = rng.randrange(len(chars))
        chars[k] = rng.choice("?\ufffd")
        add("lossy", "".join(chars), s, False)
    for s in rng.sample(pool, 30):
        try:
            bad = s.encode("utf-8").decode("gb18030")
        except UnicodeDecodeError:
            continue
        folded = unicodedata.normalize("NFKC", bad)
        if folded != bad:
            add("utf8-as-gbk-nfkc", folded, unicodedata.normalize("NFKC", s))
    return cases


def _cp1252(s: str) -> str:
    """UTF-8 read as cp1252, the five unassigned bytes read as latin-1 (as browsers do)."""
    return "".join(bytes([b]).decode("cp1252", errors="replace").replace("\ufffd", chr(b)) for b in s.encode("utf-8"))


def matches(output: str, intended: str, kind: str) -> bool:
    if "nfkc" in kind or kind.startswith("out-of-step"):
        return unicodedata.normalize("NFKC", output) == unicodedata.normalize("NFKC", intended)
    return output == intended


def _subsequence(out: str, intended: str, kind: str) -> bool:
    if "nfkc" in kind or kind.startswith("out-of-step"):
        out, intended = unicodedata.normalize("NFKC", out), unicodedata.normalize("NFKC", intended)
    it = iter(intended)
    return all(ch in it for ch in out)


def evaluate(cases: list[dict]) -> dict[str, dict[str, int]]:
    stage = Repair(Config())
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for case in cases:
        doc = stage.process(Document.from_text("case.txt", case["damaged"]))
        out = doc.clean_text
        st = stats[case["kind"] + ("" if case["recoverable"] else " (lossy)")]
        st["n"] += 1
        st["exact"] += matches(out, case["intended"], case["kind"])
        st["changed"] += out != case["damaged"]
        st["flagged"] += any(e.kind == "flag" for e in doc.events)
        # changed, and nothing wrong in what came out: at worst some characters missing
        st["no-wrong"] += out != case["damaged"] and _subsequence(out, case["intended"], case["kind"])
    return stats


def clean_speed(lines: list[str]) -> float:
    """MB/s of the stage alone on clean text (``lines`` repeated to ~4 MB), tables loaded."""
    text = "\n".join(lines)
    reps = max(1, 4_000_000 // len(text.encode("utf-8")))
    big = "\n".join([text] * reps)
    stage = Repair(Config())
    stage.process(Document.from_text("warm.txt", "鏂伴椈\n统计?!?p#x#e#"))  # load the tables
    pair_bonus("统", "计")
    best = float("inf")
    for _ in range(3):  # best of three: the machine is shared
        doc = Document.from_text("big.txt", big)
        t = time.perf_counter()
        stage.process(doc)
        best = min(best, time.perf_counter() - t)
    return len(big.encode("utf-8")) / best / 1e6


def news_lines() -> list[str]:
    """Clean news: the generated sentences and the UTF-8 samples shipped in samples/."""
    import opencc

    rng = random.Random(7)
    lines = sentences(rng, 300) + [opencc.OpenCC("s2t").convert(s) for s in sentences(rng, 200)]
    for path in sorted((ROOT / "samples").glob("[!0]*.txt")):  # 000_ is the damaged seed
        try:
            lines += path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
    return [line for line in lines if line.strip()]


def pathological_lines(size: int) -> dict[str, str]:
    """Lines built to make the repair search slow: whole-line mojibake (clean and lossy),
    mojibake inside clean text, rare characters, ``?`` soup, U+FFFD, Latin mojibake."""
    rng = random.Random(1)
    news = "国务院总理李强主持召开国务院常务会议，研究部署进一步优化营商环境。"
    moji = news.encode("utf-8").decode("gb18030", errors="replace")
    units = {
        "mojibake (lossy)": moji,
        "mojibake inside clean text": moji + news,
        "rare CJK (Extension A)": "".join(chr(rng.randrange(0x3400, 0x4DBF)) for _ in range(5000)),
        "rare CJK (Extension B)": "".join(chr(rng.randrange(0x20000, 0x2A6DF)) for _ in range(5000)),
        "? soup": "".join(rng.choice("?鏂伴椈中文?a") for _ in range(5000)),
        "U+FFFD": "\ufffd",
        "latin mojibake": news.encode("utf-8").decode("cp1252", errors="replace"),
        "gbk and latin mojibake": "鏂伴椈æ–°é—»?",
    }
    return {name: (u * (size // len(u) + 1))[:size] for name, u in units.items()}


def pathological(size: int) -> None:
    """Time :func:`repair_line` on each pathological line of ``size`` characters."""
    from newsclean.mojibake import repair_line

    repair_line("鏂伴椈\ufffd统计?!?p#x#e#")  # load the tables
    for name, line in pathological_lines(size).items():
        t = time.perf_counter()
        result = repair_line(line)
        took = time.perf_counter() - t
        print(
            f"{name:28} {len(line):>9,} chars {took:7.2f} s  {len(result.fixes):>4} fixes {len(result.damaged):>4} flagged"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", action="store_true", help="rewrite the test set first")
    ap.add_argument("--show", metavar="KIND", help="print the failures of one kind")
    ap.add_argument(
        "--pathological", type=int, metavar="CHARS", help="only time pathological lines of this many characters"
    )
    args = ap.parse_args()
    if args.pathological:
        pathological(args.pathological)
        return
    if args.build or not CASES.exists():
        cases = build()
        CASES.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    cases = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]
    stats = evaluate(cases)
    print(f"{'kind':28} {'n':>4} {'exact':>7} {'changed':>8} {'no-wrong':>9} {'flagged':>8}")
    for kind in sorted(stats):
        st = stats[kind]
        n = st["n"]
        shares = [st[k] / n for k in ("exact", "changed", "no-wrong", "flagged")]
        print(f"{kind:28} {n:4} {shares[0]:7.1%} {shares[1]:8.1%} {shares[2]:9.1%} {shares[3]:8.1%}")
    print("exact: output == intended; no-wrong: changed, and the output is the intended text")
    print("with at most some characters missing (nothing wrongly guessed)")

    def share(keep: Callable[[str], bool]) -> str:
        chosen = [st for k, st in stats.items() if k != "clean" and keep(k)]
        return f"{sum(s['exact'] for s in chosen) / sum(s['n'] for s in chosen):.1%}"

    print(f"recoverable damaged (no byte lost): {share(lambda k: 'lossy' not in k)} repaired exactly")
    print(f"  the same without out-of-step-unmarked: {share(lambda k: 'lossy' not in k and 'unmarked' not in k)}")
    print(f"  with UTF-8 read as GBK with errors=replace: {share(lambda k: 'lossy' not in k or 'utf8-as-gbk' in k)}")
    print(f"all damaged kinds: {share(lambda k: True)} repaired exactly")
    print(f"clean controls untouched: {1 - stats['clean']['changed'] / stats['clean']['n']:.1%}")
    print(f"stage on clean news text: {clean_speed(news_lines()):.1f} MB/s")
    controls = [c["damaged"] for c in cases if c["kind"] == "clean"]
    print(f"stage on the clean controls (rare characters, pinyin, emoji, ...): {clean_speed(controls):.1f} MB/s")
    if args.show:
        stage = Repair(Config())
        for c in cases:
            if c["kind"] == args.show:
                out = stage.process(Document.from_text("c.txt", c["damaged"])).clean_text
                if not matches(out, c["intended"], c["kind"]):
                    print(repr(c["damaged"]), "\n  ->", repr(out), "\n  want", repr(c["intended"]))


if __name__ == "__main__":
    main()
