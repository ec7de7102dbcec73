"""Base classes of the X API v2 problem and error tree.

A :class:`Problem` is one RFC 7807 problem object as X sends it; an
:class:`XAPIError` is a failed HTTP response, carrying every problem of its body::

    Exception
    +-- Problem                      one problem object (``.type``, ``.title``, ...)
    |   +-- UnknownProblem           a type URI nobody has documented, or not an object
    |   +-- <one class per documented problem type>
    +-- XAPIError                    a non-2xx response (``.status``, ``.problems``)
        +-- ClientError              4xx
        |   +-- <BadRequest, Unauthorized, Forbidden, NotFound, ...>
        +-- ServerError              5xx
            +-- <InternalServerError, ServiceUnavailable, ...>

An error whose body is exactly one problem is an instance of both its status class
and its problem class, so ``except TooManyRequests`` and
``except UsageCapExceededProblem`` both catch it.

Nothing here raises while parsing: what does not match the schema is recorded in
``Problem.issues`` and the data as received is always kept (``Problem.raw``,
``XAPIError.body``).
"""

# Nothing here may raise because of what X (or a caller) sends: broad excepts are
# deliberate.  UTC is spelled timezone(timedelta(0)) (the same singleton as
# timezone.utc): datetime.UTC would break Python 3.9, and ruff flags timezone.utc.
# ruff: noqa: BLE001, S110, S112

from __future__ import annotations

import builtins
import enum
from collections.abc import Mapping

from ._uri import problem_key, problem_slug

TYPE_CHECKING = False


class _LazyModule:
    """A module imported on first attribute access (``datetime`` costs ~2.5 ms)."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: object = None

    def __getattr__(self, attr: str) -> object:
        if self._module is None:
            self._module = __import__(self._name)
        return getattr(self._module, attr)


if TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Iterable
    from typing import Any, ClassVar

    from ._enums import ProblemType

    _Coerce = Callable[[object], object]
    _Row = tuple[str, str, str, bool, _Coerce, "dict[str, enum.Enum] | None"]
    _FastRow = tuple[
        str, str, "builtins.type[object] | None", bool, "dict[Any, enum.Enum] | None"
    ]
    _Rows = tuple[tuple[_FastRow, ...], tuple[_Row, ...], bool]
    #: A parsed JSON value, for the type checker (narrow it with isinstance).
    JSONValue = dict[str, Any] | list[Any] | str | int | float | bool | None

else:
    datetime = _LazyModule("datetime")

__all__ = [
    "JSON_DEPTH_LIMIT",
    "ClientError",
    "FieldSpec",
    "LimitKind",
    "Problem",
    "RateLimit",
    "ResponseBody",
    "ServerError",
    "UnknownProblem",
    "UnknownValue",
    "XAPIError",
]

_MISSING = object()
_INVALID = object()
_MAX_TEXT = 300
_MAX_HEADERS = 1000
#: The deepest a parsed JSON body, problem or stream line may nest (``{"a": [1]}`` is
#: two levels; X's deepest nest under ten), as for specs in the generator. A deeper one
#: is kept as received, as text that is not JSON is: whatever is parsed then compares,
#: prints and serializes within any interpreter's stack, in the same way everywhere.
JSON_DEPTH_LIMIT = 100
_TOO_DEEP = f"JSON nested deeper than {JSON_DEPTH_LIMIT} levels"
_HINT_MEMBERS = (
    "reason",
    "registration_url",
    "required_enrollment",
    "client_id",
    "connection_issue",
    "disconnect_type",
    "period",
    "scope",
)


#: The slug of the type a stream sends before it closes (an operational disconnect).
_DISCONNECT_SLUG = "operational-disconnect"


# --- small helpers ------------------------------------------------------------------


def _is_problem_object(obj: Mapping[str, Any]) -> bool:
    """Whether a JSON object is a problem: it has a type, title or detail."""
    return "type" in obj or "title" in obj or "detail" in obj


def _json_kind(value: object) -> str:
    """The JSON name of a value's kind, for issue messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return builtins.type(value).__name__


def _as_string(value: object) -> object:
    return value if isinstance(value, str) else _INVALID


def _as_integer(value: object) -> object:
    if isinstance(value, bool):
        return _INVALID
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return _INVALID


def _as_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _INVALID
    try:
        return float(value)
    except OverflowError:
        return _INVALID


def _as_boolean(value: object) -> object:
    return value if isinstance(value, bool) else _INVALID


def _as_array(value: object) -> object:
    return value if isinstance(value, list) else _INVALID


def _as_object(value: object) -> object:
    return value if isinstance(value, dict) else _INVALID


def _as_any(value: object) -> object:
    return value


_COERCE: dict[str, _Coerce] = {
    "string": _as_string,
    "integer": _as_integer,
    "number": _as_number,
    "boolean": _as_boolean,
    "array": _as_array,
    "object": _as_object,
    "any": _as_any,
}


