"""generator.fetch against a loopback HTTP server: every failure leaves the old file alone."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from xproblems.fetch import FetchResult, check_url, fetch_spec

from .conftest import run_cli

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
#: The server shuts itself down after this long even if a test forgets to.
LIFETIME = 120.0

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
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        route = ROUTES.get(self.path)
        try:
            if route is None:
                _send(b"no route", "text/plain", 404)(self)
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as the test intends

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A loopback server on an OS-chosen port, in a daemon thread, shut down after use."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    guard = threading.Timer(LIFETIME, httpd.shutdown)
    guard.daemon = True
    guard.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        guard.cancel()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


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
]


@pytest.mark.parametrize(("path", "options", "message"), FAILURES, ids=[f[0] for f in FAILURES])
def test_failures_give_a_clear_error_and_leave_the_file_alone(server: str, existing: Path, path: str, options: dict[str, float], message: str) -> None:
    started = time.monotonic()
    result, diags = fetch_spec(server + path, existing, **options)  # type: ignore[arg-type]
    assert result is None
    assert len(diags) == 1 and diags[0].level == "error"
    assert diags[0].file == server + path
    assert message in diags[0].message, diags[0].render()
    _untouched(existing)
    limit = 2 * options["timeout"] + 0.5 if "timeout" in options else SLOW + 1.5
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


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/spec.json", "/etc/passwd", "spec.json", "http:///nohost", "data:,{}"])
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


def test_cli_prints_version_and_sha(server: str, existing: Path) -> None:
    done = run_cli("fetch", server + "/spec.json", "--out", existing, "--timeout", "5")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"9.1 {hashlib.sha256(SPEC_BYTES).hexdigest()}\n"
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
