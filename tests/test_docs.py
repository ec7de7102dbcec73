"""docs/errors.md says what is true: each statement below was once wrong, and a test now holds it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from xproblems.docs import enums, streaming, versions_md
from xproblems.model import Catalogue
from xproblems.pipeline import build_catalogue
from xproblems.render import render_templates
from xproblems.request import make_request
from xproblems.runtime._uri import problem_key

from .runtime_support import PAYLOADS
from .test_docs_gfm import check_errors_md
from .test_merge import OBS, build, cited, observed_field


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    """The pinned 2.167 with its history and the supplement: what `make generate` renders."""
    req = make_request(spec=None, also=(), supplement=None, out=tmp_path_factory.mktemp("out"), package="x_problems", pins=None, no_history=False)
    assert not isinstance(req, list)
    cat, diags = build_catalogue(req.spec, history=req.history, supplement=req.supplement, validate=False)
    assert cat is not None, [d.render() for d in diags]
    return cat


def test_connection_errors_of_a_stream_are_connection_errors(catalogue: Catalogue) -> None:
    """Rules cap answers a POST of rules; it was listed as an error of GET /2/tweets/search/stream."""
    table = streaming(catalogue)
    row = next(line for line in table.splitlines() if "`/2/tweets/search/stream`" in line)
    listed = set(re.findall(r"\[`(\w+)`\]\(#class-\w+\)", row.split(" | ")[-1]))
    assert "RulesCapProblem" not in listed and {"ConnectionExceptionProblem", "OperationalDisconnectProblem"} <= listed
    by_class = {p.class_name: p for p in catalogue.problems}
    for name in listed:
        entries = [e for e in by_class[name].labs if "Filtered Stream" in e.endpoints]
        assert entries and all(e.during == "connection" and "connection error" in e.description for e in entries), name


def test_usual_statuses_include_every_status_x_sent_the_type_with(catalogue: Catalogue) -> None:
    """streaming-connection was documented as 409 only; X sends it (TooManyConnections) as 429."""
    if not PAYLOADS.is_dir():
        pytest.skip("../shared/payloads not present")
    sent: dict[str, set[int]] = {}
    for path in sorted(PAYLOADS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            body, status = record.get("body"), record.get("status")
            items = [body] if isinstance(body, dict) and "type" in body else body.get("errors", []) if isinstance(body, dict) else []
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and isinstance(item.get("type"), str) and isinstance(status, int) and status >= 300:
                    sent.setdefault(problem_key(item["type"]), set()).add(status)
    documented = {p.key: {s.code for s in p.statuses} for p in catalogue.problems}
    assert sent.get("streaming-connection") == {429}
    for key, statuses in sent.items():
        if documented.get(key):
            assert statuses <= documented[key], (key, sorted(statuses), sorted(documented[key]))


def test_values_of_a_field_the_current_spec_declares_as_free_text_are_not_called_older_only(catalogue: Catalogue) -> None:
    """tweet, user and data are in current responses; 2.167 declares the fields without an enum."""
    table = enums(catalogue)
    for e in catalogue.enums:
        row = next(line for line in table.splitlines() if line.startswith(f"| `{e.class_name}` |"))
        if e.free_text_in_spec:
            assert "older specs only" not in row and "as free text" in row, row
    assert {e.field_name for e in catalogue.enums if e.free_text_in_spec} == {"resource_type", "section"}


def test_the_generated_enum_says_so_too() -> None:
    source = (Path(__file__).resolve().parents[1] / "generated" / "x_problems" / "_enums.py").read_text(encoding="utf-8")
    resource_type = source[source.index("class ResourceType") : source.index("class Scope")]
    assert "as free text" in resource_type and "Retired" not in resource_type


def test_the_type_by_version_grid_is_rendered_from_the_pinned_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Three pinned versions: a type in all, one dropped (†), one with a gap; enum values too."""
    from xproblems.cli import main

    from .conftest import oneof_shape, openapi

    def usage(*values: str) -> tuple[str, dict[str, object]]:
        return ("usage-capped", {"period": {"type": "string", "enum": list(values)}})

    history = {
        "1.0": {"UsageCappedProblem": usage("Daily", "Monthly"), "RuleCapProblem": ("rule-cap", {}), "ConflictProblem": ("conflict", {})},
        "1.1": {"UsageCappedProblem": usage("Daily"), "RuleCapProblem": ("rule-cap", {})},
        "1.2": {"UsageCappedProblem": usage("Daily", "Weekly"), "ConflictProblem": ("conflict", {})},
    }
    pins = tmp_path / "pins"
    pins.mkdir()
    for version, members in history.items():
        spec = tmp_path / f"spec-{version}.json"
        spec.write_text(json.dumps(openapi(oneof_shape(members), version=version)), encoding="utf-8")
        assert main(["pin", str(spec), "--pins", str(pins)]) == 0
    assert main(["generate", "--pins", str(pins), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    docs = (tmp_path / "out" / "docs" / "errors.md").read_text(encoding="utf-8")
    versions = {m[1]: m[2] for m in re.finditer(r"- Type URI: `https://[^`]*/2/problems/([a-z-]+)`\n(?:- .*\n)*?- Spec versions: (.*)\n", docs)}
    assert versions["usage-capped"] == "since `1.0`"
    assert versions["rule-cap"] == "`1.0`–`1.1` †"  # dropped by 1.2: kept from the history, marked
    assert versions["conflict"] == "`1.0`, since `1.2`"  # a gap in 1.1
    assert "- Values by spec version: `Daily` (since `1.0`), `Weekly` (since `1.2`), `Monthly` (`1.0` †)" in docs
    assert "  - `period`: string, optional, enum [`Period`](#enums); spec versions since `1.0`\n" in docs


@pytest.mark.parametrize(
    ("declared", "every", "text"),
    [
        (["2.134", "2.152", "2.159"], ("2.134", "2.152", "2.159", "2.167"), "`2.134`–`2.159` †"),
        (["2.167"], ("2.134", "2.152", "2.159", "2.167"), "since `2.167`"),
        (["2.134", "2.159", "2.167"], ("2.134", "2.152", "2.159", "2.167"), "`2.134`, since `2.159`"),
        (["2.134", "2.159"], ("2.134", "2.152", "2.159", "2.167"), "`2.134`, `2.159` †"),
        ([], ("1.0",), "—"),
        (["1.0"], ("1.0",), "since `1.0`"),
    ],
)
def test_versions_md(declared: list[str], every: tuple[str, ...], text: str) -> None:
    assert versions_md(declared, every) == text


def test_a_newer_spec_that_changes_no_problem_changes_no_version_cell() -> None:
    """Open runs ("since") keep docs/errors.md still when the history gains a version."""
    assert versions_md(["2.134", "2.152"], ("2.134", "2.152")) == versions_md(["2.134", "2.152", "2.159"], ("2.134", "2.152", "2.159"))


def test_observed_facts_are_marked_as_such(tmp_path: Path) -> None:
    """Issue 16: what only recorded traffic shows says so, with how often, where and when;
    the audited file names are data (escaped like spec text)."""
    from .conftest import oneof_shape, openapi

    spec = openapi(oneof_shape({"KProblem": ("k", {"kind": {"type": "string", "enum": ["x"]}})}))
    hostile = {**OBS, "files": ["a|b`c@octocat.jsonl", "[x](https://evil.example.com)", "c.har", "d.har"], "first_seen": None, "last_seen": None}
    problems = [
        {
            "uri": "https://api.x.com/2/problems/seen",
            "class_name": "SeenProblem",
            "observed": OBS,
            "statuses": [{"code": 429, "when": "Too many", "observed": {**OBS, "count": 1, "last_seen": "2020-06-18T23:00:00Z"}}],
            "extra_fields": [observed_field("errors", "array", observed=hostile)],
        },
        cited("https://api.x.com/2/problems/k", "KProblem", extra_fields=[observed_field("kind", "string", enum_values=["z"])]),
    ]
    cat, _ = build(tmp_path, spec, problems)
    text = render_templates(cat, "x_problems")["docs/errors.md"]
    page = check_errors_md(text)
    assert not any("evil" in h for h in page.hrefs)  # a file name is never a link
    summary = text.split("## Problem types", 1)[1].split("## Exception tree", 1)[0]
    assert "| [`SeenProblem`](#class-seenproblem) | 429 (observed) | *Observed in traffic only.* — |" in summary
    assert "*Observed*: seen in recorded X traffic" in summary
    details = text.split("### <a id=\"class-seenproblem\"></a>`SeenProblem`", 1)[1].split("###", 1)[0]
    assert "- Observed in traffic: 3 times in `a.jsonl`, 2020-06-18 – 2020-07-09; no spec or doc declares it" in details
    assert "- Usual status 429: Too many (observed: 1 time in `a.jsonl`, 2020-06-18)" in details
    assert "- Docs: —" in details
    field = next(line for line in details.splitlines() if line.startswith("  - `errors`"))
    assert field.startswith("  - `errors`: array, optional; in no spec; observed 3 times in a\\|b\\`c")
    assert "c@&#8203;octocat" in field and "`[x](https://evil.example.com)`" in field and field.endswith("`c.har` and 1 more file")
    kind = text.split("### <a id=\"class-kproblem\"></a>", 1)[1]
    assert "    - Values by spec version: `x` (since `1.0`), `z` (observed)" in kind
    assert "observed 3 times in `a.jsonl`, 2020-06-18 – 2020-07-09" in kind
    assert "| `Kind` | `kind` | `x`, `z` (observed) |" in text
    assert "Values marked *observed* are seen in recorded X traffic only" in text


def test_pages_without_observed_facts_say_nothing_of_them(catalogue: Catalogue) -> None:
    """The pinned catalogue has no observed fact: no mark, no note (errors.md is unchanged)."""
    text = render_templates(catalogue, "x_problems")["docs/errors.md"]
    assert "observed" not in text.lower()


def test_a_free_text_field_says_where_its_values_come_from() -> None:
    """Only when every value is from older specs does the row say so; observed values are marked."""
    from xproblems.docs import _enum_values
    from xproblems.model import EnumType, EnumValue

    older = EnumType("ResourceType", "resource_type", (EnumValue("tweet", "TWEET", True),), free_text_in_spec=True)
    assert _enum_values(older).endswith("with no enum; these values are from older specs)")
    mixed = EnumType("ResourceType", "resource_type", (EnumValue("tweet", "TWEET", True), EnumValue("space", "SPACE", False, observed=True)), free_text_in_spec=True)
    text = _enum_values(mixed)
    assert "`space` (observed)" in text and text.endswith("unmarked values are from older specs or the docs)")
