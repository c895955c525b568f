"""What newsclean computes at every start, kept on disk like ``__pycache__``: the rule
pack's compiled regex programs and Traditional-to-Simplified fold table, and the tables
the repair and script detection build from the package data and the codecs.

The rule pack compiles to a few combined regexes of hundreds of branches. ``re`` compiles
in Python, and each Han character class (``[一-鿿]``) costs it a loop over 21,000 code
points: the pack took most of a second to compile, at every start of every run and of
every test process. The compiled program is a list of integers that depends only on the
pattern, the flags and the Python version, so it is stored once and handed straight to the
C engine afterwards (which validates it, as it does any program ``re`` gives it).

The fold table (built with four OpenCC converters, a quarter of a second) is keyed by the
characters the rules use and the OpenCC version.

Anything unusual (no cache directory, an unwritable one, a damaged or foreign file, a
Python whose ``re`` internals differ) falls back to computing afresh: the cache can only
make a start faster, never change a result.

>>> compile_cached(r"[一-鿿]{2,4}(?:社|报)").fullmatch("新华社") is not None
True
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
import tempfile
import time
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

try:  # Python 3.11+: re._compiler; 3.10: sre_compile (same functions)
    from re import _compiler as _sre_compiler  # type: ignore[attr-defined]
    from re import _parser as _sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_compile as _sre_compiler  # type: ignore[no-redef]
    import sre_parse as _sre_parser  # type: ignore[no-redef]

import _sre

#: patterns shorter than this compile faster than a file can be read
MIN_CACHED_CHARS = 2000
_FORMAT = 1
#: a class range reaching past Latin-1, e.g. ``一-鿿``
_WIDE_RANGE = re.compile("-[^\x00-\xff]")
#: cache files kept per kind, the most recently used (a run uses a dozen regexes; several
#: rule sets and checkouts may be in use at once: the cache must not evict what they use)
KEEP_PER_KIND = 64
#: a file used less than this long ago is not marked again (one write saved per load)
TOUCH_AFTER_S = 3600.0
T = TypeVar("T")


def cache_dir() -> Path | None:
    """``$NEWSCLEAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/newsclean``, else ``~/.cache/newsclean``;
    ``NEWSCLEAN_CACHE_DIR=""`` turns the cache off."""
    explicit = os.environ.get("NEWSCLEAN_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "newsclean"


def _key(*parts: object) -> str:
    text = "|".join(map(str, (_FORMAT, sys.version, *parts)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def cached_value(kind: str, key: tuple[object, ...], build: Callable[[], T]) -> T:
    """``build()``, or what it returned last time for the same ``kind`` and ``key``: the
    value must be made of what :mod:`marshal` stores (ints, strings, lists, dicts ...),
    and ``key`` must hold everything the value depends on."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{kind}-{_key(kind, *key)}.marshal"
    try:
        with path.open("rb") as fh:
            stored_key, value = marshal.load(fh)
            used = os.fstat(fh.fileno()).st_mtime
        if stored_key == repr(key):
            if time.time() - used > TOUCH_AFTER_S:
                _touch(path)  # pruning keeps the most recently used
            return value
    except Exception:  # noqa: BLE001 - missing, damaged or foreign: build afresh
        pass
    value = build()
    _store(path, (repr(key), value))
    return value


def cached_data(kind: str, resource: str, build: Callable[[str], T]) -> T:
    """``build(text)`` of the package data file ``resource`` (in ``newsclean/data``), or
    what it returned last time for the same file: keyed, like ``__pycache__``, by the
    file's size and modification time, so an edited file is read afresh. When ``build``
    changes what it returns, change ``kind``."""
    from importlib import resources

    ref = resources.files("newsclean.data").joinpath(resource)
    try:
        info = os.stat(str(ref))
        key: tuple[object, ...] = (str(ref), info.st_size, info.st_mtime_ns)
    except OSError:  # not a plain file (a zipped package): no cache
        return build(ref.read_text(encoding="utf-8"))
    return cached_value(kind, key, lambda: build(ref.read_text(encoding="utf-8")))


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:  # a read-only cache is still a cache
        pass


def _program(pattern: str, flags: int) -> tuple[Any, ...]:
    """What ``re`` hands ``_sre.compile`` for ``pattern`` (see ``re._compiler.compile``)."""
    parsed = _sre_parser.parse(pattern, flags)
    code = _sre_compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    # one byte string: the opcodes are int subclasses, which marshal does not store, and
    # a list of a hundred thousand ints loads slower than an array
    program = array("I", [int(op) for op in code]).tobytes()
    return (int(flags | parsed.state.flags), program, parsed.state.groups - 1, groupindex, tuple(indexgroup))


def compile_cached(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, from the on-disk cache when the pattern is large or
    holds a character range (``re`` compiles a range of Han characters point by point)."""
    if len(pattern) < MIN_CACHED_CHARS and not _WIDE_RANGE.search(pattern):
        return re.compile(pattern, flags)
    key = (pattern, int(flags), _sre.MAGIC, _sre.CODESIZE)
    try:
        program = cached_value("re", key, lambda: _program(pattern, flags))
        return _sre.compile(pattern, program[0], array("I", program[1]).tolist(), *program[2:])
    except Exception:  # noqa: BLE001 - re internals not as expected: the public way
        return re.compile(pattern, flags)


def compile_all_cached(patterns: list[str], flags: int = 0) -> list[re.Pattern[str]]:
    """``[re.compile(p, flags) for p in patterns]``, the programs kept in one cache file."""
    key = (tuple(patterns), int(flags), _sre.MAGIC, _sre.CODESIZE)
    try:
        programs = cached_value("re-all", key, lambda: [_program(p, flags) for p in patterns])
        return [
            _sre.compile(p, program[0], array("I", program[1]).tolist(), *program[2:])
            for p, program in zip(patterns, programs, strict=True)
        ]
    except Exception:  # noqa: BLE001 - re internals not as expected: the public way
        return [re.compile(p, flags) for p in patterns]


def _prune(folder: Path, kind: str) -> None:
    """Keep the newest :data:`KEEP_PER_KIND` files of a kind: every edit of a rule file
    makes new ones, and the old ones would pile up."""
    mine = re.compile(re.escape(kind) + r"-[0-9a-f]{32}\.marshal")  # "re-…" is not "re-all-…"
    files = [f for f in folder.glob(f"{kind}-*.marshal") if mine.fullmatch(f.name)]
    files.sort(key=lambda f: f.stat().st_mtime, reverse=True)
    for old in files[KEEP_PER_KIND:]:
        old.unlink(missing_ok=True)


def _store(path: Path, value: tuple) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".re-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            marshal.dump(value, fh)
        os.replace(tmp, path)  # atomic: a concurrent run reads the old file or the new one
        _prune(path.parent, path.name.rsplit("-", 1)[0])
    except Exception:  # noqa: BLE001 - a cache that cannot be written is only slower
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass
