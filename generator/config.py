"""``[tool.xproblems]`` in the user's ``pyproject.toml``: defaults for ``generate`` and ``check``.

Found as ruff finds its own: the nearest ``pyproject.toml`` from the current directory up
that has a ``[tool.xproblems]`` table. Paths in it are relative to that file's directory.
A flag given on the command line wins over the table. An unknown key or a value of the
wrong type is an error naming the file, the JSON pointer (``/tool/xproblems/<key>``) and
its line, and nothing runs.

    [tool.xproblems]
    out = "src/myapp/vendor"      # output directory
    package = "x_errors"          # package directory name
    spec = "specs/x-api.json"     # the spec (default: xproblems' current pin)
    also = ["specs/older.json"]   # more older specs
    supplement = "specs/x-supplement.yaml"
    pins = "specs/pins"           # a pinned history of your own
    no-history = false
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .history import error

if TYPE_CHECKING:  # a warm run does not import the model
    from .model import Diagnostic

#: key -> (argparse attribute, kind): "path", "paths", "name" or "flag".
KEYS = {
    "out": ("out", "path"),
    "package": ("package", "name"),
    "spec": ("spec", "path"),
    "also": ("also", "paths"),
    "supplement": ("supplement", "path"),
    "pins": ("pins", "path"),
    "no-history": ("no_history", "flag"),
}


def find(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` with a ``[tool.xproblems]`` table."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and _mentions(candidate):
            return candidate
    return None


def _mentions(path: Path) -> bool:
    """A cheap first look (most pyproject files never mention us), then a real parse."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "xproblems" not in text:
        return False
    try:
        return isinstance(tomllib.loads(text).get("tool", {}).get("xproblems"), dict)
    except (tomllib.TOMLDecodeError, AttributeError):
        return True  # broken: let apply() report it with its location


def apply(args: argparse.Namespace, start: Path | None = None) -> list[Diagnostic]:
    """Fill the options the command line left unset from the table; the diagnostics if it is bad."""
    path = find(start or Path.cwd())
    if path is None:
        return []
    text = path.read_text(encoding="utf-8")
    try:
        table = tomllib.loads(text)["tool"]["xproblems"]
    except tomllib.TOMLDecodeError as exc:
        return [error(path, "", f"not valid TOML: {exc}")]
    diags: list[Diagnostic] = []
    for key, value in table.items():
        pointer = f"/tool/xproblems/{key}"
        line, column = _place(text, key)
        if key not in KEYS:
            diags.append(_error(path, pointer, f"unknown key {key!r}; known: {', '.join(KEYS)}", line, column))
            continue
        attr, kind = KEYS[key]
        converted = _convert(value, kind, path.parent)
        if converted is None:
            diags.append(_error(path, pointer, f"must be {_EXPECTED[kind]}", line, column))
        elif getattr(args, attr, None) in (None, [], False):  # not given on the command line
            setattr(args, attr, converted)
    return diags


_EXPECTED = {"path": "a path (a string)", "paths": "a list of paths", "name": "a string", "flag": "true or false"}


def _convert(value: Any, kind: str, base: Path) -> Any:
    if kind == "path":
        return base / value if isinstance(value, str) and value else None
    if kind == "paths":
        ok = isinstance(value, list) and all(isinstance(v, str) and v for v in value)
        return [base / v for v in value] if ok else None
    if kind == "name":
        return value if isinstance(value, str) else None
    return value if isinstance(value, bool) else None


def _error(path: Path, pointer: str, message: str, line: int, column: int) -> Diagnostic:
    from .model import Diagnostic  # lazy: a warm run with a good table builds none

    return Diagnostic("error", str(path), pointer, message, line or None, column or None)


def _place(text: str, key: str) -> tuple[int, int]:
    """Where ``key = ...`` starts inside ``[tool.xproblems]`` (1-based), or the table's line."""
    table_line = 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and table_line:
            break
        if stripped.replace(" ", "") == "[tool.xproblems]":
            table_line = number
        elif table_line and stripped.split("=", 1)[0].strip().strip('"') == key:
            return number, len(line) - len(line.lstrip()) + 1
    return table_line, 1
