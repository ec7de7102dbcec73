"""``xproblems audit``: recorded traffic vs the catalogue, every report section, redaction.

The synthetic HAR holds what real recordings hold: a bearer token, cookies both ways, an
OAuth 1.0a header, an ``?access_token=`` URL, user ids and names in bodies. None of it may
reach any output: stdout in every format, stderr, or the ``--suggest`` file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests import gfm
from tests.conftest import ROOT, SHARED, run_cli

PAYLOADS = SHARED / "payloads"
SCHEMA = ROOT / "generator" / "schemas" / "xproblems-audit-1.schema.json"
X = "https://api.x.com/2/problems/"

#: Everything secret or personal in the synthetic recordings.
SECRETS = (
    "SECRETTOKEN123",
    "AAAABEARERSECRET",
    "COOKIESECRET",
    "SETCOOKIESECRET",
    "CONSUMERKEYSECRET",
    "SIGSECRET",
    "1460323737035677698",
    "secretuser",
    "Jane Doe",
    "XSRFSECRET",
)


def _entry(url: str, status: int, body: Any, *, request_headers: list[dict[str, str]] = (), headers: dict[str, str] | None = None, started: str = "2026-11-02T10:00:00.000Z", method: str = "GET") -> dict[str, Any]:  # type: ignore[assignment]
    text = body if isinstance(body, str) else json.dumps(body)
    return {
        "startedDateTime": started,
        "time": 12.5,
        "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": list(request_headers), "cookies": [{"name": "auth_token", "value": "COOKIESECRET"}], "queryString": [], "headersSize": -1, "bodySize": 0},
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": k, "value": v} for k, v in (headers or {}).items()],
            "cookies": [{"name": "guest_id", "value": "SETCOOKIESECRET"}],
            "content": {"size": len(text), "mimeType": "application/json", "text": text},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(text),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 10, "receive": 2},
    }


BEARER = [{"name": "Authorization", "value": "Bearer AAAABEARERSECRET"}, {"name": "Cookie", "value": "auth_token=COOKIESECRET; ct0=XSRFSECRET"}]
OAUTH1 = [{"name": "Authorization", "value": 'OAuth oauth_consumer_key="CONSUMERKEYSECRET", oauth_signature="SIGSECRET"'}]
RATE = {"x-rate-limit-limit": "300", "x-rate-limit-remaining": "299", "x-rate-limit-reset": "1793000000", "set-cookie": "guest_id=SETCOOKIESECRET", "x-csrf-token": "XSRFSECRET"}


def synthetic_har() -> dict[str, Any]:
    """One entry per report section (and the secrets of SECRETS throughout)."""
    entries = [
        # an unknown type, with a token in the URL and ids and names in the body
        _entry(
            "https://api.x.com/2/tweets/1460323737035677698?access_token=SECRETTOKEN123&expansions=author_id",
            400,
            {"type": X + "quantum-flux", "title": "Quantum Flux", "detail": "User 1460323737035677698 (@secretuser, Jane Doe) is fluxed", "flux_level": 3, "owner": "secretuser"},
            request_headers=BEARER,
            headers=RATE,
        ),
        # an undeclared enum value and an undeclared member, OAuth 1.0a, the app's 24-hour family
        _entry(
            "https://api.twitter.com/2/tweets",
            403,
            {"type": X + "client-forbidden", "title": "Client Forbidden", "detail": "nope", "reason": "brand-new-reason", "appeal_url": "https://example.com/appeal?user=secretuser"},
            request_headers=OAUTH1,
            headers={"x-app-limit-24hour-limit": "500", "x-app-limit-24hour-remaining": "499", "x-app-limit-24hour-reset": "1793000000"},
            started="2026-11-03T11:00:00.000Z",
            method="POST",
        ),
        # partial errors: a required member missing; a retired field still sent
        _entry(
            "https://api.x.com/2/users?ids=1460323737035677698",
            200,
            {"data": [{"id": "1"}], "errors": [{"type": X + "resource-not-found", "title": "Not Found Error", "detail": "Could not find user 1460323737035677698", "value": "1460323737035677698"}]},
            request_headers=BEARER,
        ),
        _entry(
            "https://api.x.com/2/tweets/search/recent?query=secretuser",
            400,
            {"type": X + "invalid-request", "title": "Invalid Request", "detail": "bad", "errors": [{"message": "query is bad", "parameters": {"query": ["secretuser"]}}]},
            headers={"x-foo-limit-remaining": "7"},
        ),
        # not problems at all: a proxy's HTML page and an empty 502
        _entry("https://api.x.com/2/tweets", 503, "<html><body>Service Unavailable for secretuser</body></html>"),
        _entry("https://api.x.com/2/tweets", 502, ""),
        # another host: skipped, and never named
        _entry("https://www.example.com/?access_token=SECRETTOKEN123", 500, {"type": X + "other-host"}),
        # a request the browser never got an answer to
        _entry("https://api.x.com/2/tweets", 0, ""),
    ]
    return {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}}


def stream_lines() -> list[str]:
    """A recorded filtered stream: heartbeats, data, errors, disconnects known and not."""
    data = {"data": {"id": "1460323737035677698", "text": "hello from Jane Doe"}, "matching_rules": [{"id": "1", "tag": "t"}]}
    known = {"errors": [{"type": X + "operational-disconnect", "title": "operational-disconnect", "detail": "x", "disconnect_type": "UpstreamOperationalDisconnect"}]}
    new = {"errors": [{"type": X + "operational-disconnect", "title": "operational-disconnect", "detail": "x", "disconnect_type": "SolarFlareDisconnect"}]}
    unknown = {"errors": [{"type": X + "stream-hiccup", "title": "Stream Hiccup", "detail": "x"}]}
    inline = {"data": {"id": "2"}, "errors": [{"type": X + "resource-not-found", "title": "t", "detail": "d", "resource_type": "tweet"}]}
    return ["", json.dumps(data), json.dumps(data), "", json.dumps(inline), json.dumps(unknown), json.dumps(known), json.dumps(new), "[1, 2]"]


@pytest.fixture
def recordings(tmp_path: Path) -> tuple[Path, Path]:
    """The synthetic HAR and stream recording."""
    har = tmp_path / "session.har"
    har.write_text(json.dumps(synthetic_har()), encoding="utf-8")
    stream = tmp_path / "stream.jsonl"
    stream.write_text("\n".join(stream_lines()) + "\n", encoding="utf-8")
    return har, stream


def audit_json(*args: str | Path) -> dict[str, Any]:
    done = run_cli("audit", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    data: dict[str, Any] = json.loads(done.stdout)
    Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(data)
    return data


def test_every_section_of_a_synthetic_har_and_stream(recordings: tuple[Path, Path]) -> None:
    har, stream = recordings
    report = audit_json(har, stream)
    assert report["totals"] == {"responses": 6, "frames": 9, "other_hosts": 1, "new": 5}
    assert report["outcomes"] == {"problem": 2 + 1, "not-a-problem": 2, "partial-errors": 1}
    types = {t["key"]: t for t in report["types"]}
    # unknown types: count, statuses, first and last seen, an example with kinds, not values
    flux = types["quantum-flux"]
    assert (flux["known"], flux["class_name"], flux["statuses"]) == (False, None, {"400": 1})
    assert flux["seen"]["first_seen"] == flux["seen"]["last_seen"] == "2026-11-02T10:00:00Z"
    assert flux["routes"] == {"GET /2/tweets/:id": 1}
    assert flux["example"] == '{"type": "https://api.x.com/2/problems/quantum-flux", "title": <string>, "detail": <string>, "flux_level": <integer>, "owner": <string>}'
    assert types["stream-hiccup"]["statuses"] == {"stream": 1}
    # undeclared members and enum values
    assert [(m["class_name"], m["member"], m["kinds"]) for m in report["undeclared_members"]] == [("ClientForbiddenProblem", "appeal_url", ["string"])]
    assert [(e["class_name"], e["field"], e["value"]) for e in report["undeclared_enum_values"]] == [
        ("ClientForbiddenProblem", "reason", "brand-new-reason"),
        ("OperationalDisconnectProblem", "disconnect_type", "SolarFlareDisconnect"),
    ]
    # required members missing; retired fields (and retired enum values) still in use
    assert [(m["class_name"], m["member"], m["missing"], m["of"]) for m in report["missing_required"]] == [("ResourceNotFoundProblem", "resource_type", 1, 2)]
    retired = {(r["class_name"], r["field"], r["value"]) for r in report["retired_in_use"]}
    assert ("InvalidRequestProblem", "errors", None) in retired
    assert ("ResourceNotFoundProblem", "resource_type", "tweet") in retired
    # observed statuses, including the ones the docs do not give
    assert types["client-forbidden"]["statuses"] == {"403": 1}
    assert types["resource-not-found"]["statuses"] == {"200": 1, "stream": 1}
    # bodies that are not problems
    assert {b["kind"]: b["statuses"] for b in report["non_problem_bodies"]} == {"html": {"503": 1}, "empty": {"502": 1}}
    # rate-limit header families: the runtime reads two of these, not the third
    families = {h["family"]: (h["members"], h["known"]) for h in report["rate_limit_headers"]}
    assert families == {
        "x-rate-limit": (["limit", "remaining", "reset"], True),
        "x-app-limit-24hour": (["limit", "remaining", "reset"], True),
        "x-foo-limit": (["remaining"], False),
    }
    # stream frames and disconnect types
    assert report["stream"]["frames"] == {"heartbeat": 2, "data": 2, "data-with-errors": 1, "errors": 1, "disconnect": 2, "undecodable": 1}
    assert report["stream"]["disconnects"] == {"SolarFlareDisconnect": 1, "UpstreamOperationalDisconnect": 1}


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
@pytest.mark.parametrize("values", [False, True])
def test_no_secret_reaches_any_output(recordings: tuple[Path, Path], tmp_path: Path, fmt: str, values: bool) -> None:
    har, stream = recordings
    suggest = tmp_path / "suggest.yaml"
    done = run_cli("audit", har, stream, "--format", fmt, "--suggest", suggest, *(["--show-values"] if values else []))
    assert done.returncode == 0, done.stderr
    written = suggest.read_text(encoding="utf-8")
    for secret in SECRETS:
        for name, text in (("stdout", done.stdout), ("stderr", done.stderr), ("suggestion", written)):
            assert secret not in text, f"{secret} in {name} ({fmt}, show_values={values})"
    assert "www.example.com" not in done.stdout  # other hosts are counted, never named
    assert "expansions" not in done.stdout  # no query string, even its harmless parameters


def test_show_values_masks_ids_and_text(recordings: tuple[Path, Path]) -> None:
    har, _ = recordings
    shown = audit_json(har, "--show-values")
    flux = next(t for t in shown["types"] if t["key"] == "quantum-flux")
    assert flux["example"] == '{"type": "https://api.x.com/2/problems/quantum-flux", "title": <text: 12 chars>, "detail": <text: 58 chars>, "flux_level": 3, "owner": <text: 10 chars>}'
    member = shown["undeclared_members"][0]
    assert member["example"] == "<text: 42 chars>"
    assert audit_json(har)["undeclared_members"][0]["example"] is None


def test_text_and_markdown_reports(recordings: tuple[Path, Path]) -> None:
    har, stream = recordings
    text = run_cli("audit", har, stream).stdout
    for title in ("unknown problem types (2)", "undeclared members (1)", "required members missing (1)", "undeclared enum values (2)", "retired but still occurring", "observed statuses", "bodies that are not problems (2)", "rate-limit header families (3)", "stream frames (6)", "stream disconnect types (2)"):
        assert f"\n{title}" in text, title
    assert "x-foo-limit (remaining): ×1, statuses 400 ×1; not read by the runtime's RateLimit" in text
    markdown = run_cli("audit", har, stream, "--format", "markdown").stdout
    page = gfm.check(markdown)
    assert len(page.tables) == 10


def test_fail_on_new(recordings: tuple[Path, Path], tmp_path: Path) -> None:
    har, _ = recordings
    assert run_cli("audit", har, "--fail-on", "new").returncode == 1
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"status": 200, "headers": {}, "body": {"data": []}}) + "\n", encoding="utf-8")
    assert run_cli("audit", plain, "--fail-on", "new").returncode == 0


# --- the real bodies of ../shared/payloads ------------------------------------------------


def _payloads() -> list[Path]:
    files = sorted(PAYLOADS.glob("*.jsonl"))
    if not files:
        pytest.skip(f"{PAYLOADS} is absent (../shared is test material, not beside a plain clone)")
    return files


def test_real_payloads_show_what_2_167_lacks() -> None:
    report = audit_json(*_payloads())
    retired = {(r["class_name"], r["field"]) for r in report["retired_in_use"]}
    assert ("InvalidRequestProblem", "errors") in retired  # 2.167 lacks it; every real body has it
    types = {t["class_name"]: t for t in report["types"]}
    assert types["InvalidRequestProblem"]["statuses"] == {"400": 7, "unknown": 5}
    assert types["ResourceNotFoundProblem"]["statuses"]["200"] == 50
    assert types["ConnectionExceptionProblem"]["statuses"] == {"429": 1}
    assert {b["kind"]: b["seen"]["count"] for b in report["non_problem_bodies"]} == {"html": 1, "text": 1}
    assert report["totals"]["responses"] == 39


def test_real_payloads_against_2_167_alone() -> None:
    """Without the pinned history the catalogue is 2.167 and the supplement: errors is undeclared."""
    report = audit_json(*_payloads(), "--no-history")
    members = {(m["class_name"], m["member"]): m["seen"]["count"] for m in report["undeclared_members"]}
    assert members[("InvalidRequestProblem", "errors")] == 12


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"status": 200, "body": {}}\n{"status": 200, "body": \n', ":2:26: /: not a JSON value: Expecting value"),
        ('{"status": "Bearer AAAABEARERSECRET", "body": {}}\n', ":1:1: /status: expected an HTTP status (100-599) or null, got a string"),
        ('{"status": 400, "headers": [1]}\n', ":1:1: /headers: expected an object"),
        ('{"status": 400, "body": {}, "body_text": ""}\n', ":1:1: /body_text: give body or body_text, not both"),
    ],
)
def test_bad_jsonl_is_one_line_and_exit_2(tmp_path: Path, content: str, expected: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    suggest = tmp_path / "out.yaml"
    done = run_cli("audit", bad, "--suggest", suggest)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}") and expected in lines[0], done.stderr
    assert "SECRET" not in done.stderr  # a bad value is named by its kind, never quoted
    assert not suggest.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"log": {"entries": [{"request": {}}]}}', "/log/entries/0: expected an entry with request.url and response"),
        ('{"log": {"entries": [', "/: not a HAR file: parse error: premature EOF"),
        ("<html>", "/: not a HAR file: lexical error: invalid char in json text."),
    ],
)
def test_bad_har_is_one_line_and_exit_2(tmp_path: Path, content: str, expected: str) -> None:
    bad = tmp_path / "bad.har"
    bad.write_text(content, encoding="utf-8")
    done = run_cli("audit", bad)
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    lines = [re.sub(r"^(error: [^:]+):\d+:\d+: ", r"\1: ", line) for line in done.stderr.splitlines()]
    assert lines == [f"error: {bad}: {expected}"], done.stderr


def test_missing_file_and_directory(tmp_path: Path) -> None:
    done = run_cli("audit", tmp_path / "absent.jsonl", tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"error: {tmp_path / 'absent.jsonl'}: /: cannot read: No such file or directory", f"error: {tmp_path}: /: is a directory; give a JSON Lines or HAR file"]


def test_many_bad_lines_are_counted_not_all_printed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("nope\n" * 100, encoding="utf-8")
    done = run_cli("audit", bad)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 21
    assert done.stderr.splitlines()[-1] == "error: 80 more bad record(s) not shown"


def test_terminal_escapes_in_traffic_never_reach_the_terminal(tmp_path: Path) -> None:
    evil = tmp_path / "evil.jsonl"
    body = {"type": X + "evil\x1b]8;;https://x\x07", "title": "t", "detail": "d", "\x1b[31mred": 1}
    evil.write_text(json.dumps({"status": 400, "body": body}) + "\n", encoding="utf-8")
    for fmt in ("text", "markdown", "json"):
        done = run_cli("audit", evil, "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert "\x1b" not in done.stdout and "\x07" not in done.stdout


def test_stdin(tmp_path: Path) -> None:
    import subprocess
    import sys

    line = json.dumps({"status": 400, "body": {"type": X + "new-thing", "title": "t", "detail": "d"}}) + "\n"
    done = subprocess.run([sys.executable, "-m", "xproblems", "audit", "-", "--format", "json"], input=line, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["types"][0]["key"] == "new-thing"


# --- masking (property) -------------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from xproblems.audit import kinds_only, mask  # noqa: E402

_KEYS = st.from_regex(r"[a-z_]{1,8}", fullmatch=True)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=20,
)


@given(_JSON)
def test_mask_shows_no_id_and_no_long_text(value: object) -> None:
    shown = mask(value)
    # (a \\uXXXX escape of a control character is not an id)
    assert re.search(r"[0-9]{4,}", re.sub(r"<text: [0-9]+ chars>|\\u[0-9a-f]{4}", "", shown)) is None, shown
    for text in _strings(value):
        if len(text) > 6:
            assert json.dumps(text, ensure_ascii=True) not in shown, shown


@given(_JSON)
def test_kinds_only_shows_no_value(value: object) -> None:
    shown = kinds_only(value)
    quoted = re.findall(r'"((?:[^"\\]|\\.)*)"', shown)
    assert set(quoted) <= _keys(value), shown


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def _keys(value: object) -> set[str]:
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    return set()


# --- hostile recordings ---------------------------------------------------------------------


def test_deep_and_long_lines_are_bad_records_not_crashes(tmp_path: Path) -> None:
    from xproblems.traffic import MAX_LINE_BYTES

    bad = tmp_path / "hostile.jsonl"
    deep = "[" * 200_000 + "]" * 200_000
    long = json.dumps({"status": 200, "body_text": "x" * (MAX_LINE_BYTES + 10)})
    bad.write_text(f"{deep}\n{long}\n" + json.dumps({"status": 200, "body": {"data": []}}) + "\n", encoding="utf-8")
    done = run_cli("audit", bad)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"error: {bad}:1:1: /: not a JSON value: nested too deeply",
        f"error: {bad}:2:1: /: line 2 is over {MAX_LINE_BYTES} bytes",
    ]


def test_deep_bodies_inside_a_har_are_text_not_crashes(tmp_path: Path) -> None:
    har = synthetic_har()
    har["log"]["entries"][0]["response"]["content"]["text"] = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.har"
    path.write_text(json.dumps(har), encoding="utf-8")
    report = audit_json(path)
    assert report["totals"]["responses"] == 6
    assert {b["kind"] for b in report["non_problem_bodies"]} == {"html", "empty", "text"}


@given(st.binary(max_size=300), st.booleans())
def test_any_bytes_give_records_or_diagnostics_never_an_exception(data: bytes, as_har: bool) -> None:
    import tempfile

    from xproblems.audit import Tally
    from xproblems.traffic import Findings, ReadStats, read_records

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / ("any.har" if as_har else "any.jsonl")
        path.write_bytes(data)
        diags = Findings()
        tally = Tally(_catalogue())
        for record in read_records(path, diags, ReadStats()):
            tally.add(record)
        tally.report()
        assert all(d.render().count("\n") == 0 for d in diags.kept)


def _catalogue() -> Any:
    global _CATALOGUE
    if _CATALOGUE is None:
        from xproblems.history import load_history
        from xproblems.pipeline import build_catalogue
        from xproblems.resources import specs_dir

        history, _ = load_history(specs_dir())
        assert history is not None
        _CATALOGUE, _ = build_catalogue(history.path(history.current), history=history, validate=False)
    return _CATALOGUE


_CATALOGUE: Any = None


@given(st.lists(_JSON, max_size=8))
def test_any_json_records_and_frames_fold_without_an_exception(values: list[object]) -> None:
    from xproblems.audit import Tally
    from xproblems.traffic import Frame, Response

    tally = Tally(_catalogue(), show_values=True)
    for index, value in enumerate(values):
        tally.add(Frame("f", f"line {index}", value, None))
        tally.add(Response("f", f"line {index}", 400 if index % 2 else None, {"x-rate-limit-reset": "1"}, value, None, None, None))
        problem = {"type": X + "resource-not-found", "resource_type": value, "detail": value}
        tally.add(Response("f", "x", 200, {}, {"errors": [problem, value]}, None, None, None))
    tally.report()


def test_bad_records_are_kept_up_to_a_bound_then_counted() -> None:
    """A million malformed lines cost no more memory than twenty (the first are printed)."""
    from xproblems.model import Diagnostic
    from xproblems.traffic import Findings

    found = Findings(keep=20)
    for n in range(10_000):
        found.append(Diagnostic("error" if n % 2 else "warning", "f", "", f"line {n}"))
    assert (len(found.kept), found.more, found.errors) == (20, 9_980, 5_000)
    assert [d.message for d in found.kept[:2]] == ["line 0", "line 1"]


def test_suggest_never_replaces_a_recording(tmp_path: Path) -> None:
    recording = tmp_path / "traffic.jsonl"
    text = json.dumps({"status": 400, "body": {"type": X + "new-thing", "title": "t"}}) + "\n"
    recording.write_text(text, encoding="utf-8")
    (tmp_path / "link.jsonl").symlink_to(recording)
    import os

    os.link(recording, tmp_path / "hard.jsonl")
    for target, why in ((recording, "names a recording being audited"), (tmp_path / "hard.jsonl", "names a recording being audited"), (tmp_path / "link.jsonl", "is not a regular file")):
        done = run_cli("audit", recording, "--suggest", target)
        assert done.returncode == 2 and why in done.stderr, done.stderr
        assert recording.read_text(encoding="utf-8") == text


def test_suggest_refuses_devices_fifos_missing_directories_and_stdout(tmp_path: Path) -> None:
    import os

    recording = tmp_path / "traffic.jsonl"
    recording.write_text(json.dumps({"status": 400, "body": {"type": X + "new-thing", "title": "t"}}) + "\n", encoding="utf-8")
    os.mkfifo(tmp_path / "fifo")
    for target, why in (
        ("/dev/null", "is not a regular file"),
        (tmp_path / "fifo", "is not a regular file"),
        (tmp_path / "absent" / "s.yaml", "its directory does not exist"),
        ("-", "needs a file name"),
    ):
        done = run_cli("audit", recording, "--suggest", target, cwd=tmp_path)
        assert done.returncode == 2 and why in done.stderr and done.stdout == "", done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "traffic.jsonl"]
    assert (tmp_path / "fifo").is_fifo() and Path("/dev/null").is_char_device()


def test_standard_input_once(tmp_path: Path) -> None:
    done = run_cli("audit", "-", "-")
    assert done.returncode == 2 and done.stderr == "error: <command line>: /: - (standard input) is given more than once\n"


# --- what an outside tester found -----------------------------------------------------------


def test_frames_are_classified_as_the_runtime_classifies_them(tmp_path: Path) -> None:
    """A JSON ``null`` line is undecodable (only an empty line is a keep-alive), and an
    ``errors`` item that is not a problem still makes an error frame."""
    stream = tmp_path / "stream.jsonl"
    stream.write_text("\n".join(["", "null", json.dumps({"errors": [{"message": "legacy", "code": 130}]}), json.dumps({"data": {"id": "1"}, "errors": [{"code": 1}]})]) + "\n", encoding="utf-8")
    assert audit_json(stream)["stream"]["frames"] == {"heartbeat": 1, "data-with-errors": 1, "errors": 1, "undecodable": 1}


def test_har_bodies_that_were_not_kept_and_roots_that_are_not_a_har(tmp_path: Path) -> None:
    har = synthetic_har()
    entries = har["log"]["entries"]
    del entries[4]["response"]["content"]["text"]  # the proxy's 503 page: not kept by the browser
    entries[5]["response"]["content"]["size"] = 0  # the 502: really empty
    path = tmp_path / "session.har"
    path.write_text(json.dumps(har), encoding="utf-8")
    bodies = {b["kind"]: b["statuses"] for b in audit_json(path)["non_problem_bodies"]}
    assert bodies == {"not-captured": {"503": 1}, "empty": {"502": 1}}
    listed = tmp_path / "list.har"
    listed.write_text("[]", encoding="utf-8")
    done = run_cli("audit", listed)
    assert done.returncode == 2 and "not a HAR file: expected an object with a log.entries array" in done.stderr
    entries[0]["response"]["headers"].append({"name": "x-odd", "value": 7})
    path.write_text(json.dumps(har), encoding="utf-8")
    done = run_cli("audit", path)
    assert done.returncode == 2 and "/log/entries/0/response/headers/" in done.stderr and "expected {name, value} strings" in done.stderr


def test_a_parse_error_next_to_a_token_does_not_quote_it(tmp_path: Path) -> None:
    path = tmp_path / "leak.har"
    path.write_bytes(b'{"log": {"entries": [{"request": {"headers": [{"name": "Authorization", "value": "Bearer AAAABEARERSECRET\xff"}]}}]}}')
    done = run_cli("audit", path)
    assert done.returncode == 2 and "not a HAR file" in done.stderr
    assert "SECRET" not in done.stderr and "b'" not in done.stderr, done.stderr


def test_routes_keep_route_words_only(tmp_path: Path) -> None:
    from xproblems.traffic import _route

    assert _route("get", "https://api.x.com/2/users/by/username/jack_secret_handle") == "GET /2/users/by/username/:id"
    assert _route("GET", "https://api.x.com/2/dm_conversations/with/SecretHandle/dm_events") == "GET /2/dm_conversations/with/:id/dm_events"
    assert _route(None, "https://api.x.com/2/users/alice@example.com/tweets;jsessionid=S") == "/2/users/:id/:id"
    assert _route("GET", "https://api.x.com/oauth/authorize/oauth_token=LEAKY?oauth_token=X") == "GET /:id/:id/:id"
    # a lower-case word in an id's place is a handle, not a route word
    assert _route("GET", "https://api.x.com/2/users/victor/followers") == "GET /2/users/:id/followers"
    assert _route("GET", "api.x.com/2/users/bobby_handle") == "GET :id/2/users/:id"
    assert _route("GET_TOKENX", "https://api.x.com/2/tweets") == "? /2/tweets"
    assert _route("post", "https://api.x.com/labs/1/tweets/stream/filter/rules") == "POST /labs/1/tweets/stream/:id/rules"  # no spec has /filter/


def test_route_words_are_every_literal_segment_of_xs_paths() -> None:
    """ROUTE_WORDS holds what X's paths spell out, so no real route is masked as an id."""
    import yaml

    from xproblems.traffic import ROUTE_WORDS

    specs = sorted((SHARED / "specs").glob("*"))
    if not specs:
        pytest.skip("../shared/specs is absent (test material, not beside a plain clone)")
    spelled = set()
    for spec in specs:
        text = spec.read_text(encoding="utf-8")
        doc = json.loads(text) if spec.suffix == ".json" else yaml.safe_load(text)
        spelled |= {seg for path in doc.get("paths", {}) for seg in path.split("/") if seg and not seg.startswith("{")}
    assert spelled <= ROUTE_WORDS, sorted(spelled - ROUTE_WORDS)


