"""Build ``src/newsclean/data/bigram.tsv``: character-pair frequencies inside words.

Run offline, once, when the table should be refreshed (needs ``pip install wordfreq``)::

    python scripts/build_bigram_table.py

The repair stage guesses characters whose bytes were lost (``統計?`` -> ``統計局``); a pair
table says which neighbours belong together. Source: wordfreq's "best" Chinese word list,
as for ``hanzi.tsv``: a pair's frequency is the summed frequency of the words it occurs in;
each word is also added in its Traditional forms (OpenCC ``s2t``/``s2tw``/``s2hk``). Each
row is ``pair<TAB>log10(frequency)``.
"""

from __future__ import annotations

import collections
import math
from pathlib import Path

import opencc
import wordfreq

OUT = Path(__file__).resolve().parent.parent / "src" / "newsclean" / "data" / "bigram.tsv"
#: rarer pairs are left out: they add size and little evidence
MIN_FREQ = 1e-7


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def main() -> None:
    counts: collections.Counter[str] = collections.Counter()
    converters = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk")]
    for word, freq in wordfreq.get_frequency_dict("zh", wordlist="best").items():
        if len(word) < 2 or freq < MIN_FREQ:
            continue
        forms = {word} | {cc.convert(word) for cc in converters}
        for form in forms:
            for a, b in zip(form, form[1:], strict=False):
                if is_han(a) and is_han(b):
                    counts[a + b] += freq
    total = sum(counts.values())
    rows = sorted(((f / total, pair) for pair, f in counts.items() if f / total >= MIN_FREQ), reverse=True)
    with OUT.open("w", encoding="utf-8") as out:
        out.write("# pair\tlog10_freq  (built by scripts/build_bigram_table.py from wordfreq zh)\n")
        for f, pair in rows:
            out.write(f"{pair}\t{math.log10(f):.2f}\n")
    print(f"wrote {len(rows)} pairs to {OUT}")


if __name__ == "__main__":
    main()
