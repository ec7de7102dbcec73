"""Streamed responses: the body is read when it can be, and the error says so when it cannot.

A 429 TooManyConnections answer to a stream request, from httpx (sync and async, inside and
after ``client.stream(...)``) and requests (``stream=True``, before and after the body was
consumed), against a loopback server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest
import requests

from .client_modes import loopback
from .runtime_support import load

xp = load()

TOO_MANY = json.dumps(
    {
        "title": "ConnectionException",
        "detail": "This stream is currently at the maximum allowed connection limit.",
        "connection_issue": "TooManyConnections",
        "type": "https://api.twitter.com/2/problems/streaming-connection",
    }
).encode()
HUGE = b'{"title": "' + b"x" * (2 << 20) + b'"}'


class Handler(BaseHTTPRequestHandler):
    """``/stream`` answers 429 TooManyConnections; ``/huge`` a 2 MiB 503 body."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = HUGE if self.path == "/huge" else TOO_MANY
        self.send_response(503 if self.path == "/huge" else 429)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with loopback(Handler) as url:
        yield url


def _too_many(error: Any) -> None:
    assert isinstance(error, xp.TooManyRequests) and isinstance(error, xp.ConnectionExceptionProblem)
    assert error.limit_kind is xp.LimitKind.TOO_MANY_CONNECTIONS and error.body.incomplete is None
    assert error.connection_issue == "TooManyConnections" and "(empty body)" not in str(error)


def test_httpx_stream_open_is_read(server: str) -> None:
    with httpx.Client(timeout=10) as client, client.stream("GET", f"{server}/stream") as response:
        _too_many(xp.from_httpx(response))


def test_httpx_stream_closed_says_it_was_not_read(server: str) -> None:
    with httpx.Client(timeout=10) as client:
        with client.stream("GET", f"{server}/stream") as response:
            pass
        error = xp.from_httpx(response)
    assert error.status == 429 and error.body.raw is None
    assert error.body.incomplete == "the response was streamed, and its body consumed or closed before this"
    assert str(error).endswith("(body not read: the response was streamed, and its body consumed or closed before this) (GET " + f"{server}/stream)")
    assert "(empty body)" not in str(error)


def test_httpx_async_stream(server: str) -> None:
    async def run() -> tuple[Any, Any, Any]:
        async with httpx.AsyncClient(timeout=10) as client:
            async with client.stream("GET", f"{server}/stream") as response:
                sync_view = xp.from_httpx(response)  # cannot read an async stream
                read = await xp.afrom_httpx(response)
            closed = await xp.afrom_httpx(response)
            return sync_view, read, closed

    sync_view, read, closed = asyncio.run(run())
    assert sync_view.body.incomplete == "the response is async and streamed: use `await afrom_httpx(response)`"
    assert "body not read" in str(sync_view)
    _too_many(read)
    assert read.body.raw == TOO_MANY
    # read with a size limit, so httpx does not keep it: a second look says so
    assert closed.body.raw is None and closed.body.incomplete is not None


def test_httpx_async_without_stream(server: str) -> None:
    async def run() -> Any:
        async with httpx.AsyncClient(timeout=10) as client:
            return await xp.afrom_httpx(await client.get(f"{server}/stream"))

    _too_many(asyncio.run(run()))


def test_requests_stream_is_read_and_a_consumed_one_says_so(server: str) -> None:
    with requests.get(f"{server}/stream", stream=True, timeout=10) as response:
        _too_many(xp.from_requests(response))
    with requests.get(f"{server}/stream", stream=True, timeout=10) as response:
        for _ in response.iter_content(16):
            pass
        error = xp.from_requests(response)
    assert error.body.raw is None and "body not read: it could not be read (RuntimeError" in str(error)


def test_a_huge_streamed_body_is_cut_and_says_so(server: str) -> None:
    with httpx.Client(timeout=10) as client, client.stream("GET", f"{server}/huge") as response:
        error = xp.from_httpx(response)
    assert len(error.body.raw) == xp.BODY_READ_LIMIT
    assert error.body.incomplete == f"cut at {xp.BODY_READ_LIMIT} bytes"
    assert str(error).endswith(f"(body incomplete: cut at {xp.BODY_READ_LIMIT} bytes) (GET {server}/huge)")


def test_round_trips_keep_the_note() -> None:
    import pickle

    error = xp.error_from_response(429, xp.ResponseBody(None, None, "why"))
    for clone in (pickle.loads(pickle.dumps(error)), xp.XAPIError.from_dict(error.to_dict())):
        assert clone.body.incomplete == "why" and str(clone) == str(error)
