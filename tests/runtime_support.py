"""Locating and importing the generated ``x_problems`` package for the runtime tests.

The tests import the package in ``<repo>/generated`` (``make generate`` writes it).
With ``XPROBLEMS_RUNTIME_TEMPLATES=1`` they import a copy of it in a temporary directory
whose two runtime modules are rendered afresh from ``templates/``, to test a template
edit before regenerating.
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
TEMPLATES = REPO / "templates"
GENERATED = REPO / "generated"
RUNTIME_TEMPLATES = ("_base.py.j2", "_runtime.py.j2")
TEST_HEADER = "# Rendered for the runtime tests from templates/ (not the generator)."

_package_root: Path | None = None


def render_template(name: str, header: str = TEST_HEADER) -> str:
    """Render one runtime template the way the generator does (only ``header``)."""
    import jinja2

    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    return env.from_string(text).render(header=header)


def _assemble(generated_modules: Path) -> Path:
    """A copy of the generated package with the runtime modules rendered afresh."""
    root = Path(tempfile.mkdtemp(prefix="xproblems-runtime-"))
    atexit.register(shutil.rmtree, root, True)
    package = root / "x_problems"
    package.mkdir()
    for name in ("__init__.py", "_enums.py", "_problems.py", "_errors.py"):
        shutil.copyfile(generated_modules / name, package / name)
    for template in RUNTIME_TEMPLATES:
        target = package / template.removesuffix(".j2")
        target.write_text(render_template(template), encoding="utf-8")
    return root


def package_root() -> Path:
    """The directory to put on ``sys.path`` so that ``import x_problems`` works."""
    global _package_root
    if _package_root is None:
        if not (GENERATED / "x_problems" / "__init__.py").exists():
            raise RuntimeError(f"{GENERATED}/x_problems is missing: run `make generate`")
        if os.environ.get("XPROBLEMS_RUNTIME_TEMPLATES") == "1":
            _package_root = _assemble(GENERATED / "x_problems")
        else:
            _package_root = GENERATED
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
    """``resource-not-found`` for any host's problem URI; other URIs unchanged."""
    marker = "/2/problems/"
    lowered = uri.lower()
    if marker in lowered:
        return uri[lowered.index(marker) + len(marker) :].strip("/")
    return uri
