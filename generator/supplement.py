"""Curated supplement YAML -> a validated :class:`Supplement`, or every reason it is not one.

The supplement (``specs/supplement.yaml``) is written by hand from X's documentation pages.
It is read and parsed by :func:`xproblems.load.read_bytes` and :func:`xproblems.load.parse_bytes`
(safe loader, duplicate keys refused) and then checked here by a small hand-written validator that never stops at the first
problem: unknown and missing keys, wrong types (a bool is not an int), duplicate status
codes, problem types, class names and former names, invalid class names, citations of
unknown pages, empty quotes, page addresses that are not plain ``https://`` links, status
codes outside 100..599, a fact with both or neither of ``cite`` and ``observed``, an
``observed`` record whose count, files or times are malformed. Each finding is an ``error``
:class:`Diagnostic` located by the RFC 6901 pointer of the offending value.

:func:`verify_citations` additionally checks every quote against the text of its page.

Why a hand-written validator and not strict pydantic models (pydantic is installed, as
openapi-pydantic's dependency): importing pydantic and building the nine models costs about
0.25 s, two thirds of a whole cold ``generate`` (~0.38 s, which imports no pydantic since a
pinned spec is not validated again), and would break the benchmark's cold target. Most of
what is checked here is across records (pages cited, status codes in the table, names
unique across problems and former names, runtime names reserved), which models would need
as custom validators anyway; the shape checks are the small ``mapping``/``text``/``code``
readers below, each with its message and pointer.
"""

from __future__ import annotations

import hashlib
import keyword
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast, get_args
from urllib.parse import urlsplit, urlunsplit

from . import names
from .escape import DOC_URL
from .extract import BASE_FIELDS
from .load import decode_text, parse_bytes, read_bytes
from .model import (
    OBSERVED,
    Citation,
    Diagnostic,
    DocPage,
    DocumentedStatus,
    FieldKind,
    FormerName,
    LabsEntry,
    LabsPhase,
    Observation,
    Supplement,
    SupplementField,
    SupplementProblem,
    SupplementStatus,
)
from .pointer import cut, join
from .runtime_source import RESERVED_NAMES

T = TypeVar("T")

#: When a Labs entry's error happens (``labs[].during``; default ``connection``).
LABS_PHASES: tuple[str, ...] = get_args(LabsPhase)
#: The field kinds an ``extra_fields`` entry may declare.
FIELD_KINDS: tuple[str, ...] = get_args(FieldKind)

_TOP = ("pages", "statuses", "problems", "partial_errors")
_PAGE = ("title", "file")
_PAGE_OPTIONAL = ("url",)
_CITE = ("page", "quote")
_STATUS = ("code", "text", "class_name", "description", "tip", "retryable", "cite")
# ``cite`` and ``observed``: exactly one of them (``_Checker.one_source``), so neither is
# required by the key check itself.
_SOURCE = ("cite", "observed")
_PROBLEM = ("uri", "class_name")
_PROBLEM_OPTIONAL = (*_SOURCE, "former_names", "title", "description", "statuses", "labs", "extra_fields")
_FORMER = ("name", "note")
_DOC_STATUS = ("code", "when")
_LABS = ("name", "description", "endpoints", "cite")
_LABS_OPTIONAL = ("reasons", "during")
_FIELD = ("name", "kind", "description")
_FIELD_OPTIONAL = (*_SOURCE, "enum_values", "format")
_OBSERVED = ("files", "count", "first_seen", "last_seen")

