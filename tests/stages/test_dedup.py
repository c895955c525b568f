"""dedup (within a document) and crossdedup (across documents and runs)."""

from __future__ import annotations

import json
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsclean import dedup_index
from newsclean.config import Config, ConfigError
from newsclean.dedup_index import MemoryIndex
from newsclean.document import Document
from newsclean.matchkey import band_hashes, keys_and_numbers, match_key, nfkc, number_signature
from newsclean.pipeline import Pipeline
from newsclean.script import converter
from newsclean.stages.crossdedup import CrossDedup
from newsclean.stages.dedup import Dedup

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"

P1 = "国家统计局今天发布数据显示，今年前三季度全国规模以上工业增加值同比增长4.6%，高技术制造业增长7.2%。"
P2 = "中国人民银行宣布，自下月起下调金融机构存款准备金率0.25个百分点，预计释放长期资金约5000亿元。"
P3 = "记者从市交通委获悉，地铁十四号线东段将于本月底开通试运营，全线共设车站十八座。"


def dedup(text: str, source: str = "a.txt", **config) -> Document:
    return Dedup(Config(**config)).process(Document.from_text(source, text))


def run_corpus(texts: list[str], **config) -> list[Document]:
    cfg = Config(jobs=1, **config)
    docs = [Document.from_text(f"doc{n}.txt", t) for n, t in enumerate(texts)]
    return list(Pipeline(cfg, stages=[Dedup(cfg), CrossDedup(cfg)]).run(docs))


# -- within a document


@pytest.mark.parametrize(
    "copy",
    [
        P1,
        P1.replace("，", ",").replace("。", ""),  # punctuation
        P1.replace("国家", "国家 ").replace("今年", "\u3000今年"),  # whitespace
        converter("s2t").convert(P1),  # Traditional
        P1.replace("4.6", "４.６"),  # full-width digits
        P1.replace("发布", "公布"),  # a few characters
    ],
)
def test_copies_within_a_document_are_removed_first_kept(copy: str) -> None:
    doc = dedup("\n".join([P1, P2, copy]))
    assert [p.line for p in doc.paragraphs] == [1, 2]
    (event,) = doc.events
    assert event.line == 3 and event.kept == "a.txt:1" and event.before == copy
    assert event.rule in ("exact-duplicate", "near-duplicate") and 90 <= event.score <= 100


@pytest.mark.parametrize(
    "other",
    [
        P1.replace("4.6%", "4.8%"),  # the same template, another figure
        P1.replace("三季度", "二季度"),  # Chinese numerals count too
        P1.replace("4.6", "46"),  # punctuation inside a number is not noise
        "国家统计局今天发布数据显示，今年前三季度全国社会消费品零售总额同比增长4.6%，服务零售额增长7.2%。",
    ],
)
def test_hard_negatives_within_a_document_stay(other: str) -> None:
    doc = dedup("\n".join([P1, other]))
    assert len(doc.paragraphs) == 2 and doc.events == []


def test_doubled_article_is_one_block_and_every_line_traceable() -> None:
    article = ["标题：地铁新线月底开通", P1, P2, P3]
    copy = [article[0], P1.replace("，", ","), converter("s2t").convert(P2), P3]
    doc = dedup("\n".join(["导航 首页", *article, "相关阅读", *copy]))
    assert doc.clean_text == "\n".join(["导航 首页", *article, "相关阅读"])
    assert [e.rule for e in doc.events] == ["repeated-block"] * 4
    assert [e.line for e in doc.events] == [7, 8, 9, 10]
    assert [e.kept for e in doc.events] == ["a.txt:2", "a.txt:3", "a.txt:4", "a.txt:5"]
    assert doc.events[0].reason == "lines 7-10 (4 paragraphs) repeat lines 2-5"


