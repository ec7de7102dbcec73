"""generator.fetch against a loopback HTTP server: every failure leaves the old file alone."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import itertools
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from xproblems.fetch import FetchResult, check_url, fetch_spec, redirect_refusal

from .client_modes import loopback
from .conftest import ROOT, run_cli

SPEC = {
    "openapi": "3.0.0",
    "info": {"title": "tiny", "version": "9.1"},
    "paths": {},
    "components": {
        "schemas": {
            "Problem": {
                "type": "object",
                "required": ["type", "title"],
                "properties": {"type": {"type": "string"}, "title": {"type": "string"}},
            }
        }
    },
}
SPEC_BYTES = json.dumps(SPEC, indent=1).encode()
SPEC_YAML = b"openapi: 3.1.0\ninfo:\n  title: tiny\n  version: '9.2'\npaths: {}\n"
OLD = b'{"old": "spec, must survive every failure"}\n'
#: Seconds a deliberately slow handler sleeps; tests use a far smaller client timeout.
SLOW = 2.0
#: The client deadline of the hostile-server cases: each must end by DEADLINE + GRACE.
DEADLINE = 1.0
GRACE = 1.0
#: How long a hostile handler keeps dripping or stalling if the client never hangs up.
HOSTILE_LIMIT = 20.0

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


def _send(body: bytes, ctype: str = "application/json", status: int = 200, length: int | None = None) -> Handler:
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body) if length is None else length))
        h.end_headers()
        h.wfile.write(body)

    return handle


def _gzipped(h: http.server.BaseHTTPRequestHandler) -> None:
    body = gzip.compress(SPEC_BYTES)
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Encoding", "gzip")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def _slow_headers(h: http.server.BaseHTTPRequestHandler) -> None:
    time.sleep(SLOW)
    _send(SPEC_BYTES)(h)


def _trickle(h: http.server.BaseHTTPRequestHandler) -> None:
    """Headers at once, then one byte every 0.1 s: each read is quick, the whole is not."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(SPEC_BYTES)))
    h.end_headers()
    deadline = time.monotonic() + SLOW
    for byte in SPEC_BYTES:
        if time.monotonic() > deadline:
            return
        h.wfile.write(bytes([byte]))
        h.wfile.flush()
        time.sleep(0.1)


def _no_length(body: bytes) -> Handler:
    """HTTP/1.0, no Content-Length: the body ends when the connection closes."""

    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.end_headers()
        h.wfile.write(body)

    return handle


def _redirect(location: str) -> Handler:
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return handle


def _redirect_to(h: http.server.BaseHTTPRequestHandler) -> None:
    """``/redirect?to=URL``: a 302 to any URL a test names."""
    _redirect(parse_qs(urlsplit(h.path).query)["to"][0])(h)


def _drip(h: http.server.BaseHTTPRequestHandler, data: Iterable[int], every: float) -> None:
    """Send ``data`` one byte every ``every`` s, until it ends or the client hangs up."""
    end = time.monotonic() + HOSTILE_LIMIT
    for byte in data:
        if time.monotonic() > end:
            return
        h.wfile.write(bytes([byte]))
        h.wfile.flush()
        time.sleep(every)


def _continue_flood(h: http.server.BaseHTTPRequestHandler) -> None:
    """An interim ``100 Continue`` every 0.3 s, never a final response (kept fetch alive 60 s)."""
    end = time.monotonic() + HOSTILE_LIMIT
    while time.monotonic() < end:
        h.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        time.sleep(0.3)


def _header_drip(h: http.server.BaseHTTPRequestHandler) -> None:
    """A status line, then valid header lines one byte every 0.2 s (kept fetch alive 30 s)."""
    h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
    _drip(h, itertools.cycle(b"X-Drip: slow\r\n"), 0.2)


def _status_drip(h: http.server.BaseHTTPRequestHandler) -> None:
    """The status line itself, one byte every 0.2 s, never ending."""
    _drip(h, itertools.chain(b"HTTP/1.1 200 ", itertools.repeat(ord("O"))), 0.2)


def _stall(h: http.server.BaseHTTPRequestHandler) -> None:
    """Read the request, then send nothing at all until the client hangs up."""
    h.connection.settimeout(HOSTILE_LIMIT)
    with contextlib.suppress(OSError):
        while h.connection.recv(1024):
            pass


