"""One run's inputs: :class:`Request`, with every default filled in by :func:`make_request`.

Light on purpose (the standard library, ``history`` and ``resources``): the warm path builds
a request and fingerprints it before any stage module is imported.
"""

from __future__ import annotations

import keyword
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .history import History
from .history import error as located_error

if TYPE_CHECKING:
    from .model import Diagnostic

DEFAULT_PACKAGE = "x_problems"


class Request(NamedTuple):
    """One generate or check run (a NamedTuple: ``dataclasses`` costs the warm path ~10 ms).

    ``history`` is the pinned history (None: the spec alone); its pins older than the spec's
    version are merged. ``also`` specs are merged whatever their version.
    """

    spec: Path
    history: History | None
    also: tuple[Path, ...]
    supplement: Path
    out: Path
    package: str


def make_request(
    *,
    spec: Path | None,
    also: Sequence[Path],
    supplement: Path | None,
    out: Path | None,
    package: str,
    pins: Path | None,
    no_history: bool,
) -> Request | list[Diagnostic]:
    """A run's inputs with every default filled in from the pinned history, or why not.

    Defaults come from the package (the shipped ``specs/``: pins.json, the supplement) and,
    for ``out``, from the checkout the generator runs from; never from the current directory.
    A pinned file that is missing or does not match its digest is an error naming it.
    """
    from .history import load_history, verify
    from .names import is_identifier
    from .resources import checkout_root, default_supplement, specs_dir

    if keyword.iskeyword(package):
        return [error("<command line>", f"--package {package!r} is a Python keyword; `import {package}` cannot name it")]
    if not is_identifier(package):
        return [error("<command line>", f"--package {package!r} is not a Python identifier")]
    if package in sys.stdlib_module_names or package in sys.builtin_module_names:
        # a vendored package named json would shadow the standard library (or, named
        # enum, fail to import: the package itself imports enum)
        return [error("<command line>", f"--package {package!r} is the name of a standard-library module; choose another")]
    history: History | None = None
    if spec is None or not no_history:
        history, diags = load_history(pins or specs_dir())
        if history is None:
            return diags
        diags = verify(history)
        if diags:
            return diags
    if spec is None:
        assert history is not None
        spec = history.path(history.current)
    if no_history:
        history = None
    if out is None:
        root = checkout_root()
        if root is None:
            return [error("<command line>", "--out is required: this xproblems is installed, not run from its checkout (or set `out` in [tool.xproblems] of your pyproject.toml)")]
        out = root / "generated"
    supplement = supplement or default_supplement()
    missing = [error(str(p), why) for p in (spec, *also, supplement) if (why := file_problem(p))]
    return missing or Request(spec, history, tuple(also), supplement, out, package)


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as an input file (a directory is not "no such file"), or None."""
    if path.is_file():
        return None
    if path.is_dir():
        return "is a directory; give the spec (or supplement) file in it"
    return "no such file" if not path.exists() else "is not a regular file"


def error(file: str, message: str) -> Diagnostic:
    """An error diagnostic with no pointer (about a file or the command line as a whole)."""
    return located_error(file, "", message)
