"""``retry_after`` honours ``Retry-After`` (RFC 9110: seconds or an HTTP-date) as a floor.

The table runs on errors built three ways: from status and headers directly, and from real
httpx and requests responses of a loopback server that sends the header as given.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from .client_modes import MODES, fetch_error, loopback
from .runtime_support import load

xp = load()

NOW = datetime.datetime(2024, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
DAY = datetime.timedelta(days=1)
S = datetime.timedelta(seconds=1)

#: (status, Retry-After value, expected delay for attempt 1 at NOW)
TABLE: list[tuple[int, str, datetime.timedelta | None]] = [
    (503, "30", 30 * S),  # above X's 5 s for a 5xx
    (429, "120", 120 * S),  # above X's 60 s for a rate limit with no reset header
    (503, "2", 5 * S),  # below X's guidance: the guidance stands
    (503, " 45 ", 45 * S),
    (503, "Mon, 01 Jan 2024 12:02:00 GMT", 120 * S),  # IMF-fixdate
    (503, "Monday, 01-Jan-24 12:03:00 GMT", 180 * S),  # RFC 850
    (503, "Mon Jan  1 12:04:00 2024", 240 * S),  # asctime
    (503, "Sun, 31 Dec 2023 23:00:00 GMT", 5 * S),  # in the past: 0, under the guidance
    (503, "Fri, 01 Jan 2100 00:00:00 GMT", DAY),  # years away: capped at a day
    (503, "9" * 40, DAY),  # huge: capped
    (503, "-5", 5 * S),  # not delay-seconds: ignored
    (503, "1.5", 5 * S),
    (503, "soon", 5 * S),
    (503, "Mon, 32 Jan 2024 12:00:00 GMT", 5 * S),  # no such day
    (503, "Mon, 01 Jan 2024 25:00:00 GMT", 5 * S),
    (503, "", 5 * S),
    (503, "Monday, 01-Jan-\u00b2\u00b2 12:03:00 GMT", 5 * S),  # "²".isdigit() is true, int("²") fails
    (503, "Monday, 01-Jan-" + "9" * 5000 + " 12:03:00 GMT", 5 * S),  # int() refuses 5,000 digits
    (400, "30", None),  # X says do not retry a 400 as is; the header does not change that
    (429, "86400", DAY),
]


def _direct(status: int, value: str) -> Any:
    return xp.error_from_response(status, b"", {"Retry-After": value})


class Handler(BaseHTTPRequestHandler):
    """``/status/<code>?retry_after=<value>`` answers with that status and header."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        status = int(url.path.rsplit("/", 1)[-1])
        value = parse_qs(url.query, keep_blank_values=True).get("retry_after", [""])[0]
        self.send_response(status)
        self.send_header("Retry-After", value)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with loopback(Handler) as url:
        yield url


def _url(server: str, status: int, value: str) -> str:
    return f"{server}/status/{status}?retry_after={quote(value)}"


@pytest.mark.parametrize(("status", "value", "expected"), TABLE)
def test_retry_after_table_direct(status: int, value: str, expected: datetime.timedelta | None) -> None:
    assert xp.retry_after(_direct(status, value), 1, now=NOW) == expected


@pytest.mark.slow  # 108 loopback requests; the table's logic runs in the fast lane above
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "value", "expected"), TABLE)
def test_retry_after_table_over_http(server: str, mode: str, status: int, value: str, expected: datetime.timedelta | None) -> None:
    error = fetch_error(xp, mode, _url(server, status, value))
    assert xp.retry_after(error, 1, now=NOW) == expected


def test_the_header_is_a_floor_at_every_attempt() -> None:
    error = _direct(503, "30")
    delays = [xp.retry_after(error, n, now=NOW) for n in range(1, 8)]
    assert delays == [30 * S, 30 * S, 30 * S, 40 * S, 80 * S, 160 * S, 320 * S]  # 5, 10, 20 under 30


def test_jitter_is_opt_in_and_only_adds() -> None:
    error = _direct(503, "30")
    assert {xp.retry_after(error, 1, now=NOW) for _ in range(20)} == {30 * S}  # deterministic
    spread = [xp.retry_after(error, 1, now=NOW, jitter=0.5) for _ in range(200)]
    assert all(s is not None and 30 * S <= s <= 45 * S for s in spread)
    assert len(set(spread)) > 1
    for odd in (-1, 0, 2, float("nan"), True, "0.5"):
        assert xp.retry_after(error, 1, now=NOW, jitter=odd) == 30 * S  # type: ignore[arg-type]


@pytest.mark.parametrize("make", [lambda: xp.error_from_response(503, b"", {}), lambda: ConnectionResetError()])
def test_without_the_header_nothing_changes(make: Callable[[], BaseException]) -> None:
    assert xp.retry_after(make(), 1, now=NOW) in (5 * S, datetime.timedelta(milliseconds=250))
