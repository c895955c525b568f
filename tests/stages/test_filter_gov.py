"""The filter on government notices, HK press releases, aggregator pages, TV bylines and
finance/tech reprints (rules/gov.toml): the furniture goes, the news that talks about the
same things stays, and bylines become fields."""

from __future__ import annotations

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.filter import Filter

STAGE = Filter(Config())


def run(text: str) -> Document:
    return STAGE.process(Document.from_text("page.txt", text))


# A gov.cn policy page: the document-information table above, the page tools below.
GOV_PAGE = """索 引 号：000014349/2024-00012    主题分类：城乡建设、环境保护\\其他
发文机关：国务院办公厅    成文日期：2024年03月01日
发文字号：国办发〔2024〕12号  发布日期：2024-03-05
国务院办公厅关于进一步优化营商环境的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
发布机构称，该通知自印发之日起施行，有效期五年。
附件下载
扫一扫在手机上查看当前页面
【我要打印】 【关闭】
主办单位：国务院办公厅 承办单位：中国政府网运行中心
网站标识码：bm01000001"""


def test_gov_page_table_and_tools_go_notice_stays() -> None:
    doc = run(GOV_PAGE)
    assert doc.clean_text.splitlines() == [
        "国务院办公厅关于进一步优化营商环境的通知",
        "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
        "发布机构称，该通知自印发之日起施行，有效期五年。",
    ]
    assert {e.rule for e in doc.events} >= {"gov-meta", "gov-page-tool"}


# A Hong Kong government press release and a Taiwan ministry page.
RELEASES = """政府今日公布新一輪資助計劃，合資格市民可於下月起申請。
政府新聞處發言人表示，有關安排將於下周生效。
完
2026年3月5日（星期四）
香港時間18時30分
發布單位：行政院新聞傳播處 更新日期：113-03-06
瀏覽人次：12,345"""


def test_press_release_stamps_go_sentences_about_the_office_stay() -> None:
    doc = run(RELEASES)
    assert doc.clean_text.splitlines() == [
        "政府今日公布新一輪資助計劃，合資格市民可於下月起申請。",
        "政府新聞處發言人表示，有關安排將於下周生效。",
    ]


# A news-aggregator page around two paragraphs.
FEED = """财经观察家
+ 关注
2024-03-05 10:20·北京
央行今天宣布下调金融机构存款准备金率0.25个百分点。
他对此不感兴趣，认为降准对楼市影响有限。
展开剩余85%
打开今日头条看更多
不感兴趣 举报/反馈
写评论...
跟贴 123"""


def test_aggregator_widgets_go() -> None:
    doc = run(FEED)
    lines = doc.clean_text.splitlines()
    assert "央行今天宣布下调金融机构存款准备金率0.25个百分点。" in lines
    assert "他对此不感兴趣，认为降准对楼市影响有限。" in lines
    for widget in ("+ 关注", "2024-03-05 10:20·北京", "展开剩余85%", "打开今日头条看更多", "写评论...", "跟贴 123"):
        assert widget not in lines


def test_tv_and_broadcaster_bylines_become_the_author() -> None:
    doc = run("三立新聞網 陳怡君／台北報導\n台北市政府今天宣布，明年起調整公車票價。\n娛樂中心／綜合報導")
    assert doc.clean_text == "台北市政府今天宣布，明年起調整公車票價。"
    assert doc.meta["fields_out"] == {"author": "陳怡君"}
    doc = run("总台记者 张三 李四 报道\n今天上午，救援队伍抵达受灾最严重的村庄。")
    assert doc.clean_text == "今天上午，救援队伍抵达受灾最严重的村庄。"
    assert doc.meta["fields_out"] == {"author": "张三、李四"}
    doc = run("总台记者张三在现场报道了救援进展。")
    assert doc.clean_text == "总台记者张三在现场报道了救援进展。"


# A tech-media article with its reprint, ad and risk notices.
TECH = """该款手机将于下周一开售，起售价3999元。
分析师称，上述预测仅供参考，不构成投资建议。
本文来自微信公众号“虎嗅APP”（ID：huxiu_com），作者：张三，36氪经授权发布。
（本文首发于钛媒体APP）
广告声明：文内含有的对外跳转链接（包括不限于超链接、二维码、口令等形式），用于传递更多信息，节省甄选时间，结果仅供参考，IT之家所有文章均包含本声明。
市场有风险，投资需谨慎。本文不构成任何投资建议。"""


def test_finance_and_reprint_notices_go_quoted_caveats_stay() -> None:
    doc = run(TECH)
    assert doc.clean_text.splitlines() == [
        "该款手机将于下周一开售，起售价3999元。",
        "分析师称，上述预测仅供参考，不构成投资建议。",
    ]


def test_gov_credit_row_goes_and_its_author_is_kept() -> None:
    doc = run(
        "作者：张三 来源：市政府办公室 发布时间：2024-03-05 点击数：123\n市政府今天召开常务会议，研究部署春耕生产工作。"
    )
    assert doc.clean_text == "市政府今天召开常务会议，研究部署春耕生产工作。"
    assert doc.meta["fields_out"] == {"author": "张三"}
    assert [e.rule for e in doc.events] == ["gov-meta"]
