"""Deep bodies (issue 14, item 7): whatever the runtime accepts round-trips, at any depth.

JSON nested up to ``JSON_DEPTH_LIMIT`` levels is parsed; deeper JSON is kept as received
and treated as a body that is not JSON (no problem, an undecodable stream line), so what
is parsed does not depend on the caller's stack or Python version. Every result, and every
value a caller passes already parsed (which no limit applies to), pickles under every
protocol, copies and survives ``to_dict``/``from_dict``: pickling and copying flatten
nested values instead of recursing. Each depth runs with the default recursion limit and,
in a thread, under a limit of 200 (which a recursive deep copy of 100 levels exceeds).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import pickle
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .runtime_support import load

xp = load()
base = sys.modules["x_problems._base"]
LIMIT: int = xp.JSON_DEPTH_LIMIT
DEPTHS = (2, 64, LIMIT - 1, LIMIT, LIMIT + 1, 499, 500, 600, 5000, 100_000)
SHAPES = ("array", "object")
DISCONNECT = "https://api.x.com/2/problems/operational-disconnect"


def nested(shape: str, levels: int) -> str:
    """JSON text of ``levels`` nested arrays or objects (0 levels: a number)."""
    if shape == "array":
        return "[" * levels + "1" + "]" * levels
    return '{"a":' * levels + "1" + "}" * levels


def problem_text(shape: str, depth: int, uri: str = "about:blank") -> str:
    """A problem object whose own nesting is ``depth`` levels (itself included)."""
    return f'{{"type":"{uri}","title":"x","detail":"d","a":{nested(shape, depth - 1)}}}'


def deep_value(levels: int) -> Any:
    """``levels`` nested lists, built without recursion (no JSON text involved)."""
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


# --- what a round trip must keep -------------------------------------------------------


def assert_same(clone: Any, original: Any) -> None:
    assert type(clone) is type(original)
    assert clone == original
    assert str(clone) == str(original) and repr(clone) == repr(original)
    if isinstance(original, xp.XAPIError):
        assert base._same(clone.body.raw, original.body.raw) and clone.body.is_json == original.body.is_json
        assert clone.body.json_error == original.body.json_error
        assert [type(p) for p in clone.problems] == [type(p) for p in original.problems]
    if isinstance(original, xp.StreamEvent):
        assert (clone.kind, clone.error, clone.problems) == (original.kind, original.error, original.problems)
        assert base._same(clone.json, original.json) and base._same(clone.data, original.data)


def clones(value: Any) -> Iterator[Any]:
    """Every copy of ``value`` the runtime promises."""
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        yield pickle.loads(pickle.dumps(value, protocol=protocol))
    yield copy.copy(value)
    yield copy.deepcopy(value)
    if isinstance(value, xp.XAPIError):
        yield xp.XAPIError.from_dict(value.to_dict())


def assert_round_trips(value: Any) -> None:
    for clone in clones(value):
        assert_same(clone, value)
    if isinstance(value, xp.XAPIError) and value.body.json_error is not None:
        # A body that is not JSON (too deep included) is kept as text: the dict is JSON.
        assert_same(xp.XAPIError.from_dict(json.loads(json.dumps(value.to_dict()))), value)


def run_limited(check: Callable[[], None], limit: int = 200) -> None:
    """Run ``check`` in a new thread under recursion limit ``limit``; re-raise its failure."""
    failures: list[BaseException] = []

    def body() -> None:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(limit)
        try:
            check()
        except BaseException as exc:
            failures.append(exc)
        finally:
            sys.setrecursionlimit(old)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


RECURSION = pytest.mark.parametrize("limited", [False, True], ids=["default-limit", "limit-200"])


def run(check: Callable[[], None], limited: bool) -> None:
    run_limited(check) if limited else check()


# --- bodies, partial errors, stream lines, problems -------------------------------------


@RECURSION
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("depth", DEPTHS)
def test_error_body(depth: int, shape: str, limited: bool) -> None:
    text = problem_text(shape, depth)

    def check() -> None:
        for body in (text.encode(), text):
            error = xp.error_from_response(400, body, {"content-type": "application/json"})
            assert error.body.is_json is (depth <= LIMIT)
            assert isinstance(error, xp.BadRequest) and len(error.problems) == (depth <= LIMIT)
            if depth > LIMIT:
                assert error.body.json_error == f"JSON nested deeper than {LIMIT} levels"
                assert str(error).startswith('400 Bad Request: {"type":"about:blank"')
            assert_round_trips(error)

    run(check, limited)


@RECURSION
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("depth", DEPTHS)
def test_partial_errors(depth: int, shape: str, limited: bool) -> None:
    # The body is two levels around the problem: {"errors": [problem]}.
    text = '{"data":[],"errors":[' + problem_text(shape, max(depth - 2, 1)) + "]}"

    def check() -> None:
        for body in (text.encode(), text):
            found = xp.partial_errors(body)
            assert len(found) == (depth <= LIMIT)
            for problem in found:
                assert_round_trips(problem)

    run(check, limited)


@RECURSION
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("depth", DEPTHS)
def test_stream_line(depth: int, shape: str, limited: bool) -> None:
    line = problem_text(shape, depth, DISCONNECT).encode() + b"\r\n"
    data_line = ('{"data":' + nested(shape, depth - 1) + "}").encode()

    def check() -> None:
        event = xp.classify_stream_line(line)
        if depth <= LIMIT:
            assert event.kind is xp.StreamEventKind.DISCONNECT and event.disconnect is not None
        else:
            assert event.kind is xp.StreamEventKind.UNDECODABLE and event.problems == ()
            assert event.error == f"JSON nested deeper than {LIMIT} levels"
        assert_round_trips(event)
        payload = xp.classify_stream_line(data_line)
        assert payload.kind is (xp.StreamEventKind.DATA if depth <= LIMIT else xp.StreamEventKind.UNDECODABLE)
        for clone in clones(payload):
            assert_same(clone, payload)
            if payload.json is not None:  # data stays the member of json it was
                assert clone.data is clone.json["data"]

    run(check, limited)


@RECURSION
@pytest.mark.parametrize("depth", DEPTHS)
def test_parse_problem(depth: int, limited: bool) -> None:
    text = problem_text("object", depth)

    def check() -> None:
        problem = xp.parse_problem(text)
        assert (problem.issues == ()) is (depth <= LIMIT)
        assert_round_trips(problem)

    run(check, limited)


@RECURSION
@pytest.mark.parametrize("depth", [LIMIT, LIMIT + 1, 2000])
def test_values_a_caller_parsed_have_no_limit(depth: int, limited: bool) -> None:
    """A mapping body is the caller's: kept at any depth, and still copied and pickled."""

    def check() -> None:
        body = {"type": "about:blank", "title": "x", "detail": "d", "a": deep_value(depth)}
        error = xp.error_from_response(503, body)
        assert len(error.problems) == 1 and error.body.json is body
        assert_round_trips(error)
        [problem] = xp.partial_errors({"errors": [body]})
        assert_round_trips(problem)
        assert_round_trips(xp.classify_stream_line(deep_value(depth)))  # not a line: kept raw

    run(check, limited)


