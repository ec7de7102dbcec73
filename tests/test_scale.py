"""What keeps generation near-linear in the size of its input (issue 14, item 4).

No timings here (``make bench`` measures 20,000 enum values and a 12 MB YAML spec): only
the properties that make them, counted, so that a regression is a failing test rather
than a slower figure.
"""

from __future__ import annotations

import functools
import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import yaml

from xproblems import extract, merge, render, spec
from xproblems.load import parse_bytes
from xproblems.model import SpecCatalogue, SpecField, SpecProblem
from xproblems.resources import default_supplement
from xproblems.runtime_source import RESERVED_ATTRS, RESERVED_NAMES
from xproblems.supplement import load_supplement

from .conftest import oneof_shape, openapi


class _Counted(str):
    """A str whose hashing and comparisons are counted: the work of set, dict and ``in``."""

    ops = 0

    def __hash__(self) -> int:
        _Counted.ops += 1
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        _Counted.ops += 1
        return str.__eq__(self, other)


def _catalogue(version: str, values: list[str]) -> SpecCatalogue:
    field = SpecField("reason", "string", True, tuple(_Counted(v) for v in values), None, None)
    problem = SpecProblem("https://api.x.com/2/problems/scale", "ScaleProblem", None, None, (field,), "/components/schemas/ScaleProblem")
    return SpecCatalogue(f"spec-{version}.json", version, "0" * 64, (problem,), (), "0" * 64)


def _merge_ops(count: int) -> int:
    """Counted operations of merging ``count`` current enum values with an older spec that
    lists half of them and as many others (retired values: the paths that were quadratic)."""
    current = [f"value-{i:06d}" for i in range(count)]
    older = current[::2] + [f"gone-{i:06d}" for i in range(count)]
    supp, diags = load_supplement(default_supplement())
    assert supp is not None, diags
    _Counted.ops = 0
    cat, _ = merge.merge(_catalogue("2.0", current), [_catalogue("1.0", older)], supp, reserved_attrs=RESERVED_ATTRS, reserved_names=RESERVED_NAMES)
    (field,) = next(p for p in cat.problems if p.key == "scale").fields
    assert len(field.enum_values) == 2 * count and len(field.retired_values) == count
    assert dict(field.value_versions)[current[1]] == ("2.0",) and dict(field.value_versions)[older[0]] == ("1.0", "2.0")
    return _Counted.ops


def test_merging_enum_values_is_linear_in_their_number() -> None:
    """20,000 enum values took 20 s in merge alone: a dict rebuilt per value and tuple scans.
    Linear work doubles with the values; quadratic work quadruples."""
    small, large = _merge_ops(1_000), _merge_ops(2_000)
    assert small > 1_000 and large / small < 2.5, (small, large)


# --- the collector stays off while large trees are built --------------------------------


@contextmanager
def _collections() -> Iterator[list[int]]:
    """The generations the cyclic garbage collector runs on inside the block."""
    runs: list[int] = []

    def record(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.callbacks.append(record)
    try:
        yield runs
    finally:
        gc.callbacks.remove(record)


def _spec(types: int) -> dict[str, Any]:
    members = {f"Scale{i:04d}Problem": (f"scale-{i:04d}", {"reason": {"type": "string", "enum": [f"r{i}-{k}" for k in range(8)]}}) for i in range(types)}
    return openapi(oneof_shape(members), version="9.0")


@functools.cache
def _stages() -> dict[str, Callable[[], object]]:
    """Each stage that builds a large tree, its input prepared (and its imports done)."""
    doc = _spec(800)
    json_bytes, yaml_bytes = json.dumps(doc).encode(), yaml.safe_dump(doc).encode()
    spec.validate(openapi({}), "warm.json")  # imports openapi-pydantic: not a stage's work
    return {
        "parse JSON": lambda: parse_bytes(json_bytes, "s.json"),
        "parse YAML": lambda: parse_bytes(yaml_bytes, "s.yaml", yaml_syntax=True),
        "validate": lambda: spec.validate(doc, "s.json"),
        "extract": lambda: extract.extract(doc, "s.json", "0" * 64),
    }


@pytest.mark.parametrize("stage", ["parse JSON", "parse YAML", "validate", "extract"])
def test_a_stage_builds_its_tree_with_the_collector_paused(stage: str) -> None:
    """Each burst of allocations made the collector walk everything alive, the whole spec
    included: 40 % of a 20 MB spec's CPU, and a cost quadratic in the number of types.
    Thousands of containers are built here, where the collector would run dozens of
    times; once resumed, it runs at most once for what the block allocated."""
    run = _stages()[stage]
    assert gc.isenabled()
    with _collections() as runs:
        run()
    assert len(runs) <= 1 and gc.isenabled(), runs


def test_merge_and_render_run_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(render.VERIFY_FORMAT, raising=False)  # black on every module: not the point here
    current, diags = extract.extract(_spec(400), "s.json", "0" * 64)
    supp, found = load_supplement(default_supplement())
    assert current is not None and supp is not None, diags + found
    with _collections() as runs:
        cat, _ = merge.merge(current, [], supp, reserved_attrs=RESERVED_ATTRS, reserved_names=RESERVED_NAMES)
        files = render.render(cat, "x_problems")
    assert len(runs) <= 2 and gc.isenabled() and len(files) > 5, runs
