"""End to end: the CLI in a subprocess, the output imported in a fresh interpreter."""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, VERSIONS, run_cli, run_python, spec_path

# Subprocess generations of whole specs: the full suite runs them, `make test-fast` leaves them out.
pytestmark = pytest.mark.slow


def _package(version: str) -> str:
    return "x_problems_" + version.replace(".", "_")


@pytest.fixture(scope="module")
def generated_all(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each of X's four specs generated into one tree, as packages x_problems_2_134..."""
    out = tmp_path_factory.mktemp("gen")
    for version in VERSIONS:
        result = run_cli("generate", "--spec", spec_path(version), "--out", out, "--package", _package(version), "--quiet")
        assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("version", VERSIONS)
def test_every_mapping_uri_has_a_class_and_a_member(generated_all: Path, version: str) -> None:
    mapping = json.loads(spec_path(version).read_text())["components"]["schemas"]["Problem"]["discriminator"]["mapping"]
    code = f"""
import json, sys
import {_package(version)} as xp
mapping = json.loads(sys.stdin.read()) if False else {json.dumps(mapping)!r}
for uri in json.loads(mapping):
    member = xp.ProblemType(uri)
    problem = xp.parse_problem({{"type": uri, "title": "t"}})
    assert problem.problem_type is member, (uri, problem)
    assert type(problem).__name__ != "UnknownProblem", uri
print(len(json.loads(mapping)))
"""
    result = run_python(code, generated_all)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(mapping))


def test_outputs_pass_mypy_strict_and_ruff(generated_all: Path) -> None:
    packages = [str(generated_all / _package(v)) for v in VERSIONS]
    mypy = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", *packages], capture_output=True, text=True, cwd=generated_all)
    assert mypy.returncode == 0, mypy.stdout
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--target-version", "py39", *packages], capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout


def test_generated_package_imports_only_the_standard_library(generated_all: Path) -> None:
    code = f"""
import sys
before = set(sys.modules)
import {_package("2.167")}
new = {{m.split(".")[0] for m in set(sys.modules) - before}}
third_party = sorted(m for m in new if m not in sys.stdlib_module_names and not m.startswith("x_problems") and m != "_distutils_hack")
print(third_party)
"""
    result = run_python(code, generated_all)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_vendored_under_another_name(generated_all: Path, tmp_path: Path) -> None:
    vendor = tmp_path / "vendor"
    shutil.copytree(generated_all / _package("2.167"), vendor / "some_name")
    result = run_python("import some_name as xp; e = xp.error_from_response(404, b'{}'); print(type(e).__name__)", vendor)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "NotFound"


def test_byte_identical_twice_and_across_hash_seeds(tmp_path: Path) -> None:
    outs = []
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"seed{seed}"
        result = run_cli("generate", "--spec", spec_path("2.167"), "--also", spec_path("2.159"), "--out", out, env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outs.append(out)
    for other in outs[1:]:
        cmp = filecmp.dircmp(outs[0], other)
        assert not cmp.diff_files and not cmp.left_only and not cmp.right_only
        for sub in cmp.subdirs.values():
            assert not sub.diff_files and not sub.left_only and not sub.right_only


def test_no_churn_between_2152_and_2159(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for version, out in (("2.152", a), ("2.159", b)):
        assert run_cli("generate", "--spec", spec_path(version), "--out", out).returncode == 0
    changed = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file() and p.read_bytes() != (b / p.relative_to(a)).read_bytes())
    assert changed == ["x_problems/_manifest.json"]


def test_check_mode_writes_nothing_and_shows_a_diff(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert run_cli("generate", "--spec", spec_path("2.167"), "--out", out).returncode == 0
    assert run_cli("check", "--spec", spec_path("2.167"), "--out", out).returncode == 0
    target = out / "x_problems" / "_errors.py"
    target.write_text(target.read_text().replace("Too Many Requests", "Too Many Requestz"))
    before = target.read_bytes()
    result = run_cli("check", "--spec", spec_path("2.167"), "--out", out)
    assert result.returncode == 1
    assert "-    http_text: ClassVar[str] = \"Too Many Requestz\"" in result.stdout
    assert target.read_bytes() == before
    assert run_cli("generate", "--spec", spec_path("2.167"), "--out", out).returncode == 0
    assert run_cli("check", "--spec", spec_path("2.167"), "--out", out).returncode == 0


def test_manifest_records_inputs_without_paths_or_times(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert run_cli("generate", "--spec", spec_path("2.167"), "--out", out).returncode == 0
    manifest = json.loads((out / "x_problems" / "_manifest.json").read_text())
    assert manifest["spec"]["file"] == "x-api-v2-2.167.json" and manifest["spec"]["version"] == "2.167"
    assert len(manifest["spec"]["problems_sha256"]) == 64
    assert manifest["generated_by"].startswith("xproblems ") and "do not edit" in manifest["generated_by"]
    assert set(manifest["inputs"]) >= {"spec_sha256", "supplement_sha256", "black", "generator", "code_sha256"}
    assert sorted(manifest["files"]) == sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name not in ("_manifest.json", ".xproblems.lock"))
    text = (out / "x_problems" / "_manifest.json").read_text()
    assert str(ROOT) not in text and str(tmp_path) not in text


def test_every_generated_file_starts_with_the_header(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    assert run_cli("generate", "--spec", spec_path("2.167"), "--out", out).returncode == 0
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".json" and path.name != ".xproblems.lock":
            first = path.read_text().splitlines()[0]
            assert "Generated by xproblems" in first and "Do not edit." in first, path


def test_bad_input_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"Problem": {"discriminator": {"propertyName": "kind"}}}}}')
    result = run_cli("generate", "--spec", bad, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"error: {bad}:1:148: /components/schemas/Problem/discriminator/propertyName: discriminator must use 'type', not 'kind'"]
    assert not (tmp_path / "out").exists()


def test_console_script_and_module_agree(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "xproblems"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("xproblems ")
    assert run_cli("--version").stdout == result.stdout
