"""Turning what X sends into problems and errors, and when to try again.

* :func:`error_from_response` / :func:`raise_for_response`: a failed response ->
  the :class:`XAPIError` subclass of its status, mixed with its problem class when
  the body is one problem;
* :func:`partial_errors`: the problems in the ``errors`` array of a 2xx body;
* :func:`parse_problem`: one problem object;
* :func:`classify_stream_line`: one line of a streaming endpoint;
* :func:`retry_after` and :func:`rate_limit_kind`: X's reconnect guidance;
* :func:`from_httpx` / :func:`from_requests`: adapters that need no import.

None of these raises because of what it is given.
"""

# Nothing here may raise because of what X (or a caller) sends: broad excepts are
# deliberate.  UTC is spelled timezone(timedelta(0)) (the same singleton as
# timezone.utc): datetime.UTC would break Python 3.9, and ruff flags timezone.utc.
# ruff: noqa: BLE001, S110

from __future__ import annotations

import builtins
import enum
from collections.abc import Mapping

from ._base import (
    _DISCONNECT_SLUG,
    _ROWS,
    ClientError,
    LimitKind,
    Problem,
    RateLimit,
    ResponseBody,
    ServerError,
    UnknownProblem,
    XAPIError,
    _charset,
    _decode_json,
    _flatten,
    _is_problem_object,
    _LazyModule,
    _limit_kind,
    _make_problem,
    _member,
    _new_exception,
    _normalize_headers,
    _parse_slow,
    _safe_repr,
    _unflatten,
    _utc,
)
from ._errors import STATUS_CLASSES
from ._problems import PROBLEM_CLASSES
from ._uri import problem_key, problem_slug

TYPE_CHECKING = False
if TYPE_CHECKING:
    import datetime
    from collections.abc import (
        AsyncIterable,
        AsyncIterator,
        Awaitable,
        Callable,
        Iterable,
        Iterator,
    )
    from typing import Any

    from ._base import JSONValue
else:
    datetime = _LazyModule("datetime")

__all__ = [
    "BODY_READ_LIMIT",
    "RETRY_AFTER_CAP",
    "StreamEvent",
    "StreamEventKind",
    "afollow_stream",
    "afrom_httpx",
    "classify_stream_line",
    "error_from_response",
    "follow_stream",
    "from_httpx",
    "from_requests",
    "parse_problem",
    "parse_rate_limit",
    "partial_errors",
    "raise_for_response",
    "rate_limit_kind",
    "retry_after",
]

# The type-URI cache holds at most this many URIs of at most this many characters: what
# a hostile server sends (a megabyte-long type) is looked up each time, never kept.
_CACHE_LIMIT = 512
_CACHE_KEY_LIMIT = 2048
_class_cache: dict[str, builtins.type[Problem]] = {}
_mixed_cache: dict[
    tuple[builtins.type[XAPIError], builtins.type[Problem]], builtins.type[XAPIError]
] = {}
_BLANK = PROBLEM_CLASSES.get("about:blank", UnknownProblem)


# --- problems -----------------------------------------------------------------------


def _is_x_type(cls: builtins.type[Problem]) -> bool:
    """Whether ``cls`` is keyed by slug (its type is an X problem URI)."""
    documented = cls.problem_type
    return documented is not None and problem_slug(str(documented.value)) is not None


def _class_for_uri(uri: str) -> builtins.type[Problem]:
    """The problem class of a type URI: by slug on any host, else by the full URI."""
    cls = _class_cache.get(uri)
    if cls is not None:
        return cls
    key = problem_key(uri)
    cls = PROBLEM_CLASSES.get(key) or PROBLEM_CLASSES.get(key.lower())
    if cls is not None and problem_slug(uri) is None and _is_x_type(cls):
        cls = (
            None  # a URI keyed whole never names an X type, even if its text is a slug
        )
    if cls is None:
        cls = UnknownProblem
    if len(_class_cache) < _CACHE_LIMIT and len(uri) <= _CACHE_KEY_LIMIT:
        _class_cache[uri] = cls
    return cls


def _class_for(obj: object) -> builtins.type[Problem]:
    if not isinstance(obj, Mapping):
        return UnknownProblem
    uri = obj.get("type")
    if isinstance(uri, str):
        return _class_for_uri(uri)
    if uri is None and ("title" in obj or "detail" in obj):
        return _BLANK  # RFC 7807: an absent type means about:blank
    return UnknownProblem


def _problem(obj: Any) -> Problem:
    try:
        if obj.__class__ is dict:
            uri = obj.get("type")
            if uri.__class__ is str:
                cls = _class_cache.get(uri) or _class_for_uri(uri)
                return _make_problem(cls, obj)
        return _make_problem(_class_for(obj), obj)
    except Exception:
        try:
            return UnknownProblem(obj)
        except Exception:
            return UnknownProblem(_safe_repr(obj))


