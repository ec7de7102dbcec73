"""The generator's module structure: no import cycle, and a command line without pipeline logic."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "generator"


def _imports(path: Path) -> dict[str, set[str]]:
    """Generator module -> names it imports from it, counting lazy and type-only imports."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.setdefault(node.module.split(".")[0], set()).update(a.name for a in node.names)
            else:
                for alias in node.names:
                    found.setdefault(alias.name, set())
    return found


def _graph() -> dict[str, set[str]]:
    modules = {p.stem for p in GENERATOR.glob("*.py")}
    return {p.stem: {m for m in _imports(p) if m in modules and m != p.stem} for p in GENERATOR.glob("*.py")}


def test_generator_modules_have_no_import_cycle() -> None:
    """Every import counts, including those inside functions and under TYPE_CHECKING."""
    graph = _graph()
    assert len(graph) > 20
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:  # pragma: no cover - the failure message
        raise AssertionError(f"import cycle: {' <- '.join(exc.args[1])}") from None
    assert set(order) == set(graph)


def test_the_runtime_imports_nothing_from_the_generator() -> None:
    for path in (GENERATOR / "runtime").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.level == 1 and node.module in {"_enums", "_base", "_problems", "_errors", "_runtime", "_uri"}, f"{path.name}: {ast.unparse(node)}"


def test_cli_holds_no_pipeline_logic() -> None:
    """cli parses arguments and maps results to exit codes; the stages are pipeline's."""
    imports = _imports(GENERATOR / "cli.py")
    # config only fills unset options from [tool.xproblems], as argparse fills defaults.
    assert set(imports) <= {"__version__", "model", "cli_shared", "config", "request", "pipeline", "diff_cli", "audit_cli"}, sorted(imports)
    assert imports.get("config", {"apply"}) <= {"apply"}
    assert imports["pipeline"] <= {"generate", "check"}, imports["pipeline"]
    assert imports["request"] <= {"DEFAULT_PACKAGE", "Request", "make_request"}


def _unguarded_digit_tests(tree: ast.AST) -> list[str]:
    """``x.isdigit()`` (or ``isdecimal``/``isnumeric``) not preceded by ``x.isascii() and``."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
            ascii_checked: set[str] = set()
            for value in node.values:
                for sub in ast.walk(value):
                    if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute):
                        if sub.func.attr == "isascii":
                            ascii_checked.add(ast.unparse(sub.func.value))
                        elif ast.unparse(sub.func.value) in ascii_checked:
                            guarded.add(id(sub))
    return [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("isdigit", "isdecimal", "isnumeric") and id(node) not in guarded
    ]


def test_digits_are_ascii_digits_everywhere() -> None:
    """"²".isdigit() is true and int("²") fails; int("٣") is 3. A number read from input text
    must be ASCII digits: pointer.ascii_number, or x.isascii() and x.isdigit() in the runtime."""
    found = {}
    for path in sorted(GENERATOR.rglob("*.py")):
        bad = _unguarded_digit_tests(ast.parse(path.read_text(encoding="utf-8")))
        if bad:
            found[str(path.relative_to(GENERATOR))] = bad
    assert found == {}, found
    assert _unguarded_digit_tests(ast.parse("x.isdigit() and x.isascii()")) == ["x.isdigit()"]