def _one_line(text: str, limit: int = _MAX_TEXT) -> str:
    """Collapse whitespace (newlines included), show every other character a terminal
    would act on (controls and escape sequences, bidi overrides, lone surrogates) as
    ``U+XXXX``, and cut at ``limit`` characters: safe to print and to log anywhere."""
    text = " ".join(text.split())
    if not text.isprintable():
        text = "".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in text)
    if len(text) > limit:
        return text[: limit - 1] + "\u2026"
    return text


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception:  # deep nesting (RecursionError) or a hostile __repr__
        return f"<unrepresentable {builtins.type(value).__name__}>"


def _same(left: object, right: object) -> bool:
    """Equality of received data that also holds for NaN, after a pickle trip, and
    for values nested too deeply to compare by recursion."""
    try:
        return left == right or repr(left) == repr(right)
    except Exception:  # RecursionError, or a hostile __eq__ or __repr__
        pass
    try:
        return repr(_flatten(left)) == repr(_flatten(right))
    except Exception:
        return _safe_repr(left) == _safe_repr(right)


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return str(value)


def _normalize_headers(headers: object) -> dict[str, str]:
    """Any mapping or iterable of pairs -> ``{lower-case name: value}``; never raises.

    Repeated names are joined with ``", "``, as HTTP allows.
    """
    result: dict[str, str] = {}
    if headers is None:
        return result
    try:
        items = getattr(headers, "items", None)
        pairs: Any = items() if callable(items) else headers
        for count, pair in enumerate(pairs):
            if count >= _MAX_HEADERS:
                break
            try:
                name, value = pair
                key = _text(name).strip().lower()
                text = _text(value).strip()
            except Exception:
                continue
            earlier = result.get(key)
            result[key] = f"{earlier}, {text}" if earlier and text else earlier or text
    except Exception:
        pass
    return result


def _lenient_int(digits: str) -> object:
    """``parse_int`` for JSON integers longer than Python's conversion limit."""
    try:
        return int(digits)
    except ValueError:
        return digits


_json_loads: Callable[..., JSONValue] | None = None


def _loads() -> Callable[..., JSONValue]:
    """``json.loads``, imported on first use: json (and re) cost milliseconds."""
    global _json_loads
    if _json_loads is None:
        import json

        _json_loads = json.loads
    return _json_loads


def _parse_json(data: bytes | str) -> tuple[bool, JSONValue, str | None]:
    """``json.loads`` as ``(ok, value, error)``; never raises (bad UTF-8, deep nesting
    past the stack, huge ints)."""
    loads = _json_loads or _loads()
    try:
        return True, loads(data), None
    except RecursionError:
        return False, None, _TOO_DEEP
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, int digit limit
        if "digits" not in str(exc):
            return False, None, _one_line(str(exc), 200)
    except Exception as exc:
        return False, None, _one_line(f"{builtins.type(exc).__name__}: {exc}", 200)
    try:
        return True, loads(data, parse_int=_lenient_int), None
    except RecursionError:
        return False, None, _TOO_DEEP
    except Exception as exc:
        return False, None, _one_line(str(exc), 200)


def _decode_json(data: bytes | str) -> tuple[bool, JSONValue, str | None]:
    """``(ok, value, error)``; never raises. A value nested deeper than
    :data:`JSON_DEPTH_LIMIT` is refused as if it were not JSON: what is accepted
    does not depend on the caller's stack, recursion limit or Python version."""
    if isinstance(data, str):
        data = data.lstrip("\ufeff")
    ok, value, error = _parse_json(data)
    deep = ok and _opening_brackets(data) > JSON_DEPTH_LIMIT  # a bound on the depth
    if deep and _deeper_than(value, JSON_DEPTH_LIMIT):
        return False, None, _TOO_DEEP
    return ok, value, error


def _opening_brackets(data: bytes | str) -> int:
    """How many ``[`` and ``{`` ``data`` holds: a bound on its depth that settles
    almost every body without walking it (also for UTF-16 and UTF-32 bytes)."""
    if isinstance(data, bytes):
        return data.count(b"[") + data.count(b"{")
    return data.count("[") + data.count("{")


def _deeper_than(value: object, limit: int) -> bool:
    """Whether dicts and lists nest more than ``limit`` levels deep in ``value``.

    A loop, not a recursion: it must answer for values that a recursion could not
    walk. Only exact dicts and lists count (what ``json.loads`` makes)."""
    stack: list[tuple[Any, int]] = []
    if value.__class__ is dict or value.__class__ is list:
        stack.append((value, 1))
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for item in node.values() if node.__class__ is dict else node:
            if item.__class__ is dict or item.__class__ is list:
                stack.append((item, depth + 1))
    return False


