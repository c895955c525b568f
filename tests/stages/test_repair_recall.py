"""Repair recall: double-byte text read out of step (marked or not), and UTF-8 read as
Shift-JIS with lost bytes. Every damaged line here is made by the real codecs from a
clean sentence; clean lines that the wider search could mistake for damage stay put."""

from __future__ import annotations

import unicodedata

import pytest

from newsclean.mojibake import repair_line


def out_of_step(text: str, lost: str, codec: str, mark: bool, nfkc: bool = False) -> str:
    """``text`` in ``codec`` with the lead byte of ``lost`` replaced by ? (``mark``) or
    dropped, read back by a decoder that writes ? for an unreadable byte."""
    data = text.encode(codec)
    at = data.index(lost.encode(codec))
    damaged = data[:at] + (b"?" if mark else b"") + data[at + 1 :]
    out = damaged.decode(codec, errors="replace").replace("\ufffd", "?")
    return unicodedata.normalize("NFKC", out) if nfkc else out


def same(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a) == unicodedata.normalize("NFKC", b)


# ------------------------------------------------------------- out of step, marked


def test_private_use_character_inside_the_span_is_a_byte_pair() -> None:
    # 消息 read out of step passes through GBK's user-defined rows (a private-use
    # character): those bytes are text, not decoder noise to drop
    text = "据生态环境部消息，2023年1月北京进出口总值同比上涨5.9%。"
    damaged = out_of_step(text, "消", "gb18030", mark=True)
    assert any("\ue000" <= ch <= "\uf8ff" for ch in damaged)
    assert repair_line(damaged).text == text


def test_private_use_character_before_the_trailing_marker_is_kept() -> None:
    text = "此外，社会消费品零售总额稳中有升。"
    damaged = out_of_step(text, "总", "gb18030", mark=True)
    assert damaged.endswith("?") and any("\ue000" <= ch <= "\uf8ff" for ch in damaged)
    assert repair_line(damaged).text == text


def test_span_between_two_markers_with_one_rare_character() -> None:
    # ?壬险恰? : one rare character only, but a ? at each end of the span
    text = "李明表示：此外，地铁客运量同比上涨。"
    damaged = out_of_step(text, "比", "gb18030", mark=True)
    assert damaged.endswith("?")
    assert repair_line(damaged).text == text


def test_guessed_stop_does_not_follow_a_colon() -> None:
    # the lost lead of 海 leaves trail byte A3, which also ends 。 (A1A3): after ： a
    # full stop is unlikely, 海关 is a word
    text = "《广州日报》报道：海关总署启动专项行动，预计明年将保持增长态势！"
    damaged = out_of_step(text, "海", "gb18030", mark=True, nfkc=True)
    assert same(repair_line(damaged).text, text)


# ------------------------------------------------------------ out of step, unmarked


@pytest.mark.parametrize(
    ("text", "lost"),
    [
        # the span starts at ordinary-looking characters (从车 for 反映)
        ("《郑州日报》报道：外交部发言人召开常务会议，群众反映的问题已经得到解决！", "反"),
        # and ends at the line end in a lone lead byte
        ("记者从市交通委获悉，南京地铁客运量保持平稳，下一步将继续加大政策支持力度。", "支"),
        # a lone trail byte read as ASCII resynchronised the decoder before the digits
        ("据最高人民法院消息，2018年6月厦门进出口总值环比下降2.2%。", "总"),
    ],
)
def test_lost_lead_byte_without_a_marker(text: str, lost: str) -> None:
    damaged = out_of_step(text, lost, "gb18030", mark=False)
    assert "?" in damaged  # the unreadable byte at the end, not a marker of the loss
    assert repair_line(damaged).text == text


@pytest.mark.parametrize(
    ("text", "lost", "codec"),
    [
        ("深圳、北京兩地新能源汽車銷量分別穩中有升19.3%和2.8%。", "分", "gb18030"),
        ("陳建國指出，市場總體運行平穩。", "體", "cp950"),
    ],
)
def test_lone_trail_byte_after_a_character_no_text_uses(text: str, lost: str, codec: str) -> None:
    # Traditional text in GB18030: 分別 without the lead of 分 reads 謩e, an unknown
    # character and the trail byte 0x65 alone (in Big5, 體運 reads 暽B)
    damaged = out_of_step(text, lost, codec, mark=False)
    assert "?" not in damaged
    assert repair_line(damaged).text == text


# ----------------------------------------------------------------- Shift-JIS


@pytest.mark.parametrize(
    "text",
    [
        # 将 E5 B0 86: 0x86 is a lead byte with no pair, U+FFFD; 就 (…B1) would read ｱ
        "记者从外交部发言人获悉，下一步将继续加大政策支持力度。",
        # ！ EF BC 81 at the line end: U+FFFD, ｼ, U+FFFD around one kept byte
        "《西安日报》报道：生态环境部开展安全检查，下一步将继续加大政策支持力度！",
        # ，before digits, the same way
        "据市场监管总局消息，2017年5月成都全国粮食产量保持平稳14.1%。",
        # 燕 E7 87 95 reads as 鍋√ with the NEC duplicate of √ (8795, not 81E3)
        "4月3日，最高人民法院在北京举行新闻发布会。张晓燕透露，市场总体运行平稳。",
        # 、 E3 80 81: 0x81 before 青 cannot be 。's 0x82 (82E9 is a kana)
        "郑州、青岛两地居民消费价格分别环比下降8.3%和13.9%。",
    ],
)
def test_utf8_read_as_shift_jis_with_lost_bytes(text: str) -> None:
    damaged = text.encode().decode("cp932", errors="replace")
    assert "\ufffd" in damaged
    assert repair_line(damaged).text == text


# ------------------------------------------------------------------ precision


@pytest.mark.parametrize(
    "text",
    [
        "你刷B站吗?K线图显示,C罗本赛季已进12球。",
        "西安市空气质量优良天数连续5个月同比上涨，专家介绍群众反蕊e人映的问题已经得到解决。",
        "“该项目计划于年底前竣U盘工，”刘洋说。",
        "市场总体运涞A股行平稳。",
        "南京、武汉两翀地~新能源汽车销量分别稳中有升7.6%和25.2%。",
        "深圳、昆明两地规模以上工业增加值分别同比增长30.3%和3.5乜?2%。",
        "据国家统计局消息，201岙?85G年12月郑州社会消费品零售总额稳中有升4.5%。",
        "你确定吗?玥??我不信!!!",
        "你确定吗??蕊?我不信!!!",
        "武汉、郑州两地规模以上工业增加值分别环比下降?15?2.9%和6.6%。",
        "罗马数字ⅲ和带圈数字⑴K线在公文中偶尔出现。",
        "陈建国槑X光指出，“市场总体运行平稳。”",
        "记者从市气象台获悉，该项目计划于年底前竣工。X光",
        "小i机器人和i春秋都是真实的名字，开i安全检查不是。",
        # a ? at each end and one rare character inside: only a reading of ordinary
        # text would do, and these are not
        "他问道：“真的吗睇?!”大淼?2家都笑了。",
        "该项目计划于年底前?竣工；?2此外，居民消费价格创历史新高。",
        "台北市政府今堃（3）日公嬲布最C罗新防疫措施，民眾應配合戴口罩。",
    ],
)
def test_clean_text_near_the_new_signals_is_untouched(text: str) -> None:
    assert repair_line(text).text == text
