"""YAML is read with YAML 1.2 core-schema scalars, as OpenAPI recommends.

Each value is kept as the JSON value YAML 1.2 gives it, or refused exactly as the JSON
reader refuses the same value; and a YAML spec generates the same bytes as its JSON twin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from xproblems.load import parse_bytes
from xproblems.pipeline import render_request
from xproblems.request import Request
from xproblems.resources import default_supplement

from .conftest import SPECS, oneof_shape, openapi


def _yaml(value_text: str) -> tuple[Any, list[str]]:
    doc, diags = parse_bytes(f"v: {value_text}\n".encode(), "t.yaml", yaml_syntax=True)
    return (doc["v"] if doc is not None else None), [d.render() for d in diags]


#: YAML 1.1 would give a datetime, a date, booleans, an int or a sexagesimal int; YAML 1.2 a string.
STRINGS = [
    "2021-01-06T18:40:40.000Z",
    "2021-01-06 18:40:40",
    "2021-01-06",
    "yes", "no", "on", "off", "Yes", "NO", "On", "OFF", "y", "n",
    "1_000", "1:30", "190:20:30", "0b1010", "+0x1F", "0o", "0x", ".", "~a", "nulls",
    "=",
]  # fmt: skip


@pytest.mark.parametrize("text", STRINGS)
def test_yaml_1_1_only_scalars_are_strings(text: str) -> None:
    assert _yaml(text) == (text, [])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0o17", 15), ("0x1F", 31), ("-12", -12), ("+12", 12), ("017", 17), ("1.5", 1.5), ("1e3", 1000.0),
        (".5", 0.5), ("-.5", -0.5), ("5.", 5.0), ("true", True), ("False", False), ("TRUE", True), ("null", None),
        ("~", None), ("", None), ("'2021-01-06'", "2021-01-06"), ('"yes"', "yes"),
    ],
)  # fmt: skip
def test_yaml_1_2_core_scalars(text: str, value: Any) -> None:
    got, diags = _yaml(text)
    assert diags == [] and got == value and type(got) is type(value)


@pytest.mark.parametrize(("text", "json_text"), [(".inf", "Infinity"), ("-.Inf", "-Infinity"), (".nan", "NaN"), (".NAN", "NaN")])
def test_non_finite_floats_are_refused_as_json_refuses_them(text: str, json_text: str) -> None:
    got, diags = _yaml(text)
    json_doc, json_diags = parse_bytes(f'{{"v": {json_text}}}'.encode(), "t.json")
    assert got is None and json_doc is None
    assert len(diags) == 1 and "t.yaml: /v:" in diags[0] and "not valid JSON" in diags[0]
    assert len(json_diags) == 1 and "t.json: /v:" in json_diags[0].render()


def test_huge_integers_are_refused_before_conversion_as_json_refuses_them() -> None:
    for text in ("9" * 100, "0x" + "f" * 4000, "0o" + "7" * 5000):
        got, diags = _yaml(text)
        assert got is None and len(diags) == 1 and "/v: integer with" in diags[0] and "is too large" in diags[0], diags
    json_doc, json_diags = parse_bytes(b'{"v": ' + b"9" * 100 + b"}", "t.json")
    assert json_doc is None and "/v: integer with 100 digits is too large" in json_diags[0].render()


@pytest.mark.parametrize(
    ("text", "tag"),
    [("!!binary aGVsbG8=", "binary"), ("!!timestamp 2021-01-06", "timestamp"), ("!!set {a, b}", "set"), ("!!python/object:os.system x", "python/object:os.system")],
)
def test_tags_beyond_json_data_are_refused_with_their_pointer(text: str, tag: str) -> None:
    got, diags = _yaml(text)
    assert got is None and diags == [f"error: t.yaml: /v: YAML tag 'tag:yaml.org,2002:{tag}' is not plain JSON data (line 1)"]


def test_scalar_keys_are_their_text_as_in_json() -> None:
    doc, diags = parse_bytes(b"responses:\n  200: {}\n  on: {}\n  2021-01-06: {}\n", "t.yaml", yaml_syntax=True)
    assert diags == [] and doc == {"responses": {"200": {}, "on": {}, "2021-01-06": {}}}


def _generate(spec: Path) -> dict[str, str]:
    req = Request(spec, None, (), default_supplement(), Path("unused"), "x_problems")
    files, diags = render_request(req)
    assert files is not None, [d.render() for d in diags]
    files.pop("x_problems/_manifest.json")  # names the spec file and its digest
    return files


def _twins(tmp_path: Path, doc: dict[str, Any]) -> tuple[Path, Path]:
    as_json, as_yaml = tmp_path / "spec.json", tmp_path / "spec.yaml"
    as_json.write_text(json.dumps(doc), encoding="utf-8")
    as_yaml.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return as_json, as_yaml


def test_a_yaml_spec_and_its_json_twin_generate_the_same_bytes(tmp_path: Path) -> None:
    members = {
        "UsageCappedProblem": ("usage-capped", {"period": {"type": "string", "enum": ["Daily", "Monthly"], "example": "2021-01-06"}}),
        "ClientForbiddenProblem": ("client-forbidden", {"reason": {"type": "string", "description": "on, off, yes: 1_000"}}),
    }
    as_json, as_yaml = _twins(tmp_path, openapi(oneof_shape(members), version="2.99"))
    assert _generate(as_yaml) == _generate(as_json)


@pytest.mark.slow
def test_x_s_published_spec_as_yaml_generates_the_same_bytes_as_the_json(tmp_path: Path) -> None:
    published = SPECS / "x-api-v2-2.167.json"
    if not published.is_file():
        pytest.skip("../shared/specs not present")
    as_json, as_yaml = _twins(tmp_path, json.loads(published.read_text(encoding="utf-8")))
    assert _generate(as_yaml) == _generate(as_json)
