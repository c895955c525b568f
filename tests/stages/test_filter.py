"""The filter and furniture stages on real-looking pages: what goes, what stays, and the
record of every change."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from newsclean.config import Config
from newsclean.document import Document
from newsclean.stages.filter import Filter
from newsclean.stages.furniture import Furniture

STAGE = Filter(Config())

# Seed 000 after repair: Traditional text with converter pinyin, a stock widget, a CMS
# marker glued to the text and a stray </p>.
CONVERTED = """色老头一区二区三区,av基地,午夜第一页,久久成人18免费网站,免费美女视频免费,性感美女视频思念天边的你dj,美女视频在线观看 网站大全

360借條整改未達標被部分應用商店下架 個人信息保護再迎嚴監(jiān)管

  在此次通報之前，360數科等13家互聯網金融平臺已被央行等監(jiān)管部門約談過。網絡平臺企業(yè)普遍存在無牌經營。

  羅杰發(fā)現分期時間前后不一致，對方解釋稱，“線上線下(47.7100.000.00%)系統(tǒng)不一樣”。

  從而獲得用戶提供的個人信息。”#p#分頁標題#e#

  “欠個錢沒問題，但不該發(fā)短信威脅我的家人。”該用戶表示。</p>
"""


def run(text: str, stage: Filter = STAGE) -> Document:
    return stage.process(Document.from_text("page.txt", text))


def test_converted_page_is_cleaned_in_place() -> None:
    doc = run(CONVERTED)
    assert doc.clean_text.splitlines() == [
        "360借條整改未達標被部分應用商店下架 個人信息保護再迎嚴監管",
        "在此次通報之前，360數科等13家互聯網金融平臺已被央行等監管部門約談過。網絡平臺企業普遍存在無牌經營。",
        "羅杰發現分期時間前后不一致，對方解釋稱，“線上線下系統不一樣”。",
        "從而獲得用戶提供的個人信息。”",
        "“欠個錢沒問題，但不該發短信威脅我的家人。”該用戶表示。",
    ]
    rules = {e.rule for e in doc.events}
    assert rules == {"seo-spam", "pinyin-annotation", "stock-widget", "cms-page-marker", "html-tag"}
    # Every event points at a real input line and says what it did.
    assert all(e.line and e.reason and e.before for e in doc.events)
    assert all(e.after for e in doc.events if e.kind == "change")


def test_news_page_furniture_goes_article_stays() -> None:
    page = Path(__file__).parents[2] / "samples" / "001_7e9fe6cf0f86c571.txt"
    doc = run(page.read_text(encoding="utf-8"))
    text = doc.clean_text
    for noise in ("正在阅读", "扫一扫", "图片来源", "记者 |", "侵权必究", "4.3k", "营收下滑", "暂无评论", "微信公众号"):
        assert noise not in text
    assert "\n360数科\n" not in f"\n{text}\n"
    assert "\n评论\n" not in f"\n{text}\n" and "\n微博\n" not in f"\n{text}\n"
    assert text.startswith("360数科旗下“360借条”App遭下架,因个人信息整改出现纰漏\n")
    assert "曾被网信办通报违规收集和使用个人信息情况。" in text
    assert sum("贷款余额约130亿元" in p.text for p in doc.paragraphs) == 2
    assert doc.meta["fields_out"] == {"author": "游淼"}


def test_bylines_become_fields() -> None:
    doc = run("本報記者 林志豪 台北報導\n央行今天宣布降息。\n（責任編輯：王五）")
    assert doc.clean_text == "央行今天宣布降息。"
    assert doc.meta["fields_out"] == {"author": "林志豪", "editor": "王五"}


def test_combined_credit_lines_fill_both_fields_in_any_order() -> None:
    doc = run("来源：中国新闻网 | 作者：吴帆\n央行今天宣布降息。\n审核：陈静 责编：王晓明")
    assert doc.clean_text == "央行今天宣布降息。"
    assert doc.meta["fields_out"] == {"author": "吴帆", "editor": "王晓明"}
    assert [e.rule for e in doc.events] == ["staff-combined", "staff-combined"]


def test_taiwanese_credits_with_date_codes_go() -> None:
    doc = run(
        "行政院會今天通過住宅法修正草案，將送立法院審議。\n中央社記者張皓安攝 112年8月17日\n（編輯：黃淑芬）1121224"
    )
    assert doc.clean_text == "行政院會今天通過住宅法修正草案，將送立法院審議。"
    assert doc.meta["fields_out"] == {"editor": "黃淑芬"}


def test_taiwanese_page_widgets_go_article_stays() -> None:
    page = "\n".join(
        [
            "自由時報 / 國際 / 亞洲",
            "颱風海葵逼近，氣象署今天上午發布海上警報，東部及南部沿海民眾應嚴加戒備。",
            "#颱風 #停班停課 #氣象署",
            "追蹤TVBS Instagram",
            "點我看活動辦法",
            "※本文內容僅供參考，不構成任何投資建議",
            "本站所有文字與圖片，非經同意，不得重製或公開傳輸。",
        ]
    )
    doc = run(page)
    assert doc.clean_text == "颱風海葵逼近，氣象署今天上午發布海上警報，東部及南部沿海民眾應嚴加戒備。"


def test_quoted_sentence_after_related_heading_is_kept() -> None:
    doc = run("正文第一段，介绍了事件经过。\n你可能也喜欢\n央行宣布降准\n她說：「我們會繼續努力。」")
    assert doc.clean_text.splitlines() == ["正文第一段，介绍了事件经过。", "她說：「我們會繼續努力。」"]


def test_short_headline_after_end_marker_is_kept() -> None:
    doc = run(
        "第一篇报道的正文内容。\n（完）\n央行宣布降准\n中国人民银行今天宣布，下调金融机构存款准备金率0.5个百分点。"
    )
    assert doc.clean_text.splitlines()[1:] == [
        "央行宣布降准",
        "中国人民银行今天宣布，下调金融机构存款准备金率0.5个百分点。",
    ]


def test_a_dateline_after_a_related_list_starts_the_next_article() -> None:
    # a related-articles list, then the next article of a scraped page: its dateline and
    # short headline-like lines are article text, not more related titles
    doc = run(
        "第一篇报道的正文内容。\n相关新闻：\n央行宣布降准0.5个百分点\n新华社北京3月5日电\n真相究竟如何？\n"
        "十四届全国人大二次会议今天上午在人民大会堂开幕。"
    )
    assert doc.clean_text.splitlines() == [
        "第一篇报道的正文内容。",
        "新华社北京3月5日电",
        "真相究竟如何？",
        "十四届全国人大二次会议今天上午在人民大会堂开幕。",
    ]
    assert [e.rule for e in doc.events] == ["related-header", "related-list"]


def test_article_bullets_are_kept() -> None:
    text = "会议提出三点要求：\n• 一是加强监管；\n• 二是完善制度\n• 三是强化执法"
    assert run(text).clean_text == text


def test_pronunciation_note_in_simplified_text_is_kept() -> None:
    text = "“行”字在这里读作háng，即银行(háng)的行。"
    assert run(text).clean_text == text


HARD_NEGATIVES = [
    "记者从市公安局获悉，该案已移送检察机关审查起诉。",
    "他在微博上发文回应称，将依法维护自身权益。",
    "用户下载APP后需完成实名认证，方可使用借贷服务。",
    "法院认为，被告未经授权转载原告作品，构成侵权。",
    "该视频在网络上播放量达4.3万次，评论区争议不断。",
    "台北(Taipei)與高雄(Kaohsiung)兩市的房價差距持續擴大。",
    "一、总体要求",
    "“我们会坚持下去。”",
    "张三、李四、王五",
    "警方查处一批提供“免费视频”“在线观看”的色情网站，抓获犯罪嫌疑人12名。",
    "評論員指出，這項政策將影響數百萬家庭。",
    "新华社记者探访灾区重建现场",
    "他在微博上发起#拒绝内卷#话题，引发热议。",
    "加入LINE好友后即可查询订单进度。",
    "分析师称，上述预测仅供参考，不构成投资建议。",
    "作者：王安忆，《长恨歌》获茅盾文学奖。",
    "点我名字的那位同学请站起来。",
    "各地要高度关注极端天气可能引发的次生灾害。",
    "网友纷纷为这位外卖小哥点赞。",
    "公众号“财经观察”发文称，该企业存在违规行为。",
    "楼主称，自己在小区门口被车撞了。",
    "他在回复5名记者的提问时表示，调查仍在进行。",
    "推动高质量发展，推进中国式现代化。",
    "恒指收报16500点，涨1.2%。",
    "消息来源称，谈判已进入最后阶段。",
]


def test_hard_negatives_survive_untouched() -> None:
    for line in HARD_NEGATIVES:
        doc = run(f"今天上午，市政府召开新闻发布会。\n{line}")
        assert doc.clean_text.splitlines()[-1] == line, [e.rule for e in doc.events]
        assert not doc.events


# Pages that are not news sites: a WeChat account post, a Discuz! thread, a PTT post with
# push comments, a wire press release. Furniture lines go; the story and a ticker that is
# written as a sentence stay.
WECHAT = """👆点击上方蓝字 关注我们
原创 周然 城事观察 2024-03-12 08:05 发表于上海
本市今年将新增公共充电桩两万个，重点覆盖老旧小区和郊区新城。
市交通委表示，居民可通过“随申办”查询附近充电桩的空闲情况。
- END -
▼往期推荐▼
地铁18号线二期年底通车
五个新城公交线网优化方案公布
版权归原作者所有，如有侵权请联系删除
投稿邮箱：tougao@example.com
喜欢就点个赞吧"""

FORUM = """楼主| 发表于 2024-3-5 12:30:12 | 只看该作者 |倒序浏览 |阅读模式
本帖最后由 老王 于 2024-3-5 12:45 编辑
小区门口的路修了半年还没修好，早晚高峰堵得走不动。
街道办回复说，工程因管线迁改延期，预计四月底完工。
回复 举报
来自Android客户端
沙发"""

PTT = """作者 abc123 (小明) 看板 Gossiping
標題 [新聞] 台積電宣布赴日設廠
時間 Tue Mar  5 12:30:00 2024
台積電今日宣布，將在日本熊本設立第二座晶圓廠，預計2027年量產。
--
※ 發信站: 批踢踢實業坊(ptt.cc), 來自: 1.2.3.4 (臺灣)
※ 文章網址: https://www.ptt.cc/bbs/Gossiping/M.1709613000.A.123.html
推 user01: 護國神山 03/05 12:40
噓 troll99: 又來了 03/05 12:41"""

WIRE = """北京2024年3月5日 /美通社/ -- 某某科技有限公司今日宣布推出新一代储能产品。
该产品能量密度较上一代提升20%，将于二季度上市。
消息来源：某某科技有限公司
媒体垂询：
联系人：张女士 电话：010-12345678 邮箱：pr@example.cn
查看原始内容：https://www.prnewswire.com/news-releases/example-302080000.html"""


