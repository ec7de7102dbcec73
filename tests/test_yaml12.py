"""YAML is read with YAML 1.2 core-schema scalars, as OpenAPI recommends.

Each value is kept as the JSON value YAML 1.2 gives it, or refused exactly as the JSON
reader refuses the same value; and a YAML spec generates the same bytes as its JSON twin.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from xproblems.load import parse_bytes, parse_yaml, yaml_events
from xproblems.pipeline import render_request
from xproblems.request import Request
from xproblems.resources import default_supplement

from .conftest import SPECS, oneof_shape, openapi

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "hostile"


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


# --- explicit tags, the non-specific tag, aliases --------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("!!int '12'", 12), ("!!float 1", 1.0), ("!!bool TRUE", True), ("!!null ''", None), ("!!str 12", "12"), ("! 12", "12"), ("! true", "true"), ("! [1]", [1])],
)
def test_explicit_tags_take_their_core_schema_form(text: str, value: Any) -> None:
    """``!`` is YAML's non-specific tag: a scalar carrying it is a string, never resolved."""
    got, diags = _yaml(text)
    assert diags == [] and got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!!bool maybe", "invalid YAML value: !!bool 'maybe' (line 1)"),  # was a KeyError: exit 3
        ("!!int 1_000", "invalid YAML value: !!int '1_000' (line 1)"),  # was 1000: int() takes "_"
        ("!!float ' 1'", "invalid YAML value: !!float ' 1' (line 1)"),
        ("!!null x", "invalid YAML value: !!null 'x' (line 1)"),
        ("!!map x", "invalid YAML value: !!map 'x' (line 1)"),
        ("!!str {a: 1}", "invalid YAML value: !!str on a mapping (line 1)"),
        ("!!seq {a: 1}", "invalid YAML value: !!seq on a mapping (line 1)"),
    ],
)
def test_a_tagged_scalar_outside_its_form_is_refused_with_its_pointer(text: str, message: str) -> None:
    assert _yaml(text) == (None, [f"error: t.yaml: /v: {message}"])


def test_an_alias_of_a_key_is_the_scalar_and_a_key_is_its_text() -> None:
    doc, diags = parse_bytes(b"&a 5: *a\n&b x: *b\n", "t.yaml", yaml_syntax=True)
    assert diags == [] and doc == {"5": 5, "x": "x"}


def test_aliases_past_the_limit_are_refused_where_the_first_extra_one_is() -> None:
    text = "a: &x 1\nl: [" + ", ".join(["*x"] * 65) + "]\n"
    assert _yaml_doc(text) == (None, ["error: t.yaml: /l/64: more than 64 YAML aliases"])


def _yaml_doc(text: str, *, libyaml: bool = True) -> tuple[Any, list[str]]:
    doc, diags = parse_yaml(text, "t.yaml", libyaml=libyaml)
    return doc, [d.render() for d in diags]


# --- libyaml reads, PyYAML's parser decides what libyaml refuses ----------------------


def test_nesting_past_the_bound_is_one_message_not_a_crash() -> None:
    """libyaml stops at 1,000 levels; the pure-Python parser then reads it, and the reader
    stops at MAX_YAML_NESTING (no recursion anywhere: no RecursionError, no C stack)."""
    for libyaml in (True, False):
        assert _yaml_doc("x: " + "[" * 50_000, libyaml=libyaml) == (None, ["error: t.yaml: /: YAML nested too deeply"])
    assert _yaml_doc("x: " + "[" * 150 + "]" * 150)[1] == ["error: t.yaml: /x" + "/0" * 99 + ": nested deeper than 100 levels"]


def test_what_libyaml_refuses_pyyaml_s_parser_reads_as_before() -> None:
    """libyaml refuses the escape of a lone surrogate; PyYAML's parser reads it, and the
    generator shows it safely (tests/hostile/105-supp-strings-hostile)."""
    assert _yaml_doc('v: "lone \\ud800"') == ({"v": "lone \ud800"}, [])
    assert _yaml_doc("{a: 1")[1] == ["error: t.yaml: /: invalid YAML at line 1 column 6: expected ',' or '}', but got '<stream end>'"]


def _corpus() -> list[str]:
    texts = [f"v: {t}\n" for t in STRINGS] + [p.read_bytes().decode("utf-8", "replace") for p in sorted(HOSTILE.glob("*/*.yaml"))]
    texts.append((ROOT / "specs" / "supplement.yaml").read_text(encoding="utf-8"))
    rnd = random.Random(14)
    scalars = ["x", "yes", "1.5", "12", "", "a: b", "#c", "- d", "null", "true", 3, -7, 2.5, True, None, "é ü", "0x1F", "1_000", "~", "<<", "a\nb", "2021-01-06"]

    def value(depth: int) -> Any:
        roll = rnd.random()
        if depth > 3 or roll < 0.4:
            return rnd.choice(scalars)
        if roll < 0.7:
            return {f"{rnd.choice(['k', '200', 'on', 'a b'])}{i}": value(depth + 1) for i in range(rnd.randint(0, 4))}
        return [value(depth + 1) for _ in range(rnd.randint(0, 4))]

    for _ in range(200):
        texts.append(yaml.safe_dump({"root": value(0)}, default_flow_style=rnd.choice([None, True, False]), allow_unicode=True))
    return texts


def test_libyaml_and_pyyaml_s_parser_read_the_same() -> None:
    """The same values and the same refusals, whichever parser produced the events."""
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml: only the pure-Python parser runs")
    for text in _corpus():
        assert _yaml_doc(text) == _yaml_doc(text, libyaml=False), text[:200]


def test_without_libyaml_the_pure_python_parser_reads_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    assert type(yaml_events("a: 1")).__name__ == "PythonEvents"
    assert _yaml_doc("a: [1, '2', 0x1F]\nb: !!binary x\n") == (None, ["error: t.yaml: /b: YAML tag 'tag:yaml.org,2002:binary' is not plain JSON data (line 2)"])
    assert _yaml_doc("a: [1, '2', 0x1F]\n") == ({"a": [1, "2", 31]}, [])