def _flatten(value: object) -> tuple[object, ...]:
    """``value`` as a flat tuple, which pickles and copies without recursion.

    A dict or a list (exactly those types) becomes a ``("d", size)`` or ``("l",
    size)`` marker followed by its members, each key of a dict before its value; one
    seen before becomes ``("r", index)``, so shared and cyclic members survive; any
    other tuple is wrapped as ``("v", tuple)``; any other value stands for itself.
    :func:`_unflatten` is the inverse.
    """
    out: list[object] = []
    seen: dict[int, int] = {}
    stack = [value]
    while stack:
        node: Any = stack.pop()
        kind = node.__class__
        if kind is dict or kind is list:
            index = seen.get(id(node))
            if index is not None:
                out.append(("r", index))
                continue
            seen[id(node)] = len(seen)
            out.append(("d" if kind is dict else "l", len(node)))
            if kind is list:
                stack.extend(reversed(node))
                continue
            for pair in reversed(list(node.items())):
                stack.extend(reversed(pair))  # the key comes out first
        elif isinstance(node, tuple):
            out.append(("v", node))
        else:
            out.append(node)
    return tuple(out)


def _unflatten(tokens: tuple[object, ...]) -> Any:
    """The value :func:`_flatten` flattened into ``tokens``; no recursion."""
    made: list[Any] = []
    root: list[object] = []
    # [container, members still to come, the key read for a dict's next value]
    frames: list[list[Any]] = [[root, 1, _MISSING]]
    for token in tokens:
        node: Any = token
        size = 0
        if token.__class__ is tuple:
            tag, node = token
            if tag == "d" or tag == "l":
                size, node = node, {} if tag == "d" else []
                made.append(node)
            elif tag == "r":
                node = made[node]
        frame = frames[-1]
        if frame[0].__class__ is dict:
            if frame[2] is _MISSING:
                frame[2] = node
                continue
            frame[0][frame[2]] = node
            frame[2] = _MISSING
        else:
            frame[0].append(node)
        frame[1] -= 1
        if size:
            frames.append([node, size, _MISSING])
        while frames and not frames[-1][1]:
            frames.pop()
    return root[0]


# --- problems -----------------------------------------------------------------------


class FieldSpec:
    """How one JSON member of a problem becomes a typed attribute.

    ``name`` is the JSON key, ``attr`` the Python attribute, ``kind`` one of
    string/integer/number/boolean/array/object/any, ``required`` whether the schema
    requires it, and ``enum`` the open enum class of its values (or None).
    """

    __slots__ = ("attr", "enum", "kind", "name", "required")

    def __init__(
        self,
        name: str,
        attr: str,
        kind: str,
        required: bool,
        enum: builtins.type[enum.Enum] | None,
    ) -> None:
        self.name = name
        self.attr = attr
        self.kind = kind
        self.required = required
        self.enum = enum

    def _key(self) -> tuple[object, ...]:
        return (self.name, self.attr, self.kind, self.required, self.enum)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldSpec):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        enum_name = None if self.enum is None else self.enum.__name__
        return (
            f"FieldSpec({self.name!r}, {self.attr!r}, {self.kind!r}, "
            f"{self.required!r}, {enum_name})"
        )


_EXACT: dict[str, builtins.type[object] | None] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
    "any": None,
}


def _row(spec: FieldSpec) -> _Row:
    values = None
    if spec.enum is not None:
        values = {str(member.value): member for member in spec.enum}
    coerce = _COERCE.get(spec.kind, _as_any)
    return (spec.name, spec.attr, spec.kind, spec.required, coerce, values)


_BASE_ROWS: tuple[_Row, ...] = (
    ("type", "type", "string", True, _as_string, None),
    ("title", "title", "string", True, _as_string, None),
    ("detail", "detail", "string", True, _as_string, None),
    ("status", "status", "integer", False, _as_integer, None),
)
_ROWS: dict[builtins.type[Problem], _Rows] = {}


def _rows_of(cls: builtins.type[Problem]) -> _Rows:
    """The rows of a problem class, built on first use (class creation stays cheap).

    The fast rows hold ``(name, attr, exact type or None for any, required, enum
    values)``, the full rows what :func:`_parse_slow` needs, and the flag says
    whether ``cls`` keeps Problem's ``__new__`` and ``__init__`` (so that
    :func:`_make_problem` may skip them).
    """
    rows = _ROWS.get(cls)
    if rows is None:
        full = _BASE_ROWS + tuple(_row(spec) for spec in cls._fields)
        fast = tuple(
            (name, attr, _EXACT.get(kind), required, values)
            for name, attr, kind, required, _, values in full
        )
        direct = cls.__init__ is Problem.__init__ and cls.__new__ is Problem.__new__
        rows = _ROWS[cls] = (fast, full, direct)
    return rows


