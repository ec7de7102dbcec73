"""Two catalogues -> the changes a user of the generated module would notice.

Pure functions over :class:`~generator.model.Catalogue` values: no I/O. Each change has a
*kind* and the kind alone fixes its *severity*, judged from the point of view of code that
imports the generated package:

* ``breaking``: an import or attribute access that worked stops working (a class, field,
  enum member or alias disappears or is renamed), or a field changes its Python type;
* ``warning``: existing code still imports and runs, but may behave differently (a new enum
  value can fall through an exhaustive ``match``, a field becomes required or optional, a
  type moves host or is kept only as retired);
* ``info``: additions and documentation.

:data:`RULES` is that table; the README shows it as rendered by :func:`rules_markdown`.

Changes are sorted problem types first (by key), then enums (``enum:<field name>``), then
status classes (``status:<code>``); within one key by kind, then subject, so every report is
byte-identical from run to run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from .escape import md_code, md_text, one_line, terminal_line
from .model import Catalogue, EnumType, Field, ProblemType, StatusCode

Severity = Literal["breaking", "warning", "info"]
FailOn = Literal["breaking", "change", "never"]

#: Severities, most severe first: the order of summaries and report sections.
SEVERITIES: tuple[Severity, ...] = ("breaking", "warning", "info")
#: The ``schema`` value of :func:`render_json` output; bump it on an incompatible change.
JSON_SCHEMA = "xproblems-diff/1"
#: Where the source of a problem type is the current spec (``merge.CURRENT``).
_CURRENT_SPEC = "spec"
#: Longest old/new value shown in text and markdown reports (JSON keeps them whole).
_SHOW = 120


@dataclass(frozen=True)
class Rule:
    """One row of the classification table: a change kind, its severity and why."""

    kind: str
    severity: Severity
    when: str
    why: str


#: The classification table, grouped by what changes; README and code both read it.
RULES: tuple[Rule, ...] = (
    # problem types
    Rule("type-added", "info", "a problem type is new (retired on arrival when only older specs know it)", "a new class and `ProblemType` member; nothing existing changes"),
    Rule("type-removed", "breaking", "a problem type is gone", "importing its class or using its `ProblemType` member fails"),
    Rule("type-retired", "warning", "a type the old spec declared is kept only because an older spec (pinned or `--also`) does", "the class stays (marked retired); the API no longer declares the type"),
    Rule("type-unretired", "info", "a retired type is declared again", "the class is no longer marked retired"),
    Rule("type-left-spec", "warning", "the spec no longer declares a type; the curated docs keep it", "the class stays; its spec-only fields may go (reported separately)"),
    Rule("type-entered-spec", "info", "the spec now declares a type that only the docs described", "fields and schema name now come from the spec"),
    Rule("host-changed", "warning", "the canonical type URI moves host (api.twitter.com -> api.x.com)", "`ProblemType` values change; the runtime matches a type on any host"),
    Rule("class-renamed", "breaking", "the public class name changes and the old name is not kept", "importing the old name fails"),
    Rule("class-renamed-aliased", "warning", "the public class name changes; the old name stays as a deprecated alias", "old imports work; `__name__` and reprs change"),
    Rule("member-renamed", "breaking", "the `ProblemType` member name changes", "`ProblemType.OLD_NAME` fails"),
    Rule("alias-added", "info", "a deprecated alias is added", "one more importable name"),
    Rule("alias-removed", "breaking", "a deprecated alias is dropped", "importing the alias fails"),
    Rule("schema-renamed", "info", "the spec's schema name for the same type changes", "nothing, unless the class name changes too (reported separately)"),
    Rule("schema-moved", "warning", "a schema name now names a different problem type", "code or docs that go by schema name now mean another type"),
    Rule("title-changed", "info", "a type's title changes", "docstrings only"),
    Rule("description-changed", "info", "a type's description changes", "docstrings only"),
    # base members of a problem type (`type`, `title`, `detail`, `status`)
    Rule("member-required", "warning", "both specs declare a type and a base member (`type`, `title`, `detail`, `status`) becomes required", "bodies without it are flagged in `Problem.issues`; code may rely on it"),
    Rule("member-optional", "warning", "both specs declare a type and a base member becomes optional", "code that assumed it is present may see `None`"),
    # fields of a problem type
    Rule("field-added", "info", "a field is new", "a new attribute"),
    Rule("field-removed", "breaking", "a field is gone", "reading the attribute fails"),
    Rule("field-retired", "warning", "a field is kept only because an older spec (pinned or `--also`) declares it", "the attribute stays; current responses may lack it"),
    Rule("field-unretired", "info", "a retired field is declared again", "the attribute is no longer marked retired"),
    Rule("field-attr-renamed", "breaking", "a field's Python attribute name changes", "reading the old attribute fails"),
    Rule("field-kind-changed", "breaking", "a field's JSON type changes", "the attribute's Python type changes"),
    Rule("field-required", "warning", "a field becomes required", "validation of responses that lack it changes"),
    Rule("field-optional", "warning", "a field becomes optional", "code that assumed it is present may see `None`"),
    Rule("field-enum-added", "info", "a free-text field gets an enum", "values become enum members (still equal to their strings)"),
    Rule("field-enum-removed", "warning", "a field loses its enum", "values are plain `str`; `isinstance` checks against the enum fail"),
    Rule("field-enum-values-added", "warning", "a field declares new enum values", "an exhaustive `match` on the field can miss them"),
    Rule("field-enum-values-removed", "warning", "a field no longer declares some enum values", "those values should stop appearing; members are reported on the enum"),
    Rule("field-format-changed", "info", "a field's `format` changes", "docstrings only"),
    Rule("field-description-changed", "info", "a field's description changes", "docstrings only"),
    # enum classes (key `enum:<field name>`)
    Rule("enum-added", "info", "a new enum class", "a new importable name"),
    Rule("enum-removed", "breaking", "an enum class is gone", "importing it fails"),
    Rule("enum-renamed", "breaking", "an enum's class name changes", "importing the old name fails"),
    Rule("enum-value-added", "warning", "an enum gains a value", "an exhaustive `match` can miss it"),
    Rule("enum-value-removed", "breaking", "an enum loses a value", "`Enum.MEMBER` fails"),
    Rule("enum-value-retired", "info", "an enum value is kept only because an older spec (pinned or `--also`) lists it", "the member stays, marked retired"),
    Rule("enum-value-unretired", "info", "a retired enum value is listed again", "the member is no longer marked retired"),
    Rule("enum-member-renamed", "breaking", "an enum value's member name changes", "`Enum.OLD_NAME` fails"),
    # HTTP status classes (key `status:<code>`)
    Rule("status-added", "info", "a status class is new", "a new importable name"),
    Rule("status-removed", "breaking", "a status class is gone", "importing it fails"),
    Rule("status-renamed", "breaking", "a status class name changes", "importing the old name fails"),
)

_SEVERITY: dict[str, Severity] = {rule.kind: rule.severity for rule in RULES}
_RULE: dict[str, Rule] = {rule.kind: rule for rule in RULES}
_RANK: dict[Severity, int] = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Change:
    """One difference between two catalogues, classified by :data:`RULES`."""

    severity: Severity
    kind: str
    key: str
    subject: str
    old: str | None
    new: str | None
    message: str

    def to_json(self) -> dict[str, str | None]:
        """The JSON object of this change in :func:`render_json` output."""
        return {
            "severity": self.severity,
            "kind": self.kind,
            "key": self.key,
            "subject": self.subject,
            "old": self.old,
            "new": self.new,
            "message": self.message,
        }


def severity_of(kind: str) -> Severity:
    """The severity :data:`RULES` gives a change kind (``KeyError`` for an unknown kind)."""
    return _SEVERITY[kind]


def _change(kind: str, key: str, subject: str, old: str | None, new: str | None, message: str) -> Change:
    return Change(_SEVERITY[kind], kind, key, subject, old, new, message)


def _group(key: str) -> int:
    if key.startswith("enum:"):
        return 1
    if key.startswith("status:"):
        return 2
    return 0


def sort_changes(changes: Iterable[Change]) -> tuple[Change, ...]:
    """Problem types, then enums, then status classes; each by key, kind, subject, values."""
    return tuple(sorted(set(changes), key=lambda c: (_group(c.key), c.key, c.kind, c.subject, c.old or "", c.new or "", c.message)))


# --- problem types -------------------------------------------------------------------------


def _host(uri: str) -> str:
    return (urlsplit(uri).hostname or "").lower()


def _in_spec(problem: ProblemType) -> bool:
    return _CURRENT_SPEC in problem.sources


def _spec_schema(problem: ProblemType) -> str | None:
    """The schema name the catalogue's own spec uses for the type, if it declares it."""
    return problem.schema_names[0] if problem.schema_names and _in_spec(problem) else None