def _problem_list(items: list[Any]) -> list[Problem]:
    """``[_problem(item) for item in items]``, with :func:`_parse`'s fast loop inlined:
    the hot path of :func:`partial_errors` (a hundred problems in one body)."""
    result: list[Problem] = []
    append = result.append
    cached = _class_cache.get
    rows_of = _ROWS.get
    value: Any
    for item in items:
        try:
            if item.__class__ is dict:
                uri = item.get("type")
                cls = cached(uri) if uri.__class__ is str else None
                rows = rows_of(cls) if cls is not None else None
                if cls is not None and rows is not None and rows[2]:
                    attrs: dict[str, Any] = {"raw": item}
                    for name, attr, exact, required, values in rows[0]:
                        if name in item:  # two inlined lookups beat one .get() call
                            value = item[name]
                            if value.__class__ is exact:
                                if values is not None:
                                    value = values.get(value)
                                    if value is None:
                                        break
                                attrs[attr] = value
                            elif exact is None and value is not None:
                                attrs[attr] = value
                            else:
                                break
                        elif required:
                            break
                        else:
                            attrs[attr] = None
                    else:
                        attrs["issues"] = ()
                        problem = _new_exception(cls, item)
                        problem.__dict__ = attrs
                        append(problem)
                        continue
                    problem = _new_exception(cls, item)
                    problem.__dict__ = _parse_slow(rows[1], item)
                    append(problem)
                    continue
        except Exception:
            pass
        append(_problem(item))
    return result


def parse_problem(obj: object) -> Problem:
    """One problem object (a mapping, or its JSON text as bytes or str) -> Problem.

    The class follows the ``type`` URI (any host); an undocumented type, a missing
    type without title or detail, or anything that is no JSON object gives an
    :class:`UnknownProblem`.  Never raises; ``raw`` keeps what was given.
    """
    if isinstance(obj, (bytes, bytearray, memoryview, str)):
        data = bytes(obj) if isinstance(obj, (bytearray, memoryview)) else obj
        ok, value, _ = _decode_json(data)
        if ok:
            obj = value
    return _problem(obj)


def _problems_of(value: object) -> list[Problem]:
    """The problems of a parsed body: the body itself, or the items of ``errors``."""
    try:
        if not isinstance(value, Mapping):
            return []
        if _is_problem_object(value):
            return [_problem(value)]
        errors = value.get("errors")
        if isinstance(errors, list):
            return _problem_list(errors)
        if isinstance(errors, Mapping):
            return [_problem(errors)]
    except Exception:
        pass
    return []


def partial_errors(body: object) -> list[Problem]:
    """The problems in the ``errors`` array of a 2xx body (bytes, str or mapping).

    X returns what it can and lists what it could not in ``errors``; this reads
    that list.  Anything else gives ``[]``; never raises.
    """
    try:
        value: object
        if body.__class__ is dict:
            value = body
        elif isinstance(body, (bytes, str)):  # what ResponseBody would do, less text
            value = _decode_json(body)[1]
        else:
            parsed = body if isinstance(body, ResponseBody) else ResponseBody(body)
            value = parsed.json
        if isinstance(value, Mapping):
            errors = value.get("errors")
            if isinstance(errors, list):
                return _problem_list(errors)
    except Exception:
        pass
    return []


# --- errors -------------------------------------------------------------------------


def _coerce_status(status: object) -> int | None:
    if isinstance(status, bool):
        return None
    if isinstance(status, int):
        return status
    if isinstance(status, enum.Enum):  # http.HTTPStatus and friends
        return _coerce_status(status.value)
    if isinstance(status, (str, bytes)):
        text = status.strip()
        if 0 < len(text) <= 3 and text.isascii() and text.isdigit():
            return int(text)
    return None


def _status_class(status: int | None) -> builtins.type[XAPIError]:
    if status is None:
        return XAPIError
    cls = STATUS_CLASSES.get(status)
    if cls is not None:
        return cls
    if 400 <= status < 500:
        return ClientError
    if 500 <= status < 600:
        return ServerError
    return XAPIError


def _mixed(
    status_cls: builtins.type[XAPIError], problem_cls: builtins.type[Problem]
) -> builtins.type[XAPIError]:
    """The cached class that is both ``status_cls`` and ``problem_cls``."""
    key = (status_cls, problem_cls)
    cls = _mixed_cache.get(key)
    if cls is None and not issubclass(problem_cls, XAPIError):
        name = f"{status_cls.__name__}[{problem_cls.__name__}]"
        namespace = {
            "__module__": status_cls.__module__,
            "__qualname__": name,
            "__doc__": f"{status_cls.__name__} carrying one {problem_cls.__name__}.",
        }
        try:
            created: builtins.type[XAPIError] = builtins.type(
                name, (status_cls, problem_cls), namespace
            )
        except Exception:  # e.g. an MRO conflict with a user-defined subclass
            return status_cls
        cls = _mixed_cache.setdefault(key, created)
    return cls or status_cls