def test_masked_values_and_partial_statuses_are_never_suggested(tmp_path: Path) -> None:
    recording = tmp_path / "traffic.jsonl"
    lines = [
        {"status": 400, "body": {"type": X + "usage-capped", "title": "t", "detail": "d", "period": "a sentence about Jane Doe"}},
        {"status": 200, "body": {"data": [], "errors": [{"type": X + "usage-capped", "title": "t", "detail": "d", "period": "Hourly"}]}},
        {"status": 400, "body": {"type": X + "odd?access_token=SECRETTOKEN123", "title": "t"}},
    ]
    recording.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    suggest = tmp_path / "s.yaml"
    done = run_cli("audit", recording, "--show-values", "--suggest", suggest, "--format", "json", "--fail-on", "new")
    assert done.returncode == 1
    assert done.stderr == "xproblems: 3 fact(s) new to the catalogue (--fail-on new)\n"
    report = json.loads(done.stdout)
    assert [(e["value"], e["masked"]) for e in report["undeclared_enum_values"]] == [(None, "<text: 25 chars>"), ("Hourly", None)]
    fragment = suggest.read_text(encoding="utf-8")
    assert "<text" not in fragment and "Hourly" in fragment
    assert "code: 200" not in fragment and "code: 400" in fragment  # a partial error's 200 is not its status
    assert "SECRETTOKEN123" not in done.stdout + fragment and "access_token=REDACTED" in fragment


