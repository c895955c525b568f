"""The filter on photo captions and video credits (rules/captions.toml): a caption with a
marker or a credit goes whole, a caption with neither and the news that talks about photos
stay, and the writer of a video or magazine piece becomes the author field."""

from __future__ import annotations

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.filter import Filter

STAGE = Filter(Config())


def run(text: str) -> Document:
    return STAGE.process(Document.from_text("page.txt", text))


# A wire photo story: captions with credits between the paragraphs.
PHOTO_PAGE = """新华社南京3月5日电 春耕时节，江苏各地农民抢抓农时，田间地头一派忙碌景象。
3月5日，在江苏省南京市拍摄的长江大桥夜景（无人机照片）。新华社记者 李博 摄
图为3月5日，农民在江苏省兴化市的田间驾驶农机作业。
当地农业部门负责人说，今年全市春播面积预计超过200万亩。
农民驾驶农机进行春耕作业。近年来，当地积极推进农业机械化，提高生产效率。（新华社发 王丽 摄）
他拍摄了这张照片，照片在网上迅速传播。
一季度国内生产总值同比增长5.3%。（中央社）"""


def test_credited_and_marked_captions_go_and_the_news_stays() -> None:
    doc = run(PHOTO_PAGE)
    assert doc.clean_text.split("\n") == [
        "新华社南京3月5日电 春耕时节，江苏各地农民抢抓农时，田间地头一派忙碌景象。",
        "当地农业部门负责人说，今年全市春播面积预计超过200万亩。",
        "他拍摄了这张照片，照片在网上迅速传播。",
        "一季度国内生产总值同比增长5.3%。（中央社）",
    ]


def test_traditional_captions_go() -> None:
    doc = run(
        "圖為民眾在台北101前排隊跨年。\n台北市政府今天宣布，明年起調整公車票價。\n民眾在台北街頭撐傘。（記者王小明／攝）"
    )
    assert doc.clean_text == "台北市政府今天宣布，明年起調整公車票價。"


def test_video_and_magazine_credits_become_fields() -> None:
    doc = run("本期作者：王丽 本期编辑：李明\n今天上午，救援队伍抵达受灾最严重的村庄。\n拍摄：张敏 剪辑：刘洋")
    assert doc.clean_text == "今天上午，救援队伍抵达受灾最严重的村庄。"
    assert doc.meta["fields_out"] == {"author": "王丽", "editor": "李明"}
    doc = run("主播王丽在节目中表示，今年春节档票房创新高。")
    assert doc.clean_text == "主播王丽在节目中表示，今年春节档票房创新高。"
