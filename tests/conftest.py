"""Shared fixtures: where the real specs are, small-spec builders, and a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Every module any test renders (in this process or in a CLI subprocess, which inherits the
# environment) is also run through black: rendering skips black where layout.needs_black says
# black would change nothing, and this makes each such claim checked, across the golden
# specs, the hostile corpus and the property tests alike.
os.environ["XPROBLEMS_VERIFY_FORMAT"] = "1"
SHARED = ROOT.parent / "shared"
SPECS = SHARED / "specs"
VERSIONS = ("2.134", "2.152", "2.159", "2.167")


def spec_path(version: str) -> Path:
    """The real X spec of that version in ../shared/specs; skips where ../shared is absent.

    ../shared is test material: a plain clone (the scheduled job's runner) has none, and
    the tests that read it skip there, saying so.
    """
    path = SPECS / f"x-api-v2-{version}.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent (../shared is test material, not beside a plain clone)", allow_module_level=True)
    return path


def shared_text(path: Path) -> str:
    """The text of a file of ../shared; skips where ../shared is absent (a plain clone)."""
    if not path.is_file():
        pytest.skip(f"{path} is absent (../shared is test material, not beside a plain clone)")
    return path.read_text(encoding="utf-8")


def openapi(schemas: dict[str, Any], *, version: str = "1.0", openapi_version: str = "3.0.0", paths: dict[str, Any] | None = None) -> dict[str, Any]:
    """A minimal valid OpenAPI document holding ``schemas``."""
    return {
        "openapi": openapi_version,
        "info": {"title": "t", "version": version},
        "paths": paths or {},
        "components": {"schemas": schemas},
    }


BASE_PROBLEM = {
    "type": "object",
    "required": ["type", "title"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "detail": {"type": "string"},
        "status": {"type": "integer"},
    },
}


def allof_shape(members: dict[str, tuple[str, dict[str, Any]]], host: str = "api.twitter.com") -> dict[str, Any]:
    """X <= 2.159 shape: base Problem with discriminator mapping to allOf subtypes.

    ``members`` maps schema name -> (slug, extra properties).
    """
    schemas: dict[str, Any] = {
        "Problem": {
            **BASE_PROBLEM,
            "discriminator": {
                "propertyName": "type",
                "mapping": {f"https://{host}/2/problems/{slug}": f"#/components/schemas/{name}" for name, (slug, _) in members.items()},
            },
        }
    }
    for name, (_slug, props) in members.items():
        schemas[name] = {
            "description": f"{name} description",
            "allOf": [{"$ref": "#/components/schemas/Problem"}, {"type": "object", "properties": props}],
        }
    return schemas


def oneof_shape(members: dict[str, tuple[str, dict[str, Any]]], host: str = "api.x.com", mapping: bool = True) -> dict[str, Any]:
    """X 2.167 shape: Problem is a oneOf of flat schemas pinning ``type`` with an enum."""
    schemas: dict[str, Any] = {"Problem": {"oneOf": [{"$ref": f"#/components/schemas/{n}"} for n in members]}}
    if mapping:
        schemas["Problem"]["discriminator"] = {
            "propertyName": "type",
            "mapping": {f"https://{host}/2/problems/{slug}": f"#/components/schemas/{name}" for name, (slug, _) in members.items()},
        }
    for name, (slug, props) in members.items():
        schemas[name] = {
            "type": "object",
            "required": ["type", "title", "detail"],
            "properties": {
                "type": {"type": "string", "enum": [f"https://{host}/2/problems/{slug}"]},
                "title": {"type": "string"},
                "detail": {"type": "string"},
                **props,
            },
        }
    return schemas


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[str, Any], Path]:
    """Write a JSON document under tmp_path and return its path."""

    def write(name: str, doc: Any) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        return path

    return write


def run_cli(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m xproblems`` in a subprocess, as a build pipeline would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "xproblems", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_python(code: str, path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``path`` first on sys.path."""
    full_env = {**os.environ, "PYTHONPATH": str(path), **(env or {})}
    return subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True, text=True, timeout=120, cwd=path)


def without_positions(stderr: str) -> str:
    """Diagnostics with their ``:line:col`` dropped (``file.json:3:7: /p`` -> ``file.json: /p``),
    for tests about what a diagnostic says; tests/test_annotations.py checks the positions."""
    import re

    return re.sub(r"(?m)^((?:error|warning): .+?\.(?:json|ya?ml)):\d+:\d+: ", r"\1: ", stderr)