def _same_uri(old: str, new: str) -> bool:
    a, b = urlsplit(old), urlsplit(new)
    return (a.scheme.lower(), (a.hostname or "").lower(), a.port, a.path, a.query) == (b.scheme.lower(), (b.hostname or "").lower(), b.port, b.path, b.query)


def _type_changes(old: ProblemType, new: ProblemType) -> list[Change]:
    key = old.key
    name = new.class_name
    out: list[Change] = []
    if not old.retired and new.retired:
        out.append(_change("type-retired", key, "type", None, None, f"{name} is kept only because an older (pinned or --also) spec declares it"))
    elif old.retired and not new.retired:
        out.append(_change("type-unretired", key, "type", None, None, f"{name} is declared again"))
    if _in_spec(old) and not _in_spec(new) and not new.retired:
        out.append(_change("type-left-spec", key, "type", None, None, f"the spec no longer declares {name}; the curated docs keep it"))
    elif not _in_spec(old) and _in_spec(new) and not old.retired:
        out.append(_change("type-entered-spec", key, "type", None, None, f"the spec now declares {name}"))
    if not _same_uri(old.uri, new.uri):
        hosts = f"{_host(old.uri) or old.uri} -> {_host(new.uri) or new.uri}"
        out.append(_change("host-changed", key, "uri", old.uri, new.uri, f"{name}: canonical type URI moved ({hosts}); bodies with either URI still parse as {name}"))
    if old.class_name != new.class_name:
        aliased = any(a.name == old.class_name for a in new.aliases)
        kind = "class-renamed-aliased" if aliased else "class-renamed"
        tail = f"; {old.class_name} stays as a deprecated alias" if aliased else f"; {old.class_name} is gone"
        out.append(_change(kind, key, "class", old.class_name, new.class_name, f"class {old.class_name} is now {new.class_name}{tail}"))
    if old.member != new.member:
        out.append(_change("member-renamed", key, "member", old.member, new.member, f"ProblemType.{old.member} is now ProblemType.{new.member}"))
    old_aliases = {a.name for a in old.aliases}
    new_aliases = {a.name for a in new.aliases}
    for alias in sorted(new_aliases - old_aliases):
        out.append(_change("alias-added", key, f"alias {alias}", None, alias, f"{alias} is a new deprecated alias of {name}"))
    for alias in sorted(old_aliases - new_aliases):
        if alias == new.class_name:
            continue  # the alias became the class name itself: still importable
        out.append(_change("alias-removed", key, f"alias {alias}", alias, None, f"deprecated alias {alias} of {name} is gone"))
    old_schema, new_schema = _spec_schema(old), _spec_schema(new)
    if old_schema and new_schema and old_schema != new_schema:
        out.append(_change("schema-renamed", key, "schema", old_schema, new_schema, f"the spec's schema for {name} is now {new_schema} (was {old_schema})"))
    if old.title != new.title:
        out.append(_change("title-changed", key, "title", old.title, new.title, f"title of {name} changed"))
    if old.description != new.description:
        out.append(_change("description-changed", key, "description", old.description, new.description, f"description of {name} changed"))
    out.extend(_base_member_changes(old, new))
    out.extend(_field_changes(old, new))
    return out


