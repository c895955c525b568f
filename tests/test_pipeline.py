"""The pipeline's order guarantees: corpus stages see every document of a site before
deciding, and with one input folder they work a folder at a time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsclean.config import Config
from newsclean.document import Document
from newsclean.pipeline import Pipeline

BODIES = [
    "央行宣布下调存款准备金率零点五个百分点，释放长期资金约一万亿元。",
    "深圳地铁十六号线二期今日开通运营，全线设站九座。",
    "国家统计局发布数据，十月份居民消费价格同比上涨百分之零点二。",
    "杭州亚运会筹备工作进入冲刺阶段，各场馆已完成测试赛。",
    "全国秋粮收获进度过半，主产区天气总体有利。",
    "教育部部署做好高校毕业生就业创业工作，拓宽市场化就业渠道。",
]


def site_docs(site: str, n: int, footer: str) -> list[Document]:
    """``n`` pages of one site folder, each with the site's footer line."""
    return [
        Document(
            source=f"corpus/{site}/{i}.txt",
            raw=f"{site}报道第{i}篇\n{BODIES[i % len(BODIES)]}{site}第{i}期。\n{footer}".encode(),
            group=f"corpus/{site}",
        )
        for i in range(n)
    ]


def corpus() -> list[Document]:
    # the same article saved in two sites (a cross-document copy), sites of different sizes
    return (
        site_docs("site-a", 6, "本站所有稿件均经编辑部审核")
        + site_docs("site-b", 7, "版权所有 深圳新闻网 未经授权不得转载")
        + site_docs("site-c", 3, "热线电话0755-1234567")
        + [
            Document(
                source="corpus/site-d/copy.txt",
                raw=f"转载\n{BODIES[0]}site-a第0期。".encode(),
                group="corpus/site-d",
            )
        ]
    )


def run(docs: list[Document], folder_grouped: bool, jobs: int = 1) -> list[tuple[str, str | None, list[str]]]:
    out = Pipeline(Config(jobs=jobs), folder_grouped=folder_grouped).run(docs)
    return [(d.source, d.clean_text if not d.dropped else None, [e.rule for e in d.events]) for d in out]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_folder_at_a_time_gives_the_same_output_as_the_whole_corpus(jobs: int) -> None:
    whole = run(corpus(), folder_grouped=False, jobs=jobs)
    by_folder = run(corpus(), folder_grouped=True, jobs=jobs)
    assert by_folder == whole
    rules = {rule for _, _, found in whole for rule in found}
    # the test corpus exercises both corpus stages
    assert {"site-furniture", "cross-duplicate"} <= rules
    # furniture of the big sites is learned; the three-page site keeps its footer
    texts = {source: text for source, text, _ in whole}
    assert "编辑部审核" not in (texts["corpus/site-a/1.txt"] or "")
    assert "热线电话" in (texts["corpus/site-c/1.txt"] or "")


def reading(docs: list[Document], read: list[str]) -> Iterator[Document]:
    """``docs``, noting in ``read`` each one the pipeline has taken."""
    for doc in docs:
        read.append(doc.source)
        yield doc


def test_a_folder_is_cleaned_before_the_next_folders_are_read() -> None:
    docs = corpus()
    read: list[str] = []
    # documents are read a batch ahead (batch_size): batches of one show the folder barrier
    out = Pipeline(Config(jobs=1, batch_size=1), folder_grouped=True).run(reading(docs, read))
    first = next(out)
    assert first.source == "corpus/site-a/0.txt"
    # site-a is done as soon as site-b begins: nothing of site-c has been read yet
    assert read[-1] == "corpus/site-b/0.txt"
    assert len(list(out)) == len(docs) - 1


def test_a_url_domain_group_waits_for_the_whole_input() -> None:
    # groups from url domains can come back later in the input: no early decisions
    docs = [
        Document(source=f"dump.jsonl#{i}", raw=f"第{i}篇正文。\n本站声明".encode(), group=f"site{i % 2}.example.com")
        for i in range(12)
    ]
    read: list[str] = []
    out = Pipeline(Config(jobs=1), folder_grouped=True).run(reading(docs, read))
    next(out)
    assert len(read) == len(docs)
