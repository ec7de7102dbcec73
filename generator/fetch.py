"""Download an OpenAPI spec over HTTP(S) and write it atomically; stdlib ``urllib`` only.

Guarantees (``tests/test_fetch.py`` covers each):

* only ``http`` and ``https`` URLs, also for redirect targets;
* ``timeout`` is one wall-clock deadline over the whole request: DNS, connect, TLS handshake,
  status line and headers (any number of ``1xx`` interim responses), every redirect, and the
  body. A server that drips bytes or floods ``100 Continue`` is cut off at the deadline;
* a redirect from https to http is refused, and so is one to another port (an explicit one,
  or the other scheme's default: http -> https too) unless ``allow_port_redirect``; a
  redirect to another host on the same scheme and port is followed;
* at most ``max_bytes`` are read: a larger ``Content-Length`` is refused before reading, and
  the running count is checked while streaming (for chunked or lying servers); a redirect's
  own body is never read;
* a non-2xx status, a body shorter than its ``Content-Length``, a body that is not a JSON
  (or YAML) OpenAPI 3.x object with ``info.version`` are errors, each one line of printable
  text (server-sent text shows control characters as ``U+XXXX``);
* the body is written byte for byte through a temporary file in the target directory,
  fsync'd and moved into place with ``os.replace``: on any error an existing file is left
  byte-identical and no temporary file is left behind.

How the deadline is kept. ``fetch_spec`` fixes ``deadline = now + timeout`` once; urllib
opens every connection (the first and each redirect's) through :class:`_DeadlineHTTPHandler`
or :class:`_DeadlineHTTPSHandler`, which hand it that same :class:`_Deadline`. Every call
that can block starts with the socket's timeout set to the time left, or raises
``TimeoutError`` when none is left:

* the DNS lookup runs in a daemon thread that is waited for only until the deadline
  (``getaddrinfo`` itself has no timeout); each address is connected with the time left;
* the TLS handshake runs under the timeout set just after connecting (``ssl`` keeps its own
  deadline across the handshake's reads and writes);
* the request is sent by ``send``, which sets the time left first;
* the response is read through :class:`_DeadlineReader`, which sits under http.client's
  buffered reader and sets the time left before *each* ``recv``. http.client reads the status
  line, headers, ``1xx`` responses, chunk sizes and body only through that reader.

So each blocking call ends by the deadline, and a call only starts before it: a fetch ends
within ``timeout`` plus scheduling noise, however the server paces its bytes. (A DNS lookup
that outlives the deadline is left running in its daemon thread; it holds nothing.)
"""

from __future__ import annotations

import hashlib
import http.client
import io
import math
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from . import __version__
from .escape import one_line, terminal_line
from .model import Diagnostic
from .pointer import ascii_number
from .write import write_atomic

#: Default cap on the body size (the real specs are under 2 MiB).
MAX_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024
_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Longest server-sent text (a reason phrase, a redirect target) quoted in a message.
_SHOWN = 200


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


def _shown(text: object) -> str:
    """Server-sent text for a one-line message: control, bidi and surrogate characters as U+XXXX."""
    flat = terminal_line(one_line(str(text)))
    return flat if len(flat) <= _SHOWN else flat[:_SHOWN] + "..."


# --- the deadline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Deadline:
    """One ``time.monotonic()`` instant shared by every connection of a fetch."""

    at: float

    def left(self) -> float:
        """Seconds until the deadline; ``TimeoutError`` once it has passed."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("the deadline has passed")
        return left


def _resolve(host: str, port: int, deadline: _Deadline) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` bounded by the deadline: it has no timeout of its own, so it runs in a thread."""
    found: list[Any] = []

    def lookup() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except Exception as exc:  # handed to the caller below; a thread cannot raise it
            found.append(exc)

    thread = threading.Thread(target=lookup, name="xproblems-fetch-dns", daemon=True)
    thread.start()
    thread.join(deadline.left())
    if not found:
        raise TimeoutError(f"DNS lookup of {host!r} did not finish by the deadline")
    if isinstance(found[0], OSError):
        raise found[0]
    if isinstance(found[0], Exception):  # e.g. UnicodeError for a bad IDNA label
        raise OSError(f"cannot resolve {host!r}: {found[0]}")
    result: list[tuple[Any, ...]] = found[0]
    return result


def _open_socket(address: tuple[str, int], deadline: _Deadline) -> socket.socket:
    """``socket.create_connection`` with the deadline over the lookup and all addresses together."""
    host, port = address
    last: OSError = OSError(f"no address for {host!r}")
    for family, kind, proto, _, sockaddr in _resolve(host, port, deadline):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(deadline.left())
            sock.connect(sockaddr)
            sock.settimeout(deadline.left())  # what the TLS handshake, if any, runs under
            return sock
        except TimeoutError:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            last = exc
    raise last