def _parse(cls: builtins.type[Problem], raw: Any) -> dict[str, Any]:
    """The instance attributes of ``cls(raw)``: ``raw``, one per row, ``issues``.

    A JSON object whose members are all of their exact type (the usual case) takes
    the fast loop; anything else (a wrong type, null, a missing required member, an
    undocumented enum value, a subclass of dict, a Mapping, no object at all) goes
    through :func:`_parse_slow`, which records the issues.  Never raises.
    """
    fast, full, _ = _ROWS.get(cls) or _rows_of(cls)
    if raw.__class__ is dict:
        result: dict[str, Any] = {"raw": raw}
        value: Any
        try:
            for name, attr, exact, required, values in fast:
                if name in raw:  # two inlined lookups beat one .get() call
                    value = raw[name]
                    if value.__class__ is exact:
                        if values is not None:
                            value = values.get(value)
                            if value is None:
                                break
                        result[attr] = value
                    elif exact is None and value is not None:
                        result[attr] = value
                    else:
                        break
                elif required:
                    break
                else:
                    result[attr] = None
            else:
                result["issues"] = ()
                return result
        except Exception:  # a key whose __eq__ raises; the slow path reports it
            pass
    return _parse_slow(full, raw)


class UnknownValue(str):
    """A value of an open enum field that the catalogue does not list.

    It is the string as received (``value == "NewValue"`` holds, and it serializes as
    a plain string), but its own type: fields are annotated ``Period | UnknownValue |
    None``, so a ``match`` over the enum's members that ends with ``case
    UnknownValue():`` type-checks as exhaustive, and one that forgets a member does
    not.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"UnknownValue({str.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (UnknownValue, (str(self),))


def _parse_slow(rows: tuple[_Row, ...], raw: object) -> dict[str, Any]:
    issues: list[str] = []
    result: dict[str, Any] = {"raw": raw}
    members: Mapping[str, object]
    if isinstance(raw, Mapping):
        members = raw
    else:
        members = {}
        issues.append(f"not a JSON object but {_json_kind(raw)}")
    for name, attr, kind, required, coerce, values in rows:
        found: object = None
        try:
            value = members.get(name, _MISSING)
            if value is _MISSING:
                if required and members is raw:
                    issues.append(f"missing required member {name!r}")
            elif value is None:
                issues.append(f"{name!r} is null, expected {kind}")
            else:
                checked = coerce(value)
                if checked is _INVALID:
                    got = _json_kind(value)
                    issues.append(f"{name!r} is {got}, expected {kind}")
                elif values is not None and isinstance(checked, str):
                    member = values.get(checked)
                    if member is None:
                        found = UnknownValue(checked)
                        issues.append(f"{name!r} has undocumented value {checked!r}")
                    else:
                        found = member
                else:
                    found = checked
        except Exception as exc:  # a hostile Mapping; never let it escape
            issues.append(f"{name!r} could not be read: {builtins.type(exc).__name__}")
        result[attr] = found
    result["issues"] = tuple(issues)
    return result


class Problem(Exception):
    """One RFC 7807 problem object as X sends it.

    ``type`` is the type URI as received (or None), ``title``, ``detail`` and
    ``status`` the standard members, ``raw`` the whole object as received (extension
    members included) and ``issues`` what did not match the schema.  Subclasses add
    one typed attribute per documented member; a member of the wrong type leaves its
    attribute None and records an issue.  Enums are open: an undocumented value is
    kept as an :class:`UnknownValue` (a ``str``).

    ``response`` is the error (the failed response) the problem arrived in: the
    error itself when it is also this problem (``except UsageCapExceededProblem``),
    the error whose ``problems`` list it is in, or None (a partial error of a 2xx
    body, a parsed object). ``rate_limit`` is that response's (empty without one).
    """

    problem_type: ClassVar[ProblemType | None] = None
    retired: ClassVar[bool] = False
    _fields: ClassVar[tuple[FieldSpec, ...]] = ()
    rate_limit: RateLimit

    type: str | None
    title: str | None
    detail: str | None
    status: int | None
    raw: Any
    issues: tuple[str, ...]

    def __init__(self, raw: object = None) -> None:
        Exception.__init__(self, raw)
        self._load(raw)

    @property
    def response(self) -> XAPIError | None:
        """The error this problem arrived in (see the class docstring), or None."""
        found = self.__dict__.get("_response")
        return found if isinstance(found, XAPIError) else None

    def _load(self, raw: object) -> None:
        """Set every attribute from ``raw``; records issues instead of raising."""
        for name, value in _parse(builtins.type(self), raw).items():
            setattr(self, name, value)

    @property
    def slug(self) -> str | None:
        """The X type this problem names (``usage-capped``), by ``_uri``'s rule; None
        for any other URI (``about:blank``, another host's path)."""
        if self.type is not None:
            return problem_slug(self.type)
        documented = builtins.type(self).problem_type
        if documented is not None:
            return problem_slug(str(documented.value))
        return None

    def _summary(self) -> str:
        """``[key] title: detail (reason=..., ...)`` on one line."""
        raw = self.raw if isinstance(self.raw, Mapping) else None
        parts: list[str] = []
        key = self.slug or (problem_key(self.type) if self.type is not None else None)
        if key:
            parts.append(f"[{key}]")
        head = ": ".join(text for text in (self.title, self.detail) if text)
        if not head and raw is not None:
            message = raw.get("message")
            if isinstance(message, str):
                head = message
                code = raw.get("code")
                if code is not None and not isinstance(code, (dict, list)):
                    head = f"{message} (code {code})"
        if not head and raw is None:
            head = f"{_json_kind(self.raw)} {_safe_repr(self.raw)}"
        if head:
            parts.append(head)
        hints: list[str] = []
        if raw is not None:
            for key in _HINT_MEMBERS:
                value = raw.get(key)
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    hints.append(f"{key}={value}")
            errors = raw.get("errors")
            if isinstance(errors, list):
                messages = [
                    item["message"]
                    for item in errors[:3]
                    if isinstance(item, Mapping)
                    and isinstance(item.get("message"), str)
                ]
                if messages:
                    more = len(errors) - len(messages)
                    hints.append(
                        "; ".join(messages) + (f"; +{more} more" if more else "")
                    )
        if hints:
            parts.append("(" + ", ".join(hints) + ")")
        return _one_line(" ".join(parts) or "problem")

    def __str__(self) -> str:
        try:
            return self._summary()
        except Exception:
            return builtins.type(self).__name__

    def __repr__(self) -> str:
        issues = f", issues={self.issues!r}" if self.issues else ""
        return f"{builtins.type(self).__name__}(raw={_safe_repr(self.raw)}{issues})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem) or isinstance(other, XAPIError):
            return NotImplemented
        return builtins.type(self) is builtins.type(other) and _same(
            self.raw, other.raw
        )

    def __hash__(self) -> int:
        return hash((builtins.type(self).__name__, self.type, self.title, self.detail))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_problem, (builtins.type(self), _flatten(self.raw), True))


