"""Spec records + older specs + curated supplement -> one sorted, named :class:`Catalogue`.

Rules (the README states them; ``tests/test_merge.py`` covers each):

1. A problem's identity is its type URI, keyed host-independently (``names.problem_key``):
   ``api.twitter.com``, ``api.x.com`` and ``api.X.com`` name the same type.
2. The current spec is authoritative for shape (fields, kinds, required, enums); the
   supplement adds types the spec lacks, documentation, status codes, extra fields and enum
   values the spec does not list (after the spec's own and the retired ones).
3. Types and fields that only ``--also`` (older) specs define are kept, marked retired.
   Recorded traffic (the supplement's ``observed`` facts) ranks below the specs and the
   docs: it adds what they lack, and un-retires a type or field the API still sends.
4. Conflicts (same key, different title or field kind) never stop generation: the current
   spec wins, and each becomes a :class:`Conflict` and a warning.
5. Public class names come from the supplement's pin, else the newest schema name, else the
   slug (``names.problem_class_name``); former names become deprecated aliases when free.

The flow is one way: facts per key -> drafts (names, texts, merged fields) -> enums decided
from the drafts' fields -> each field built once, with its enum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import names
from .gcpause import gc_paused
from .history import version_key
from .model import (
    OBSERVED,
    Alias,
    Catalogue,
    Citation,
    Conflict,
    Diagnostic,
    DocumentedStatus,
    EnumType,
    EnumValue,
    Field,
    Observation,
    ProblemType,
    SpecCatalogue,
    SpecField,
    SpecProblem,
    StatusCode,
    Supplement,
    SupplementField,
    SupplementProblem,
)
from .pointer import cut

CURRENT = "spec"


@dataclass
class _Facts:
    """Everything known about one key before naming."""

    key: str
    current: SpecProblem | None = None
    olds: list[tuple[str, SpecProblem]] = field(default_factory=list)
    supp: SupplementProblem | None = None
    current_version: str = ""

    @property
    def included(self) -> bool:
        return bool(self.current or self.olds or (self.supp and (self.supp.cite or self.supp.observed)))


def _collect(current: SpecCatalogue, olds: Sequence[SpecCatalogue], supp: Supplement, diags: list[Diagnostic]) -> dict[str, _Facts]:
    facts: dict[str, _Facts] = {}
    for problem in current.problems:
        entry = facts.setdefault(names.problem_key(problem.uri), _Facts(names.problem_key(problem.uri)))
        if entry.current is not None:
            diags.append(Diagnostic("warning", current.file, problem.pointer, f"{problem.uri!r} repeats the type of {entry.current.uri!r}; keeping the first"))
            continue
        entry.current, entry.current_version = problem, current.version
    for old in olds:
        for problem in old.problems:
            key = names.problem_key(problem.uri)
            entry = facts.setdefault(key, _Facts(key))
            if not any(v == old.version for v, _ in entry.olds):
                entry.olds.append((old.version, problem))
    for sp in supp.problems:
        key = names.problem_key(sp.uri)
        facts.setdefault(key, _Facts(key)).supp = sp
    return {k: v for k, v in sorted(facts.items()) if v.included}


@dataclass(frozen=True)
class _MergedField:
    """One field of a type, merged across the spec, older specs and the docs."""

    spec: SpecField
    #: Where the field is declared: ``spec``, ``spec <version>``, docs page titles.
    sources: tuple[str, ...]
    #: Only older specs declare it.
    retired: bool
    #: Enum values only older specs list, in the order found (responses may still carry them).
    gone: tuple[str, ...]
    #: Spec versions declaring the field, and each enum value's, oldest first.
    versions: tuple[str, ...] = ()
    value_versions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Enum values only the supplement lists (docs or traffic), in its order.
    added: tuple[str, ...] = ()
    #: The values of ``added`` (or of a field only traffic shows) that only traffic shows.
    observed_values: tuple[str, ...] = ()
    observation: Observation | None = None

    @property
    def retired_values(self) -> tuple[str, ...]:
        """The values of ``gone`` the current declaration does not list."""
        current = frozenset(self.spec.enum_values or ())  # a set: 20,000 values are linear
        return tuple(v for v in self.gone if v not in current)

    @property
    def enum_values(self) -> tuple[str, ...]:
        """Every value: the current declaration's, then the retired ones, then the supplement's."""
        return tuple(self.spec.enum_values or ()) + self.retired_values + self.added


@dataclass
class _FieldSources:
    """A field while merging: its declaration and what the later sources add to it."""

    spec: SpecField
    sources: list[str]
    retired: bool
    gone: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    value_versions: dict[str, list[str]] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    observed_values: list[str] = field(default_factory=list)
    observation: Observation | None = None

    def seen_in(self, version: str, declared: SpecField) -> None:
        """Note that spec ``version`` declares the field (and which enum values it lists)."""
        self.versions.insert(0, version)  # versions arrive newest first
        for value in declared.enum_values or ():
            self.value_versions.setdefault(value, []).insert(0, version)

    def add_values(self, values: Iterable[str], *, observed: bool) -> None:
        """Append the supplement's enum values that no spec lists (``observed``: from traffic)."""
        known = {*(self.spec.enum_values or ()), *self.gone, *self.added}
        new = [v for v in dict.fromkeys(values) if v not in known]
        self.added.extend(new)
        if observed:
            self.observed_values.extend(new)

    def freeze(self) -> _MergedField:
        values = tuple((v, _ordered(vs)) for v, vs in self.value_versions.items())
        return _MergedField(
            self.spec,
            tuple(dict.fromkeys(self.sources)),
            self.retired,
            tuple(self.gone),
            _ordered(self.versions),
            values,
            tuple(self.added),
            tuple(self.observed_values),
            self.observation,
        )


