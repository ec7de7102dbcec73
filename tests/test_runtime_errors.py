"""Errors as exceptions: catching, copying, printing, rate limits and retry timing."""

from __future__ import annotations

import copy
import datetime
import json
import pickle
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .runtime_support import load

xp = load()

UTC = datetime.timezone.utc
NOW = datetime.datetime(2024, 3, 31, 22, 30, tzinfo=UTC)
USAGE_CAP = {
    "title": "UsageCapExceeded",
    "detail": "Usage cap exceeded: Monthly product cap",
    "type": "https://api.twitter.com/2/problems/usage-capped",
    "period": "Monthly",
    "scope": "Product",
}
TOO_MANY_CONNECTIONS = {
    "title": "ConnectionException",
    "detail": "This stream is currently at the maximum allowed connection limit.",
    "connection_issue": "TooManyConnections",
    "type": "https://api.twitter.com/2/problems/streaming-connection",
}
FORBIDDEN = {
    "client_id": "101010101",
    "required_enrollment": "Standard Basic",
    "registration_url": "https://developer.twitter.com/en/account",
    "title": "Client Forbidden",
    "detail": "This request must be made using an approved developer account that is enrolled in the requested endpoint.",
    "reason": "client-not-enrolled",
    "type": "https://api.x.com/2/problems/client-forbidden",
}
RESET = int(NOW.timestamp()) + 300
LIMIT_HEADERS = {"x-rate-limit-limit": "15", "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(RESET)}


def _error(status: int, body: Any, headers: Any = None) -> Any:
    return xp.error_from_response(status, json.dumps(body).encode() if isinstance(body, dict) else body, headers)


# --- catching ------------------------------------------------------------------------


def test_except_status_class_and_problem_class() -> None:
    for catch in (xp.TooManyRequests, xp.UsageCapExceededProblem, xp.ClientError, xp.XAPIError, xp.Problem, Exception):
        with pytest.raises(catch) as caught:
            xp.raise_for_response(429, json.dumps(USAGE_CAP), LIMIT_HEADERS)
        error = caught.value
        assert error.status == 429  # the HTTP status
        assert error.problems[0].status is None  # the problem's own member
        assert error.period == "Monthly" and error.scope == "Product"
        assert error.problem is error.problems[0]
        assert error.title == "UsageCapExceeded" and error.raw == USAGE_CAP and error.issues == ()
    assert not isinstance(_error(429, USAGE_CAP), xp.ServerError)
    assert not isinstance(_error(429, USAGE_CAP), xp.ConnectionExceptionProblem)


def test_combined_classes_are_cached() -> None:
    first, second = _error(429, USAGE_CAP), _error(429, dict(USAGE_CAP, detail="other"))
    assert type(first) is type(second)
    assert type(first) is not type(_error(503, USAGE_CAP))
    assert type(first).__name__ == "TooManyRequests[UsageCapExceededProblem]"


def test_several_problems_are_not_mixed_in() -> None:
    error = _error(400, {"errors": [FORBIDDEN, USAGE_CAP]})
    assert type(error) is xp.BadRequest
    assert not isinstance(error, xp.Problem)
    assert [type(p) for p in error.problems] == [xp.ClientForbiddenProblem, xp.UsageCapExceededProblem]


def test_problem_alone_is_raisable() -> None:
    with pytest.raises(xp.UsageCapExceededProblem):
        raise xp.parse_problem(USAGE_CAP)


# --- copying -------------------------------------------------------------------------

SAMPLES: list[tuple[Any, Any, Any]] = [
    (429, USAGE_CAP, LIMIT_HEADERS),
    (403, FORBIDDEN, {"X-Access-Level": "read"}),
    (400, {"errors": [FORBIDDEN, USAGE_CAP, 5]}, None),
    (503, b"<html>\xff down</html>", [("Retry", "x")]),
    (500, "plain text", None),
    (502, None, None),
    (None, {"errors": [{"code": 32, "message": "Could not authenticate you."}]}, None),
    (401, [1, 2, 3], None),
]


@pytest.mark.parametrize(("status", "body", "headers"), SAMPLES)
def test_pickle_and_copy_round_trips(status: Any, body: Any, headers: Any) -> None:
    error = xp.error_from_response(status, body, headers)
    for clone in (
        pickle.loads(pickle.dumps(error)),
        pickle.loads(pickle.dumps(error, protocol=0)),
        copy.copy(error),
        copy.deepcopy(error),
        xp.XAPIError.from_dict(error.to_dict()),
        xp.XAPIError.from_dict(json.loads(json.dumps(error.to_dict()))),
    ):
        assert type(clone) is type(error)
        assert clone == error and hash(clone) == hash(error)
        assert str(clone) == str(error) and repr(clone) == repr(error)
        assert clone.body.raw == error.body.raw
        assert clone.problems == error.problems
        assert clone.rate_limit == error.rate_limit
    for problem in error.problems:
        for clone in (pickle.loads(pickle.dumps(problem)), copy.copy(problem), copy.deepcopy(problem)):
            assert type(clone) is type(problem) and clone == problem and hash(clone) == hash(problem)
            assert clone.issues == problem.issues


def test_equality_is_by_value() -> None:
    assert _error(429, USAGE_CAP) == _error(429, USAGE_CAP)
    assert _error(429, USAGE_CAP) != _error(429, USAGE_CAP, LIMIT_HEADERS)
    assert _error(429, USAGE_CAP) != _error(503, USAGE_CAP)
    assert xp.parse_problem(USAGE_CAP) != _error(429, USAGE_CAP)
    assert len({_error(429, USAGE_CAP), _error(429, USAGE_CAP)}) == 1
    problem = xp.parse_problem(USAGE_CAP)
    assert problem == xp.parse_problem(json.dumps(USAGE_CAP)) and problem != xp.parse_problem(FORBIDDEN)


def test_rate_limit_pickles_and_is_immutable() -> None:
    limits = xp.parse_rate_limit(LIMIT_HEADERS)
    assert pickle.loads(pickle.dumps(limits)) == limits == copy.deepcopy(limits)
    with pytest.raises(AttributeError):
        limits.remaining = 5  # type: ignore[misc]


# --- printing ------------------------------------------------------------------------


def test_str_is_one_readable_line() -> None:
    line = str(_error(403, FORBIDDEN))
    assert line == (
        "403 Forbidden [client-forbidden] Client Forbidden: This request must be made using an approved "
        "developer account that is enrolled in the requested endpoint. (reason=client-not-enrolled, "
        "registration_url=https://developer.twitter.com/en/account, required_enrollment=Standard Basic, "
        "client_id=101010101)"
    )
    assert str(_error(429, USAGE_CAP)) == (
        "429 Too Many Requests [usage-capped] UsageCapExceeded: Usage cap exceeded: Monthly product cap "
        "(period=Monthly, scope=Product)"
    )
    assert str(_error(418, b"I'm a teapot\n\n")) == "418: I'm a teapot"
    assert str(_error(None, b"")) == "HTTP error (no status) (empty body)"
    assert str(xp.parse_problem(USAGE_CAP)).startswith("[usage-capped] UsageCapExceeded")
    long = _error(400, dict(FORBIDDEN, detail="x\n" * 5000))
    assert "\n" not in str(long) and len(str(long)) <= 1000


def test_repr_is_complete() -> None:
    error = _error(403, FORBIDDEN, {"X-A": "1"})
    text = repr(error)
    assert text.startswith("Forbidden[ClientForbiddenProblem](status=403, problems=[ClientForbiddenProblem(raw={")
    for value in FORBIDDEN.values():
        assert value in text
    assert "'x-a': '1'" in text
    assert "issues=" in repr(xp.parse_problem({"type": "about:blank"}))


# --- rate limits ---------------------------------------------------------------------


def test_rate_limit_headers() -> None:
    headers = {
        "X-Rate-Limit-Limit": "300",
        "x-rate-limit-remaining": "299",
        "x-rate-limit-reset": "1624545019",
        "x-app-limit-24hour-limit": "1667",
        "x-app-limit-24hour-remaining": "1666",
        "x-app-limit-24hour-reset": "1624600000",
        "x-user-limit-24hour-limit": "17",
        "x-user-limit-24hour-remaining": "0",
        "x-user-limit-24hour-reset": "1624610000",
    }
    limits = xp.parse_rate_limit(headers)
    assert (limits.limit, limits.remaining) == (300, 299)
    assert limits.reset == datetime.datetime(2021, 6, 24, 14, 30, 19, tzinfo=UTC)
    assert limits.reset.tzinfo is not None and limits.reset.utcoffset() == datetime.timedelta(0)
    assert (limits.app_limit_24hour, limits.app_remaining_24hour) == (1667, 1666)
    assert limits.app_reset_24hour == datetime.datetime.fromtimestamp(1624600000, UTC)
    assert (limits.user_limit_24hour, limits.user_remaining_24hour) == (17, 0)
    assert limits.user_reset_24hour == datetime.datetime.fromtimestamp(1624610000, UTC)
    assert limits.exhausted_reset == limits.user_reset_24hour
    assert xp.parse_rate_limit(None) == xp.RateLimit()


@pytest.mark.parametrize("garbage", ["", "abc", "-5", "1.5", "1e9", "١٢٣", "99999999999999999999999", "0x10", " ", "1_000", "9" * 400])
def test_garbled_rate_limit_headers_are_none(garbage: str) -> None:
    limits = xp.parse_rate_limit({name: garbage for name in LIMIT_HEADERS} | {"x-app-limit-24hour-reset": garbage})
    assert limits.limit is None and limits.remaining is None and limits.reset is None
    assert limits.app_reset_24hour is None


def test_out_of_range_reset_is_none() -> None:
    assert xp.parse_rate_limit({"x-rate-limit-reset": "9999999999999999"}).reset is None


# --- retry timing --------------------------------------------------------------------


def _seconds(value: datetime.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 418, 501])
def test_not_retryable(status: int) -> None:
    error = _error(status, {"type": "about:blank", "title": "t", "detail": "d"}, LIMIT_HEADERS)
    assert xp.retry_after(error, 1, now=NOW) is None
    assert xp.retry_after(error, 5, now=NOW) is None


