"""Build a reproducible mixed corpus of messy Chinese news files for the throughput benchmark.

Everything comes from a seeded ``random.Random``: the same ``--mb`` and ``--seed`` give the
same bytes on any machine. Documents are 1-8 KB, one per file, spread over ``site-NN``
folders (the folder is the "site" newsclean learns boilerplate per). The mix:

- encodings: UTF-8 (Simplified and Traditional), GBK, Big5, UTF-16 (with and without BOM),
  and HTML pages (UTF-8 or GBK with a ``<meta charset>``);
- every defect class the pipeline handles: CJK mojibake (UTF-8 bytes read as GBK), Latin
  mojibake (UTF-8 read as cp1252), SEO spam lines, per-site boilerplate lines (some sites
  share a network footer), converter pinyin artefacts (``監(jiān)管``), CMS page markers
  (``#p#分页标题#e#``), exact and near duplicates across files, articles doubled within
  a file.

The generated text is template news prose: plausible character statistics, not real
articles. Corpora are cached under ``benchmarks/corpus/mb<N>-seed<S>/`` with a
``manifest.json`` (counts per encoding and defect); a cached corpus whose manifest matches
the generator version is reused.

    python benchmarks/make_corpus.py --mb 10          # builds (or reuses) the 10 MB corpus

>>> a = [d.name for d in generate_documents(random.Random(7), 20_000)]
>>> a == [d.name for d in generate_documents(random.Random(7), 20_000)]
True
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import opencc

#: bump when the generator changes, so cached corpora are rebuilt
GENERATOR_VERSION = 3
CORPUS_ROOT = Path(__file__).resolve().parent / "corpus"
#: "MB" in this benchmark is 10**6 bytes of input files
MB = 1_000_000
SITES = 24
#: sites 0-7 belong to one network and share its footer lines
NETWORK_SITES = range(8)

# -- the phrase bank: template news prose ---------------------------------------------------

PLACES = (
    "北京 上海 广州 深圳 杭州 成都 武汉 西安 南京 重庆 天津 苏州 郑州 长沙 青岛 厦门 合肥 昆明 "
    "沈阳 哈尔滨 福州 济南 南宁 贵阳 兰州 海口 乌鲁木齐 呼和浩特 石家庄 太原 南昌 宁波 无锡 东莞"
).split()
ORGS = (
    "国家统计局 中国人民银行 国家发展改革委 财政部 商务部 工业和信息化部 生态环境部 交通运输部 "
    "市场监管总局 国家网信办 教育部 住房和城乡建设部 农业农村部 国家卫生健康委 证监会 "
    "市政府 区人民政府 省文化和旅游厅 市公安局 市教育局 地铁集团 电力公司 高新区管委会 "
    "中国科学院 清华大学 复旦大学 北京大学 浙江大学 华为公司 比亚迪 宁德时代 中国移动"
).split()
PEOPLE = "张伟 王芳 李娜 刘洋 陈静 杨帆 赵磊 黄丽 周杰 吴敏 徐强 孙悦 马超 朱琳 胡军 郭涛 林峰 何平".split()
TOPICS = (
    "新能源汽车 跨境电商 数字经济 乡村振兴 城市更新 养老服务 个人信息保护 人工智能 集成电路 "
    "绿色低碳转型 消费市场 稳就业 营商环境 基础设施建设 医疗保障 义务教育 公共交通 防汛抗旱 "
    "粮食安全 文化旅游 科技创新 小微企业融资 住房租赁 碳排放权交易 生物医药 智能制造 冰雪运动"
).split()
VERBS = (
    "发布了 召开了 出台了 推进 部署 加快推进 印发了 启动了 宣布 公布了 完成了 审议通过了 "
    "开展了 组织实施 全面落实 进一步完善 持续优化 积极探索"
).split()
OBJECTS = (
    "专项行动方案 实施意见 三年行动计划 管理办法 年度工作报告 配套政策 试点工作 监测数据 "
    "调查结果 指导意见 改革措施 项目清单 服务指南 应急预案 统计公报 技术标准 发展规划"
).split()
OUTCOMES = (
    "同比增长{p}% 环比下降{p}% 较上年提高{p}个百分点 累计完成投资{n}亿元 覆盖{n}万户家庭 "
    "新增就业岗位{n}万个 惠及{n}万名群众 带动相关产业产值{n}亿元 完成年度目标的{p}% "
    "实现营业收入{n}亿元 新开工项目{n}个 日均客流量突破{n}万人次"
).split()
CLAUSES = (
    "这标志着相关工作进入了新阶段 业内人士认为这一举措将产生积极影响 "
    "有关负责人表示下一步将继续加大工作力度 专家指出仍需警惕潜在风险 "
    "记者在现场看到不少市民前来咨询办理 据了解相关配套措施将陆续出台 "
    "多位受访者表示对未来发展充满信心 目前各项工作正在有序推进 "
    "这与此前的市场预期基本一致 相关部门将加强监督检查确保政策落地见效 "
    "不少企业负责人表示订单情况明显好转 数据显示市场运行总体平稳"
).split()
QUOTES = (
    "我们将坚持问题导向，把好事办好、实事办实 这是一个长期的过程，需要各方共同努力 "
    "群众满意是衡量工作成效的根本标准 今年以来整体形势好于预期 我们对完成全年目标很有信心"
).split()
TIMES = "近日 日前 今年以来 上半年 1至9月 记者从有关方面获悉 本周一 昨天上午 去年同期 截至目前".split()

# -- defects -------------------------------------------------------------------------------

SPAM_TERMS = (
    "在线观看免费高清 最新电影网站大全 彩票平台注册送彩金 网赚项目日入过千 代开发票联系电话 "
    "免费午夜影院 手机看片神器 棋牌游戏下载送金币 高仿名表一比一 刷单兼职日结 贷款秒批无抵押 "
    "激情视频在线 久久精品国产 成人影视网 办理证件加微信 赌场在线娱乐 快速减肥药 黑客入侵服务"
).split()
#: every site's own furniture: lines that repeat on most of its pages
SITE_FURNITURE = (
    "责任编辑：{person}",
    "本文来源：{site}网",
    "【打印】【关闭窗口】【返回顶部】",
    "扫一扫在手机上阅读本文",
    "分享到：微信 微博 QQ空间",
    "{site}网版权所有，未经授权禁止复制或建立镜像",
    "关注{site}官方微信，获取更多资讯",
    "上一篇：{topic}工作取得新进展",
    "相关阅读：{place}发布{topic}新政",
    "网站地图 | 联系我们 | 广告服务 | 招聘信息",
)
NETWORK_FURNITURE = (
    "免责声明：本网转载内容仅供参考，不构成投资建议，据此操作风险自担。",
    "违法和不良信息举报电话：12377 举报邮箱：jubao@example.cn",
    "京ICP备12345678号-1 京公网安备11010502000000号",
)
CMS_MARKER = "#p#分页标题#e#"
#: Traditional characters an old converter annotated with pinyin ("監(jiān)管")
PINYIN_ARTEFACTS = {
    "監": "jiān", "優": "yōu", "發": "fā", "規": "guī", "際": "jì", "據": "jù", "開": "kāi",
    "體": "tǐ", "產": "chǎn", "業": "yè", "網": "wǎng", "務": "wù", "為": "wèi", "區": "qū",
    "銀": "yín", "調": "diào", "險": "xiǎn", "與": "yǔ", "動": "dòng", "進": "jìn",
}  # fmt: skip

# -- kinds of document: (weight, encoding, script, html) -----------------------------------

KINDS = (
    (50, "utf-8", "hans", False),
    (8, "utf-8", "hant", False),
    (16, "gbk", "hans", False),
    (9, "big5", "hant", False),
    (3, "utf-16", "hans", False),
    (2, "utf-16-nobom", "hans", False),
    (9, "utf-8", "hans", True),
    (3, "gbk", "hans", True),
)


@dataclass
class Doc:
    name: str
    data: bytes
    tags: list[str] = field(default_factory=list)


class Writer:
    """Template news prose from a seeded RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            p=f"{r.randint(1, 40)}.{r.randint(0, 9)}",
            n=r.randint(2, 900),
            person=r.choice(PEOPLE),
            site=r.choice(PLACES),
            topic=r.choice(TOPICS),
            place=r.choice(PLACES),
        )

    def sentence(self) -> str:
        r = self.rng
        shape = r.random()
        if shape < 0.4:
            s = f"{r.choice(TIMES)}，{r.choice(PLACES)}{r.choice(ORGS)}{r.choice(VERBS)}{r.choice(TOPICS)}{r.choice(OBJECTS)}"
        elif shape < 0.7:
            s = f"{r.choice(TOPICS)}领域{self.fill(r.choice(OUTCOMES))}，{r.choice(CLAUSES)}"
        elif shape < 0.85:
            s = f"{r.choice(ORGS)}相关负责人{r.choice(PEOPLE)}说：“{r.choice(QUOTES)}。”"
            return s
        else:
            s = f"{r.choice(CLAUSES)}，{r.choice(PLACES)}的{r.choice(TOPICS)}{self.fill(r.choice(OUTCOMES))}"
        return s + "。"

    def paragraph(self) -> str:
        return "".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def title(self) -> str:
        r = self.rng
        return f"{r.choice(PLACES)}{r.choice(VERBS).rstrip('了')}{r.choice(TOPICS)}{r.choice(OBJECTS)}"

    def article(self, target_chars: int) -> list[str]:
        r = self.rng
        lines = [self.title(), f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} 来源：{r.choice(PLACES)}日报"]
        size = 0
        while size < target_chars:
            para = self.paragraph()
            lines.append(para)
            size += len(para)
        return lines


