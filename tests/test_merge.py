"""Each merge rule of the README, on small specs and a small supplement, then on X's specs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from xproblems.merge import merge
from xproblems.model import OBSERVED, Catalogue, Citation, DocumentedStatus, Observation, ProblemType
from xproblems.names import problem_key
from xproblems.pipeline import build_catalogue, load_spec
from xproblems.resources import default_supplement
from xproblems.runtime_source import RESERVED_ATTRS, RESERVED_NAMES
from xproblems.supplement import load_supplement

from .conftest import VERSIONS, allof_shape, oneof_shape, openapi, spec_path

DEFAULT_SUPPLEMENT = default_supplement()

STR = {"type": "string"}
PAGE = "Doc page"
DOC_TEXT = "Usage capped. A problem about usage caps. The shape problem. Docs say so."


def supplement(tmp_path: Path, problems: list[dict[str, Any]]) -> Path:
    """A minimal valid supplement whose citations all quote DOC_TEXT."""
    cite = {"page": PAGE, "quote": "Docs say so."}
    doc = {
        "pages": [{"title": PAGE, "file": "page.txt"}],
        "statuses": [
            {"code": 429, "text": "Too Many Requests", "class_name": "TooManyRequests", "description": "d", "tip": None, "retryable": True, "cite": cite},
        ],
        "problems": problems,
        "partial_errors": cite,
    }
    path = tmp_path / "supplement.yaml"
    path.write_text(json.dumps(doc), encoding="utf-8")  # JSON is YAML
    return path


def build(tmp_path: Path, spec: dict[str, Any], problems: list[dict[str, Any]], also: list[dict[str, Any]] = ()) -> tuple[Catalogue, list[str]]:  # type: ignore[assignment]
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    olds = []
    for index, old in enumerate(also):
        path = tmp_path / f"old{index}.json"
        path.write_text(json.dumps(old), encoding="utf-8")
        olds.append(path)
    cat, diags = build_catalogue(spec_file, also=olds, supplement=supplement(tmp_path, problems))
    assert cat is not None, [d.render() for d in diags]
    return cat, [d.message for d in diags if d.level == "warning"]


def by_key(cat: Catalogue, key: str) -> ProblemType:
    return next(p for p in cat.problems if p.key == key)


def cited(uri: str, class_name: str, **extra: Any) -> dict[str, Any]:
    return {"uri": uri, "class_name": class_name, "cite": {"page": PAGE, "quote": "Docs say so."}, **extra}


def test_rule1_hosts_name_the_same_type(tmp_path: Path) -> None:
    spec = openapi(allof_shape({"UsageProblem": ("usage-capped", {})}, host="api.twitter.com"))
    cat, _ = build(tmp_path, spec, [cited("https://api.X.com/2/problems/usage-capped", "UsageCapExceededProblem", title="Usage Capped Problem")])
    assert [p.key for p in cat.problems] == ["usage-capped"]
    problem = cat.problems[0]
    assert problem.uris_seen == ("https://api.X.com/2/problems/usage-capped", "https://api.twitter.com/2/problems/usage-capped")
    assert problem.class_name == "UsageCapExceededProblem" and problem.title == "Usage Capped Problem"
    assert problem_key("https://api.x.com/2/problems/usage-capped") == problem_key("HTTPS://API.TWITTER.COM/2/problems/usage-capped/")


def test_rule2_spec_is_authoritative_for_shape_supplement_adds(tmp_path: Path) -> None:
    spec = openapi(oneof_shape({"CFProblem": ("client-forbidden", {"reason": {"type": "string", "enum": ["a"]}})}))
    extra = [
        {"name": "reason", "kind": "integer", "description": "docs think it is a number", "cite": {"page": PAGE, "quote": "Docs say so."}},
        {"name": "client_id", "kind": "string", "description": "the app", "cite": {"page": PAGE, "quote": "Docs say so."}},
    ]
    problems = [
        cited("https://api.X.com/2/problems/client-forbidden", "ClientForbiddenProblem", extra_fields=extra),
        cited("https://api.X.com/2/problems/rule-length", "RuleLengthProblem", title="Rule Length Problem"),
    ]
    cat, warnings = build(tmp_path, spec, problems)
    forbidden = by_key(cat, "client-forbidden")
    assert [(f.name, f.kind, f.enum) for f in forbidden.fields] == [("reason", "string", "Reason"), ("client_id", "string", None)]
    assert forbidden.fields[1].sources == (PAGE,)
    assert "conflict for 'client-forbidden': field 'reason': 'Doc page' says integer, spec says string" in warnings  # rule 4
    assert [c.subject for c in cat.conflicts] == ["field 'reason'"]
    docs_only = by_key(cat, "rule-length")
    assert not docs_only.retired and docs_only.sources == (PAGE,) and docs_only.uri == "https://api.x.com/2/problems/rule-length"


def test_rule3_also_keeps_dropped_types_fields_and_values_as_retired(tmp_path: Path) -> None:
    old = openapi(allof_shape({
        "GoneProblem": ("gone", {}),
        "KeptProblem": ("kept", {"dropped": STR, "kind": {"type": "string", "enum": ["x", "y"]}}),
    }), version="1.0")
    new = openapi(oneof_shape({"KeptProblem": ("kept", {"kind": {"type": "string", "enum": ["x", "z"]}})}), version="2.0")
    cat, _ = build(tmp_path, new, [], also=[old])
    assert cat.also_versions == ("1.0",)
    assert by_key(cat, "gone").retired and by_key(cat, "gone").sources == ("spec 1.0",)
    kept = by_key(cat, "kept")
    assert not kept.retired
    assert [(f.name, f.retired) for f in kept.fields] == [("kind", False), ("dropped", True)]
    kind = next(e for e in cat.enums if e.field_name == "kind")
    assert [(v.value, v.retired) for v in kind.values] == [("x", False), ("z", False), ("y", True)]
    without, _ = build(tmp_path, new, [])
    assert [p.key for p in without.problems] == ["kept"]


def test_rule4_title_conflict_is_listed_and_generation_goes_on(tmp_path: Path) -> None:
    schemas = oneof_shape({"AProblem": ("a", {})})
    schemas["AProblem"]["title"] = "Spec Title"
    cat, warnings = build(tmp_path, openapi(schemas), [cited("https://api.x.com/2/problems/a", "AProblem", title="Docs Title")])
    assert cat.problems[0].title == "Spec Title"
    assert [(c.key, c.subject) for c in cat.conflicts] == [("a", "title")]
    assert "conflict for 'a': title: spec says 'Spec Title', docs say 'Docs Title'" in warnings


def test_conflict_messages_cut_long_values(tmp_path: Path) -> None:
    schemas = oneof_shape({"AProblem": ("a", {})})
    schemas["AProblem"]["title"] = "S" * 20000
    cat, warnings = build(tmp_path, openapi(schemas), [cited("https://api.x.com/2/problems/a", "AProblem", title="D" * 20000)])
    assert cat.problems[0].title == "S" * 20000  # the value itself is kept whole
    assert max(len(w) for w in warnings) < 200


def test_rule5_pinned_names_survive_schema_renames(tmp_path: Path) -> None:
    old = openapi(allof_shape({"ResourceUnauthorizedProblem": ("not-authorized-for-resource", {})}), version="1.0")
    new = openapi(oneof_shape({"NotAuthorizedForResourceProblem": ("not-authorized-for-resource", {})}), version="2.0")
    pin = {"uri": "https://api.x.com/2/problems/not-authorized-for-resource", "class_name": "NotAuthorizedForResourceProblem", "cite": None}
    cat, _ = build(tmp_path, new, [pin], also=[old])
    problem = cat.problems[0]
    assert problem.class_name == "NotAuthorizedForResourceProblem"
    assert [a.name for a in problem.aliases] == ["ResourceUnauthorizedProblem"]
    assert problem.schema_names == ("NotAuthorizedForResourceProblem", "ResourceUnauthorizedProblem")


def test_unpinned_names_come_from_the_schema_and_collisions_get_suffixes(tmp_path: Path) -> None:
    spec = openapi(oneof_shape({"AB": ("a-b", {}), "A_B": ("a_b", {}), "TooManyRequests": ("x", {})}))
    cat, _ = build(tmp_path, spec, [])
    names = sorted(p.class_name for p in cat.problems)
    assert names == ["AB", "AB2", "TooManyRequests2"]  # the status class keeps its name
    assert len({p.member for p in cat.problems}) == 3


def test_pinned_only_entries_do_not_invent_types(tmp_path: Path) -> None:
    spec = openapi(oneof_shape({"AProblem": ("a", {})}))
    pin = {"uri": "https://api.x.com/2/problems/ghost", "class_name": "GhostProblem", "cite": None}
    cat, _ = build(tmp_path, spec, [pin])
    assert [p.key for p in cat.problems] == ["a"]


def test_supplement_enum_values_extend_a_declared_field(tmp_path: Path) -> None:
    """Values a cited extra field lists that no spec does come after the spec's and the retired
    ones (they were dropped before); a field whose kind the docs get wrong takes none."""
    old = openapi(allof_shape({"KProblem": ("k", {"kind": {"type": "string", "enum": ["x", "y"]}, "n": {"type": "integer"}})}), version="1.0")
    new = openapi(oneof_shape({"KProblem": ("k", {"kind": {"type": "string", "enum": ["x", "z"]}, "n": {"type": "integer"}})}), version="2.0")
    extra = [
        {"name": "kind", "kind": "string", "description": "d", "enum_values": ["w", "y", "x"], "cite": {"page": PAGE, "quote": "Docs say so."}},
        {"name": "n", "kind": "string", "description": "d", "enum_values": ["one"], "cite": {"page": PAGE, "quote": "Docs say so."}},
    ]
    cat, _ = build(tmp_path, new, [cited("https://api.x.com/2/problems/k", "KProblem", extra_fields=extra)], also=[old])
    kind, n = by_key(cat, "k").fields
    assert kind.enum_values == ("x", "z", "y", "w") and kind.retired_values == ("y",)
    assert dict(kind.value_versions)["w"] == ()  # no spec lists it: errors.md says "docs"
    assert kind.sources == ("spec", PAGE)
    enum = next(e for e in cat.enums if e.field_name == "kind")
    assert [(v.value, v.retired) for v in enum.values] == [("x", False), ("z", False), ("y", True), ("w", False)]
    assert (n.kind, n.enum_values, n.enum) == ("integer", (), None)


# --- observed facts (issue 16): evidence below the spec and the docs ------------------------

OBS = {"files": ["a.jsonl"], "count": 3, "first_seen": "2020-06-18T15:25:01Z", "last_seen": "2020-07-09T15:57:37Z"}
OBSERVATION = Observation(("a.jsonl",), 3, "2020-06-18T15:25:01Z", "2020-07-09T15:57:37Z")


def observed_field(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "kind": kind, "description": "seen in traffic", "observed": OBS, **extra}


def test_observed_field_kind_loses_to_the_spec(tmp_path: Path) -> None:
    spec = openapi(oneof_shape({"CFProblem": ("client-forbidden", {"reason": {"type": "string", "enum": ["a"]}})}))
    extra = [observed_field("reason", "integer", enum_values=["b"]), observed_field("errors", "array")]
    cat, warnings = build(tmp_path, spec, [{"uri": "https://api.x.com/2/problems/client-forbidden", "class_name": "CFProblem", "cite": None, "extra_fields": extra}])
    reason, errors = by_key(cat, "client-forbidden").fields
    assert (reason.kind, reason.enum_values, reason.observed_values, reason.description) == ("string", ("a",), (), None)
    assert reason.sources == ("spec", OBSERVED) and reason.observation == OBSERVATION
    assert "conflict for 'client-forbidden': field 'reason': observed says integer, spec says string" in warnings
    assert [c.detail for c in cat.conflicts] == ["observed says integer, spec says string"]
    assert (errors.kind, errors.sources, errors.required, errors.retired, errors.spec_versions) == ("array", (OBSERVED,), False, False, ())


def test_observed_enum_values_come_last_and_are_recorded(tmp_path: Path) -> None:
    old = openapi(allof_shape({"KProblem": ("k", {"kind": {"type": "string", "enum": ["x", "y"]}})}), version="1.0")
    new = openapi(oneof_shape({"KProblem": ("k", {"kind": {"type": "string", "enum": ["x"]}})}), version="2.0")
    problems = [
        {"uri": "https://api.x.com/2/problems/k", "class_name": "KProblem", "cite": None, "extra_fields": [observed_field("kind", "string", enum_values=["z", "x", "y", "w"])]},
        # Another type's docs list "w": then it is not a value only traffic shows.
        cited("https://api.x.com/2/problems/d", "DProblem", extra_fields=[{"name": "kind", "kind": "string", "description": "d", "enum_values": ["w"], "cite": {"page": PAGE, "quote": "Docs say so."}}]),
    ]
    cat, _ = build(tmp_path, new, problems, also=[old])
    (kind,) = by_key(cat, "k").fields
    assert kind.enum_values == ("x", "y", "z", "w") and kind.observed_values == ("z", "w")
    assert kind.retired_values == ("y",) and dict(kind.value_versions)["z"] == ()
    enum = next(e for e in cat.enums if e.field_name == "kind")
    assert {v.value: (v.retired, v.observed) for v in enum.values} == {"x": (False, False), "y": (True, False), "z": (False, True), "w": (False, False)}


def test_observed_traffic_unretires_a_field_only_older_specs_declare(tmp_path: Path) -> None:
    old = openapi(allof_shape({"KProblem": ("k", {"dropped": STR, "documented": STR})}), version="1.0")
    new = openapi(oneof_shape({"KProblem": ("k", {})}), version="2.0")
    docs_field = {"name": "documented", "kind": "string", "description": "d", "cite": {"page": PAGE, "quote": "Docs say so."}}
    entry = {"uri": "https://api.x.com/2/problems/k", "class_name": "KProblem", "cite": None, "extra_fields": [observed_field("dropped", "string"), docs_field]}
    cat, _ = build(tmp_path, new, [entry], also=[old])
    fields = {f.name: f for f in by_key(cat, "k").fields}
    dropped, documented = fields["dropped"], fields["documented"]
    assert (dropped.retired, dropped.sources, dropped.spec_versions, dropped.observation) == (False, ("spec 1.0", OBSERVED), ("1.0",), OBSERVATION)
    assert (documented.retired, documented.sources) == (True, ("spec 1.0", PAGE))  # the docs alone do not say the API still sends it
    before, _ = build(tmp_path, new, [], also=[old])
    assert all(f.retired for f in by_key(before, "k").fields)


def test_observed_type_is_included_and_current(tmp_path: Path) -> None:
    old = openapi(allof_shape({"GoneProblem": ("gone", {})}), version="1.0")
    new = openapi(oneof_shape({"AProblem": ("a", {})}), version="2.0")
    problems = [
        {"uri": "https://api.twitter.com/2/problems/seen", "class_name": "SeenProblem", "observed": OBS, "statuses": [{"code": 429, "when": "w", "observed": OBS}], "extra_fields": [observed_field("errors", "array")]},
        {"uri": "https://api.x.com/2/problems/gone", "class_name": "GoneProblem", "cite": None, "observed": OBS},
    ]
    cat, _ = build(tmp_path, new, problems, also=[old])
    seen = by_key(cat, "seen")
    assert (seen.retired, seen.sources, seen.spec_versions, seen.observation) == (False, (OBSERVED,), (), OBSERVATION)
    assert (seen.uri, seen.title, seen.description) == ("https://api.x.com/2/problems/seen", None, None)
    assert seen.statuses == (DocumentedStatus(429, "w", OBSERVATION),)
    gone = by_key(cat, "gone")
    assert (gone.retired, gone.sources, gone.spec_versions) == (False, ("spec 1.0", OBSERVED), ("1.0",))
    without, _ = build(tmp_path, new, [], also=[old])
    assert by_key(without, "gone").retired and "seen" not in {p.key for p in without.problems}


def test_documented_status_wins_over_the_same_observed_code(tmp_path: Path) -> None:
    """The validator refuses one code twice in an entry; a supplement built in code (a merged
    --suggest fragment) may still hold both, and then the docs' entry is the one kept."""
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(openapi(oneof_shape({"AProblem": ("a", {})}))), encoding="utf-8")
    current, _ = load_spec(spec_file)
    docs_status = {"code": 429, "when": "documented", "cite": {"page": PAGE, "quote": "Docs say so."}}
    supp, diags = load_supplement(supplement(tmp_path, [cited("https://api.x.com/2/problems/a", "AProblem", statuses=[docs_status])]))
    assert current is not None and supp is not None, diags
    (problem,) = supp.problems
    seen = [DocumentedStatus(429, "seen", OBSERVATION), DocumentedStatus(400, "seen too", OBSERVATION)]
    both = dataclasses.replace(supp, problems=(dataclasses.replace(problem, statuses=(seen[0], *problem.statuses, seen[1])),))
    cat, _ = merge(current, [], both, reserved_attrs=RESERVED_ATTRS, reserved_names=RESERVED_NAMES)
    assert [(s.code, s.when, isinstance(s.cite, Citation)) for s in cat.problems[0].statuses] == [(429, "documented", True), (400, "seen too", False)]


