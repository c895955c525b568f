"""Build ``src/newsclean/data/readings.tsv``: toneless pinyin readings per Han character.

The filter stage uses it to tell converter pinyin annotations (``嚴監(jiān)管``) from real
romanisation (``台北(Taipei)``): an annotation is only removed when its syllable is a reading
of the character right before it. Run offline, once (pypinyin is a build-time tool only)::

    pip install --target /tmp/pypinyin-build pypinyin
    PYTHONPATH=/tmp/pypinyin-build python scripts/build_readings_table.py

Source: pypinyin's ``pinyin_dict`` (MIT), which covers Simplified and Traditional forms.
Only characters in ``hanzi.tsv`` (the frequency table) are kept: rare characters are not
worth the size. Each row is ``char<TAB>reading reading ...`` with tone marks removed and
``ü`` written ``v``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from pypinyin.pinyin_dict import pinyin_dict

DATA = Path(__file__).resolve().parent.parent / "src" / "newsclean" / "data"


def toneless(syllable: str) -> str:
    """``jiān`` -> ``jian``, ``lǜ`` -> ``lv``."""
    syllable = syllable.replace("ü", "v").replace("Ü", "v")
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def main() -> None:
    chars = [line.split("\t", 1)[0] for line in (DATA / "hanzi.tsv").read_text(encoding="utf-8").splitlines()]
    rows = []
    for ch in chars:
        if ch.startswith("#"):
            continue
        readings = pinyin_dict.get(ord(ch))
        if not readings:
            continue
        syllables = sorted({toneless(s) for s in readings.split(",") if s})
        rows.append(f"{ch}\t{' '.join(syllables)}")
    header = "# char\ttoneless readings  (built by scripts/build_readings_table.py from pypinyin)\n"
    (DATA / "readings.tsv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} characters")


if __name__ == "__main__":
    main()
