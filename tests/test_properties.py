"""Properties of the whole pipeline, checked with hypothesis on generated input.

- any bytes in: no exception, and what comes out is valid strict-UTF-8 JSONL;
- clean Chinese text is a fixed point, and cleaning is idempotent;
- ``--jobs 2`` gives the same records as ``--jobs 1``;
- every non-blank input line is either kept or has exactly one drop event.
"""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsclean.config import Config
from newsclean.document import Document
from newsclean.io.sinks import dumps
from newsclean.io.sources import read_jsonl
from newsclean.mojibake import any_signal, has_signal, signal_lines
from newsclean.pipeline import Pipeline
from newsclean.run import output_record, reject_records
from newsclean.stages.decode import DecodeError, decode_bytes
from newsclean.stages.normalize import FIXES, Normalize

CONFIG = Config(jobs=1)
PIPELINE = Pipeline(CONFIG)

# Common characters of news text, so generated sentences read as plausible Chinese.
COMMON_HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料"
# Characters that scraped text really contains: odd spaces, zero-width, controls, CJK
# punctuation, the ideographic space, line breaks of every kind.
NOISE = "\u00a0\u200b\u2060\ufeff\x00\x07\x1b\u3000\u2028\x85\r\n\t ，。！？“”（）《》、：；—…·"

messy_text = st.text(alphabet=st.sampled_from(COMMON_HAN + NOISE + "abcXYZ019<>&;/"), max_size=400)
sentence = st.text(alphabet=st.sampled_from(COMMON_HAN), min_size=8, max_size=60).map(lambda s: s + "。")
clean_article = st.lists(sentence, min_size=1, max_size=12, unique=True)
noise_line = st.text(alphabet=st.sampled_from(NOISE.replace("\r", "").replace("\n", "")), min_size=1, max_size=6)
#: documents as real scrapes look: sentences, repeated lines, noise-only lines, messy lines
messy_doc = st.lists(
    st.one_of(sentence, sentence.map(lambda s: s + "\u200b"), noise_line, messy_text, st.just("标题重复。")),
    max_size=10,
).flatmap(lambda lines: st.sampled_from(["\n", "\r\n", "\n\n", "\r"]).map(lambda sep: sep.join(lines)))

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def clean_one(doc: Document, pipeline: Pipeline = PIPELINE) -> Document:
    (out,) = pipeline.run([doc])
    return out


def written_lines(doc: Document) -> list[str]:
    """Everything a run writes for ``doc``: its record (if kept) and its reject lines."""
    lines = [dumps(rec) for rec in reject_records(doc)]
    if not doc.error and not doc.dropped:
        lines.append(dumps(output_record(doc, CONFIG)))
    return lines


def assert_valid_jsonl(lines: list[str]) -> None:
    for line in lines:
        assert line.endswith("\n") and "\n" not in line[:-1]
        raw = line.encode("utf-8")  # raises on a lone surrogate
        record = json.loads(raw.decode("utf-8"))
        assert isinstance(record, dict)


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_raise_decode_error(data: bytes) -> None:
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        assert str(exc)
        return
    assert isinstance(decoded.text, str)
    assert 0.0 <= decoded.confidence <= 1.0


@FAST
@given(st.binary(max_size=2000), st.sampled_from(["text", "html"]))
def test_any_bytes_through_the_pipeline_give_valid_jsonl(data: bytes, kind: str) -> None:
    doc = clean_one(Document(source="fuzz.txt", raw=data, kind=kind))
    assert doc.error or doc.dropped or doc.paragraphs
    assert_valid_jsonl(written_lines(doc))


@FAST
@given(st.lists(st.binary(max_size=200), max_size=8))
def test_any_jsonl_bytes_give_valid_jsonl(lines: list[bytes]) -> None:
    stream = io.BytesIO(b"\n".join(lines))
    for doc in PIPELINE.run(read_jsonl(stream, "fuzz.jsonl", CONFIG)):
        assert_valid_jsonl(written_lines(doc))


@FAST
@given(st.lists(messy_text, max_size=6))
def test_any_text_in_json_records_gives_valid_jsonl(texts: list[str]) -> None:
    # including lone surrogates written as JSON escapes
    lines = [json.dumps({"text": t + "\ud800", "id": i}).encode() for i, t in enumerate(texts)]
    for doc in PIPELINE.run(read_jsonl(io.BytesIO(b"\n".join(lines)), "s.jsonl", CONFIG)):
        assert not doc.error
        assert_valid_jsonl(written_lines(doc))