# --- on X's real specs and the real supplement --------------------------------------------


def _mapping_keys(version: str) -> set[str]:
    doc = json.loads(spec_path(version).read_text())
    return {problem_key(uri) for uri in doc["components"]["schemas"]["Problem"]["discriminator"]["mapping"]}


DOCS_TABLE = {
    "about:blank", "invalid-request", "resource-not-found", "not-authorized-for-resource", "client-forbidden",
    "disallowed-resource", "unsupported-authentication", "usage-capped", "streaming-connection",
    "client-disconnected", "operational-disconnect", "rule-cap", "rule-length", "invalid-rules", "duplicate-rules",
}


def test_2167_alone_gives_its_types_plus_the_docs_table() -> None:
    cat, _diags = build_catalogue(spec_path("2.167"), supplement=DEFAULT_SUPPLEMENT)
    assert cat is not None
    assert {p.key for p in cat.problems} == _mapping_keys("2.167") | DOCS_TABLE
    assert not any(p.retired for p in cat.problems)


def test_2167_also_older_gives_every_type_any_spec_knows() -> None:
    cat, _ = build_catalogue(spec_path("2.167"), also=[spec_path(v) for v in VERSIONS[:3]], supplement=DEFAULT_SUPPLEMENT)
    assert cat is not None
    everything = set().union(*(_mapping_keys(v) for v in VERSIONS)) | DOCS_TABLE
    assert {p.key for p in cat.problems} == everything
    retired = {p.key for p in cat.problems if p.retired}
    assert retired == {"conflict", "noncompliant-rules", "oauth1-permissions", "resource-unavailable"} - _mapping_keys("2.167")


