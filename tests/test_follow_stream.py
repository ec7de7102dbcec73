"""follow_stream / afollow_stream against a loopback server that misbehaves as X's streams do.

Connection 1 sends data, a keep-alive, data with errors and a disconnect frame; 2 answers 429
TooManyConnections; 3 sends data and drops the TCP connection mid-body; 4 sends data and ends
without a word; 5 answers 401, which is not retried. Every frame must arrive, in order, with a
reconnect event (and the right wait) between connections.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from .client_modes import loopback
from .runtime_support import load

xp = load()
K = xp.StreamEventKind
MS = datetime.timedelta(milliseconds=1)

DISCONNECT = {"errors": [{"title": "operational-disconnect", "disconnect_type": "UpstreamOperationalDisconnect", "detail": "d", "type": "https://api.twitter.com/2/problems/operational-disconnect"}]}
TOO_MANY = {"title": "ConnectionException", "detail": "limit", "connection_issue": "TooManyConnections", "type": "https://api.twitter.com/2/problems/streaming-connection"}
UNAUTHORIZED = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
WITH_ERRORS = {"data": {"id": "2"}, "errors": [{"type": "https://api.x.com/2/problems/not-authorized-for-resource", "title": "t", "detail": "d"}]}


def _line(value: object) -> bytes:
    return json.dumps(value).encode() + b"\r\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _answer(self, status: int, body: object) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("Connection", "close")  # no reuse of a connection the server closes
        self.end_headers()
        self.wfile.write(raw)
        self.close_connection = True

    def do_GET(self) -> None:
        with Handler.lock:
            Handler.connections += 1
            number = Handler.connections
        if number == 2:
            return self._answer(429, TOO_MANY)
        if number >= 5:
            return self._answer(401, UNAUTHORIZED)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        if number == 1:
            for data in (_line({"data": {"id": "1"}}), b"\r\n", _line(WITH_ERRORS), _line(DISCONNECT)):
                self._chunk(data)
        else:
            self._chunk(_line({"data": {"id": str(number)}}))
        if number == 3:
            self.close_connection = True  # dropped: no closing chunk
            return
        self.wfile.write(b"0\r\n\r\n")
        self.close_connection = True


@pytest.fixture
def server() -> Iterator[str]:
    Handler.connections = 0
    with loopback(Handler) as url:
        yield f"{url}/2/tweets/search/stream"


def _check(events: list[Any], slept: list[float], error: BaseException) -> None:
    kinds = [e.kind for e in events]
    assert kinds == [K.DATA, K.HEARTBEAT, K.DATA_WITH_ERRORS, K.DISCONNECT, K.RECONNECT, K.RECONNECT, K.DATA, K.RECONNECT, K.DATA, K.RECONNECT]
    assert [e.data["id"] for e in events if e.kind in (K.DATA, K.DATA_WITH_ERRORS)] == ["1", "2", "3", "4"]  # no frame lost
    reconnects = [e for e in events if e.kind is K.RECONNECT]
    assert [r.delay for r in reconnects] == [250 * MS, datetime.timedelta(seconds=60), 250 * MS, 250 * MS]
    assert slept == [0.25, 60.0, 0.25, 0.25]  # waited what it announced
    assert isinstance(reconnects[0].cause, xp.OperationalDisconnectProblem)  # linear after a disconnect
    assert isinstance(reconnects[1].cause, xp.TooManyRequests) and reconnects[1].cause.limit_kind is xp.LimitKind.TOO_MANY_CONNECTIONS
    assert type(reconnects[2].cause).__name__ == "RemoteProtocolError"  # the dropped TCP connection
    assert isinstance(reconnects[3].cause, ConnectionError)  # ended without a word
    assert isinstance(error, xp.Unauthorized)  # not retried: raised


def test_follow_stream_with_httpx(server: str) -> None:
    events: list[Any] = []
    slept: list[float] = []
    with httpx.Client(timeout=10) as client:

        def lines() -> Iterator[str]:
            with client.stream("GET", server) as response:
                if response.status_code != 200:
                    raise xp.from_httpx(response)
                yield from response.iter_lines()

        with pytest.raises(xp.XAPIError) as raised:
            for event in xp.follow_stream(lines, sleep=slept.append):
                events.append(event)
    _check(events, slept, raised.value)


def test_afollow_stream_with_httpx(server: str) -> None:
    events: list[Any] = []
    slept: list[float] = []

    async def run() -> BaseException:
        async with httpx.AsyncClient(timeout=10) as client:

            async def lines() -> AsyncIterator[str]:
                async with client.stream("GET", server) as response:
                    if response.status_code != 200:
                        raise await xp.afrom_httpx(response)
                    async for line in response.aiter_lines():
                        yield line

            async def sleep(seconds: float) -> None:
                slept.append(seconds)

            try:
                async for event in xp.afollow_stream(lines, sleep=sleep):
                    events.append(event)
            except xp.XAPIError as exc:
                return exc
            raise AssertionError("afollow_stream ended without the 401")

    _check(events, slept, asyncio.run(run()))


def test_a_healthy_line_resets_the_count_and_kinds_count_apart() -> None:
    """Three 503s in a row: 5, 10, 20 s; a network error then starts its own count."""
    answers: list[object] = [xp.error_from_response(503, b"")] * 3 + [ConnectionResetError(), [b"\r\n"], ConnectionResetError()]
    slept: list[float] = []

    def connect() -> list[bytes]:
        answer = answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        assert isinstance(answer, list)
        return answer

    stream = xp.follow_stream(connect, sleep=slept.append)
    events = [next(stream) for _ in range(7)]
    assert [e.kind for e in events] == [K.RECONNECT] * 4 + [K.HEARTBEAT, K.RECONNECT, K.RECONNECT]
    with pytest.raises(IndexError):  # connect() itself failing in a way not to retry: raised
        next(stream)
    # 5xx doubles from 5 s; the first network error starts its own count at 250 ms; the
    # heartbeat resets it, so the end of that stream is attempt 1 again, and the next drop 2.
    assert slept == [5.0, 10.0, 20.0, 0.25, 0.25, 0.5]


def test_the_readme_consumer_runs_and_is_under_30_lines(server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's filtered-stream consumer, as printed there, against the loopback server."""
    import re
    import sys
    import time
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Following a stream") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    source = code.group(1)
    assert len([line for line in source.splitlines() if line.strip()]) < 30
    source = source.replace("from myproject.vendor import x_problems as xp", "import x_problems as xp")
    source = source.replace('URL = "https://api.x.com/2/tweets/search/stream"', f"URL = {server!r}")
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setattr(sys, "path", [str(Path(xp.__file__).parents[1]), *sys.path])
    with pytest.raises(xp.Unauthorized):
        exec(compile(source, "README.md", "exec"), {"TOKEN": "t", "__name__": "readme"})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "{'id': '1'}" and printed[-1].startswith("reconnecting in 0:00:00.250000: the stream ended")
    assert slept == [0.25, 60.0, 0.25, 0.25]