def _base_member_changes(old: ProblemType, new: ProblemType) -> list[Change]:
    """Base members that became required or optional, where both specs declare the type."""
    if not (_in_spec(old) and _in_spec(new)):
        return []
    key, name = old.key, new.class_name
    out = []
    for member in sorted(set(old.base_required) ^ set(new.base_required)):
        now = "required" if member in new.base_required else "optional"
        was = "optional" if now == "required" else "required"
        out.append(_change(f"member-{now}", key, f"member {member}", was, now, f"{name}: base member {member!r} became {now}"))
    return out


def _values(values: Sequence[str]) -> str:
    return ", ".join(values)


def _field_changes(old: ProblemType, new: ProblemType) -> list[Change]:
    key, name = old.key, new.class_name
    olds = {f.name: f for f in old.fields}
    news = {f.name: f for f in new.fields}
    out: list[Change] = []
    for field_name in sorted(news.keys() - olds.keys()):
        f = news[field_name]
        retired = " (retired)" if f.retired else ""
        out.append(_change("field-added", key, f"field {field_name}", None, f.kind, f"{name}.{f.attr}: new {_required(f)} {f.kind} field{retired}"))
    for field_name in sorted(olds.keys() - news.keys()):
        f = olds[field_name]
        out.append(_change("field-removed", key, f"field {field_name}", f.kind, None, f"{name}.{f.attr} is gone"))
    for field_name in sorted(olds.keys() & news.keys()):
        out.extend(_one_field(key, name, olds[field_name], news[field_name]))
    return out


