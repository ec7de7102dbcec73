"""Fuzzing the runtime's entry points and the spec loader (issue 14, "Done when").

Targets: ``error_from_response`` (status, bytes/str/parsed bodies, headers, request),
``partial_errors``, ``classify_stream_line`` and the spec loader (``xproblems.load``: bytes
written as a ``.json``, ``.yaml`` or ``.yml`` file). Properties:

* nothing raises (the runtime documents no exception at all; the loader answers with a
  document or with error diagnostics, never both, never neither);
* ``str()`` and ``repr()`` of every result are printable on any terminal: no control,
  bidi, line-break or surrogate character (what ``str.isprintable`` refuses);
* every result pickles (every protocol), copies and deep-copies to an equal value that
  prints the same; an error also round-trips through ``to_dict``/``from_dict`` (and
  through JSON when its body was bytes or text).

Each case of ``tests/hostile/runtime/NNN-name/`` holds ``body`` (the bytes as received) and
``expect.json``: ``notes`` (what it is, where it came from), and optionally ``status`` (400
by default), ``headers``, ``is_json`` and ``problems`` (what ``error_from_response`` must make
of it). The body goes through every target, as bytes, as text and as a stream line.

Two modes. In the normal suite a few dozen examples per target run derandomized (fast,
the same every run), beside every case of the corpus. ``make fuzz`` runs
``FUZZ_EXAMPLES`` examples per target from seed ``FUZZ_SEED`` (the same seed gives the same
run; change it to explore further). A failure prints the falsifying example: it becomes
a case of ``tests/hostile/runtime/`` (or of ``tests/hostile/`` for the loader) and is
fixed.
"""

from __future__ import annotations

import copy
import http
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xproblems.load import load_document
from xproblems.model import Diagnostic

from .runtime_support import load

# Hypothesis warns when it shows a long falsifying example; long bodies are the point.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
xp = load()
ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "hostile" / "runtime"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())