def _ordered(versions: Iterable[str]) -> tuple[str, ...]:
    """Spec versions, each once, oldest first."""
    return tuple(sorted(set(versions), key=version_key))


def _merge_fields(facts: _Facts, conflicts: list[Conflict]) -> tuple[_MergedField, ...]:
    """The fields of one type in spec order, then those of older specs, then the docs'."""
    merged: dict[str, _FieldSources] = {}
    if facts.current:
        for f in facts.current.fields:
            merged[f.name] = _FieldSources(f, [CURRENT], False)
            merged[f.name].seen_in(facts.current_version, f)
    for version, problem in reversed(facts.olds):  # newest older spec first
        for f in problem.fields:
            entry = merged.get(f.name)
            if entry is None:
                merged[f.name] = _FieldSources(f, [f"spec {version}"], facts.current is not None)
                merged[f.name].seen_in(version, f)
                continue
            entry.seen_in(version, f)
            if entry.spec.kind != f.kind:
                conflicts.append(Conflict(facts.key, f"field {cut(f.name)}", f"spec {version} says {f.kind}, newer says {entry.spec.kind}"))
            if f.enum_values and not entry.retired:
                # Sets, not the tuples: a membership scan per value made this quadratic.
                known = {*(entry.spec.enum_values or ()), *entry.gone}
                entry.gone.extend(v for v in f.enum_values if v not in known)
    for sf in facts.supp.extra_fields if facts.supp else ():
        _supplement_field(merged, sf, facts.key, conflicts)
    return tuple(entry.freeze() for entry in merged.values())


def _supplement_field(merged: dict[str, _FieldSources], sf: SupplementField, key: str, conflicts: list[Conflict]) -> None:
    """Fold one supplement extra field in, below the specs: a spec's declaration keeps its
    kind, format and description; the supplement adds its source and the enum values no
    spec lists. Observed traffic also un-retires a field only older specs declare."""
    observation = sf.cite if isinstance(sf.cite, Observation) else None
    source = sf.cite.page if isinstance(sf.cite, Citation) else OBSERVED
    entry = merged.get(sf.name)
    if entry is None:
        spec_field = SpecField(sf.name, sf.kind, False, sf.enum_values, sf.format, sf.description)
        entry = merged[sf.name] = _FieldSources(spec_field, [source], False)
        if observation is not None:
            entry.observed_values.extend(sf.enum_values or ())
    else:
        if entry.spec.kind != sf.kind:
            who = cut(source) if observation is None else OBSERVED
            conflicts.append(Conflict(key, f"field {cut(sf.name)}", f"{who} says {sf.kind}, spec says {entry.spec.kind}"))
        elif sf.enum_values:
            # Values of the spec's kind only: where the kinds differ the spec wins, enum and all.
            entry.add_values(sf.enum_values, observed=observation is not None)
        entry.sources.append(source)
        entry.retired = entry.retired and observation is None  # the API still sends it
    entry.observation = observation or entry.observation


def _title_and_description(facts: _Facts, conflicts: list[Conflict]) -> tuple[str | None, str | None, list[str]]:
    newest = facts.current or (facts.olds[-1][1] if facts.olds else None)
    sources = []
    if facts.current:
        sources.append(CURRENT)
    sources.extend(f"spec {v}" for v, _ in facts.olds if not facts.current)
    supp = facts.supp
    if supp and supp.cite:
        sources.append(supp.cite.page)
    if supp and supp.observed:
        sources.append(OBSERVED)
    spec_title = newest.title if newest else None
    supp_title = supp.title if supp else None
    if spec_title and supp_title and spec_title != supp_title:
        conflicts.append(Conflict(facts.key, "title", f"spec says {cut(spec_title)}, docs say {cut(supp_title)}"))
    title = spec_title or supp_title
    description = (newest.description if newest else None) or (supp.description if supp else None)
    return title, description, sources


