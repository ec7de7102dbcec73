"""Real HTTP clients against a loopback server replaying X's bodies and a stream."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from .runtime_support import load, read_jsonl, slug_of

xp = load()

RECORDS = [r for r in read_jsonl("x-api-real-error-bodies.jsonl") if r["status"] is not None]
RECORDS += read_jsonl("x-api-real-non-json-bodies.jsonl")
SKIPPED_HEADERS = {"content-length", "date", "transfer-encoding", "connection"}

DISCONNECT = {
    "errors": [
        {
            "title": "operational-disconnect",
            "disconnect_type": "UpstreamOperationalDisconnect",
            "detail": "This stream has been disconnected upstream for operational reasons.",
            "type": "https://api.twitter.com/2/problems/operational-disconnect",
        }
    ]
}
STREAM_LINES: list[bytes] = [
    json.dumps({"data": {"id": "1", "text": "hello"}, "matching_rules": [{"id": "9", "tag": "cats"}]}).encode() + b"\r\n",
    b"\r\n",  # keep-alive heartbeat
    json.dumps(
        {
            "data": {"id": "2", "text": "with an author we may not see"},
            "errors": [
                {
                    "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
                    "title": "Authorization Error",
                    "detail": "Sorry, you are not authorized to see the User with id: [3].",
                    "parameter": "author_id",
                    "resource_id": "3",
                    "resource_type": "user",
                    "section": "includes",
                    "value": "3",
                }
            ],
        }
    ).encode()
    + b"\r\n",
    b"\r\n",
    b"\xff\xfe not utf-8 at all\r\n",
    json.dumps(DISCONNECT).encode() + b"\r\n",
]


class Handler(BaseHTTPRequestHandler):
    """Replays ``RECORDS[i]`` at ``/replay/i`` and a short stream at ``/stream``."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/stream":
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            for line in STREAM_LINES:
                self.wfile.write(line)
                self.wfile.flush()
            return
        index = int(self.path.rsplit("/", 1)[-1])
        record = RECORDS[index]
        body = json.dumps(record["body"]).encode() if "body" in record else record["body_text"].encode()
        self.send_response(record["status"])
        for name, value in record["headers"].items():
            if name.lower() not in SKIPPED_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    watchdog = threading.Timer(120, httpd.shutdown)  # stops itself even if a test hangs
    watchdog.daemon = True
    watchdog.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        watchdog.cancel()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _check(error: Any, record: dict[str, Any], raw: bytes) -> None:
    assert isinstance(error, xp.XAPIError)
    assert error.status == record["status"]
    assert error.body.raw == raw
    if "body" in record:
        assert error.body.json == record["body"]
    if record["kind"] == "partial":
        problems = xp.partial_errors(raw)
        assert [p.raw for p in problems] == record["body"]["errors"]
        return
    assert isinstance(error, xp.STATUS_CLASSES[record["status"]])
    assert [slug_of(p.type) for p in error.problems] == [slug_of(t) for t in record["expected_types"]]
    for name, value in record["headers"].items():
        if name.lower() not in SKIPPED_HEADERS:
            assert error.headers[name.lower()] == value
    if "x-rate-limit-remaining" in record["headers"]:
        assert error.rate_limit.remaining == int(record["headers"]["x-rate-limit-remaining"])
        assert error.rate_limit.reset is not None
        assert int(error.rate_limit.reset.timestamp()) == int(record["headers"]["x-rate-limit-reset"])


@pytest.mark.parametrize("index", range(len(RECORDS)))
def test_from_httpx(server: str, index: int) -> None:
    record = RECORDS[index]
    with httpx.Client(timeout=10) as client:
        response = client.get(f"{server}/replay/{index}")
    assert response.status_code == record["status"]
    _check(xp.from_httpx(response), record, response.content)
    if record["status"] >= 400:
        with pytest.raises(xp.XAPIError) as caught:
            xp.raise_for_response(response.status_code, response.content, response.headers)
        assert caught.value == xp.from_httpx(response)


def test_from_requests(server: str) -> None:
    requests = pytest.importorskip("requests")
    with requests.Session() as session:
        for index, record in enumerate(RECORDS):
            response = session.get(f"{server}/replay/{index}", timeout=10)
            _check(xp.from_requests(response), record, response.content)


def _expected_stream(events: list[Any]) -> None:
    kinds = [event.kind for event in events]
    assert kinds == [
        xp.StreamEventKind.DATA,
        xp.StreamEventKind.HEARTBEAT,
        xp.StreamEventKind.DATA_WITH_ERRORS,
        xp.StreamEventKind.HEARTBEAT,
        xp.StreamEventKind.UNDECODABLE,
        xp.StreamEventKind.DISCONNECT,
    ]
    assert events[0].data == {"id": "1", "text": "hello"}
    assert events[0].json["matching_rules"][0]["tag"] == "cats"
    assert events[2].data["id"] == "2"
    (problem,) = events[2].problems
    assert isinstance(problem, xp.NotAuthorizedForResourceProblem)
    assert problem.resource_type == "user"
    disconnect = events[-1]
    assert disconnect.reconnect and not events[0].reconnect
    assert isinstance(disconnect.disconnect, xp.OperationalDisconnectProblem)
    assert disconnect.disconnect_type == "UpstreamOperationalDisconnect"
    assert disconnect.disconnect_type is xp.DisconnectType("UpstreamOperationalDisconnect")
    assert xp.retry_after(disconnect.disconnect, 1).total_seconds() == 0.25


def test_stream_with_httpx(server: str) -> None:
    with httpx.Client(timeout=10) as client, client.stream("GET", f"{server}/stream") as response:
        assert response.status_code == 200
        lines = list(response.iter_lines())
    # httpx decodes; the undecodable line arrives with replacement characters
    events = [xp.classify_stream_line(line) for line in lines]
    assert [e.raw for e in events] == lines
    _expected_stream(events)
    assert events[4].error


def test_stream_raw_bytes_with_httpx(server: str) -> None:
    with httpx.Client(timeout=10) as client, client.stream("GET", f"{server}/stream") as response:
        data = response.read()
    lines = data.split(b"\n")[:-1]
    events = [xp.classify_stream_line(line) for line in lines]
    assert [e.raw for e in events] == lines  # nothing dropped, bytes kept
    _expected_stream(events)
    assert "UTF-8" in (events[4].error or "")


def test_stream_with_requests(server: str) -> None:
    requests = pytest.importorskip("requests")
    with requests.get(f"{server}/stream", stream=True, timeout=10) as response:
        lines = list(response.iter_lines())
    _expected_stream([xp.classify_stream_line(line) for line in lines])
