"""generator.diff on hand-built catalogues: every change kind, its severity, order, renderers."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from xproblems.diff import (
    JSON_SCHEMA,
    RULES,
    SEVERITIES,
    Change,
    diff_catalogues,
    exit_code,
    group_changes,
    render_json,
    render_markdown,
    render_text,
    rules_markdown,
    severity_of,
    sort_changes,
    summary,
)
from xproblems.model import Alias, Catalogue, Citation, EnumType, EnumValue, Field, ProblemType, StatusCode

ROOT = Path(__file__).resolve().parents[1]
CITE = Citation("page", "quote")


def field(name: str, kind: str = "string", *, required: bool = False, enum_values: tuple[str, ...] = (), enum: str | None = None, **extra: object) -> Field:
    """A generated field; ``enum`` defaults to the CamelCase of the name when values are given."""
    enum_name = enum if enum is not None else ("".join(w.capitalize() for w in name.split("_")) if enum_values else None)
    base = Field(name=name, attr=name, kind=kind, required=required, enum=enum_name, enum_values=enum_values, format=None, description=None, sources=("spec",), retired=False)  # type: ignore[arg-type]
    return replace(base, **extra)  # type: ignore[arg-type]


def problem(key: str, class_name: str | None = None, *fields: Field, host: str = "api.x.com", **extra: object) -> ProblemType:
    """A problem type the current spec declares under ``schema`` = class name."""
    name = class_name or "".join(w.capitalize() for w in key.split("-")) + "Problem"
    uri = key if ":" in key else f"https://{host}/2/problems/{key}"
    base = ProblemType(
        key=key,
        uri=uri,
        class_name=name,
        member=key.upper().replace("-", "_").replace(":", "_"),
        title=f"{name} title",
        description=f"{name} description",
        fields=tuple(fields),
        schema_names=(name,),
        uris_seen=(uri,),
        statuses=(),
        labs=(),
        aliases=(),
        sources=("spec",),
        retired=False,
    )
    return replace(base, **extra)  # type: ignore[arg-type]


def enum(field_name: str, *values: str, class_name: str | None = None, retired: tuple[str, ...] = ()) -> EnumType:
    name = class_name or "".join(w.capitalize() for w in field_name.split("_"))
    return EnumType(name, field_name, tuple(EnumValue(v, v.upper(), v in retired) for v in values))


def status(code: int, class_name: str) -> StatusCode:
    return StatusCode(code, "text", class_name, "ClientError" if code < 500 else "ServerError", "d", None, False, "page")


def catalogue(*problems: ProblemType, enums: tuple[EnumType, ...] = (), statuses: tuple[StatusCode, ...] = (), version: str = "1.0") -> Catalogue:
    return Catalogue(
        spec_version=version,
        also_versions=(),
        problems=tuple(problems),
        enums=enums,
        statuses=statuses,
        streaming=(),
        conflicts=(),
        partial_errors=CITE,
        pages=(),
    )


RNF = problem("resource-not-found", "ResourceNotFoundProblem", field("parameter", required=True), field("resource_type", required=True, enum_values=("tweet", "user")))
USAGE = problem("usage-capped", "UsageCapExceededProblem", field("period", enum_values=("Daily", "Monthly")))
GENERIC = problem("about:blank", "GenericProblem")
BASE = catalogue(
    GENERIC,
    RNF,
    USAGE,
    enums=(enum("period", "Daily", "Monthly"), enum("resource_type", "tweet", "user")),
    statuses=(status(429, "TooManyRequests"),),
)


def with_problem(cat: Catalogue, key: str, change: Callable[[ProblemType], ProblemType]) -> Catalogue:
    return replace(cat, problems=tuple(change(p) if p.key == key else p for p in cat.problems))


def with_field(cat: Catalogue, key: str, name: str, change: Callable[[Field], Field]) -> Catalogue:
    def edit(p: ProblemType) -> ProblemType:
        return replace(p, fields=tuple(change(f) if f.name == name else f for f in p.fields))

    return with_problem(cat, key, edit)


def kinds(changes: tuple[Change, ...]) -> list[tuple[str, str, str, str]]:
    return [(c.severity, c.kind, c.key, c.subject) for c in changes]


# --- one scenario per kind -------------------------------------------------------------------

SCENARIOS: dict[str, tuple[Catalogue, Catalogue, list[tuple[str, str, str, str]]]] = {
    "type added": (
        BASE,
        replace(BASE, problems=(*BASE.problems, problem("rule-cap"))),
        [("info", "type-added", "rule-cap", "type")],
    ),
    "type added retired": (
        BASE,
        replace(BASE, problems=(*BASE.problems, problem("rule-cap", retired=True, sources=("spec 0.9",)))),
        [("info", "type-added", "rule-cap", "type")],
    ),
    "type removed": (
        BASE,
        replace(BASE, problems=(GENERIC, RNF)),
        [("breaking", "type-removed", "usage-capped", "type")],
    ),
    "type retired": (
        BASE,
        with_problem(BASE, "usage-capped", lambda p: replace(p, retired=True, sources=("spec 0.9",))),
        [("warning", "type-retired", "usage-capped", "type")],
    ),
    "type unretired": (
        with_problem(BASE, "usage-capped", lambda p: replace(p, retired=True, sources=("spec 0.9",))),
        BASE,
        [("info", "type-unretired", "usage-capped", "type")],
    ),
    "type left the spec, docs keep it": (
        BASE,
        with_problem(BASE, "usage-capped", lambda p: replace(p, sources=("Docs page",))),
        [("warning", "type-left-spec", "usage-capped", "type")],
    ),
    "type entered the spec": (
        with_problem(BASE, "usage-capped", lambda p: replace(p, sources=("Docs page",))),
        BASE,
        [("info", "type-entered-spec", "usage-capped", "type")],
    ),
    "host moved": (
        with_problem(BASE, "usage-capped", lambda p: replace(p, uri="https://api.twitter.com/2/problems/usage-capped")),
        BASE,
        [("warning", "host-changed", "usage-capped", "uri")],
    ),
    "class renamed": (
        BASE,
        with_problem(BASE, "usage-capped", lambda p: replace(p, class_name="UsageCappedProblem")),
        [("breaking", "class-renamed", "usage-capped", "class")],
    ),
    "class renamed, old name aliased": (
        BASE,
        with_problem(BASE, "usage-capped", lambda p: replace(p, class_name="UsageCappedProblem", aliases=(Alias("UsageCapExceededProblem", "n"),))),
        [("info", "alias-added", "usage-capped", "alias UsageCapExceededProblem"), ("warning", "class-renamed-aliased", "usage-capped", "class")],
    ),
    "member renamed": (
        BASE,
        with_problem(BASE, "usage-capped", lambda p: replace(p, member="USAGE_CAP")),
        [("breaking", "member-renamed", "usage-capped", "member")],
    ),
    "alias added": (
        BASE,
        with_problem(BASE, "usage-capped", lambda p: replace(p, aliases=(Alias("UsageProblem", "n"),))),
        [("info", "alias-added", "usage-capped", "alias UsageProblem")],
    ),
    "alias removed": (
        with_problem(BASE, "usage-capped", lambda p: replace(p, aliases=(Alias("UsageProblem", "n"),))),
        BASE,
        [("breaking", "alias-removed", "usage-capped", "alias UsageProblem")],
    ),
    "schema renamed": (
        BASE,
        with_problem(BASE, "usage-capped", lambda p: replace(p, schema_names=("UsageCappedProblem", "UsageCapExceededProblem"))),
        [("info", "schema-renamed", "usage-capped", "schema")],
    ),
    "title and description": (
        BASE,
        with_problem(BASE, "usage-capped", lambda p: replace(p, title="New", description="New words")),
        [("info", "description-changed", "usage-capped", "description"), ("info", "title-changed", "usage-capped", "title")],
    ),
    "field added": (
        BASE,
        with_problem(BASE, "usage-capped", lambda p: replace(p, fields=(*p.fields, field("scope")))),
        [("info", "field-added", "usage-capped", "field scope")],
    ),
    "field removed": (
        BASE,
        with_problem(BASE, "usage-capped", lambda p: replace(p, fields=())),
        [("breaking", "field-removed", "usage-capped", "field period")],
    ),
    "field retired": (
        BASE,
        with_field(BASE, "resource-not-found", "parameter", lambda f: replace(f, retired=True)),
        [("warning", "field-retired", "resource-not-found", "field parameter")],
    ),
    "field unretired": (
        with_field(BASE, "resource-not-found", "parameter", lambda f: replace(f, retired=True)),
        BASE,
        [("info", "field-unretired", "resource-not-found", "field parameter")],
    ),
    "field attribute renamed": (
        BASE,
        with_field(BASE, "resource-not-found", "parameter", lambda f: replace(f, attr="parameter_")),
        [("breaking", "field-attr-renamed", "resource-not-found", "field parameter")],
    ),
    "field kind changed": (
        BASE,
        with_field(BASE, "resource-not-found", "parameter", lambda f: replace(f, kind="integer")),
        [("breaking", "field-kind-changed", "resource-not-found", "field parameter")],
    ),
    "field became optional": (
        BASE,
        with_field(BASE, "resource-not-found", "parameter", lambda f: replace(f, required=False)),
        [("warning", "field-optional", "resource-not-found", "field parameter")],
    ),
    "base member became required": (
        with_problem(BASE, "usage-capped", lambda p: replace(p, base_required=("title", "type"))),
        with_problem(BASE, "usage-capped", lambda p: replace(p, base_required=("detail", "title", "type"))),
        [("warning", "member-required", "usage-capped", "member detail")],
    ),
    "base member became optional": (
        with_problem(BASE, "usage-capped", lambda p: replace(p, base_required=("detail", "title", "type"))),
        with_problem(BASE, "usage-capped", lambda p: replace(p, base_required=("type",))),
        [("warning", "member-optional", "usage-capped", "member detail"), ("warning", "member-optional", "usage-capped", "member title")],
    ),
    "base members of a type that leaves the spec are not compared": (
        with_problem(BASE, "usage-capped", lambda p: replace(p, base_required=("detail", "title", "type"))),
        with_problem(BASE, "usage-capped", lambda p: replace(p, base_required=(), sources=("Docs page",))),
        [("warning", "type-left-spec", "usage-capped", "type")],
    ),
    "field became required": (
        BASE,
        with_field(BASE, "usage-capped", "period", lambda f: replace(f, required=True)),
        [("warning", "field-required", "usage-capped", "field period")],
    ),
    "field lost its enum": (
        BASE,
        with_field(BASE, "usage-capped", "period", lambda f: replace(f, enum=None, enum_values=())),
        [("warning", "field-enum-removed", "usage-capped", "field period")],
    ),
    "field got an enum": (
        with_field(BASE, "usage-capped", "period", lambda f: replace(f, enum=None, enum_values=())),
        BASE,
        [("info", "field-enum-added", "usage-capped", "field period")],
    ),
    "field enum values added and removed": (
        BASE,
        with_field(BASE, "usage-capped", "period", lambda f: replace(f, enum_values=("Daily", "Weekly"))),
        [("warning", "field-enum-values-added", "usage-capped", "field period"), ("warning", "field-enum-values-removed", "usage-capped", "field period")],
    ),
    "field docs": (
        BASE,
        with_field(BASE, "usage-capped", "period", lambda f: replace(f, format="date", description="When")),
        [("info", "field-description-changed", "usage-capped", "field period"), ("info", "field-format-changed", "usage-capped", "field period")],
    ),
    "enum added": (
        BASE,
        replace(BASE, enums=(*BASE.enums, enum("scope", "Account"))),
        [("info", "enum-added", "enum:scope", "enum")],
    ),
    "enum removed": (
        BASE,
        replace(BASE, enums=BASE.enums[1:]),
        [("breaking", "enum-removed", "enum:period", "enum")],
    ),
    "enum renamed": (
        BASE,
        replace(BASE, enums=(enum("period", "Daily", "Monthly", class_name="UsagePeriod"), BASE.enums[1])),
        [("breaking", "enum-renamed", "enum:period", "enum")],
    ),
    "enum value added": (
        BASE,
        replace(BASE, enums=(enum("period", "Daily", "Monthly", "Weekly"), BASE.enums[1])),
        [("warning", "enum-value-added", "enum:period", "value Weekly")],
    ),
    "enum value removed": (
        BASE,
        replace(BASE, enums=(enum("period", "Daily"), BASE.enums[1])),
        [("breaking", "enum-value-removed", "enum:period", "value Monthly")],
    ),
    "enum value retired": (
        BASE,
        replace(BASE, enums=(enum("period", "Daily", "Monthly", retired=("Monthly",)), BASE.enums[1])),
        [("info", "enum-value-retired", "enum:period", "value Monthly")],
    ),
    "enum value unretired": (
        replace(BASE, enums=(enum("period", "Daily", "Monthly", retired=("Monthly",)), BASE.enums[1])),
        BASE,
        [("info", "enum-value-unretired", "enum:period", "value Monthly")],
    ),
    "enum member renamed": (
        BASE,
        replace(BASE, enums=(EnumType("Period", "period", (EnumValue("Daily", "DAY", False), EnumValue("Monthly", "MONTHLY", False))), BASE.enums[1])),
        [("breaking", "enum-member-renamed", "enum:period", "value Daily")],
    ),
    "status added": (
        BASE,
        replace(BASE, statuses=(*BASE.statuses, status(503, "ServiceUnavailable"))),
        [("info", "status-added", "status:503", "class")],
    ),
    "status removed": (
        BASE,
        replace(BASE, statuses=()),
        [("breaking", "status-removed", "status:429", "class")],
    ),
    "status renamed": (
        BASE,
        replace(BASE, statuses=(status(429, "RateLimited"),)),
        [("breaking", "status-renamed", "status:429", "class")],
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_change_kind_and_severity(name: str) -> None:
    old, new, expected = SCENARIOS[name]
    assert kinds(diff_catalogues(old, new)) == expected


def test_every_rule_kind_is_exercised_by_a_scenario() -> None:
    seen = {kind for _, _, expected in SCENARIOS.values() for _, kind, _, _ in expected}
    seen.add("schema-moved")  # test_schema_name_moving_to_another_key
    assert seen == {r.kind for r in RULES}


def test_rules_are_unique_and_severities_valid() -> None:
    assert len({r.kind for r in RULES}) == len(RULES)
    assert all(r.severity in SEVERITIES for r in RULES)
    assert severity_of("type-removed") == "breaking"
    with pytest.raises(KeyError):
        severity_of("no-such-kind")


def test_identical_catalogues_have_no_changes() -> None:
    assert diff_catalogues(BASE, BASE) == ()
    assert diff_catalogues(BASE, replace(BASE, spec_version="2.0", problems=tuple(reversed(BASE.problems)))) == ()


def test_host_comparison_ignores_case_and_uris_seen() -> None:
    new = with_problem(BASE, "usage-capped", lambda p: replace(p, uri="https://api.X.com/2/problems/usage-capped", uris_seen=(p.uri, "https://api.twitter.com/2/problems/usage-capped")))
    assert diff_catalogues(BASE, new) == ()


def test_host_change_message_names_both_hosts() -> None:
    old = with_problem(BASE, "usage-capped", lambda p: replace(p, uri="https://api.twitter.com/2/problems/usage-capped"))
    (change,) = diff_catalogues(old, BASE)
    assert change.old == "https://api.twitter.com/2/problems/usage-capped"
    assert change.new == "https://api.x.com/2/problems/usage-capped"
    assert "api.twitter.com -> api.x.com" in change.message


def test_alias_that_became_the_class_name_is_not_removed() -> None:
    old = with_problem(BASE, "usage-capped", lambda p: replace(p, class_name="UsageProblem", aliases=(Alias("UsageCapExceededProblem", "n"),)))
    assert kinds(diff_catalogues(old, BASE)) == [("breaking", "class-renamed", "usage-capped", "class")]


def test_removed_type_reports_no_field_noise() -> None:
    assert [c.kind for c in diff_catalogues(BASE, replace(BASE, problems=(GENERIC,)))] == ["type-removed", "type-removed"]


def test_schema_name_moving_to_another_key() -> None:
    """The 2.159 -> 2.167 reshuffle: FieldUnauthorizedProblem leaves not-authorized-for-field."""
    naff_old = problem("not-authorized-for-field", "NotAuthorizedForFieldProblem", schema_names=("FieldUnauthorizedProblem",))
    naff_new = problem("not-authorized-for-field", "NotAuthorizedForFieldProblem", schema_names=("NotAuthorizedForFieldProblem", "FieldUnauthorizedProblem"))
    fu_new = problem("field-unauthorized", "UnauthorizedFieldProblem", schema_names=("FieldUnauthorizedProblem",))
    changes = diff_catalogues(catalogue(naff_old), catalogue(fu_new, naff_new))
    assert kinds(changes) == [
        ("warning", "schema-moved", "field-unauthorized", "schema FieldUnauthorizedProblem"),
        ("info", "type-added", "field-unauthorized", "type"),
        ("info", "schema-renamed", "not-authorized-for-field", "schema"),
    ]
    moved = changes[0]
    assert (moved.old, moved.new) == ("not-authorized-for-field", "field-unauthorized")


def test_schema_names_of_types_outside_the_spec_are_ignored() -> None:
    """A docs-only or retired type's schema names come from older specs: not a rename."""
    old = with_problem(BASE, "usage-capped", lambda p: replace(p, sources=("Docs",), schema_names=("OldName",)))
    new = with_problem(BASE, "usage-capped", lambda p: replace(p, sources=("Docs",), schema_names=("Other",)))
    assert diff_catalogues(old, new) == ()


