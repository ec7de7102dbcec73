"""The warm-path short cut (``fingerprint.is_fresh``) never misses a change.

One cold generation into a temporary directory, from temporary copies of a spec and of the
supplement; each test then works on its own copy of that tree. Whatever changed (a generated
file edited by hand, a template, generator code, the supplement, a problem schema, an older
spec), ``is_fresh`` must say no and ``check`` must exit 1; when nothing changed, ``check``
exits 0 without importing openapi-pydantic, black or jinja2, and ``generate`` writes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import xproblems.fingerprint as fingerprint_module
import xproblems.render as render
from xproblems.cli import main
from xproblems.fingerprint import MANIFEST, fingerprint, is_fresh
from xproblems.request import Request

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT.parent / "shared" / "specs"
SPEC = SPECS / "x-api-v2-2.167.json"
OLDER = SPECS / "x-api-v2-2.159.json"
SUPPLEMENT = ROOT / "specs" / "supplement.yaml"
PACKAGE = "x_problems"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SPEC.is_file() or not OLDER.is_file(), reason="needs ../shared/specs")]


@dataclass
class Tree:
    """Inputs and output of one generation, all inside one temporary directory."""

    root: Path

    @property
    def spec(self) -> Path:
        return self.root / "in" / "spec.json"

    @property
    def older(self) -> Path:
        return self.root / "in" / "older.json"

    @property
    def supplement(self) -> Path:
        return self.root / "in" / "supplement.yaml"

    @property
    def out(self) -> Path:
        return self.root / "out"

    def request(self) -> Request:
        return Request(self.spec, None, (self.older,), self.supplement, self.out, PACKAGE)

    def argv(self, command: str) -> list[str]:
        return [command, "--no-history", "--spec", str(self.spec), "--also", str(self.older), "--supplement", str(self.supplement), "--out", str(self.out)]

    def files(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.out)): p.read_bytes() for p in sorted(self.out.rglob("*")) if p.is_file() and not p.name.startswith(".xproblems")}

    def edit_spec(self, change: Callable[[dict[str, Any]], None], path: Path | None = None) -> None:
        target = path or self.spec
        doc = json.loads(target.read_text(encoding="utf-8"))
        change(doc)
        target.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    tree = Tree(tmp_path_factory.mktemp("warm-base"))
    (tree.root / "in").mkdir()
    # Re-serialized once, so that each edit below changes only what it means to change.
    tree.spec.write_text(json.dumps(json.loads(SPEC.read_text(encoding="utf-8")), indent=2) + "\n", encoding="utf-8")
    tree.older.write_text(json.dumps(json.loads(OLDER.read_text(encoding="utf-8")), indent=2) + "\n", encoding="utf-8")
    shutil.copyfile(SUPPLEMENT, tree.supplement)
    assert main([*tree.argv("generate"), "--quiet"]) == 0
    return tree


@pytest.fixture
def tree(generated: Tree, tmp_path: Path) -> Tree:
    copy = Tree(tmp_path / "tree")
    shutil.copytree(generated.root, copy.root, symlinks=True)
    return copy


def _stale(tree: Tree, capsys: pytest.CaptureFixture[str]) -> str:
    """Assert the short cut misses nothing: not fresh, and ``check`` exits 1; returns its diff."""
    assert not is_fresh(tree.request())
    capsys.readouterr()
    assert main(tree.argv("check")) == 1
    return capsys.readouterr().out


# --- nothing changed ----------------------------------------------------------------------


def test_fresh_after_generate(tree: Tree) -> None:
    assert is_fresh(tree.request())
    assert main(tree.argv("check")) == 0


def test_warm_check_and_generate_import_nothing_heavy(tree: Tree) -> None:
    code = (
        "import json, sys\n"
        "from xproblems.cli import main\n"
        f"codes = [main({tree.argv('check')!r}), main({[*tree.argv('generate'), '--quiet']!r})]\n"
        "heavy = sorted(m for m in ('openapi_pydantic', 'pydantic', 'black', 'jinja2', 'yaml', 'xproblems.render',"
        " 'xproblems.extract', 'xproblems.merge', 'xproblems.write', 'xproblems.diff_cli', 'xproblems.fetch') if m in sys.modules)\n"
        "print(json.dumps([codes, heavy]))\n"
    )
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in tree.out.rglob("*")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    codes, heavy = json.loads(done.stdout)
    assert codes == [0, 0]
    assert heavy == []
    assert {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in tree.out.rglob("*")} == before, "a warm generate wrote"


def test_warm_generate_through_the_entry_point_writes_nothing(tree: Tree) -> None:
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in tree.out.rglob("*")}
    done = subprocess.run([sys.executable, "-m", "xproblems", *tree.argv("generate")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not even the "n file(s) changed" line: the short cut returned first
    assert {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in tree.out.rglob("*")} == before


# --- hand edits of the output -------------------------------------------------------------


@pytest.mark.parametrize("rel", [f"{PACKAGE}/_problems.py", f"{PACKAGE}/__init__.py", f"{PACKAGE}/py.typed", "docs/errors.md"])
def test_hand_edit_is_seen(tree: Tree, capsys: pytest.CaptureFixture[str], rel: str) -> None:
    path = tree.out / rel
    path.write_bytes(path.read_bytes() + b"# edited by hand\n")
    assert rel in _stale(tree, capsys)
    if rel.endswith("_problems.py"):  # once is enough: generate repairs it, and then all is fresh
        assert main([*tree.argv("generate"), "--quiet"]) == 0
        assert is_fresh(tree.request())


def test_same_size_edit_is_seen(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    path = tree.out / PACKAGE / "_enums.py"
    data = bytearray(path.read_bytes())
    data[-2] = ord("x") if data[-2] != ord("x") else ord("y")
    stat = path.stat()
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime: only the hash tells
    _stale(tree, capsys)


def test_deleted_file_is_seen(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    (tree.out / PACKAGE / "_errors.py").unlink()
    _stale(tree, capsys)


def test_file_replaced_by_symlink_is_seen(tree: Tree) -> None:
    path = tree.out / PACKAGE / "_errors.py"
    copy = tree.root / "elsewhere.py"
    shutil.move(path, copy)
    path.symlink_to(copy)
    assert not is_fresh(tree.request())


def test_edited_or_missing_manifest_is_seen(tree: Tree) -> None:
    manifest = tree.out / PACKAGE / MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["inputs"]["spec_sha256"] = "0" * 64
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert not is_fresh(tree.request())
    manifest.write_text("not json", encoding="utf-8")
    assert not is_fresh(tree.request())
    manifest.unlink()
    assert not is_fresh(tree.request())


# --- changed templates and generator code -------------------------------------------------


@pytest.fixture
def code_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of generator/ (runtime included) and templates/ read instead of the repo's."""
    root = tmp_path / "code"
    shutil.copytree(ROOT / "generator", root / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "templates", root / "templates")
    monkeypatch.setattr(fingerprint_module, "code_dir", lambda: root / "generator")
    monkeypatch.setattr(fingerprint_module, "templates_dir", lambda: root / "templates")
    monkeypatch.setattr(fingerprint_module, "runtime_dir", lambda: root / "generator" / "runtime")
    monkeypatch.setattr(render, "templates_dir", lambda: root / "templates")
    monkeypatch.setattr(render, "SOURCES", _RuntimeCopy(root / "generator" / "runtime"))
    return root


