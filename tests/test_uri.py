"""The one URI identity rule, as a table: the generator's function and the generated runtime's copy.

``generator/runtime/_uri.py`` is imported by the generator (``names.problem_key``) and copied
into every package (``x_problems.problem_key``); every row is checked against both, and the
runtime's class lookup and slug-based behaviour are checked to follow it.
"""

from __future__ import annotations

import ast
import datetime
import json
from pathlib import Path

import pytest

from xproblems import names
from xproblems.model import Catalogue
from xproblems.pipeline import build_catalogue
from xproblems.runtime import _uri

from .conftest import allof_shape, openapi
from .runtime_support import REPO, load

xp = load()

#: (URI, its slug or None). The key is the slug, else the URI stripped.
TABLE: list[tuple[str, str | None]] = [
    ("about:blank", None),
    ("https://api.x.com/2/problems/usage-capped", "usage-capped"),
    ("https://api.twitter.com/2/problems/usage-capped", "usage-capped"),
    ("https://api.X.com/2/problems/usage-capped", "usage-capped"),
    ("HTTPS://API.TWITTER.COM/2/PROBLEMS/usage-capped", "usage-capped"),
    ("http://api.x.com/2/problems/usage-capped", "usage-capped"),
    ("https://api.x.com/2/problems/usage-capped/", "usage-capped"),
    ("  https://api.x.com/2/problems/usage-capped \n", "usage-capped"),
    ("https://api.x.com:443/2/problems/usage-capped", "usage-capped"),
    ("https://api.twitter.com/labs/1/problems/client-forbidden", "client-forbidden"),
    ("https://api.twitter.com/labs/2/problems/client-forbidden/", "client-forbidden"),
    ("https://API.twitter.com/LABS/1/Problems/client-forbidden", "client-forbidden"),
    ("https://api.x.com/2/problems/Usage-Capped", "Usage-Capped"),
    # keyed whole
    ("https://evil.example/x/problems/usage-capped", None),
    ("https://api.x.com/3/problems/usage-capped", None),
    ("https://api.x.com/2/problems/", None),
    ("https://api.x.com/2/problems/usage-capped//", None),
    ("https://api.x.com/2/problems/usage-capped?x=1", None),
    ("https://api.x.com/2/problems/usage-capped#f", None),
    ("https://api.x.com/2/problems/a/b", None),
    ("https://api.x.com/2/other/usage-capped", None),
    ("https://api.twitter.com/labs/x/problems/client-forbidden", None),
    ("https://api.twitter.com/labs/problems/client-forbidden", None),
    ("https://api.twitter.com/labs/١/problems/client-forbidden", None),  # a non-ASCII digit
    ("https://api.x.com/2/problem\u017f/usage-capped", None),  # long s: not ASCII "problems"
    ("ftp://api.x.com/2/problems/usage-capped", None),
    ("https:///2/problems/usage-capped", None),
    ("/2/problems/usage-capped", None),
    ("usage-capped", None),
    ("", None),
]


@pytest.mark.parametrize(("uri", "slug"), TABLE)
def test_rule_table(uri: str, slug: str | None) -> None:
    key = slug if slug is not None else uri.strip()
    for module in (_uri, names, xp):
        assert module.problem_slug(uri) == slug, module
        assert module.problem_key(uri) == key, module


def test_the_package_holds_the_generator_s_copy_and_no_other_slug_parser() -> None:
    source = (REPO / "generator" / "runtime" / "_uri.py").read_text(encoding="utf-8")
    assert Path(xp._uri.__file__).read_text(encoding="utf-8").endswith(source)
    assert names.problem_key is _uri.problem_key
    # No other module of the generator or the runtime matches "/problems/" paths itself: the
    # text may appear only inside f-strings (names.canonical_uri builds a URI) and prose.
    for path in [*(REPO / "generator").glob("*.py"), *(REPO / "generator" / "runtime").glob("*.py")]:
        if path.name == "_uri.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        built = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in built]
        assert not [s for s in strings if "problems/" in s and " " not in s.strip()], path.name


