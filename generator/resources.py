"""Where xproblems finds its own data: templates, runtime, curated supplement, pinned history.

They are package data (``xproblems.templates``, ``xproblems.runtime``, ``xproblems.specs``), found with
:mod:`importlib.resources`: in a source checkout (an editable install) that is the checkout's
``templates/`` and ``specs/``, in an installed wheel the copies inside the package. Nothing is
looked up relative to the current directory, and nothing outside the package is read.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SUPPLEMENT = "supplement.yaml"
_PACKAGE = __name__.rpartition(".")[0]


def _directory(package: str) -> Path:
    found = files(package)
    if not isinstance(found, Path):  # pragma: no cover - a zipped install; wheels install unzipped
        raise RuntimeError(f"{package} is not installed as plain files; reinstall xproblems from its wheel")
    return found


def templates_dir() -> Path:
    """The Jinja2 templates shipped with the generator."""
    return _directory(f"{_PACKAGE}.templates")


def specs_dir() -> Path:
    """The shipped ``specs/``: the curated supplement, pins.json and the pruned specs."""
    return _directory(f"{_PACKAGE}.specs")


def runtime_dir() -> Path:
    """The static runtime modules (``xproblems.runtime``), copied into every output package."""
    return _directory(f"{_PACKAGE}.runtime")


def default_supplement() -> Path:
    """The curated supplement shipped with the generator."""
    return specs_dir() / SUPPLEMENT


def code_dir() -> Path:
    """The generator's own modules (for the warm path's code digest)."""
    return Path(__file__).resolve().parent


def checkout_root() -> Path | None:
    """The source checkout this generator runs from, or None for an installed wheel.

    A checkout keeps the package source in ``generator/`` beside ``pyproject.toml``; an
    installed package lives in ``site-packages/xproblems/``, which has neither.
    """
    package = code_dir()
    root = package.parent
    return root if package.name == "generator" and (root / "pyproject.toml").is_file() else None