def _body_drip(h: http.server.BaseHTTPRequestHandler) -> None:
    """Headers at once, then the body one byte every 0.2 s: every read is quick, the whole is not."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(SPEC_BYTES)))
    h.end_headers()
    _drip(h, SPEC_BYTES, 0.2)


def _chain(h: http.server.BaseHTTPRequestHandler) -> None:
    """``/chain/N``: 0.4 s, then a redirect to ``/chain/N+1``; the spec after 7 hops (3.2 s in all)."""
    hop = int(h.path.rsplit("/", 1)[1])
    time.sleep(0.4)
    _redirect("/spec.json" if hop >= 7 else f"/chain/{hop + 1}")(h)


def _slow_loop(h: http.server.BaseHTTPRequestHandler) -> None:
    time.sleep(0.3)
    _redirect("/slow-loop")(h)


def _redirect_endless_body(h: http.server.BaseHTTPRequestHandler) -> None:
    """A 302 to the spec whose own body never ends: the client must not read it."""
    h.send_response(302)
    h.send_header("Location", "/spec.json")
    h.send_header("Content-Length", str(10**12))
    h.end_headers()
    end = time.monotonic() + HOSTILE_LIMIT
    while time.monotonic() < end:
        h.wfile.write(b" " * 65536)


def _raw(head: bytes) -> Handler:
    """Send ``head`` as the whole response head, bytes as given."""

    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        h.wfile.write(head + b"Content-Length: 0\r\n\r\n")

    return handle


ROUTES: dict[str, Handler] = {
    "/spec.json": _send(SPEC_BYTES),
    "/spec.yaml": _send(SPEC_YAML, "application/yaml"),
    "/slow": _slow_headers,
    "/trickle": _trickle,
    "/missing": _send(b"not found", "text/plain", 404),
    "/error": _send(b"oops", "text/plain", 500),
    "/html": _send(b"<!DOCTYPE html><html><body>Log in</body></html>", "text/html; charset=utf-8"),
    "/html-as-json": _send(b"  <html><body>hi</body></html>"),
    "/truncated": _send(SPEC_BYTES[:100], length=len(SPEC_BYTES)),
    "/big-declared": _send(SPEC_BYTES, length=10_000_000),
    "/big-undeclared": _no_length(b" " * 5000 + SPEC_BYTES),
    "/swagger": _send(b'{"swagger": "2.0", "info": {"version": "1"}}'),
    "/no-version": _send(b'{"openapi": "3.0.3", "info": {"title": "x"}, "paths": {}}'),
    "/array": _send(b"[1, 2]"),
    "/bad-json": _send(b'{"openapi": "3.0.0",'),
    "/to-file": _redirect("file:///etc/passwd"),
    "/gzip": _gzipped,
    "/to-ftp": _redirect("ftp://127.0.0.1/spec.json"),
    "/to-spec": _redirect("/spec.json"),
    "/redirect": _redirect_to,
    "/continue-flood": _continue_flood,
    "/header-drip": _header_drip,
    "/status-drip": _status_drip,
    "/stall": _stall,
    "/body-drip": _body_drip,
    "/chain/0": _chain,
    "/slow-loop": _slow_loop,
    "/fast-loop": _redirect("/fast-loop"),
    "/redirect-endless-body": _redirect_endless_body,
    "/hostile-reason": _raw(b"HTTP/1.1 404 \x1b]0;owned\x07\x1b[2J\x9b2J Not Found\r\n"),
    "/bad-ipv6-location": _redirect("http://[::1/spec.json"),
    "/port-out-of-range": _redirect("http://127.0.0.1:99999/spec.json"),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        route = ROUTES.get("/chain/0" if path.startswith("/chain/") else path)
        try:
            if route is None:
                _send(b"no route", "text/plain", 404)(self)
            else:
                route(self)
        except OSError:  # BrokenPipe, ConnectionReset, SSLEOFError
            pass  # the client gave up first, as the test intends

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A loopback server on an OS-chosen port, shut down after the module."""
    with loopback(_Handler) as url:
        yield url


@pytest.fixture(scope="module")
def other_server() -> Iterator[str]:
    """The same routes on another port, for cross-port redirects."""
    with loopback(_Handler) as url:
        yield url


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    """An existing spec file that a failed fetch must leave byte-identical."""
    out = tmp_path / "specs" / "current.json"
    out.parent.mkdir()
    out.write_bytes(OLD)
    return out


