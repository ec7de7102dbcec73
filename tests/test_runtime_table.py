"""A body for every documented problem type and status, and every malformed shape."""

from __future__ import annotations

import copy
import enum
import json
import pickle
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from .conftest import shared_text
from .runtime_support import DOCS, load

xp = load()

# slug -> (status it usually comes with, extension members of a realistic body)
PROBLEM_TABLE: dict[str, tuple[int, dict[str, Any]]] = {
    "about:blank": (401, {"status": 401}),
    "invalid-request": (400, {"errors": [{"parameters": {"ids": ["x"]}, "message": "The `ids` query parameter value [x] is not valid"}]}),
    "resource-not-found": (200, {"parameter": "id", "value": "1", "resource_id": "1", "resource_type": "tweet"}),
    "not-authorized-for-resource": (200, {"parameter": "id", "value": "1", "resource_id": "1", "resource_type": "tweet", "section": "data"}),
    "not-authorized-for-field": (200, {"field": "non_public_metrics", "parameter": "id", "resource_id": "1", "resource_type": "tweet", "section": "data", "value": "1"}),
    "field-unauthorized": (200, {"field": "non_public_metrics", "resource_type": "tweet", "section": "data"}),
    "field-hydration-failure": (200, {"field": "author_id", "resource_type": "tweet", "section": "includes"}),
    "resource-unavailable": (200, {"parameter": "id", "resource_id": "1", "resource_type": "user"}),
    "client-forbidden": (403, {"reason": "client-not-enrolled", "registration_url": "https://developer.x.com/en/portal/dashboard", "client_id": "1", "required_enrollment": "Appropriate Level of API Access"}),
    "disallowed-resource": (200, {"resource_id": "1", "resource_type": "tweet", "section": "data"}),
    "unsupported-authentication": (403, {}),
    "oauth1-permissions": (403, {}),
    "usage-capped": (429, {"period": "Monthly", "scope": "Product"}),
    "streaming-connection": (429, {"connection_issue": "TooManyConnections"}),
    "client-disconnected": (200, {}),
    "operational-disconnect": (200, {"disconnect_type": "UpstreamOperationalDisconnect"}),
    "rule-cap": (400, {}),
    "rule-length": (400, {}),
    "invalid-rules": (400, {"value": "from:"}),
    "duplicate-rules": (400, {"id": "1", "value": "cats"}),
    "noncompliant-rules": (400, {}),
    "conflict": (409, {}),
    "internal-error": (500, {}),
}
DOC_STATUSES = (400, 401, 403, 404, 409, 429, 500, 501, 503)


def _uri(slug: str, host: str = "api.x.com") -> str:
    return slug if ":" in slug else f"https://{host}/2/problems/{slug}"


def _body(slug: str, host: str = "api.x.com") -> dict[str, Any]:
    extra = PROBLEM_TABLE[slug][1]
    return {"type": _uri(slug, host), "title": f"{slug} title", "detail": f"{slug} detail", **extra}


def _docs_slugs() -> set[str]:
    text = shared_text(DOCS / "x-api-v2-response-codes-and-errors.txt")
    # the table glues slug and description together: "...problems/rule-capYou have..."
    return set(re.findall(r"/2/problems/([a-z0-9-]+?)(?=[A-Z\"]|$)", text, re.MULTILINE)) | {"about:blank"}


def test_table_covers_every_generated_and_documented_type() -> None:
    assert set(xp.PROBLEM_CLASSES) <= set(PROBLEM_TABLE)
    assert _docs_slugs() <= set(PROBLEM_TABLE), _docs_slugs() - set(PROBLEM_TABLE)


def test_every_documented_status_has_its_class() -> None:
    text = shared_text(DOCS / "x-api-v2-response-codes-and-errors.txt")
    for status in DOC_STATUSES:
        assert f"\n{status}" in text
        cls = xp.STATUS_CLASSES[status]
        assert cls.http_status == status
        assert issubclass(cls, xp.ClientError if status < 500 else xp.ServerError)


