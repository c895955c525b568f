"""Build ``src/newsclean/data/hanzi.tsv``: character frequencies for the plausibility model.

Run offline, once, when the table should be refreshed (needs ``pip install wordfreq``)::

    python scripts/build_hanzi_table.py

Source: wordfreq's "best" Chinese word list (Apache-2.0 code, CC-BY-SA 4.0 data, built from
Wikipedia, subtitles, news and web text).  A character's frequency is the summed frequency of
the words it occurs in.  Traditional forms get the frequency of their Simplified form (via
OpenCC ``s2t``/``s2tw``/``s2hk``), so the model scores both scripts alike.  Each row is
``char<TAB>log10(frequency)``, most frequent first.
"""

from __future__ import annotations

import collections
import math
from pathlib import Path

import opencc
import wordfreq

OUT = Path(__file__).resolve().parent.parent / "src" / "newsclean" / "data" / "hanzi.tsv"
#: Characters rarer than this are left out: they add size and no discrimination.
MIN_FREQ = 1e-8


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def main() -> None:
    counts: collections.Counter[str] = collections.Counter()
    for word, freq in wordfreq.get_frequency_dict("zh", wordlist="best").items():
        for ch in word:
            if is_han(ch):
                counts[ch] += freq
    total = sum(counts.values())
    table: dict[str, float] = {ch: f / total for ch, f in counts.items()}
    converters = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk")]
    for ch, f in list(table.items()):
        for cc in converters:
            for t in cc.convert(ch):
                if is_han(t) and table.get(t, 0.0) < f:
                    table[t] = f
    rows = sorted(((f, ch) for ch, f in table.items() if f >= MIN_FREQ), reverse=True)
    with OUT.open("w", encoding="utf-8") as out:
        out.write("# char\tlog10_freq  (built by scripts/build_hanzi_table.py from wordfreq zh)\n")
        for f, ch in rows:
            out.write(f"{ch}\t{math.log10(f):.3f}\n")
    print(f"wrote {len(rows)} characters to {OUT}")


if __name__ == "__main__":
    main()