def test_order_is_types_then_enums_then_statuses_each_by_key_kind_subject() -> None:
    new = replace(
        BASE,
        problems=(problem("zz-new"), GENERIC, problem("aa-new")),
        enums=(enum("period", "Daily", "Monthly", "Weekly"),),
        statuses=(status(400, "BadRequest"),),
    )
    changes = diff_catalogues(BASE, new)
    assert [c.key for c in changes] == [
        "aa-new",
        "resource-not-found",
        "usage-capped",
        "zz-new",
        "enum:period",
        "enum:resource_type",
        "status:400",
        "status:429",
    ]
    shuffled = list(changes)
    random.Random(7).shuffle(shuffled)
    assert sort_changes(shuffled) == changes
    assert sort_changes([*changes, *changes]) == changes  # duplicates collapse


def test_result_does_not_depend_on_input_order() -> None:
    old, new, _ = SCENARIOS["field enum values added and removed"]
    reversed_new = replace(new, problems=tuple(reversed(new.problems)), enums=tuple(reversed(new.enums)))
    assert diff_catalogues(old, new) == diff_catalogues(replace(old, problems=tuple(reversed(old.problems))), reversed_new)


# --- exit codes and summaries ----------------------------------------------------------------

ALL_CHANGES = sort_changes(c for old, new, _ in SCENARIOS.values() for c in diff_catalogues(old, new))
INFO_ONLY = diff_catalogues(*SCENARIOS["field added"][:2])
WARNING_ONLY = diff_catalogues(*SCENARIOS["field became required"][:2])