_WHITESPACE = re.compile(r"\s+")
#: An ``observed`` record's time: ISO 8601 in UTC, to the second or finer, ending in ``Z``.
_UTC_TIME = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z", re.ASCII)
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace (including no-break spaces and newlines) become one space."""
    return _WHITESPACE.sub(" ", text).strip()


def uri_key(uri: str) -> str:
    """The identity two supplement URIs must not share: the slug of an X problem URI
    (``names.problem_slug``), else the URI with its scheme and host lower-cased."""
    slug = names.problem_slug(uri)
    if slug is not None:
        return slug
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, parts.fragment))


def _kind(value: object) -> str:
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
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


class _Checker:
    """Collects diagnostics while reading the parsed document; never raises."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.diags: list[Diagnostic] = []
        self.page_titles: set[str] | None = None
        self.status_codes: set[int] = set()
        #: class name -> pointer where it was first claimed (classes and former names).
        self.class_names: dict[str, str] = {}
        self.labs_names: dict[str, str] = {}

    def error(self, pointer: str, message: str) -> None:
        self.diags.append(Diagnostic("error", self.file, pointer, message))

    # --- shapes -------------------------------------------------------------------------

    def mapping(self, value: Any, pointer: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any] | None:
        """The value as a mapping with only known keys; reports unknown and missing keys."""
        if not isinstance(value, dict):
            self.error(pointer, f"expected a mapping, got {_kind(value)} {cut(value)}")
            return None
        for key in value:
            if key not in required and key not in optional:
                self.error(join(pointer, key), f"unknown key {cut(key)}; expected one of {', '.join(required + optional)}")
        for key in required:
            if key not in value:
                self.error(pointer, f"missing key {cut(key)}")
        return value

    def items(self, value: Any, pointer: str) -> Iterator[tuple[Any, str]]:
        """(item, pointer) for each element of a list; reports a non-list."""
        if not isinstance(value, list):
            self.error(pointer, f"expected an array, got {_kind(value)} {cut(value)}")
            return
        for index, item in enumerate(value):
            yield item, join(pointer, index)

    def each(self, value: Any, pointer: str, read: Callable[[Any, str], T | None]) -> tuple[T, ...]:
        """Read every element of a list with ``read``, keeping those that were readable."""
        result = []
        for item, where in self.items(value, pointer):
            got = read(item, where)
            if got is not None:
                result.append(got)
        return tuple(result)

    # --- scalars ------------------------------------------------------------------------

    def text(self, m: dict[str, Any], key: str, pointer: str, *, nullable: bool = False) -> str | None:
        """A non-empty string (or ``None`` when nullable and null or absent)."""
        if key not in m:
            return None
        value, where = m[key], join(pointer, key)
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            wanted = "a string or null" if nullable else "a string"
            self.error(where, f"expected {wanted}, got {_kind(value)} {cut(value)}")
            return None
        if not value.strip():
            self.error(where, f"must not be empty: {cut(value)}")
            return None
        return value

    def integer(self, m: dict[str, Any], key: str, pointer: str) -> tuple[int, str] | None:
        """An integer (not a bool), with its pointer for a range check."""
        if key not in m:
            return None
        value, where = m[key], join(pointer, key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, f"expected an integer, got {_kind(value)} {cut(value)}")
            return None
        return value, where

    def code(self, m: dict[str, Any], key: str, pointer: str) -> int | None:
        """An HTTP status code: an integer (not a bool) in 100..599."""
        found = self.integer(m, key, pointer)
        if found is None:
            return None
        value, where = found
        if not 100 <= value <= 599:
            self.error(where, f"HTTP status code out of 100..599: {cut(value)}")
            return None
        return value

    def boolean(self, m: dict[str, Any], key: str, pointer: str) -> bool | None:
        """A true/false value."""
        if key not in m:
            return None
        value = m[key]
        if not isinstance(value, bool):
            self.error(join(pointer, key), f"expected a boolean, got {_kind(value)} {cut(value)}")
            return None
        return value

    def strings(self, m: dict[str, Any], key: str, pointer: str, *, nullable: bool = False) -> tuple[str, ...] | None:
        """A list of distinct non-empty strings (``None`` when nullable and null or absent)."""
        if key not in m or (nullable and m[key] is None):
            return None
        where = join(pointer, key)
        result: list[str] = []
        for item, at in self.items(m[key], where):
            if not isinstance(item, str):
                self.error(at, f"expected a string, got {_kind(item)} {cut(item)}")
            elif not item.strip():
                self.error(at, f"must not be empty: {cut(item)}")
            elif item in result:
                self.error(at, f"duplicate value {cut(item)}")
            else:
                result.append(item)
        return tuple(result)

    def class_name(self, m: dict[str, Any], key: str, pointer: str) -> str | None:
        """A public Python class name, unique across the whole supplement."""
        if key not in m:
            return None
        value, where = m[key], join(pointer, key)
        if not isinstance(value, str):
            self.error(where, f"expected a string, got {_kind(value)} {cut(value)}")
            return None
        if keyword.iskeyword(value) or value in names.SOFT_KEYWORDS:
            self.error(where, f"class name {cut(value)} is a Python keyword")
            return None
        if not (value.isascii() and value.isidentifier()):
            self.error(where, f"class name {cut(value)} is not a valid ASCII Python identifier")
            return None
        if value.startswith("_"):
            self.error(where, f"class name {cut(value)} must be public (no leading underscore)")
            return None
        if value in RESERVED_NAMES or value in names.BUILTIN_NAMES:
            self.error(where, f"class name {cut(value)} is reserved (runtime or builtin name)")
            return None
        first = self.class_names.get(value)
        if first is not None:
            self.error(where, f"duplicate class name {cut(value)} (first at {first})")
            return None
        self.class_names[value] = where
        return value

    def count(self, m: dict[str, Any], key: str, pointer: str) -> int | None:
        """A positive integer (not a bool): how many responses showed a fact."""
        found = self.integer(m, key, pointer)
        if found is None:
            return None
        value, where = found
        if value < 1:
            self.error(where, f"must be at least 1, got {cut(value)}")
            return None
        return value

    def utc_time(self, m: dict[str, Any], key: str, pointer: str) -> tuple[bool, str | None]:
        """(valid, value) of an ISO 8601 UTC time ending in ``Z``, or null (valid, None)."""
        if key not in m:
            return False, None  # ``mapping`` reported the missing key
        value, where = m[key], join(pointer, key)
        if value is None:
            return True, None
        if not isinstance(value, str):
            self.error(where, f"expected a string or null, got {_kind(value)} {cut(value)}")
            return False, None
        if _time_key(value) is None:
            self.error(where, f"expected an ISO 8601 UTC time such as '2020-06-18T15:25:01Z', got {cut(value)}")
            return False, None
        return True, value

    def seen_times(self, m: dict[str, Any], pointer: str) -> tuple[str | None, str | None] | None:
        """``first_seen`` and ``last_seen``: both times with first <= last, or both null."""
        first_ok, first = self.utc_time(m, "first_seen", pointer)
        last_ok, last = self.utc_time(m, "last_seen", pointer)
        if not (first_ok and last_ok):
            return None
        where = join(pointer, "last_seen")
        if first is None and last is not None:
            self.error(where, f"must be null when first_seen is null, got {cut(last)}")
            return None
        if first is not None and last is None:
            self.error(where, f"must not be null when first_seen is {cut(first)}")
            return None
        if first is not None and last is not None and (_time_key(last) or "") < (_time_key(first) or ""):
            self.error(where, f"{cut(last)} is before first_seen {cut(first)}")
            return None
        return first, last

    # --- records ------------------------------------------------------------------------

    def one_source(self, m: dict[str, Any], pointer: str, *, nullable_cite: bool = False) -> bool:
        """Whether the record gives exactly one of ``cite`` and ``observed``; reports it if not.

        With ``nullable_cite`` (a problem entry, which may only pin a class name) a null
        ``cite`` is a source of its own when alone, and no source beside ``observed``.
        """
        has_cite = "cite" in m and not (nullable_cite and m["cite"] is None)
        if has_cite and "observed" in m:
            self.error(join(pointer, "observed"), "give either cite or observed, not both")
            return False
        if "cite" not in m and "observed" not in m:
            self.error(pointer, "missing key 'cite' (or 'observed')")
            return False
        return True

    def observed(self, m: dict[str, Any], key: str, pointer: str) -> Observation | None:
        """A ``{files, count, first_seen, last_seen}`` record of recorded traffic."""
        if key not in m:
            return None
        where = join(pointer, key)
        o = self.mapping(m[key], where, _OBSERVED)
        if o is None:
            return None
        files = self.strings(o, "files", where)
        if isinstance(o.get("files"), list) and not o["files"]:
            self.error(join(where, "files"), "must list at least one file")
            files = None
        count = self.count(o, "count", where)
        times = self.seen_times(o, where)
        if not files or count is None or times is None:
            return None
        return Observation(files, count, *times)

    def fact_source(self, m: dict[str, Any], pointer: str) -> Citation | Observation | None:
        """The one source of a status or field: its ``cite``, or its ``observed`` record."""
        single = self.one_source(m, pointer)
        cite = self.cite(m, "cite", pointer)
        observed = self.observed(m, "observed", pointer)
        return (cite or observed) if single else None

    def cite(self, m: dict[str, Any], key: str, pointer: str, *, nullable: bool = False) -> Citation | None:
        """A ``{page, quote}`` citation whose page is one of ``pages``."""
        if key not in m:
            return None
        where = join(pointer, key)
        if m[key] is None and nullable:
            return None
        c = self.mapping(m[key], where, _CITE)
        if c is None:
            return None
        page = self.text(c, "page", where)
        quote = self.text(c, "quote", where)
        if page is not None and self.page_titles is not None and page not in self.page_titles:
            known = ", ".join(repr(t) for t in sorted(self.page_titles))
            self.error(join(where, "page"), f"unknown page {cut(page)}; expected one of {known}")
            return None
        if page is None or quote is None:
            return None
        return Citation(page, quote)

    def page(self, value: Any, pointer: str) -> DocPage | None:
        m = self.mapping(value, pointer, _PAGE, _PAGE_OPTIONAL)
        if m is None:
            return None
        title = self.text(m, "title", pointer)
        if title == OBSERVED:
            # Sources name doc pages by title; this one names recorded traffic.
            self.error(join(pointer, "title"), f"page title {cut(title)} is reserved for facts seen in traffic")
            title = None
        file = self.text(m, "file", pointer)
        if file is not None and ("/" in file or "\\" in file or file in (".", "..")):
            self.error(join(pointer, "file"), f"expected a plain file name, got {cut(file)}")
            file = None
        url = self.text(m, "url", pointer, nullable=True)
        if url is not None and not DOC_URL.fullmatch(url):
            # docs/errors.md links the page's title to it: only a plain https address can be a link.
            self.error(join(pointer, "url"), f"expected an https:// address of letters, digits and ._~%/- (no query), got {cut(url)}")
            file = None  # the title is still recorded, so its citations are not reported too
        if title is not None and self.page_titles is not None:
            if title in self.page_titles:
                self.error(join(pointer, "title"), f"duplicate page title {cut(title)}")
                return None
            self.page_titles.add(title)
        if title is None or file is None:
            return None
        return DocPage(title, file, url)

    def status(self, value: Any, pointer: str) -> SupplementStatus | None:
        m = self.mapping(value, pointer, _STATUS)
        if m is None:
            return None
        code = self.code(m, "code", pointer)
        if code is not None:
            if code in self.status_codes:
                self.error(join(pointer, "code"), f"duplicate status code {code}")
                code = None
            else:
                self.status_codes.add(code)
        text = self.text(m, "text", pointer)
        class_name = self.class_name(m, "class_name", pointer)
        description = self.text(m, "description", pointer)
        tip = self.text(m, "tip", pointer, nullable=True)
        retryable = self.boolean(m, "retryable", pointer)
        cite = self.cite(m, "cite", pointer)
        if code is None or text is None or class_name is None or description is None or retryable is None or cite is None:
            return None
        return SupplementStatus(code, text, class_name, description, tip, retryable, cite)

    def former_name(self, value: Any, pointer: str) -> FormerName | None:
        m = self.mapping(value, pointer, _FORMER)
        if m is None:
            return None
        name = self.class_name(m, "name", pointer)
        note = self.text(m, "note", pointer)
        if name is None or note is None:
            return None
        return FormerName(name, note)

    def documented_status(self, value: Any, pointer: str, seen: set[int]) -> DocumentedStatus | None:
        m = self.mapping(value, pointer, _DOC_STATUS, _SOURCE)
        if m is None:
            return None
        code = self.code(m, "code", pointer)
        if code is not None:
            if code in seen:
                self.error(join(pointer, "code"), f"duplicate status code {code} for this problem")
                code = None
            elif code not in self.status_codes:
                self.error(join(pointer, "code"), f"status code {code} is not in the statuses table")
                code = None
            else:
                seen.add(code)
        when = self.text(m, "when", pointer)
        source = self.fact_source(m, pointer)
        if code is None or when is None or source is None:
            return None
        return DocumentedStatus(code, when, source)

    def labs(self, value: Any, pointer: str) -> LabsEntry | None:
        m = self.mapping(value, pointer, _LABS, _LABS_OPTIONAL)
        if m is None:
            return None
        name = self.text(m, "name", pointer)
        if name is not None:
            first = self.labs_names.get(name)
            if first is not None:
                self.error(join(pointer, "name"), f"duplicate Labs name {cut(name)} (first at {first})")
                name = None
            else:
                self.labs_names[name] = join(pointer, "name")
        description = self.text(m, "description", pointer)
        endpoints = self.strings(m, "endpoints", pointer)
        reasons = self.strings(m, "reasons", pointer) or ()
        during = self.text(m, "during", pointer) or "connection"
        if during not in LABS_PHASES:
            self.error(join(pointer, "during"), f"unknown phase {cut(during)}; expected one of {', '.join(LABS_PHASES)}")
            return None
        cite = self.cite(m, "cite", pointer)
        if name is None or description is None or endpoints is None or cite is None:
            return None
        return LabsEntry(name, description, endpoints, reasons, cite, cast(LabsPhase, during))

    def extra_field(self, value: Any, pointer: str, seen: set[str]) -> SupplementField | None:
        m = self.mapping(value, pointer, _FIELD, _FIELD_OPTIONAL)
        if m is None:
            return None
        name = self.text(m, "name", pointer)
        # A field may be given twice: once from the docs, once from traffic (``audit
        # --suggest`` adds observed enum values to a field the docs describe); never twice
        # from one kind of source.
        once = f"{name}\0{'observed' if 'observed' in m else 'cite'}"
        if name is not None:
            if name in BASE_FIELDS:
                self.error(join(pointer, "name"), f"{cut(name)} is a base field of every problem")
                name = None
            elif once in seen:
                self.error(join(pointer, "name"), f"duplicate field {cut(name)} for this problem")
                name = None
            else:
                seen.add(once)
        kind = self.text(m, "kind", pointer)
        if kind is not None and kind not in FIELD_KINDS:
            self.error(join(pointer, "kind"), f"unknown kind {cut(kind)}; expected one of {', '.join(FIELD_KINDS)}")
            kind = None
        description = self.text(m, "description", pointer)
        enum_values = self.strings(m, "enum_values", pointer, nullable=True)
        if m.get("enum_values") == []:
            self.error(join(pointer, "enum_values"), "must not be empty (use null for no enum)")
        field_format = self.text(m, "format", pointer, nullable=True)
        source = self.fact_source(m, pointer)
        if name is None or kind is None or description is None or source is None:
            return None
        return SupplementField(name, _as_kind(kind), description, enum_values, field_format, source)

    def problem(self, value: Any, pointer: str, seen_uris: dict[str, str]) -> SupplementProblem | None:
        m = self.mapping(value, pointer, _PROBLEM, _PROBLEM_OPTIONAL)
        if m is None:
            return None
        uri = self.text(m, "uri", pointer)
        if uri is not None:
            where = join(pointer, "uri")
            if uri != uri.strip() or any(ch.isspace() for ch in uri) or not _URI_SCHEME.match(uri):
                self.error(where, f"expected an absolute URI without spaces, got {cut(uri)}")
                uri = None
            else:
                key = uri_key(uri)
                first = seen_uris.get(key)
                if first is not None:
                    self.error(where, f"duplicate problem type {cut(uri)} (same type as {first})")
                    uri = None
                else:
                    seen_uris[key] = where
        class_name = self.class_name(m, "class_name", pointer)
        former = self.each(m.get("former_names", []), join(pointer, "former_names"), self.former_name)
        title = self.text(m, "title", pointer, nullable=True)
        description = self.text(m, "description", pointer, nullable=True)
        seen_codes: set[int] = set()
        statuses = self.each(
            m.get("statuses", []),
            join(pointer, "statuses"),
            lambda item, at: self.documented_status(item, at, seen_codes),
        )
        labs = self.each(m.get("labs", []), join(pointer, "labs"), self.labs)
        seen_fields: set[str] = set()
        fields = self.each(
            m.get("extra_fields", []),
            join(pointer, "extra_fields"),
            lambda item, at: self.extra_field(item, at, seen_fields),
        )
        self.one_source(m, pointer, nullable_cite=True)
        cite = self.cite(m, "cite", pointer, nullable=True)
        observed = self.observed(m, "observed", pointer)
        self.needs_cite(m, pointer)
        if uri is None or class_name is None:
            return None
        return SupplementProblem(uri, class_name, former, title, description, statuses, labs, fields, cite, pointer, observed)

    def needs_cite(self, m: dict[str, Any], pointer: str) -> None:
        """A title or description is documentation: a problem entry without a quote (a pin
        with ``cite: null``, or a type only traffic shows) cannot give one."""
        if "cite" in m:
            why = "cite is null" if m["cite"] is None else None
        else:
            why = "observed, not cited" if "observed" in m else None
        for key in ("title", "description") if why else ():
            if m.get(key) is not None:
                self.error(join(pointer, key), f"{key} {cut(m[key])} needs a cite ({why})")

    def document(self, doc: Any, sha256: str) -> Supplement | None:
        top = self.mapping(doc, "", _TOP)
        if top is None:
            return None
        if "pages" in top:
            self.page_titles = set()
            pages = self.each(top["pages"], "/pages", self.page)
            if isinstance(top["pages"], list) and not top["pages"]:
                self.error("/pages", "must list at least one page")
            if not self.page_titles:
                self.page_titles = None  # no usable page: do not flag every citation too
        else:
            pages = ()
        statuses = self.each(top.get("statuses", []), "/statuses", self.status)
        seen_uris: dict[str, str] = {}
        problems = self.each(top.get("problems", []), "/problems", lambda item, at: self.problem(item, at, seen_uris))
        partial = self.cite(top, "partial_errors", "")
        if self.diags or partial is None:
            return None
        return Supplement(self.file, sha256, pages, statuses, problems, partial)