@dataclass(frozen=True)
class _Draft:
    """One type with everything decided but the names of its fields' enums."""

    facts: _Facts
    class_name: str
    title: str | None
    description: str | None
    sources: tuple[str, ...]
    fields: tuple[_MergedField, ...]


def _class_names(facts: list[_Facts], taken: set[str]) -> list[str]:
    """Each type's class name (``names.problem_class_name``), made unique in key order."""
    wanted = []
    for f in facts:
        newest = f.current or (f.olds[-1][1] if f.olds else None)
        wanted.append(names.problem_class_name(f.supp.class_name if f.supp else None, newest.schema_name if newest else None, f.key))
    return names.unique(wanted, taken, sep="")


def _aliases(facts: _Facts, class_name: str, claimed: set[str]) -> tuple[Alias, ...]:
    """Pinned former names (claimed up front by :func:`merge`) plus free old schema names."""
    pinned = {f.name: f.note for f in facts.supp.former_names} if facts.supp else {}
    found: dict[str, str] = {}
    schema_names = [(v, p.schema_name) for v, p in facts.olds]
    if facts.current:
        schema_names.append(("current", facts.current.schema_name))
    for version, schema in schema_names:
        alias = names.class_name(schema)
        if alias not in found:
            where = "the current spec" if version == "current" else f"spec {version}"
            found[alias] = f"schema name in {where}"
    free = {a: n for a, n in found.items() if a != class_name and a not in claimed and a not in pinned}
    claimed.update(free)
    return tuple(Alias(a, n) for a, n in sorted({**free, **pinned}.items()))


def _enums(drafts: list[_Draft], taken: set[str]) -> tuple[list[EnumType], dict[str, str]]:
    """One open enum per enumerated field name; a value is retired where every use retires it."""
    values: dict[str, dict[str, bool]] = {}
    #: field name -> value -> whether every field that lists it has it from traffic only
    observed: dict[str, dict[str, bool]] = {}
    #: field name -> whether any current-spec declaration of it has an enum
    current_enum: dict[str, bool] = {}
    for draft in drafts:
        for f in draft.fields:
            if CURRENT in f.sources:
                current_enum[f.spec.name] = current_enum.get(f.spec.name, False) or bool(f.spec.enum_values)
            if not f.enum_values:
                continue
            retired_values, observed_values = frozenset(f.retired_values), frozenset(f.observed_values)
            known = values.setdefault(f.spec.name, {})
            only_seen = observed.setdefault(f.spec.name, {})
            for v in f.enum_values:
                known[v] = known.get(v, True) and (f.retired or v in retired_values)
                only_seen[v] = only_seen.get(v, True) and v in observed_values
    enum_names = names.unique([names.class_name(n) for n in sorted(values)], taken, sep="")
    result, by_field = [], {}
    for field_name, class_name in zip(sorted(values), enum_names, strict=True):
        members = names.unique([names.member_name(v) for v in values[field_name]])
        seen = observed[field_name]
        enum_values = tuple(EnumValue(v, m, r, seen[v]) for (v, r), m in zip(values[field_name].items(), members, strict=True))
        free_text = current_enum.get(field_name) is False
        result.append(EnumType(class_name, field_name, enum_values, free_text))
        by_field[field_name] = class_name
    return result, by_field


@gc_paused()
def merge(current: SpecCatalogue, olds: Sequence[SpecCatalogue], supp: Supplement, *, reserved_attrs: frozenset[str], reserved_names: frozenset[str]) -> tuple[Catalogue, list[Diagnostic]]:
    """Fold the sources into one catalogue; conflicts become warnings, never errors."""
    diags: list[Diagnostic] = []
    conflicts: list[Conflict] = []
    facts = list(_collect(current, olds, supp, diags).values())
    statuses = tuple(
        StatusCode(s.code, s.text, s.class_name, "ClientError" if s.code < 500 else "ServerError", s.description, s.tip, s.retryable, s.cite.page)
        for s in sorted(supp.statuses, key=lambda s: s.code)
    )
    taken = set(reserved_names) | {s.class_name for s in statuses}
    class_names = _class_names(facts, taken)
    pinned = {f.name for p in supp.problems for f in p.former_names}
    claimed = taken | set(class_names) | pinned
    drafts = []
    for f, class_name in zip(facts, class_names, strict=True):
        title, description, sources = _title_and_description(f, conflicts)
        drafts.append(_Draft(f, class_name, title, description, tuple(sources), _merge_fields(f, conflicts)))
    enums, enum_by_field = _enums(drafts, claimed)
    members = names.unique([names.member_name(d.facts.key) for d in drafts])
    problems = [_problem(d, _fields(d, reserved_attrs, enum_by_field), member, claimed) for d, member in zip(drafts, members, strict=True)]
    for c in conflicts:
        diags.append(Diagnostic("warning", current.file, "/components/schemas", f"conflict for {cut(c.key)}: {c.subject}: {c.detail}"))
    diags.extend(_left_out(current, olds, problems))
    catalogue = Catalogue(
        spec_version=current.version,
        also_versions=tuple(o.version for o in olds),
        problems=tuple(problems),
        enums=tuple(enums),
        statuses=statuses,
        streaming=current.streaming,
        conflicts=tuple(conflicts),
        partial_errors=supp.partial_errors,
        pages=supp.pages,
        problems_digest=current.problems_digest,
        spec_versions=_ordered([*(o.version for o in olds), current.version]),
    )
    return catalogue, diags


