"""What keeps generation near-linear in the size of its input (issue 14, item 4).

No timings here (``make bench`` measures 20,000 enum values and a 12 MB YAML spec): only
the properties that make them, counted, so that a regression is a failing test rather
than a slower figure.
"""

from __future__ import annotations

from xproblems import merge
from xproblems.model import SpecCatalogue, SpecField, SpecProblem
from xproblems.resources import default_supplement
from xproblems.runtime_source import RESERVED_ATTRS, RESERVED_NAMES
from xproblems.supplement import load_supplement


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