class UnknownProblem(Problem):
    """A problem whose type URI nobody has documented, or an item that is no object."""


_new_exception = BaseException.__new__


def _make_problem(cls: builtins.type[Problem], raw: object) -> Problem:
    """``cls(raw)``, without the ``__init__`` layers when ``cls`` keeps Problem's."""
    if (_ROWS.get(cls) or _rows_of(cls))[2]:
        problem = _new_exception(cls, raw)
        problem.__dict__ = _parse(cls, raw)
        return problem
    return cls(raw)


def _restore_problem(
    cls: builtins.type[Problem], raw: Any, flat: bool = False
) -> Problem:
    """Rebuild a pickled or copied problem (``raw`` flattened unless an older
    version pickled it)."""
    return cls(_unflatten(raw) if flat else raw)


# --- what was received --------------------------------------------------------------


class ResponseBody:
    """A response body exactly as received, plus its decoded forms.

    ``raw`` is what was given (bytes, str, an already parsed value, or None),
    ``text`` the decoded text (bytes in the declared ``charset`` of the response's
    ``Content-Type``, else UTF-8; what does not decode is replaced; None unless
    bytes or str were given), ``json`` the parsed JSON value when ``is_json``, and
    ``json_error`` why it is not JSON. ``incomplete`` says why ``raw`` is not the
    whole body (a streamed body that was closed, or left to an async read, or cut
    at a size limit), and is None when it is.
    """

    __slots__ = (
        "charset",
        "incomplete",
        "is_json",
        "json",
        "json_error",
        "raw",
        "text",
    )

    raw: Any
    charset: str | None
    incomplete: str | None
    text: str | None
    json: Any  # what json.loads gave, or the parsed value a caller passed
    is_json: bool
    json_error: str | None

    def __init__(
        self,
        raw: object = None,
        charset: str | None = None,
        incomplete: str | None = None,
    ) -> None:
        if isinstance(raw, (bytearray, memoryview)):
            raw = bytes(raw)
        self.raw = raw
        self.charset = charset if isinstance(charset, str) and charset else None
        self.incomplete = incomplete if isinstance(incomplete, str) else None
        self.text = None
        self.json = None
        self.is_json = False
        self.json_error = None
        try:
            if isinstance(raw, bytes):
                self.text = _decode_text(raw, self.charset)
                self.is_json, self.json, self.json_error = _decode_json(raw)
            elif isinstance(raw, str):
                self.text = raw
                self.is_json, self.json, self.json_error = _decode_json(raw)
            elif raw is None:
                self.json_error = "no body"
            elif isinstance(raw, (Mapping, list, tuple, int, float)):
                self.json = raw
                self.is_json = True
            else:
                self.json_error = f"not a body: {builtins.type(raw).__name__}"
        except Exception as exc:
            self.json_error = f"{builtins.type(exc).__name__}"

    @property
    def empty(self) -> bool:
        """True when nothing (or only whitespace) was received."""
        if self.incomplete is not None and not self.raw:
            return False  # not read: unknown, not empty
        if self.raw is None:
            return True
        if self.text is not None:
            return not self.text.strip()
        return False

    def snippet(self, limit: int = 200) -> str:
        """A short one-line view of the body for messages; tags of HTML stripped."""
        if self.text is None:
            return (
                _one_line(_safe_repr(self.raw), limit) if self.raw is not None else ""
            )
        text = self.text[: limit * 100]
        if text.lstrip()[:1] == "<":
            text = _strip_tags(text)
        return _one_line(text, limit)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form; :meth:`from_dict` makes an equal body of it."""
        raw = self.raw
        extra = {"incomplete": self.incomplete} if self.incomplete else {}
        if isinstance(raw, bytes):
            data = {"encoding": "bytes", "data": raw.decode("utf-8", "surrogateescape")}
            if self.charset:
                extra["charset"] = self.charset
            return {**data, **extra}
        if isinstance(raw, str):
            return {"encoding": "str", "data": raw, **extra}
        if raw is None:
            return {"encoding": "none", "data": None, **extra}
        return {"encoding": "json", "data": raw, **extra}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResponseBody:
        """Inverse of :meth:`to_dict`."""
        encoding = data.get("encoding")
        value = data.get("data")
        incomplete = data.get("incomplete")
        if encoding == "bytes" and isinstance(value, str):
            charset = data.get("charset")
            return cls(value.encode("utf-8", "surrogateescape"), charset, incomplete)
        return cls(value, None, incomplete)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResponseBody):
            return NotImplemented
        return builtins.type(self.raw) is builtins.type(other.raw) and _same(
            self.raw, other.raw
        )

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"ResponseBody({_safe_repr(self.raw)})"

    def __reduce__(self) -> tuple[Any, ...]:
        raw = self.raw
        if raw.__class__ is dict or raw.__class__ is list:  # a value a caller parsed
            return (_restore_body, (_flatten(raw), self.charset, self.incomplete))
        return (ResponseBody, (raw, self.charset, self.incomplete))


def _restore_body(
    raw: tuple[object, ...], charset: str | None, incomplete: str | None
) -> ResponseBody:
    """Rebuild a pickled or copied body whose ``raw`` is a parsed value."""
    return ResponseBody(_unflatten(raw), charset, incomplete)


def _decode_text(raw: bytes, charset: str | None) -> str:
    """``raw`` in its declared charset when Python knows it, else UTF-8 (replacing)."""
    if charset is not None:
        try:
            return raw.decode(charset, "replace")
        except (LookupError, ValueError):  # unknown, or not a text encoding
            pass
    return raw.decode("utf-8", "replace")


def _charset(headers: Mapping[str, str]) -> str | None:
    """The ``charset`` parameter of a normalized ``content-type`` header, or None."""
    for param in headers.get("content-type", "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').strip() or None
    return None


def _strip_tags(html: str) -> str:
    """Visible text of an HTML page, roughly (no regex: keeps import light)."""
    out: list[str] = []
    depth = 0
    skip_until = ""
    index = 0
    lower = html.lower()
    while index < len(html):
        if skip_until:
            end = lower.find(skip_until, index)
            if end < 0:
                break
            index = end + len(skip_until)
            skip_until = ""
            continue
        char = html[index]
        if char == "<":
            for tag in ("script", "style"):
                if lower.startswith("<" + tag, index):
                    skip_until = f"</{tag}>"
            if not skip_until:
                depth += 1
            out.append(" ")
        elif char == ">" and depth:
            depth -= 1
        elif not depth:
            out.append(char)
        index += 1
    return "".join(out)


# --- rate limits --------------------------------------------------------------------


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 19 or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def _utc() -> datetime.tzinfo:
    return datetime.timezone(datetime.timedelta(0))


def _header_time(headers: Mapping[str, str], name: str) -> datetime.datetime | None:
    seconds = _header_int(headers, name)
    if seconds is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(seconds, tz=_utc())
    except (OverflowError, OSError, ValueError):
        return None


class RateLimit:
    """The rate-limit headers of a response; a missing or garbled header is None.

    ``limit``/``remaining``/``reset`` come from ``x-rate-limit-*`` (the 15-minute
    window), the ``app_*_24hour`` and ``user_*_24hour`` fields from
    ``x-app-limit-24hour-*`` and ``x-user-limit-24hour-*``.  Resets are aware UTC
    datetimes.  Immutable.
    """

    __slots__ = (
        "app_limit_24hour",
        "app_remaining_24hour",
        "app_reset_24hour",
        "limit",
        "remaining",
        "reset",
        "user_limit_24hour",
        "user_remaining_24hour",
        "user_reset_24hour",
    )
    _ORDER = (
        "limit",
        "remaining",
        "reset",
        "app_limit_24hour",
        "app_remaining_24hour",
        "app_reset_24hour",
        "user_limit_24hour",
        "user_remaining_24hour",
        "user_reset_24hour",
    )

    limit: int | None
    remaining: int | None
    reset: datetime.datetime | None
    app_limit_24hour: int | None
    app_remaining_24hour: int | None
    app_reset_24hour: datetime.datetime | None
    user_limit_24hour: int | None
    user_remaining_24hour: int | None
    user_reset_24hour: datetime.datetime | None

    def __init__(
        self,
        limit: int | None = None,
        remaining: int | None = None,
        reset: datetime.datetime | None = None,
        app_limit_24hour: int | None = None,
        app_remaining_24hour: int | None = None,
        app_reset_24hour: datetime.datetime | None = None,
        user_limit_24hour: int | None = None,
        user_remaining_24hour: int | None = None,
        user_reset_24hour: datetime.datetime | None = None,
    ) -> None:
        values = (
            limit,
            remaining,
            reset,
            app_limit_24hour,
            app_remaining_24hour,
            app_reset_24hour,
            user_limit_24hour,
            user_remaining_24hour,
            user_reset_24hour,
        )
        for name, value in zip(self._ORDER, values):
            object.__setattr__(self, name, value)

    @classmethod
    def from_headers(cls, headers: object) -> RateLimit:
        """Read the headers (any mapping or pairs, any case); never raises."""
        found = _normalize_headers(headers)
        return cls(
            _header_int(found, "x-rate-limit-limit"),
            _header_int(found, "x-rate-limit-remaining"),
            _header_time(found, "x-rate-limit-reset"),
            _header_int(found, "x-app-limit-24hour-limit"),
            _header_int(found, "x-app-limit-24hour-remaining"),
            _header_time(found, "x-app-limit-24hour-reset"),
            _header_int(found, "x-user-limit-24hour-limit"),
            _header_int(found, "x-user-limit-24hour-remaining"),
            _header_time(found, "x-user-limit-24hour-reset"),
        )

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._ORDER)

    @property
    def exhausted_reset(self) -> datetime.datetime | None:
        """The latest reset among the limits whose ``remaining`` is 0, or None."""
        resets = [
            reset
            for remaining, reset in (
                (self.remaining, self.reset),
                (self.app_remaining_24hour, self.app_reset_24hour),
                (self.user_remaining_24hour, self.user_reset_24hour),
            )
            if remaining == 0 and reset is not None
        ]
        return max(resets) if resets else None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RateLimit is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"RateLimit is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RateLimit):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{name}={value!r}"
            for name, value in zip(self._ORDER, self._values())
            if value is not None
        )
        return f"RateLimit({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (RateLimit, self._values())


# A problem outside any error has no response headers: its rate limit is the empty one.
Problem.rate_limit = RateLimit()


class LimitKind(str, enum.Enum):
    """Which of X's three kinds of "429 Too Many Requests" an error is."""

    RATE_LIMIT = "rate-limit"
    """A request window is exhausted; wait until its reset header."""
    USAGE_CAP = "usage-cap"
    """The daily or monthly usage cap is spent; nothing helps before it rolls over."""
    TOO_MANY_CONNECTIONS = "too-many-connections"
    """The stream already has its maximum number of connections."""


