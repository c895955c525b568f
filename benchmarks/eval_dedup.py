"""Duplicates removed and distinct paragraphs kept on the labelled dedup test set.

    PYTHONPATH=src python benchmarks/eval_dedup.py            # evaluate
    PYTHONPATH=src python benchmarks/eval_dedup.py --build    # rebuild the test set

The test set (tests/data/dedup_pairs.jsonl) holds pairs ``a``, ``b`` with a label: ``b`` is
a *duplicate* of ``a`` (exact, punctuation, whitespace, width, Traditional script, a few
characters changed, combinations; within one document or across two) or a *distinct*
hard negative (same template with other numbers, long shared phrases, same topic, short
lines). Evaluation runs dedup and crossdedup over one corpus: every pair's ``a`` first,
then every ``b``, so a ``b`` must not match any earlier paragraph either.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
PAIRS = DATA / "dedup_pairs.jsonl"

# Same topic, long shared phrases, different facts or statements: must both stay.
SAME_TOPIC = [
    (
        "国家网信办组织对安全管理、网络借贷等常见类型公众大量使用的部分App的个人信息收集使用情况进行了检测，发现多款App存在违规问题。",
        "国家网信办组织对地图导航、网上购物等常见类型公众大量使用的部分App的个人信息收集使用情况进行了检测，要求相关企业限期整改。",
    ),
    (
        "央行征信管理局下发通知，要求网络平台机构不得将个人信息直接向金融机构提供，须实现个人信息与金融机构的全面断直连。",
        "业内人士表示，央行征信管理局的通知意味着网络平台与金融机构的合作模式将发生根本变化，平台需要通过持牌征信机构提供服务。",
    ),
    (
        "市气象台今天上午发布暴雨橙色预警信号，预计未来六小时内本市大部分地区将出现大暴雨，局地伴有雷电和短时大风。",
        "市气象台今天下午将暴雨橙色预警信号降级为黄色预警信号，提醒市民强降雨虽有所减弱，但山区仍需防范地质灾害。",
    ),
    (
        "该公司董事长在股东大会上表示，公司将继续加大研发投入，力争在固态电池等前沿领域取得突破，巩固行业领先地位。",
        "该公司董事长在股东大会上回答投资者提问时表示，公司暂无分拆子公司上市的计划，现阶段将专注于主营业务的发展。",
    ),
    (
        "教育部有关负责人介绍，今年高校毕业生规模预计达到一千一百七十九万人，各地各高校要千方百计拓宽毕业生就业渠道。",
        "教育部有关负责人介绍，高校毕业生就业工作要聚焦重点群体，对家庭困难毕业生实施一对一帮扶，确保有就业意愿的都能尽快就业。",
    ),
    (
        "警方提醒，凡是自称公检法机关工作人员要求转账汇款到所谓安全账户的都是诈骗，市民接到此类电话应立即挂断并报警。",
        "警方提醒，凡是通过社交软件推荐高收益投资理财产品并要求下载陌生App的都是诈骗，市民切勿轻信，以免造成财产损失。",
    ),
    (
        "记者从省文物局获悉，这批出土文物经修复后将在省博物馆新馆展出，观众可通过微信公众号提前预约参观。",
        "记者从省文物局获悉，遗址保护规划已通过专家评审，下一步将建设考古遗址公园，并同步开展周边环境整治工作。",
    ),
    (
        "据介绍，新建的城市绿道全长约三十公里，串联起沿线的六个公园和三处历史文化街区，为市民休闲健身提供了新去处。",
        "据介绍，新建的城市绿道沿线设置了驿站、公共卫生间和自行车租赁点，夜间照明系统也将于下个月全部投入使用。",
    ),
]

SHORT = ["图片来源：视觉中国", "记者 | 游淼", "责任编辑：王晓明", "（完）", "扫一扫下载客户端", "本报讯（记者 李华）"]

CN_NUMERALS = "一二三四五六七八九十百千万亿两〇零"


def _punctuation(text: str, rng: random.Random) -> str:
    text = text.replace("，", rng.choice([",", "、", "，", " ,"])).replace("。", rng.choice([".", "", "！"]))
    return text.replace("“", "「").replace("”", "」") if rng.random() < 0.5 else text


def _whitespace(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(4):
        chars.insert(rng.randrange(1, len(chars)), rng.choice([" ", "\u3000", "  "]))
    return "".join(chars)


def _width(text: str, rng: random.Random) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def _script(text: str, rng: random.Random) -> str:
    from newsclean.script import converter

    return converter("s2t").convert(text)


def _few_chars(text: str, rng: random.Random, per_char: int = 40) -> str:
    # one changed character per ``per_char`` characters (at least one)
    chars = list(text)
    spots = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff" and c not in CN_NUMERALS]
    for i in rng.sample(spots, max(1, len(text) // per_char)):
        chars[i] = rng.choice("的了在是和有这为对与把被将并也就其及等")
    return "".join(chars)


def _combined(text: str, rng: random.Random) -> str:
    return _punctuation(_script(_few_chars(text, rng), rng), rng)


def _numbers(text: str, rng: random.Random) -> str:
    def other(m: re.Match[str]) -> str:
        digits = m.group(0)
        while (new := str(rng.randint(1, 10 ** len(digits) - 1))) == digits:
            pass
        return new

    if re.search(r"\d", text):
        return re.sub(r"\d+", other, text, count=1)
    i = next(i for i, c in enumerate(text) if c in CN_NUMERALS)
    swap = rng.choice([c for c in "一二三四五六七八九" if c != text[i]])
    return text[:i] + swap + text[i + 1 :]


DUPLICATES = {
    "exact": lambda t, r: t,
    "punctuation": _punctuation,
    "whitespace": _whitespace,
    "width": _width,
    "script": _script,
    "few-chars": _few_chars,
    "more-chars": lambda t, r: _few_chars(t, r, per_char=20),  # ratio ~95 after the key
    "combined": _combined,
}


def _splice(a: str, b: str) -> str:
    # a's first clauses, b's last ones: long phrases shared with both
    ca, cb = a.split("，"), b.split("，")
    return "，".join(ca[: max(1, len(ca) // 2)] + cb[len(cb) // 2 :])


def build(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    bases = [line for line in (DATA / "dedup_paragraphs.txt").read_text(encoding="utf-8").splitlines() if line]
    pairs: list[dict] = []
    for scope in ("within", "across"):
        for n, text in enumerate(bases):
            for kind, make in DUPLICATES.items():
                if kind == "width" and not re.search(r"[0-9A-Za-z]", text):
                    continue
                pairs.append({"scope": scope, "label": "duplicate", "kind": kind, "a": text, "b": make(text, rng)})
            if re.search(rf"[\d{CN_NUMERALS}]", text):
                pairs.append(
                    {"scope": scope, "label": "distinct", "kind": "numbers", "a": text, "b": _numbers(text, rng)}
                )
            other = bases[(n + 1) % len(bases)]
            pairs.append({"scope": scope, "label": "distinct", "kind": "splice", "a": text, "b": _splice(text, other)})
        for a, b in SAME_TOPIC:
            pairs.append({"scope": scope, "label": "distinct", "kind": "same-topic", "a": a, "b": b})
    for text in SHORT:
        pairs.append({"scope": "across", "label": "distinct", "kind": "short", "a": text, "b": text})
    # whole repeated blocks: a doubled article with light changes in the copy
    for n in range(0, len(bases) - 3, 4):
        block = bases[n : n + 4]
        copy = [DUPLICATES[rng.choice(["exact", "punctuation", "script"])](t, rng) for t in block]
        pairs.append({"scope": "within", "label": "duplicate", "kind": "block", "a": block, "b": copy})
    return pairs


def evaluate(pairs: list[dict]) -> dict[str, Counter]:
    """Run dedup + crossdedup; count per label and kind how many ``b`` paragraphs were
    removed (duplicates) or kept (distinct)."""
    from newsclean.config import Config
    from newsclean.document import Document
    from newsclean.pipeline import Pipeline
    from newsclean.stages.crossdedup import CrossDedup
    from newsclean.stages.dedup import Dedup

    config = Config(jobs=1)
    within: list[Document] = []
    across: list[Document] = []
    expect: list[tuple[Document, int, dict]] = []  # document, line of a "b" paragraph, pair
    filler = 0

    def unique() -> str:
        nonlocal filler
        filler += 1
        return f"本文为测试语料中的第{filler}号独立段落，内容与其他任何段落均不相同。"

    for n, pair in enumerate(pairs):
        a = pair["a"] if isinstance(pair["a"], list) else [pair["a"]]
        b = pair["b"] if isinstance(pair["b"], list) else [pair["b"]]
        if pair["scope"] == "within":
            doc = Document.from_text(f"within-{n}.txt", "\n".join([*a, unique(), *b]))
            within.append(doc)
            expect += [(doc, len(a) + 2 + k, pair) for k in range(len(b))]
    for n, pair in enumerate(pairs):
        if pair["scope"] == "across":
            across.append(Document.from_text(f"across-{n}-a.txt", "\n".join([pair["a"], unique()])))
    for n, pair in enumerate(pairs):
        if pair["scope"] == "across":
            doc = Document.from_text(f"across-{n}-b.txt", "\n".join([unique(), pair["b"]]))
            across.append(doc)
            expect.append((doc, 2, pair))
    # two corpora: the within-document pairs would otherwise be earlier copies of the others
    for docs in (within, across):
        list(Pipeline(config, stages=[Dedup(config), CrossDedup(config)]).run(docs))
    counts: dict[str, Counter] = {"duplicate": Counter(), "distinct": Counter()}
    for doc, line, pair in expect:
        kept = not doc.dropped and any(p.line == line for p in doc.paragraphs)
        ok = kept if pair["label"] == "distinct" else not kept
        key = f"{pair['scope']}/{pair['kind']}"
        counts[pair["label"]][key, ok] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="rewrite tests/data/dedup_pairs.jsonl")
    args = parser.parse_args()
    if args.build:
        with PAIRS.open("w", encoding="utf-8") as out:
            for pair in build():
                out.write(json.dumps(pair, ensure_ascii=False) + "\n")
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    counts = evaluate(pairs)
    for label, verb in (("duplicate", "removed"), ("distinct", "kept")):
        c = counts[label]
        good, total = sum(v for (k, ok), v in c.items() if ok), sum(c.values())
        print(f"{label} paragraphs {verb}: {good}/{total} = {100 * good / total:.1f}%")
        for kind in sorted({k for k, _ in c}):
            g, t = c[kind, True], c[kind, True] + c[kind, False]
            print(f"    {kind:<24} {g}/{t}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
