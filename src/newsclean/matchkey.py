"""Comparison keys and sketches for finding duplicate paragraphs.

The key is used only for matching; output keeps the original text. It is the paragraph
width-folded (NFKC), converted Traditional→Simplified (OpenCC t2s) and case-folded, with
punctuation and whitespace removed, so copies that differ only in those still match:

>>> match_key("「個人信息」保護， 再迎嚴監管！")
'个人信息保护再迎严监管'
>>> match_key("ＡＰＰ下架 2021年") == match_key("app下架2021年")
True

Numbers must count as differences (template sentences differ only in their figures), and
punctuation removal would merge ``3.5`` and ``35``; the number signature keeps them apart:

>>> number_signature("营收35.99亿元，同比增长13.1%") == number_signature("营收35.99亿元,同比增长13.1%")
True
>>> number_signature("营收3.5亿元") == number_signature("营收35亿元")
False
>>> number_signature("第一季度") == number_signature("第二季度")
False

The sketch is MinHash over character 3-grams of the key, cut into LSH bands: see
:data:`NGRAM`, :data:`BANDS`, :data:`ROWS` for the choice.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from array import array
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz

from newsclean.script import converter

#: Character n-gram size. Chinese words are mostly 1-3 characters: bigrams are shared by
#: any two texts on a topic (我们, 公司), 4+-grams lose too much per edited character (each
#: edit breaks n shingles: with n=3 a ratio-90 copy keeps Jaccard >= ~0.55).
NGRAM = 3
#: LSH bands of ROWS min-hashes each. With r=2, b=10 a pair at Jaccard 0.55 becomes a
#: candidate with p = 1-(1-0.55**2)**10 = 0.96, at 0.7 with p > 0.999; an unrelated pair
#: of the same topic (Jaccard 0.1) with p = 0.1. Candidates are verified, so false ones
#: only cost a lookup; 10 bands keep the stored index small.
BANDS = 10
ROWS = 2
#: sketch version, stored in persistent indexes: change it when the hashing changes
SKETCH_VERSION = f"minhash-{NGRAM}gram-{BANDS}x{ROWS}-numbers-v2"

#: characters of a key that its sketch is taken over
SKETCH_CHARS = 2000
#: characters sketched at once (the minhash matrix is BANDS*ROWS*8 bytes per character)
BATCH_CHARS = 16_000

_NON_WORD = re.compile(r"[\W_]+")
# one character at a time is ~3x faster in re than runs ("+") for this class; "_" (a
# word character to re) is removed with str.replace
_NON_WORD_CHAR = re.compile(r"[^\w\n]")
_SPACE = re.compile(r"\s")
# Arabic digits with their decimal/thousands/ratio separators, or runs of Chinese numerals
# (that is "\d+(?:[.,:/]\d+)*|[numerals]+", written to begin with one character class, so
# that re scans for the first character fast; the lookbehinds tell which branch it began)
_NUMBER = re.compile(
    r"[\d〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟]"
    r"(?:(?<=\d)\d*(?:[.,:/]\d+)*|(?<!\d)[〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟]*)"
)

_NUMBER_OR_NEWLINE = re.compile(_NUMBER.pattern + "|\n")
_SPACE_NOT_NEWLINE = re.compile(r"[^\S\n]")


_MASK = (1 << 64) - 1


def _splitmix64(state: int) -> tuple[int, int]:
    state = (state + 0x9E3779B97F4A7C15) & _MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return state, z ^ (z >> 31)


def _constants(count: int, seed: int) -> list[int]:
    # fixed constants, identical on every machine and numpy version (persisted indexes)
    out = []
    for _ in range(count):
        seed, value = _splitmix64(seed)
        out.append(value)
    return out


_PERM_A = np.array([c | 1 for c in _constants(BANDS * ROWS, 1)], dtype=np.uint64)  # odd: a bijection
_PERM_B = np.array(_constants(BANDS * ROWS, 2), dtype=np.uint64)
_GRAM_MULT = np.array(_constants(NGRAM, 3), dtype=np.uint64)
_BAND_MULT = np.array(_constants(ROWS, 4), dtype=np.uint64)
_BAND_SALT = np.array(_constants(BANDS, 5), dtype=np.uint64)


def match_key(text: str) -> str:
    """The comparison key of one paragraph (see the module docstring)."""
    return match_keys([text])[0]


def match_keys(texts: Sequence[str]) -> list[str]:
    """Comparison keys of many paragraphs with one OpenCC call.

    >>> match_keys(["臺灣 新聞", "台湾新闻。"])
    ['台湾新闻', '台湾新闻']
    """
    return keys_and_numbers(texts)[0]


def keys_and_numbers(texts: Sequence[str]) -> tuple[list[str], list[str]]:
    """Comparison keys and number signatures of many paragraphs from one NFKC pass and one
    OpenCC call (the signature is taken from the same folded text as the key).

    >>> keys_and_numbers(["臺灣 新聞2021年", "增长４．６％"])
    (['台湾新闻2021年', '增长46'], ['2021', '4.6'])
    """
    if not texts:
        return [], []
    # newlines cannot occur inside a paragraph, so they safely separate them for one call
    folded = nfkc("\n".join(t.replace("\n", " ") for t in texts))
    simplified = converter("t2s").convert(folded)
    # one regex pass over the whole document (the class leaves the newlines alone)
    keys = _NON_WORD_CHAR.sub("", simplified.casefold()).replace("_", "").split("\n")
    # casefolding touches no digit, numeral or separator, so numbers come from the
    # uncased text; one findall over the document, the newlines marking where each
    # paragraph's numbers end (number tokens hold neither spaces nor newlines)
    found = " ".join(_NUMBER_OR_NEWLINE.findall(_SPACE_NOT_NEWLINE.sub("", simplified)))
    numbers = [part.strip(" ") for part in found.split("\n")]
    return keys, numbers


#: the full-width forms common in Chinese text, and what NFKC makes of them
_COMMON_WIDE = [(chr(0xFF00 + ord(a) - 0x20), a) for a in "%(),:;!?"] + [("\u3000", " ")]


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, fast for Chinese text.

    NFKC normalizes the whole string once one character needs it, and Chinese text nearly
    always holds a full-width comma. Replacing a character by its compatibility
    decomposition first gives the same NFKC (NFKC decomposes it to that anyway), and
    then most texts pass NFKC's quick check untouched.

    >>> nfkc("营收３５亿元，同比增长：１３％") == unicodedata.normalize("NFKC", "营收３５亿元，同比增长：１３％")
    True
    """
    for wide, narrow in _COMMON_WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    if unicodedata.is_normalized("NFKC", text):
        return text
    # a batch of paragraphs with one odd character (a ½, a mojibake line) would be
    # normalized whole: only the lines that need it are (a newline never composes)
    return "\n".join(unicodedata.normalize("NFKC", line) for line in text.split("\n"))