def _member(problem: Problem, name: str) -> str | None:
    raw = problem.raw
    if isinstance(raw, Mapping):
        value = raw.get(name)
        if isinstance(value, str):
            return value
    return None


def _limit_kind(status: int | None, problems: Iterable[Problem]) -> LimitKind | None:
    for problem in problems:
        slug = problem.slug
        if slug == "usage-capped":
            return LimitKind.USAGE_CAP
        if (
            slug == "streaming-connection"
            and _member(problem, "connection_issue") == "TooManyConnections"
        ):
            return LimitKind.TOO_MANY_CONNECTIONS
    if status in (420, 429):  # 420 "Enhance Your Calm": the old streaming 429
        return LimitKind.RATE_LIMIT
    return None


# --- errors -------------------------------------------------------------------------

_PROBLEM_ATTRS = ("type", "title", "detail", "raw", "issues")


class XAPIError(Exception):
    """A failed X API response.

    ``status`` is the HTTP status (None if unknown), ``problems`` every problem of
    the body (a list, maybe empty), ``headers`` the headers with lower-case names,
    ``rate_limit`` what the rate-limit headers say, and ``body`` the body exactly as
    received (bytes or str kept, JSON parsed when it is JSON). ``method`` and ``url``
    say which request failed, when known (``from_httpx``/``from_requests`` know it);
    the URL is kept without credentials, fragment or secret-bearing query values.
    """

    http_status: ClassVar[int] = 0
    http_text: ClassVar[str] = ""
    retryable: ClassVar[bool] = False

    status: int | None
    problems: list[Problem]
    headers: dict[str, str]
    body: ResponseBody
    rate_limit: RateLimit
    method: str | None
    url: str | None

    def __init__(
        self,
        status: int | None = None,
        problems: Iterable[Problem] = (),
        headers: object = None,
        body: object = None,
        *,
        method: object = None,
        url: object = None,
    ) -> None:
        problem_list = [p for p in problems if isinstance(p, Problem)]
        if isinstance(self, Problem):
            _adopt(self, problem_list[0] if problem_list else None)
        self.method = _one_line(str(method), 20) if method else None
        self.url = _redact_url(str(url)) if url else None
        self.status = status
        self.problems = problem_list
        self.headers = _normalize_headers(headers)
        self.body = (
            body
            if isinstance(body, ResponseBody)
            else ResponseBody(body, _charset(self.headers))
        )
        self.rate_limit = RateLimit.from_headers(self.headers)
        for problem in problem_list:  # each problem can reach the response it came in
            problem.__dict__["_response"] = self
            problem.rate_limit = self.rate_limit
        if isinstance(self, Problem):
            self.__dict__["_response"] = self
        self.args = (str(self),)

    @property
    def problem(self) -> Problem | None:
        """The first problem of the body, or None."""
        return self.problems[0] if self.problems else None

    @property
    def limit_kind(self) -> LimitKind | None:
        """Rate-limit window, usage cap or too many connections; None for others."""
        return _limit_kind(self.status, self.problems)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible form; :meth:`from_dict` rebuilds an equal error."""
        return {
            "class": builtins.type(self).__name__,
            "message": str(self),
            "status": self.status,
            "headers": dict(self.headers),
            "body": self.body.to_dict(),
            "problems": [problem.raw for problem in self.problems],
            "request": {"method": self.method, "url": self.url},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> XAPIError:
        """Rebuild an error from :meth:`to_dict`; the class follows status and body."""
        from ._runtime import _error_from_dict

        return _error_from_dict(data)

    def _status_line(self) -> str:
        status = self.status
        if status is None:
            return "HTTP error (no status)"
        cls = builtins.type(self)
        if cls.http_status == status and cls.http_text:
            return f"{status} {cls.http_text}"
        return str(status)

    def __str__(self) -> str:
        try:
            line = self._status_line()
            if self.problems:
                line = f"{line} {self.problems[0]}"
                if len(self.problems) > 1:
                    line += f" (+{len(self.problems) - 1} more)"
            elif self.body.empty:
                line += " (empty body)"
            elif self.body.incomplete and not self.body.raw:
                line += f" (body not read: {self.body.incomplete})"
            else:
                line = f"{line}: {self.body.snippet()}"
            if self.body.incomplete and self.body.raw:
                line += f" (body incomplete: {self.body.incomplete})"
            request = " ".join(part for part in (self.method, self.url) if part)
            suffix = f" ({_one_line(request, 300)})" if request else ""
            return _one_line(line, 1000 - len(suffix)) + suffix
        except Exception:
            return builtins.type(self).__name__

    def __repr__(self) -> str:
        return (
            f"{builtins.type(self).__name__}(status={self.status!r}, "
            f"problems={self.problems!r}, headers={self.headers!r}, "
            f"body={self.body!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, XAPIError):
            return NotImplemented
        return (
            builtins.type(self) is builtins.type(other)
            and self.status == other.status
            and self.headers == other.headers
            and self.body == other.body
            and self.problems == other.problems
        )

    def __hash__(self) -> int:
        return hash((builtins.type(self).__name__, self.status, len(self.problems)))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_error, (_flatten(self.to_dict()), True))


#: Query parameters whose value is never kept (a part of the lower-cased name).
_SECRET_PARAMS = (
    "token",
    "secret",
    "key",
    "password",
    "passwd",
    "auth",
    "sig",
    "code",
    "session",
)


def _redact_url(url: str) -> str:
    """``url`` without its fragment, credentials (``user:pass@``) or the values of
    query parameters that may carry secrets (``access_token=...``, ``oauth_signature``,
    ``api_key``, ...): what may be printed and stored. Never raises."""
    try:
        text = url.split("#", 1)[0].strip()
        base, question, query = text.partition("?")
        scheme, sep, rest = base.partition("://")
        if sep:
            authority, slash, path = rest.partition("/")
            base = f"{scheme}{sep}{authority.rpartition('@')[2]}{slash}{path}"
        if not question:
            return base
        kept = []
        for pair in query.split("&"):
            name, equals, _ = pair.partition("=")
            secret = any(word in name.lower() for word in _SECRET_PARAMS)
            kept.append(f"{name}=REDACTED" if equals and secret else pair)
        return f"{base}?{'&'.join(kept)}"
    except Exception:
        return "(unprintable URL)"


def _adopt(target: object, problem: Problem | None) -> None:
    """Give an error that is also a problem class the attributes of its problem."""
    source: Problem = problem if problem is not None else UnknownProblem(None)
    names = list(_PROBLEM_ATTRS) + [spec.attr for spec in builtins.type(source)._fields]
    for name in names:
        setattr(target, name, getattr(source, name, None))
    if isinstance(target, Problem):
        for spec in builtins.type(target)._fields:
            if not hasattr(target, spec.attr):
                setattr(target, spec.attr, None)


def _restore_error(data: Any, flat: bool = False) -> XAPIError:
    """Rebuild a pickled or copied error (``data`` is :meth:`XAPIError.to_dict`,
    flattened unless an older version pickled it)."""
    return XAPIError.from_dict(_unflatten(data) if flat else data)


class ClientError(XAPIError):
    """A 4xx response: the request needs changing before it can succeed."""


class ServerError(XAPIError):
    """A 5xx response: X could not serve a valid request."""

    retryable: ClassVar[bool] = True
