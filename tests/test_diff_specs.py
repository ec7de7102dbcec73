"""``xproblems diff`` on X's real specs, against expectations written by reading the specs.

What the specs say (``components/schemas/Problem`` and its members):

* 2.134 -> 2.152: the discriminator mapping drops ``oauth1-permissions`` (its schema stays,
  unreachable); nothing else in the problem schemas changes.
* 2.152 -> 2.159: the problem schemas are identical.
* 2.159 -> 2.167: the allOf/discriminator shape under ``https://api.twitter.com/2/problems/``
  becomes a oneOf of flat schemas under ``https://api.x.com/2/problems/``; 12 types leave the
  spec (10 kept by the curated docs, ``conflict`` and ``noncompliant-rules`` not), three are
  new; schema ``FieldUnauthorizedProblem`` moves from ``not-authorized-for-field`` to the new
  ``field-unauthorized``; every enum (``resource_type``, ``section``, ...) is gone and most
  fields become optional.
"""

from __future__ import annotations

import itertools
import json
import os
from collections import Counter
from pathlib import Path

import pytest

from .conftest import SPECS, VERSIONS, run_cli, spec_path

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SPECS.is_dir(), reason="../shared/specs not present")]

PAIRS = list(itertools.pairwise(VERSIONS))
Triple = tuple[str, str, str]

NAFF = "not-authorized-for-field"
NAFR = "not-authorized-for-resource"
RNF = "resource-not-found"
RU = "resource-unavailable"
DR = "disallowed-resource"
#: Types 2.159 declares and 2.167 does not, that the curated docs keep.
LEFT_SPEC = {
    "about:blank",
    "client-disconnected",
    "client-forbidden",
    "duplicate-rules",
    "invalid-rules",
    "operational-disconnect",
    "rule-cap",
    "streaming-connection",
    "unsupported-authentication",
    "usage-capped",
}
#: Types both catalogues have under an http URI: all move to api.x.com.
MOVED_HOST = (LEFT_SPEC - {"about:blank"}) | {DR, "invalid-request", NAFF, NAFR, RNF, RU}
#: Dropped from the spec and not in the docs: removed, or retired with ``--also``.
DROPPED = {"conflict", "noncompliant-rules"}


def _fields(kind: str, *pairs: tuple[str, str]) -> set[Triple]:
    return {(kind, key, f"field {name}") for key, name in pairs}


EXPECTED_159_167: set[Triple] = (
    {("type-removed", k, "type") for k in DROPPED}
    | {("type-added", k, "type") for k in ("field-hydration-failure", "field-unauthorized", "internal-error")}
    | {("type-left-spec", k, "type") for k in LEFT_SPEC}
    | {("host-changed", k, "uri") for k in MOVED_HOST}
    | {("schema-moved", "field-unauthorized", "schema FieldUnauthorizedProblem")}
    | {("member-required", k, "member detail") for k in (DR, "invalid-request", NAFF, NAFR, RNF, RU)}
    | {("schema-renamed", k, "schema") for k in (NAFF, NAFR)}
    | {("description-changed", k, "description") for k in ("invalid-request", NAFF, NAFR, RNF, RU)}
    | _fields(
        "field-removed",
        ("duplicate-rules", "id"),
        ("duplicate-rules", "value"),
        ("invalid-request", "errors"),
        ("operational-disconnect", "disconnect_type"),
        (RU, "parameter"),
        ("streaming-connection", "connection_issue"),
        ("usage-capped", "period"),
        ("usage-capped", "scope"),
    )
    | _fields("field-added", ("invalid-request", "parameter"), ("invalid-request", "value"), (NAFF, "parameter"), (NAFF, "resource_id"), (NAFF, "value"))
    | _fields(
        "field-optional",
        (DR, "resource_id"),
        (DR, "resource_type"),
        (DR, "section"),
        (NAFF, "resource_type"),
        (NAFF, "section"),
        (NAFR, "parameter"),
        (NAFR, "resource_id"),
        (NAFR, "section"),
        (NAFR, "value"),
        (RNF, "parameter"),
        (RNF, "resource_id"),
        (RNF, "value"),
        (RU, "resource_id"),
    )
    # resource_type and section lose their enums; client-forbidden's reason is now the docs'
    # free-text field, since 2.167 no longer declares the type.
    | _fields("field-enum-removed", *((k, "resource_type") for k in (DR, NAFF, NAFR, RNF, RU)), *((k, "section") for k in (DR, NAFF, NAFR)), ("client-forbidden", "reason"))
    | _fields("field-description-changed", ("client-forbidden", "reason"), ("client-forbidden", "registration_url"), (RNF, "value"))
    | {("enum-removed", f"enum:{name}", "enum") for name in ("connection_issue", "disconnect_type", "period", "reason", "resource_type", "scope", "section")}
)

