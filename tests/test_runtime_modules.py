"""The runtime as source: black/ruff/mypy-clean, stdlib-light, copied exactly, exports in sync."""

from __future__ import annotations

import ast
import enum
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xproblems.render import format_python, runtime_files
from xproblems.runtime_source import EXPORTS, GENERATED_NAMES, RESERVED_ATTRS, RESERVED_NAMES, SOURCES

from .runtime_support import GENERATED, REPO, load, package_root

xp = load()

# os: for retry_after's jitter; every interpreter has loaded it before any user code runs.
# time and asyncio: follow_stream's and afollow_stream's default sleep, imported when called
# (test_import_is_light holds asyncio out of the import).
ALLOWED_IMPORTS = {"__future__", "asyncio", "builtins", "collections.abc", "datetime", "enum", "json", "math", "os", "re", "time"}
HEAVY_MODULES = {"email", "http.client", "urllib.request", "dataclasses", "inspect", "asyncio", "logging", "ssl", "socket", "decimal", "typing_extensions"}
RUNTIME = sorted(SOURCES)


@pytest.fixture(scope="module")
def rendered() -> Path:
    """The package the runtime tests import: generated data modules, runtime from source."""
    return package_root()


def test_runtime_is_python_source_not_templates() -> None:
    assert RUNTIME == ["_base", "_runtime", "_uri"]
    assert sorted(p.name for p in (REPO / "templates").glob("*.j2")) == ["__init__.py.j2", "_enums.py.j2", "_errors.py.j2", "_problems.py.j2", "errors.md.j2"]
    for name in RUNTIME:
        assert ast.get_docstring(ast.parse(SOURCES[name])), name


@pytest.mark.parametrize("rel", sorted(runtime_files("x_problems")))
def test_generated_holds_the_exact_copy(rel: str) -> None:
    written = runtime_files("x_problems")[rel]
    source = SOURCES[Path(rel).stem]
    assert written.endswith("\n" + source) and written.count("\n") == source.count("\n") + 2
    assert (GENERATED / rel).read_text(encoding="utf-8") == written, f"generated/{rel} is not the runtime source: run `make generate`"


@pytest.mark.parametrize("rel", sorted(runtime_files("x_problems")))
def test_copied_module_is_black_clean_in_the_output_mode_and_py39(rel: str) -> None:
    written = runtime_files("x_problems")[rel]
    assert format_python(written) == written, f"{rel}: black-format generator/runtime/{Path(rel).name} (line length 88, py39)"
    tree = ast.parse(written, feature_version=(3, 9))
    future = tree.body[1]
    assert isinstance(future, ast.ImportFrom) and future.module == "__future__"


@pytest.mark.parametrize("name", RUNTIME)
def test_stdlib_light_and_relative_imports_only(name: str) -> None:
    tree = ast.parse(SOURCES[name])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert {alias.name for alias in node.names} <= ALLOWED_IMPORTS, ast.unparse(node)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.module in {"_enums", "_base", "_problems", "_errors", "_runtime", "_uri"}, ast.unparse(node)
            elif node.module != "typing" and not ast.unparse(node).startswith("from collections.abc import C"):
                assert node.module in ALLOWED_IMPORTS, ast.unparse(node)
    # typing is only imported for the type checker
    typing_imports = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "typing"]
    assert typing_imports == []


def test_an_edit_of_the_runtime_source_reaches_the_tested_package() -> None:
    """The tests import the source as the generator writes it, not a committed copy."""
    for name in RUNTIME:
        assert Path(getattr(xp, name).__file__).read_text(encoding="utf-8") == runtime_files("x_problems")[f"x_problems/{name}.py"]


@pytest.mark.parametrize(
    "options",
    [
        [],  # ruff's defaults, as `make lint` and the end-to-end test run it
        # stricter; RUF100 off because the modules' file-level noqa names default rules
        ["--target-version", "py39", "--line-length", "88", "--select", "E,F,W,I,B,UP,SIM,RUF,C4,PIE", "--ignore", "RUF100"],
    ],
)
def test_ruff_on_rendered_modules(rendered: Path, options: list[str]) -> None:
    files = [str(rendered / "x_problems" / f"{name}.py") for name in RUNTIME]
    command = [sys.executable, "-m", "ruff", "check", "--isolated", *options, *files]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # a mypy subprocess; `make lint` type-checks the runtime source in the edit loop