def _required(f: Field) -> str:
    return "required" if f.required else "optional"


def _one_field(key: str, name: str, a: Field, b: Field) -> list[Change]:
    subject = f"field {a.name}"
    where = f"{name}.{b.attr}"
    out: list[Change] = []
    if not a.retired and b.retired:
        out.append(_change("field-retired", key, subject, None, None, f"{where} is kept only because an older (pinned or --also) spec declares it"))
    elif a.retired and not b.retired:
        out.append(_change("field-unretired", key, subject, None, None, f"{where} is declared again"))
    if a.attr != b.attr:
        out.append(_change("field-attr-renamed", key, subject, a.attr, b.attr, f"{name}.{a.attr} is now {where}"))
    if a.kind != b.kind:
        out.append(_change("field-kind-changed", key, subject, a.kind, b.kind, f"{where} changed type from {a.kind} to {b.kind}"))
    if a.required != b.required:
        kind = "field-required" if b.required else "field-optional"
        out.append(_change(kind, key, subject, _required(a), _required(b), f"{where} became {_required(b)}"))
    if a.enum_values and not b.enum_values:
        out.append(_change("field-enum-removed", key, subject, _values(a.enum_values), None, f"{where} no longer has an enum (values are plain str)"))
    elif b.enum_values and not a.enum_values:
        out.append(_change("field-enum-added", key, subject, None, _values(b.enum_values), f"{where} now has enum {b.enum or '(unnamed)'}"))
    elif a.enum_values and b.enum_values:
        added = [v for v in b.enum_values if v not in a.enum_values]
        removed = [v for v in a.enum_values if v not in b.enum_values]
        if added:
            out.append(_change("field-enum-values-added", key, subject, None, _values(added), f"{where} gained enum values: {_values(added)}"))
        if removed:
            out.append(_change("field-enum-values-removed", key, subject, _values(removed), None, f"{where} no longer lists enum values: {_values(removed)}"))
    if a.format != b.format:
        out.append(_change("field-format-changed", key, subject, a.format, b.format, f"{where} format changed"))
    if a.description != b.description:
        out.append(_change("field-description-changed", key, subject, a.description, b.description, f"{where} description changed"))
    return out


def _schema_moves(old: Catalogue, new: Catalogue) -> list[Change]:
    """Schema names the old spec used for one type and the new spec uses for another."""
    before = {s: p.key for p in old.problems if (s := _spec_schema(p))}
    after = {s: p for p in new.problems if (s := _spec_schema(p))}
    out = []
    for schema, old_key in sorted(before.items()):
        moved = after.get(schema)
        if moved is not None and moved.key != old_key:
            out.append(_change("schema-moved", moved.key, f"schema {schema}", old_key, moved.key, f"schema {schema} named type {old_key!r}; it now names {moved.key!r} ({moved.class_name})"))
    return out


# --- enums and statuses --------------------------------------------------------------------


def _enum_changes(old: Sequence[EnumType], new: Sequence[EnumType]) -> list[Change]:
    olds = {e.field_name: e for e in old}
    news = {e.field_name: e for e in new}
    out: list[Change] = []
    for field_name in sorted(news.keys() - olds.keys()):
        e = news[field_name]
        out.append(_change("enum-added", f"enum:{field_name}", "enum", None, e.class_name, f"new enum {e.class_name}: {_values([v.value for v in e.values])}"))
    for field_name in sorted(olds.keys() - news.keys()):
        e = olds[field_name]
        out.append(_change("enum-removed", f"enum:{field_name}", "enum", e.class_name, None, f"enum {e.class_name} is gone"))
    for field_name in sorted(olds.keys() & news.keys()):
        out.extend(_one_enum(olds[field_name], news[field_name]))
    return out