def _build(
    status: int | None,
    problems: list[Problem],
    headers: object,
    body: ResponseBody,
    request: tuple[object, object] = (None, None),
) -> XAPIError:
    cls = _status_class(status)
    if len(problems) == 1:
        cls = _mixed(cls, builtins.type(problems[0]))
    method, url = request
    try:
        return cls(status, problems, headers, body, method=method, url=url)
    except Exception:
        return XAPIError(status, problems, headers, body, method=method, url=url)


def error_from_response(
    status: int | None,
    body: object = None,
    headers: object = None,
    *,
    method: object = None,
    url: object = None,
) -> XAPIError:
    """The error for a response: its status class, mixed with its problem class.

    ``body`` may be bytes, str, an already parsed value or None; ``headers`` any
    mapping or list of pairs (names in any case); ``method`` and ``url`` the
    request, when known (the URL is kept without secrets).  A body that is one
    problem gives an instance of both the status class and the problem class; a
    body with an ``errors`` array gives one problem per item.  Never raises.
    """
    code = None
    try:
        code = _coerce_status(status)
        if isinstance(body, ResponseBody):
            parsed = body
        else:
            parsed = ResponseBody(body, _charset(_normalize_headers(headers)))
        problems = _problems_of(parsed.json) if parsed.is_json else []
        return _build(code, problems, headers, parsed, (method, url))
    except Exception:
        return XAPIError(code, (), headers, ResponseBody(body), method=method, url=url)


def raise_for_response(
    status: int | None, body: object = None, headers: object = None
) -> None:
    """Raise :func:`error_from_response` unless ``status`` is 2xx."""
    code = _coerce_status(status)
    if code is not None and 200 <= code < 300:
        return
    raise error_from_response(status, body, headers)


def _error_from_dict(data: Mapping[str, Any]) -> XAPIError:
    """Inverse of :meth:`XAPIError.to_dict`."""
    try:
        status = _coerce_status(data.get("status"))
        body_data = data.get("body")
        body = (
            ResponseBody.from_dict(body_data)
            if isinstance(body_data, Mapping)
            else ResponseBody(None)
        )
        items = data.get("problems")
        problems = [_problem(item) for item in items] if isinstance(items, list) else []
        request = data.get("request")
        if not isinstance(request, Mapping):
            request = {}
        method, url = request.get("method"), request.get("url")
        return _build(status, problems, data.get("headers"), body, (method, url))
    except Exception:
        return XAPIError(None, (), None, ResponseBody(_safe_repr(data)))


#: The most of a streamed body ``from_httpx``/``from_requests`` read (X's error bodies
#: are a few hundred bytes; a stream that answers 200 is never read here).
BODY_READ_LIMIT = 1 << 20
_ASYNC_BODY = "the response is async and streamed: use `await afrom_httpx(response)`"
_CLOSED_BODY = "the response was streamed, and its body consumed or closed before this"


def _from_response_object(response: object) -> XAPIError:
    status, headers = _status_and_headers(response)
    return _error_of(response, status, headers, _sync_body(response, headers))


def _status_and_headers(response: object) -> tuple[Any, Any]:
    try:
        return getattr(response, "status_code", None), getattr(
            response, "headers", None
        )
    except Exception:
        return None, None


def _error_of(
    response: object, status: Any, headers: object, body: object
) -> XAPIError:
    """The error for ``response``, its body already read (or why it could not be)."""
    method, url = _request_of(response)
    return error_from_response(status, body, headers, method=method, url=url)


def _read_content(response: object) -> tuple[bool, object]:
    """(True, ``response.content``) when the body is at hand; (False, why) when a
    streamed body has not been read (httpx raises ResponseNotRead)."""
    try:
        return True, getattr(response, "content", None)
    except Exception as exc:
        name = builtins.type(exc).__name__
        if name == "ResponseNotRead":
            return False, None
        return False, f"it could not be read ({name}: {_safe_repr(str(exc))[1:80]})"


def _body(
    chunks: list[bytes], headers: object, note: str | None = None
) -> ResponseBody:
    data = b"".join(chunks)
    if len(data) > BODY_READ_LIMIT:
        data, note = data[:BODY_READ_LIMIT], f"cut at {BODY_READ_LIMIT} bytes"
    return ResponseBody(data, _charset(_normalize_headers(headers)), note)


def _body_without_reading(response: object) -> tuple[bool, object]:
    """(True, body) when no stream needs reading: the content at hand, or a
    ResponseBody saying why it cannot be read (the stream was consumed or closed);
    (False, None) for an unread, still-open httpx stream."""
    ready, content = _read_content(response)
    if ready:
        return True, content
    if content is not None:
        return True, ResponseBody(None, None, str(content))
    if getattr(response, "is_closed", False) or getattr(
        response, "is_stream_consumed", False
    ):
        return True, ResponseBody(None, None, _CLOSED_BODY)
    return False, None


