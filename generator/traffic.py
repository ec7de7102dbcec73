"""Recorded X API traffic -> records, streamed: JSON Lines and HAR 1.2.

``audit`` reads what the API actually sent from two kinds of file:

* **JSON Lines** (``.jsonl`` or any other name): one JSON object per line. A line with a
  ``status`` member is a recorded *response*::

      {"status": 400, "headers": {"content-type": "application/problem+json"},
       "body": {"type": "https://api.x.com/2/problems/invalid-request", ...},
       "time": "2026-11-02T10:00:00Z", "method": "GET", "url": "https://api.x.com/2/tweets?ids=1"}

  ``status`` (integer, or null when it is not known: required), ``headers`` (object of strings), ``body`` (the parsed JSON
  body) or ``body_text`` (the body as text, when it is not JSON), and the optional ``time``
  (ISO 8601), ``method`` and ``url``; other members are ignored. Any other line is a *frame*
  of a recorded stream (a filtered stream's lines as they arrived): ``{"data": ...}``,
  ``{"errors": [...]}``, and an empty line is a keep-alive.
* **HAR 1.2** (a ``.har`` file), as browsers' developer tools, mitmproxy, Charles and Postman
  export it. Entries are read one at a time (``ijson``), never the whole document; only
  those whose host is an X API host count.

Nothing secret leaves this module: ``authorization``, cookie and proxy headers are dropped
as they are read, and a URL is kept only as its method and route with ids masked
(``GET /2/users/:id/tweets``), never its query.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import email.utils
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeGuard

from .model import Diagnostic
from .pointer import join
from .runtime._base import _json_kind

#: Hosts whose responses are X API responses (HAR entries for any other host are skipped).
X_API_HOSTS = frozenset({"api.x.com", "api.twitter.com"})
#: Headers never kept, whatever their value: credentials and session state.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-csrf-token"})
#: A JSON Lines record longer than this is refused (a body of X's is far smaller).
MAX_LINE_BYTES = 16 * 1024 * 1024
#: The path segments a route keeps: the literal segments of X API v2's paths (2.10 to 2.167 and
#: Labs; ``tests/test_audit.py`` checks them against every spec of the test material). Anything
#: else (an id, a handle in an id's place, an e-mail address, ``oauth_token=...``) is ``:id``:
#: a lower-case word is not enough, ``/2/users/victor/followers`` names a person.
ROUTE_WORDS = frozenset(
    ["1", "2", "28hr", "account_activity", "activity", "affiliates", "all", "analytics", "append", "articles", "block", "blocking", "bookmarks", "broadcasts", "buyers", "by", "chat", "communities", "compliance", "connections", "conversations", "count", "counts", "creator_ids", "dm", "dm_conversations", "dm_events", "draft", "en", "evaluate", "evaluate_note", "events", "finalize", "firehose", "folders", "followed_lists", "followers", "following", "group", "hidden", "historical", "initialize", "insights", "ja", "jobs", "keys", "ko", "label", "labs", "lang", "liked_tweets", "likes", "liking_users", "list", "list_memberships", "lists", "live", "me", "media", "members", "mentions", "messages", "metadata", "muting", "news", "notes", "notes_written", "openapi.json", "owned_lists", "personalized_trends", "pinned_lists", "posts_eligible_for_notes", "pt", "public_keys", "publish", "quote_tweets", "read", "recent", "replay", "reposts_of_me", "retweeted_by", "retweets", "reverse_chronological", "rules", "sample", "sample10", "scheduled", "search", "spaces", "stream", "subscriptions", "subtitles", "timelines", "trends", "tweets", "typing", "unblock", "upload", "usage", "username", "users", "webhooks", "with", "woeid"]
)
#: HTTP methods shown in a route; any other recorded method is ``?``.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
#: Route words after which X puts a user's name or handle (``/2/users/by/username/jack``).
_NAME_BEFORE = frozenset({"username", "with"})


@dataclass(frozen=True)
class Response:
    """One recorded response, its secrets already dropped."""

    file: str
    #: ``line 12`` (JSON Lines) or ``entry 3`` (HAR, 0-based like its JSON pointer).
    where: str
    #: None when the recording does not know it.
    status: int | None
    #: Lower-cased names; credentials and cookies are never here.
    headers: dict[str, str]
    #: The parsed JSON body, or ``None`` when ``text`` holds it.
    body: Any
    #: The body as text when it is not JSON (``""`` for an empty body), else ``None``.
    text: str | None
    #: When it was received, as ``YYYY-MM-DDTHH:MM:SSZ``, when the record says.
    seen: str | None
    #: ``GET /2/tweets/:id`` (ids masked, no host or query), when the record says.
    route: str | None
    #: False when the recording holds no body although the response had one (a HAR whose
    #: ``content.text`` the browser did not keep): nothing is known of the body.
    captured: bool = True


@dataclass(frozen=True)
class Frame:
    """One line of a recorded stream: its parsed JSON, or an empty line (a keep-alive)."""

    file: str
    where: str
    value: Any
    seen: str | None
    #: The line was empty (X sends ``\r\n`` as a keep-alive); ``value`` is then None.
    blank: bool = False


Record = Response | Frame


class Findings:
    """The diagnostics of reading: the first ``keep`` kept, the rest only counted, so that a
    recording of a million bad lines costs no more memory than one of twenty."""

    def __init__(self, keep: int = 20) -> None:
        self.keep = keep
        self.kept: list[Diagnostic] = []
        self.more = 0
        self.errors = 0

    def append(self, diagnostic: Diagnostic) -> None:
        """Keep or count one diagnostic."""
        self.errors += diagnostic.level == "error"
        if len(self.kept) < self.keep:
            self.kept.append(diagnostic)
        else:
            self.more += 1


@dataclass
class ReadStats:
    """What reading skipped: HAR entries of other hosts (counted, never named)."""

    other_hosts: int = 0


def read_records(path: Path, diags: Findings, stats: ReadStats) -> Iterator[Record]:
    """Every record of one file, in order; problems are appended to ``diags`` as they are met.

    A ``.har`` file is read as HAR, anything else as JSON Lines (``-`` is standard input).
    """
    if path.suffix.lower() == ".har":
        yield from _read_har(path, diags, stats)
    else:
        yield from _read_jsonl(path, diags, stats)


def _open(path: Path, diags: Findings) -> IO[bytes] | None:
    import sys

    if str(path) == "-":
        return sys.stdin.buffer
    try:
        if path.is_dir():
            diags.append(Diagnostic("error", str(path), "", "is a directory; give a JSON Lines or HAR file"))
            return None
        return path.open("rb")
    except OSError as exc:
        diags.append(Diagnostic("error", str(path), "", f"cannot read: {exc.strerror or exc}"))
        return None


# --- JSON Lines ---------------------------------------------------------------------------


def _read_jsonl(path: Path, diags: Findings, stats: ReadStats) -> Iterator[Record]:
    file = str(path)
    handle = _open(path, diags)
    if handle is None:
        return
    with handle:
        number = 0
        while True:
            line = handle.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
                diags.append(Diagnostic("error", file, "", f"line {number} is over {MAX_LINE_BYTES} bytes", line=number, column=1))
                _skip_line(handle)
                continue
            record = _jsonl_record(line, file, number, diags, stats)
            if record is not None:
                yield record


def _skip_line(handle: IO[bytes]) -> None:
    while True:
        chunk = handle.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return


def _jsonl_record(line: bytes, file: str, number: int, diags: Findings, stats: ReadStats) -> Record | None:
    where = f"line {number}"
    if number == 1 and line.startswith(b"\xef\xbb\xbf"):
        line = line[3:]
    if not line.strip():
        return Frame(file, where, None, None, blank=True)
    try:
        value = json.loads(line)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # json's own "line 1 column 9" is within the record: the column is the one to keep
        column = exc.pos + 1 if isinstance(exc, json.JSONDecodeError) else 1
        diags.append(Diagnostic("error", file, "", f"not a JSON value: {_reason(exc)}", line=number, column=column))
        return None
    if isinstance(value, dict) and "status" in value:
        return _response(value, file, where, number, diags, stats)
    return Frame(file, where, value, _time(value.get("time")) if isinstance(value, dict) else None)


def _reason(exc: Exception) -> str:
    """Why a record is not JSON, without the record: ijson (yajl) quotes the bytes around the
    error after its first line (as bytes or text), and those bytes may be a token. Only
    the first line is kept, and only its ASCII letters, digits and punctuation."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 ({exc.reason} at byte {exc.start})"
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg
    said = exc.args[0] if exc.args else ""
    text = said.decode("ascii", "replace") if isinstance(said, bytes) else str(said)
    first = text.split("\n", 1)[0].strip(" '\"")
    return re.sub(r"[^A-Za-z0-9 .,:;()_-]", "?", first)[:100] or type(exc).__name__