@pytest.mark.parametrize(
    ("changes", "fail_on", "code"),
    [
        ((), "breaking", 0),
        ((), "change", 0),
        ((), "never", 0),
        (INFO_ONLY, "breaking", 0),
        (INFO_ONLY, "change", 1),
        (WARNING_ONLY, "breaking", 0),
        (WARNING_ONLY, "change", 1),
        (ALL_CHANGES, "breaking", 1),
        (ALL_CHANGES, "change", 1),
        (ALL_CHANGES, "never", 0),
    ],
)
def test_exit_code(changes: tuple[Change, ...], fail_on: str, code: int) -> None:
    assert exit_code(changes, fail_on) == code  # type: ignore[arg-type]


def test_exit_code_rejects_unknown_policy() -> None:
    with pytest.raises(ValueError):
        exit_code((), "sometimes")  # type: ignore[arg-type]


def test_summary_counts_every_severity() -> None:
    counts = summary(ALL_CHANGES)
    assert list(counts) == ["breaking", "warning", "info", "total"]
    assert counts["total"] == len(ALL_CHANGES) == counts["breaking"] + counts["warning"] + counts["info"]
    assert summary(()) == {"breaking": 0, "warning": 0, "info": 0, "total": 0}


# --- renderers ---------------------------------------------------------------------------------