def _cjk_mojibake(text: str) -> str:
    """UTF-8 bytes read as GBK: 新闻 -> 鏂伴椈 (the classic damage)."""
    return text.encode("utf-8").decode("gbk", errors="replace")


def _latin_mojibake(text: str) -> str:
    """UTF-8 bytes read as cp1252: “新闻” -> â€œæ–°é—»â€."""
    return text.encode("utf-8").decode("cp1252", errors="replace")


def _pinyin_artefacts(text: str, rng: random.Random) -> str:
    out = []
    for ch in text:
        out.append(ch)
        if ch in PINYIN_ARTEFACTS and rng.random() < 0.5:
            out.append(f"({PINYIN_ARTEFACTS[ch]})")
    return "".join(out)


def _encodable(text: str, encoding: str) -> str:
    """Drop the few characters a legacy codec cannot write (never expected from the bank)."""
    return text.encode(encoding, errors="ignore").decode(encoding)


def _html(lines: list[str], charset: str, furniture: list[str], rng: random.Random) -> str:
    nav = "".join(f'<a href="/{i}">{p}</a> &gt; ' for i, p in enumerate(rng.sample(PLACES, 3)))
    body = "\n".join(f"<p>{line.replace('&', '&amp;')}</p>" for line in lines[2:])
    foot = "".join(f"<p>{f}</p>" for f in furniture)
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="{charset}"><title>{lines[0]}_新闻中心</title>\n'
        f"<script>var _hmt = _hmt || []; window.cfg = {{id: {rng.randint(1000, 9999)}}};</script>"
        f"<style>.nav{{color:#333}} .article p{{text-indent:2em}}</style></head>\n<body>\n"
        f'<header><nav>{nav}正文</nav></header>\n<div class="article">\n<h1>{lines[0]}</h1>\n'
        f'<p class="meta">{lines[1]}</p>\n{body}\n</div>\n<div class="share">{foot}</div>\n'
        f"<footer><p>关于我们 | 联系方式 | 网站声明</p></footer>\n</body>\n</html>\n"
    )