@pytest.mark.parametrize("slug", sorted(PROBLEM_TABLE))
@pytest.mark.parametrize("host", ["api.x.com", "api.twitter.com", "API.X.COM", "example.org:8443"])
def test_every_problem_type(slug: str, host: str) -> None:
    if slug not in xp.PROBLEM_CLASSES:
        pytest.skip(f"{slug} is not in this spec")
    cls = xp.PROBLEM_CLASSES[slug]
    body = _body(slug, host)
    for given in (body, json.dumps(body), json.dumps(body).encode()):
        problem = xp.parse_problem(given)
        assert type(problem) is cls
        assert problem.raw == body
        assert problem.type == body["type"]
        assert problem.title == body["title"] and problem.detail == body["detail"]
        assert problem.issues == (), problem.issues
    problem = xp.parse_problem(body)
    for name, value in PROBLEM_TABLE[slug][1].items():
        assert problem.raw[name] == value
        if not hasattr(problem, name) and not hasattr(problem, name + "_"):
            continue  # an extension member this spec does not declare
        attr = getattr(problem, name) if hasattr(problem, name) else getattr(problem, name + "_")
        assert attr == value, (name, attr)
        if isinstance(attr, enum.Enum):
            assert attr.value == value
    # as the body of an error of its usual status (a 2xx one of 400)
    status = PROBLEM_TABLE[slug][0]
    status = status if status >= 400 else 400
    error = xp.error_from_response(status, json.dumps(body).encode(), {})
    assert isinstance(error, xp.STATUS_CLASSES[status]) and isinstance(error, cls)
    assert error.status == status
    assert error.problems == [problem]
    # as a partial error
    (partial,) = xp.partial_errors({"data": {"id": "1"}, "errors": [body]})
    assert partial == problem


def test_trailing_slash_and_http_scheme_are_tolerated() -> None:
    for uri in ("https://api.x.com/2/problems/usage-capped/", "http://api.twitter.com/2/problems/usage-capped"):
        assert type(xp.parse_problem({"type": uri, "title": "t", "detail": "d"})) is xp.UsageCapExceededProblem


@pytest.mark.parametrize("status", DOC_STATUSES)
def test_every_documented_status(status: int) -> None:
    body = {"type": "about:blank", "title": "t", "detail": "d", "status": status}
    error = xp.error_from_response(status, body)
    assert isinstance(error, xp.STATUS_CLASSES[status])
    assert isinstance(error, xp.PROBLEM_CLASSES["about:blank"])
    assert error.status == status and error.problems[0].status == status
    assert str(error).startswith(f"{status} {xp.STATUS_CLASSES[status].http_text} [about:blank] t: d")
    with pytest.raises(xp.STATUS_CLASSES[status]):
        xp.raise_for_response(status, body)


@pytest.mark.parametrize(
    ("status", "base"),
    [(418, "ClientError"), (499, "ClientError"), (502, "ServerError"), (504, "ServerError"), (302, "XAPIError"), (200, "XAPIError"), (None, "XAPIError")],
)
def test_undocumented_status_gets_nearest_base(status: int | None, base: str) -> None:
    error = xp.error_from_response(status, b"")
    assert type(error) is getattr(xp, base)
    assert error.status == status


def test_2xx_is_not_raised_and_partial_errors_read_it() -> None:
    body = {"data": [{"id": "1"}], "errors": [_body("resource-not-found")]}
    for status in (200, 201, 204, 299):
        assert xp.raise_for_response(status, body) is None
    (problem,) = xp.partial_errors(json.dumps(body))
    assert isinstance(problem, xp.ResourceNotFoundProblem)
    assert xp.partial_errors({"data": []}) == []
    for odd in (None, b"", b"not json", "[]", 5, [1, 2], {"errors": "nope"}, {"errors": None}, object()):
        assert xp.partial_errors(odd) == []


# --- malformed -----------------------------------------------------------------------


def test_unknown_type_uri() -> None:
    body = {"type": "https://api.x.com/2/problems/brand-new-thing", "title": "New", "detail": "d", "novel": [1]}
    error = xp.error_from_response(400, json.dumps(body))
    assert isinstance(error, xp.BadRequest) and isinstance(error, xp.UnknownProblem)
    assert error.problems[0].raw == body
    assert error.type == body["type"]
    assert "[brand-new-thing] New: d" in str(error)
    assert type(xp.parse_problem({"type": "urn:x:problem", "title": "t"})) is xp.UnknownProblem


def test_unknown_enum_value_is_kept_as_str() -> None:
    problem = xp.parse_problem({**_body("usage-capped"), "period": "Weekly", "scope": "Product"})
    assert problem.period == "Weekly" and not isinstance(problem.period, enum.Enum)
    assert isinstance(problem.scope, enum.Enum)
    assert any("period" in issue and "Weekly" in issue for issue in problem.issues)


def test_missing_required_members() -> None:
    problem = xp.parse_problem({"type": _uri("usage-capped")})
    assert problem.title is None and problem.detail is None
    assert any("title" in issue for issue in problem.issues)
    assert any("detail" in issue for issue in problem.issues)
    assert type(problem) is xp.UsageCapExceededProblem


def test_wrong_member_types() -> None:
    body = {**_body("usage-capped"), "status": "429", "title": 5, "period": ["Daily"]}
    problem = xp.parse_problem(body)
    assert problem.status is None and problem.title is None and problem.period is None
    assert problem.raw == body
    assert len(problem.issues) == 3
    assert any("'status' is string, expected integer" in issue for issue in problem.issues)
    assert str(problem)  # still readable
    assert xp.parse_problem({**body, "status": 429.0}).status == 429
    assert xp.parse_problem({**body, "status": True}).status is None


