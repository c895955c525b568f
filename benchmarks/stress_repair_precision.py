"""Clean text made hard for the repair stage: rare characters, ``?``, lone ASCII letters
and other insertions scattered through clean news; every changed line is a false repair.

    /tmp/venv/bin/python benchmarks/stress_repair_precision.py [SEED]

Prints each line the repair changed and the count. The lines are clean by construction
(nothing was misdecoded), so the figure to watch is how many of them change.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from eval_repair import CLEAN_EXTRA, news_lines  # noqa: E402

from newsclean.mojibake import repair_line  # noqa: E402

#: real characters outside everyday news text: names, Cantonese, internet slang
RARE = list("䶮𠮷喆堃昇珺翀淼犇骉蕊燚垚璟玥涞岙邨氹囧槑嘢冇乜嘅咗啲睇瞓攰嬲揾靚")
#: ASCII and mixed tokens of real Chinese text
TOKENS = [
    "B站",
    "A股",
    "K线",
    "?",
    "?",
    "!",
    "iPhone",
    "e人",
    "i人",
    "`",
    "C罗",
    "X光",
    "T恤",
    "Q版",
    "U盘",
    "5G",
    "?2",
    "@某某",
    "#话题#",
    "~",
]


def main(seed: int) -> int:
    rng = random.Random(seed)
    changed = total = 0
    for line in news_lines() + list(CLEAN_EXTRA):
        for _ in range(6):
            chars = list(line)
            for _ in range(rng.randint(1, 4)):
                chars.insert(
                    rng.randrange(len(chars) + 1), rng.choice(RARE) if rng.random() < 0.5 else rng.choice(TOKENS)
                )
            text = "".join(chars)
            total += 1
            out = repair_line(text).text
            if out != text:
                changed += 1
                print(repr(text), "\n ->", repr(out))
    print(f"changed {changed} / {total} clean lines")
    return changed


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