def test_labs_uris_get_the_v2_classes() -> None:
    labs = "https://api.twitter.com/labs/1/problems/"
    forbidden = xp.error_from_response(403, {"type": labs + "client-forbidden", "title": "t", "detail": "d", "reason": "client-not-enrolled"})
    assert isinstance(forbidden, xp.ClientForbiddenProblem) and forbidden.reason == "client-not-enrolled"
    capped = xp.parse_problem({"type": labs + "usage-capped", "title": "t", "detail": "d", "period": "Daily"})
    assert type(capped) is xp.UsageCapExceededProblem and capped.slug == "usage-capped"


def test_another_host_s_problem_path_is_not_an_x_type_and_gets_no_slug_behaviour() -> None:
    evil = {"type": "https://evil.example/x/problems/usage-capped", "title": "t", "detail": "d", "period": "Daily"}
    problem = xp.parse_problem(evil)
    assert type(problem) is xp.UnknownProblem and problem.slug is None
    assert str(problem).startswith("[https://evil.example/x/problems/usage-capped] t: d")
    now = datetime.datetime(2024, 1, 1, 12, tzinfo=datetime.timezone.utc)
    error = xp.error_from_response(429, evil)
    real = xp.error_from_response(429, {**evil, "type": "https://api.x.com/2/problems/usage-capped"})
    assert xp.retry_after(real, 1, now=now) == datetime.timedelta(hours=12)  # until midnight UTC
    assert xp.retry_after(error, 1, now=now) != xp.retry_after(real, 1, now=now)
    assert error.limit_kind != real.limit_kind


def test_a_bare_slug_is_keyed_whole_and_matches_no_x_class() -> None:
    assert type(xp.parse_problem({"type": "usage-capped", "title": "t"})) is xp.UnknownProblem
    assert type(xp.parse_problem({"type": "ABOUT:BLANK", "title": "t"})) is xp.GenericProblem


LABS_MEMBERS = {
    "ClientForbiddenProblem": ("client-forbidden", {"reason": {"type": "string", "enum": ["official-client-forbidden", "client-not-enrolled"]}}),
    "UsageCappedProblem": ("usage-capped", {"period": {"type": "string", "enum": ["Daily", "Monthly"]}}),
    "ClientDisconnectedProblem": ("client-disconnected", {}),
    "ResourceNotFoundProblem": ("resource-not-found", {"resource_id": {"type": "string"}, "resource_type": {"type": "string"}}),
    "InvalidRequestProblem": ("invalid-request", {}),
}


def _catalogue(tmp_path: Path, name: str, doc: dict[str, object]) -> Catalogue:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    cat, diags = build_catalogue(path)
    assert cat is not None, [d.render() for d in diags]
    return cat


def test_a_labs_shaped_spec_gives_one_class_and_member_per_type_with_the_v2_names(tmp_path: Path) -> None:
    v2 = openapi(allof_shape(LABS_MEMBERS), version="2.12")
    labs_text = json.dumps(v2).replace("/2/problems/", "/labs/1/problems/")
    labs = json.loads(labs_text)
    assert "/labs/1/problems/usage-capped" in labs_text and "/2/problems/" not in labs_text
    labs_cat, v2_cat = _catalogue(tmp_path, "labs.json", labs), _catalogue(tmp_path, "v2.json", v2)
    keys = [p.key for p in labs_cat.problems]
    assert len(keys) == len(set(keys)) and {s for s, _ in LABS_MEMBERS.values()} <= set(keys)
    assert [(p.key, p.class_name, p.member) for p in labs_cat.problems] == [(p.key, p.class_name, p.member) for p in v2_cat.problems]
    by_key = {p.key: p for p in labs_cat.problems}
    assert by_key["usage-capped"].class_name == "UsageCapExceededProblem"
    assert by_key["client-forbidden"].member == "CLIENT_FORBIDDEN"
    assert not [p.class_name for p in labs_cat.problems if p.class_name.endswith("2")]
    assert by_key["usage-capped"].uri == "https://api.twitter.com/labs/1/problems/usage-capped"