def _one_enum(a: EnumType, b: EnumType) -> list[Change]:
    key = f"enum:{a.field_name}"
    out: list[Change] = []
    if a.class_name != b.class_name:
        out.append(_change("enum-renamed", key, "enum", a.class_name, b.class_name, f"enum {a.class_name} is now {b.class_name}"))
    olds = {v.value: v for v in a.values}
    news = {v.value: v for v in b.values}
    for value in sorted(news.keys() - olds.keys()):
        v = news[value]
        out.append(_change("enum-value-added", key, f"value {value}", None, v.member, f"{b.class_name}.{v.member} = {value!r} is new"))
    for value in sorted(olds.keys() - news.keys()):
        v = olds[value]
        out.append(_change("enum-value-removed", key, f"value {value}", v.member, None, f"{a.class_name}.{v.member} = {value!r} is gone"))
    for value in sorted(olds.keys() & news.keys()):
        va, vb = olds[value], news[value]
        if va.member != vb.member:
            out.append(_change("enum-member-renamed", key, f"value {value}", va.member, vb.member, f"{a.class_name}.{va.member} is now {b.class_name}.{vb.member}"))
        if not va.retired and vb.retired:
            out.append(_change("enum-value-retired", key, f"value {value}", None, None, f"{b.class_name}.{vb.member} is kept only because an older (pinned or --also) spec lists it"))
        elif va.retired and not vb.retired:
            out.append(_change("enum-value-unretired", key, f"value {value}", None, None, f"{b.class_name}.{vb.member} is listed again"))
    return out


def _status_changes(old: Sequence[StatusCode], new: Sequence[StatusCode]) -> list[Change]:
    olds = {s.code: s for s in old}
    news = {s.code: s for s in new}
    out: list[Change] = []
    for code in sorted(news.keys() - olds.keys()):
        out.append(_change("status-added", f"status:{code}", "class", None, news[code].class_name, f"new status class {news[code].class_name} ({code})"))
    for code in sorted(olds.keys() - news.keys()):
        out.append(_change("status-removed", f"status:{code}", "class", olds[code].class_name, None, f"status class {olds[code].class_name} ({code}) is gone"))
    for code in sorted(olds.keys() & news.keys()):
        a, b = olds[code], news[code]
        if a.class_name != b.class_name:
            out.append(_change("status-renamed", f"status:{code}", "class", a.class_name, b.class_name, f"status class {a.class_name} is now {b.class_name}"))
    return out


# --- entry point ---------------------------------------------------------------------------


def diff_catalogues(old: Catalogue, new: Catalogue) -> tuple[Change, ...]:
    """Every change from ``old`` to ``new``, classified and sorted (see :func:`sort_changes`).

    Each side is normally built on its pinned history (the pins older than itself), so the
    types and fields the new spec dropped show up as retired rather than removed.
    """
    olds = {p.key: p for p in old.problems}
    news = {p.key: p for p in new.problems}
    changes: list[Change] = []
    for key in news.keys() - olds.keys():
        p = news[key]
        retired = " (retired: only an older spec declares it)" if p.retired else ""
        changes.append(_change("type-added", key, "type", None, p.class_name, f"new problem type {p.class_name} ({p.uri}){retired}"))
    for key in olds.keys() - news.keys():
        p = olds[key]
        changes.append(_change("type-removed", key, "type", p.class_name, None, f"problem type {p.class_name} ({p.uri}) is gone"))
    for key in olds.keys() & news.keys():
        changes.extend(_type_changes(olds[key], news[key]))
    changes.extend(_schema_moves(old, new))
    changes.extend(_enum_changes(old.enums, new.enums))
    changes.extend(_status_changes(old.statuses, new.statuses))
    return sort_changes(changes)


def summary(changes: Sequence[Change]) -> dict[str, int]:
    """Counts per severity plus ``total``, every key always present."""
    counts: dict[str, int] = {s: 0 for s in SEVERITIES}
    for c in changes:
        counts[c.severity] += 1
    counts["total"] = len(changes)
    return counts


