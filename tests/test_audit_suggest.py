"""``audit --suggest`` closes the loop: fragment -> supplement -> package -> nothing new.

The fragment is merged into a copy of the shipped supplement the way its header tells a
maintainer to (an entry of a known uri extends that entry; any other is appended), the
package is generated from the copy and imported in a fresh interpreter, and the same
recordings are audited again against the new catalogue.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT, SHARED, run_cli, run_python
from tests.test_audit import stream_lines, synthetic_har
from xproblems.supplement import uri_key


def merge_fragment(supplement: dict[str, Any], fragment: dict[str, Any]) -> dict[str, Any]:
    """What the fragment's header asks of a maintainer, done mechanically."""
    by_key = {uri_key(p["uri"]): p for p in supplement["problems"]}
    for entry in fragment["problems"]:
        existing = by_key.get(uri_key(entry["uri"]))
        if existing is None:
            supplement["problems"].append(entry)
            continue
        codes = {s["code"] for s in existing.get("statuses", [])}
        existing.setdefault("statuses", []).extend(s for s in entry.get("statuses", []) if s["code"] not in codes)
        existing.setdefault("extra_fields", []).extend(entry.get("extra_fields", []))
        if "observed" in entry and existing.get("cite") is None:
            existing.pop("cite", None)
            existing["observed"] = entry["observed"]
    for problem in supplement["problems"]:
        for key in ("statuses", "extra_fields"):
            if problem.get(key) == []:
                del problem[key]
    return supplement


def recordings(tmp_path: Path) -> list[Path]:
    """The synthetic HAR and stream, and the real bodies of ../shared/payloads when present."""
    har = tmp_path / "session.har"
    har.write_text(json.dumps(synthetic_har()), encoding="utf-8")
    stream = tmp_path / "stream.jsonl"
    stream.write_text("\n".join(stream_lines()) + "\n", encoding="utf-8")
    return [har, stream, *sorted((SHARED / "payloads").glob("*.jsonl"))]


def test_suggest_merged_regenerates_a_package_that_declares_what_was_observed(tmp_path: Path) -> None:
    files = recordings(tmp_path)
    fragment_path = tmp_path / "observed.yaml"
    first = run_cli("audit", *files, "--format", "json", "--suggest", fragment_path)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["totals"]["new"] > 0
    fragment = yaml.safe_load(fragment_path.read_text(encoding="utf-8"))

    supplement = yaml.safe_load((ROOT / "specs" / "supplement.yaml").read_text(encoding="utf-8"))
    merged = tmp_path / "supplement.yaml"
    merged.write_text(yaml.safe_dump(merge_fragment(supplement, fragment), sort_keys=False), encoding="utf-8")

    out = tmp_path / "out"
    done = run_cli("generate", "--supplement", merged, "--out", out, "--quiet")
    assert done.returncode == 0, done.stderr
    code = """
import x_problems as x
fields = lambda cls: {f.name for f in cls._fields}
assert {"flux_level", "owner"} <= fields(x.QuantumFluxProblem), fields(x.QuantumFluxProblem)
assert not x.QuantumFluxProblem.retired
assert "appeal_url" in fields(x.ClientForbiddenProblem)
assert "brand-new-reason" in {m.value for m in x.Reason}, list(x.Reason)
assert "SolarFlareDisconnect" in {m.value for m in x.DisconnectType}
assert "StreamHiccupProblem" in dir(x)
print("ok")
"""
    ran = run_python(code, out)
    assert ran.stdout.strip() == "ok", ran.stderr

    again = run_cli("audit", *files, "--format", "json", "--supplement", merged, "--fail-on", "new")
    assert again.returncode == 0, again.stdout[:2000] + again.stderr
    report = json.loads(again.stdout)
    assert report["totals"]["new"] == 0
    assert not report["undeclared_members"] and not report["undeclared_enum_values"]
    assert all(t["known"] for t in report["types"])
    docs = (out / "docs" / "errors.md").read_text(encoding="utf-8")
    assert "bserved" in docs  # errors.md marks observed facts as such