def _sync_body(response: object, headers: object) -> object:
    """The body of a response, reading an unread, still-open httpx stream (up to
    :data:`BODY_READ_LIMIT`); a ResponseBody that says why when it cannot."""
    done, body = _body_without_reading(response)
    if done:
        return body
    chunks: list[bytes] = []
    size = 0  # a running total: a server sending one-byte chunks must not cost more
    stream: Any = response  # duck-typed: httpx.Response
    try:
        for chunk in stream.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > BODY_READ_LIMIT:
                break
    except RuntimeError as exc:
        if "async" in str(exc):
            return ResponseBody(None, None, _ASYNC_BODY)
        return _body(chunks, headers, f"reading it failed ({exc})")
    except Exception as exc:
        return _body(
            chunks, headers, f"reading it failed ({builtins.type(exc).__name__})"
        )
    return _body(chunks, headers)


async def afrom_httpx(response: object) -> XAPIError:
    """:func:`from_httpx` for ``httpx.AsyncClient`` responses: reads an unread,
    still-open streamed body (up to :data:`BODY_READ_LIMIT`) with ``aiter_bytes``."""
    status, headers = _status_and_headers(response)
    done, body = _body_without_reading(response)
    if not done:
        body = await _async_body(response, headers)
    return _error_of(response, status, headers, body)


async def _async_body(response: object, headers: object) -> ResponseBody:
    """:func:`_sync_body`'s read, for an async stream."""
    chunks: list[bytes] = []
    size = 0
    note = None
    stream: Any = response  # duck-typed: httpx.Response
    try:
        async for chunk in stream.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > BODY_READ_LIMIT:
                break
    except Exception as exc:
        note = f"reading it failed ({builtins.type(exc).__name__})"
    return _body(chunks, headers, note)


def _request_of(response: object) -> tuple[object, object]:
    """(method, URL) of the request an httpx or requests response answers, if known.

    Only these two are read: never the request's headers (``Authorization``)."""
    try:
        request = getattr(response, "request", None)  # httpx raises when it has none
        return getattr(request, "method", None), getattr(request, "url", None)
    except Exception:
        return None, None


def from_httpx(response: object) -> XAPIError:
    """The error for an ``httpx.Response`` (duck-typed: ``.status_code``,
    ``.headers``, ``.content``); httpx is not imported. Inside ``client.stream(...)``
    the body is read first (up to :data:`BODY_READ_LIMIT`); when it cannot be (the
    stream is closed, or async: use :func:`afrom_httpx`), ``body.incomplete`` and
    ``str(error)`` say so, rather than calling it empty."""
    return _from_response_object(response)


def from_requests(response: object) -> XAPIError:
    """The error for a ``requests.Response`` (duck-typed: ``.status_code``,
    ``.headers``, ``.content``); requests is not imported."""
    return _from_response_object(response)


def parse_rate_limit(headers: object) -> RateLimit:
    """The rate-limit headers of any mapping or list of pairs; never raises."""
    return RateLimit.from_headers(headers)


# --- streams ------------------------------------------------------------------------


class StreamEventKind(str, enum.Enum):
    """What one line of a streaming endpoint is."""

    HEARTBEAT = "heartbeat"
    """A blank keep-alive line (X sends ``\\r\\n`` about every 20 seconds)."""
    DATA = "data"
    """A payload with ``data`` and no errors."""
    DATA_WITH_ERRORS = "data-with-errors"
    """A payload with ``data`` and inline ``errors``."""
    ERRORS = "errors"
    """Only problems, none of them a disconnect."""
    DISCONNECT = "disconnect"
    """An operational disconnect: the server is closing; reconnect."""
    UNDECODABLE = "undecodable"
    """Not UTF-8, not JSON, or JSON that is not an object; kept raw."""
    RECONNECT = "reconnect"
    """Not a line: :func:`follow_stream` lost the stream (``cause``) and connects
    again after ``delay``."""