def test_required_comes_from_the_current_spec_only() -> None:
    cat, _ = build_catalogue(spec_path("2.167"), also=[spec_path(v) for v in VERSIONS[:3]], supplement=DEFAULT_SUPPLEMENT)
    assert cat is not None
    required = [(p.key, f.name, f.sources) for p in cat.problems for f in p.fields if f.required]
    assert required and all("spec" in sources for _, _, sources in required)
    parameter = next(f for f in by_key(cat, "resource-unavailable").fields if f.name == "parameter")
    assert parameter.retired and not parameter.required  # 2.159 required it; 2.167 dropped it


@pytest.mark.parametrize("also", [(), ("2.159",)])
def test_the_field_unauthorized_reshuffle_keeps_old_imports_meaning_the_same(also: tuple[str, ...]) -> None:
    cat, _ = build_catalogue(spec_path("2.167"), also=[spec_path(v) for v in also], supplement=DEFAULT_SUPPLEMENT)
    assert cat is not None
    field = by_key(cat, "not-authorized-for-field")
    new = by_key(cat, "field-unauthorized")
    assert field.class_name == "NotAuthorizedForFieldProblem" and "FieldUnauthorizedProblem" in [a.name for a in field.aliases]
    assert new.class_name == "UnauthorizedFieldProblem" and not new.aliases
    resource = by_key(cat, "not-authorized-for-resource")
    assert [a.name for a in resource.aliases] == ["ResourceUnauthorizedProblem"]


