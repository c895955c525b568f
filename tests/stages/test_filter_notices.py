"""The filter on spam, ad labels, paywall prompts, platform notices and letter-spaced
furniture: the furniture goes, the news that talks about the same things stays."""

from __future__ import annotations

import pytest

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.filter import Filter, close_letter_spacing

STAGE = Filter(Config())

LEAD = "今天上午，市政府召开新闻发布会，通报了有关情况。"


def run(text: str) -> Document:
    return STAGE.process(Document.from_text("page.txt", text))


# A finance page with the furniture of a self-media platform around two paragraphs.
PAGE = """贊助內容
【推广】 了解详情
央行今天宣布下调金融机构存款准备金率0.25个百分点，释放长期资金约5000亿元。
本篇為訂戶專屬內容，請訂閱後繼續閱讀
还剩 55% 未读
分析人士认为，此举有助于稳定市场预期，降低实体经济融资成本。
财经频道声明：此消息来自合作媒体，转载目的在于传递更多信息，不代表本网立场。
本站仅提供信息存储空间服务。
新 浪 财 经 版 权 所 有 ，未 经 授 权 不 得 转 载
永利娱乐城官网|注册送58元彩金|信誉出款
免费在线观看无码成人影片
后台回复“理财”免费领取电子书"""


def test_page_furniture_goes_paragraphs_stay() -> None:
    doc = run(PAGE)
    assert doc.clean_text.splitlines() == [
        "央行今天宣布下调金融机构存款准备金率0.25个百分点，释放长期资金约5000亿元。",
        "分析人士认为，此举有助于稳定市场预期，降低实体经济融资成本。",
    ]
    drops = {e.line: e.rule for e in doc.events if e.kind == "drop"}
    assert drops == {
        1: "ad-label",
        2: "ad-label",
        4: "paywall-prompt",
        5: "paywall-prompt",
        7: "platform-notice",
        8: "platform-notice",
        9: "copyright-notice",
        10: "seo-spam",
        11: "seo-spam",
        12: "contact-lure",
    }


def test_letter_spaced_line_records_the_closing_then_the_rule() -> None:
    spaced = "中 国 日 报 网 版 权 所 有 ，未 经 许 可 不 得 转 载"
    closed = "中国日报网版权所有，未经许可不得转载"
    doc = run(f"{LEAD}\n{spaced}")
    assert doc.clean_text == LEAD
    change, drop = doc.events
    assert (change.rule, change.kind, change.line, change.before, change.after) == (
        "letter-spaced",
        "change",
        2,
        spaced,
        closed,
    )
    assert (drop.rule, drop.kind, drop.line, drop.before) == ("copyright-notice", "drop", 2, closed)


def test_letter_spacing_is_only_closed_for_matching() -> None:
    # A spaced-out headline no rule matches stays exactly as it was.
    assert run("新 春 快 乐 ， 万 事 如 意").clean_text == "新 春 快 乐 ， 万 事 如 意"
    assert close_letter_spacing("王 芳  李 强  张 伟") == "王芳  李强  张伟"
    assert close_letter_spacing("Apple 发布 iPhone 16") is None


def test_letter_spaced_detector_can_be_switched_off() -> None:
    stage = Filter(Config(disable_rules=("letter-spaced",)))
    line = "中 国 日 报 网 版 权 所 有"
    assert stage.process(Document.from_text("a.txt", line)).clean_text == line


def test_english_platform_notice_longer_than_the_chinese_bound() -> None:
    notice = (
        "Notice: The content above (including the pictures and videos if any) was posted by a user of a "
        "self-media account on this platform, which only provides information storage services and does "
        "not endorse the views expressed. Please contact us if any content infringes your rights."
    )
    assert len(notice) > 200
    doc = run(f"{LEAD}\n{notice}")
    assert doc.clean_text == LEAD
    assert [e.rule for e in doc.events] == ["platform-notice"]


SPAM = [
    "新葡京娱乐场-注册就送88元彩金-首存再送100%",
    "金沙娱乐城【欢迎您】",
    "真人百家乐|亚洲信誉第一博彩平台|7x24小时在线客服",
    "足球波胆 体育投注网址 即时赔率 信誉博彩",
    "線上娛樂城推薦｜註冊送體驗金｜快速出金",
    "日韩无码成人影片免费看 最新av线上看",
    "国产精品一区二区三区免费在线观看",
    "网贷秒下款，黑户可贷，无视征信",
    "代开发票13800138000 办证刻章",
    "时时彩计划群 北京赛车pk10 六合彩资料大全",
]


@pytest.mark.parametrize("line", SPAM)
def test_spam_lines_are_dropped(line: str) -> None:
    doc = run(f"{LEAD}\n{line}")
    assert doc.clean_text == LEAD, line
    assert [e.rule for e in doc.events] == ["seo-spam"]


# Real-looking news about the same things: every one of these must come through untouched.
NEWS = [
    "警方破获一起网络赌博案，涉案金额逾2亿元，抓获犯罪嫌疑人35名。",
    "打擊「娛樂城」廣告 數位部要求平台限期下架",
    "所谓“注册送彩金”“首存返水”，实为网络赌博平台的引流套路",
    "百家乐、老虎机等赌博游戏被列为重点整治对象",
    "香港六合彩今晚攪珠 頭獎估計獎金達6000萬元",
    "澳门博彩业二月收入同比增长",
    "国产精品牌冰箱出口创新高",
    "网贷平台宣称“秒下款”“无视征信”，专家提醒谨防套路贷",
    "男子网购假证件被行拘",
    "成人教育报名人数创新高",
    "广告法修订草案公开征求意见",
    "公益广告",
    "广告收入占该集团营收的三成以上。",
    "推广新能源汽车下乡",
    "赞助商名单将于下周公布。",
    "该报付费订阅用户已突破100万，订阅收入首次超过广告收入。",
    "订阅用户可在客户端阅读全文。",
    "开通会员后可享受免费配送服务。",
    "成为会员的门槛正在降低",
    "剩余40%的款项将于年底前支付。",
    "已是会员的用户可在小程序中查询积分。",
    "登录系统后即可查看本人社保缴费记录。",
    "公司声明：本次事故系操作失误所致，将全力配合调查。",
    "外交部发言人声明：中方立场没有改变。",
    "法院认为，该平台仅提供信息存储空间服务，不承担赔偿责任。",
    "他在文章中指出，自媒体平台应当承担更多审核责任。",
    "免责声明的法律效力问题在庭审中引发争论。",
    "警方提醒：凡是要求“加微信领取补贴”的，都是诈骗。",
    "加微信好友后，对方以投资为名骗取钱财。",
    "他私信“小王”获取了对方的联系方式。",
    "Notice: the museum will be closed on Monday.",
    "王 芳  李 强  张 伟",
]


@pytest.mark.parametrize("line", NEWS)
def test_news_about_the_same_things_is_kept(line: str) -> None:
    doc = run(f"{LEAD}\n{line}")
    assert doc.clean_text.splitlines()[-1] == line, [e.rule for e in doc.events]
    assert not doc.events
