"""The curated supplement: it loads, every quote is in its page, and the validator is strict."""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from xproblems.model import Citation, Diagnostic, Observation, Supplement
from xproblems.runtime_source import RESERVED_NAMES
from xproblems.supplement import citation_pointers, collapse_whitespace, load_supplement, verify_citations

from .conftest import shared_text, without_positions

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DOCS = SHARED / "docs"
SUPPLEMENT = ROOT / "specs" / "supplement.yaml"
V2_PAGE = "X API v2: Response codes and errors"
LABS_PAGE = "Twitter Developer Labs: HTTP Errors"

DOC_TYPES = [
    "about:blank",
    "invalid-request",
    "resource-not-found",
    "not-authorized-for-resource",
    "client-forbidden",
    "disallowed-resource",
    "unsupported-authentication",
    "usage-capped",
    "streaming-connection",
    "client-disconnected",
    "operational-disconnect",
    "rule-cap",
    "rule-length",
    "invalid-rules",
    "duplicate-rules",
]
STATUS_CLASSES = {
    200: "OK",
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "ConnectionException",
    429: "TooManyRequests",
    500: "InternalServerError",
    501: "Unimplemented",
    503: "ServiceUnavailable",
}


def _slug(uri: str) -> str:
    return uri.rsplit("/", 1)[-1] if "/2/problems/" in uri else uri


def _page_text(title: str) -> str:
    pages = {p["title"]: p["file"] for p in _raw()["pages"]}
    return shared_text(DOCS / str(pages[title]))


#: X's doc pages are test material in ../shared, absent beside a plain clone.
needs_docs = pytest.mark.skipif(not DOCS.is_dir(), reason="../shared/docs is absent (test material, not beside a plain clone)")


