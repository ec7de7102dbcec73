"""The pre-commit hook (issue 15, item 2), run the way a user's repository runs it.

``pre-commit try-repo`` installs xproblems from this checkout into pre-commit's own
environment and runs the ``xproblems-check`` hook in a scratch repository that vendors the
package (settings in its ``[tool.xproblems]``): it passes while the package is fresh and
fails once a generated file is edited by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "x-api-v2-2.159.json"
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent))

pytestmark = [pytest.mark.slow, pytest.mark.skipif(PRE_COMMIT is None or shutil.which("git") is None, reason="needs pre-commit (dev extra) and git")]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True, capture_output=True)


def test_the_hook_passes_on_a_fresh_package_and_fails_on_a_hand_edit(tmp_path: Path) -> None:
    source = tmp_path / "xproblems"  # try-repo needs a git repository with the hook at HEAD
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".venvs", ".git", "tmp", "*.egg-info", "__pycache__", "benchmarks", "build"))
    _git(source, "init", "-q")
    _git(source, "add", "-A")
    _git(source, "commit", "-qm", "snapshot")
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(f'[tool.xproblems]\nout = "vendor"\nspec = "{SPEC}"\nno-history = true\n', encoding="utf-8")
    assert subprocess.run([sys.executable, "-m", "xproblems", "generate", "--quiet"], cwd=project).returncode == 0
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    command = [str(PRE_COMMIT), "try-repo", str(source), "xproblems-check", "--all-files"]
    fresh = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "xproblems check" in fresh.stdout and "Passed" in fresh.stdout
    (project / "vendor" / "x_problems" / "_errors.py").write_text("# edited by hand\n", encoding="utf-8")
    _git(project, "add", "-A")
    edited = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert edited.returncode == 1, edited.stdout + edited.stderr
    assert "Failed" in edited.stdout and "_errors.py" in edited.stdout
