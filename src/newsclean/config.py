"""Config: every switch with its default and why, overlaid from files and the command line.

Settings come, lowest priority first, from the defaults below, ``[tool.newsclean]`` in a
``pyproject.toml`` or a ``newsclean.toml`` in the working directory (or ``--config FILE``),
then command-line options.

>>> Config().to
'keep'
>>> Config.from_mapping({"to": "hans", "skip": ["dedup"]}).skip
('dedup',)
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(ValueError):
    """A setting is unknown or has a value of the wrong kind."""


@dataclass(frozen=True)
class Config:
    # -- inputs
    #: file name patterns read from folders (any case)
    globs: tuple[str, ...] = ("*.txt", "*.html", "*.htm", "*.jsonl")
    #: "auto" detects JSONL vs text on stdin; "text", "html" or "jsonl" force it
    input_format: str = "auto"
    #: the JSONL field holding the text
    text_field: str = "text"
    # -- stages
    #: stages turned off by name
    skip: tuple[str, ...] = ()
    #: conversion target: keep, hans, hant, tw, hk, or an OpenCC config name such as s2twp
    to: str = "keep"
    #: drop lines whose damage repair could not undo (default: keep them, flagged)
    drop_damaged: bool = False
    #: extra rule files (TOML) for the filter stage
    rules: tuple[str, ...] = ()
    #: rule ids switched off
    disable_rules: tuple[str, ...] = ()
    #: learned-boilerplate profile to load instead of learning one
    profile: str | None = None
    #: where to write the learned-boilerplate profile
    profile_out: str | None = None
    #: similarity (0-100, rapidfuzz ratio on the comparison key) above which two
    #: paragraphs are near-duplicates
    dedup_threshold: float = 90.0
    #: paragraphs shorter than this (comparison-key characters) are not deduplicated
    #: across documents: short lines ("图片来源：新华社") are legitimately common
    dedup_min_chars: int = 20
    #: SQLite file keeping the cross-document dedup index between runs
    index: str | None = None
    #: without --index, keep the cross-document index in memory for the whole run (about
    #: 370 bytes per paragraph at peak) instead of moving it into a private SQLite file
    #: after MEMORY_PARAGRAPHS paragraphs (memory bounded by its page cache)
    index_in_memory: bool = False
    # -- limits and running
    #: worker processes for per-document stages (0 = number of cores)
    jobs: int = 0
    #: documents per batch sent to a worker
    batch_size: int = 64
    #: inputs larger than this are rejected with a reason instead of read whole
    max_file_bytes: int = 256 * 1024 * 1024
    #: HTML pages over this many characters or tags skip the parser for a linear tag strip
    #: (BeautifulSoup took 39 s and 1.3 GB on a 12 MB page of 600k tags)
    max_html_chars: int = 4_000_000
    max_html_tags: int = 50_000
    # -- check (the data-quality gate; see docs/check.md)
    #: rule codes or prefixes reported (empty = all), e.g. ["NC1", "NC501"]
    select: tuple[str, ...] = ()
    #: rule codes or prefixes not reported
    ignore: tuple[str, ...] = ()
    #: lowest severity that fails the check: error, warning or info
    fail_on: str = "warning"
    #: duplicate findings (NC5xx) fail only when the share of documents with one is above this
    max_dup_ratio: float | None = None
    #: spam/boilerplate findings (NC3xx) fail only when the share of documents with one is above this
    max_boilerplate_ratio: float | None = None
    #: baseline file: findings recorded in it do not fail the check
    baseline: str | None = None

    @classmethod
    def from_mapping(cls, data: dict[str, Any], base: Config | None = None) -> Config:
        """A config with ``data`` (keys as in the file, ``-`` or ``_``) laid over ``base``."""
        base = base or cls()
        known = {f.name: f for f in dataclasses.fields(cls)}
        changes: dict[str, Any] = {}
        for key, value in data.items():
            name = key.replace("-", "_")
            if name not in known:
                raise ConfigError(f"unknown setting {key!r}; known: {', '.join(sorted(known))}")
            default = getattr(base, name)
            if isinstance(default, tuple):
                if isinstance(value, str):
                    value = (value,)
                value = tuple(value)
            elif isinstance(default, bool) and not isinstance(value, bool):
                raise ConfigError(f"setting {key!r} takes true or false, not {value!r}")
            elif isinstance(default, (int, float)) and not isinstance(default, bool):
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    raise ConfigError(f"setting {key!r} takes a number, not {value!r}")
            changes[name] = value
        return dataclasses.replace(base, **changes)

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}


def load_config_file(path: str | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """Settings from ``path``, else ``newsclean.toml``, else ``[tool.newsclean]`` in
    ``pyproject.toml`` in ``cwd``; an empty mapping when there is none."""
    cwd = cwd or Path.cwd()
    try:
        if path:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            return data.get("tool", {}).get("newsclean", data) if "tool" in data else data
        own = cwd / "newsclean.toml"
        if own.is_file():
            return tomllib.loads(own.read_text(encoding="utf-8"))
        pyproject = cwd / "pyproject.toml"
        if pyproject.is_file():
            return tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("newsclean", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config {path or cwd}: {exc}") from exc
    return {}