def test_text_report() -> None:
    assert render_text(()) == "no changes\n"
    text = render_text(diff_catalogues(*SCENARIOS["type removed"][:2]))
    assert text.splitlines() == [
        "breaking  usage-capped  type-removed: problem type UsageCapExceededProblem (https://api.x.com/2/problems/usage-capped) is gone",
        "1 change(s): 1 breaking, 0 warning, 0 info",
    ]


def test_markdown_report_has_summary_then_a_table_per_severity_present() -> None:
    assert "No changes" in render_markdown((), "1.0", "1.0")
    md = render_markdown(ALL_CHANGES, "2.159", "2.167")
    lines = md.splitlines()
    assert lines[0] == "## X API problem types: `2.159` -> `2.167`"
    assert md.index("| breaking |") < md.index("### Breaking") < md.index("### Warning") < md.index("### Info")
    table_rows = [line for line in lines if line.startswith("| `")]
    assert len(table_rows) == len(group_changes(ALL_CHANGES)) < len(ALL_CHANGES)
    listed = [key.strip("`") for row in table_rows for key in row.split(" | ")[0].removeprefix("| ").split(", ")]
    assert sorted(listed) == sorted(c.key for c in ALL_CHANGES)  # every change's type, once
    assert md.endswith("\n")
    only_info = render_markdown(INFO_ONLY, "a", "b")
    assert "### Info (1)" in only_info and "### Breaking" not in only_info