def test_doubled_seed_page_keeps_each_paragraph_once() -> None:
    text = (SAMPLES / "001_7e9fe6cf0f86c571.txt").read_text(encoding="utf-8")
    doc = dedup(text, "001.txt")
    texts = [p.text for p in doc.paragraphs]
    assert len(texts) == len(set(texts))
    assert set(texts) == {p.text for p in Document.from_text("x", text).paragraphs}
    blocks = [e for e in doc.events if e.rule == "repeated-block"]
    assert blocks[0].line == 59 and "repeat lines 7-41" in blocks[0].reason
    removed = {e.line for e in doc.events}
    assert removed == {7, *range(59, 94, 2)}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([P1, P2, P3, "图片来源：视觉中国", "（完）"]), min_size=1, max_size=12))
def test_output_is_a_fixed_point_without_copies(lines: list[str]) -> None:
    once = dedup("\n".join(lines))
    assert len({match_key(p.text) for p in once.paragraphs}) == len(once.paragraphs)
    twice = dedup(once.clean_text)
    assert twice.clean_text == once.clean_text and twice.events == []
    # every input line is either kept or named by an event
    assert {p.line for p in once.paragraphs} | {e.line for e in once.events} == set(range(1, len(lines) + 1))


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="国家统计局发布数据显示今年前季度工业增长，。 0123456789", min_size=0, max_size=80))
def test_key_ignores_punctuation_space_and_script(text: str) -> None:
    noisy = converter("s2t").convert(text).replace("，", ", ").replace("。", ".")
    assert match_key(noisy) == match_key(text)
    assert band_hashes([match_key(noisy)]) == band_hashes([match_key(text)])


def test_number_signature_ignores_layout_not_values() -> None:
    assert number_signature("增长 4.6%") == number_signature("增长４．６％")
    assert number_signature("增长4.6%") != number_signature("增长4.8%")


# the straightforward definitions that the fast paths in matchkey must agree with
_MIXED = st.text(
    alphabet="臺灣國家統計局发布數據二〇兩零，。、：；！？（）《》“”…　 ＡＢａｂAb_-0123456789０１２３.,%％一二三十百万亿㈠①é\u0301＜\u0338",
    max_size=60,
)


def _reference_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text.replace("\n", " "))
    return re.sub(r"[\W_]+", "", converter("t2s").convert(folded).casefold())


def _reference_numbers(text: str) -> str:
    folded = re.sub(r"\s+", "", converter("t2s").convert(unicodedata.normalize("NFKC", text)))
    return " ".join(
        re.findall(r"\d+(?:[.,:/]\d+)*|[〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟]+", folded)
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(_MIXED, max_size=6))
def test_one_pass_keys_and_numbers_equal_the_per_paragraph_definitions(texts: list[str]) -> None:
    keys, numbers = keys_and_numbers(texts)
    assert keys == [_reference_key(t) for t in texts]
    assert numbers == [_reference_numbers(t) for t in texts]
    assert all(nfkc(t) == unicodedata.normalize("NFKC", t) for t in texts)
    joined = "\n".join(texts)  # normalized line by line where a line needs it
    assert nfkc(joined) == unicodedata.normalize("NFKC", joined)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="国家统计局发布数据显示今年前季度工业增长ab", max_size=30), max_size=8))
def test_band_hashes_of_a_key_do_not_depend_on_its_neighbours(keys: list[str]) -> None:
    # all keys are sketched in one numpy pass: n-grams across key boundaries must not count
    assert band_hashes(keys) == [band_hashes([k])[0] for k in keys]


# -- across documents


def test_copy_in_a_later_document_is_removed_naming_the_first() -> None:
    docs = run_corpus(
        [
            "\n".join([P1, P3]),
            "\n".join(["另一篇报道的开头段落，介绍了事件的背景和最新进展情况。", P1.replace("，", ",")]),
        ]
    )
    assert [p.text for p in docs[1].paragraphs] == ["另一篇报道的开头段落，介绍了事件的背景和最新进展情况。"]
    (event,) = docs[1].events
    assert (event.stage, event.rule, event.line, event.kept) == ("crossdedup", "cross-duplicate", 2, "doc0.txt:1")