def _untouched(out: Path) -> None:
    assert out.read_bytes() == OLD
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name], "a temporary file was left behind"


FAILURES = [
    ("/slow", {"timeout": 0.3}, "timed out"),
    ("/trickle", {"timeout": 0.5}, "timed out"),
    ("/missing", {}, "HTTP 404"),
    ("/error", {}, "HTTP 500"),
    ("/html", {}, "HTML page"),
    ("/html-as-json", {}, "HTML page"),
    ("/truncated", {}, "truncated body"),
    ("/big-declared", {"max_bytes": 1000}, "Content-Length 10000000 is over the 1000-byte cap"),
    ("/big-undeclared", {"max_bytes": 1000}, "over the 1000-byte cap"),
    ("/swagger", {}, "Swagger"),
    ("/no-version", {}, "info.version"),
    ("/array", {}, "root must be an object"),
    ("/bad-json", {}, "invalid JSON"),
    ("/gzip", {}, "'gzip'-encoded body"),
    ("/to-file", {}, "'file:///etc/passwd' is not allowed"),
    ("/to-ftp", {}, "refusing redirect to 'ftp://127.0.0.1/spec.json'"),
    # Server text in a message is one printable line: C0/C1 controls (ESC, BEL, CSI) as U+XXXX.
    ("/hostile-reason", {}, "HTTP 404 U+001B]0;ownedU+0007U+001B[2JU+009B2J Not Found"),
    ("/fast-loop", {}, "redirect error that would lead to an infinite loop. The last 30x error message was: Found"),
    ("/bad-ipv6-location", {}, "transfer failed: ValueError: Invalid IPv6 URL"),
    ("/port-out-of-range", {}, "refusing redirect to 'http://127.0.0.1:99999/spec.json': Port out of range 0-65535"),
]


@pytest.mark.parametrize(("path", "options", "message"), FAILURES, ids=[f[0] for f in FAILURES])
def test_failures_give_a_clear_error_and_leave_the_file_alone(server: str, existing: Path, path: str, options: dict[str, float], message: str) -> None:
    started = time.monotonic()
    result, diags = fetch_spec(server + path, existing, **options)  # type: ignore[arg-type]
    assert result is None
    assert len(diags) == 1 and diags[0].level == "error"
    assert diags[0].file == server + path
    assert message in diags[0].message, diags[0].render()
    assert diags[0].message.isprintable(), diags[0].message
    _untouched(existing)
    limit = options["timeout"] + 1 if "timeout" in options else SLOW + 1.5
    assert time.monotonic() - started < limit  # the timeout bounds the whole transfer


def test_pointer_names_the_bad_member(server: str, existing: Path) -> None:
    _, diags = fetch_spec(server + "/no-version", existing)
    assert diags[0].pointer == "/info/version"


def test_size_cap_is_checked_before_reading_a_declared_body(server: str, existing: Path) -> None:
    started = time.monotonic()
    _, diags = fetch_spec(server + "/big-declared", existing, max_bytes=1000)
    assert "before" not in diags[0].message and "Content-Length" in diags[0].message
    assert time.monotonic() - started < 1.0


def test_valid_spec_replaces_the_file_atomically(server: str, existing: Path) -> None:
    result, diags = fetch_spec(server + "/spec.json", existing)
    assert diags == []
    assert result == FetchResult("9.1", hashlib.sha256(SPEC_BYTES).hexdigest(), existing)
    assert existing.read_bytes() == SPEC_BYTES  # byte for byte, not re-serialised
    assert sorted(p.name for p in existing.parent.iterdir()) == [existing.name]