def test_fields_come_in_the_three_runs_the_readme_describes() -> None:
    """Current spec by JSON name, then older specs only, then docs only (README, naming rules)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "come in three runs: those the current spec declares, by JSON name" in " ".join(readme.split())
    cat, _ = build_catalogue(spec_path("2.167"), also=[spec_path(v) for v in VERSIONS[:3]], supplement=DEFAULT_SUPPLEMENT)
    assert cat is not None
    for p in cat.problems:
        runs = [0 if "spec" in f.sources else 1 if any(s.startswith("spec ") for s in f.sources) else 2 for f in p.fields]
        assert runs == sorted(runs), (p.key, [f.name for f in p.fields])
        current = [f.name for f in p.fields if "spec" in f.sources]
        assert current == sorted(current), p.key
    forbidden = by_key(cat, "client-forbidden")
    assert [f.name for f in forbidden.fields] == ["reason", "registration_url", "client_id", "required_enrollment"]


def test_a_schema_left_out_of_one_spec_is_warned_about_only_when_the_output_lacks_it() -> None:
    """2.159 has Oauth1PermissionsProblem outside its union; 2.134 (history) lists it."""
    alone, diags = build_catalogue(spec_path("2.159"), supplement=DEFAULT_SUPPLEMENT, validate=False)
    assert alone is not None and "oauth1-permissions" not in {p.key for p in alone.problems}
    assert [d.pointer for d in diags if "left out" in d.message] == ["/components/schemas/Oauth1PermissionsProblem"]
    merged, diags = build_catalogue(spec_path("2.159"), also=[spec_path("2.134")], supplement=DEFAULT_SUPPLEMENT, validate=False)
    assert merged is not None and by_key(merged, "oauth1-permissions").class_name == "Oauth1PermissionsProblem"
    assert not [d for d in diags if "left out" in d.message]
