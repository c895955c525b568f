"""decode: real-looking Chinese news in every encoding scrapers meet.

Fixtures are encoded here from text, so the expected decode is known exactly.
"""

from __future__ import annotations

import codecs

import pytest

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.decode import Decode, DecodeError, decode_bytes

GB = (
    "国务院新闻办公室今天举行新闻发布会，介绍今年前三季度国民经济运行情况。国家统计局新闻发言人表示，经济运行总体平稳。"
)
TW = "臺北市政府今日宣布，自下個月起調整公車票價，市民可使用悠遊卡享有轉乘優惠。交通局長表示，此舉有助於減少碳排放。"
# 㗎 啲 喺 are Hong Kong characters in Big5-HKSCS but not in plain Big5 (cp950)
HK = "香港特區政府今日公佈，㗎啲新措施會喺下個月實施，市民可以透過網上平台申請。"
JP = (
    "東京都は本日、新型コロナウイルスの感染者数が減少傾向にあると発表しました。専門家は引き続き注意を呼びかけています。"
)
# 𠮷 and 𡃁 (Extension B) and 䶮 need GB18030's four-byte sequences: GBK cannot encode them
GB18030_ONLY = "今年的吉祥物名叫𠮷祥，䶮字也出现在报道中，其中𡃁和㐀属于扩展区汉字。"
GBK_LINE = "中国人民银行决定下调金融机构存款准备金率0.5个百分点。"

FIXTURES = [
    pytest.param(GB.encode("gbk"), GB, "gb18030", id="gbk"),
    pytest.param(GB.encode("gb2312"), GB, "gb18030", id="gb2312"),
    pytest.param(GB18030_ONLY.encode("gb18030"), GB18030_ONLY, "gb18030", id="gb18030-only"),
    pytest.param(TW.encode("big5"), TW, "cp950", id="big5"),
    pytest.param(HK.encode("big5hkscs"), HK, "big5hkscs", id="big5-hkscs"),
    pytest.param(codecs.BOM_UTF16_LE + GB.encode("utf-16-le"), GB, "utf-16-le", id="utf16le-bom"),
    pytest.param(codecs.BOM_UTF16_BE + GB.encode("utf-16-be"), GB, "utf-16-be", id="utf16be-bom"),
    pytest.param(GB.encode("utf-16-le"), GB, "utf-16-le", id="utf16le-no-bom"),
    pytest.param(GB.encode("utf-16-be"), GB, "utf-16-be", id="utf16be-no-bom"),
    pytest.param(codecs.BOM_UTF8 + GB.encode(), GB, "utf-8", id="utf8-bom"),
    pytest.param(TW.encode(), TW, "utf-8", id="utf8-traditional"),
    pytest.param(JP.encode("shift_jis"), JP, None, id="shift-jis"),
]


@pytest.mark.parametrize(("data", "text", "encoding"), FIXTURES)
def test_fixture_decodes_to_its_text(data: bytes, text: str, encoding: str | None) -> None:
    decoded = decode_bytes(data)
    assert decoded.text == text
    assert decoded.replaced == 0
    if encoding:
        assert decoded.encoding == encoding


def test_shift_jis_is_read_as_a_japanese_codec() -> None:
    assert decode_bytes(JP.encode("shift_jis")).encoding in ("shift_jis", "cp932")


def test_mostly_utf8_file_with_a_gbk_paragraph_decodes_each_line() -> None:
    data = (GB + "\n").encode() + (GBK_LINE + "\n").encode("gbk") + TW.encode()
    decoded = decode_bytes(data)
    assert decoded.text == f"{GB}\n{GBK_LINE}\n{TW}"
    assert decoded.encoding == "gb18030+utf-8"
    assert decoded.method == "mixed-lines"


@pytest.mark.parametrize("cut", [1, 2])
def test_utf8_cut_mid_character_stays_utf8(cut: int) -> None:
    decoded = decode_bytes(GB.encode()[:-cut])
    assert decoded.encoding == "utf-8"
    assert decoded.text == GB[:-1] + "\ufffd"
    assert decoded.replaced == 1


def test_stray_byte_in_utf8_is_one_replacement_not_a_foreign_codec() -> None:
    raw = GB.encode()
    decoded = decode_bytes(raw[:30] + b"\xff" + raw[30:])
    assert decoded.encoding == "utf-8"
    assert decoded.text == GB[:10] + "\ufffd" + GB[10:]


def test_short_gbk_is_still_gbk() -> None:
    assert decode_bytes("新闻".encode("gbk")).text == "新闻"


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)) * 16, b"\x00\x01\x02PK\x03\x04" * 200, b"\x89PNG\r\n\x1a\n" + bytes(range(200)) * 10],
    ids=["all-bytes", "zip-like", "png-like"],
)
def test_binary_is_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(DecodeError, match="binary|undecodable"):
        decode_bytes(data)


def test_a_stray_nul_in_text_is_not_binary() -> None:
    assert decode_bytes((GB + "\x00" + GB).encode()).text == GB + "\x00" + GB


def test_stage_records_encoding_and_flags_uncertain_decodes() -> None:
    stage = Decode(Config())
    doc = stage.process(Document(source="a.txt", raw=GB.encode("gbk")))
    assert doc.text == GB and doc.raw is None
    assert doc.meta["encoding"] == {"name": "gb18030", "confidence": 0.99}
    assert doc.events == []

    damaged = stage.process(Document(source="b.txt", raw=GB.encode()[:-1]))
    assert [e.rule for e in damaged.events] == ["replacement-characters"]
    assert damaged.events[0].kind == "flag"


def test_stage_turns_binary_into_an_error_not_an_exception() -> None:
    doc = Decode(Config()).process(Document(source="x.txt", raw=bytes(range(256)) * 16))
    assert doc.error and "binary" in doc.error
    assert doc.text is None


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Le président a déclaré lundi que la réforme serait adoptée à l'été, malgré les syndicats.", "cp1252"),
        ("서울시는 오늘 새로운 교통 정책을 발표했다고 밝혔습니다.", "euc-kr"),
        ("Президент заявил в понедельник, что реформа будет принята летом.", "koi8-r"),
        ("東京都は今日、新型コロナウイルスの感染者が新たに確認されたと発表しました。", "shift_jis"),
    ],
)
def test_non_chinese_legacy_encodings_are_left_to_the_detector(text: str, encoding: str) -> None:
    """A GB18030 reading of Korean or French bytes is Chinese-looking garbage; when no
    Chinese reading is plausible, a detector's reading that decodes every byte wins."""
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text
    assert decoded.method == "detector"
