"""The wheel is the product: built, installed into a fresh venv, run from an unrelated directory.

``pip wheel`` builds it the way a user's ``pipx install .`` does; the venv gets the wheel's
dependencies from the package index, and nothing of this checkout is on its path.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_runner_layout import copy_checkout

pytestmark = pytest.mark.slow

GENERATED = ROOT / "generated"


def _run(cmd: list[str | Path], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(Path.home()), "LANG": "C.UTF-8"}
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    source = copy_checkout(tmp_path_factory.mktemp("source"))  # setuptools writes build/ into the tree
    done = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, source], dist, timeout=900)
    assert done.returncode == 0, done.stderr
    (found,) = dist.glob("xproblems-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("venv")
    assert _run([sys.executable, "-m", "venv", home / "v"], home).returncode == 0
    done = _run([home / "v" / "bin" / "pip", "install", "-q", wheel], home, timeout=900)
    assert done.returncode == 0, done.stderr
    return home / "v"


def test_the_wheel_ships_templates_supplement_and_the_pinned_history(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    pinned = {f"xproblems/specs/{p.name}" for p in (ROOT / "specs").glob("*.json")}
    templates = {f"xproblems/templates/{p.name}" for p in (ROOT / "templates").glob("*.j2")}
    assert pinned | templates | {"xproblems/specs/supplement.yaml", "xproblems/cli.py", "xproblems/py.typed", "xproblems/schemas/xproblems-diff-1.schema.json", "xproblems/schemas/xproblems-audit-1.schema.json"} <= names
    assert not [n for n in names if n.startswith("generator/")], "the import package is xproblems, not generator"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".xproblems") and p.name != "CHANGES.md"}


def test_installed_xproblems_generates_the_committed_output_from_anywhere(venv: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _run([venv / "bin" / "xproblems", "generate", "--out", "out"], elsewhere)
    assert done.returncode == 0, done.stderr
    assert _tree(elsewhere / "out") == _tree(GENERATED)
    assert _run([venv / "bin" / "xproblems", "check", "--out", "out"], elsewhere).returncode == 0
    done = _run([venv / "bin" / "python", "-m", "xproblems", "generate", "--out", "vendored", "--package", "my_errors", "--quiet"], elsewhere)
    assert done.returncode == 0, done.stderr
    renamed = {rel.replace("my_errors/", "x_problems/", 1): text for rel, text in _tree(elsewhere / "vendored").items()}
    committed = _tree(GENERATED)
    manifest = "x_problems/_manifest.json"
    assert {k: v for k, v in renamed.items() if k != manifest} == {k: v for k, v in committed.items() if k != manifest}
    assert renamed[manifest].replace(b"my_errors", b"x_problems") == committed[manifest]


def test_installed_xproblems_needs_an_out_and_never_pins_into_itself(venv: Path, tmp_path: Path) -> None:
    done = _run([venv / "bin" / "xproblems", "generate"], tmp_path)
    assert done.returncode == 2 and "--out is required" in done.stderr
    done = _run([venv / "bin" / "xproblems", "pin", ROOT / "specs" / "x-api-v2-2.167.json"], tmp_path)
    assert done.returncode == 2 and "--pins DIR is required" in done.stderr
    assert not list(tmp_path.iterdir())


def test_installed_xproblems_adds_a_newer_spec_on_top_of_the_shipped_history(venv: Path, tmp_path: Path) -> None:
    from .test_history import newer_spec

    if not (ROOT.parent / "shared" / "specs").is_dir():
        pytest.skip("../shared/specs not present")
    spec = newer_spec(tmp_path)
    done = _run([venv / "bin" / "xproblems", "generate", "--spec", spec, "--out", "out", "--quiet"], tmp_path)
    assert done.returncode == 0, done.stderr
    problems = (tmp_path / "out" / "x_problems" / "_problems.py").read_text()
    assert "class QuotaExhaustedProblem(Problem)" in problems and "class ConflictProblem(Problem)" in problems  # new + retired


def test_installed_xproblems_audits_a_har_from_anywhere(venv: Path, tmp_path: Path) -> None:
    """The wheel's dependencies include ijson (HAR is read entry by entry), and the catalogue
    comes from the shipped history: an audit needs nothing of this checkout."""
    import json

    from .test_audit import synthetic_har

    (tmp_path / "session.har").write_text(json.dumps(synthetic_har()), encoding="utf-8")
    done = _run([venv / "bin" / "xproblems", "audit", "session.har", "--format", "json", "--suggest", "observed.yaml"], tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["totals"]["responses"] == 6 and "quantum-flux" in {t["key"] for t in report["types"]}
    assert "quantum-flux" in (tmp_path / "observed.yaml").read_text(encoding="utf-8")