def test_wechat_forum_ptt_and_wire_furniture_goes_story_stays() -> None:
    expected = {
        WECHAT: [
            "本市今年将新增公共充电桩两万个，重点覆盖老旧小区和郊区新城。",
            "市交通委表示，居民可通过“随申办”查询附近充电桩的空闲情况。",
        ],
        FORUM: [
            "小区门口的路修了半年还没修好，早晚高峰堵得走不动。",
            "街道办回复说，工程因管线迁改延期，预计四月底完工。",
        ],
        PTT: ["台積電今日宣布，將在日本熊本設立第二座晶圓廠，預計2027年量產。"],
        WIRE: [
            "北京2024年3月5日 /美通社/ -- 某某科技有限公司今日宣布推出新一代储能产品。",
            "该产品能量密度较上一代提升20%，将于二季度上市。",
        ],
    }
    for page, story in expected.items():
        doc = run(page)
        assert doc.clean_text.splitlines() == story, [e.before for e in doc.events]


def test_ticker_strip_goes_ticker_sentence_stays() -> None:
    doc = run("恒指 16,512.92 -0.68% 國企指數 5,621.33 -0.9%\n恒指收報16,512點，跌0.68%，成交額1,023億元。")
    assert doc.clean_text == "恒指收報16,512點，跌0.68%，成交額1,023億元。"
    assert [e.rule for e in doc.events] == ["ticker-line"]