_EXAMPLES = os.environ.get("XPROBLEMS_FUZZ_EXAMPLES")
FUZZING = bool(_EXAMPLES)
FUZZ = settings(
    max_examples=int(_EXAMPLES) if _EXAMPLES else 40,
    derandomize=not FUZZING,  # the normal suite: the same examples every run
    database=None,  # a run depends on its seed alone
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


# --- what every result must satisfy ---------------------------------------------------------


def assert_printable(text: str) -> None:
    assert isinstance(text, str)
    bad = sorted({f"U+{ord(c):04X}" for c in text if not c.isprintable()})
    assert not bad, f"not printable: {bad} in {text[:300]!r}"


def clones(value: Any) -> list[Any]:
    found = [pickle.loads(pickle.dumps(value, protocol=p)) for p in range(pickle.HIGHEST_PROTOCOL + 1)]
    return [*found, copy.copy(value), copy.deepcopy(value)]


def assert_result(value: Any) -> None:
    """A problem, error or stream event: printable, and equal after every copy."""
    assert_printable(str(value))
    assert_printable(repr(value))
    for problem in getattr(value, "problems", ()):
        assert_printable(str(problem))
    for clone in clones(value):
        assert type(clone) is type(value)
        assert clone == value, (clone, value)
        assert str(clone) == str(value)


def assert_error(error: Any, body: Any) -> None:
    assert isinstance(error, xp.XAPIError)
    assert_result(error)
    assert xp.XAPIError.from_dict(error.to_dict()) == error
    data = error.to_dict()
    # Through JSON too, when JSON itself can carry the dict: it cannot carry a caller's
    # parsed body (tuples, non-string keys) or a str holding a surrogate pair split into
    # two code points (json.loads joins them).
    if (body is None or isinstance(body, (bytes, str))) and json.loads(json.dumps(data)) == data:
        again = xp.XAPIError.from_dict(json.loads(json.dumps(data)))
        assert again == error and str(again) == str(error)
    xp.retry_after(error, 1)
    xp.rate_limit_kind(error)


def check_error_from_response(status: Any, body: Any, headers: Any, method: Any = None, url: Any = None) -> None:
    assert_error(xp.error_from_response(status, body, headers, method=method, url=url), body)


def check_partial_errors(body: Any) -> None:
    found = xp.partial_errors(body)
    assert isinstance(found, list)
    for problem in found:
        assert isinstance(problem, xp.Problem)
        assert_result(problem)


def check_stream_line(line: Any) -> None:
    event = xp.classify_stream_line(line)
    assert isinstance(event, xp.StreamEvent)
    assert_result(event)


def check_loader(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"spec{suffix}"
        path.write_bytes(data)
        doc, diags = load_document(path)
    assert all(isinstance(d, Diagnostic) and d.level == "error" for d in diags)
    assert (doc is None) == bool(diags), (doc, diags)
    for diag in diags:
        diag.render()


# --- strategies ---------------------------------------------------------------------------

# What breaks terminals, parsers and encoders, mixed into otherwise ordinary text.
NASTY = ["\x1b]0;owned\x07", "\x1b[2J", "\u202e", "\u2066", "\ud800", "\udfff", "\x00", "\r\n", "\u2028", "\ufeff", "\x85", "\\", '"', "[", "{"]
TEXT = st.lists(st.characters(exclude_categories=()) | st.sampled_from(NASTY), max_size=30).map("".join)
PROBLEM_URIS = [*(str(k) for k in xp.PROBLEM_CLASSES), *(f"https://api.x.com/2/problems/{s}" for s in ("usage-capped", "operational-disconnect", "streaming-connection", "x\u202e"))]
FIELD_NAMES = sorted({f.name for cls in xp.PROBLEM_CLASSES.values() for f in cls._fields})
ENUM_VALUES = sorted({str(m.value) for cls in xp.PROBLEM_CLASSES.values() for f in cls._fields if f.enum is not None for m in f.enum})
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**30, -(2**63), 2**64])
    | st.floats()
    | TEXT
    | st.sampled_from(ENUM_VALUES)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT | st.sampled_from(FIELD_NAMES), inner, max_size=5),
    max_leaves=25,
)
PROBLEM = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(PROBLEM_URIS) | TEXT | JSON,
        "title": TEXT | JSON,
        "detail": TEXT | JSON,
        "status": st.integers(0, 600) | JSON,
        "message": TEXT,
        "code": st.integers() | TEXT,
        **{name: st.sampled_from(ENUM_VALUES) | JSON for name in FIELD_NAMES},
    },
)
PARSED = JSON | PROBLEM | st.fixed_dictionaries({"errors": st.lists(PROBLEM | JSON, max_size=4)}, optional={"data": JSON, "title": TEXT})


@st.composite
def _nested_text(draw: st.DrawFn) -> str:
    depth = draw(st.integers(0, 3 * xp.JSON_DEPTH_LIMIT))
    inner = json.dumps(draw(PROBLEM))
    if draw(st.booleans()):
        return "[" * depth + inner + "]" * depth
    return '{"errors":' * depth + inner + "}" * depth


@st.composite
def _encoded(draw: st.DrawFn) -> bytes:
    """JSON text of a parsed value in some encoding, maybe with a BOM, cut or spliced."""
    text = draw(_nested_text()) if draw(st.integers(0, 4)) == 0 else json.dumps(draw(PARSED), ensure_ascii=draw(st.booleans()))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "utf-32", "latin-1"]))
    data = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    if draw(st.booleans()):
        data = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b" \r\n"])) + data
    if data and draw(st.integers(0, 3)) == 0:
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=8)) + data[cut + draw(st.integers(0, 4)) :]
    return data