@pytest.mark.slow  # seconds: 100,000 containers flattened a dozen times
@RECURSION
def test_a_caller_value_100000_deep_pickles_and_copies(limited: bool) -> None:
    def check() -> None:
        error = xp.error_from_response(503, {"title": "x", "a": deep_value(100_000)})
        for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
            assert clone == error and str(clone) == str(error)

    run(check, limited)


def test_deep_values_compare_by_value() -> None:
    one, other = deep_value(2000), deep_value(2000)
    other_error = xp.error_from_response(400, {"title": "x", "a": other})
    assert xp.error_from_response(400, {"title": "x", "a": one}) == other_error
    deep_value_changed = deep_value(1999)
    assert xp.error_from_response(400, {"title": "x", "a": deep_value_changed}) != other_error


def test_the_depth_bound_is_not_fooled_by_brackets_in_strings() -> None:
    """Counting brackets only decides when to walk: brackets in strings are text."""
    text = json.dumps({"type": "about:blank", "title": "[" * 500, "detail": "{" * 500, "a": [[[]]]})
    assert len(xp.error_from_response(400, text).problems) == 1
    assert xp.classify_stream_line(text).kind is xp.StreamEventKind.ERRORS


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-be"])
def test_the_depth_bound_holds_in_every_json_encoding(encoding: str) -> None:
    assert xp.error_from_response(400, problem_text("array", LIMIT).encode(encoding)).problems
    assert not xp.error_from_response(400, problem_text("array", LIMIT + 1).encode(encoding)).problems


