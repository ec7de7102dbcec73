"""The ways client code turns a real HTTP response into an error, for loopback tests.

Each mode sends one request with a real client and returns ``from_httpx``/``afrom_httpx``/
``from_requests`` of the response: httpx sync and async, requests, each with the body read
up front (streaming off) and inside a streamed response (streaming on).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import requests

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