def _response(value: dict[str, Any], file: str, where: str, number: int, diags: Findings, stats: ReadStats) -> Response | None:
    """A JSON Lines response record, checked member by member."""
    found: list[str] = []
    status = value.get("status")
    if status is not None and not _is_status(status):
        # the value is not echoed: a recorder that put a header in the wrong member leaks it
        found.append(f"/status: expected an HTTP status (100-599) or null, got {_kind(status)}")
    headers = _header_object(value.get("headers", {}), found)
    if "body" in value and "body_text" in value:
        found.append("/body_text: give body or body_text, not both")
    text = value.get("body_text")
    if text is not None and not isinstance(text, str):
        found.append("/body_text: expected a string")
    for key in ("method", "url", "time"):
        if value.get(key) is not None and not isinstance(value[key], str):
            found.append(f"/{key}: expected a string")
    for message in found:
        pointer, _, said = message.partition(": ")
        diags.append(Diagnostic("error", file, pointer, said, line=number, column=1))
    if found or not (status is None or _is_status(status)):
        return None
    url = value.get("url")
    if isinstance(url, str) and "://" in url and _host(url) not in X_API_HOSTS:
        stats.other_hosts += 1  # skipped and counted, never named, as in a HAR
        return None
    body = value.get("body")
    if "body" not in value:
        text = text if text is not None else ""
    seen = _time(value.get("time")) or _date_header(headers)
    return Response(file, where, status, headers, body, text, seen, _route(value.get("method"), value.get("url")))


