"""Loopback tests: a local server, and the ways client code turns its response into an error.

:func:`loopback` serves a handler class on 127.0.0.1. Each mode of :func:`fetch_error` sends
one request with a real client and returns ``from_httpx``/``afrom_httpx``/``from_requests``
of the response: httpx sync and async, requests, each with the body read up front
(streaming off) and inside a streamed response (streaming on).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import requests


@contextmanager
def loopback(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` served by ``handler`` in a thread, shut down after."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@contextmanager
def serving(body: bytes, content_type: str = "application/json") -> Iterator[str]:
    """A loopback server answering every GET with ``200`` and ``body``; its URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with loopback(Handler) as url:
        yield url


MODES = ("httpx", "httpx-stream", "httpx-async", "httpx-async-stream", "requests", "requests-stream")


def fetch_error(xp: Any, mode: str, url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Any:
    """The package's error for ``method url`` sent the way ``mode`` names."""
    if mode == "httpx":
        with httpx.Client(timeout=10) as client:
            return xp.from_httpx(client.request(method, url, headers=headers))
    if mode == "httpx-stream":
        with httpx.Client(timeout=10) as client, client.stream(method, url, headers=headers) as response:
            return xp.from_httpx(response)
    if mode in ("httpx-async", "httpx-async-stream"):
        return asyncio.run(_async(xp, mode.endswith("stream"), method, url, headers))
    if mode == "requests":
        return xp.from_requests(requests.request(method, url, headers=headers, timeout=10))
    if mode == "requests-stream":
        with requests.request(method, url, headers=headers, timeout=10, stream=True) as response:
            return xp.from_requests(response)
    raise ValueError(mode)


async def _async(xp: Any, stream: bool, method: str, url: str, headers: dict[str, str] | None) -> Any:
    async with httpx.AsyncClient(timeout=10) as client:
        if not stream:
            return await xp.afrom_httpx(await client.request(method, url, headers=headers))
        async with client.stream(method, url, headers=headers) as response:
            return await xp.afrom_httpx(response)