class StreamEvent:
    """One classified stream line; nothing of the line is dropped.

    ``raw`` is the line as received, ``json`` its parsed value (None unless it
    is JSON), ``data`` its ``data`` member, ``problems`` its problems (inline
    ``errors`` or a top-level problem), ``disconnect`` the operational-disconnect
    problem of a :attr:`~StreamEventKind.DISCONNECT` line, and ``error`` why an
    undecodable line could not be read. A :attr:`~StreamEventKind.RECONNECT` event
    of :func:`follow_stream` has no line: ``cause`` is why the stream was lost and
    ``delay`` how long until the next connection.
    """

    __slots__ = (
        "cause",
        "data",
        "delay",
        "disconnect",
        "error",
        "json",
        "kind",
        "problems",
        "raw",
    )

    kind: StreamEventKind
    raw: Any
    json: JSONValue
    data: JSONValue
    problems: tuple[Problem, ...]
    disconnect: Problem | None
    error: str | None
    delay: datetime.timedelta | None
    cause: BaseException | None

    def __init__(
        self,
        kind: StreamEventKind,
        raw: object,
        json: JSONValue = None,
        data: JSONValue = None,
        problems: tuple[Problem, ...] = (),
        disconnect: Problem | None = None,
        error: str | None = None,
        delay: datetime.timedelta | None = None,
        cause: BaseException | None = None,
    ) -> None:
        self.kind = kind
        self.raw = raw
        self.json = json
        self.data = data
        self.problems = problems
        self.disconnect = disconnect
        self.error = error
        self.delay = delay
        self.cause = cause

    @property
    def disconnect_type(self) -> str | None:
        """The ``disconnect_type`` of a disconnect (its enum member when documented)."""
        if self.disconnect is None:
            return None
        value = getattr(self.disconnect, "disconnect_type", None)
        if isinstance(value, str):
            return value
        return _member(self.disconnect, "disconnect_type")

    @property
    def reconnect(self) -> bool:
        """True when the server is closing the stream and the client should reconnect
        (with :func:`retry_after` of :attr:`disconnect` as the back-off)."""
        return self.kind is StreamEventKind.DISCONNECT

    def _key(self) -> tuple[object, ...]:
        return (
            self.kind,
            _safe_repr(self.raw),
            self.problems,
            self.disconnect,
            self.error,
            self.delay,
            _safe_repr(self.cause),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StreamEvent):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.kind, _safe_repr(self.raw)))

    def __repr__(self) -> str:
        parts = [f"kind={self.kind.value!r}", f"raw={_safe_repr(self.raw)}"]
        if self.problems:
            parts.append(f"problems={self.problems!r}")
        if self.error is not None:
            parts.append(f"error={self.error!r}")
        if self.delay is not None:
            parts.append(f"delay={self.delay!r}, cause={self.cause!r}")
        return f"StreamEvent({', '.join(parts)})"

    def __reduce__(self) -> tuple[Any, ...]:
        # raw, json and data flattened together: data stays a part of json
        values = _flatten([self.raw, self.json, self.data])
        return (
            _restore_event,
            (
                self.kind,
                values,
                self.problems,
                self.disconnect,
                self.error,
                self.delay,
                self.cause,
            ),
        )


def _restore_event(
    kind: StreamEventKind, values: tuple[object, ...], *rest: Any
) -> StreamEvent:
    """Rebuild a pickled or copied event."""
    raw, json, data = _unflatten(values)
    return StreamEvent(kind, raw, json, data, *rest)


def _is_disconnect(problem: Problem) -> bool:
    return problem.slug == _DISCONNECT_SLUG


def classify_stream_line(line: object) -> StreamEvent:
    """Classify one line of a streaming endpoint (bytes or str); never raises.

    Blank lines are heartbeats; ``{"data": ...}`` is data (with inline errors
    when ``errors`` is there too); ``{"errors": [...]}`` or a bare problem
    object is errors, or a disconnect when one of them is an operational
    disconnect; anything else is undecodable and kept raw.
    """
    raw: object = line
    try:
        data: bytes | str
        if isinstance(line, (bytearray, memoryview)):
            # kept as bytes, as ResponseBody keeps them: a memoryview cannot be
            # pickled, and the buffer of either may change after the call
            raw = data = bytes(line)
        elif isinstance(line, (bytes, str)):
            data = line
        else:
            return StreamEvent(
                StreamEventKind.UNDECODABLE,
                raw,
                error=f"not bytes or str: {builtins.type(line).__name__}",
            )
        if not data.strip():
            return StreamEvent(StreamEventKind.HEARTBEAT, raw)
        if isinstance(data, bytes):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                return StreamEvent(
                    StreamEventKind.UNDECODABLE, raw, error=f"not UTF-8: {exc.reason}"
                )
        ok, value, error = _decode_json(data)
        if not ok:
            return StreamEvent(StreamEventKind.UNDECODABLE, raw, error=error)
        if not isinstance(value, Mapping):
            return StreamEvent(
                StreamEventKind.UNDECODABLE,
                raw,
                json=value,
                error="JSON is not an object",
            )
        if _is_problem_object(value) and "data" not in value:
            problems: tuple[Problem, ...] = (_problem(value),)
        else:
            errors = value.get("errors")
            items = errors if isinstance(errors, list) else []
            problems = tuple(_problem(item) for item in items)
        payload = value.get("data")
        disconnect = next((p for p in problems if _is_disconnect(p)), None)
        if disconnect is not None:
            kind = StreamEventKind.DISCONNECT
        elif "data" in value:
            kind = (
                StreamEventKind.DATA_WITH_ERRORS if problems else StreamEventKind.DATA
            )
        elif problems:
            kind = StreamEventKind.ERRORS
        else:
            kind = StreamEventKind.DATA
        return StreamEvent(kind, raw, value, payload, problems, disconnect)
    except Exception as exc:
        return StreamEvent(
            StreamEventKind.UNDECODABLE, raw, error=builtins.type(exc).__name__
        )