def test_markdown_cells_are_escaped_and_shortened() -> None:
    change = Change("info", "description-changed", "x", "description", "a | b `c`\nnext line", "y" * 500, "m | n")
    md = render_markdown((change,), "1", "2")
    row = next(line for line in md.splitlines() if line.startswith("| `x`"))
    assert row.count(" | ") == 5  # six cells, no stray separators
    assert "a \\| b \\`c\\` next line" in row  # escaped like docs/errors.md: the backticks stay visible
    evil = "<img src=x onerror=alert(1)> [link](javascript:alert(1)) *bold*"
    hostile = Change("info", "title-changed", "x", "title", evil, None, evil)
    cells = next(line for line in render_markdown((hostile,), "1", "2").splitlines() if line.startswith("| `x`")).split(" | ")
    assert cells[3] == f"`{evil}`"  # a code span: CommonMark shows its content literally
    assert cells[5] == "&lt;img src=x onerror=alert(1)&gt; \\[link\\](javascript:alert(1)) \\*bold\\* |"
    assert "y" * 117 + "..." in row and "y" * 118 not in row


def test_json_report_schema_is_stable() -> None:
    text = render_json(ALL_CHANGES, "2.159", "2.167")
    assert text.endswith("}\n") and text.isascii()
    data = json.loads(text)
    assert list(data) == ["changes", "groups", "new", "old", "schema", "summary"]  # sorted keys
    assert data["schema"] == JSON_SCHEMA == "xproblems-diff/1"
    assert (data["old"], data["new"]) == ("2.159", "2.167")
    assert data["summary"] == {"breaking": summary(ALL_CHANGES)["breaking"], "info": summary(ALL_CHANGES)["info"], "total": len(ALL_CHANGES), "warning": summary(ALL_CHANGES)["warning"]}
    assert all(list(c) == ["key", "kind", "message", "new", "old", "severity", "subject"] for c in data["changes"])
    assert [Change(**c) for c in data["changes"]] == list(ALL_CHANGES)
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"
    groups = data["groups"]
    assert all(list(g) == ["keys", "kind", "new", "old", "severity", "subject"] for g in groups)
    assert sorted(k for g in groups for k in g["keys"]) == sorted(c.key for c in ALL_CHANGES)
    empty = json.loads(render_json((), "1", "1"))
    assert empty["changes"] == [] and empty["groups"] == [] and empty["summary"]["total"] == 0


