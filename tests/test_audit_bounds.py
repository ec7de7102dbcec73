"""``audit``'s memory is bounded by MAX_DISTINCT per table, never by the number of records.

A recording of a million lines that each name a new type, member, route, enum value, header
family or disconnect type must not grow the tally past the caps (make bench measures the
peak RSS of a realistic 1 GB recording; this is the hostile case, counted instead of timed).
"""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from xproblems.audit import MAX_DISTINCT, Tally
from xproblems.audit_cli import _catalogue
from xproblems.model import Catalogue
from xproblems.traffic import Frame, Response

X = "https://api.x.com/2/problems/"
MANY = 3 * MAX_DISTINCT


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    """The default catalogue (pinned spec, history and supplement), as ``audit`` builds it."""
    found, _, diags = _catalogue(argparse.Namespace(spec=None, also=[], supplement=None, pins=None, no_history=False))
    assert found is not None, diags
    return found


def _response(n: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response("rec.jsonl", f"line {n}", 429, headers or {}, body, None, "2026-11-02T10:00:00Z", f"GET /2/things/word{n}x/items")


def _disconnect(n: int) -> Frame:
    code = "".join(chr(ord("A") + int(d)) for d in f"{n:04d}")  # code-like: letters only
    problem = {"type": X + "operational-disconnect", "title": "operational-disconnect", "disconnect_type": f"Reason{code}"}
    return Frame("rec.jsonl", f"line {n}", {"errors": [problem]}, None)


def test_distinct_disconnect_types_are_capped_and_every_frame_counted(catalogue: Catalogue) -> None:
    tally = Tally(catalogue)
    for n in range(MANY):
        tally.add(_disconnect(n))
    assert len(tally.disconnects) == MAX_DISTINCT
    assert tally.frames["disconnect"] == MANY
    assert sum(tally.disconnects.values()) == MAX_DISTINCT  # the kept ones, one frame each
    assert len(tally.report().stream.disconnects) == MAX_DISTINCT


def test_every_table_is_capped(catalogue: Catalogue) -> None:
    tally = Tally(catalogue)
    for n in range(MANY):
        tally.add(_response(n, {"type": X + f"unknown-{n}", "title": "t"}))
        # a known type with a new member, a new enum value and a new route each time
        capped = {"type": X + "usage-capped", "title": "t", "detail": "d", f"member_{n}": 1, "period": f"Period{chr(65 + n % 26)}{n}"}
        tally.add(_response(n, capped, {f"x-thing{n}-rate-limit-remaining": "1"}))
    assert len(tally.types) == MAX_DISTINCT
    assert len(tally.families) == MAX_DISTINCT
    assert len(tally.members) == MAX_DISTINCT
    assert len(tally.enum_values) == MAX_DISTINCT
    for entry in tally.types.values():
        assert len(entry.members) <= MAX_DISTINCT
        assert len(entry.routes) <= MAX_DISTINCT
    assert tally.responses == 2 * MANY
