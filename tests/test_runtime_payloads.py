"""Every real X API body we have, through the public API of the generated package."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .runtime_support import load, read_jsonl, slug_of

xp = load()

ERROR_BODIES = read_jsonl("x-api-real-error-bodies.jsonl")
NON_JSON_BODIES = read_jsonl("x-api-real-non-json-bodies.jsonl")


def _ids(records: list[dict[str, Any]]) -> list[str]:
    return [f"{i}-{r['kind']}-{r['status']}" for i, r in enumerate(records)]


def _problem_slug(problem: Any) -> str:
    assert problem.type is not None
    return slug_of(problem.type)


def _assert_known(problem: Any, expected: str) -> None:
    """The problem is the documented class for ``expected``, found by slug on any host."""
    assert _problem_slug(problem) == slug_of(expected)
    assert not isinstance(problem, xp.UnknownProblem), problem
    assert type(problem) is xp.PROBLEM_CLASSES[slug_of(expected)]
    assert problem.problem_type is not None
    assert slug_of(problem.problem_type.value) == slug_of(expected)


@pytest.mark.parametrize("record", ERROR_BODIES, ids=_ids(ERROR_BODIES))
def test_real_json_body(record: dict[str, Any]) -> None:
    body = record["body"]
    status = record["status"]
    headers = record["headers"]
    encoded = json.dumps(body).encode()
    if record["kind"] == "partial":
        for given in (body, encoded, encoded.decode()):
            problems = xp.partial_errors(given)
            assert problems, "a partial body has problems"
            assert [p.raw for p in problems] == body["errors"]
            assert {_problem_slug(p) for p in problems} == {slug_of(t) for t in record["expected_types"]}
            for problem in problems:
                _assert_known(problem, problem.type)
                assert isinstance(problem, xp.Problem)
        if status is not None:
            assert xp.raise_for_response(status, encoded, headers) is None
        return
    # kind == "error": the status of a few recorded bodies is unknown
    for given in (encoded, encoded.decode(), body):
        error = xp.error_from_response(status, given, headers)
        assert isinstance(error, xp.XAPIError)
        assert error.status == status
        assert error.body.raw == given
        assert error.body.json == body
        assert len(error.problems) == 1, "an error body is one problem"
        problem = error.problems[0]
        assert problem.raw == body
        (expected,) = record["expected_types"]
        _assert_known(problem, expected)
        # one problem: the error is also an instance of the problem class
        assert isinstance(error, type(problem))
        if status is not None:
            assert isinstance(error, xp.STATUS_CLASSES[status])
        assert str(status if status is not None else "") in str(error)
        assert "\n" not in str(error)
        assert slug_of(expected) in str(error)
    if status is not None:
        with pytest.raises(xp.XAPIError) as caught:
            xp.raise_for_response(status, encoded, headers)
        assert caught.value == xp.error_from_response(status, encoded, headers)


@pytest.mark.parametrize("record", NON_JSON_BODIES, ids=_ids(NON_JSON_BODIES))
def test_real_non_json_body(record: dict[str, Any]) -> None:
    text = record["body_text"]
    status = record["status"]
    for given in (text, text.encode()):
        error = xp.error_from_response(status, given, record["headers"])
        assert type(error) is xp.STATUS_CLASSES[status]
        assert error.problems == []
        assert error.body.raw == given
        assert error.body.text == text
        assert not error.body.is_json
        assert error.body.json_error
        line = str(error)
        assert line.startswith(str(status)) and "\n" not in line
    assert record["expected_types"] == []


def test_plain_text_rate_limit_is_a_rate_limit() -> None:
    (record,) = [r for r in NON_JSON_BODIES if r["status"] == 429]
    error = xp.error_from_response(429, record["body_text"].encode(), record["headers"])
    assert isinstance(error, xp.TooManyRequests)
    assert str(error) == "429 Too Many Requests: Rate limit exceeded"
    assert error.rate_limit.remaining == 0
    assert error.rate_limit.limit == 15
    assert error.limit_kind is xp.LimitKind.RATE_LIMIT
    assert xp.rate_limit_kind(error) is xp.LimitKind.RATE_LIMIT


def test_html_404_page_reads_as_text() -> None:
    (record,) = [r for r in NON_JSON_BODIES if r["status"] == 404]
    error = xp.error_from_response(404, record["body_text"].encode(), record["headers"])
    assert isinstance(error, xp.NotFound)
    line = str(error)
    assert "<" not in line and len(line) < 300


def test_too_many_connections_despite_remaining_quota() -> None:
    record = ERROR_BODIES[0]
    assert record["body"]["connection_issue"] == "TooManyConnections"
    error = xp.error_from_response(record["status"], json.dumps(record["body"]), record["headers"])
    assert error.rate_limit.remaining == 47
    assert error.limit_kind is xp.LimitKind.TOO_MANY_CONNECTIONS
    assert isinstance(error, xp.ConnectionExceptionProblem)
    assert error.connection_issue == "TooManyConnections"
    assert error.connection_issue is xp.ConnectionIssue("TooManyConnections")


def test_client_forbidden_message_names_reason_and_registration_url() -> None:
    (record,) = [r for r in ERROR_BODIES if r["status"] == 403]
    error = xp.error_from_response(403, json.dumps(record["body"]).encode(), record["headers"])
    assert isinstance(error, xp.Forbidden)
    assert isinstance(error, xp.ClientForbiddenProblem)
    line = str(error)
    assert line.startswith("403 Forbidden [client-forbidden] Client Forbidden: This request must be made")
    assert "reason=client-not-enrolled" in line
    assert "registration_url=https://developer.twitter.com/en/account" in line
    assert error.reason is xp.Reason("client-not-enrolled")
    assert error.registration_url == "https://developer.twitter.com/en/account"


def test_invalid_request_keeps_its_errors_array_as_a_field() -> None:
    records = [r for r in ERROR_BODIES if r["status"] == 400]
    assert records
    for record in records:
        error = xp.error_from_response(400, json.dumps(record["body"]), record["headers"])
        assert isinstance(error, xp.BadRequest)
        assert isinstance(error, xp.InvalidRequestProblem)
        assert len(error.problems) == 1
        assert error.errors == record["body"]["errors"]
        assert error.problems[0].errors == record["body"]["errors"]
        assert record["body"]["errors"][0]["message"][:40] in str(error)


def test_partial_errors_parse_fast() -> None:
    """100 partial errors, many times over: per-class field tables, no per-call regex work."""
    import time

    item = ERROR_BODIES[2]["body"]["errors"][0]
    body = {"data": [], "errors": [dict(item, value=str(i)) for i in range(100)]}
    encoded = json.dumps(body).encode()
    start = time.perf_counter()
    for _ in range(50):
        problems = xp.partial_errors(encoded)
    elapsed = (time.perf_counter() - start) / 50
    assert len(problems) == 100 and all(type(p) is type(problems[0]) for p in problems)
    assert elapsed < 0.02, f"{elapsed * 1000:.1f} ms for 100 partial errors"