def test_a_change_to_many_types_is_one_row_listing_them() -> None:
    moved = [Change("warning", "host-changed", key, "uri", f"https://api.twitter.com/2/problems/{key}", f"https://api.x.com/2/problems/{key}", f"{key} moved") for key in ("a", "b", "c")]
    other = Change("warning", "host-changed", "d", "uri", "https://old.example/2/problems/d", "https://api.x.com/2/problems/d", "d moved")
    groups = group_changes(sort_changes([*moved, other]))
    assert [(g.keys, g.old, g.new) for g in groups] == [(("a", "b", "c"), "api.twitter.com", "api.x.com"), (("d",), "old.example", "api.x.com")]
    text = render_text(sort_changes([*moved, other]))
    assert "(3 types)  host-changed: uri (api.twitter.com -> api.x.com): a, b, c\n" in text
    assert "4 change(s): 0 breaking, 4 warning, 0 info" in text
    md = render_markdown(sort_changes([*moved, other]), "1", "2")
    assert "| `a`, `b`, `c` | host-changed | uri | `api.twitter.com` | `api.x.com` | 3 types: " in md


def test_rules_markdown_lists_every_rule_once() -> None:
    md = rules_markdown()
    rows = md.splitlines()[2:]
    assert len(rows) == len(RULES)
    for rule, row in zip(RULES, rows, strict=True):
        assert row.startswith(f"| `{rule.kind}` | {rule.severity} |")


def test_readme_shows_the_rules_table_as_rendered() -> None:
    """The README's severity table is rules_markdown()'s output, not a hand-kept copy."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert rules_markdown() in readme, "paste rules_markdown() output over the README's diff-rules table"


def _reports() -> str:
    """Every renderer over every scenario: what the hash-seed test compares across runs."""
    return render_text(ALL_CHANGES) + render_markdown(ALL_CHANGES, "a", "b") + render_json(ALL_CHANGES, "a", "b") + rules_markdown()


def test_reports_are_byte_identical_under_any_hash_seed() -> None:
    code = "import sys; from tests.test_diff import _reports; sys.stdout.buffer.write(_reports().encode())"
    outputs = set()
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=120, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert outputs.pop().decode() == _reports()