# --- when to try again --------------------------------------------------------------

_NETWORK_STEP = 0.25
_NETWORK_CAP = 16.0
_HTTP_START = 5.0
_HTTP_CAP = 320.0
_LIMIT_START = 60.0
_LIMIT_CAP = 900.0
#: The longest ``Retry-After`` honoured: a day. A longer one (or a date years away) is
#: taken as a day, so a bad header cannot park a client for good.
RETRY_AFTER_CAP = 86400.0
_MONTHS = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
)
_NETWORK_NAMES = frozenset(
    {
        "TransportError",
        "NetworkError",
        "TimeoutException",
        "RemoteProtocolError",
        "ChunkedEncodingError",
        "ConnectionError",
        "Timeout",
        "IncompleteRead",
    }
)
_NOT_NETWORK_NAMES = frozenset(
    {
        "HTTPError",
        "HTTPStatusError",
        "InvalidURL",
        "InvalidSchema",
        "MissingSchema",
        "InvalidHeader",
        "URLRequired",
        "TooManyRedirects",
        "UnsupportedProtocol",
    }
)


def rate_limit_kind(error: BaseException) -> LimitKind | None:
    """Which kind of "too many requests" an error (or a stream problem) is.

    :attr:`LimitKind.USAGE_CAP` for a ``usage-capped`` problem,
    :attr:`LimitKind.TOO_MANY_CONNECTIONS` for a ``streaming-connection`` problem
    with ``connection_issue`` TooManyConnections, :attr:`LimitKind.RATE_LIMIT` for
    any other 429, and None otherwise.
    """
    try:
        if isinstance(error, XAPIError):
            return error.limit_kind
        if isinstance(error, Problem):
            return _limit_kind(None, (error,))
    except Exception:
        pass
    return None


def _attempt(attempt: object) -> int:
    if isinstance(attempt, bool) or not isinstance(attempt, (int, float)):
        return 1
    if isinstance(attempt, float):
        import math  # only here: a float attempt is rare

        if math.isnan(attempt):
            return 1
    return int(min(max(attempt, 1), 64))


def _exponential(start: float, cap: float, attempt: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(start * 2.0 ** (attempt - 1), cap))


def _linear(attempt: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(_NETWORK_STEP * attempt, _NETWORK_CAP))


def _until(moment: datetime.datetime, now: datetime.datetime) -> datetime.timedelta:
    return max(moment - now, datetime.timedelta(0))


def _next_period(
    period: str | None, now: datetime.datetime
) -> datetime.datetime | None:
    midnight = now.astimezone(_utc()).replace(hour=0, minute=0, second=0, microsecond=0)
    name = (period or "").strip().lower()
    if name == "daily":
        return midnight + datetime.timedelta(days=1)
    if name == "monthly":
        first = midnight.replace(day=1)
        if first.month == 12:
            return first.replace(year=first.year + 1, month=1)
        return first.replace(month=first.month + 1)
    return None


def _is_network_error(error: BaseException) -> bool:
    names = {cls.__name__ for cls in builtins.type(error).__mro__}
    if builtins.type(error).__name__ in _NOT_NETWORK_NAMES:
        return False
    return isinstance(error, (OSError, EOFError)) or bool(names & _NETWORK_NAMES)


def _problem_delay(
    problem: Problem, attempt: int, now: datetime.datetime
) -> datetime.timedelta | None:
    kind = _limit_kind(None, (problem,))
    if kind is LimitKind.USAGE_CAP:
        boundary = _next_period(_member(problem, "period"), now)
        return None if boundary is None else _until(boundary, now)
    if kind is LimitKind.TOO_MANY_CONNECTIONS:
        return _exponential(_LIMIT_START, _LIMIT_CAP, attempt)
    if _is_disconnect(problem):
        return _linear(attempt)
    return None


def _clock(text: str) -> tuple[int, int, int] | None:
    """``08:49:37`` -> (8, 49, 37)."""
    parts = text.split(":")
    if len(parts) != 3 or not all(
        p.isascii() and p.isdigit() and len(p) == 2 for p in parts
    ):
        return None
    hour, minute, second = (int(p) for p in parts)
    return (hour, minute, second) if hour < 24 and minute < 60 and second < 61 else None