def exit_code(changes: Sequence[Change], fail_on: FailOn) -> int:
    """1 when ``fail_on`` trips (``breaking``: any breaking change; ``change``: any change at
    all, info included; ``never``: never), else 0."""
    if fail_on == "never":
        return 0
    if fail_on == "breaking":
        return int(any(c.severity == "breaking" for c in changes))
    if fail_on == "change":
        return int(bool(changes))
    raise ValueError(f"unknown fail_on {fail_on!r}")


# --- renderers -----------------------------------------------------------------------------


def _short(value: str | None) -> str:
    if value is None:
        return "-"
    flat = " ".join(value.split())
    return flat if len(flat) <= _SHOW else flat[: _SHOW - 3] + "..."


def _summary_line(changes: Sequence[Change]) -> str:
    counts = summary(changes)
    return ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)


@dataclass(frozen=True)
class Group:
    """Changes of one kind that say the same of several types: one row in text and Markdown.

    ``old``/``new`` are what the changes share (for ``host-changed``, the hosts); ``keys``
    lists every type, and ``changes`` keeps each change whole.
    """

    severity: Severity
    kind: str
    subject: str
    old: str | None
    new: str | None
    changes: tuple[Change, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The types (or enums) the changes are about, in report order."""
        return tuple(c.key for c in self.changes)

    def to_json(self) -> dict[str, object]:
        """The JSON object of this group in :func:`render_json` output."""
        return {"severity": self.severity, "kind": self.kind, "subject": self.subject, "old": self.old, "new": self.new, "keys": list(self.keys)}


def _shared(change: Change) -> tuple[str, str, str | None, str | None]:
    """What a change has in common with the same change to another type."""
    if change.kind == "host-changed":
        return change.kind, change.subject, _host(change.old or "") or change.old, _host(change.new or "") or change.new
    return change.kind, change.subject, change.old, change.new


def group_changes(changes: Sequence[Change]) -> tuple[Group, ...]:
    """Changes with the same kind, subject and values (hosts, for a host move) as one group
    each, placed where the first of them is; every change is in exactly one group."""
    groups: dict[tuple[str, str, str | None, str | None], list[Change]] = {}
    for change in changes:
        groups.setdefault(_shared(change), []).append(change)
    return tuple(Group(members[0].severity, kind, subject, old, new, tuple(members)) for (kind, subject, old, new), members in groups.items())


def _shared_values(group: Group) -> str:
    return f" ({_short(group.old)} -> {_short(group.new)})" if group.old or group.new else ""


def _grouped_message(group: Group) -> str:
    """The details of a Markdown row: the change's own message, or the rule's effect."""
    if len(group.changes) == 1:
        return group.changes[0].message
    return f"{len(group.changes)} types: {_RULE[group.kind].why}"


def render_text(changes: Sequence[Change]) -> str:
    """One line per change (``severity key kind: message``), a change that applies to several
    types as one line listing them, then a summary line; no control, bidi or surrogate
    character (see :func:`escape.terminal_line`)."""
    if not changes:
        return "no changes\n"
    groups = group_changes(changes)
    width_sev = max(len(c.severity) for c in changes)
    width_key = max(len(c.key) for c in changes)
    lines = []
    for g in groups:
        if len(g.changes) == 1:
            lines.append(f"{g.severity:<{width_sev}}  {g.keys[0]:<{width_key}}  {g.kind}: {one_line(g.changes[0].message)}")
        else:
            count = f"({len(g.keys)} types)"
            lines.append(f"{g.severity:<{width_sev}}  {count:<{width_key}}  {g.kind}: {one_line(g.subject + _shared_values(g))}: {', '.join(g.keys)}")
    lines.append(f"{len(changes)} change(s): {_summary_line(changes)}")
    # Keys, subjects and values are spec text: each line is one terminal-safe line.
    return "\n".join(terminal_line(line) for line in lines) + "\n"


def _cell(text: str) -> str:
    """A Markdown table cell: spec text made inert the same way as in docs/errors.md."""
    return md_text(text)


def _code(text: str) -> str:
    return md_code(text) if text != "-" else "-"


#: A severity section with more rows than this is folded into ``<details>`` (breaking never
#: is: it is what a reviewer must see), and a row listing more types than
#: :data:`FOLD_KEYS` folds the list, as oasdiff's pull-request comments do.
FOLD_ROWS = 5
FOLD_KEYS = 3


def _kinds(changes: Sequence[Change]) -> str:
    """``host-changed ×17, field-optional ×14``: the kinds of changes, most frequent first."""
    counts: dict[str, int] = {}
    for c in changes:
        counts[c.kind] = counts.get(c.kind, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{kind} ×{n}" if n > 1 else kind for kind, n in ranked) or "—"


def _keys_cell(group: Group) -> str:
    """The types a row is about; a long list folded behind its count. ``<details>`` inside a
    cell is inline HTML, so the code spans in it still render."""
    keys = ", ".join(_code(k) for k in group.keys)
    if len(group.keys) <= FOLD_KEYS:
        return keys
    return f"<details><summary>{len(group.keys)} types</summary>{keys}</details>"


def _folded(summary_line: str, body: list[str]) -> list[str]:
    """``body`` in a ``<details>`` block. The blank lines around it are what make GitHub
    render the Markdown inside as Markdown, not as literal text."""
    return ["<details>", f"<summary>{summary_line}</summary>", "", *body, "", "</details>"]


def render_markdown(changes: Sequence[Change], old_version: str, new_version: str) -> str:
    """A pull-request body: title, a summary of counts and kinds by severity, then one table
    per severity present; long tables and long lists of types are folded in ``<details>``."""
    lines = [f"## X API problem types: {md_code(old_version)} -> {md_code(new_version)}", ""]
    if not changes:
        lines += ["No changes to problem types, fields, enums or status classes.", ""]
        return "\n".join(lines)
    counts = summary(changes)
    lines += ["| severity | changes | kinds |", "|---|---:|---|"]
    lines += [f"| {s} | {counts[s]} | {_kinds([c for c in changes if c.severity == s])} |" for s in SEVERITIES]
    lines += [f"| **total** | **{counts['total']}** | |", ""]
    for severity in SEVERITIES:
        rows = [g for g in group_changes(changes) if g.severity == severity]
        if not rows:
            continue
        count = sum(len(g.changes) for g in rows)
        lines += [f"### {severity.capitalize()} ({count})", ""]
        table = ["| type | change | subject | old | new | details |", "|---|---|---|---|---|---|"]
        for g in rows:
            table.append(f"| {_keys_cell(g)} | {g.kind} | {_cell(g.subject)} | {_code(_short(g.old))} | {_code(_short(g.new))} | {_cell(_grouped_message(g))} |")
        if severity != "breaking" and len(rows) > FOLD_ROWS:
            table = _folded(f"{count} {severity} changes in {len(rows)} rows", table)
        lines += [*table, ""]
    lines += ["Severities follow the rule table in the README (`generator/diff.py` `RULES`).", ""]
    return "\n".join(lines)


def render_json(changes: Sequence[Change], old_version: str, new_version: str) -> str:
    """The stable machine form (schema ``xproblems-diff/1``), documented in the README::

        {"schema": "xproblems-diff/1", "old": "<version>", "new": "<version>",
         "summary": {"breaking": n, "warning": n, "info": n, "total": n},
         "changes": [{"severity", "kind", "key", "subject", "old", "new", "message"}, ...],
         "groups": [{"severity", "kind", "subject", "old", "new", "keys": [...]}, ...]}

    Keys sorted, two-space indent, ASCII only, trailing newline; ``changes`` in report order,
    every change whole; ``groups`` (added within schema 1: readers of it are unaffected) is
    how text and Markdown show them, each change's key in exactly one group.
    """
    data = {
        "schema": JSON_SCHEMA,
        "old": old_version,
        "new": new_version,
        "summary": summary(changes),
        "changes": [c.to_json() for c in changes],
        "groups": [g.to_json() for g in group_changes(changes)],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def rules_markdown() -> str:
    """:data:`RULES` as a markdown table, for the README."""
    lines = ["| change | severity | reported when | effect on code using the package |", "|---|---|---|---|"]
    for rule in RULES:
        lines.append(f"| `{rule.kind}` | {rule.severity} | {rule.when} | {rule.why} |")
    return "\n".join(lines) + "\n"
