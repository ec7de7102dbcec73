"""The one intermediate model: frozen dataclasses between parsing and rendering.

Stages produce these values and never look back at the documents they came from:
``extract`` yields a :class:`SpecCatalogue`, ``supplement`` a :class:`Supplement`,
``merge`` folds them into a :class:`Catalogue`, and ``render`` reads only that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .escape import terminal_line

Level = Literal["error", "warning"]
#: The JSON kinds a problem field can have; anything else is ``any``.
LabsPhase = Literal["connection", "rule-submission"]
FieldKind = Literal["string", "integer", "number", "boolean", "array", "object", "any"]


@dataclass(frozen=True)
class Diagnostic:
    """One finding about an input document, located by file and RFC 6901 pointer."""

    level: Level
    file: str
    pointer: str
    message: str
    #: Where ``pointer`` starts in ``file`` (1-based), filled in when printed (``locate``).
    line: int | None = None
    column: int | None = None

    def render(self) -> str:
        """The one-line form printed on stderr: ``level: file[:line:col]: pointer: message``.

        File names, pointers and messages quote spec text, so the line goes through
        :func:`escape.terminal_line` (one line, no control, bidi or surrogate character).
        """
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return terminal_line(f"{self.level}: {where}: {self.pointer or '/'}: {self.message}")

    def github(self, *, attach: bool = True) -> str:
        """The GitHub Actions workflow command: ``::error file=...,line=...,col=...::message``.

        ``attach=False`` for a "file" that is not one (a URL, ``<command line>``): the
        annotation then names it in its message and attaches to no file.
        """
        said = f"{self.pointer or '/'}: {self.message}"
        if not attach:
            return terminal_line(f"::{self.level}::{_gh_data(f'{self.file}: {said}')}")
        props = [f"file={_gh_property(self.file)}"]
        if self.line:
            props += [f"line={self.line}", f"col={self.column}"]
        return terminal_line(f"::{self.level} {','.join(props)}::{_gh_data(said)}")


def _gh_data(text: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """A workflow command's property value (``:`` and ``,`` end it unescaped)."""
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


# --- what one spec says -----------------------------------------------------------------


@dataclass(frozen=True)
class SpecField:
    """A property of a problem schema, as one spec declares it."""

    name: str
    kind: FieldKind
    required: bool
    enum_values: tuple[str, ...] | None
    format: str | None
    description: str | None


@dataclass(frozen=True)
class SpecProblem:
    """One problem type as one spec declares it (base fields excluded)."""

    uri: str
    schema_name: str
    title: str | None
    description: str | None
    fields: tuple[SpecField, ...]
    pointer: str
    #: The base members (``type``, ``title``, ``detail``, ``status``) the schema requires.
    base_required: tuple[str, ...] = ()


@dataclass(frozen=True)
class StreamingEndpoint:
    """An operation the spec marks with ``x-twitter-streaming``."""

    method: str
    path: str


@dataclass(frozen=True)
class SpecCatalogue:
    """Everything the pipeline takes from one spec document."""

    file: str
    version: str
    sha256: str
    problems: tuple[SpecProblem, ...]
    streaming: tuple[StreamingEndpoint, ...]
    #: sha256 of the canonical JSON of the problem subset: what "no churn" is keyed on.
    problems_digest: str
    #: (schema name, pointer) of schemas that look like problem types but are not members of
    #: the Problem union: ``merge`` warns about those the merged catalogue still lacks. Not
    #: part of what a spec says about problems (a pruned copy drops those schemas).
    unreached: tuple[tuple[str, str], ...] = field(default=(), compare=False)


# --- what the curated supplement says ---------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """Where a supplement fact comes from: a doc page title and a phrase quoted from it."""

    page: str
    quote: str


#: The source string of a fact that recorded traffic shows (``Observation``), beside
#: ``spec``, ``spec <version>`` and doc page titles in ``Field.sources`` and
#: ``ProblemType.sources``. The supplement refuses a page with this title.
OBSERVED = "observed"


@dataclass(frozen=True)
class Observation:
    """Where a supplement fact comes from when no document states it: recorded X traffic.

    Written by ``xproblems audit --suggest``: the files audited, how many responses showed
    the fact, and the first and last time one did (ISO 8601 UTC ending in ``Z``; both
    ``None`` when the records carry no time).
    """

    files: tuple[str, ...]
    count: int
    first_seen: str | None
    last_seen: str | None


@dataclass(frozen=True)
class DocumentedStatus:
    """An HTTP status the docs tie to a problem type (or traffic showed it with), and when."""

    code: int
    when: str
    #: A doc page quote, or an :class:`Observation` for a status seen only in traffic.
    cite: Citation | Observation


@dataclass(frozen=True)
class FormerName:
    """A public class name that used to mean this problem type; kept as a deprecated alias."""

    name: str
    note: str


@dataclass(frozen=True)
class SupplementField:
    """A field seen in the docs' example bodies (or in traffic), added where a spec lacks it."""

    name: str
    kind: FieldKind
    description: str
    enum_values: tuple[str, ...] | None
    format: str | None
    #: A doc page quote, or an :class:`Observation` for a field seen only in traffic.
    cite: Citation | Observation