def _time_key(value: str) -> str | None:
    """A key that orders valid ``observed`` times (the fraction padded), else None."""
    match = _UTC_TIME.fullmatch(value)
    if match is None:
        return None
    try:
        datetime.strptime(match[1], "%Y-%m-%dT%H:%M:%S")  # a real date and time of day
    except ValueError:
        return None
    return match[1] + "." + (match[2] or "").ljust(9, "0")


def _as_kind(kind: str) -> FieldKind:
    return cast(FieldKind, kind) if kind in FIELD_KINDS else "any"


def load_supplement(path: Path) -> tuple[Supplement | None, list[Diagnostic]]:
    """Parse and validate the curated supplement at ``path``.

    Returns the :class:`Supplement` and no diagnostics, or ``None`` and every error found
    (each located by file, as given, and JSON pointer). Entries keep their file order;
    ``Supplement.sha256`` is the SHA-256 of the file's bytes.
    """
    file = str(path)
    data, diags = read_bytes(path)
    if data is None:
        return None, diags
    # Parse the very bytes we hash, so the digest always describes what was validated.
    doc, diags = parse_bytes(data, file, yaml_syntax=path.suffix.lower() in (".yaml", ".yml"))
    if doc is None or diags:
        return None, diags
    checker = _Checker(file)
    supplement = checker.document(doc, hashlib.sha256(data).hexdigest())
    if checker.diags or supplement is None:
        return None, checker.diags
    return supplement, []