def _http_date(text: str) -> datetime.datetime | None:
    """An HTTP-date (RFC 9110 5.6.7: IMF-fixdate, RFC 850 or asctime form), or None."""
    words = text.replace(",", " ").split()
    if len(words) == 6 and words[5] == "GMT":  # Sun, 06 Nov 1994 08:49:37 GMT
        day, month, year, clock = words[1], words[2], words[3], words[4]
    elif len(words) == 4 and words[3] == "GMT" and words[1].count("-") == 2:
        day, month, year = words[1].split("-")  # Sunday, 06-Nov-94 08:49:37 GMT
        two_digits = len(year) == 2 and year.isascii() and year.isdigit()
        year = ("19" if two_digits and int(year) >= 50 else "20") + year
        clock = words[2]
    elif len(words) == 5:  # Sun Nov  6 08:49:37 1994
        month, day, clock, year = words[1], words[2], words[3], words[4]
    else:
        return None
    when = _clock(clock)
    if (
        when is None
        or month.lower() not in _MONTHS
        or not (day.isascii() and day.isdigit() and year.isascii() and year.isdigit())
        or len(day) > 2
        or len(year) != 4
    ):
        return None
    try:
        moment = datetime.datetime(
            int(year), _MONTHS.index(month.lower()) + 1, int(day), *when, tzinfo=_utc()
        )
    except ValueError:
        return None
    return moment


def _retry_after_header(
    error: XAPIError, now: datetime.datetime
) -> datetime.timedelta | None:
    """The response's ``Retry-After`` (delay-seconds or HTTP-date), clamped to
    0..:data:`RETRY_AFTER_CAP`; None when absent or not valid."""
    value = error.headers.get("retry-after")
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        seconds = float(int(text[:12]))  # more digits than a day's worth: capped below
    else:
        moment = _http_date(text)
        if moment is None:
            return None
        seconds = (moment - now).total_seconds()
    return datetime.timedelta(seconds=min(max(seconds, 0.0), RETRY_AFTER_CAP))


def _error_delay(
    error: XAPIError, attempt: int, now: datetime.datetime
) -> datetime.timedelta | None:
    """X's guidance for ``error``, with its ``Retry-After`` as a floor under it."""
    delay = _guidance_delay(error, attempt, now)
    if delay is None:
        return None
    header = _retry_after_header(error, now)
    return delay if header is None else max(delay, header)


def _guidance_delay(
    error: XAPIError, attempt: int, now: datetime.datetime
) -> datetime.timedelta | None:
    kind = error.limit_kind
    if kind is LimitKind.USAGE_CAP:
        capped = next(p for p in error.problems if p.slug == "usage-capped")
        return _problem_delay(capped, attempt, now)
    if kind is LimitKind.TOO_MANY_CONNECTIONS:
        return _exponential(_LIMIT_START, _LIMIT_CAP, attempt)
    if kind is LimitKind.RATE_LIMIT:
        limits = error.rate_limit
        reset = limits.exhausted_reset or limits.reset
        if reset is not None:
            return _until(reset, now)
        return _exponential(_LIMIT_START, _LIMIT_CAP, attempt)
    status = error.status
    if status is not None and 500 <= status < 600 and builtins.type(error).retryable:
        return _exponential(_HTTP_START, _HTTP_CAP, attempt)
    return None


def retry_after(
    error: BaseException,
    attempt: int = 1,
    *,
    now: datetime.datetime | None = None,
    jitter: float = 0.0,
) -> datetime.timedelta | None:
    """How long to wait before retry number ``attempt`` (1, 2, ...), or None.

    A response's ``Retry-After`` header (seconds or an HTTP-date, RFC 9110) is a floor
    under the delay below: never less than the server asks for. It is clamped to
    0..:data:`RETRY_AFTER_CAP` (one day); a header that is not valid is ignored. It does
    not make retryable what X's guidance says not to retry.

    ``jitter`` (0 to 1) adds up to that fraction of the delay at random, so that a
    fleet of clients does not retry in step; the default 0 keeps the delay exact.

    Follows X's reconnect guidance:

    * network errors (``OSError``, timeouts, httpx transport errors) and
      operational disconnects: linear, +250 ms per attempt, up to 16 s;
    * retryable HTTP errors (5xx other than 501): exponential from 5 s, doubling,
      up to 320 s;
    * 429 rate-limit window: until the reset header (the latest exhausted one;
      never negative), else exponential from 60 s up to 15 min;
    * 429 usage cap: until the next UTC day or month for a Daily or Monthly
      ``period`` (even when ``remaining`` > 0), None for an unknown period;
    * 429 too many stream connections: exponential from 60 s up to 15 min;
    * 400, 401, 403, 404, 409 and everything else: None (do not retry as is).
    """
    try:
        number = _attempt(attempt)
        moment = now if now is not None else datetime.datetime.now(_utc())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_utc())
        delay: datetime.timedelta | None = None
        if isinstance(error, XAPIError):
            delay = _error_delay(error, number, moment)
        elif isinstance(error, Problem):
            delay = _problem_delay(error, number, moment)
        else:
            response = getattr(error, "response", None)
            if isinstance(getattr(response, "status_code", None), int):
                delay = _error_delay(_from_response_object(response), number, moment)
            elif _is_network_error(error):
                delay = _linear(number)
        return _jittered(delay, jitter)
    except Exception:
        pass
    return None