def _raw() -> Any:
    return yaml.safe_load(SUPPLEMENT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def supplement() -> Supplement:
    result, diags = load_supplement(SUPPLEMENT)
    assert diags == []
    assert result is not None
    return result


# --- (a) the real supplement loads ------------------------------------------------------


@needs_docs
def test_real_supplement_loads_clean(supplement: Supplement) -> None:
    assert supplement.file == str(SUPPLEMENT)
    assert supplement.sha256 == hashlib.sha256(SUPPLEMENT.read_bytes()).hexdigest()
    assert [p.title for p in supplement.pages] == [V2_PAGE, LABS_PAGE]
    for page in supplement.pages:
        assert (DOCS / page.file).is_file()


def test_file_order_is_kept(supplement: Supplement) -> None:
    raw = _raw()
    assert [s.code for s in supplement.statuses] == [s["code"] for s in raw["statuses"]]
    assert [p.uri for p in supplement.problems] == [p["uri"] for p in raw["problems"]]
    assert [p.pointer for p in supplement.problems] == [f"/problems/{i}" for i in range(len(raw["problems"]))]


def test_relative_path_is_reported_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "s.yaml").write_text("pages: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result, diags = load_supplement(Path("s.yaml"))
    assert result is None
    assert {d.file for d in diags} == {"s.yaml"}


# --- (b) every quote is in the page it names --------------------------------------------


def _cites(node: Any, pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every citation in the raw document, found structurally (not via the loader)."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{pointer}/{key}"
            if key in ("cite", "partial_errors") and value is not None:
                yield here, value
            else:
                yield from _cites(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _cites(item, f"{pointer}/{index}")


def _missing_quotes(raw: Any) -> list[str]:
    """Pointers of citations whose quote is not in the page they name."""
    texts = {p["title"]: collapse_whitespace(shared_text(DOCS / p["file"])) for p in raw["pages"]}
    missing = []
    for pointer, cite in _cites(raw):
        quote = re.sub(r"\s+", " ", cite["quote"]).strip()
        if not quote or quote not in texts[cite["page"]]:
            missing.append(pointer)
    return missing


@needs_docs
def test_every_quote_is_in_its_page(supplement: Supplement) -> None:
    raw = _raw()
    found = sorted(p for p, _ in _cites(raw))
    # the structural walk and the loader agree on where the citations are
    assert found == sorted(p for p, _ in citation_pointers(supplement))
    kinds = {re.sub(r"/\d+", "", p) for p in found}
    assert kinds == {
        "/statuses/cite",
        "/problems/cite",
        "/problems/statuses/cite",
        "/problems/labs/cite",
        "/problems/extra_fields/cite",
        "/partial_errors",
    }
    assert _missing_quotes(raw) == []
    assert verify_citations(supplement, DOCS) == []


@needs_docs
@pytest.mark.parametrize(
    ("pointer", "quote"),
    [
        ("/statuses/6/cite", "Returned when a request cannot be served due to the App's rate limit"),  # straight quote
        ("/problems/7/labs/0/cite", "because it exceeded its usage cap!"),
        ("/problems/4/extra_fields/0/cite", '"client_id": "16395995"'),  # the Labs example, not this page
        ("/partial_errors", "a 200 status code with data and errors"),
    ],
)
def test_a_wrong_quote_is_detected(tmp_path: Path, pointer: str, quote: str) -> None:
    raw = _raw()
    node = raw
    for token in pointer.strip("/").split("/"):
        node = node[int(token)] if isinstance(node, list) else node[token]
    node["quote"] = quote
    assert _missing_quotes(raw) == [pointer]

    path = tmp_path / "supplement.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    bad, diags = load_supplement(path)
    assert diags == [] and bad is not None
    found = verify_citations(bad, DOCS)
    assert [(d.level, d.file, d.pointer) for d in found] == [("error", str(path), pointer + "/quote")]


def test_whitespace_is_collapsed_but_quotes_are_exact() -> None:
    text = collapse_whitespace(_page_text(LABS_PAGE))
    assert "General errors Each problem type" in text
    assert "you've sent" in text
    assert "you’ve sent" not in text
    assert collapse_whitespace(" a \u00a0\n\t b ") == "a b"


def test_verbatim_texts_are_in_their_pages(supplement: Supplement) -> None:
    """Texts the supplement copies from the docs (not just the quotes) are verbatim."""
    v2 = collapse_whitespace(_page_text(V2_PAGE))
    labs = collapse_whitespace(_page_text(LABS_PAGE))
    for status in supplement.statuses:
        assert collapse_whitespace(status.description) in v2, status.code
        if status.tip is not None:
            assert collapse_whitespace(status.tip) in v2, status.code
    for problem in supplement.problems:
        for entry in problem.labs:
            assert entry.name in labs
            assert collapse_whitespace(entry.description) in labs, entry.name
            for reason in entry.reasons:
                assert f"• {reason}" in labs, reason
        for field in problem.extra_fields:
            assert f'"{field.name}":' in v2


# --- (c) everything in the docs' tables is present --------------------------------------


def test_all_statuses_and_doc_types_present(supplement: Supplement) -> None:
    assert {s.code: s.class_name for s in supplement.statuses} == STATUS_CLASSES
    slugs = [_slug(p.uri) for p in supplement.problems if p.cite is not None]
    assert slugs == DOC_TYPES
    assert "rule-length" in slugs


def test_retryable(supplement: Supplement) -> None:
    assert {s.code for s in supplement.statuses if s.retryable} == {429, 500, 503}


def test_pinned_class_names(supplement: Supplement) -> None:
    by_slug = {_slug(p.uri): p for p in supplement.problems}
    assert {k: p.class_name for k, p in by_slug.items()} == {
        "about:blank": "GenericProblem",
        "invalid-request": "InvalidRequestProblem",
        "resource-not-found": "ResourceNotFoundProblem",
        "not-authorized-for-resource": "NotAuthorizedForResourceProblem",
        "client-forbidden": "ClientForbiddenProblem",
        "disallowed-resource": "DisallowedResourceProblem",
        "unsupported-authentication": "UnsupportedAuthenticationProblem",
        "usage-capped": "UsageCapExceededProblem",
        "streaming-connection": "ConnectionExceptionProblem",
        "client-disconnected": "ClientDisconnectedProblem",
        "operational-disconnect": "OperationalDisconnectProblem",
        "rule-cap": "RulesCapProblem",
        "rule-length": "RuleLengthProblem",
        "invalid-rules": "InvalidRuleProblem",
        "duplicate-rules": "DuplicateRuleProblem",
        "conflict": "ConflictProblem",
        "noncompliant-rules": "NonCompliantRulesProblem",
        "not-authorized-for-field": "NotAuthorizedForFieldProblem",
        "oauth1-permissions": "Oauth1PermissionsProblem",
        "resource-unavailable": "ResourceUnavailableProblem",
        "field-unauthorized": "UnauthorizedFieldProblem",
        "field-hydration-failure": "FieldHydrationFailureProblem",
        "internal-error": "InternalErrorProblem",
    }
    assert [f.name for f in by_slug["not-authorized-for-resource"].former_names] == ["ResourceUnauthorizedProblem"]
    assert [f.name for f in by_slug["not-authorized-for-field"].former_names] == ["FieldUnauthorizedProblem"]
    for problem in supplement.problems:
        if problem.cite is None:
            assert problem.uri == f"https://api.x.com/2/problems/{_slug(problem.uri)}"
            assert (problem.title, problem.description, problem.statuses, problem.labs) == (None, None, (), ())


def test_spec_schema_names_are_pinned_or_former() -> None:
    """Every problem schema name in the specs is a pinned class name or a former name,
    except 2.167's reuse of FieldUnauthorizedProblem (a former name of another type)."""
    import json

    result, _ = load_supplement(SUPPLEMENT)
    assert result is not None
    known = {p.class_name for p in result.problems} | {f.name for p in result.problems for f in p.former_names}
    for spec in sorted((SHARED / "specs").glob("x-api-v2-*.json")) or [ROOT / "specs" / "x-api-v2-2.167.json"]:
        schemas = json.loads(spec.read_text(encoding="utf-8"))["components"]["schemas"]
        problem_schemas = {name for name in schemas if name.endswith("Problem") and name != "Problem"}
        assert problem_schemas <= known, (spec.name, problem_schemas - known)


def test_documented_statuses_and_labs(supplement: Supplement) -> None:
    by_slug = {_slug(p.uri): p for p in supplement.problems}
    assert {k: [s.code for s in p.statuses] for k, p in by_slug.items() if p.statuses} == {
        "usage-capped": [429],
        "streaming-connection": [409, 429],
    }
    phases = {e.name: e.during for p in supplement.problems for e in p.labs}
    assert phases.pop("Rules cap exceeded") == "rule-submission"  # answers a POST of rules
    assert set(phases.values()) == {"connection"}
    labs = {e.name: (_slug(p.uri), e.endpoints) for p in supplement.problems for e in p.labs}
    assert labs == {
        "General Problem": ("about:blank", ()),
        "Invalid Request": ("invalid-request", ()),
        "Not Found Error": ("resource-not-found", ()),
        "Authorization Error": ("not-authorized-for-resource", ()),
        "Disallowed Resource": ("disallowed-resource", ()),
        "Unsupported Authentication": ("unsupported-authentication", ()),
        "Client Forbidden": ("client-forbidden", ()),
        "Usage cap exceeded": ("usage-capped", ("Filtered Stream",)),
        "Rules cap exceeded": ("rule-cap", ("Filtered Stream",)),
        "Too many connections": ("streaming-connection", ("Filtered Stream", "Sampled Stream")),
        "Operational disconnect": ("operational-disconnect", ("Filtered Stream", "Sampled Stream")),
    }
    bullets = re.findall(r"^\s*• (.+)$", _page_text(LABS_PAGE).split("disconnected for one of the following reasons:")[1].split("Additional resources")[0], re.MULTILINE)
    assert len(bullets) == 4
    assert list(by_slug["operational-disconnect"].labs[0].reasons) == bullets
    fields = {f.name: f for f in by_slug["client-forbidden"].extra_fields}
    assert list(fields) == ["client_id", "required_enrollment", "registration_url", "reason"]
    assert fields["registration_url"].format == "uri"
    assert all(f.kind == "string" and f.enum_values is None for f in fields.values())


# --- (e) titles and descriptions match the docs' tables ---------------------------------


def _table(text: str, header: str) -> list[str]:
    after = text.split(header + "\n", 1)[1]
    return after.split("\n\n", 1)[0].splitlines()


def test_problem_titles_and_descriptions_match_docs_table(supplement: Supplement) -> None:
    rows = _table(_page_text(V2_PAGE), "TitleTypeDescription")
    pattern = re.compile(r"(?P<title>.+?)(?P<uri>about:blank|https://api\.X\.com/2/problems/[a-z0-9-]+)(?P<desc>[A-Z].*)")
    table = {}
    for row in rows:
        match = pattern.fullmatch(row)
        assert match, row
        table[match["uri"]] = (match["title"], match["desc"])
    assert [_slug(u) for u in table] == DOC_TYPES
    documented = {p.uri: p for p in supplement.problems if p.cite is not None}
    assert list(documented) == list(table)  # same URIs, capital X kept, same order
    for uri, (title, desc) in table.items():
        problem = documented[uri]
        assert problem.title == title
        assert problem.description is not None
        assert collapse_whitespace(problem.description) == desc
        assert problem.cite is not None and problem.cite.page == V2_PAGE
    assert documented["https://api.X.com/2/problems/usage-capped"].title == "Usage Capped Problem"


def test_status_rows_match_docs_table(supplement: Supplement) -> None:
    rows = _table(_page_text(V2_PAGE), "CodeTextDescriptionTroubleshooting tips")
    assert len(rows) == 10
    by_code = {s.code: s for s in supplement.statuses}
    for row in rows:
        status = by_code[int(row[:3])]
        expected = status.text + collapse_whitespace(status.description) + collapse_whitespace(status.tip or "")
        assert row[3:] == expected, status.code
        assert status.cite.page == V2_PAGE


# --- (d) the validator rejects each kind of mistake, at the right pointer ---------------


def _minimal() -> dict[str, Any]:
    cite = {"page": "P", "quote": "q"}
    return {
        "pages": [{"title": "P", "file": "p.txt"}],
        "statuses": [
            {
                "code": 404,
                "text": "Not Found",
                "class_name": "NotFound",
                "description": "d",
                "tip": None,
                "retryable": False,
                "cite": dict(cite),
            }
        ],
        "problems": [
            {"uri": "https://api.x.com/2/problems/a", "class_name": "AProblem", "title": "A", "cite": dict(cite)},
            {"uri": "about:blank", "class_name": "GenericProblem", "cite": None},
        ],
        "partial_errors": dict(cite),
    }


def _load(tmp_path: Path, doc: Any) -> tuple[Supplement | None, list[Diagnostic]]:
    path = tmp_path / "supplement.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_supplement(path)


def test_minimal_supplement_is_valid(tmp_path: Path) -> None:
    result, diags = _load(tmp_path, _minimal())
    assert diags == []
    assert result is not None
    assert result.problems[1].former_names == () and result.problems[1].cite is None


def test_a_page_address_is_kept(tmp_path: Path, supplement: Supplement) -> None:
    doc = _minimal()
    doc["pages"][0]["url"] = "https://docs.example.com/x-api/errors#problem-types"
    result, diags = _load(tmp_path, doc)
    assert diags == [] and result is not None
    assert result.pages[0].url == "https://docs.example.com/x-api/errors#problem-types"
    assert all(p.url and p.url.startswith("https://") for p in supplement.pages)  # the shipped pages link


def _set(pointer: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        *path, last = pointer.strip("/").split("/")
        node: Any = doc
        for token in path:
            node = node[int(token)] if isinstance(node, list) else node[token]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return apply


def _delete(pointer: str) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        *path, last = pointer.strip("/").split("/")
        node: Any = doc
        for token in path:
            node = node[int(token)] if isinstance(node, list) else node[token]
        del node[last]

    return apply


def _add_status(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc["statuses"].append({**copy.deepcopy(doc["statuses"][0]), "class_name": "Other", **changes})

    return apply


def _add_problem(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc["problems"].append({"uri": "https://api.x.com/2/problems/b", "class_name": "BProblem", "cite": None, **changes})

    return apply


CITE = {"page": "P", "quote": "q"}
OBS = {"files": ["a.jsonl"], "count": 12, "first_seen": "2020-06-18T15:25:01Z", "last_seen": "2020-07-09T15:57:37Z"}


def _observed(**changes: Any) -> dict[str, Any]:
    """An ``observed`` record with some keys replaced (a value of ``...`` deletes the key)."""
    return {k: v for k, v in {**copy.deepcopy(OBS), **changes}.items() if v is not ...}


def _add_observed_problem(**changes: Any) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        doc["problems"].append({"uri": "https://api.x.com/2/problems/b", "class_name": "BProblem", "observed": copy.deepcopy(OBS), **changes})

    return apply


def _observed_field(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return _set("/problems/0/extra_fields", [{"name": "f", "kind": "string", "description": "d", "observed": _observed(**changes)}])


BAD_CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    # unknown keys (pointer escaping: ~ -> ~0, / -> ~1)
    ("unknown top-level key", _set("/colour", 1), "/colour", "unknown key 'colour'"),
    ("unknown problem key", _set("/problems/0/colour", 1), "/problems/0/colour", "unknown key"),
    ("escaped unknown key", _set("/problems/0/a~b", 1), "/problems/0/a~0b", "unknown key 'a~b'"),
    ("escaped unknown key /", lambda d: d["problems"][0].update({"x/y": 1}), "/problems/0/x~1y", "unknown key 'x/y'"),
    ("unknown cite key", _set("/partial_errors/url", "u"), "/partial_errors/url", "unknown key"),
    # missing keys
    ("missing status key", _delete("/statuses/0/retryable"), "/statuses/0", "missing key 'retryable'"),
    ("missing top-level key", _delete("/partial_errors"), "", "missing key 'partial_errors'"),
    ("missing problem cite", _delete("/problems/1/cite"), "/problems/1", "missing key 'cite'"),
    ("missing quote", _delete("/problems/0/cite/quote"), "/problems/0/cite", "missing key 'quote'"),
    # wrong types
    ("bool is not int", _set("/statuses/0/code", True), "/statuses/0/code", "expected an integer, got boolean True"),
    ("string is not int", _set("/statuses/0/code", "404"), "/statuses/0/code", "got string '404'"),
    ("int is not bool", _set("/statuses/0/retryable", 1), "/statuses/0/retryable", "expected a boolean, got integer 1"),
    ("list is not str", _set("/statuses/0/text", ["x"]), "/statuses/0/text", "expected a string"),
    ("problems not a list", _set("/problems", {"a": 1}), "/problems", "expected an array"),
    ("status not a mapping", _set("/statuses/0", "404"), "/statuses/0", "expected a mapping"),
    ("null cite on a status", _set("/statuses/0/cite", None), "/statuses/0/cite", "expected a mapping, got null"),
    ("tip is a number", _set("/statuses/0/tip", 3), "/statuses/0/tip", "expected a string or null"),
    ("empty description", _set("/statuses/0/description", " "), "/statuses/0/description", "must not be empty"),
    ("former_names null", _set("/problems/0/former_names", None), "/problems/0/former_names", "expected an array, got null"),
    # status codes
    ("code below 100", _set("/statuses/0/code", 99), "/statuses/0/code", "out of 100..599: 99"),
    ("code above 599", _set("/statuses/0/code", 600), "/statuses/0/code", "out of 100..599: 600"),
    ("duplicate status code", _add_status(), "/statuses/1/code", "duplicate status code 404"),
    # duplicate problem types, host case-insensitive
    ("duplicate uri", _add_problem(uri="https://api.x.com/2/problems/a"), "/problems/2/uri", "same type as /problems/0/uri"),
    ("duplicate uri, host case", _add_problem(uri="https://API.X.com/2/problems/a"), "/problems/2/uri", "duplicate problem type"),
    ("duplicate uri, other host", _add_problem(uri="https://api.twitter.com/2/problems/a"), "/problems/2/uri", "duplicate problem type"),
    ("duplicate uri, scheme case", _add_problem(uri="ABOUT:blank"), "/problems/2/uri", "same type as /problems/1/uri"),
    ("uri with spaces", _set("/problems/0/uri", "https://api.x.com/2/problems/a b"), "/problems/0/uri", "absolute URI"),
    ("relative uri", _set("/problems/0/uri", "/2/problems/a"), "/problems/0/uri", "absolute URI"),
    # class names
    ("duplicate class name", _add_problem(class_name="AProblem"), "/problems/2/class_name", "duplicate class name 'AProblem' (first at /problems/0/class_name)"),
    ("class name clashes with a status class", _set("/problems/0/class_name", "NotFound"), "/problems/0/class_name", "duplicate class name"),
    ("not an identifier", _set("/problems/0/class_name", "A-Problem"), "/problems/0/class_name", "not a valid ASCII Python identifier"),
    ("starts with a digit", _set("/statuses/0/class_name", "404NotFound"), "/statuses/0/class_name", "not a valid"),
    ("non-ASCII look-alike", _set("/problems/0/class_name", "AProbl\u0435m"), "/problems/0/class_name", "not a valid ASCII"),
    ("keyword", _set("/problems/0/class_name", "None"), "/problems/0/class_name", "'None' is a Python keyword"),
    ("soft keyword", _set("/problems/0/class_name", "match"), "/problems/0/class_name", "is a Python keyword"),
    ("builtin", _set("/statuses/0/class_name", "ConnectionError"), "/statuses/0/class_name", "reserved"),
    ("runtime name", _set("/problems/0/class_name", "Problem"), "/problems/0/class_name", "reserved"),
    # every name the runtime exports or the data modules define, not a hand-kept subset
    *((f"runtime name {n}", _set("/problems/0/class_name", n), "/problems/0/class_name", "reserved") for n in sorted(RESERVED_NAMES) if n[:1].isupper()),
    ("private name", _set("/problems/0/class_name", "_AProblem"), "/problems/0/class_name", "must be public"),
    ("class name not a string", _set("/problems/0/class_name", 5), "/problems/0/class_name", "expected a string, got integer 5"),
    # former names
    (
        "former name equals a class name",
        _set("/problems/1/former_names", [{"name": "AProblem", "note": "n"}]),
        "/problems/1/former_names/0/name",
        "duplicate class name 'AProblem' (first at /problems/0/class_name)",
    ),
    (
        "duplicate former names",
        _add_problem(former_names=[{"name": "OldProblem", "note": "n"}, {"name": "OldProblem", "note": "n"}]),
        "/problems/2/former_names/1/name",
        "duplicate class name 'OldProblem'",
    ),
    ("former name keyword", _set("/problems/0/former_names", [{"name": "class", "note": "n"}]), "/problems/0/former_names/0/name", "keyword"),
    ("former name without note", _set("/problems/0/former_names", [{"name": "OldProblem"}]), "/problems/0/former_names/0", "missing key 'note'"),
    # citations
    ("unknown page", _set("/problems/0/cite/page", "Q"), "/problems/0/cite/page", "unknown page 'Q'; expected one of 'P'"),
    ("empty quote", _set("/partial_errors/quote", ""), "/partial_errors/quote", "must not be empty: ''"),
    ("blank quote", _set("/statuses/0/cite/quote", " \n"), "/statuses/0/cite/quote", "must not be empty"),
    ("quote not a string", _set("/statuses/0/cite/quote", 1), "/statuses/0/cite/quote", "expected a string"),
    ("title without a cite", _set("/problems/1/title", "Generic"), "/problems/1/title", "needs a cite"),
    # pages
    ("duplicate page title", lambda d: d["pages"].append({"title": "P", "file": "q.txt"}), "/pages/1/title", "duplicate page title 'P'"),
    ("page file with a path", _set("/pages/0/file", "../p.txt"), "/pages/0/file", "plain file name"),
    ("no pages", _set("/pages", []), "/pages", "at least one page"),
    # documented statuses, Labs entries, extra fields
    (
        "documented status not in the table",
        _set("/problems/0/statuses", [{"code": 409, "when": "w", "cite": CITE}]),
        "/problems/0/statuses/0/code",
        "not in the statuses table",
    ),
    (
        "documented status repeated",
        _set("/problems/0/statuses", [{"code": 404, "when": "w", "cite": CITE}, {"code": 404, "when": "v", "cite": CITE}]),
        "/problems/0/statuses/1/code",
        "duplicate status code 404",
    ),
    (
        "documented status bool code",
        _set("/problems/0/statuses", [{"code": False, "when": "w", "cite": CITE}]),
        "/problems/0/statuses/0/code",
        "got boolean False",
    ),
    (
        "labs endpoints not a list",
        _set("/problems/0/labs", [{"name": "L", "description": "d", "endpoints": "Filtered Stream", "cite": CITE}]),
        "/problems/0/labs/0/endpoints",
        "expected an array",
    ),
    (
        "labs phase unknown",
        _set("/problems/0/labs", [{"name": "L", "description": "d", "endpoints": [], "during": "reading", "cite": CITE}]),
        "/problems/0/labs/0/during",
        "unknown phase 'reading'; expected one of connection, rule-submission",
    ),
    (
        "labs reason empty",
        _set("/problems/0/labs", [{"name": "L", "description": "d", "endpoints": [], "reasons": [""], "cite": CITE}]),
        "/problems/0/labs/0/reasons/0",
        "must not be empty",
    ),
    (
        "duplicate labs name",
        _add_problem(labs=[{"name": "L", "description": "d", "endpoints": [], "cite": CITE}] * 2),
        "/problems/2/labs/1/name",
        "duplicate Labs name 'L' (first at /problems/2/labs/0/name)",
    ),
    (
        "field kind unknown",
        _set("/problems/0/extra_fields", [{"name": "f", "kind": "str", "description": "d", "cite": CITE}]),
        "/problems/0/extra_fields/0/kind",
        "unknown kind 'str'",
    ),
    (
        "field is a base field",
        _set("/problems/0/extra_fields", [{"name": "detail", "kind": "string", "description": "d", "cite": CITE}]),
        "/problems/0/extra_fields/0/name",
        "base field",
    ),
    (
        "duplicate field",
        _set("/problems/0/extra_fields", [{"name": "f", "kind": "string", "description": "d", "cite": CITE}] * 2),
        "/problems/0/extra_fields/1/name",
        "duplicate field 'f'",
    ),
    (
        "duplicate observed field",
        _set("/problems/0/extra_fields", [{"name": "f", "kind": "string", "description": "d", "observed": _observed()}] * 2),
        "/problems/0/extra_fields/1/name",
        "duplicate field 'f'",
    ),
    (
        "empty enum",
        _set("/problems/0/extra_fields", [{"name": "f", "kind": "string", "description": "d", "enum_values": [], "cite": CITE}]),
        "/problems/0/extra_fields/0/enum_values",
        "must not be empty",
    ),
    (
        "enum value not a string",
        _set("/problems/0/extra_fields", [{"name": "f", "kind": "string", "description": "d", "enum_values": [1], "cite": CITE}]),
        "/problems/0/extra_fields/0/enum_values/0",
        "expected a string, got integer 1",
    ),
    (
        "field without a cite",
        _set("/problems/0/extra_fields", [{"name": "f", "kind": "string", "description": "d", "cite": None}]),
        "/problems/0/extra_fields/0/cite",
        "expected a mapping, got null",
    ),
    # errors.md links a page's title to its url: only a plain https address can be a link.
    *(
        (f"page url {why}", _set("/pages/0/url", url), "/pages/0/url", "expected an https:// address")
        for why, url in (
            ("with another scheme", "javascript:alert(1)"),
            ("over http", "http://docs.example.com/errors"),
            ("that would close the link", "https://docs.example.com/a)[x](https://evil.example.com"),
            ("with a query", "https://docs.example.com/?q=1"),
            ("with a space", "https://docs.example.com/a b"),
        )
    ),
    ("page url not a string", _set("/pages/0/url", 7), "/pages/0/url", "expected a string or null, got integer 7"),
    # observed sources (issue 16): exactly one of cite and observed, and a well-formed record
    ("problem cited and observed", _set("/problems/0/observed", OBS), "/problems/0/observed", "give either cite or observed, not both"),
    ("problem neither cited nor observed", _delete("/problems/0/cite"), "/problems/0", "missing key 'cite' (or 'observed')"),
    ("observed problem with a title", _add_observed_problem(title="B"), "/problems/2/title", "title 'B' needs a cite (observed, not cited)"),
    (
        "status cited and observed",
        _set("/problems/0/statuses", [{"code": 404, "when": "w", "cite": CITE, "observed": OBS}]),
        "/problems/0/statuses/0/observed",
        "give either cite or observed, not both",
    ),
    ("status with no source", _set("/problems/0/statuses", [{"code": 404, "when": "w"}]), "/problems/0/statuses/0", "missing key 'cite' (or 'observed')"),
    (
        "field cited and observed",
        _set("/problems/0/extra_fields", [{"name": "f", "kind": "string", "description": "d", "cite": CITE, "observed": OBS}]),
        "/problems/0/extra_fields/0/observed",
        "not both",
    ),
    ("observed is null", _add_observed_problem(observed=None), "/problems/2/observed", "expected a mapping, got null"),
    ("observed unknown key", _observed_field(seen=1), "/problems/0/extra_fields/0/observed/seen", "unknown key 'seen'"),
    ("observed without count", _observed_field(count=...), "/problems/0/extra_fields/0/observed", "missing key 'count'"),
    ("observed without last_seen", _observed_field(last_seen=...), "/problems/0/extra_fields/0/observed", "missing key 'last_seen'"),
    ("observed count zero", _observed_field(count=0), "/problems/0/extra_fields/0/observed/count", "must be at least 1, got 0"),
    ("observed count bool", _observed_field(count=True), "/problems/0/extra_fields/0/observed/count", "expected an integer, got boolean True"),
    ("observed count float", _observed_field(count=12.0), "/problems/0/extra_fields/0/observed/count", "expected an integer, got number 12.0"),
    ("observed count string", _observed_field(count="12"), "/problems/0/extra_fields/0/observed/count", "expected an integer, got string '12'"),
    ("observed files empty", _observed_field(files=[]), "/problems/0/extra_fields/0/observed/files", "must list at least one file"),
    ("observed files a string", _observed_field(files="a.jsonl"), "/problems/0/extra_fields/0/observed/files", "expected an array, got string"),
    ("observed file empty", _observed_field(files=["a.jsonl", " "]), "/problems/0/extra_fields/0/observed/files/1", "must not be empty"),
    ("observed file not a string", _observed_field(files=[3]), "/problems/0/extra_fields/0/observed/files/0", "expected a string, got integer 3"),
    *(
        (f"observed time {why}", _observed_field(first_seen=value), "/problems/0/extra_fields/0/observed/first_seen", "expected an ISO 8601 UTC time")
        for why, value in (
            ("without Z", "2020-06-18T15:25:01"),
            ("with an offset", "2020-06-18T15:25:01+00:00"),
            ("a date only", "2020-06-18"),
            ("month 13", "2020-13-18T15:25:01Z"),
            ("hour 25", "2020-06-18T25:25:01Z"),
            ("lower-case z", "2020-06-18T15:25:01z"),
            ("non-ASCII digits", "\u0662020-06-18T15:25:01Z"),
            ("trailing newline", "2020-06-18T15:25:01Z\n"),
        )
    ),
    ("observed time a number", _observed_field(first_seen=2020), "/problems/0/extra_fields/0/observed/first_seen", "expected a string or null, got integer 2020"),
    ("observed last before first", _observed_field(last_seen="2020-06-18T15:25:00.5Z"), "/problems/0/extra_fields/0/observed/last_seen", "is before first_seen '2020-06-18T15:25:01Z'"),
    ("observed only last null", _observed_field(last_seen=None), "/problems/0/extra_fields/0/observed/last_seen", "must not be null when first_seen is"),
    ("observed only first null", _observed_field(first_seen=None), "/problems/0/extra_fields/0/observed/last_seen", "must be null when first_seen is null"),
    ("page titled observed", _set("/pages/0/title", "observed"), "/pages/0/title", "page title 'observed' is reserved"),
]


@pytest.mark.parametrize(("mutate", "pointer", "message"), [c[1:] for c in BAD_CASES], ids=[c[0] for c in BAD_CASES])
def test_validation_rejects(tmp_path: Path, mutate: Callable[[dict[str, Any]], None], pointer: str, message: str) -> None:
    doc = _minimal()
    mutate(doc)
    result, diags = _load(tmp_path, doc)
    assert result is None
    assert [(d.level, d.file, d.pointer) for d in diags] == [("error", str(tmp_path / "supplement.yaml"), pointer)], diags
    assert message in diags[0].message


def test_all_errors_are_collected(tmp_path: Path) -> None:
    doc = _minimal()
    doc["statuses"][0]["code"] = True
    doc["problems"][0]["class_name"] = "class"
    doc["problems"][1]["cite"] = {"page": "Nope", "quote": ""}
    doc["partial_errors"]["quote"] = ""
    result, diags = _load(tmp_path, doc)
    assert result is None
    assert [d.pointer for d in diags] == [
        "/statuses/0/code",
        "/problems/0/class_name",
        "/problems/1/cite/quote",
        "/problems/1/cite/page",
        "/partial_errors/quote",
    ]


def _observed_doc() -> dict[str, Any]:
    """The minimal supplement plus a type, a status and a field known only from traffic."""
    doc = _minimal()
    doc["problems"][0]["statuses"] = [{"code": 404, "when": "seen", "observed": _observed(count=3)}]
    doc["problems"][0]["extra_fields"] = [
        {"name": "errors", "kind": "array", "description": "d", "observed": _observed(files=["b.har", "a.jsonl"], count=1)},
        {"name": "reason", "kind": "string", "description": "d", "enum_values": ["x"], "cite": dict(CITE)},
    ]
    doc["problems"].append({"uri": "https://api.x.com/2/problems/new", "class_name": "NewProblem", "observed": _observed(first_seen=None, last_seen=None)})
    doc["problems"].append({"uri": "https://api.x.com/2/problems/pin", "class_name": "PinProblem", "cite": None, "observed": _observed(last_seen="2020-06-18T15:25:01.000Z")})
    return doc


def test_observed_facts_are_read(tmp_path: Path) -> None:
    result, diags = _load(tmp_path, _observed_doc())
    assert diags == [] and result is not None
    a, _, new, pin = result.problems
    assert a.statuses[0].cite == Observation(("a.jsonl",), 3, "2020-06-18T15:25:01Z", "2020-07-09T15:57:37Z")
    assert a.extra_fields[0].cite == Observation(("b.har", "a.jsonl"), 1, "2020-06-18T15:25:01Z", "2020-07-09T15:57:37Z")
    assert isinstance(a.extra_fields[1].cite, Citation) and a.observed is None
    assert (new.cite, new.observed) == (None, Observation(("a.jsonl",), 12, None, None))
    assert pin.cite is None and pin.observed is not None and pin.observed.last_seen == "2020-06-18T15:25:01.000Z"  # same instant: not before


def test_observations_are_not_citations(tmp_path: Path) -> None:
    """Only quotes are checked against pages: an observed fact yields no citation."""
    result, _ = _load(tmp_path, _observed_doc())
    assert result is not None
    assert [p for p, _ in citation_pointers(result)] == ["/statuses/0/cite", "/problems/0/cite", "/problems/0/extra_fields/1/cite", "/partial_errors"]
    assert all(isinstance(c, Citation) for _, c in citation_pointers(result))
    (tmp_path / "p.txt").write_text("q", encoding="utf-8")
    assert verify_citations(result, tmp_path) == []


def test_observed_times_are_strings_in_plain_yaml(tmp_path: Path) -> None:
    """What audit --suggest writes may leave times unquoted: YAML 1.2 keeps them strings
    (a 1.1 loader would make them datetimes, which the validator would refuse)."""
    doc = _minimal()
    partial = {"partial_errors": doc.pop("partial_errors")}
    entry = (
        "- uri: https://api.x.com/2/problems/new\n"
        "  class_name: NewProblem\n"
        "  observed:\n"
        "    files: [x-api-real-error-bodies.jsonl]\n"
        "    count: 12\n"
        "    first_seen: 2020-06-18T15:25:01Z\n"
        "    last_seen: 2020-07-09T15:57:37Z\n"
    )
    path = tmp_path / "supplement.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False) + entry + yaml.safe_dump(partial), encoding="utf-8")
    result, diags = load_supplement(path)
    assert diags == [], [d.render() for d in diags]
    assert result is not None and result.problems[-1].observed == Observation(("x-api-real-error-bodies.jsonl",), 12, "2020-06-18T15:25:01Z", "2020-07-09T15:57:37Z")


def test_observed_errors_are_collected_with_the_others(tmp_path: Path) -> None:
    doc = _observed_doc()
    doc["statuses"][0]["code"] = True
    doc["problems"][0]["extra_fields"][0]["observed"]["count"] = 0
    doc["problems"][2]["observed"]["files"] = []
    doc["problems"][3]["observed"]["first_seen"] = "yesterday"
    result, diags = _load(tmp_path, doc)
    assert result is None
    assert [d.pointer for d in diags] == [
        "/statuses/0/code",
        "/problems/0/statuses/0/code",  # 404 is no longer in the table
        "/problems/0/extra_fields/0/observed/count",
        "/problems/2/observed/files",
        "/problems/3/observed/first_seen",
    ]


def test_message_shows_value_cut_to_60_chars(tmp_path: Path) -> None:
    doc = _minimal()
    doc["problems"][0]["class_name"] = "Bad-" + "x" * 200
    _, diags = _load(tmp_path, doc)
    [diag] = diags
    shown = repr("Bad-" + "x" * 200)[:57] + "..."
    assert f"class name {shown} is not" in diag.message
    assert len(shown) == 60


def test_yaml_problems_come_from_the_loader(tmp_path: Path) -> None:
    path = tmp_path / "supplement.yaml"
    path.write_text("pages: []\npages: []\n", encoding="utf-8")
    result, diags = load_supplement(path)
    assert result is None
    assert [d.pointer for d in diags] == ["/pages"]
    assert "duplicate key" in diags[0].message

    path.write_text("pages: !!python/object:os.system {}\n", encoding="utf-8")
    result, diags = load_supplement(path)
    assert result is None and diags and diags[0].level == "error"

    result, diags = load_supplement(tmp_path / "missing.yaml")
    assert result is None and diags[0].pointer == ""


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    result, diags = _load(tmp_path, ["pages"])
    assert result is None
    assert [(d.pointer, d.message) for d in diags] == [("", "expected a mapping, got array ['pages']")]


@pytest.mark.parametrize("name", sorted(n for n in RESERVED_NAMES if n[:1].isupper()))
def test_generate_refuses_a_pinned_class_name_the_runtime_takes(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pinned name that cannot be honoured stops generate with a pointer; nothing is written.

    RESERVED_NAMES is read from the runtime's source, so this covers every name it exports.
    """
    from xproblems.cli import main
    from xproblems.resources import default_supplement

    text = default_supplement().read_text(encoding="utf-8")
    assert text.count("class_name: GenericProblem\n") == 1
    supplement = tmp_path / "supplement.yaml"
    supplement.write_text(text.replace("class_name: GenericProblem\n", f"class_name: {name}\n"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["generate", "--supplement", str(supplement), "--out", str(out)]) == 2
    err = without_positions(capsys.readouterr().err)
    assert f"{supplement}: /problems/0/class_name: class name '{name}' is reserved" in err, err
    assert not out.exists()


def test_a_field_may_come_once_from_the_docs_and_once_from_traffic(tmp_path: Path) -> None:
    """``audit --suggest`` adds observed enum values to a field the docs already describe."""
    doc = _observed_doc()
    doc["problems"][0]["extra_fields"] = [
        {"name": "reason", "kind": "string", "description": "d", "cite": CITE},
        {"name": "reason", "kind": "string", "description": "d", "enum_values": ["new-one"], "observed": _observed()},
    ]
    result, diags = _load(tmp_path, doc)
    assert diags == [] and result is not None
    assert [type(f.cite).__name__ for f in result.problems[0].extra_fields] == ["Citation", "Observation"]