def test_extra_members_are_kept() -> None:
    body = {**_body("resource-not-found"), "something_new": {"nested": [1, 2]}}
    problem = xp.parse_problem(body)
    assert problem.raw["something_new"] == {"nested": [1, 2]}
    assert problem.issues == ()


def test_missing_type_is_about_blank_when_it_looks_like_a_problem() -> None:
    problem = xp.parse_problem({"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
    assert type(problem) is xp.PROBLEM_CLASSES["about:blank"]
    assert problem.type is None
    assert any("type" in issue for issue in problem.issues)
    assert type(xp.parse_problem({"code": 1})) is xp.UnknownProblem


def test_type_of_the_wrong_kind() -> None:
    problem = xp.parse_problem({"type": 5, "title": "t", "detail": "d"})
    assert type(problem) is xp.UnknownProblem
    assert problem.type is None and problem.raw["type"] == 5
    assert problem.issues


@pytest.mark.parametrize(
    ("status", "body", "snippet"),
    [
        (503, b"<html><head><title>Over capacity</title><style>p{color:red}</style></head><body><h1>Something is technically wrong.</h1></body></html>", "Something is technically wrong."),
        (503, "Service Unavailable\r\n", "Service Unavailable"),
        (502, b"Bad Gateway", "Bad Gateway"),
        (500, b"", "(empty body)"),
        (500, None, "(empty body)"),
        (500, b"   \n", "(empty body)"),
    ],
)
def test_non_json_bodies(status: int, body: Any, snippet: str) -> None:
    error = xp.error_from_response(status, body, {"content-type": "text/html"})
    assert error.problems == []
    assert error.body.raw == body
    assert not error.body.is_json
    assert snippet in str(error)
    assert "<" not in str(error)


def test_v11_style_errors() -> None:
    body = {"errors": [{"code": 32, "message": "Could not authenticate you."}]}
    error = xp.error_from_response(401, json.dumps(body).encode())
    assert isinstance(error, xp.Unauthorized)
    (problem,) = error.problems
    assert type(problem) is xp.UnknownProblem and problem.raw == body["errors"][0]
    assert str(error) == "401 Unauthorized Could not authenticate you. (code 32)"
    two = {"errors": [*body["errors"], {"code": 88, "message": "Rate limit exceeded"}]}
    error = xp.error_from_response(429, two)
    assert type(error) is xp.TooManyRequests and len(error.problems) == 2
    assert "(+1 more)" in str(error)


def test_problem_body_with_errors_array_is_one_problem() -> None:
    body = _body("invalid-request")
    error = xp.error_from_response(400, body)
    assert len(error.problems) == 1 and isinstance(error, xp.InvalidRequestProblem)
    assert error.errors == body["errors"]


@pytest.mark.parametrize("body", [b"[1, 2]", b'"just a string"', b"42", b"null", b"true", "[]", [{"type": "about:blank"}], 3.5])
def test_json_that_is_not_an_object(body: Any) -> None:
    error = xp.error_from_response(500, body)
    assert type(error) is xp.InternalServerError
    assert error.problems == []
    assert error.body.is_json
    assert str(error).startswith("500 Internal Server Error")


def test_huge_integers() -> None:
    digits = "9" * 5000
    raw = ('{"type": "about:blank", "title": "t", "detail": "d", "status": ' + digits + "}").encode()
    error = xp.error_from_response(500, raw)
    assert error.body.is_json and error.problems[0].status is None
    assert error.problems[0].issues
    big = json.dumps({"type": "about:blank", "title": "t", "detail": "d", "status": 10**30})
    assert xp.parse_problem(big).status == 10**30


def test_deeply_nested_json() -> None:
    deep = "[" * 200_000 + "]" * 200_000
    error = xp.error_from_response(400, deep)
    assert not error.body.is_json and error.problems == []
    assert str(error) and repr(error)
    # JSON_DEPTH_LIMIT levels are a problem; one more is a body that is not JSON
    # (tests/test_runtime_deep.py has the matrix of depths and entry points).
    inner = xp.JSON_DEPTH_LIMIT - 1
    nested = '{"type": "about:blank", "title": "t", "detail": "d", "x": ' + "[" * inner + "]" * inner + "}"
    assert xp.error_from_response(400, nested).problems[0].raw["x"]
    deeper = nested.replace("[", "[[", 1).replace("]", "]]", 1)
    assert xp.error_from_response(400, deeper).problems == []
    assert xp.partial_errors(deep) == []
    assert xp.parse_problem(deep).issues
    assert xp.classify_stream_line(deep).kind is xp.StreamEventKind.UNDECODABLE


def test_invalid_utf8() -> None:
    raw = b'{"type": "about:blank", "title": "caf\xe9"}'
    error = xp.error_from_response(400, raw)
    assert error.body.raw == raw and not error.body.is_json
    assert "\ufffd" in (error.body.text or "")
    assert "caf" in str(error)


def test_bom_and_non_finite_numbers() -> None:
    body = "\ufeff" + json.dumps(_body("usage-capped"))
    assert isinstance(xp.error_from_response(429, body), xp.UsageCapExceededProblem)
    assert isinstance(xp.error_from_response(429, body.encode("utf-8")), xp.UsageCapExceededProblem)
    error = xp.error_from_response(500, b'{"type": "about:blank", "title": "t", "status": NaN}')
    assert error.problems[0].status is None


def test_one_odd_item_never_spoils_the_rest() -> None:
    body = {"errors": [_body("resource-not-found"), 5, "text", None, [1], {"code": 1}, {"type": None}, _body("usage-capped")]}
    problems = xp.partial_errors(body)
    assert len(problems) == 8
    assert isinstance(problems[0], xp.ResourceNotFoundProblem)
    assert isinstance(problems[-1], xp.UsageCapExceededProblem)
    assert all(type(p) is xp.UnknownProblem for p in problems[1:-1])
    assert [p.raw for p in problems] == body["errors"]
    assert all(p.issues for p in problems[1:-1])
    for problem in problems:
        assert str(problem) and repr(problem)


class HostileMapping(Mapping[str, Any]):
    """A mapping whose every read fails."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("no")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("no")

    def __len__(self) -> int:
        raise RuntimeError("no")

    def get(self, key: str, default: Any = None) -> Any:
        raise RuntimeError("no")


class HostileObject:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")

    def __str__(self) -> str:
        raise RuntimeError("no str")


@pytest.mark.parametrize(
    "body",
    [HostileMapping(), HostileObject(), {"errors": [HostileMapping()]}, {"type": HostileObject()}, object(), b"\x00\xff" * 10, memoryview(b'{"title": "t"}'), bytearray(b"{}")],
)
@pytest.mark.parametrize("status", [429, "429", b"503", "abc", None, 3.5, True, -1, 10**20, HostileObject()])
def test_nothing_raises(body: Any, status: Any) -> None:
    error = xp.error_from_response(status, body, headers=HostileMapping())
    assert isinstance(error, xp.XAPIError)
    assert str(error) and repr(error)
    assert xp.parse_problem(body) is not None
    assert isinstance(xp.partial_errors(body), list)
    assert xp.classify_stream_line(body) is not None
    xp.retry_after(error, 1)
    xp.rate_limit_kind(error)


@pytest.mark.parametrize("line", [memoryview(b'{"title": "t"}'), bytearray(b'{"data": 1}'), memoryview(b"")])
def test_a_buffer_line_is_kept_as_bytes(line: Any) -> None:
    """Found by make fuzz: a memoryview line was kept as ``raw``, so its event could not
    be pickled (and a buffer may change after the call)."""
    event = xp.classify_stream_line(line)
    assert type(event.raw) is bytes and event.raw == bytes(line)
    assert pickle.loads(pickle.dumps(event)) == event == copy.deepcopy(event)


def test_status_given_as_text() -> None:
    assert type(xp.error_from_response("429", b"")) is xp.TooManyRequests
    assert xp.error_from_response(" 503 ", b"").status == 503
    assert xp.error_from_response("abc", b"").status is None
    # Only ASCII digits: "²".isdigit() is true (int() fails) and int() reads "٤٢٩" as 429.
    assert xp.error_from_response("\u00b2", b"").status is None
    assert xp.error_from_response("\u0664\u0662\u0669", b"").status is None


def test_headers_any_case_and_shape() -> None:
    reset = "1700000000"
    for headers in (
        {"X-Rate-Limit-Remaining": "0", "X-RATE-LIMIT-RESET": reset},
        [("x-rate-limit-remaining", "0"), ("X-Rate-Limit-Reset", reset)],
        [(b"x-rate-limit-remaining", b"0"), (b"x-rate-limit-reset", reset.encode())],
        (("x-rate-limit-remaining", "0"), ("x-rate-limit-reset", reset), ("bad",), 5),
    ):
        error = xp.error_from_response(429, b"", headers)
        assert error.rate_limit.remaining == 0
        assert error.rate_limit.reset is not None and error.rate_limit.reset.timestamp() == int(reset)
        assert error.headers["x-rate-limit-remaining"] == "0"
    repeated = xp.error_from_response(500, b"", [("Via", "a"), ("via", "b")])
    assert repeated.headers == {"via": "a, b"}
