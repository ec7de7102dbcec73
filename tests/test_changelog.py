"""``generate --changelog OLD`` keeps docs/CHANGES.md: newest first, once, untouched otherwise."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_cli, spec_path


def test_changelog_is_added_once_and_survives_plain_runs(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    args = ("generate", "--spec", spec_path("2.167"), "--out", out, "--quiet")
    assert run_cli(*args, "--changelog", spec_path("2.159")).returncode == 0
    log = out / "docs" / "CHANGES.md"
    first = log.read_text()
    assert "## X API problem types: `2.159` -> `2.167`" in first
    assert "type-removed" in first and "`conflict`" in first
    assert run_cli(*args, "--changelog", spec_path("2.159")).returncode == 0
    assert log.read_text() == first  # same entry is not added twice
    assert run_cli(*args).returncode == 0 and log.read_text() == first
    assert run_cli("check", "--spec", spec_path("2.167"), "--out", out).returncode == 0
    assert run_cli(*args, "--changelog", spec_path("2.134")).returncode == 0
    text = log.read_text()
    assert text.index("`2.134` -> `2.167`") < text.index("`2.159` -> `2.167`")  # newest first


def test_a_warning_about_a_spec_given_twice_is_printed_once(tmp_path: Path) -> None:
    old = spec_path("2.159")  # its Oauth1PermissionsProblem warning
    result = run_cli("generate", "--spec", spec_path("2.167"), "--also", old, "--changelog", old, "--out", tmp_path / "gen", "--quiet")
    assert result.returncode == 0
    assert result.stderr.count("Oauth1PermissionsProblem") == 1, result.stderr


def test_changelog_with_a_missing_old_spec_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    result = run_cli("generate", "--spec", spec_path("2.167"), "--out", out, "--changelog", tmp_path / "nope.json")
    assert result.returncode == 2 and "nope.json: /: no such file" in result.stderr
    assert not out.exists()