@FAST
@given(clean_article)
def test_clean_chinese_is_a_fixed_point(paragraphs: list[str]) -> None:
    text = "\n\n".join("\u3000\u3000" + p for p in paragraphs)  # indented, blank-line separated
    doc = clean_one(Document(source="a.txt", raw=text.encode("utf-8")))
    assert doc.clean_text == "\n".join(paragraphs)
    assert [e for e in doc.events if e.kind in ("drop", "change")] == []


@FAST
@given(messy_doc)
def test_cleaning_is_idempotent(text: str) -> None:
    first = clean_one(Document(source="a.txt", raw=text.encode("utf-8")))
    if first.error or first.dropped:
        return
    second = clean_one(Document(source="a.txt", raw=first.clean_text.encode("utf-8")))
    assert second.clean_text == first.clean_text
    assert [e for e in second.events if e.kind in ("drop", "change")] == []


@FAST
@given(messy_doc.filter(lambda t: not t.lstrip().startswith("<")))
def test_every_line_is_kept_or_dropped_exactly_once(text: str) -> None:
    doc = clean_one(Document(source="a.txt", raw=text.encode("utf-8")))
    if doc.error or doc.dropped:
        assert any(e.kind == "drop" and e.line is None for e in doc.events) or doc.error
        return
    decoded = decode_bytes(text.encode("utf-8"), allow_binary=True).text
    from newsclean.document import split_paragraphs

    input_lines = {p.line for p in split_paragraphs(decoded)}
    kept = {p.line for p in doc.paragraphs}
    drops = [e.line for e in doc.events if e.kind == "drop" and e.line is not None]
    assert len(drops) == len(set(drops)), "a line was dropped twice"
    assert not kept & set(drops), "a kept line also has a drop event"
    assert kept | set(drops) == input_lines


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(messy_doc.map(str.encode), st.binary(max_size=300)), min_size=1, max_size=40))
def test_jobs_2_equals_jobs_1(raws: list[bytes]) -> None:
    def run(jobs: int) -> list[str]:
        config = Config(jobs=jobs, batch_size=3)  # small batches: several per worker
        docs = [Document(source=f"d{i}.txt", raw=r) for i, r in enumerate(raws)]
        out = []
        for doc in Pipeline(config).run(docs):
            out.extend(written_lines(doc))
        return out

    assert run(2) == run(1)


# any mojibake signal: characters of GBK/Big5/Shift-JIS misreadings, Latin-1, ? and U+FFFD
signal_line = st.text(alphabet=st.sampled_from(COMMON_HAN + "鏂伴椈銆傜粺璁¤鍥藉緢Ã©â€œ?\ufffd ？！abc"), max_size=40)


@given(st.lists(signal_line, max_size=8))
def test_the_document_signal_scan_never_misses_a_line_signal(lines: list[str]) -> None:
    """Repair skips a document when ``any_signal`` says so: it must then hold for every line."""
    if any(has_signal(line) for line in lines):
        assert any_signal("\n".join(lines))


@given(st.lists(st.text(alphabet=st.sampled_from(COMMON_HAN + " \t\u00a0\u200b\x01。"), max_size=30), max_size=8))
def test_normalize_skips_only_documents_with_nothing_to_fix(lines: list[str]) -> None:
    """Normalize's whole-document scan and its line-by-line fixes agree."""
    doc = Document.from_text("a.txt", "\n".join(lines))
    before = [p.text for p in doc.paragraphs]
    after = [p.text for p in Normalize(Config()).process(doc).paragraphs]
    needs_fix = any(any(fix(t) != t for fix in FIXES) or t != t.strip() for t in before)
    assert (after != before or bool(doc.events)) == needs_fix


@given(st.lists(signal_line, max_size=8))
def test_lines_outside_signal_lines_have_no_signal(lines: list[str]) -> None:
    """Repair looks only at the lines ``signal_lines`` names: no other may hold a signal."""
    named = signal_lines("\n".join(lines))
    assert all(not has_signal(line) for i, line in enumerate(lines) if i not in named)