BYTES = _encoded() | st.binary(max_size=200)
BODY = st.none() | BYTES | BYTES.map(lambda b: b.decode("utf-8", "surrogateescape")) | TEXT | PARSED
STATUS = (
    st.none()
    | st.integers(100, 599)
    | st.integers()
    | st.sampled_from(list(http.HTTPStatus))
    | st.booleans()
    | st.floats()
    | st.text(max_size=4)
    | st.binary(max_size=4)
)
HEADER_NAMES = st.sampled_from(["Content-Type", "x-rate-limit-reset", "X-Rate-Limit-Remaining", "retry-after", "x-app-limit-24hour-reset"]) | TEXT
HEADER_VALUES = (
    st.sampled_from(["0", "1700000000", "99999999999999999999", "-1", "Sun, 06 Nov 1994 08:49:37 GMT"])
    | st.builds(lambda c: f"application/json; charset={c}", st.sampled_from(["utf-8", "latin-1", "utf-16", "utf-7", "base64", "rot13", "idna", "punycode", "unicode_escape", "bogus", '"utf-8"', ""]))
    | TEXT
    | st.binary(max_size=20)
    | st.integers()
)
HEADERS = (
    st.none()
    | st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=5)
    | st.lists(st.tuples(HEADER_NAMES | st.binary(max_size=10), HEADER_VALUES), max_size=5)
    | st.lists(JSON, max_size=3)
    | JSON
)
LINE = BYTES | TEXT | BYTES.map(bytearray) | BYTES.map(memoryview) | JSON
SPEC_TEXT = st.sampled_from(
    ["openapi: 3.1.0\n", "&a [*a, *a]\n", "!!python/object:os.system\n", "<<: *a\n", "? [a]\n: b\n", "- - - -\n", "0x" + "f" * 5000, "1:2:3:4\n", "{a: 1, a: 2}\n", '"\\ud800"\n', "key: !!binary aGk=\n", ".nan\n", "[" * 200, "{" * 200, "\t", "---\n---\n"]
)


@st.composite
def _spec_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.binary(max_size=300))
    if kind == 1:
        return draw(_encoded())
    parts = draw(st.lists(SPEC_TEXT | TEXT | st.builds(json.dumps, JSON), max_size=6))
    return "".join(parts).encode("utf-8", "surrogatepass")


# --- the targets --------------------------------------------------------------------------


@FUZZ
@given(STATUS, BODY, HEADERS, st.none() | TEXT | st.binary(max_size=8), st.none() | TEXT)
def test_fuzz_error_from_response(status: Any, body: Any, headers: Any, method: Any, url: Any) -> None:
    check_error_from_response(status, body, headers, method, url)


@FUZZ
@given(BODY | st.integers() | st.lists(PROBLEM))
def test_fuzz_partial_errors(body: Any) -> None:
    check_partial_errors(body)


@FUZZ
@given(LINE)
def test_fuzz_classify_stream_line(line: Any) -> None:
    check_stream_line(line)


@FUZZ
@given(_spec_bytes(), st.sampled_from([".json", ".yaml", ".yml"]))
def test_fuzz_spec_loader(data: bytes, suffix: str) -> None:
    check_loader(data, suffix)


# --- the corpus: every case the fuzzer (or a person) found ------------------------------------


def test_corpus_is_documented() -> None:
    assert len(CASES) >= 8
    for case in CASES:
        expect = json.loads((case / "expect.json").read_text(encoding="utf-8"))
        assert expect.get("notes"), case


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: Path) -> None:
    """Each body through every entry point, with the case's status and headers."""
    expect = json.loads((case / "expect.json").read_text(encoding="utf-8"))
    body = (case / "body").read_bytes()
    status, headers = expect.get("status", 400), expect.get("headers")
    error = xp.error_from_response(status, body, headers)
    if "is_json" in expect:
        assert error.body.is_json is expect["is_json"], error.body.json_error
    if "problems" in expect:
        assert len(error.problems) == expect["problems"]
    for text in (body, body.decode("utf-8", "surrogateescape")):
        check_error_from_response(status, text, headers)
        check_partial_errors(text)
        check_stream_line(text)
    check_stream_line(memoryview(body))
    for suffix in (".json", ".yaml"):
        check_loader(body, suffix)