def citation_pointers(supplement: Supplement) -> Iterator[tuple[str, Citation]]:
    """Every citation in the supplement with the pointer of its ``cite`` in the file.

    Observed facts are left out: they quote no page, so there is nothing to check there.
    """
    for index, status in enumerate(supplement.statuses):
        yield join("/statuses", index, "cite"), status.cite
    for problem in supplement.problems:
        if problem.cite is not None:
            yield join(problem.pointer, "cite"), problem.cite
        for index, documented in enumerate(problem.statuses):
            if isinstance(documented.cite, Citation):
                yield join(problem.pointer, "statuses", index, "cite"), documented.cite
        for index, entry in enumerate(problem.labs):
            yield join(problem.pointer, "labs", index, "cite"), entry.cite
        for index, extra in enumerate(problem.extra_fields):
            if isinstance(extra.cite, Citation):
                yield join(problem.pointer, "extra_fields", index, "cite"), extra.cite
    yield "/partial_errors", supplement.partial_errors


def verify_citations(supplement: Supplement, docs_dir: Path) -> list[Diagnostic]:
    """Check that every quote occurs in the text of the page it cites.

    Pages are read from ``docs_dir / page.file``; text and quote are compared after
    :func:`collapse_whitespace`, otherwise exactly (curly quotes must match).
    """
    diags: list[Diagnostic] = []
    texts: dict[str, str | None] = {}
    for page in supplement.pages:
        data, read_diags = read_bytes(docs_dir / page.file)
        text = None
        if data is not None:
            text, read_diags = decode_text(data, str(docs_dir / page.file))
        diags.extend(read_diags)
        texts[page.title] = collapse_whitespace(text) if text is not None else None
    for pointer, cite in citation_pointers(supplement):
        text = texts.get(cite.page)
        if text is None:
            continue
        if collapse_whitespace(cite.quote) not in text:
            diags.append(Diagnostic("error", supplement.file, join(pointer, "quote"), f"quote not found in {cite.page!r}: {cut(cite.quote)}"))
    return diags
