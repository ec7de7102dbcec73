"""Text bodies are read in the charset the response declares; the raw bytes stay as they are."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .client_modes import MODES, fetch_error, loopback
from .runtime_support import load

xp = load()

FRENCH = "Requête invalide : paramètre « ids »"
CASES = [
    # (content type, body bytes, expected text)
    ("text/plain; charset=iso-8859-1", FRENCH.encode("latin-1"), FRENCH),
    ('text/plain; charset="ISO-8859-1"', FRENCH.encode("latin-1"), FRENCH),
    ("text/html; Charset=windows-1252", "“quoted” – 5 €".encode("cp1252"), "“quoted” – 5 €"),
    ("text/plain; charset=utf-8", FRENCH.encode("utf-8"), FRENCH),
    ("text/plain", FRENCH.encode("utf-8"), FRENCH),  # no charset: UTF-8
    ("text/plain; charset=no-such-codec", b"caf\xc3\xa9", "café"),  # unknown: UTF-8
    ("text/plain; charset=base64", b"caf\xc3\xa9", "café"),  # a codec, but not a text encoding
]


class Handler(BaseHTTPRequestHandler):
    """``/?case=<i>`` answers 400 with case i's content type and bytes."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        content_type, body, _ = CASES[int(parse_qs(urlsplit(self.path).query)["case"][0])]
        self.send_response(400)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with loopback(Handler) as url:
        yield url


@pytest.mark.parametrize("client", ["direct", *MODES])
@pytest.mark.parametrize("index", range(len(CASES)))
def test_declared_charset(server: str, client: str, index: int) -> None:
    content_type, body, text = CASES[index]
    if client == "direct":
        error = xp.error_from_response(400, body, {"content-type": content_type})
    else:
        error = fetch_error(xp, client, f"{server}/?case={index}")
    assert error.body.raw == body  # the bytes as received
    assert error.body.text == text
    request = "" if client == "direct" else f" (GET {server}/?case={index})"
    assert str(error) == f"400 Bad Request: {text}{request}"
    for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error), xp.XAPIError.from_dict(error.to_dict())):
        assert clone.body.raw == body and clone.body.text == text
