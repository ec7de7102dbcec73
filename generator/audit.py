"""Recorded traffic vs the catalogue: what X actually sent that the spec and docs do not say.

:func:`audit` folds a stream of :mod:`traffic` records into a :class:`Tally` (mutable, one
pass, memory bounded by the number of distinct types, members and values, never by the
number of records), then :meth:`Tally.report` freezes it into an :class:`AuditReport`, the
one model that ``audit_render`` prints and ``suggest`` turns into a supplement fragment.

Privacy: a report holds member *names* and value *kinds*; values only when asked
(``show_values``), and then masked by :func:`mask` (ids and text longer than a few
characters). Enum values are shown when they look like codes (``TooManyConnections``);
any other only masked, with ``show_values``, and never suggested.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard

from .extract import BASE_FIELDS
from .model import Catalogue, Field, ProblemType
from .runtime._base import _DISCONNECT_SLUG, _is_problem_object, _json_kind, _redact_url
from .runtime._uri import problem_key
from .runtime_source import SOURCES
from .traffic import Frame, Record, Response

#: How many routes and statuses a type keeps (the most frequent are reported).
MAX_ROUTES = 5
#: Distinct members, values and routes kept per type: a hostile recording cannot grow memory.
MAX_DISTINCT = 200
_CODE_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]{0,63}")
#: A member name as X writes them (``resource_type``). Any other name (``carol@example.com``:
#: a body keyed by user data) is tallied under :data:`ODD_NAME`, never named or suggested.
_MEMBER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
ODD_NAME = "(a name that is not an identifier)"
_DIGITS = re.compile(r"[0-9]")
#: Text up to this long is shown by ``--show-values`` (a code, a word); longer text is
#: masked: it may be a name, a handle or a sentence about someone.
_SHORT_TEXT = 6
DISCONNECT_MEMBER = "disconnect_type"
#: Stream frame kinds, named as the runtime's ``StreamEventKind`` values.
FRAME_KINDS = ("heartbeat", "data", "data-with-errors", "errors", "disconnect", "undecodable")
BodyKind = Literal["html", "text", "empty", "json-not-problem", "not-captured"]


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """How often and when something occurred, and where first."""

    count: int
    first_seen: str | None
    last_seen: str | None
    #: ``file line 12`` / ``file entry 3``: where it occurred first.
    first_at: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class MemberSeen:
    """A member as a type arrived with it: the kinds of its values, and when."""

    name: str
    kinds: tuple[str, ...]
    seen: Seen


@dataclass(frozen=True)
class TypeFinding:
    """One problem type that occurred, and how."""

    key: str
    uri: str
    #: The catalogue's class, or None for a type the catalogue does not have.
    class_name: str | None
    retired: bool
    seen: Seen
    #: Each status the type came with, most frequent first; ``stream`` for stream frames.
    statuses: tuple[tuple[str, Seen], ...]
    #: Error statuses (400 and up) the catalogue's docs do not give for the type. A partial
    #: error in a 200 is not its type's status; ``stream`` and ``unknown`` are not statuses.
    undocumented_statuses: tuple[int, ...]
    routes: tuple[tuple[str, int], ...]
    #: Occurrences on routes beyond those listed (the less frequent, and any past the cap).
    more_routes: int
    #: Member names (base members excluded) with the kinds their values had.
    members: tuple[MemberSeen, ...]
    #: The first occurrence, every value replaced by its kind (or masked, with show_values).
    example: str


@dataclass(frozen=True)
class MemberFinding:
    """A member of a known type that neither the spec nor the supplement declares."""

    key: str
    class_name: str
    member: str
    kinds: tuple[str, ...]
    seen: Seen
    #: A masked example value (``show_values`` only).
    example: str | None


@dataclass(frozen=True)
class MissingFinding:
    """A member the current spec requires that a type arrived without."""

    key: str
    class_name: str
    member: str
    missing: int
    of: int


@dataclass(frozen=True)
class EnumFinding:
    """A value of an enum field that the catalogue does not list."""

    key: str
    class_name: str
    field: str
    field_kind: str
    #: The value when it looks like a code, else ``None`` (it may be personal data).
    value: str | None
    seen: Seen
    #: A value that is not a code, masked (``show_values`` only); never suggested.
    masked: str | None = None


@dataclass(frozen=True)
class RetiredFinding:
    """A retired type, field or enum value (only older specs declare it) that still occurs."""

    key: str
    class_name: str
    field: str | None
    field_kind: str | None
    value: str | None
    seen: Seen


@dataclass(frozen=True)
class BodyFinding:
    """Bodies that are not problems at all, by kind (HTML from a proxy, an empty 5xx...)."""

    kind: BodyKind
    statuses: tuple[tuple[str, int], ...]
    seen: Seen


@dataclass(frozen=True)
class HeaderFamily:
    """A family of rate-limit headers (``x-rate-limit``: ``-limit``, ``-remaining``, ``-reset``)."""

    family: str
    members: tuple[str, ...]
    #: The generated runtime's ``RateLimit`` reads this family.
    known: bool
    statuses: tuple[tuple[str, int], ...]
    seen: Seen


@dataclass(frozen=True)
class StreamSummary:
    """The frames of recorded streams."""

    frames: tuple[tuple[str, int], ...]
    #: ``disconnect_type`` values of operational disconnects (code-like values only).
    disconnects: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class AuditReport:
    """Everything ``audit`` found, sorted; renderers and ``suggest`` read nothing else."""

    files: tuple[str, ...]
    spec_version: str
    responses: int
    frames: int
    other_hosts: int
    #: ``(outcome, count)``: problem, partial-errors, success, not-a-problem.
    outcomes: tuple[tuple[str, int], ...]
    types: tuple[TypeFinding, ...]
    members: tuple[MemberFinding, ...]
    missing: tuple[MissingFinding, ...]
    enum_values: tuple[EnumFinding, ...]
    retired: tuple[RetiredFinding, ...]
    bodies: tuple[BodyFinding, ...]
    rate_limits: tuple[HeaderFamily, ...]
    stream: StreamSummary
    show_values: bool

    @property
    def unknown_types(self) -> tuple[TypeFinding, ...]:
        """Types the catalogue does not have."""
        return tuple(t for t in self.types if t.class_name is None)

    @property
    def new(self) -> int:
        """How many facts are new to the catalogue: unknown types, undeclared members and values."""
        return len(self.unknown_types) + len(self.members) + len(self.enum_values)


# --- tallying -----------------------------------------------------------------------------


@dataclass
class _Seen:
    count: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    first_at: str = ""
    files: dict[str, None] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        self.count += 1
        if not self.first_at:
            self.first_at = f"{record.file} {record.where}"
        if len(self.files) < MAX_DISTINCT:
            self.files[record.file] = None
        seen = record.seen
        if seen is not None:
            if self.first_seen is None or seen < self.first_seen:
                self.first_seen = seen
            if self.last_seen is None or seen > self.last_seen:
                self.last_seen = seen

    def freeze(self) -> Seen:
        return Seen(self.count, self.first_seen, self.last_seen, self.first_at, tuple(self.files))


@dataclass
class _Member:
    kinds: Counter[str] = field(default_factory=Counter)
    seen: _Seen = field(default_factory=_Seen)
    example: str | None = None

    def add(self, value: object, record: Record) -> None:
        self.kinds[_json_kind(value)] += 1
        self.seen.add(record)


@dataclass
class _Type:
    uri: str
    seen: _Seen = field(default_factory=_Seen)
    statuses: dict[str, _Seen] = field(default_factory=dict)
    routes: Counter[str] = field(default_factory=Counter)
    routes_dropped: int = 0
    members: dict[str, _Member] = field(default_factory=dict)
    example: str = ""


def _limited(table: dict[Any, Any], key: object) -> bool:
    """Whether ``key`` may be tallied: known already, or room for one more distinct key."""
    return key in table or len(table) < MAX_DISTINCT


class Tally:
    """The mutable fold of one audit; :meth:`report` freezes it."""

    def __init__(self, catalogue: Catalogue, *, show_values: bool = False) -> None:
        self.catalogue = catalogue
        self.show_values = show_values
        self.known = {p.key: p for p in catalogue.problems}
        self.fields = {p.key: {f.name: f for f in p.fields} for p in catalogue.problems}
        self.types: dict[str, _Type] = {}
        self.members: dict[tuple[str, str], _Member] = {}
        self.missing: Counter[tuple[str, str]] = Counter()
        self.enum_values: dict[tuple[str, str, str | None, str | None], _Seen] = {}
        self.retired: dict[tuple[str, str | None, str | None], _Seen] = {}
        self.bodies: dict[BodyKind, tuple[_Seen, Counter[str]]] = {}
        self.families: dict[str, tuple[_Seen, Counter[str], set[str]]] = {}
        self._plans: dict[tuple[str, ...], tuple[tuple[str, frozenset[str]], ...]] = {}
        self.outcomes: Counter[str] = Counter()
        self.frames: Counter[str] = Counter()
        self.disconnects: Counter[str] = Counter()
        self.responses = 0
        self.frame_count = 0
        #: Files that gave records, in the order met.
        self.files: dict[str, None] = {}

    # -- records --

    def add(self, record: Record) -> None:
        """Fold one record in."""
        if record.file not in self.files:
            self.files[record.file] = None
        if isinstance(record, Response):
            self._response(record)
        else:
            self._frame(record)

    def _response(self, r: Response) -> None:
        self.responses += 1
        self._headers(r)
        problems = problems_in(r.body) if r.text is None else []
        status = "unknown" if r.status is None else str(r.status)
        if problems:
            partial = r.status < 400 if r.status is not None else isinstance(r.body, dict) and "data" in r.body
            self.outcomes["partial-errors" if partial else "problem"] += 1
            for problem in problems:
                self._problem(problem, r, status)
            return
        kind = body_kind(r)
        if kind is None:
            self.outcomes["success"] += 1
            return
        self.outcomes["not-a-problem"] += 1
        seen, statuses = self.bodies.setdefault(kind, (_Seen(), Counter()))
        seen.add(r)
        statuses[status] += 1

    def _frame(self, f: Frame) -> None:
        self.frame_count += 1
        value = f.value
        if f.blank:
            self.frames["heartbeat"] += 1
            return
        if not isinstance(value, dict):
            self.frames["undecodable"] += 1
            return
        if "data" in value and "errors" not in value:  # the common case, first
            self.frames["data"] += 1
            return
        problems = problems_in(value)
        # The frame's kind as the runtime's classify_stream_line decides it: any item of
        # ``errors`` makes it an error frame, a problem object or not.
        errors = value.get("errors")
        erred = bool(problems) or (isinstance(errors, list) and bool(errors))
        disconnect = next((p for p in problems if _key_of(p) == _DISCONNECT_SLUG), None)
        if disconnect is not None:
            reason = disconnect.get(DISCONNECT_MEMBER)
            shown = reason if _code_like(reason) else "(not a code)"
            if _limited(self.disconnects, shown):  # the frame is counted below either way
                self.disconnects[shown] += 1
        kind = "disconnect" if disconnect is not None else ("data-with-errors" if erred else "data") if "data" in value else "errors" if erred else "data"
        self.frames[kind] += 1
        for problem in problems:
            self._problem(problem, f, "stream")

    def _headers(self, r: Response) -> None:
        names = tuple(r.headers)
        plan = self._plans.get(names)
        if plan is None:
            plan = _families_in(names)
            if len(self._plans) < MAX_DISTINCT * 10:  # recordings repeat a few header sets
                self._plans[names] = plan
        for family, members in plan:
            if not _limited(self.families, family):
                continue
            seen, statuses, known = self.families.setdefault(family, (_Seen(), Counter(), set()))
            seen.add(r)
            statuses["unknown" if r.status is None else str(r.status)] += 1
            if len(known) < MAX_DISTINCT and not members <= known:
                known |= members

    # -- problems --

    def _problem(self, obj: Mapping[str, Any], record: Record, status: str) -> None:
        uri = redact_type(obj.get("type", "about:blank"))
        key = problem_key(uri)
        if not _limited(self.types, key):
            return
        entry = self.types.get(key)
        if entry is None:
            entry = self.types[key] = _Type(uri, example=example(obj, show_values=self.show_values))
        entry.seen.add(record)
        entry.statuses.setdefault(status, _Seen()).add(record)
        route = record.route if isinstance(record, Response) else None
        if route is not None:
            if _limited(entry.routes, route):
                entry.routes[route] += 1
            else:
                entry.routes_dropped += 1
        for name, value in obj.items():
            if name in BASE_FIELDS:
                continue
            name = name if _MEMBER_NAME.fullmatch(name) else ODD_NAME
            if _limited(entry.members, name):
                entry.members.setdefault(name, _Member()).add(value, record)
        known = self.known.get(key)
        if known is not None:
            self._known(known, obj, record)

    def _known(self, problem: ProblemType, obj: Mapping[str, Any], record: Record) -> None:
        fields = self.fields[problem.key]
        if problem.retired:
            self._note_retired(problem.key, None, None, record)
        for name in problem.base_required:
            if name not in obj:
                self.missing[(problem.key, name)] += 1
        for f in fields.values():
            if f.required and f.name not in obj:
                self.missing[(problem.key, f.name)] += 1
        for name, value in obj.items():
            if name in BASE_FIELDS:
                continue
            declared = fields.get(name)
            if declared is None:
                self._undeclared(problem.key, name if _MEMBER_NAME.fullmatch(name) else ODD_NAME, value, record)
                continue
            if declared.retired:
                self._note_retired(problem.key, name, None, record)
            self._enum_value(problem.key, declared, value, record)

    def _undeclared(self, key: str, name: str, value: object, record: Record) -> None:
        member_key = (key, name)
        if not _limited(self.members, member_key):
            return
        member = self.members.setdefault(member_key, _Member())
        member.add(value, record)
        if member.example is None and self.show_values:
            member.example = mask(value)

    def _enum_value(self, key: str, declared: Field, value: object, record: Record) -> None:
        if not declared.enum_values or not isinstance(value, str):
            return
        if value in declared.retired_values:
            self._note_retired(key, declared.name, value, record)
            return
        if value in declared.enum_values:
            return
        code = value if _code_like(value) else None
        masked = mask(value) if code is None and self.show_values else None
        enum_key = (key, declared.name, code, masked)
        if _limited(self.enum_values, enum_key):
            self.enum_values.setdefault(enum_key, _Seen()).add(record)

    def _note_retired(self, key: str, name: str | None, value: str | None, record: Record) -> None:
        retired_key = (key, name, value)
        if _limited(self.retired, retired_key):
            self.retired.setdefault(retired_key, _Seen()).add(record)

    # -- the report --

    def report(self, files: Iterable[str] = (), other_hosts: int = 0) -> AuditReport:
        """The frozen, sorted report of everything folded in so far.

        ``files`` are the files audited (those that gave no record too); ``other_hosts``
        counts HAR entries skipped for not being X API responses.
        """
        return AuditReport(
            files=tuple(dict.fromkeys([*files, *self.files])),
            spec_version=self.catalogue.spec_version,
            responses=self.responses,
            frames=self.frame_count,
            other_hosts=other_hosts,
            outcomes=_most(self.outcomes),
            types=tuple(self._type(k, t) for k, t in sorted(self.types.items())),
            members=tuple(self._member(k, m) for k, m in sorted(self.members.items())),
            missing=tuple(
                MissingFinding(k, self.known[k].class_name, n, c, self.types[k].seen.count) for (k, n), c in sorted(self.missing.items())
            ),
            enum_values=tuple(self._enum(k, s) for k, s in sorted(self.enum_values.items(), key=lambda ks: _sortable(ks[0]))),
            retired=tuple(self._retired(k, s) for k, s in sorted(self.retired.items(), key=lambda ks: _sortable(ks[0]))),
            bodies=tuple(BodyFinding(k, _most(c), s.freeze()) for k, (s, c) in sorted(self.bodies.items())),
            rate_limits=tuple(
                HeaderFamily(f, tuple(sorted(m)), f in KNOWN_FAMILIES, _most(c), s.freeze()) for f, (s, c, m) in sorted(self.families.items())
            ),
            stream=StreamSummary(tuple((k, self.frames[k]) for k in FRAME_KINDS if self.frames[k]), _most(self.disconnects)),
            show_values=self.show_values,
        )

    def _type(self, key: str, t: _Type) -> TypeFinding:
        known = self.known.get(key)
        documented = {s.code for s in known.statuses} if known else set()
        # about:blank comes with any status (RFC 7807: the status says it all): none is usual
        codes = [int(s) for s in t.statuses if s not in _NOT_CODES and key != ANY_STATUS_KEY]
        undocumented = sorted(c for c in codes if c >= 400 and c not in documented)
        members = tuple(MemberSeen(n, tuple(sorted(m.kinds)), m.seen.freeze()) for n, m in sorted(t.members.items()))
        statuses = sorted(t.statuses.items(), key=lambda ss: (-ss[1].count, ss[0]))
        return TypeFinding(
            key=key,
            uri=known.uri if known else t.uri,
            class_name=known.class_name if known else None,
            retired=bool(known and known.retired),
            seen=t.seen.freeze(),
            statuses=tuple((status, seen.freeze()) for status, seen in statuses),
            undocumented_statuses=tuple(undocumented),
            routes=_most(t.routes)[:MAX_ROUTES],
            more_routes=sum(c for _, c in _most(t.routes)[MAX_ROUTES:]) + t.routes_dropped,
            members=members,
            example=t.example,
        )

    def _member(self, k: tuple[str, str], m: _Member) -> MemberFinding:
        return MemberFinding(k[0], self.known[k[0]].class_name, k[1], tuple(sorted(m.kinds)), m.seen.freeze(), m.example)

    def _enum(self, k: tuple[str, str, str | None, str | None], s: _Seen) -> EnumFinding:
        f = self.fields[k[0]][k[1]]
        return EnumFinding(k[0], self.known[k[0]].class_name, k[1], f.kind, k[2], s.freeze(), k[3])

    def _retired(self, k: tuple[str, str | None, str | None], s: _Seen) -> RetiredFinding:
        kind = self.fields[k[0]][k[1]].kind if k[1] is not None else None
        return RetiredFinding(k[0], self.known[k[0]].class_name, k[1], kind, k[2], s.freeze())


def audit(catalogue: Catalogue, records: Iterable[Record], *, show_values: bool = False) -> Tally:
    """Fold every record into a new :class:`Tally` (call ``report()`` for the result)."""
    tally = Tally(catalogue, show_values=show_values)
    for record in records:
        tally.add(record)
    return tally


# --- reading one body ----------------------------------------------------------------------


def problems_in(body: object) -> list[Mapping[str, Any]]:
    """The problem objects of a body: the body itself, or the problem items of ``errors``.

    A problem whose ``type`` is not a string is not counted as one (it cannot be keyed).
    """
    if not isinstance(body, dict):
        return []
    if _is_problem_object(body) and "data" not in body:
        found = [body]
    else:
        errors = body.get("errors")
        items = errors if isinstance(errors, list) else [errors] if isinstance(errors, dict) else []
        found = [item for item in items if isinstance(item, dict) and _is_problem_object(item)]
    return [p for p in found if isinstance(p.get("type", "about:blank"), str)]


def _key_of(obj: Mapping[str, Any]) -> str:
    return problem_key(obj.get("type", "about:blank"))


#: The type that comes with any status (RFC 7807 ``about:blank``): none is its usual status.
ANY_STATUS_KEY = "about:blank"
#: Status labels that are not HTTP status codes: a stream frame, a recording without one.
_NOT_CODES = ("stream", "unknown")


def body_kind(r: Response) -> BodyKind | None:
    """What a body that holds no problem is; None for a success (below 400, or JSON data).
    A response of unknown status counts as failed unless its body is JSON data."""
    failed = r.status is None or r.status >= 400
    if not r.captured:
        return "not-captured"
    if r.text is not None:
        stripped = r.text.strip()
        if not stripped:
            return "empty" if failed else None
        if stripped[:1] == "<" or "html" in r.headers.get("content-type", "").lower():
            return "html"
        return "text" if failed else None
    if r.status is None and isinstance(r.body, dict) and "data" in r.body:
        return None
    return "json-not-problem" if failed else None


# --- headers ------------------------------------------------------------------------------


def _known_families() -> frozenset[str]:
    """The header families the runtime's ``RateLimit`` reads, from the runtime's own source."""
    import ast

    names = {n.value for n in ast.walk(ast.parse(SOURCES["_base"])) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return frozenset(m.group(1) for n in names if (m := re.fullmatch(r"(x-[a-z0-9-]+?)-(limit|remaining|reset)", n)))


KNOWN_FAMILIES = _known_families()
_FAMILY = re.compile(r"(.*(?:rate|limit).*?)-(limit|remaining|reset|used)")


def _families_in(names: Iterable[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    """The rate-limit families among some header names, each with its members (``reset``)."""
    found: dict[str, set[str]] = {}
    for name in names:
        family = rate_limit_family(name)
        if family is not None:
            found.setdefault(family, set()).add(name[len(family) :].lstrip("-") or name)
    return tuple((family, frozenset(members)) for family, members in sorted(found.items()))


def rate_limit_family(name: str) -> str | None:
    """``x-rate-limit`` for ``x-rate-limit-remaining``; ``retry-after`` for itself; else None."""
    if name == "retry-after":
        return name
    match = _FAMILY.fullmatch(name)
    return match.group(1) if match else None


# --- values -------------------------------------------------------------------------------


def _code_like(value: object) -> TypeGuard[str]:
    """A value that names a case (``TooManyConnections``), not data: shown without a flag."""
    return isinstance(value, str) and bool(_CODE_LIKE.fullmatch(value)) and len(_DIGITS.findall(value)) < 4


def mask(value: object, depth: int = 0) -> str:
    """A value as it may be shown: short text and numbers of up to three digits as they are;
    four digits or more (an id) masked (``#`` in text, ``<id>`` for a number); text longer
    than a few characters as ``<text: N chars>``; containers to a few items."""
    if isinstance(value, str):
        if len(value) > _SHORT_TEXT:
            return f"<text: {len(value)} chars>"
        return _json_str(_DIGITS.sub("#", value) if len(_DIGITS.findall(value)) >= 4 else value)
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, int | float):
        text = str(value)
        return "<id>" if len(_DIGITS.findall(text)) >= 4 else text
    return _container(value, depth, mask)


def kinds_only(value: object, depth: int = 0) -> str:
    """A value with every scalar replaced by its JSON kind (``<string>``)."""
    if isinstance(value, dict | list):
        return _container(value, depth, kinds_only)
    return f"<{_json_kind(value)}>"


def _container(value: object, depth: int, each: Any) -> str:
    if depth >= 3:
        return f"<{_json_kind(value)}>"
    if isinstance(value, list):
        items = [each(v, depth + 1) for v in value[:3]]
        return "[" + ", ".join(items + (["..."] if len(value) > 3 else [])) + "]"
    if isinstance(value, dict):
        pairs = [f"{_key(k)}: {each(v, depth + 1)}" for k, v in list(value.items())[:12]]
        return "{" + ", ".join(pairs + (["..."] if len(value) > 12 else [])) + "}"
    return f"<{_json_kind(value)}>"


def example(obj: Mapping[str, Any], *, show_values: bool) -> str:
    """One problem as a report shows it: its type as it came, every other value a kind (or masked)."""
    each = mask if show_values else kinds_only
    pairs = []
    for name, value in list(obj.items())[:20]:
        shown = _json_str(redact_type(str(value))[:200]) if name == "type" else each(value, 1)
        pairs.append(f"{_key(name)}: {shown}")
    return "{" + ", ".join(pairs + (["..."] if len(obj) > 20 else [])) + "}"


_MATRIX = re.compile(r";[^/?#]*")
_ASSIGNED = re.compile(r"=[^/?#;&]*")


def redact_type(uri: str) -> str:
    """A type URI as a report may show it: secret-looking query values ``REDACTED`` (the
    runtime's rule), and every path parameter's value (``;jsessionid=...``, ``/oauth_token=...``)."""
    base, question, query = _redact_url(uri)[:300].partition("?")
    return _ASSIGNED.sub("=REDACTED", _MATRIX.sub(";REDACTED", base)) + question + query


def _key(name: object) -> str:
    """A member name in an example: as it is when X could have named it, else a placeholder
    (a body keyed by an e-mail address or a handle)."""
    text = str(name)
    return _json_str(text) if _MEMBER_NAME.fullmatch(text) else ODD_NAME


def _json_str(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=True)


def _most(counter: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """Most frequent first; ties by name (the report does not depend on input order)."""
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _sortable(key: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple(k or "" for k in key)
