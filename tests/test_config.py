"""``[tool.xproblems]`` in the user's pyproject.toml (issue 15, item 1): a project that
vendors the package runs a bare ``xproblems generate`` / ``check``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "x-api-v2-2.159.json"


def _project(tmp_path: Path, table: str) -> Path:
    project = tmp_path / "project"
    (project / "src" / "app").mkdir(parents=True)
    (project / "pyproject.toml").write_text(f'[project]\nname = "app"\n\n[tool.xproblems]\n{table}\n\n[tool.other]\nx = 1\n', encoding="utf-8")
    return project


def _xp(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xproblems", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.slow
def test_a_bare_generate_and_check_follow_the_table_from_a_subdirectory(tmp_path: Path) -> None:
    project = _project(tmp_path, f'out = "src/app/vendor"\npackage = "x_errors"\nspec = "{SPEC}"\nno-history = true')
    done = _xp(project / "src" / "app", "generate", "--quiet")
    assert done.returncode == 0, done.stderr
    assert (project / "src" / "app" / "vendor" / "x_errors" / "_errors.py").is_file()
    assert _xp(project / "src", "check").returncode == 0
    (project / "src" / "app" / "vendor" / "x_errors" / "_errors.py").write_text("# edited\n", encoding="utf-8")
    assert _xp(project, "check").returncode == 1


def test_the_command_line_wins_over_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xproblems.cli import main

    project = _project(tmp_path, f'out = "vendor"\npackage = "x_errors"\nspec = "{SPEC}"\nno-history = true')
    monkeypatch.chdir(project)
    assert main(["generate", "--quiet", "--package", "other_name"]) == 0
    assert (project / "vendor" / "other_name" / "_errors.py").is_file()
    assert not (project / "vendor" / "x_errors").exists()


@pytest.mark.parametrize(
    ("table", "pointer", "line", "message"),
    [
        ('out = "vendor"\nouput = "typo"', "/tool/xproblems/ouput", 6, "unknown key 'ouput'"),
        ("out = 5", "/tool/xproblems/out", 5, "must be a path"),
        ('also = "one.json"', "/tool/xproblems/also", 5, "must be a list of paths"),
        ('no-history = "yes"', "/tool/xproblems/no-history", 5, "must be true or false"),
    ],
)
def test_a_bad_table_is_one_line_per_problem_with_file_line_and_pointer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], table: str, pointer: str, line: int, message: str) -> None:
    from xproblems.cli import main

    project = _project(tmp_path, table)
    monkeypatch.chdir(project)
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {project / 'pyproject.toml'}:{line}:1: {pointer}: {message}" + err.split(message, 1)[1]
    assert len(err.splitlines()) == 1
    assert not (project / "generated").exists()


def test_a_pyproject_without_the_table_is_not_ours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xproblems.config import find

    (tmp_path / "pyproject.toml").write_text('[tool.xproblems]\nout = "x"\n', encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "inner"\n', encoding="utf-8")
    assert find(inner) == tmp_path / "pyproject.toml"
    assert find(ROOT) is None  # xproblems' own pyproject has no [tool.xproblems]