#: The same pair with the older specs as ``--also`` on both sides (what the pinned history gives).
EXPECTED_159_167_ALSO: set[Triple] = (
    {c for c in EXPECTED_159_167 if c[0] in ("type-added", "type-left-spec", "schema-moved", "schema-renamed", "description-changed", "field-added", "field-optional", "member-required")}
    | _fields("field-description-changed", (RNF, "value"))  # 2.167 drops its description
    | {("host-changed", k, "uri") for k in MOVED_HOST | DROPPED}
    | {("type-retired", k, "type") for k in DROPPED}
    | _fields("field-retired", ("invalid-request", "errors"), (RU, "parameter"))
    # 2.159 required it; a retired field is optional (required-ness is the current spec's)
    | _fields("field-optional", (RU, "parameter"))
    | {("enum-value-retired", "enum:resource_type", f"value {v}") for v in ("list", "media", "space", "tweet", "user")}
    | {("enum-value-retired", "enum:section", f"value {v}") for v in ("data", "includes")}
)


def diff_json(old: str, new: str, *also: str, fail_on: str = "never", env: dict[str, str] | None = None) -> tuple[int, dict[str, object], str]:
    # The bare specs: these expectations were written by reading two files, not the pinned history.
    args: list[str | Path] = ["diff", spec_path(old), spec_path(new), "--no-history", "--format", "json", "--fail-on", fail_on]
    if also:
        args += [arg for v in also for arg in ("--also", spec_path(v))]
    done = run_cli(*args, env=env)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


def triples(report: dict[str, object]) -> set[Triple]:
    changes = report["changes"]
    assert isinstance(changes, list)
    return {(c["kind"], c["key"], c["subject"]) for c in changes}


def test_2134_to_2152_drops_oauth1_permissions_from_the_mapping() -> None:
    code, report, _ = diff_json("2.134", "2.152", fail_on="breaking")
    assert code == 1
    assert report["changes"] == [
        {
            "severity": "breaking",
            "kind": "type-removed",
            "key": "oauth1-permissions",
            "subject": "type",
            "old": "Oauth1PermissionsProblem",
            "new": None,
            "message": "problem type Oauth1PermissionsProblem (https://api.twitter.com/2/problems/oauth1-permissions) is gone",
        }
    ]


def test_2134_to_2152_with_also_keeps_oauth1_permissions_retired() -> None:
    code, report, _ = diff_json("2.134", "2.152", "2.134", fail_on="breaking")
    assert code == 0
    assert triples(report) == {("type-retired", "oauth1-permissions", "type"), ("host-changed", "oauth1-permissions", "uri")}


def test_2152_to_2159_reports_no_problem_schema_change() -> None:
    code, report, _ = diff_json("2.152", "2.159", fail_on="change")
    assert code == 0
    assert report["changes"] == []
    assert report["summary"] == {"breaking": 0, "warning": 0, "info": 0, "total": 0}
    assert (report["old"], report["new"]) == ("2.152", "2.159")


def test_2159_to_2167_alone() -> None:
    code, report, _ = diff_json("2.159", "2.167", fail_on="breaking")
    assert code == 1
    got = triples(report)
    assert got == EXPECTED_159_167, (sorted(got - EXPECTED_159_167), sorted(EXPECTED_159_167 - got))
    changes = report["changes"]
    assert isinstance(changes, list)
    by_kind = Counter(c["severity"] for c in changes)
    assert report["summary"] == {**{s: by_kind[s] for s in ("breaking", "warning", "info")}, "total": len(changes)}
    moved = next(c for c in changes if c["kind"] == "schema-moved")
    assert (moved["old"], moved["new"]) == (NAFF, "field-unauthorized")
    host = next(c for c in changes if c["kind"] == "host-changed" and c["key"] == RNF)
    assert (host["old"], host["new"]) == ("https://api.twitter.com/2/problems/resource-not-found", "https://api.x.com/2/problems/resource-not-found")


def test_2159_to_2167_with_every_older_spec_has_nothing_breaking() -> None:
    code, report, _ = diff_json("2.159", "2.167", "2.134", "2.152", "2.159", fail_on="breaking")
    assert code == 0
    got = triples(report)
    assert got == EXPECTED_159_167_ALSO, (sorted(got - EXPECTED_159_167_ALSO), sorted(EXPECTED_159_167_ALSO - got))
    changes = report["changes"]
    assert isinstance(changes, list)
    assert not [c for c in changes if c["key"] == "oauth1-permissions"]  # retired on both sides alike


