"""Which decodes Chinese news more correctly: chardet, charset-normalizer, or our cascade?

The fixture set is real-looking news text (Simplified, Traditional, Hong Kong, GB18030-
only characters, Japanese) cut to three lengths and encoded every way scrapers meet,
plus mostly-UTF-8 files with a GBK paragraph and UTF-8 cut mid-character. A decode is
correct when it gives back exactly the original text (a leading BOM ignored).

    PYTHONPATH=src python benchmarks/compare_detectors.py [-v]
"""

from __future__ import annotations

import codecs
import sys
import time
from collections import defaultdict
from collections.abc import Callable

import chardet
import charset_normalizer

from newsclean.stages.decode import DecodeError, decode_bytes

TEXTS = {
    "hans-economy": "国务院新闻办公室今天举行新闻发布会，介绍今年前三季度国民经济运行情况。国家统计局新闻发言人表示，"
    "前三季度国内生产总值同比增长百分之五，经济运行总体平稳、稳中有进，就业形势保持稳定，居民消费价格温和上涨。",
    "hans-local": "深圳地铁13号线北延段今天上午正式开通运营，全长约8.6公里，设车站5座。市民李女士表示：“以前上班要换乘"
    "两次，现在一趟就到了，节省了将近半个小时。”据介绍，开通初期行车间隔为6分钟。",
    "hant-taipei": "臺北市政府今日宣布，自下個月起調整公車票價，市民可使用悠遊卡享有轉乘優惠。交通局長表示，此舉有助於"
    "減少碳排放，並鼓勵民眾多加利用大眾運輸工具，預計每日可服務約三萬人次。",
    "hant-hk": "香港特區政府今日公佈，㗎啲新措施會喺下個月實施，市民可以透過網上平台申請。發言人表示，當局會密切留意"
    "情況，並適時作出調整，以確保服務質素。",
    "gb18030-only": "今年的吉祥物名叫𠮷祥，䶮字也出现在报道中，其中𡃁和㐀属于扩展区汉字，需要四字节编码才能保存。",
    "japanese": "東京都は本日、新型コロナウイルスの感染者数が減少傾向にあると発表しました。専門家は引き続き注意を"
    "呼びかけています。",
}
LENGTHS = {"tiny": 6, "short": 16, "medium": 60, "full": 10_000}
ENCODINGS = {
    "gbk": lambda t: t.encode("gbk"),
    "gb18030": lambda t: t.encode("gb18030"),
    "big5": lambda t: t.encode("big5"),
    "big5hkscs": lambda t: t.encode("big5hkscs"),
    "shift_jis": lambda t: t.encode("shift_jis"),
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8-bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "utf-16-le-bom": lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
    "utf-16-be-bom": lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    "utf-16-le": lambda t: t.encode("utf-16-le"),
    "utf-16-be": lambda t: t.encode("utf-16-be"),
}


def fixtures() -> list[tuple[str, bytes, str]]:
    out = []
    for text_name, text in TEXTS.items():
        for length_name, n in LENGTHS.items():
            t = text[:n]
            for enc_name, encode in ENCODINGS.items():
                try:
                    out.append((f"{text_name}/{length_name}/{enc_name}", encode(t), t))
                except UnicodeEncodeError:
                    pass  # that text cannot be written in that encoding
    hans, hant = TEXTS["hans-economy"], TEXTS["hant-taipei"]
    gbk_line = "中国人民银行决定下调金融机构存款准备金率0.5个百分点。"
    mixed = f"{hans}\n{gbk_line}\n{hant}"
    out.append(("mixed/utf8+gbk-line", f"{hans}\n".encode() + f"{gbk_line}\n".encode("gbk") + hant.encode(), mixed))
    return out


def by_chardet(data: bytes) -> str | None:
    enc = chardet.detect(data).get("encoding")
    return data.decode(enc) if enc else None


def by_charset_normalizer(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data).best()
    return str(best) if best is not None else None


def by_cascade(data: bytes) -> str | None:
    return decode_bytes(data).text


DETECTORS: dict[str, Callable[[bytes], str | None]] = {
    "chardet": by_chardet,
    "charset-normalizer": by_charset_normalizer,
    "newsclean cascade": by_cascade,
}


def main() -> int:
    verbose = "-v" in sys.argv
    cases = fixtures()
    print(f"{len(cases)} fixtures")
    wrong: dict[str, list[str]] = defaultdict(list)
    for name, detect in DETECTORS.items():
        correct = 0
        start = time.perf_counter()
        for case, data, text in cases:
            try:
                got = detect(data)
            except (UnicodeDecodeError, LookupError, DecodeError):
                got = None
            if got is not None and got.removeprefix("\ufeff") == text:
                correct += 1
            else:
                wrong[name].append(case)
        seconds = time.perf_counter() - start
        print(f"{name:<20} {correct:3d}/{len(cases)} correct ({100 * correct / len(cases):.1f}%)  {seconds:.2f} s")
    for name, cases_wrong in wrong.items():
        if verbose:
            print(f"\n{name} wrong on: {', '.join(cases_wrong)}")
        else:
            groups = defaultdict(int)
            for c in cases_wrong:
                groups[c.split("/")[-1]] += 1
            print(f"{name} wrong by encoding: {dict(sorted(groups.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