class _RuntimeCopy(dict[str, str]):
    """``runtime_source.SOURCES`` read from a copy of the runtime at each access."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory

    def items(self) -> Any:
        return {p.stem: p.read_text(encoding="utf-8") for p in sorted(self.directory.glob("_*.py"))}.items()


def test_code_copy_alone_changes_nothing(tree: Tree, code_copy: Path) -> None:
    assert is_fresh(tree.request())


@pytest.mark.parametrize("template", sorted(p.name for p in (ROOT / "templates").glob("*.j2")))
def test_changed_template_changes_the_fingerprint(tree: Tree, code_copy: Path, template: str) -> None:
    old = fingerprint(tree.request())
    path = code_copy / "templates" / template
    path.write_bytes(path.read_bytes() + b"\n")
    assert fingerprint(tree.request())["code_sha256"] != old["code_sha256"]
    assert not is_fresh(tree.request())


def test_new_template_changes_the_fingerprint(tree: Tree, code_copy: Path) -> None:
    (code_copy / "templates" / "extra.md.j2").write_text("new\n", encoding="utf-8")
    assert not is_fresh(tree.request())


def test_changed_template_fails_check(tree: Tree, code_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = code_copy / "templates" / "_enums.py.j2"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n# a template change\n", encoding="utf-8")
    diff = _stale(tree, capsys)
    assert "+# a template change" in diff


@pytest.mark.parametrize("module", ["render.py", "merge.py", "extract.py", "names.py", "runtime/_base.py", "runtime/_runtime.py"])
def test_changed_generator_code_changes_the_fingerprint(tree: Tree, code_copy: Path, module: str) -> None:
    path = code_copy / "generator" / module
    path.write_bytes(path.read_bytes() + b"\n# changed\n")
    assert not is_fresh(tree.request())


def test_changed_runtime_source_fails_check(tree: Tree, code_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = code_copy / "generator" / "runtime" / "_base.py"
    path.write_text(path.read_text(encoding="utf-8").replace("_MAX_TEXT = ", "_MAX_TEXT = 40 or "), encoding="utf-8")
    diff = _stale(tree, capsys)
    assert "+_MAX_TEXT = 40 or " in diff


def test_black_version_is_in_the_fingerprint(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fingerprint_module, "BLACK_VERSION", "0.0.0")
    assert not is_fresh(tree.request())


def test_package_name_is_in_the_fingerprint(tree: Tree) -> None:
    assert not is_fresh(tree.request()._replace(package="other_name"))


# --- changed inputs -----------------------------------------------------------------------


def test_changed_supplement_is_seen(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    text = tree.supplement.read_text(encoding="utf-8")
    assert "The request was successful!" in text
    tree.supplement.write_text(text.replace('description: "The request was successful!"', 'description: "The request succeeded (edited)."', 1), encoding="utf-8")
    _stale(tree, capsys)


def test_comment_only_supplement_change_is_seen(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree.supplement.write_text(tree.supplement.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    diff = _stale(tree, capsys)
    assert f"{PACKAGE}/_manifest.json" in diff  # the supplement's digest is recorded


def _describe(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["ResourceNotFoundProblem"]["properties"]["parameter"]["description"] = "Which parameter named it."


def test_changed_problem_schema_is_seen(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree.edit_spec(_describe)
    diff = _stale(tree, capsys)
    assert "Which parameter named it." in diff


def test_changed_problem_in_an_older_spec_is_seen(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree.edit_spec(lambda doc: doc["info"].update(description="edited"), tree.older)
    _stale(tree, capsys)


def test_unrelated_path_change_rewrites_only_the_manifest(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree.files()

    def touch_a_path(doc: dict[str, Any]) -> None:
        path = sorted(doc["paths"])[0]
        for op in doc["paths"][path].values():
            if isinstance(op, dict):
                op["summary"] = "An edited summary of an unrelated endpoint"

    tree.edit_spec(touch_a_path)
    diff = _stale(tree, capsys)
    assert diff.count("+++ b/") == 1 and f"+++ b/{PACKAGE}/_manifest.json" in diff
    assert main([*tree.argv("generate"), "--quiet"]) == 0
    after = tree.files()
    changed = sorted(rel for rel in before.keys() | after.keys() if before.get(rel) != after.get(rel))
    assert changed == [f"{PACKAGE}/_manifest.json"]
    assert is_fresh(tree.request())
    assert main(tree.argv("check")) == 0


@pytest.fixture(autouse=True)
def _no_stage_leftovers(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    tree = request.node.funcargs.get("tree")
    if isinstance(tree, Tree) and tree.out.is_dir():
        assert not [p for p in tree.out.iterdir() if p.name.startswith(".xproblems-stage-")]