def number_signature(text: str) -> str:
    """The numbers of a paragraph, in order, as one string (equal signatures are required
    for two paragraphs to be duplicates).

    >>> number_signature("2021年一季度末，贷款余额1,019亿元")
    '2021 一 1,019 亿'
    """
    # whitespace is layout even inside a number ("32 8.6亿" is a scraping artefact)
    folded = _SPACE.sub("", converter("t2s").convert(nfkc(text)))
    return " ".join(_NUMBER.findall(folded))


def similarity(key_a: str, key_b: str, threshold: float) -> float:
    """rapidfuzz ratio (0-100) of two keys, or 0.0 when below ``threshold``.

    >>> similarity("国家网信办通报了八十四款应用", "国家网信办通报了八十四款app", 80) > 80
    True
    """
    return fuzz.ratio(key_a, key_b, score_cutoff=threshold)


def band_hashes(keys: Sequence[str]) -> list[list[int]]:
    """LSH band hashes (signed 64-bit ints, SQLite's INTEGER) for each key; keys shorter
    than :data:`NGRAM` get none. Equal keys get equal bands; band ``i`` of one key can only
    equal band ``i`` of another (each band is salted).

    >>> a, b, c = band_hashes(["国家网信办通报八十四款违规应用", "国家网信办通报八十四款违规应用", "央行"])
    >>> a == b and len(a) == BANDS and c == []
    True
    """
    # bounded work and memory: the sketch of a long key is taken over its first
    # SKETCH_CHARS characters (verification still compares whole keys), and the
    # (rows x shingles) matrix is built for batches of at most BATCH_CHARS characters
    keys = [k[:SKETCH_CHARS] for k in keys]
    out: list[list[int]] = []
    batch: list[str] = []
    size = 0
    for key in keys:
        if batch and size + len(key) > BATCH_CHARS:
            out += _band_hashes(batch)
            batch, size = [], 0
        batch.append(key)
        size += len(key)
    return out + _band_hashes(batch)