def test_markdown_text_links_no_issue_and_draws_no_emoji_or_math() -> None:
    from xproblems.escape import md_text

    rendered = gfm.render(md_text("see #12, GH-3, owner/repo#4, :+1: and $x$ at 10:00:00Z"))
    assert "see #\u200b12, GH\u200b-3, owner/repo#\u200b4, :\u200b+1: and $x$ at 10:00:00Z" in rendered.replace("&#8203;", "\u200b"), rendered


def test_frame_kinds_are_the_runtimes_stream_event_kinds() -> None:
    """audit names frames as the runtime's StreamEventKind does (all but RECONNECT, which is
    follow_stream's own event, not a line)."""
    import ast

    from xproblems.audit import FRAME_KINDS
    from xproblems.runtime_source import SOURCES

    tree = ast.parse(SOURCES["_runtime"])
    (kind,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "StreamEventKind"]
    values = [n.value.value for n in kind.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)]
    assert [v for v in values if v != "reconnect"] == list(FRAME_KINDS)


def test_second_tester_findings(tmp_path: Path) -> None:
    """Handles as member names, other hosts in JSON Lines, about:blank's statuses, path
    parameters in type URIs, a HAR with a byte-order mark, ``{}`` as a HAR, odd content."""
    recording = tmp_path / "traffic.jsonl"
    lines = [
        {"status": 401, "url": "https://api.x.com/2/users/victor/followers", "body": {"type": "about:blank", "title": "Unauthorized", "status": 401}},
        {"status": 400, "url": "https://api.x.com/2/tweets", "body": {"type": X + "invalid-request", "title": "t", "detail": "d", "carol@example.com": 1}},
        {"status": 400, "url": "https://evil.example.com/2/users/bobby_handle", "body": {"type": X + "invalid-request", "title": "t", "detail": "d"}},
        {"status": 400, "body": {"type": X + "new-thing;jsessionid=JSESSTYPESECRET", "title": "t"}},
        {"status": 400, "body": {"type": X + "new-thing/oauth_token=PATHTYPESECRET", "title": "t"}},
    ]
    recording.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    suggest = tmp_path / "s.yaml"
    done = run_cli("audit", recording, "--suggest", suggest, "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    fragment = suggest.read_text(encoding="utf-8")
    everything = done.stdout + fragment
    for secret in ("carol", "victor", "bobby", "evil.example.com", "SECRET"):
        assert secret not in everything, secret
    assert report["totals"]["other_hosts"] == 1 and report["totals"]["responses"] == 4
    assert [m["member"] for m in report["undeclared_members"]] == ["(a name that is not an identifier)"]
    blank = next(t for t in report["types"] if t["key"] == "about:blank")
    assert blank["undocumented_statuses"] == [] and "code: 401" not in fragment
    assert {t["uri"] for t in report["types"] if not t["known"]} == {X + "new-thing;REDACTED", X + "new-thing/oauth_token=REDACTED"}

    har = tmp_path / "bom.har"
    har.write_bytes(b"\xef\xbb\xbf" + json.dumps(synthetic_har()).encode())
    assert audit_json(har)["totals"]["responses"] == 6
    for text, where in (("{}", "/log/entries: not a HAR file"), ('{"log": {"entries": {}}}', "/log/entries: not a HAR file")):
        har.write_text(text, encoding="utf-8")
        done = run_cli("audit", har)
        assert done.returncode == 2 and where in done.stderr, done.stderr
    odd = synthetic_har()
    odd["log"]["entries"][0]["response"]["content"]["text"] = 5
    har.write_text(json.dumps(odd), encoding="utf-8")
    done = run_cli("audit", har)
    assert done.returncode == 2 and "/log/entries/0/response/content: expected an object whose text is a string" in done.stderr


def test_suggest_never_replaces_the_file_standard_input_reads(tmp_path: Path) -> None:
    import subprocess
    import sys

    recording = tmp_path / "traffic.jsonl"
    text = json.dumps({"status": 400, "body": {"type": X + "new-thing", "title": "t"}}) + "\n"
    recording.write_text(text, encoding="utf-8")
    with recording.open("rb") as stdin:
        done = subprocess.run([sys.executable, "-m", "xproblems", "audit", "-", "--suggest", str(recording)], stdin=stdin, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "names a recording being audited" in done.stderr
    assert recording.read_text(encoding="utf-8") == text


def test_routes_beyond_the_listed_ones_are_counted(tmp_path: Path) -> None:
    recording = tmp_path / "traffic.jsonl"
    words = ["tweets", "users", "lists", "spaces", "media", "likes", "mentions", "bookmarks"]
    recording.write_text("".join(json.dumps({"status": 400, "url": f"https://api.x.com/2/{w}", "body": {"type": X + "new-thing", "title": "t"}}) + "\n" for w in words), encoding="utf-8")
    (new,) = audit_json(recording)["types"]
    assert (sum(new["routes"].values()), new["more_routes"]) == (5, 3)