def _left_out(current: SpecCatalogue, olds: Sequence[SpecCatalogue], problems: Sequence[ProblemType]) -> list[Diagnostic]:
    """Warnings for problem-like schemas that no spec lists and the output therefore lacks
    (one that another spec lists, such as 2.159's Oauth1PermissionsProblem, is generated)."""
    generated = {n for p in problems for n in (p.class_name, *p.schema_names)}
    out = []
    for spec in (current, *olds):
        for name, pointer in spec.unreached:
            if name not in generated:
                out.append(Diagnostic("warning", spec.file, pointer, "looks like a problem type but is not in the Problem discriminator mapping or union; left out"))
    return out


def _fields(draft: _Draft, reserved_attrs: frozenset[str], enum_by_field: dict[str, str]) -> tuple[Field, ...]:
    """The typed attributes of one type, each built once with its enum decided."""
    attrs = names.unique([names.attr_name(f.spec.name, reserved_attrs) for f in draft.fields], reserved_attrs)
    return tuple(_field(f, attr, enum_by_field) for f, attr in zip(draft.fields, attrs, strict=True))


def _field(f: _MergedField, attr: str, enum_by_field: dict[str, str]) -> Field:
    values = f.enum_values
    # One dict for the field, not one per value: per value it was quadratic (20,000 values, 20 s).
    value_versions = dict(f.value_versions)
    return Field(
        name=f.spec.name,
        attr=attr,
        kind=f.spec.kind,
        # Required-ness comes from the current spec only: a member an older spec required
        # and the current one dropped (or a type only older specs know) is optional.
        required=f.spec.required and CURRENT in f.sources,
        enum=enum_by_field.get(f.spec.name) if values else None,
        enum_values=values,
        format=f.spec.format,
        description=f.spec.description,
        sources=f.sources,
        retired=f.retired,
        retired_values=f.retired_values,
        spec_versions=f.versions,
        value_versions=tuple((v, value_versions.get(v, ())) for v in values),
        observed_values=f.observed_values,
        observation=f.observation,
    )


def _problem(draft: _Draft, fields: tuple[Field, ...], member: str, claimed: set[str]) -> ProblemType:
    facts = draft.facts
    seen = [p.uri for p in ([facts.current] if facts.current else [])] + [p.uri for _, p in facts.olds]
    if facts.supp:
        seen.append(facts.supp.uri)
    schema_names = ([facts.current.schema_name] if facts.current else []) + [p.schema_name for _, p in reversed(facts.olds)]
    # A type the supplement cites or saw in traffic is current, whatever the specs say.
    retired = facts.current is None and not (facts.supp and (facts.supp.cite or facts.supp.observed))
    return ProblemType(
        key=facts.key,
        uri=facts.current.uri if facts.current else names.canonical_uri(facts.key),
        class_name=draft.class_name,
        member=member,
        title=draft.title,
        description=draft.description,
        fields=fields,
        schema_names=tuple(dict.fromkeys(schema_names)),
        uris_seen=tuple(sorted(set(seen))),
        statuses=_statuses(facts.supp),
        labs=facts.supp.labs if facts.supp else (),
        aliases=_aliases(facts, draft.class_name, claimed),
        sources=draft.sources,
        retired=retired,
        base_required=facts.current.base_required if facts.current else (),
        spec_versions=_ordered([*(v for v, _ in facts.olds), *([facts.current_version] if facts.current else [])]),
        observation=facts.supp.observed if facts.supp else None,
    )


def _statuses(supp: SupplementProblem | None) -> tuple[DocumentedStatus, ...]:
    """The type's usual statuses in supplement order; a code both the docs and traffic give
    keeps the documented entry (the validator refuses a repeated code in one entry, but a
    supplement built in code, such as a merged ``--suggest`` fragment, may hold both)."""
    if supp is None:
        return ()
    documented = {s.code for s in supp.statuses if isinstance(s.cite, Citation)}
    return tuple(s for s in supp.statuses if isinstance(s.cite, Citation) or s.code not in documented)
