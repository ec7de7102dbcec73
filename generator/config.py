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
    found = _nearest(start)
    return found[0] if found else None


def _nearest(start: Path) -> tuple[Path, str, dict[str, Any] | tomllib.TOMLDecodeError] | None:
    """That file, its text and its table (or why it is not TOML), each read and parsed once."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            looked = _look(candidate)
            if looked is not None:
                return (candidate, *looked)
    return None


def _look(path: Path) -> tuple[str, dict[str, Any] | tomllib.TOMLDecodeError] | None:
    """A cheap first look (most pyproject files never mention us), then a real parse; a
    broken file that mentions us is ours, so that :func:`apply` reports where it breaks."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if "xproblems" not in text:
        return None
    try:
        tool = tomllib.loads(text).get("tool")
    except tomllib.TOMLDecodeError as exc:
        return text, exc
    table = tool.get("xproblems") if isinstance(tool, dict) else None
    return (text, table) if isinstance(table, dict) else None


def apply(args: argparse.Namespace, start: Path | None = None) -> list[Diagnostic]:
    """Fill the options the command line left unset from the table; the diagnostics if it is bad."""
    found = _nearest(start or Path.cwd())
    if found is None:
        return []
    path, text, table = found
    if isinstance(table, tomllib.TOMLDecodeError):
        return [error(path, "", f"not valid TOML: {table}")]
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
