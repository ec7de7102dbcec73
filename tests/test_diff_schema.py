"""The published JSON Schema of ``diff --format json`` (``xproblems-diff/1``), issue 15 item 3.

It lives in ``generator/schemas/`` (shipped in the wheel as ``xproblems/schemas/``); its enums
must be the rule table's, and real reports between the pinned versions must validate.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from xproblems.cli import main
from xproblems.diff import JSON_SCHEMA, RULES, SEVERITIES

SCHEMA: dict[str, Any] = json.loads((files("xproblems") / "schemas" / "xproblems-diff-1.schema.json").read_text(encoding="utf-8"))


def test_the_schema_is_valid_and_names_the_rule_table() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema"] == {"const": JSON_SCHEMA}
    assert SCHEMA["$defs"]["kind"]["enum"] == [rule.kind for rule in RULES]
    assert SCHEMA["$defs"]["severity"]["enum"] == list(SEVERITIES)


@pytest.mark.parametrize(("old", "new", "extra"), [("2.134", "2.167", []), ("2.159", "2.167", []), ("2.159", "2.167", ["--no-history"]), ("2.167", "2.167", []), ("2.167", "2.134", [])])
def test_real_reports_validate(old: str, new: str, extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", old, new, "--format", "json", *extra]) == 0
    report = json.loads(capsys.readouterr().out)
    Draft202012Validator(SCHEMA).validate(report)
    assert report["changes"] or (old == new)


def test_the_schema_rejects_what_is_not_a_report() -> None:
    validator = Draft202012Validator(SCHEMA)
    good = {"schema": JSON_SCHEMA, "old": "a", "new": "b", "summary": {"breaking": 0, "warning": 0, "info": 0, "total": 0}, "changes": [], "groups": []}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "schema": "xproblems-diff/2"})
    bad_change = {"severity": "fatal", "kind": "type-added", "key": "k", "subject": "type", "old": None, "new": None, "message": "m"}
    assert not validator.is_valid({**good, "changes": [bad_change]})