class _DeadlineReader(io.RawIOBase):
    """The raw stream under an HTTP response: every ``recv`` gets the time left as its timeout."""

    def __init__(self, sock: socket.socket, inner: io.BufferedReader, deadline: _Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._inner = inner  # the socket's own reader: closing it releases the socket
        self._deadline = deadline

    def readable(self) -> bool:
        """Always: this is a read-only stream."""
        return True

    def readinto(self, buffer: Any) -> int | None:
        """One ``recv`` into ``buffer``, started only before the deadline and ending by it."""
        self._sock.settimeout(self._deadline.left())
        return self._inner.raw.readinto(buffer)

    def close(self) -> None:
        """Close the socket's reader too."""
        self._inner.close()
        super().close()


def _response_class(deadline: _Deadline) -> type[http.client.HTTPResponse]:
    """An ``HTTPResponse`` whose reads (status line, headers, 1xx, body) all keep ``deadline``."""

    class _DeadlineResponse(http.client.HTTPResponse):
        def __init__(self, sock: socket.socket, debuglevel: int = 0, method: str | None = None, url: str | None = None) -> None:
            super().__init__(sock, debuglevel, method, url)
            self.fp = io.BufferedReader(_DeadlineReader(sock, self.fp, deadline))

    return _DeadlineResponse


class _DeadlineConnection(http.client.HTTPConnection):
    """An HTTP connection that connects, sends and reads within the deadline."""

    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        # http.client's hook for how to connect (an instance attribute since Python 3.4).
        self._create_connection = lambda address, *_: _open_socket(address, deadline)
        self.response_class = _response_class(deadline)

    def send(self, data: Any) -> None:
        """Send with the time left as the socket timeout."""
        if self.sock is None and self.auto_open:
            self.connect()
        if self.sock is not None:
            self.sock.settimeout(self._deadline.left())
        super().send(data)


class _DeadlineHTTPSConnection(_DeadlineConnection, http.client.HTTPSConnection):
    """The HTTPS form: the handshake runs under the timeout ``_open_socket`` left set."""


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    """Open http URLs through :class:`_DeadlineConnection`."""

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        """Open ``req`` within the deadline."""
        return self.do_open(self._connection, req)

    def _connection(self, host: str, /, **kwargs: Any) -> http.client.HTTPConnection:
        return _DeadlineConnection(host, deadline=self._deadline, **kwargs)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    """Open https URLs through :class:`_DeadlineHTTPSConnection` (default, verifying TLS context)."""

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        """Open ``req`` within the deadline."""
        return self.do_open(self._connection, req)

    def _connection(self, host: str, /, **kwargs: Any) -> http.client.HTTPConnection:
        return _DeadlineHTTPSConnection(host, deadline=self._deadline, **kwargs)


# --- redirects ------------------------------------------------------------------------------


def _port(parts: Any) -> int:
    """The port a split http(s) URL connects to: the explicit one or the scheme's default."""
    return parts.port if parts.port is not None else _DEFAULT_PORTS[parts.scheme.lower()]


def redirect_refusal(url: str, target: str, *, allow_port_redirect: bool = False) -> str | None:
    """Why a redirect from ``url`` to ``target`` must not be followed, or ``None`` when it may be.

    Refused: a scheme other than http/https, https -> http (a downgrade: the spec would come
    over plain text), and, unless ``allow_port_redirect``, another port than ``url``'s,
    counting each scheme's default (so http -> https is a port change too).
    """
    try:
        old, new = urlsplit(url), urlsplit(target)
        new_scheme = new.scheme.lower()
        if new_scheme not in _SCHEMES:
            return f"refusing redirect to {_shown(repr(target))}: only http and https are allowed"
        if old.scheme.lower() == "https" and new_scheme == "http":
            return f"refusing redirect from https to http (a downgrade): {_shown(repr(target))}"
        if not new.hostname:
            return f"refusing redirect to {_shown(repr(target))}: it has no host"
        old_port, new_port = _port(old), _port(new)
    except ValueError as exc:  # urlsplit's port check: not a number, or over 65535
        return f"refusing redirect to {_shown(repr(target))}: {_shown(exc)}"
    if old_port != new_port and not allow_port_redirect:
        return f"refusing redirect to another port ({old_port} -> {new_port}): {_shown(repr(target))}; --allow-port-redirect follows it"
    return None


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow only the redirects :func:`redirect_refusal` allows, without reading their bodies."""

    def __init__(self, allow_port_redirect: bool) -> None:
        super().__init__()
        self._allow_port_redirect = allow_port_redirect

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str) -> urllib.request.Request | None:
        """The request for ``newurl``, or :class:`_FetchError` when the policy refuses it."""
        # urllib reads a redirect's whole body before following it; closing first makes that
        # read a no-op, so an endless body on a 302 costs nothing.
        fp.close()
        refused = redirect_refusal(req.full_url, newurl, allow_port_redirect=self._allow_port_redirect)
        if refused:
            raise _FetchError(refused)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(deadline: _Deadline, allow_port_redirect: bool) -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _DeadlineHTTPHandler(deadline),
        _DeadlineHTTPSHandler(deadline),
        urllib.request.HTTPDefaultErrorHandler(),
        _SafeRedirects(allow_port_redirect),
        urllib.request.HTTPErrorProcessor(),
    ]
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be fetched (not http/https, no host, bad port), or ``None`` when it can."""
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in _SCHEMES:
            return f"only http and https URLs can be fetched, not {parts.scheme or 'a bare path'!r}"
        if not parts.hostname:
            return "the URL has no host"
        _port(parts)
    except ValueError as exc:
        return f"not a URL: {exc}"
    return None


def _content_length(response: http.client.HTTPResponse, max_bytes: int) -> int | None:
    raw = response.headers.get("Content-Length")
    if raw is None:
        return None
    length = ascii_number(raw.strip())
    if length is None:
        raise _FetchError(f"invalid Content-Length {_shown(repr(raw))}")
    if length > max_bytes:
        raise _FetchError(f"Content-Length {length} is over the {max_bytes}-byte cap")
    return length


def _read_body(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    """The body, up to ``max_bytes``; each read keeps the deadline (see :class:`_DeadlineReader`)."""
    chunks: list[bytes] = []
    total = 0
    while chunk := response.read1(_CHUNK):
        total += len(chunk)
        if total > max_bytes:
            raise _FetchError(f"body is over the {max_bytes}-byte cap")
        chunks.append(chunk)
    return b"".join(chunks)


def _download(url: str, timeout: float, max_bytes: int, allow_port_redirect: bool) -> tuple[bytes, str]:
    """The body and its Content-Type, or :class:`_FetchError`."""
    deadline = _Deadline(time.monotonic() + timeout)
    timed_out = f"timed out: no complete response within {timeout:g} s (the deadline covers connecting, redirects, headers and body)"
    request = urllib.request.Request(url, headers={"Accept": "application/json, application/yaml;q=0.9, */*;q=0.1", "Accept-Encoding": "identity", "User-Agent": f"xproblems/{__version__}"})
    try:
        with _opener(deadline, allow_port_redirect).open(request, timeout=timeout) as response:
            status = response.status
            if not 200 <= status < 300:
                raise _FetchError(f"HTTP {status} {_shown(response.reason)}")
            encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                raise _FetchError(f"the server sent a {_shown(repr(encoding))}-encoded body although identity was asked for")
            length = _content_length(response, max_bytes)
            content_type = response.headers.get("Content-Type", "")
            body = _read_body(response, max_bytes)
    except _FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise _FetchError(f"HTTP {exc.code} {_shown(exc.reason)}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _FetchError(timed_out) from None
        raise _FetchError(f"cannot connect: {_shown(exc.reason)}") from None
    except http.client.IncompleteRead as exc:
        raise _FetchError(f"truncated body: connection closed after {len(exc.partial)} bytes") from None
    except TimeoutError:
        raise _FetchError(timed_out) from None
    except (http.client.HTTPException, OSError, ValueError) as exc:
        # ValueError: a URL that urllib or http.client cannot parse (e.g. an unclosed "[").
        raise _FetchError(f"transfer failed: {type(exc).__name__}: {_shown(exc)}") from None
    if length is not None and len(body) != length:
        raise _FetchError(f"truncated body: got {len(body)} of {length} bytes (Content-Length)")
    return body, content_type
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


def fetch_spec(url: str, out: Path, *, timeout: float = 30.0, max_bytes: int = MAX_BYTES, allow_port_redirect: bool = False) -> tuple[FetchResult | None, list[Diagnostic]]:
    """Download ``url``, check it is an OpenAPI 3.x spec, and write it to ``out`` atomically.

    ``timeout`` is a deadline in seconds for the whole download, redirects included;
    ``allow_port_redirect`` follows redirects to another port (see :func:`redirect_refusal`).
    Returns the result, or ``None`` and error diagnostics (file = the URL for transfer and
    content errors, the output path for write errors); ``out`` is untouched on any error.
    """
    refused = check_url(url)
    if refused:
        return None, [Diagnostic("error", url, "", refused)]
    if not (0 < timeout < math.inf) or max_bytes <= 0:
        return None, [Diagnostic("error", url, "", "timeout and max_bytes must be positive (and the timeout finite)")]
    try:
        body, content_type = _download(url, timeout, max_bytes, allow_port_redirect)
        version = _check(body, url, content_type)
    except _FetchError as exc:
        return None, [Diagnostic("error", url, exc.pointer, exc.message)]
    try:
        write_atomic(out, body)
    except OSError as exc:
        return None, [Diagnostic("error", str(out), "", f"cannot write: {exc.strerror or exc}")]
    return FetchResult(version, hashlib.sha256(body).hexdigest(), out), []