def _kind(value: object) -> str:
    """A value's JSON kind with its article (``a string``), for messages that must not quote it."""
    kind = _json_kind(value)
    return kind if kind == "null" else f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _is_status(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599


def _header_object(value: object, found: list[str]) -> dict[str, str]:
    """Lower-cased headers without secrets; a list value (repeated header) is joined."""
    if not isinstance(value, dict):
        found.append("/headers: expected an object of header names to strings")
        return {}
    headers: dict[str, str] = {}
    for name, raw in value.items():
        if raw.__class__ is not str:  # the common case is one string: checked first, cheaply
            items = raw if isinstance(raw, list) else [raw]
            if not all(isinstance(item, str | int) and not isinstance(item, bool) for item in items):
                found.append(f"{join('/headers', name)}: expected a string")
                continue
            raw = ", ".join(str(item) for item in items)
        _keep_header(headers, name, raw)
    return headers


def _keep_header(headers: dict[str, str], name: str, value: str) -> None:
    lowered = name.lower()
    if lowered in SECRET_HEADERS:
        return
    headers[lowered] = f"{headers[lowered]}, {value}" if lowered in headers else value


# --- HAR ----------------------------------------------------------------------------------


def _read_har(path: Path, diags: Findings, stats: ReadStats) -> Iterator[Record]:
    """HAR entries one at a time with ``ijson``: a recording of gigabytes never sits in memory."""
    import ijson

    file = str(path)
    handle = _open(path, diags)
    if handle is None:
        return
    index = -1
    with handle:
        if handle.read(3) != b"\xef\xbb\xbf":  # a byte-order mark, as some Windows tools write
            handle.seek(0)
        try:
            for index, entry in enumerate(ijson.items(handle, "log.entries.item", use_float=True)):
                record = _har_entry(entry, file, index, diags, stats)
                if record is not None:
                    yield record
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, RecursionError) as exc:
            at = join("/log/entries", index + 1) if index >= 0 else "/"
            diags.append(Diagnostic("error", file, at, f"not a HAR file: {_reason(exc)}"))
            return
    if index < 0:
        if _has_entries(path):
            diags.append(Diagnostic("warning", file, "/log/entries", "no HAR entries"))
        else:
            diags.append(Diagnostic("error", file, "/log/entries", "not a HAR file: expected an object with a log.entries array"))


def _has_entries(path: Path) -> bool:
    """Whether the document has a ``log.entries`` array (read again only when it gave no
    entry: an empty HAR is one, ``{}`` or ``[]`` is not)."""
    import ijson

    try:
        with path.open("rb") as handle:
            if handle.read(3) != b"\xef\xbb\xbf":
                handle.seek(0)
            return any(prefix == "log.entries" and event == "start_array" for prefix, event, _ in ijson.parse(handle))
    except (OSError, ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError):
        return False