@pytest.mark.parametrize("exception", [OSError("reset"), TimeoutError(), ConnectionResetError(), EOFError(), httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof")])
def test_network_errors_back_off_linearly(exception: BaseException) -> None:
    delays = [_seconds(xp.retry_after(exception, attempt)) for attempt in (1, 2, 3, 10, 64, 65, 10**9)]
    assert delays == [0.25, 0.5, 0.75, 2.5, 16.0, 16.0, 16.0]


def test_requests_exceptions() -> None:
    requests = pytest.importorskip("requests")
    assert _seconds(xp.retry_after(requests.ConnectionError("x"), 2)) == 0.5
    assert _seconds(xp.retry_after(requests.ReadTimeout("x"), 100)) == 16.0
    assert xp.retry_after(requests.exceptions.MissingSchema("x"), 1) is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_http_errors_back_off_exponentially(status: int) -> None:
    error = _error(status, b"<html>down</html>")
    delays = [_seconds(xp.retry_after(error, attempt, now=NOW)) for attempt in range(1, 10)]
    assert delays == [5, 10, 20, 40, 80, 160, 320, 320, 320]
    assert _seconds(xp.retry_after(error, 10**6)) == 320


def test_http_status_exceptions_of_clients_are_read() -> None:
    request = httpx.Request("GET", "https://api.x.com/2/tweets")
    response = httpx.Response(503, request=request, content=b"busy")
    status_error = httpx.HTTPStatusError("503", request=request, response=response)
    assert _seconds(xp.retry_after(status_error, 2, now=NOW)) == 10


def test_rate_limit_waits_until_reset() -> None:
    error = _error(429, b"Rate limit exceeded", LIMIT_HEADERS)
    assert error.limit_kind is xp.LimitKind.RATE_LIMIT
    assert _seconds(xp.retry_after(error, 1, now=NOW)) == 300
    assert _seconds(xp.retry_after(error, 7, now=NOW)) == 300  # the reset decides, not the attempt
    later = NOW + datetime.timedelta(hours=1)
    assert _seconds(xp.retry_after(error, 1, now=later)) == 0  # never negative
    naive = NOW.replace(tzinfo=None)
    assert _seconds(xp.retry_after(error, 1, now=naive)) == 300


def test_rate_limit_uses_the_exhausted_24_hour_reset() -> None:
    day_reset = RESET + 3600
    headers = {**LIMIT_HEADERS, "x-rate-limit-remaining": "10", "x-app-limit-24hour-remaining": "0", "x-app-limit-24hour-reset": str(day_reset)}
    error = _error(429, {"type": "about:blank", "title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}, headers)
    assert _seconds(xp.retry_after(error, 1, now=NOW)) == 3900


def test_rate_limit_without_reset_backs_off_from_a_minute() -> None:
    error = _error(429, b"", {"x-rate-limit-reset": "soon"})
    delays = [_seconds(xp.retry_after(error, attempt, now=NOW)) for attempt in range(1, 8)]
    assert delays == [60, 120, 240, 480, 900, 900, 900]


def test_usage_cap_waits_for_the_period_even_with_quota_left() -> None:
    headers = {**LIMIT_HEADERS, "x-rate-limit-remaining": "14"}
    monthly = _error(429, USAGE_CAP, headers)
    assert monthly.limit_kind is xp.LimitKind.USAGE_CAP
    assert xp.rate_limit_kind(monthly) is xp.LimitKind.USAGE_CAP
    assert xp.retry_after(monthly, 1, now=NOW) == datetime.timedelta(hours=1, minutes=30)  # 1 April 00:00 UTC
    december = datetime.datetime(2024, 12, 15, 12, tzinfo=UTC)
    assert NOW + xp.retry_after(monthly, 3, now=december) == NOW + (datetime.datetime(2025, 1, 1, tzinfo=UTC) - december)
    daily = _error(429, dict(USAGE_CAP, period="Daily"), headers)
    assert xp.retry_after(daily, 1, now=NOW) == datetime.timedelta(hours=1, minutes=30)
    noon = datetime.datetime(2024, 3, 10, 12, tzinfo=UTC)
    assert xp.retry_after(daily, 1, now=noon) == datetime.timedelta(hours=12)
    other_zone = noon.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    assert xp.retry_after(daily, 1, now=other_zone) == datetime.timedelta(hours=12)
    assert xp.retry_after(_error(429, dict(USAGE_CAP, period="Fortnightly"), headers), 1, now=NOW) is None
    assert xp.retry_after(_error(429, {k: v for k, v in USAGE_CAP.items() if k != "period"}, headers), 1, now=NOW) is None
    # the same problem sent on a stream
    assert xp.retry_after(xp.parse_problem(USAGE_CAP), 1, now=NOW) == datetime.timedelta(hours=1, minutes=30)


def test_too_many_connections_backs_off_from_a_minute() -> None:
    error = _error(429, TOO_MANY_CONNECTIONS, {**LIMIT_HEADERS, "x-rate-limit-remaining": "47"})
    assert error.limit_kind is xp.LimitKind.TOO_MANY_CONNECTIONS
    assert [_seconds(xp.retry_after(error, n, now=NOW)) for n in (1, 2, 3, 9)] == [60, 120, 240, 900]
    other_issue = _error(409, dict(TOO_MANY_CONNECTIONS, connection_issue="RuleConfigurationIssue"))
    assert other_issue.limit_kind is None and xp.retry_after(other_issue, 1) is None


def test_odd_attempts() -> None:
    error = _error(503, b"")
    for attempt in (0, -3, None, "2", float("nan"), True):
        assert _seconds(xp.retry_after(error, attempt, now=NOW)) == 5  # type: ignore[arg-type]
    assert _seconds(xp.retry_after(error, float("inf"), now=NOW)) == 320  # type: ignore[arg-type]
    assert xp.retry_after(ValueError("not network"), 1) is None
    assert xp.retry_after(KeyboardInterrupt(), 1) is None
    assert xp.rate_limit_kind(ValueError()) is None


# --- never raises --------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
problem_like = st.fixed_dictionaries(
    {"type": st.sampled_from(["about:blank", "https://api.x.com/2/problems/usage-capped", "https://h/2/problems/x", "", "urn:q"])},
    optional={"title": json_values, "detail": json_values, "status": json_values, "period": json_values, "errors": json_values},
)
bodies = st.one_of(json_values, problem_like, st.dictionaries(st.just("errors"), st.lists(problem_like | json_values, max_size=4)), st.binary(max_size=64), st.text(max_size=64))


@settings(max_examples=300, deadline=None)
@given(status=st.one_of(st.none(), st.integers(-1, 1000)), body=bodies, headers=st.dictionaries(st.text(max_size=30), st.text(max_size=30), max_size=5))
def test_fuzzed_bodies_never_raise_and_round_trip(status: int | None, body: Any, headers: dict[str, str]) -> None:
    for given_body in (body, json.dumps(body) if not isinstance(body, bytes) else body):
        error = xp.error_from_response(status, given_body, headers)
        assert isinstance(error, xp.XAPIError)
        assert "\n" not in str(error) and repr(error)
        assert pickle.loads(pickle.dumps(error)) == error
        xp.retry_after(error, 3)
        xp.partial_errors(given_body)
        event = xp.classify_stream_line(given_body if isinstance(given_body, (bytes, str)) else json.dumps(given_body))
        assert isinstance(event.kind, xp.StreamEventKind)


def test_a_retired_field_is_never_required() -> None:
    """2.159 required resource-unavailable's `parameter`; 2.167 dropped it. A body valid under
    2.167 has no issues: required-ness comes from the current spec only."""
    body = {"type": "https://api.x.com/2/problems/resource-unavailable", "title": "t", "detail": "x", "resource_type": "tweet", "resource_id": "1"}
    problem = xp.parse_problem(body)
    assert type(problem) is xp.ResourceUnavailableProblem and problem.issues == ()
    retired = {spec.name: spec for spec in xp.ResourceUnavailableProblem._fields}
    assert retired["parameter"].required is False
    retired_types = [cls for cls in xp.PROBLEM_CLASSES.values() if cls.retired]
    assert retired_types and not [(c.__name__, s.name) for c in retired_types for s in c._fields if s.required]