def _band_hashes(keys: Sequence[str]) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in keys]
    lens = np.array([len(k) for k in keys], dtype=np.int64)
    which = np.flatnonzero(lens >= NGRAM)
    if not len(which):
        return out
    # n-grams of the whole concatenation at once (few numpy calls: they dominate for the
    # short documents that are the norm)
    points = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    grams = (((points[:-2] * _GRAM_MULT[0]) ^ points[1:-1]) * _GRAM_MULT[1] ^ points[2:]) * _GRAM_MULT[2]
    grams ^= grams >> np.uint64(29)
    # the grams running past the end of their key are dropped: a key of n characters
    # keeps its n - 2 grams, contiguous
    ends = np.cumsum(lens)
    crossing = np.concatenate([ends - 1, ends - 2])
    inside = np.ones(len(grams), dtype=bool)
    inside[crossing[(crossing >= 0) & (crossing < len(grams))]] = False
    grams = grams[inside]
    counts = np.maximum(lens - (NGRAM - 1), 0)
    starts = (np.cumsum(counts) - counts)[which]
    # MinHash: one affine map per row as the permutation, minimum per paragraph; a row
    # at a time in one buffer, which stays in the CPU cache (a rows x grams matrix does not)
    minima = np.empty((BANDS * ROWS, len(which)), dtype=np.uint64)
    mapped = np.empty_like(grams)
    for row in range(BANDS * ROWS):
        np.multiply(grams, _PERM_A[row], out=mapped)
        mapped += _PERM_B[row]
        minima[row] = np.minimum.reduceat(mapped, starts)
    minima = minima.reshape(BANDS, ROWS, len(which))
    bands = np.zeros((BANDS, len(which)), dtype=np.uint64)
    for r in range(ROWS):
        bands = (bands ^ minima[:, r, :]) * _BAND_MULT[r]
    bands ^= _BAND_SALT[:, None]
    bands ^= bands >> np.uint64(31)
    signed = bands.view(np.int64).T.tolist()
    for index, row in zip(which.tolist(), signed, strict=True):
        out[index] = row
    return out


#: doc.meta key under which dedup (in a worker) hands crossdedup its per-paragraph work,
#: packed by :func:`pack_sketches`
SKETCH_META = "dedup_sketch"

Sketches = tuple[list[int], list[str], list[str], list[list[int]]]


def pack_sketches(lines: list[int], keys: list[str], numbers: list[str], hashes: list[list[int]]) -> tuple:
    """Lines, keys, number signatures and hashes of a document's paragraphs as a few flat
    strings and byte strings: they cross from a worker to the main process, where
    unpickling thousands of small objects per document would cost more than the lookups.

    >>> packed = pack_sketches([1, 3], ["国家网信办", "央行"], ["", "2"], [[7, -9], []])
    >>> unpack_sketches(packed)
    ([1, 3], ['国家网信办', '央行'], ['', '2'], [[7, -9], []])
    >>> unpack_sketches(pack_sketches([], [], [], []))
    ([], [], [], [])
    """
    flat = array("q", [h for row in hashes for h in row])
    # keys and signatures never hold a newline (keys have no whitespace at all)
    return (
        array("i", lines).tobytes(),
        "\n".join(keys),
        "\n".join(numbers),
        array("i", map(len, hashes)).tobytes(),
        flat.tobytes(),
    )


def unpack_sketches(packed: tuple) -> Sketches:
    """The inverse of :func:`pack_sketches`."""
    lines_b, keys, numbers, counts_b, flat_b = packed
    lines, counts, flat = array("i"), array("i"), array("q")
    lines.frombytes(lines_b)
    counts.frombytes(counts_b)
    flat.frombytes(flat_b)
    values = flat.tolist()
    hashes = []
    at = 0
    for n in counts:
        hashes.append(values[at : at + n])
        at += n
    if not lines:  # "".split("\n") is [""]
        return [], [], [], []
    return lines.tolist(), keys.split("\n"), numbers.split("\n"), hashes


def sketch_hashes(keys: Sequence[str], numbers: Sequence[str], min_chars: int) -> list[list[int]]:
    """What the cross-document index stores and looks up per paragraph: the LSH band
    hashes plus :func:`exact_hash`, for keys of at least ``min_chars`` characters (others
    get none). The bands are salted with the number signature: copies must have the same
    numbers, so template sentences with other figures ("…同比上涨3.2%" / "…同比上涨4.1%")
    are never even candidates.

    >>> a, b, c = sketch_hashes(["国家统计局今天发布数据", "国家统计局今天发布数据", "央行"], ["3.2", "4.1", ""], 5)
    >>> len(a), len(c), set(a) & set(b)
    (11, 0, set())
    """
    long = [i for i, k in enumerate(keys) if len(k) >= min_chars]
    out: list[list[int]] = [[] for _ in keys]
    for i, bands in zip(long, band_hashes([keys[i] for i in long]), strict=True):
        salt = _numbers_salt(numbers[i])
        out[i] = [*(bands if not salt else [b ^ salt for b in bands]), exact_hash(keys[i], numbers[i])]
    return out


def _numbers_salt(numbers: str) -> int:
    """A stable signed 64-bit hash of a number signature; 0 for none."""
    if not numbers:
        return 0
    return int.from_bytes(
        hashlib.blake2b(numbers.encode(), digest_size=8, person=b"numbers").digest(), "little", signed=True
    )


def exact_hash(key: str, numbers: str) -> int:
    """A signed 64-bit hash of key and numbers, to find equal keys directly.

    >>> exact_hash("央行", "") == exact_hash("央行", ""), exact_hash("央行", "1") == exact_hash("央行", "")
    (True, False)
    """
    digest = hashlib.blake2b(f"{key}\x00{numbers}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)