def test_document_of_copies_is_dropped_whole_naming_the_kept_document() -> None:
    docs = run_corpus(["\n".join([P1, P2, P3]), "\n".join(["记者 | 游淼", converter("s2t").convert(P1), P2])])
    assert docs[1].dropped and not docs[0].dropped
    last = docs[1].events[-1]
    assert (last.rule, last.kept, last.before) == ("duplicate-document", "doc0.txt", "记者 | 游淼")


def test_short_lines_and_changed_figures_stay_across_documents() -> None:
    docs = run_corpus(
        ["\n".join(["图片来源：视觉中国", P1]), "\n".join(["图片来源：视觉中国", P1.replace("7.2%", "7.5%")])]
    )
    assert docs[1].events == [] and len(docs[1].paragraphs) == 2


def test_seed_articles_sharing_facts_both_keep_them() -> None:
    texts = [
        (SAMPLES / name).read_text(encoding="utf-8")
        for name in ("000_e12b68c29ace03b8.txt", "001_7e9fe6cf0f86c571.txt")
    ]
    docs = run_corpus(texts)
    assert [e for d in docs for e in d.events if e.stage == "crossdedup"] == []
    assert any("84款" in p.text for p in docs[0].paragraphs) and any("84款" in p.text for p in docs[1].paragraphs)
    assert any("违反必要原则" in p.text for p in docs[1].paragraphs)


def test_index_file_dedups_against_an_earlier_run(tmp_path: Path) -> None:
    index = str(tmp_path / "seen.sqlite")
    first = run_corpus(["\n".join([P1, P2])], index=index)
    assert first[0].events == []
    later = run_corpus(["\n".join([P3, P2.replace("，", ",")])], index=index)
    assert [p.text for p in later[0].paragraphs] == [P3]
    assert later[0].events[0].kept == "doc0.txt:2"


_VARIANTS = [
    P1,
    P2,
    P3,
    P1.replace("，", ","),
    P2[:-3] + "的" + P2[-2:],
    P3.replace("十八", "十九"),
    "图片来源：视觉中国",
]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_VARIANTS), min_size=1, max_size=4), min_size=1, max_size=6))
def test_in_memory_index_finds_what_the_sqlite_index_finds(docs: list[list[str]]) -> None:
    texts = ["\n".join(d) for d in docs]
    in_memory = run_corpus(texts)
    with tempfile.TemporaryDirectory() as tmp:
        on_disk = run_corpus(texts, index=f"{tmp}/index.sqlite")
    # the run's private index moving from memory to SQLite after two paragraphs, mid-run
    limit = dedup_index.MEMORY_PARAGRAPHS
    dedup_index.MEMORY_PARAGRAPHS = 2
    try:
        moved = run_corpus(texts)
    finally:
        dedup_index.MEMORY_PARAGRAPHS = limit
    # SQLite's rows written every two paragraphs: lookups see written and waiting ones
    every = dedup_index.COMMIT_EVERY
    dedup_index.COMMIT_EVERY = 2
    try:
        with tempfile.TemporaryDirectory() as tmp:
            written_often = run_corpus(texts, index=f"{tmp}/index.sqlite")
    finally:
        dedup_index.COMMIT_EVERY = every
    expected = [(d.dropped, d.clean_text, d.events) for d in on_disk]
    assert [(d.dropped, d.clean_text, d.events) for d in in_memory] == expected
    assert [(d.dropped, d.clean_text, d.events) for d in moved] == expected
    assert [(d.dropped, d.clean_text, d.events) for d in written_often] == expected


