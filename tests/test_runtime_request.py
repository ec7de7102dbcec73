"""An error knows which request failed, as httpx.HTTPStatusError does, and never its secrets."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest

from .client_modes import MODES, fetch_error, loopback
from .runtime_support import load

xp = load()

BODY = json.dumps({"type": "https://api.x.com/2/problems/resource-not-found", "title": "Not Found Error", "detail": "gone"}).encode()
SECRET = "s3cr3t-T0KEN"


class Handler(BaseHTTPRequestHandler):
    """Every method answers 404 with a resource-not-found problem."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(404)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    do_GET = do_POST = do_DELETE = _answer


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with loopback(Handler) as url:
        yield url.removeprefix("http://")


def _secret_free(error: Any) -> None:
    for text in (str(error), repr(error), json.dumps(error.to_dict()), error.url or ""):
        assert SECRET not in text and "Bearer" not in text and "user:pw" not in text


@pytest.mark.parametrize("client", MODES)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_method_and_url_without_secrets(server: str, client: str, method: str) -> None:
    url = f"http://user:pw@{server}/2/tweets/1?ids=1&access_token={SECRET}&oauth_signature={SECRET}&tweet.fields=id#frag"
    headers = {"Authorization": f"Bearer {SECRET}"}
    error = fetch_error(xp, client, url, method, headers)
    want = f"http://{server}/2/tweets/1?ids=1&access_token=REDACTED&oauth_signature=REDACTED&tweet.fields=id"
    assert (error.method, error.url) == (method, want)
    assert str(error) == f"404 Not Found [resource-not-found] Not Found Error: gone ({method} {want})"
    assert isinstance(error, xp.ResourceNotFoundProblem)
    _secret_free(error)
    for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error), xp.XAPIError.from_dict(error.to_dict())):
        assert (clone.method, clone.url, str(clone)) == (error.method, error.url, str(error))


def test_without_a_request_nothing_is_invented() -> None:
    error = xp.error_from_response(404, BODY)
    assert (error.method, error.url) == (None, None)
    assert str(error) == "404 Not Found [resource-not-found] Not Found Error: gone"
    bare = httpx.Response(404, content=BODY)  # no request attached: httpx raises on .request
    assert (xp.from_httpx(bare).method, xp.from_httpx(bare).url) == (None, None)


def test_error_from_response_takes_the_request_too() -> None:
    error = xp.error_from_response(404, BODY, {}, method="GET", url="https://api.x.com/2/users/by?usernames=a&api_key=k#x")
    assert error.url == "https://api.x.com/2/users/by?usernames=a&api_key=REDACTED"
