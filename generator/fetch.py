"""Download an OpenAPI spec over HTTP(S) and write it atomically; stdlib ``urllib`` only.

Guarantees (``tests/test_fetch.py`` covers each):

* only ``http`` and ``https`` URLs, also for redirect targets;
* ``timeout`` bounds every socket operation *and* the whole transfer;
* at most ``max_bytes`` are read: a larger ``Content-Length`` is refused before reading, and
  the running count is checked while streaming (for chunked or lying servers);
* a non-2xx status, a body shorter than its ``Content-Length``, a body that is not a JSON
  (or YAML) OpenAPI 3.x object with ``info.version`` are errors;
* the body is written byte for byte through a temporary file in the target directory,
  fsync'd and moved into place with ``os.replace``: on any error an existing file is left
  byte-identical and no temporary file is left behind.
"""

from __future__ import annotations

import hashlib
import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from . import __version__
from .model import Diagnostic
from .pointer import ascii_number, cut
from .write import write_atomic

#: Default cap on the body size (the real specs are under 2 MiB).
MAX_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024
_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class FetchResult:
    """A spec that was downloaded, checked and written."""

    version: str
    sha256: str
    path: Path


class _FetchError(Exception):
    """A failure with the pointer and message of its diagnostic."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http/https URLs only (never ``file:`` or ``ftp:``)."""

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in _SCHEMES:
            raise _FetchError(f"refusing redirect to {newurl!r}: only http and https are allowed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _SafeRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ]
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be fetched (not http/https, no host), or ``None`` when it can."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"not a URL: {exc}"
    if parts.scheme.lower() not in _SCHEMES:
        return f"only http and https URLs can be fetched, not {parts.scheme or 'a bare path'!r}"
    if not parts.hostname:
        return "the URL has no host"
    return None


def _content_length(response: http.client.HTTPResponse, max_bytes: int) -> int | None:
    raw = response.headers.get("Content-Length")
    if raw is None:
        return None
    length = ascii_number(raw.strip())
    if length is None:
        raise _FetchError(f"invalid Content-Length {cut(raw)}")
    if length > max_bytes:
        raise _FetchError(f"Content-Length {length} is over the {max_bytes}-byte cap")
    return length


def _download(url: str, timeout: float, max_bytes: int) -> tuple[bytes, str]:
    """The body and its Content-Type, or :class:`_FetchError`."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"Accept": "application/json, application/yaml;q=0.9, */*;q=0.1", "Accept-Encoding": "identity", "User-Agent": f"xproblems/{__version__}"})
    try:
        with _opener().open(request, timeout=timeout) as response:
            status = response.status
            if not 200 <= status < 300:
                raise _FetchError(f"HTTP {status} {response.reason}")
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                raise _FetchError(f"the server sent a {encoding!r}-encoded body although identity was asked for")
            length = _content_length(response, max_bytes)
            content_type = response.headers.get("Content-Type", "")
            chunks: list[bytes] = []
            total = 0
            while True:
                if time.monotonic() > deadline:
                    raise _FetchError(f"timed out after {timeout:g} s (transfer too slow)")
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise _FetchError(f"body is over the {max_bytes}-byte cap")
                chunks.append(chunk)
    except _FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise _FetchError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _FetchError(f"timed out after {timeout:g} s") from None
        raise _FetchError(f"cannot connect: {reason}") from None
    except http.client.IncompleteRead as exc:
        raise _FetchError(f"truncated body: connection closed after {len(exc.partial)} bytes") from None
    except TimeoutError:
        raise _FetchError(f"timed out after {timeout:g} s") from None
    except (http.client.HTTPException, OSError) as exc:
        raise _FetchError(f"transfer failed: {type(exc).__name__}: {exc}") from None
    if length is not None and total != length:
        raise _FetchError(f"truncated body: got {total} of {length} bytes (Content-Length)")
    return b"".join(chunks), content_type


def _is_yaml(url: str, content_type: str) -> bool:
    mime = content_type.split(";")[0].strip().lower()
    return mime in ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml") or urlsplit(url).path.lower().endswith((".yaml", ".yml"))


def _looks_like_html(body: bytes, content_type: str) -> bool:
    mime = content_type.split(";")[0].strip().lower()
    head = body.lstrip()[:64].lower()
    return mime in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html", b"<html"))


def _check(body: bytes, url: str, content_type: str) -> str:
    """The spec's ``info.version``, or :class:`_FetchError` when the body is not a spec."""
    from .load import parse_bytes
    from .spec import check_version

    if _looks_like_html(body, content_type):
        raise _FetchError(f"got an HTML page (Content-Type {content_type or 'none'!r}), not an OpenAPI JSON document")
    doc, diags = parse_bytes(body, url, yaml_syntax=_is_yaml(url, content_type))
    if doc is None:
        first = diags[0] if diags else None
        raise _FetchError(f"body is not a JSON/YAML document: {first.message if first else 'unparseable'}", first.pointer if first else "")
    problems = check_version(doc, url)
    if problems:
        raise _FetchError(problems[0].message, problems[0].pointer)
    version = doc["info"]["version"]
    if not isinstance(version, str) or not version.strip():
        raise _FetchError("info.version is empty", "/info/version")
    return version


def fetch_spec(url: str, out: Path, *, timeout: float = 30.0, max_bytes: int = MAX_BYTES) -> tuple[FetchResult | None, list[Diagnostic]]:
    """Download ``url``, check it is an OpenAPI 3.x spec, and write it to ``out`` atomically.

    Returns the result, or ``None`` and error diagnostics (file = the URL for transfer and
    content errors, the output path for write errors); ``out`` is untouched on any error.
    """
    refused = check_url(url)
    if refused:
        return None, [Diagnostic("error", url, "", refused)]
    if timeout <= 0 or max_bytes <= 0:
        return None, [Diagnostic("error", url, "", "timeout and max_bytes must be positive")]
    try:
        body, content_type = _download(url, timeout, max_bytes)
        version = _check(body, url, content_type)
    except _FetchError as exc:
        return None, [Diagnostic("error", url, exc.pointer, exc.message)]
    try:
        write_atomic(out, body)
    except OSError as exc:
        return None, [Diagnostic("error", str(out), "", f"cannot write: {exc.strerror or exc}")]
    return FetchResult(version, hashlib.sha256(body).hexdigest(), out), []