def _jittered(
    delay: datetime.timedelta | None, jitter: object
) -> datetime.timedelta | None:
    """``delay`` plus up to ``jitter`` of itself at random (never less)."""
    if (
        delay is None
        or isinstance(jitter, bool)
        or not isinstance(jitter, (int, float))
    ):
        return delay
    if not 0 < jitter <= 1:  # also False for NaN
        return delay
    import os  # loaded by every interpreter at start-up: costs nothing

    fraction = int.from_bytes(os.urandom(7), "big") / 2**56  # uniform in [0, 1)
    return delay * (1 + jitter * fraction)


# --- following a stream ---------------------------------------------------------------


_HEALTHY = frozenset(
    {
        StreamEventKind.HEARTBEAT,
        StreamEventKind.DATA,
        StreamEventKind.DATA_WITH_ERRORS,
        StreamEventKind.ERRORS,
    }
)


class _StreamEnded(ConnectionError):
    """The stream ended with no disconnect frame: a dropped connection."""


def _failure_kind(cause: BaseException) -> tuple[object, ...]:
    """Failures of one kind share an attempt count (X: back off per kind of error)."""
    if isinstance(cause, XAPIError):
        return ("http", cause.status, cause.limit_kind)
    if isinstance(cause, Problem):
        return ("problem", cause.slug)
    return ("network",)


class _Backoff:
    """Attempts and delays for :func:`follow_stream` and :func:`afollow_stream`."""

    def __init__(self) -> None:
        self.attempt = 0
        self.kind: tuple[object, ...] = ()

    def event(self, line: object) -> StreamEvent:
        """The event of one line; a healthy one (the stream works) resets the count."""
        event = classify_stream_line(line)
        if event.kind in _HEALTHY:
            self.attempt, self.kind = 0, ()
        return event

    def after(self, cause: BaseException | None) -> StreamEvent:
        """The reconnect event for ``cause``; raises ``cause`` when not to retry."""
        cause = cause if cause is not None else _StreamEnded("the stream ended")
        kind = _failure_kind(cause)
        self.attempt = self.attempt + 1 if kind == self.kind else 1
        self.kind = kind
        delay = retry_after(cause, self.attempt)
        if delay is None:
            raise cause
        return StreamEvent(StreamEventKind.RECONNECT, None, delay=delay, cause=cause)


def follow_stream(
    connect: Callable[[], Iterable[bytes | str]],
    *,
    sleep: Callable[[float], object] | None = None,
) -> Iterator[StreamEvent]:
    """Follow a streaming endpoint for ever: every line as a :class:`StreamEvent`, and a
    :attr:`~StreamEventKind.RECONNECT` event (``delay``, ``cause``) before each new
    connection. Client-agnostic: ``connect()`` opens the stream and returns (or is a
    generator of) its lines; it raises the :class:`XAPIError` of a non-200 answer.

    No line is dropped: heartbeats and the disconnect frame are events too. After a
    disconnect frame, a dropped connection (an exception, or the lines simply
    ending) or an HTTP error it waits :func:`retry_after` of the cause, counting
    attempts per kind of failure and from zero again once a line arrives: linear
    for network errors, exponential from 5 s for 5xx, from 60 s for 429s (or until
    the rate-limit reset). An error not to retry (401, 403, ...) is raised.
    ``sleep`` defaults to :func:`time.sleep`.
    """
    if sleep is None:
        import time

        sleep = time.sleep
    backoff = _Backoff()
    while True:
        cause: BaseException | None = None
        lines = None
        try:
            lines = connect()
            for line in lines:
                event = backoff.event(line)
                yield event
                if event.kind is StreamEventKind.DISCONNECT:
                    cause = event.disconnect
                    break
        except Exception as exc:
            cause = exc
        finally:
            close = getattr(lines, "close", None)
            if callable(close):
                close()
        reconnect = backoff.after(cause)
        yield reconnect
        sleep(reconnect.delay.total_seconds() if reconnect.delay else 0.0)


async def afollow_stream(
    connect: Callable[[], AsyncIterable[bytes | str]],
    *,
    sleep: Callable[[float], Awaitable[object]] | None = None,
) -> AsyncIterator[StreamEvent]:
    """:func:`follow_stream` for async clients: ``connect()`` returns an async
    iterable of lines (an async generator); ``sleep`` defaults to
    :func:`asyncio.sleep`."""
    if sleep is None:
        import asyncio  # only here: asyncio costs milliseconds to import

        sleep = asyncio.sleep
    backoff = _Backoff()
    while True:
        cause: BaseException | None = None
        lines = None
        try:
            lines = connect()
            async for line in lines:
                event = backoff.event(line)
                yield event
                if event.kind is StreamEventKind.DISCONNECT:
                    cause = event.disconnect
                    break
        except Exception as exc:
            cause = exc
        finally:
            close = getattr(lines, "aclose", None)
            if callable(close):
                await close()
        reconnect = backoff.after(cause)
        yield reconnect
        await sleep(reconnect.delay.total_seconds() if reconnect.delay else 0.0)