def test_new_file_and_missing_directories_are_created(server: str, tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "spec.json"
    result, diags = fetch_spec(server + "/spec.json", out)
    assert diags == [] and result is not None
    assert out.read_bytes() == SPEC_BYTES
    assert out.stat().st_mode & 0o777 == 0o644


def test_file_mode_of_an_existing_spec_is_kept(server: str, existing: Path) -> None:
    existing.chmod(0o640)
    fetch_spec(server + "/spec.json", existing)
    assert existing.stat().st_mode & 0o777 == 0o640


def test_yaml_by_content_type(server: str, tmp_path: Path) -> None:
    result, diags = fetch_spec(server + "/spec.yaml", tmp_path / "spec.yaml")
    assert diags == [] and result is not None and result.version == "9.2"


def test_redirect_to_http_is_followed(server: str, tmp_path: Path) -> None:
    result, diags = fetch_spec(server + "/to-spec", tmp_path / "spec.json")
    assert diags == [] and result is not None and result.version == "9.1"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/spec.json", "/etc/passwd", "spec.json", "http:///nohost", "data:,{}", "http://127.0.0.1:99999/spec.json", "http://[::1/spec.json"])
def test_only_http_and_https_urls(url: str, existing: Path) -> None:
    assert check_url(url) is not None
    result, diags = fetch_spec(url, existing)
    assert result is None and diags[0].file == url
    _untouched(existing)


def test_check_url_accepts_http_and_https() -> None:
    assert check_url("https://api.x.com/2/openapi.json") is None
    assert check_url("HTTP://127.0.0.1:8000/spec.json") is None


def test_connection_refused(existing: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result, diags = fetch_spec(f"http://127.0.0.1:{port}/spec.json", existing, timeout=2)
    assert result is None and "cannot connect" in diags[0].message
    _untouched(existing)


def test_unwritable_target_reports_the_path_and_leaves_no_temp_file(server: str, tmp_path: Path) -> None:
    out = tmp_path / "dir-in-the-way"
    out.mkdir()
    (out / "keep").write_bytes(b"x")
    result, diags = fetch_spec(server + "/spec.json", out)
    assert result is None and diags[0].file == str(out) and "cannot write" in diags[0].message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir-in-the-way"]


def test_invalid_options() -> None:
    result, diags = fetch_spec("https://example.com/x.json", Path("unused.json"), timeout=0)
    assert result is None and "positive" in diags[0].message


def test_cli_prints_sha_and_version(server: str, existing: Path) -> None:
    done = run_cli("fetch", server + "/spec.json", "--out", existing, "--timeout", "5")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{hashlib.sha256(SPEC_BYTES).hexdigest()} 9.1\n"  # digest first, as sha256sum
    assert existing.read_bytes() == SPEC_BYTES


def test_cli_failure_exits_2_with_one_diagnostic_line(server: str, existing: Path) -> None:
    done = run_cli("fetch", server + "/missing", "--out", existing)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"error: {server}/missing: /: HTTP 404 Not Found\n"
    _untouched(existing)


def test_cli_rejects_non_positive_limits(existing: Path) -> None:
    done = run_cli("fetch", "https://example.com/x.json", "--out", existing, "--max-bytes", "0")
    assert done.returncode == 2 and "must be positive" in done.stderr


# --- the deadline: hostile servers (issue 14, item 2) ----------------------------------------


@contextlib.contextmanager
def _silent_listener() -> Iterator[int]:
    """A port whose kernel completes TCP connects but where nobody ever reads or answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


@pytest.fixture(scope="module")
def silent_port() -> Iterator[int]:
    with _silent_listener() as port:
        yield port


#: name -> (URL path on the loopback server, or a full URL template, and the expected message).
HOSTILE: dict[str, tuple[str, str]] = {
    "continue-flood": ("/continue-flood", "timed out"),
    "header-drip": ("/header-drip", "timed out"),
    "status-drip": ("/status-drip", "timed out"),
    "status-stall": ("/stall", "timed out"),
    "body-drip": ("/body-drip", "timed out"),
    "redirect-chain": ("/chain/0", "timed out"),
    "slow-redirect-loop": ("/slow-loop", "timed out"),
    "silent-http": ("http://127.0.0.1:{silent}/spec.json", "timed out"),
    "tls-handshake-stall": ("https://127.0.0.1:{silent}/spec.json", "timed out"),
    "cross-port": ("/redirect?to={other_quoted}", "refusing redirect to another port"),
}


def _hostile_url(case: str, server: str, other_server: str, silent_port: int) -> str:
    template = HOSTILE[case][0]
    if template.startswith("/"):
        template = server + template
    return template.format(silent=silent_port, other_quoted=quote(other_server + "/spec.json", safe=""))


def _timed_fetch(url: str, out: Path) -> tuple[float, list[str]]:
    started = time.monotonic()
    result, diags = fetch_spec(url, out, timeout=DEADLINE)
    assert result is None
    return time.monotonic() - started, [d.message for d in diags]


def test_hostile_servers_are_cut_off_at_the_deadline(server: str, other_server: str, silent_port: int, tmp_path: Path) -> None:
    """Every hostile case at once (so the fast suite pays one deadline, not ten): each ends
    within --timeout + 1 s with one timed-out or refusal message and the old file intact."""
    outs = {}
    for case in HOSTILE:
        outs[case] = tmp_path / case / "spec.json"
        outs[case].parent.mkdir()
        outs[case].write_bytes(OLD)
    with ThreadPoolExecutor(len(HOSTILE)) as pool:
        futures = {case: pool.submit(_timed_fetch, _hostile_url(case, server, other_server, silent_port), outs[case]) for case in HOSTILE}
    for case, future in futures.items():
        elapsed, messages = future.result()
        assert elapsed < DEADLINE + GRACE, f"{case}: took {elapsed:.2f} s with --timeout {DEADLINE:g}"
        assert len(messages) == 1 and HOSTILE[case][1] in messages[0], (case, messages)
        _untouched(outs[case])


def _timed_cli(*args: str | Path, env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    """``python -m xproblems ARGS`` with its wall time; killed well after any sane deadline."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "xproblems", *map(str, args)], cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=DEADLINE + 15, check=False)
    return time.monotonic() - started, done


def _assert_one_line_failure(done: subprocess.CompletedProcess[str], url: str, message: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith(f"error: {url}: /: ") and done.stderr.endswith("\n")
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("case", list(HOSTILE))
def test_cli_ends_by_the_deadline_with_exit_2(case: str, server: str, other_server: str, silent_port: int, existing: Path) -> None:
    """The CLI in a subprocess, wall time measured around it: exit 2 within --timeout + 1 s."""
    url = _hostile_url(case, server, other_server, silent_port)
    elapsed, done = _timed_cli("fetch", url, "--out", existing, "--timeout", f"{DEADLINE:g}")
    assert elapsed < DEADLINE + GRACE, f"{case}: took {elapsed:.2f} s with --timeout {DEADLINE:g}"
    _assert_one_line_failure(done, url, HOSTILE[case][1])
    _untouched(existing)


def test_dns_lookup_is_bounded_by_the_deadline(monkeypatch: pytest.MonkeyPatch, existing: Path) -> None:
    """getaddrinfo has no timeout of its own: a resolver that hangs must not hold fetch."""
    real = socket.getaddrinfo

    def hanging(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "hangs.example":
            time.sleep(DEADLINE + 3)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    elapsed, messages = _timed_fetch("http://hangs.example/spec.json", existing)
    assert elapsed < DEADLINE + GRACE and "timed out" in messages[0], (elapsed, messages)
    _untouched(existing)


@pytest.mark.slow
def test_the_deadline_spans_redirects(server: str, existing: Path) -> None:
    """Each hop of /chain is quick enough for a per-hop timeout; all of them are not."""
    started = time.monotonic()
    _, diags = fetch_spec(server + "/chain/0", existing, timeout=2.0)
    assert "timed out" in diags[0].message and time.monotonic() - started < 3.0
    result, diags = fetch_spec(server + "/chain/0", existing, timeout=10.0)  # the chain itself works
    assert diags == [] and result is not None and result.version == "9.1"


def test_a_redirect_body_is_never_read(server: str, tmp_path: Path) -> None:
    started = time.monotonic()
    result, diags = fetch_spec(server + "/redirect-endless-body", tmp_path / "spec.json", timeout=5.0, max_bytes=10_000)
    assert diags == [] and result is not None
    assert time.monotonic() - started < 1.0


def test_timeout_must_be_finite(existing: Path) -> None:
    result, diags = fetch_spec("http://127.0.0.1:9/spec.json", existing, timeout=float("inf"))
    assert result is None and "finite" in diags[0].message
    done = run_cli("fetch", "http://127.0.0.1:9/spec.json", "--out", existing, "--timeout", "inf")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "finite" in done.stderr
    _untouched(existing)


# --- redirect policy ---------------------------------------------------------------------------

POLICY = [
    # (from, to, allow_port_redirect, refusal or None)
    ("https://api.x.com/spec", "https://cdn.example/spec", False, None),
    ("https://api.x.com/spec", "https://cdn.example:443/spec", False, None),
    ("http://a/spec", "http://b:80/spec", False, None),
    ("http://a:8080/spec", "http://b:8080/spec", False, None),
    ("https://a/spec", "http://a/spec", False, "from https to http (a downgrade)"),
    ("https://a/spec", "http://a/spec", True, "from https to http (a downgrade)"),
    ("HTTPS://a/spec", "Http://a:443/spec", True, "from https to http (a downgrade)"),
    ("https://a/spec", "https://a:8443/spec", False, "another port (443 -> 8443)"),
    ("https://a:8443/spec", "https://a/spec", False, "another port (8443 -> 443)"),
    ("http://a/spec", "https://a/spec", False, "another port (80 -> 443)"),
    ("http://a:443/spec", "https://a/spec", False, None),
    ("https://a/spec", "https://a:8443/spec", True, None),
    ("http://a/spec", "https://a/spec", True, None),
    ("https://a/spec", "ftp://a/spec", True, "only http and https"),
    ("https://a/spec", "file:///etc/passwd", True, "only http and https"),
    ("https://a/spec", "https://a:99999/spec", True, "Port out of range"),
    ("https://a/spec", "https://a:x/spec", True, "Port could not be cast"),
    ("https://a/spec", "https:///spec", True, "it has no host"),
]


@pytest.mark.parametrize(("old", "new", "allow", "refusal"), POLICY)
def test_redirect_policy(old: str, new: str, allow: bool, refusal: str | None) -> None:
    got = redirect_refusal(old, new, allow_port_redirect=allow)
    if refusal is None:
        assert got is None
    else:
        assert got is not None and refusal in got and got.isprintable(), got


def test_redirect_refusal_shows_hostile_targets_safely() -> None:
    got = redirect_refusal("https://a/", "http://a/\x1b[2J\u202e" + "x" * 5000)
    assert got is not None and got.isprintable() and len(got) < 400


def test_cross_port_redirect_is_refused_then_allowed_by_the_flag(server: str, other_server: str, existing: Path) -> None:
    url = f"{server}/redirect?to={quote(other_server + '/spec.json', safe='')}"
    done = run_cli("fetch", url, "--out", existing, "--timeout", "5")
    _assert_one_line_failure(done, url, "--allow-port-redirect follows it")
    _untouched(existing)
    done = run_cli("fetch", url, "--out", existing, "--timeout", "5", "--allow-port-redirect")
    assert done.returncode == 0, done.stderr
    assert existing.read_bytes() == SPEC_BYTES


def test_redirect_to_another_host_on_the_same_port_is_followed(server: str, tmp_path: Path) -> None:
    port = urlsplit(server).port
    result, diags = fetch_spec(f"{server}/redirect?to={quote(f'http://localhost:{port}/spec.json', safe='')}", tmp_path / "spec.json", timeout=5)
    assert diags == [] and result is not None and result.version == "9.1"


# --- https (a throwaway certificate, trusted through SSL_CERT_FILE) ----------------------------


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``https://127.0.0.1:<port>`` with the usual routes, and the certificate to trust."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a throwaway certificate")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    # The handshake happens in each handler thread, so a stalled client cannot block accept().
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}", cert
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_https_fetch_works_with_the_test_certificate(tls_server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness itself: without this, a refusal below could be a certificate failure."""
    base, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    result, diags = fetch_spec(base + "/spec.json", tmp_path / "spec.json", timeout=5)
    assert diags == [] and result is not None and result.version == "9.1"


@pytest.mark.parametrize("flag", [[], ["--allow-port-redirect"]], ids=["plain", "allow-port-redirect"])
def test_https_to_http_redirect_is_refused(tls_server: tuple[str, Path], server: str, existing: Path, flag: list[str]) -> None:
    base, cert = tls_server
    url = f"{base}/redirect?to={quote(server + '/spec.json', safe='')}"
    _, done = _timed_cli("fetch", url, "--out", existing, "--timeout", "5", *flag, env={"SSL_CERT_FILE": str(cert)})
    _assert_one_line_failure(done, url, "refusing redirect from https to http (a downgrade)")
    _untouched(existing)


@pytest.mark.slow
def test_https_header_drip_is_cut_off(tls_server: tuple[str, Path], existing: Path) -> None:
    """The same deadline through TLS: records that each carry one header byte."""
    base, cert = tls_server
    elapsed, done = _timed_cli("fetch", base + "/header-drip", "--out", existing, "--timeout", f"{DEADLINE:g}", env={"SSL_CERT_FILE": str(cert)})
    assert elapsed < DEADLINE + GRACE, elapsed
    _assert_one_line_failure(done, base + "/header-drip", "timed out")
    _untouched(existing)