# --- following a stream ------------------------------------------------------------------

# Problems at every depth, then a disconnect (which ends the connection).
LINE_DEPTHS = [depth for depth in (3, LIMIT, LIMIT + 1, 600, 5000) for _ in SHAPES]
LINES = [problem_text(shape, depth).encode() for depth in LINE_DEPTHS[::2] for shape in SHAPES]
LINES.append(problem_text("array", LIMIT, DISCONNECT).encode())
EVENTS = len(LINES) + 3  # every line, its reconnect, then two failed connections


def _connect_deep() -> Callable[[], Iterator[bytes]]:
    """A stream that sends every line once, then fails with a 503 whose body is deep."""
    calls = itertools.count()

    def connect() -> Iterator[bytes]:
        if next(calls):
            raise xp.error_from_response(503, problem_text("array", 5000))
        yield from LINES

    return connect


def test_follow_stream_events_round_trip() -> None:
    events = list(itertools.islice(xp.follow_stream(_connect_deep(), sleep=lambda _: None), EVENTS))
    kinds = [event.kind for event in events]
    undecodable = [kind is xp.StreamEventKind.UNDECODABLE for kind in kinds[: len(LINES)]]
    assert undecodable == [depth > LIMIT for depth in LINE_DEPTHS] + [False]
    assert kinds[len(LINES) - 1 :] == [xp.StreamEventKind.DISCONNECT] + [xp.StreamEventKind.RECONNECT] * 3
    assert [type(event.cause) for event in events[-2:]] == [xp.ServiceUnavailable] * 2
    for event in events:
        assert_round_trips(event)
        if event.cause is not None:
            assert_round_trips(event.cause)


def test_afollow_stream_events_round_trip() -> None:
    calls = itertools.count()

    async def connect() -> Any:
        if next(calls):
            raise xp.error_from_response(503, problem_text("object", 5000))
        for line in LINES:
            yield line

    async def nap(_: float) -> None:
        return None

    async def take() -> list[Any]:
        found = []
        async for event in xp.afollow_stream(connect, sleep=nap):
            found.append(event)
            if len(found) == EVENTS:
                break
        return found

    events = asyncio.run(take())
    assert [type(event.cause) for event in events[-2:]] == [xp.ServiceUnavailable] * 2
    for event in events:
        assert_round_trips(event)


# --- the flat form -----------------------------------------------------------------------

JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5) | st.tuples(st.integers()),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(JSON_LIKE)
def test_flatten_round_trips(value: Any) -> None:
    tokens = base._flatten(value)
    assert all(not isinstance(token, (list, dict)) for token in tokens)  # flat: no recursion to pickle
    assert repr(base._unflatten(tokens)) == repr(value)
    assert repr(base._unflatten(pickle.loads(pickle.dumps(tokens)))) == repr(value)


def test_flatten_keeps_shared_and_cyclic_members() -> None:
    shared: list[Any] = [1]
    cyclic: dict[str, Any] = {"shared": [shared, shared]}
    cyclic["self"] = cyclic
    rebuilt = base._unflatten(base._flatten(cyclic))
    assert rebuilt["self"] is rebuilt and rebuilt["shared"][0] is rebuilt["shared"][1] == [1]
    error = xp.error_from_response(400, cyclic)
    for clone in clones(error):
        assert clone.body.json["self"] is clone.body.json