def test_in_memory_index_reads_back_keys_written_to_its_file() -> None:
    index = MemoryIndex()
    index.RECENT = 500  # merge the recent hashes into the sorted arrays several times
    key = "国家网信办通报八十四款违规应用" * 30
    for n in range(3000):  # more than a MiB of keys, and several merges of the hash dict
        index.add_many(f"d{n}.txt", [(1, f"{key}{n}", str(n), [n, 10**6 + n])])
    found = index.candidates_per_paragraph([[5], [10**6 + 2999], [77]], ["5", "2999", "0"])
    assert [[(c.source, c.key) for c in f] for f in found] == [
        [("d5.txt", key + "5")],
        [("d2999.txt", key + "2999")],
        [],
    ]
    index.close()


def test_a_file_that_is_not_an_index_is_a_usage_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("这不是数据库文件" * 100, encoding="utf-8")
    with pytest.raises(ConfigError):
        CrossDedup(Config(index=str(bogus)))


# -- the labelled test set


def test_labelled_set_meets_the_targets() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from eval_dedup import PAIRS, evaluate
    finally:
        sys.path.pop(0)
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    counts = evaluate(pairs)
    rate = {label: sum(v for (_, ok), v in c.items() if ok) / sum(c.values()) for label, c in counts.items()}
    assert rate["duplicate"] >= 0.95 and rate["distinct"] >= 0.99, counts


# -- rule code entries: positive documents trigger their rule, negative ones do not


def _code_entries() -> list[tuple[str, dict]]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    out = []
    for stage in ("dedup", "crossdedup"):
        path = ROOT / "src" / "newsclean" / "rules" / "codes" / f"{stage}.toml"
        out += [(stage, entry) for entry in tomllib.loads(path.read_text(encoding="utf-8"))["code"]]
    return out


@pytest.mark.parametrize("stage,entry", _code_entries(), ids=lambda v: v["code"] if isinstance(v, dict) else v)
def test_rule_code_examples(stage: str, entry: dict) -> None:
    for text, expected in ((entry["positive"], True), (entry["negative"], False)):
        before = [Document(source=f"corpus{n}.txt", raw=t.encode()) for n, t in enumerate(entry.get("corpus", []))]
        docs = list(Pipeline(Config(jobs=1)).run([*before, Document(source="case.txt", raw=text.encode())]))
        rules = {(e.stage, e.rule) for e in docs[-1].events}
        assert ((stage, entry["rule"]) in rules) is expected, (entry["code"], expected, docs[-1].events)


def _band_hashes_by_definition(key: str) -> list[int]:
    """MinHash bands of one key computed as defined, with Python integers: the 3-grams'
    hashes, each row's affine map mod 2**64, the minimum per row, rows mixed per band."""
    from newsclean import matchkey as mk

    mask = (1 << 64) - 1
    if len(key) < mk.NGRAM:
        return []
    g0, g1, g2 = (int(x) for x in mk._GRAM_MULT)
    grams = []
    for a, b, c in zip(key, key[1:], key[2:], strict=False):
        h = (((((ord(a) * g0) & mask) ^ ord(b)) * g1 & mask) ^ ord(c)) * g2 & mask
        grams.append(h ^ (h >> 29))
    rows = [min((g * int(a) + int(b)) & mask for g in grams) for a, b in zip(mk._PERM_A, mk._PERM_B, strict=True)]
    out = []
    for band in range(mk.BANDS):
        value = 0
        for r in range(mk.ROWS):
            value = ((value ^ rows[band * mk.ROWS + r]) * int(mk._BAND_MULT[r])) & mask
        value ^= int(mk._BAND_SALT[band])
        value ^= value >> 31
        out.append(value - (1 << 64) if value >= 1 << 63 else value)
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="新闻发布会央行降准今天0123ab", max_size=40), max_size=12))
def test_band_hashes_of_a_batch_are_each_keys_own(keys: list[str]) -> None:
    # the batch is hashed with whole-array operations; each key's bands must be exactly
    # those of the key alone, by definition, whatever its neighbours and length
    assert band_hashes(keys) == [_band_hashes_by_definition(k) for k in keys]