_ARTICLE_CHARS = st.sampled_from(
    list(
        "的一是在了不和有大这主中人上为们地个用工时要动国产以我到他会作来分生对于学下级就年阶义发成部民可出能方进同行面说种过命度革而多子后自社加小机也经力线本电高量长党得实家定深法表着水理化争现所二起政三好十战无农使性前等反体合斗路图把结第里正新开论之物从当两些还天资事队批如应形想制心样干都向变关点育重其思与间内去因件日利相由压员气业代全组数果期导平各基或月毛然问比展那它最及外没看治提五解系林者米群头意只明四道马认次文通但条较克又公孔领军流入接席位情运器并飞原油放立题质指建区验活众很教决特此常石强极土少已根共直团统式转别造切九你取西持总料连任志观调七么山程百报更见必真保热委手改管处己将修支识病象几先老光专什六型具示复安带每东增则完风回南广劳轮科北打积车计给节做务被整联步类集号列温装即毫知轴研单色坚据速防史拉世设达尔场织历花受求传口断况采精金界品判参层止边清至万确究书术状厂须离再目海交权且儿青才证低越际八试规斯近注办布门铁需走议县兵固除般引齿千胜细影济白格效置推空配刀叶率述今选养德话查差半敌始片施响收华觉备名红续均药标记难存测士身紧液派准斤角降维板许破述技消底床田势端感往神便贺村构照容非搞亚磨族火段算适讲按值美态黄易彪服早班麦削信排台声该击素张密害侯草何树肥继右属市严径螺检左页抗苏显苦英快称坏移约巴材省黑武培著河帝仅针怎植京助升王眼她抓含苗副杂普谈围食射源例致酸旧却充足短划剂宣环落首尺波承粉践府鱼随考刻靠够满夫失包住促枝局菌杆周护岩师举曲春元超负砂封换太模贫减阳扬江析亩木言球朝医校古呢稻宋听唯输滑站另卫字鼓刚写刘微略范供阿块某功套友限项余倒卷创律雨让骨远帮初皮播优占死毒圈伟季训控激找叫云互跟裂粮粒母练塞钢顶策双留误础吸阻故寸盾晚丝女散焊功株亲院冷彻弹错散商视艺灭版烈零室轻血倍缺厘泵察绝富城冲喷壤简否柱李望盘磁雄似困巩益洲脱投送奴侧润盖挥距触星松送获兴独官混纪依未突架宽冬章湿偏纹吃执阀矿寨责熟稳夺硬价努翻奇甲预职评读背协损棉侵灰虽矛厚罗泥辟告卵箱掌氧恩爱停曾溶营终纲孟钱待尽俄缩沙退陈讨奋械载胞幼哪剥迫旋征槽倒握担仍呀鲜吧卡粗介钻逐弱脚怕盐末阴丰雾冠丙街莱贝辐肠付吉渗瑞惊顿挤秒悬姆烂森糖圣凹陶词迟蚕亿矩"
    )
) | st.sampled_from(list("，。、；：“”（）《》0123456789 "))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(_ARTICLE_CHARS, min_size=1, max_size=120), min_size=1, max_size=6))
def test_filter_output_is_a_fixed_point(lines: list[str]) -> None:
    first = run("\n".join(lines))
    again = run(first.clean_text)
    assert again.clean_text == first.clean_text
    assert not [e for e in again.events if e.kind != "flag"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(_ARTICLE_CHARS, min_size=1, max_size=80), min_size=1, max_size=8))
