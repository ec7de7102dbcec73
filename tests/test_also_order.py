"""The order of ``--also`` specs changes nothing (issue 14, item 10).

``merge`` keeps the first spec of each version, and the older specs were sorted by version
alone, so two ``--also`` specs of one version were taken in command-line order: the output
depended on it while the fingerprint (sorted digests) did not, and the warm path called a
reordered run fresh although a cold run would have written other bytes. Now the output, the
manifest and the fingerprint are the same for every order, and the warm path is right.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from xproblems.cli import main
from xproblems.fingerprint import fingerprint, is_fresh
from xproblems.request import Request

ROOT = Path(__file__).resolve().parents[1]
BASE_SPEC = ROOT / "tests" / "hostile" / "_base" / "spec.json"
SUPPLEMENT = ROOT / "tests" / "hostile" / "_base" / "supplement.yaml"
PACKAGE = "x_problems"


def _spec(version: str, field: str | None = None, description: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(BASE_SPEC.read_text(encoding="utf-8"))
    spec["info"]["version"] = version
    schemas = spec["components"]["schemas"]
    if field is not None:
        schemas["BetaProblem"]["allOf"][1]["properties"][field] = {"type": "string"}
    if description is not None:
        schemas["AlphaProblem"]["description"] = description
    return spec


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The current spec (2.0) and three older ones: two of version 1.5 that differ, one 1.2."""
    folder = tmp_path_factory.mktemp("also-order")
    specs = {
        "current": _spec("2.0"),
        "a": _spec("1.5", "only_in_a", "Description A"),
        "b": _spec("1.5", "only_in_b", "Description B"),
        "c": _spec("1.2", "only_in_c"),
    }
    paths = {}
    for name, spec in specs.items():
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(json.dumps(spec, indent=2), encoding="utf-8")
    return paths


def _argv(command: str, inputs: dict[str, Path], order: tuple[str, ...], out: Path) -> list[str]:
    also = [str(inputs[name]) for name in order]
    return [command, "--no-history", "--spec", str(inputs["current"]), *(arg for spec in also for arg in ("--also", spec)), "--supplement", str(SUPPLEMENT), "--out", str(out)]


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and not p.name.startswith(".xproblems")}


def _request(inputs: dict[str, Path], order: tuple[str, ...], out: Path) -> Request:
    return Request(inputs["current"], None, tuple(inputs[name] for name in order), SUPPLEMENT, out, PACKAGE)


ORDERS = list(itertools.permutations(("a", "b", "c")))


@pytest.mark.slow
def test_output_and_manifest_do_not_depend_on_the_order(inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trees = {}
    for order in ORDERS:
        out = tmp_path / "-".join(order)
        assert main([*_argv("generate", inputs, order, out), "--quiet"]) == 0
        trees[order] = _files(out)
    reference = trees[ORDERS[0]]
    assert f"{PACKAGE}/_manifest.json" in reference
    for order, tree in trees.items():
        assert tree == reference, f"--also {' '.join(order)} wrote other bytes than --also a b c"
    manifest = json.loads(reference[f"{PACKAGE}/_manifest.json"])
    assert [a["file"] for a in manifest["also"]] == ["a.json", "b.json", "c.json"]
    assert manifest["also_versions"] == ["1.2", "1.5", "1.5"]
    # Of the two 1.5 specs, the one used is fixed by digest, and the other is named.
    errors_md = reference["docs/errors.md"].decode()
    assert ("only_in_a" in errors_md) != ("only_in_b" in errors_md)
    assert "only_in_c" in errors_md
    warnings = [line for line in capsys.readouterr().err.splitlines() if "/info/version" in line]
    assert warnings and all(line.startswith("warning: ") and "whose problem schemas differ" in line for line in warnings)


def test_the_warm_path_is_right_after_a_reorder(inputs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main([*_argv("generate", inputs, ("a", "b", "c"), out), "--quiet"]) == 0
    before = _files(out)
    for order in ORDERS:
        assert fingerprint(_request(inputs, order, out)) == fingerprint(_request(inputs, ORDERS[0], out))
        assert is_fresh(_request(inputs, order, out)), order
        assert main(_argv("check", inputs, order, out)) == 0
        assert main([*_argv("generate", inputs, order, out), "--quiet"]) == 0
        assert _files(out) == before
    # Fresh means fresh: a cold run of the reordered request writes the same bytes.
    cold = tmp_path / "cold"
    assert main([*_argv("generate", inputs, ("c", "b", "a"), cold), "--quiet"]) == 0
    assert _files(cold) == before


def test_a_changed_also_spec_is_still_seen(inputs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main([*_argv("generate", inputs, ("a", "b", "c"), out), "--quiet"]) == 0
    changed = dict(inputs, c=tmp_path / "c2.json")
    changed["c"].write_text(json.dumps(_spec("1.2", "only_in_c2"), indent=2), encoding="utf-8")
    assert not is_fresh(_request(changed, ("b", "c", "a"), out))
    assert main(_argv("check", changed, ("b", "c", "a"), out)) == 1