@dataclass(frozen=True)
class LabsEntry:
    """What the Labs-era page calls a problem, and which endpoints it applies to."""

    name: str
    description: str
    endpoints: tuple[str, ...]
    reasons: tuple[str, ...]
    cite: Citation
    #: When a client meets it: ``connection`` (connecting to or reading the stream) or
    #: ``rule-submission`` (POSTing stream rules).
    during: LabsPhase = "connection"


@dataclass(frozen=True)
class SupplementProblem:
    """A problem type as the curated supplement describes it."""

    uri: str
    class_name: str
    former_names: tuple[FormerName, ...]
    title: str | None
    description: str | None
    statuses: tuple[DocumentedStatus, ...]
    labs: tuple[LabsEntry, ...]
    extra_fields: tuple[SupplementField, ...]
    cite: Citation | None
    pointer: str
    #: Traffic showed the type although no spec or doc page declares it (``cite`` is None).
    observed: Observation | None = None


@dataclass(frozen=True)
class SupplementStatus:
    """One row of the docs' HTTP status table."""

    code: int
    text: str
    class_name: str
    description: str
    tip: str | None
    retryable: bool
    cite: Citation


@dataclass(frozen=True)
class DocPage:
    """A documentation page the supplement is written from."""

    title: str
    file: str
    #: Where readers find the page (``escape.DOC_URL``); docs/errors.md links its title there.
    url: str | None = None


@dataclass(frozen=True)
class Supplement:
    """The whole curated supplement, validated."""

    file: str
    sha256: str
    pages: tuple[DocPage, ...]
    statuses: tuple[SupplementStatus, ...]
    problems: tuple[SupplementProblem, ...]
    partial_errors: Citation


# --- the merged catalogue that templates render -----------------------------------------


@dataclass(frozen=True)
class EnumValue:
    """One value of an open enum and its member name."""

    value: str
    member: str
    retired: bool
    #: Only recorded traffic shows the value (every field that lists it has it from there).
    observed: bool = False


@dataclass(frozen=True)
class EnumType:
    """An open enum shared by every problem field of the same JSON name."""

    class_name: str
    field_name: str
    values: tuple[EnumValue, ...]
    #: The current spec declares the field, and only without an enum (free text): the
    #: values come from older specs, and responses still carry them.
    free_text_in_spec: bool = False


@dataclass(frozen=True)
class Field:
    """A typed attribute of a generated problem class."""

    name: str
    attr: str
    kind: FieldKind
    required: bool
    enum: str | None
    enum_values: tuple[str, ...]
    format: str | None
    description: str | None
    sources: tuple[str, ...]
    retired: bool
    #: Enum values only older specs list (kept: responses may still carry them).
    retired_values: tuple[str, ...] = ()
    #: The spec versions (of this catalogue's history) that declare the field, oldest first.
    spec_versions: tuple[str, ...] = ()
    #: Each enum value with the spec versions that list it, in ``enum_values`` order.
    value_versions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Enum values only recorded traffic shows (no spec or doc page lists them).
    observed_values: tuple[str, ...] = ()
    #: The traffic that showed the field, when the supplement has an observed extra field.
    observation: Observation | None = None


@dataclass(frozen=True)
class Alias:
    """A deprecated public name that still resolves to a problem class."""

    name: str
    note: str


@dataclass(frozen=True)
class ProblemType:
    """One problem type, identified by its type URI (host-independent key)."""

    key: str
    uri: str
    class_name: str
    member: str
    title: str | None
    description: str | None
    fields: tuple[Field, ...]
    schema_names: tuple[str, ...]
    uris_seen: tuple[str, ...]
    statuses: tuple[DocumentedStatus, ...]
    labs: tuple[LabsEntry, ...]
    aliases: tuple[Alias, ...]
    sources: tuple[str, ...]
    retired: bool
    #: The base members the current spec requires of this type (none when it does not declare it).
    base_required: tuple[str, ...] = ()
    #: The spec versions (of this catalogue's history) that declare the type, oldest first.
    spec_versions: tuple[str, ...] = ()
    #: The traffic that showed the type, when the supplement says it was observed.
    observation: Observation | None = None


@dataclass(frozen=True)
class StatusCode:
    """An HTTP status from the docs' table and its exception class."""

    code: int
    text: str
    class_name: str
    base: str
    description: str
    tip: str | None
    retryable: bool
    source: str


@dataclass(frozen=True)
class Conflict:
    """Two sources disagreeing about one problem type; generation goes on."""

    key: str
    subject: str
    detail: str


@dataclass(frozen=True)
class Catalogue:
    """Everything rendering needs, sorted and named; the renderer reads nothing else."""

    spec_version: str
    also_versions: tuple[str, ...]
    problems: tuple[ProblemType, ...]
    enums: tuple[EnumType, ...]
    statuses: tuple[StatusCode, ...]
    streaming: tuple[StreamingEndpoint, ...]
    conflicts: tuple[Conflict, ...]
    partial_errors: Citation
    pages: tuple[DocPage, ...]
    #: sha256 of the current spec's problem schemas (SpecCatalogue.problems_digest).
    problems_digest: str = ""
    #: Every spec version merged (older specs and the current one), oldest first.
    spec_versions: tuple[str, ...] = ()
