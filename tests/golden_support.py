"""Golden trees: what the generator writes for X's 2.159 and 2.167 specs.

The manifest is compared without its ``inputs`` block (generator code digests change with
every edit of the generator and are covered by the warm-path tests instead). A runtime
module, copied verbatim from ``xproblems.runtime``, is kept as ``<name>.sha256`` (the digest
of the file as written): the source is its one full copy, and a change to the copy still
shows here.
"""

from __future__ import annotations

import json
from pathlib import Path

from xproblems.pipeline import render_request
from xproblems.request import Request
from xproblems.resources import default_supplement
from xproblems.runtime_source import SOURCES
from xproblems.write import sha256_text

from .conftest import ROOT, spec_path

GOLDEN = ROOT / "tests" / "golden"
GOLDEN_VERSIONS = ("2.159", "2.167")


def rendered(version: str) -> dict[str, str]:
    """The files ``generate --spec <version>`` writes, with the manifest made stable."""
    req = Request(spec_path(version), None, (), default_supplement(), Path("generated"), "x_problems")
    files, diags = render_request(req)
    assert files is not None, [d.render() for d in diags]
    for name in SOURCES:
        rel = f"x_problems/{name}.py"
        files[f"{rel}.sha256"] = f"{sha256_text(files.pop(rel))}  {name}.py\n"
    manifest = json.loads(files["x_problems/_manifest.json"])
    manifest.pop("inputs")
    files["x_problems/_manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    return files


def on_disk(version: str) -> dict[str, str]:
    """The golden tree of that version as stored."""
    base = GOLDEN / version
    return {str(p.relative_to(base)): p.read_text(encoding="utf-8") for p in sorted(base.rglob("*")) if p.is_file()}