def generate_documents(rng: random.Random, total_bytes: int) -> Iterator[Doc]:
    """Documents until ``total_bytes`` of files have been produced."""
    w = Writer(rng)
    to_traditional = opencc.OpenCC("s2t")
    furniture = {
        site: [w.fill(t) for t in rng.sample(SITE_FURNITURE, 5)]
        + (list(NETWORK_FURNITURE) if site in NETWORK_SITES else [])
        for site in range(SITES)
    }
    kinds, weights = [k[1:] for k in KINDS], [k[0] for k in KINDS]
    recent: list[list[str]] = []  # bodies available for cross-file duplicates
    produced = 0
    n = 0
    while produced < total_bytes:
        encoding, script, html = rng.choices(kinds, weights)[0]
        site = rng.randrange(SITES)
        tags = [f"enc:{encoding}", f"script:{script}"] + (["html"] if html else [])
        # 1-8 KB on disk: about 3 bytes a character in UTF-8, 2 in legacy codecs
        target_bytes = int(min(8000.0, 900 + rng.expovariate(1 / 1300)))
        per_char = 3 if encoding == "utf-8" else 2
        roll = rng.random()
        if recent and roll < 0.05:
            lines = list(rng.choice(recent))
            tags.append("dup:exact")
        elif recent and roll < 0.08:
            lines = list(rng.choice(recent))
            i = rng.randrange(2, len(lines)) if len(lines) > 2 else 0
            lines[i] = lines[i][:-1] + "，" + w.sentence()
            tags.append("dup:near")
        else:
            lines = w.article(target_bytes // per_char - 60)
            if len(recent) < 200:
                recent.append(lines)
            elif rng.random() < 0.1:
                recent[rng.randrange(200)] = lines
        lines = list(lines)
        if rng.random() < 0.04:
            lines = lines + lines
            tags.append("doubled")
        if rng.random() < 0.10:
            lines.insert(rng.randrange(0, 2), ",".join(rng.sample(SPAM_TERMS, rng.randint(5, 9))))
            tags.append("spam")
        if rng.random() < 0.06 and len(lines) > 4:
            lines.insert(rng.randrange(3, len(lines)), CMS_MARKER)
            tags.append("cms-marker")
        if not html and rng.random() < 0.7:
            lines = lines + furniture[site]
            tags.append("furniture")
        if script == "hant":
            lines = to_traditional.convert("\n".join(lines)).split("\n")
            if rng.random() < 0.25:
                lines = [lines[0]] + [_pinyin_artefacts(x, rng) for x in lines[1:]]
                tags.append("pinyin")
        if encoding == "utf-8" and not html and len(lines) > 3:
            if rng.random() < 0.06:
                i = rng.randrange(2, len(lines))
                lines[i] = _cjk_mojibake(lines[i])
                tags.append("mojibake:cjk")
            if rng.random() < 0.04:
                i = rng.randrange(2, len(lines))
                lines[i] = _latin_mojibake(f"“{lines[i]}”")
                tags.append("mojibake:latin")
        indent = "\u3000\u3000" if rng.random() < 0.5 else ""
        text = "\n".join(lines[:2] + [indent + x for x in lines[2:]])
        if rng.random() < 0.3:
            text = text.replace("\n", "\r\n")
        if html:
            charset = "gbk" if encoding == "gbk" else "utf-8"
            text = _html(lines, charset, furniture[site], rng)
        data = _encode(text, encoding)
        ext = "html" if html else "txt"
        name = f"site-{site:02d}/{n:06d}.{ext}"
        n += 1
        produced += len(data)
        yield Doc(name, data, tags)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":
        return text.encode("utf-16")  # with BOM
    if encoding == "utf-16-nobom":
        return text.encode("utf-16-le")
    if encoding == "big5":
        return _encodable(text, "cp950").encode("cp950")
    if encoding == "gbk":
        return _encodable(text, "gbk").encode("gbk")
    return text.encode("utf-8")


def corpus_dir(mb: float, seed: int) -> Path:
    return CORPUS_ROOT / f"mb{mb:g}-seed{seed}"


def build(mb: float, seed: int = 1, force: bool = False, quiet: bool = False) -> Path:
    """The corpus folder for ``mb`` and ``seed``, generated unless a matching cache exists."""
    folder = corpus_dir(mb, seed)
    manifest_path = folder / "manifest.json"
    if not force and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("generator_version") == GENERATOR_VERSION:
            return folder
    if folder.exists():
        shutil.rmtree(folder)
    start = time.perf_counter()
    tmp = folder.with_name(folder.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tags: Counter[str] = Counter()
    files = total = 0
    for doc in generate_documents(random.Random(seed), int(mb * MB)):
        path = tmp / doc.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(doc.data)
        tags.update(doc.tags)
        files += 1
        total += len(doc.data)
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "mb": mb,
        "seed": seed,
        "files": files,
        "bytes": total,
        "tags": dict(sorted(tags.items())),
    }
    # the manifest sits outside the globs newsclean reads (*.txt, *.html, ...)
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    tmp.rename(folder)
    if not quiet:
        print(
            f"built {folder} ({files} files, {total / MB:.1f} MB) in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, action="append", help="corpus size in MB (repeatable; default 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    args = parser.parse_args(argv)
    for mb in args.mb or [10.0]:
        folder = build(mb, args.seed, force=args.force)
        print(json.dumps(json.loads((folder / "manifest.json").read_text()), ensure_ascii=False))


if __name__ == "__main__":
    main()