def test_every_line_is_kept_or_has_one_drop_event(lines: list[str]) -> None:
    doc = run("\n".join(lines))
    kept = {p.line for p in doc.paragraphs}
    dropped = [e.line for e in doc.events if e.kind == "drop"]
    assert len(dropped) == len(set(dropped))
    assert kept.isdisjoint(dropped)
    assert kept | set(dropped) == {i + 1 for i, line in enumerate(lines) if line.strip()}


def _site_docs(n: int, group: str = "news.example.com") -> list[Document]:
    bodies = [
        "央行宣布下调存款准备金率。",
        "深圳地铁新线今日开通运营。",
        "多地出台稳就业新举措。",
        "夏粮收购工作全面展开。",
    ]
    return [
        Document.from_text(
            f"{i}.txt", f"{bodies[i % 4]}第{i}期报道。\n本站所有稿件均经编辑部审核\n热线电话0755-1234567", group=group
        )
        for i in range(n)
    ]


def test_furniture_learns_site_lines_and_writes_a_profile(tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    stage = Furniture(Config(profile_out=str(profile)))
    docs = _site_docs(8)
    for doc in docs:
        stage.observe(doc)
    out = [stage.process(doc) for doc in docs]
    stage.finish()
    assert [d.clean_text for d in out][:2] == [
        "央行宣布下调存款准备金率。第0期报道。",
        "深圳地铁新线今日开通运营。第1期报道。",
    ]
    assert {e.rule for d in out for e in d.events} == {"site-furniture"}
    data = json.loads(profile.read_text(encoding="utf-8"))
    lines = {x["line"]: x["count"] for x in data["groups"]["news.example.com"]["furniture"]}
    assert lines == {"本站所有稿件均经编辑部审核": 8, "热线电话0755-1234567": 8}

    # A loaded profile is used as is: nothing learned, same result, even for one document.
    loaded = Furniture(Config(profile=str(profile)))
    one = _site_docs(1)[0]
    loaded.observe(one)
    assert loaded.process(one).clean_text == "央行宣布下调存款准备金率。第0期报道。"


def test_furniture_leaves_small_groups_and_other_sites_alone() -> None:
    stage = Furniture(Config())
    docs = _site_docs(4) + _site_docs(6, group="other.example.org")[:1]
    for doc in docs:
        stage.observe(doc)
    assert all("热线电话" in stage.process(d).clean_text for d in docs)


def test_copies_of_one_article_are_not_learned_as_furniture() -> None:
    """Six saved copies of one article and two other pages: the article's lines repeat in
    most documents, but they are one text, not site furniture (copies are dedup's business)."""
    article = "新华社北京3月5日电　十四届全国人大二次会议今天上午开幕。\n国务院总理作政府工作报告。"
    docs = [Document.from_text(f"copy{i}.txt", article) for i in range(6)]
    docs += [Document.from_text(f"other{i}.txt", f"第{i}篇不同的报道正文。") for i in range(2)]
    stage = Furniture(Config())
    for doc in docs:
        stage.observe(doc)
    assert all(stage.process(d).clean_text == article for d in docs[:6])


def test_question_headlines_in_a_related_list_are_dropped() -> None:
    # related titles often end in ？ or ！; the list still ends at the first real paragraph
    doc = run(
        "正文第一段，介绍了事件经过。\n相关阅读\n央行降准0.5个百分点，释放多少流动性？\n"
        "深圳地铁14号线正式开通！\n会议结束后，记者采访了多位代表。大家都很关心下一步怎么走？"
    )
    assert doc.clean_text.splitlines() == [
        "正文第一段，介绍了事件经过。",
        "会议结束后，记者采访了多位代表。大家都很关心下一步怎么走？",
    ]


def test_credits_move_names_to_fields() -> None:
    doc = run("王丽/文 李明/图\n国家统计局今天发布数据，一季度国内生产总值同比增长5.3%。")
    assert doc.clean_text == "国家统计局今天发布数据，一季度国内生产总值同比增长5.3%。"
    assert doc.meta["fields_out"] == {"author": "王丽"}
    doc = run("□本报记者 王丽 通讯员 李明\n國際中心／王小明 報導\n国家统计局今天发布数据。")
    assert doc.meta["fields_out"] == {"author": "王丽"}
    doc = run("文 / 王丽 · 编辑 / 李明\n国家统计局今天发布数据。")
    assert doc.meta["fields_out"] == {"author": "王丽", "editor": "李明"}


def test_english_bylines_and_menus_go_article_stays() -> None:
    lines = ["By Wang Li, Xinhua", "Home | News | Sports | World", "時事 | 港聞 | 國際 | 中國 | 財經", "EN 繁 简"]
    article = "By the end of the year, prices rose by 5 percent."
    assert run("\n".join([*lines, article])).clean_text == article
