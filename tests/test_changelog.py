"""``pin --changelog FILE`` keeps docs/CHANGES.md: newest first, once, outside the manifest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli, spec_path
from .test_history import newer_spec

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not spec_path("2.167").is_file(), reason="../shared/specs not present")]


def _setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    pins = tmp_path / "pins"
    shutil.copytree(ROOT / "specs", pins, ignore=shutil.ignore_patterns("supplement.yaml", "__init__.py", ".*"))
    out = tmp_path / "gen"
    assert run_cli("generate", "--pins", pins, "--out", out, "--quiet").returncode == 0
    return pins, out, out / "docs" / "CHANGES.md"


def test_changelog_is_added_once_newest_first_and_survives_plain_runs(tmp_path: Path) -> None:
    pins, out, log = _setup(tmp_path)
    assert run_cli("pin", newer_spec(tmp_path, "2.168"), "--pins", pins, "--changelog", log).returncode == 0
    first = log.read_text()
    assert first.startswith("# Changes to the X API problem catalogue\n")
    assert "## X API problem types: `2.167` -> `2.168`" in first and "`quota-exhausted`" in first
    assert run_cli("generate", "--pins", pins, "--out", out, "--quiet").returncode == 0
    assert log.read_text() == first  # generate never touches it
    assert run_cli("check", "--pins", pins, "--out", out).returncode == 0  # nor does check look at it
    assert run_cli("pin", newer_spec(tmp_path, "2.168"), "--pins", pins, "--changelog", log).stdout.startswith("no change")
    assert log.read_text() == first  # no second entry for no change
    newer = newer_spec(tmp_path, "2.169")
    newer.write_text(newer.read_text().replace("The account's quota is exhausted.", "The quota is used up."))
    assert run_cli("pin", newer, "--pins", pins, "--changelog", log).returncode == 0
    text = log.read_text()
    assert text.index("`2.168` -> `2.169`") < text.index("`2.167` -> `2.168`")  # newest first


def test_a_failed_pin_writes_no_changelog_and_no_pin(tmp_path: Path) -> None:
    pins, _out, log = _setup(tmp_path)
    before = sorted(p.name for p in pins.iterdir())
    result = run_cli("pin", tmp_path / "nope.json", "--pins", pins, "--changelog", log)
    assert result.returncode == 2 and "nope.json: /: no such file" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"openapi": "3.0.0", "info": {"title": "t", "version": "../../x"}, "paths": {}}')
    result = run_cli("pin", bad, "--pins", pins, "--changelog", log)
    assert result.returncode == 2 and "/info/version: info.version must be" in result.stderr
    assert not log.exists() and sorted(p.name for p in pins.iterdir() if p.name != ".xproblems.lock") == before
