"""Golden trees: what the generator writes for X's 2.159 and 2.167 specs.

The manifest is compared without its ``inputs`` block (generator code digests change with
every edit of the generator and are covered by the warm-path tests instead).
"""

from __future__ import annotations

import json
from pathlib import Path

from xproblems.pipeline import Request, render_all
from xproblems.resources import default_supplement

from .conftest import ROOT, spec_path

GOLDEN = ROOT / "tests" / "golden"
GOLDEN_VERSIONS = ("2.159", "2.167")


def rendered(version: str) -> dict[str, str]:
    """The files ``generate --spec <version>`` writes, with the manifest made stable."""
    req = Request(spec_path(version), None, (), default_supplement(), Path("generated"), "x_problems")
    files, diags = render_all(req)
    assert files is not None, [d.render() for d in diags]
    manifest = json.loads(files["x_problems/_manifest.json"])
    manifest.pop("inputs")
    files["x_problems/_manifest.json"] = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    return files


def on_disk(version: str) -> dict[str, str]:
    """The golden tree of that version as stored."""
    base = GOLDEN / version
    return {str(p.relative_to(base)): p.read_text(encoding="utf-8") for p in sorted(base.rglob("*")) if p.is_file()}