def test_mypy_strict_on_rendered_modules_and_consumer(rendered: Path, tmp_path: Path) -> None:
    consumer = tmp_path / "consumer_example.py"
    shutil.copyfile(Path(__file__).parent / "consumer_example.py", consumer)
    env = {**os.environ, "MYPYPATH": str(rendered)}
    command = [sys.executable, "-m", "mypy", "--strict", "--warn-unreachable", "--cache-dir", str(tmp_path / ".mypy_cache"), "--python-version", "3.10"]
    targets = [str(rendered / "x_problems"), str(consumer)]
    result = subprocess.run([*command, *targets], capture_output=True, text=True, timeout=500, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_consumer_example_runs() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        import consumer_example as consumer
    finally:
        sys.path.pop(0)
    limit = {"x-rate-limit-reset": "1700000000"}
    cap = b'{"type": "https://api.x.com/2/problems/usage-capped", "title": "t", "detail": "d", "period": "Daily"}'
    assert consumer.describe(429, cap, {}).startswith(("usage cap (Daily)", "usage cap (Period.DAILY)"))
    assert consumer.describe(429, b"", limit).startswith(("rate limited (LimitKind.RATE_LIMIT)", "rate limited (rate-limit)"))
    assert consumer.describe(404, b"gone", {}) == "404: gone"
    assert consumer.describe(200, b"{}", {}) == "ok"
    partial = b'{"errors": [{"type": "https://api.twitter.com/2/problems/resource-not-found", "title": "t", "detail": "d", "value": "7", "resource_type": "tweet"}]}'
    assert consumer.missing_ids(partial) == ["7"]
    lines = [b'{"data": {"id": "1"}}', b"\r\n", b'{"errors": [{"type": "https://api.x.com/2/problems/operational-disconnect", "title": "t", "detail": "d", "disconnect_type": "ForceDisconnect"}]}', b'{"data": {"id": "2"}}']
    assert list(consumer.consume(lines)) == [{"id": "1"}]
    assert consumer.with_retries([(503, b"", {}), (200, b"ok", {})]) == b"ok"
    with pytest.raises(xp.NotFound):
        consumer.with_retries([(404, b"", {})])
    error = xp.error_from_response(403, b'{"type": "https://api.x.com/2/problems/client-forbidden", "title": "t"}')
    assert consumer.serialise(error) == error


def test_exports_are_read_from_the_source_and_re_exported() -> None:
    assert sorted(EXPORTS) == RUNTIME
    for module, names in EXPORTS.items():
        assert tuple(getattr(xp, module).__all__) == names, module
        for name in names:
            assert hasattr(xp, name), f"x_problems does not re-export {name}"
            assert name in xp.__all__
    data_names = {n for m in ("_enums", "_errors", "_problems") for n in getattr(xp, m).__all__}
    for name in GENERATED_NAMES:
        assert name in data_names, f"{name} is in runtime_source.GENERATED_NAMES but no data module defines it"
    # every public name is a generated class or one that runtime_source reserves
    unreserved = {n for n in xp.__all__ if n not in RESERVED_NAMES}
    assert all(isinstance(getattr(xp, n), type) and issubclass(getattr(xp, n), (xp.Problem, xp.XAPIError, enum.Enum)) for n in unreserved)


def test_reserved_attrs_cover_everything_problem_and_error_define() -> None:
    reserved = RESERVED_ATTRS
    body = b'{"type": "https://api.x.com/2/problems/usage-capped", "title": "t", "detail": "d", "period": "Daily"}'
    error = xp.error_from_response(429, body, {"a": "b"})
    error.add_note("note") if hasattr(error, "add_note") else None
    field_attrs = {spec.attr for cls in xp.PROBLEM_CLASSES.values() for spec in cls._fields}
    defined = set(dir(type(error))) | set(vars(error)) | set(dir(xp.Problem)) | set(dir(xp.XAPIError))
    defined |= set(dir(xp.ClientError)) | set(dir(xp.ServerError)) | set(vars(xp.parse_problem(body)))
    missing = defined - field_attrs - reserved
    assert not missing, f"add to runtime_source.PYTHON_EXCEPTION_ATTRS (or the runtime classes it reads): {sorted(missing)}"
    clashes = field_attrs & reserved
    assert not clashes, f"generated field attributes use reserved names: {sorted(clashes)}"


def test_import_is_light() -> None:
    code = "import sys, json; import x_problems; print(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(package_root())}
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert not loaded & HEAVY_MODULES, sorted(loaded & HEAVY_MODULES)
    for line in result.stderr.splitlines():
        if line.rstrip().endswith(("x_problems._base", "x_problems._runtime")):
            self_us = int(line.split("|")[0].split(":")[1])
            assert self_us < 50_000, line  # generous: includes compiling without a bytecode cache


def test_nothing_heavy_is_imported_by_a_call() -> None:
    code = (
        "import sys, json, x_problems as xp\n"
        "before = set(sys.modules)\n"
        "e = xp.error_from_response(429, b'{\"type\": \"about:blank\", \"title\": \"t\"}', {'x-rate-limit-reset': '1'})\n"
        "xp.retry_after(e, 1); xp.classify_stream_line(b'{}'); str(e); repr(e)\n"
        "import pickle; pickle.loads(pickle.dumps(e))\n"
        "print(json.dumps(sorted(set(sys.modules) - before - {'pickle', '_pickle', '_compat_pickle', 'struct', '_struct'})))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(package_root())}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    # datetime is deferred from import time to the first call that needs it; nothing else
    # may load. Which helpers datetime itself pulls in varies (math up to 3.11, not from 3.12).
    loaded = set(json.loads(result.stdout))
    assert "datetime" in loaded and loaded <= {"_datetime", "datetime", "math"}, sorted(loaded)


SMOKE = r"""
import copy, datetime, json, pickle, sys
import x_problems as xp
body = b'{"type": "https://api.twitter.com/2/problems/usage-capped", "title": "t", "detail": "d", "period": "Daily"}'
e = xp.error_from_response(429, body, {"X-Rate-Limit-Reset": "1700000000"})
assert isinstance(e, xp.TooManyRequests) and isinstance(e, xp.UsageCapExceededProblem), type(e)
assert e.period == "Daily" and e.status == 429
for clone in (pickle.loads(pickle.dumps(e)), copy.deepcopy(e), copy.copy(e)):
    assert clone == e and type(clone) is type(e)
now = datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.timezone.utc)
assert xp.retry_after(e, 1, now=now) == datetime.timedelta(hours=12)
assert xp.classify_stream_line(b"\r\n").kind is xp.StreamEventKind.HEARTBEAT
line = b'{"errors": [{"type": "https://api.x.com/2/problems/operational-disconnect", "title": "t", "detail": "d", "disconnect_type": "ForceDisconnect"}]}'
assert xp.classify_stream_line(line).disconnect_type == "ForceDisconnect"
assert xp.error_from_response(500, "[" * 100000).problems == []
assert xp.error_from_response(500, '{"type": "about:blank", "title": "t", "status": ' + "9" * 5000 + "}").problems[0].status is None
assert str(e).startswith("429 Too Many Requests [usage-capped] t: d")
assert xp.partial_errors({"errors": [json.loads(body), 5]})[1].issues
print("ok")
"""


def _interpreter(version: str) -> str | None:
    """A working ``python<version>``: pyenv's builds first, then PATH (a pyenv shim may not run)."""
    candidates = [str(p) for p in sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))]
    candidates += [found] if (found := shutil.which(f"python{version}")) else []
    for candidate in candidates:
        probe = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


@pytest.mark.parametrize("version", ["3.9", "3.10", "3.12", "3.13"])
def test_runs_on_other_pythons(rendered: Path, version: str) -> None:
    python = _interpreter(version)
    if python is None:
        pytest.skip(f"no python{version} here")
    env = {**os.environ, "PYTHONPATH": str(rendered)}
    result = subprocess.run([python, "-c", SMOKE], capture_output=True, text=True, timeout=120, env=env, cwd=rendered)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]
