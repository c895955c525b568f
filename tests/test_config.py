"""Config: defaults, settings files, command-line overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsclean.config import Config, ConfigError, load_config_file


def test_newsclean_toml_is_read(tmp_path: Path) -> None:
    (tmp_path / "newsclean.toml").write_text('to = "hans"\nskip = ["dedup"]\n', encoding="utf-8")
    config = Config.from_mapping(load_config_file(cwd=tmp_path))
    assert config.to == "hans" and config.skip == ("dedup",)


def test_pyproject_tool_table_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\n[tool.newsclean]\njobs = 1\n', encoding="utf-8")
    assert Config.from_mapping(load_config_file(cwd=tmp_path)).jobs == 1


def test_command_line_wins_over_file(tmp_path: Path) -> None:
    (tmp_path / "newsclean.toml").write_text('to = "hans"\n', encoding="utf-8")
    base = Config.from_mapping(load_config_file(cwd=tmp_path))
    assert Config.from_mapping({"to": "tw"}, base=base).to == "tw"


def test_unknown_setting_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting 'tooo'"):
        Config.from_mapping({"tooo": "hans"})


def test_wrong_type_is_named() -> None:
    with pytest.raises(ConfigError, match="takes a number"):
        Config.from_mapping({"jobs": "two"})


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "newsclean.toml").write_text("to = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config_file(cwd=tmp_path)