def test_2159_to_2167_reports_the_six_types_whose_detail_became_required() -> None:
    done = run_cli("diff", "2.159", "2.167", "--format", "json")
    assert done.returncode == 0, done.stderr
    changes = json.loads(done.stdout)["changes"]
    members = sorted((c["key"], c["subject"], c["old"], c["new"]) for c in changes if c["kind"].startswith("member-"))
    six = ["disallowed-resource", "invalid-request", "not-authorized-for-field", "not-authorized-for-resource", "resource-not-found", "resource-unavailable"]
    assert members == [(key, "member detail", "optional", "required") for key in six]


def test_the_pinned_history_gives_the_same_report() -> None:
    done = run_cli("diff", "2.159", "2.167", "--format", "json")
    assert done.returncode == 0, done.stderr
    got = triples(json.loads(done.stdout))
    assert got == EXPECTED_159_167_ALSO, (sorted(got - EXPECTED_159_167_ALSO), sorted(EXPECTED_159_167_ALSO - got))


@pytest.mark.parametrize(("version", "fmt"), [*((v, "json") for v in VERSIONS), ("2.167", "text"), ("2.167", "markdown")])
def test_a_spec_against_itself_is_empty(version: str, fmt: str) -> None:
    done = run_cli("diff", spec_path(version), spec_path(version), "--format", fmt, "--fail-on", "change")
    assert done.returncode == 0, done.stderr
    if fmt == "text":
        assert done.stdout == "no changes\n"
    elif fmt == "markdown":
        assert "No changes" in done.stdout and f"`{version}` -> `{version}`" in done.stdout
    else:
        assert json.loads(done.stdout)["changes"] == []


def test_reports_are_byte_identical_across_runs_and_hash_seeds() -> None:
    old, new = PAIRS[-1]
    outputs = set()
    for seed in ("0", "4242"):
        for fmt in ("text", "markdown", "json"):
            done = run_cli("diff", spec_path(old), spec_path(new), "--also", spec_path(old), "--format", fmt, "--fail-on", "never", env={"PYTHONHASHSEED": seed})
            assert done.returncode == 0, done.stderr
            outputs.add((fmt, done.stdout))
    assert len(outputs) == 3


def test_diagnostics_go_to_stderr_once() -> None:
    # Without the history both specs warn that Oauth1PermissionsProblem is left out.
    done = run_cli("diff", spec_path("2.152"), spec_path("2.159"), "--no-history")
    assert done.returncode == 0
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith("warning: ") for line in lines)
    assert len(lines) == len(set(lines))  # the supplement is read twice, reported once
    assert done.stdout == "no changes\n"


def test_bad_input_exits_2(tmp_path: Path) -> None:
    missing = run_cli("diff", spec_path("2.159"), tmp_path / "nope.json")
    assert missing.returncode == 2 and "nor a spec file" in missing.stderr and missing.stdout == ""
    bad = tmp_path / "bad.json"
    bad.write_text('{"swagger": "2.0"}', encoding="utf-8")
    invalid = run_cli("diff", bad, spec_path("2.159"))
    assert invalid.returncode == 2 and invalid.stderr.startswith("error: ") and invalid.stdout == ""
    usage = run_cli("diff", spec_path("2.159"), spec_path("2.167"), "--fail-on", "sometimes")
    assert usage.returncode == 2


def test_markdown_report_of_the_host_move(tmp_path: Path) -> None:
    done = run_cli("diff", spec_path("2.159"), spec_path("2.167"), "--no-history", "--format", "markdown", env={"PYTHONHASHSEED": str(os.getpid() % 1000)})
    assert done.returncode == 0  # --fail-on defaults to never (issue 5)
    strict = run_cli("diff", spec_path("2.159"), spec_path("2.167"), "--no-history", "--format", "markdown", "--fail-on", "breaking")
    assert strict.returncode == 1 and strict.stdout == done.stdout
    md = done.stdout
    assert md.startswith("## X API problem types: `2.159` -> `2.167`\n")
    assert "### Breaking" in md and "### Warning" in md and "### Info" in md
    host_rows = [line for line in md.splitlines() if "| host-changed |" in line]
    assert len(host_rows) == 1, host_rows  # one row for the fifteen types that moved host
    assert "`resource-not-found`" in host_rows[0] and "| uri | `api.twitter.com` | `api.x.com` | 15 types: " in host_rows[0]
