"""The generated trees for 2.159 and 2.167 match tests/golden/ (update: ``make golden``)."""

from __future__ import annotations

import difflib

import pytest

from .golden_support import GOLDEN_VERSIONS, on_disk, rendered


@pytest.mark.parametrize("version", GOLDEN_VERSIONS)
def test_golden_tree(version: str) -> None:
    want, got = on_disk(version), rendered(version)
    assert sorted(got) == sorted(want), "file list differs; run `make golden` and review"
    for rel in want:
        if want[rel] != got[rel]:
            diff = "".join(difflib.unified_diff(want[rel].splitlines(True), got[rel].splitlines(True), f"golden/{rel}", f"now/{rel}"))
            pytest.fail(f"{rel} differs from golden (run `make golden` and review):\n{diff[:4000]}")
