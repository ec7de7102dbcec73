"""Extraction of problem types from every spec shape, real and synthetic."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from xproblems.extract import extract
from xproblems.load import load_document
from xproblems.pipeline import load_spec

from .conftest import allof_shape, oneof_shape, openapi, spec_path

STR = {"type": "string"}


def _extract(doc: dict[str, Any]) -> tuple[Any, list[Any]]:
    return extract(doc, "s.json", "0" * 64)


def _uris(cat: Any) -> list[str]:
    return [p.uri for p in cat.problems]


@pytest.mark.parametrize(
    ("version", "count"),
    [("2.134", 19), ("2.152", 18), ("2.159", 18), ("2.167", 9)],
)
def test_real_specs_give_every_mapping_type(version: str, count: int) -> None:
    doc, _ = load_document(spec_path(version))
    cat, diags = _extract(doc)
    assert cat is not None and all(d.level == "warning" for d in diags)
    mapping = doc["components"]["schemas"]["Problem"]["discriminator"]["mapping"]
    assert sorted(_uris(cat)) == sorted(mapping) and len(cat.problems) == count


def test_oauth1_outside_the_mapping_is_noted_not_a_type() -> None:
    """Extraction records it; merge warns only if the merged output lacks it (test_merge)."""
    cat, diags = load_spec(spec_path("2.159"))
    assert cat is not None
    assert not any("oauth1" in u for u in _uris(cat))
    assert cat.unreached == (("Oauth1PermissionsProblem", "/components/schemas/Oauth1PermissionsProblem"),)
    assert not [d for d in diags if d.level == "warning"]


def test_fields_of_an_allof_subtype_carry_type_required_enum_format() -> None:
    cat, _ = load_spec(spec_path("2.159"))
    assert cat is not None
    forbidden = next(p for p in cat.problems if p.uri.endswith("client-forbidden"))
    reason, url = forbidden.fields
    assert (reason.name, reason.kind, reason.required, reason.enum_values) == (
        "reason", "string", False, ("official-client-forbidden", "client-not-enrolled"),
    )
    assert (url.name, url.format) == ("registration_url", "uri")
    found = next(p for p in cat.problems if p.uri.endswith("resource-not-found"))
    assert [(f.name, f.required) for f in found.fields] == [
        ("parameter", True), ("resource_id", True), ("resource_type", True), ("value", True),
    ]
    assert found.description == "A problem that indicates that a given Tweet, User, etc. does not exist."


def test_2152_and_2159_share_the_problem_digest_and_2167_differs() -> None:
    digests = {v: load_spec(spec_path(v))[0].problems_digest for v in ("2.152", "2.159", "2.167")}  # type: ignore[union-attr]
    assert digests["2.152"] == digests["2.159"] != digests["2.167"]


def test_streaming_endpoints_are_found() -> None:
    cat, _ = load_spec(spec_path("2.167"))
    assert cat is not None
    paths = {e.path for e in cat.streaming}
    assert "/2/tweets/sample/stream" in paths and all(e.method == "GET" for e in cat.streaming)


def test_allof_shape() -> None:
    doc = openapi(allof_shape({"AProblem": ("a", {"x": STR}), "BProblem": ("b", {})}))
    cat, diags = _extract(doc)
    assert diags == [] and _uris(cat) == ["https://api.twitter.com/2/problems/a", "https://api.twitter.com/2/problems/b"]
    assert [f.name for f in cat.problems[0].fields] == ["x"]


def test_oneof_flat_shape_with_and_without_mapping() -> None:
    for mapping in (True, False):
        doc = openapi(oneof_shape({"AProblem": ("a", {"x": {"type": "integer"}})}, mapping=mapping))
        cat, diags = _extract(doc)
        assert diags == [], diags
        assert _uris(cat) == ["https://api.x.com/2/problems/a"]
        assert [(f.name, f.kind) for f in cat.problems[0].fields] == [("x", "integer")]


def test_oneof_of_allof_compositions_of_shared_fields_and_a_pin() -> None:
    schemas = {
        "Problem": {"oneOf": [{"$ref": "#/components/schemas/AProblem"}]},
        "Shared": {"type": "object", "properties": {"title": STR, "detail": STR, "shared": STR}, "required": ["shared"]},
        "AProblem": {
            "allOf": [
                {"$ref": "#/components/schemas/Shared"},
                {"type": "object", "properties": {"type": {"type": "string", "enum": ["https://api.x.com/2/problems/a"]}, "own": STR}},
            ]
        },
    }
    cat, diags = _extract(openapi(schemas))
    assert diags == []
    assert _uris(cat) == ["https://api.x.com/2/problems/a"]
    assert sorted((f.name, f.required) for f in cat.problems[0].fields) == [("own", False), ("shared", True)]


def test_discriminator_without_mapping_uses_schema_names() -> None:
    schemas = allof_shape({"AProblem": ("a", {"x": STR})})
    del schemas["Problem"]["discriminator"]["mapping"]
    cat, diags = _extract(openapi(schemas))
    assert diags == [] and _uris(cat) == ["AProblem"]


def test_openapi_31_type_lists_and_const() -> None:
    schemas = oneof_shape({"AProblem": ("a", {"n": {"type": ["integer", "null"]}})}, mapping=False)
    schemas["AProblem"]["properties"]["type"] = {"const": "https://api.x.com/2/problems/a"}
    cat, diags = _extract(openapi(schemas, openapi_version="3.1.0"))
    assert diags == [] and _uris(cat) == ["https://api.x.com/2/problems/a"]
    assert cat.problems[0].fields[0].kind == "integer"


def test_mapping_key_and_type_enum_disagree() -> None:
    schemas = oneof_shape({"AProblem": ("a", {})})
    schemas["AProblem"]["properties"]["type"]["enum"] = ["https://api.x.com/2/problems/other"]
    cat, diags = _extract(openapi(schemas))
    assert cat is None
    assert [d.pointer for d in diags] == ["/components/schemas/Problem/discriminator/mapping/https:~1~1api.x.com~12~1problems~1a"]
    assert "disagrees" in diags[0].message


def test_mapping_to_a_missing_schema() -> None:
    schemas = allof_shape({"AProblem": ("a", {})})
    schemas["Problem"]["discriminator"]["mapping"]["https://api.x.com/2/problems/z"] = "#/components/schemas/Nope"
    cat, diags = _extract(openapi(schemas))
    assert cat is None and "Nope" in diags[0].message


def test_allof_parts_disagreeing_on_a_property_type() -> None:
    schemas = allof_shape({"AProblem": ("a", {"x": STR})})
    schemas["AProblem"]["allOf"].append({"type": "object", "properties": {"x": {"type": "integer"}}})
    cat, diags = _extract(openapi(schemas))
    assert cat is None and diags[0].pointer == "/components/schemas/AProblem/allOf/2/properties/x"


def test_problem_subtype_recursion_is_fine_but_alias_cycles_are_not() -> None:
    schemas = allof_shape({"AProblem": ("a", {})})
    cat, diags = _extract(openapi(schemas))
    assert cat is not None  # AProblem -> Problem -> mapping -> AProblem is X's normal shape
    schemas["Loop1"] = {"$ref": "#/components/schemas/Loop2"}
    schemas["Loop2"] = {"$ref": "#/components/schemas/Loop1"}
    schemas["AProblem"]["allOf"][1]["properties"] = {"x": {"$ref": "#/components/schemas/Loop1"}}
    cat, diags = _extract(openapi(schemas))
    assert cat is None and "reference cycle" in diags[0].message


def test_remote_refs_are_refused(write_json: Callable[[str, Any], Path]) -> None:
    schemas = allof_shape({"AProblem": ("a", {"x": {"$ref": "https://example.invalid/x.json"}})})
    cat, diags = _extract(openapi(schemas))
    assert cat is None and "only local references" in diags[0].message


def test_no_problem_schema() -> None:
    cat, diags = _extract(openapi({"Other": {"type": "object"}}))
    assert cat is None and diags[0].pointer == "/components/schemas"


def test_real_spec_round_trips_through_json(write_json: Callable[[str, Any], Path]) -> None:
    doc = json.loads(spec_path("2.167").read_text())
    cat, _ = _extract(doc)
    assert cat is not None and cat.version == "2.167"
