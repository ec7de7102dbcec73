"""Locating and importing the generated ``x_problems`` package for the runtime tests.

The tests import the runtime as source: a package assembled in a temporary directory from
the generated data modules in ``<repo>/generated`` (``make generate`` writes them) and the
runtime modules exactly as the generator writes them from ``generator/runtime/``. An edit of
the runtime source is tested at once, without regenerating; ``tests/test_runtime_modules.py``
checks that ``generated/`` holds the same copy.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PAYLOADS = SHARED / "payloads"
DOCS = SHARED / "docs"
GENERATED = REPO / "generated"
DATA_MODULES = ("__init__.py", "_enums.py", "_problems.py", "_errors.py", "py.typed")

_package_root: Path | None = None


def _assemble(generated_modules: Path) -> Path:
    """The generated data modules beside the runtime modules as written from the source."""
    from xproblems.render import runtime_files

    root = Path(tempfile.mkdtemp(prefix="xproblems-runtime-"))
    atexit.register(shutil.rmtree, root, True)
    package = root / "x_problems"
    package.mkdir()
    for name in DATA_MODULES:
        shutil.copyfile(generated_modules / name, package / name)
    for rel, text in runtime_files("x_problems").items():
        (root / rel).write_text(text, encoding="utf-8", newline="\n")
    return root


def package_root() -> Path:
    """The directory to put on ``sys.path`` so that ``import x_problems`` works.

    ``XPROBLEMS_RUNTIME_ROOT`` names a directory that already holds ``x_problems`` (the
    committed ``generated/``): on Python 3.9 and 3.10 the runtime tests run against it,
    since the generator itself needs 3.11 (``tests/python_versions.py``).
    """
    global _package_root
    given = os.environ.get("XPROBLEMS_RUNTIME_ROOT")
    if given:
        return Path(given)
    if _package_root is None:
        if not (GENERATED / "x_problems" / "__init__.py").exists():
            raise RuntimeError(f"{GENERATED}/x_problems is missing: run `make generate`")
        _package_root = _assemble(GENERATED / "x_problems")
    return _package_root


def load() -> ModuleType:
    """Import ``x_problems`` from :func:`package_root` (once per process)."""
    root = str(package_root())
    module = sys.modules.get("x_problems")
    if module is not None:
        file = getattr(module, "__file__", None) or ""
        if Path(file).resolve().is_relative_to(Path(root).resolve()):
            return module
        for name in [n for n in sys.modules if n.split(".")[0] == "x_problems"]:
            del sys.modules[name]
    if root not in sys.path:
        sys.path.insert(0, root)
    importlib.invalidate_caches()
    return importlib.import_module("x_problems")


def read_jsonl(name: str) -> list[dict[str, Any]]:
    """The records of one payload file of ``shared/payloads``."""
    path = PAYLOADS / name
    if not path.is_file():
        import pytest

        pytest.skip(f"{path} is absent (../shared is test material, not beside a plain clone)", allow_module_level=True)
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def slug_of(uri: str) -> str:
    """``resource-not-found`` for any host's problem URI; other URIs whole (the runtime's rule)."""
    problem_key = importlib.import_module(f"{load().__name__}._uri").problem_key
    return str(problem_key(uri))