def _har_entry(entry: object, file: str, index: int, diags: Findings, stats: ReadStats) -> Response | None:
    pointer = join("/log/entries", index)
    request = entry.get("request") if isinstance(entry, dict) else None
    response = entry.get("response") if isinstance(entry, dict) else None
    if not isinstance(request, dict) or not isinstance(response, dict) or not isinstance(request.get("url"), str):
        diags.append(Diagnostic("error", file, pointer, "expected an entry with request.url and response"))
        return None
    assert isinstance(entry, dict)
    if _host(request["url"]) not in X_API_HOSTS:
        stats.other_hosts += 1
        return None
    status = response.get("status")
    if not _is_status(status):
        if status == 0:  # a request the browser never got an answer to (blocked, aborted)
            return None
        diags.append(Diagnostic("error", file, join(pointer, "response", "status"), f"expected an HTTP status, got {_kind(status)}"))
        return None
    headers: dict[str, str] = {}
    listed = response.get("headers", [])
    if not isinstance(listed, list):
        diags.append(Diagnostic("error", file, join(pointer, "response", "headers"), "expected an array of {name, value}"))
        return None
    for at, header in enumerate(listed):
        if not (isinstance(header, dict) and isinstance(header.get("name"), str) and isinstance(header.get("value"), str)):
            diags.append(Diagnostic("error", file, join(pointer, "response", "headers", at), "expected {name, value} strings"))
            return None
        _keep_header(headers, header["name"], header["value"])
    content = response.get("content")
    if not isinstance(content, dict) or ("text" in content and not isinstance(content["text"], str)):
        diags.append(Diagnostic("error", file, join(pointer, "response", "content"), "expected an object whose text is a string"))
        return None
    text = _har_text(content)
    body, text = _json_or_text(text) if text is not None else (None, None)
    seen = _time(entry.get("startedDateTime")) or _date_header(headers)
    method = request.get("method") if isinstance(request.get("method"), str) else None
    return Response(file, f"entry {index}", status, headers, body, text, seen, _route(method, request["url"]), captured=text is not None or body is not None)


def _har_text(content: dict[str, Any]) -> str | None:
    """The body as text; ``""`` for an empty body (no ``text``, ``size`` 0); None when the
    recording did not keep it (no ``text`` otherwise, an ``encoding`` other than base64, or
    base64 that does not decode)."""
    text = content.get("text")
    if not isinstance(text, str):
        return "" if content.get("size") == 0 else None
    encoding = content.get("encoding")
    if encoding is None:
        return text
    if encoding != "base64":
        return None
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


def _json_or_text(text: str) -> tuple[Any, str | None]:
    """A HAR body as parsed JSON when it is JSON, else as text (HAR records bodies as text)."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped), None
        except (ValueError, RecursionError):
            pass
    return None, text


# --- shared -------------------------------------------------------------------------------


def _host(url: str) -> str:
    rest = url.partition("://")[2]
    authority = rest.split("/", 1)[0].split("?", 1)[0].rpartition("@")[2]
    return authority.rsplit(":", 1)[0].lower() if authority.count(":") == 1 else authority.lower()


def _route(method: object, url: object) -> str | None:
    """``GET /2/users/:id/tweets``: the method and path with every segment that is not a
    route word masked; no host, query or fragment."""
    if not isinstance(url, str):
        return None
    path = url.split("#", 1)[0].split("?", 1)[0]
    if "://" in path:
        path = "/" + path.partition("://")[2].partition("/")[2]
    segments: list[str] = []
    for segment in path.split("/")[:20]:
        named = bool(segments) and segments[-1] in _NAME_BEFORE
        segments.append(segment if (segment in ROUTE_WORDS or not segment) and not named else ":id")
    shown = "/".join(segments)[:200] or "/"
    if not isinstance(method, str) or not method:
        return shown
    return f"{method.upper() if method.upper() in METHODS else '?'} {shown}"


def _time(value: object) -> str | None:
    """An ISO 8601 time as UTC ``YYYY-MM-DDTHH:MM:SSZ``, or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return _utc(moment)


def _date_header(headers: dict[str, str]) -> str | None:
    value = headers.get("date")
    if value is None:
        return None
    try:
        return _utc(email.utils.parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _utc(moment: datetime.datetime) -> str | None:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    try:
        return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError):
        return None
