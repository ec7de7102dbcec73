"""An audit report -> a supplement fragment (YAML) for a maintainer to review and merge.

Every suggested fact carries an ``observed`` source (the files, how often, first and last
seen) instead of a documentation quote; ``supplement`` validates that source kind and
``merge`` ranks it below the spec and the docs. What is suggested:

* a type the catalogue does not have: a new entry with its members as ``extra_fields``;
* a member of a known type that nothing declares, or that only older specs declare (a
  retired field that still occurs): an ``extra_field``;
* enum values the catalogue does not list: an ``extra_field`` of that name listing them;
* statuses a type came with that the docs do not give (and the docs' table has): a
  ``statuses`` entry.

An entry whose ``uri`` is already in the supplement extends it: its ``statuses`` and
``extra_fields`` go into that entry (and ``observed``, when that entry has no ``cite``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

import yaml

from .audit import ODD_NAME, AuditReport, Seen, TypeFinding
from .escape import terminal_line
from .model import Catalogue, Supplement
from .names import problem_class_name, unique
from .runtime_source import RESERVED_NAMES
from .supplement import uri_key

#: ``when`` of a suggested status, and the ``description`` of suggested fields.
OBSERVED_WHEN = "observed in recorded traffic"
NEW_FIELD = "Observed in recorded traffic; neither the spec nor the docs declare it."
RETIRED_FIELD = "Observed in recorded traffic, although only older spec versions declare it."
NEW_VALUES = "Observed in recorded traffic with values the spec does not list."
_KINDS = ("string", "integer", "number", "boolean", "array", "object")


def observed(seen: Seen) -> dict[str, Any]:
    """The ``observed`` source of one suggested fact. Files by name only: the supplement and
    the docs made from it are shared, the directories of someone's recordings are not."""
    return {"files": list(dict.fromkeys(PurePath(f).name for f in seen.files)), "count": seen.count, "first_seen": seen.first_seen, "last_seen": seen.last_seen}


def field_kind(kinds: Iterable[str]) -> str:
    """The supplement kind for the JSON kinds a member's values had (``null`` says nothing)."""
    found = set(kinds) - {"null"}
    if found == {"integer", "number"}:
        return "number"
    if len(found) == 1 and next(iter(found)) in _KINDS:
        return next(iter(found))
    return "any"


def suggestions(report: AuditReport, catalogue: Catalogue, supplement: Supplement) -> list[dict[str, Any]]:
    """The ``problems`` entries to suggest, one per type with anything to add, by key.

    A type the supplement has gets an entry of its ``uri`` as the supplement spells it and
    only what to add to it; any other gets a whole entry (``class_name``, ``cite: null``)."""
    entries = _Entries({uri_key(p.uri): p.uri for p in supplement.problems})
    known = {p.key: p for p in catalogue.problems}
    table = {s.code for s in catalogue.statuses}
    taken = {p.class_name for p in catalogue.problems} | {s.class_name for s in catalogue.statuses} | set(RESERVED_NAMES)
    for t in report.types:
        if t.class_name is None:
            name = unique([problem_class_name(None, None, t.key)], taken)[0]
            taken.add(name)
            entries[t.key] = _new_type(t, name, table)
        else:
            entry = entries.entry(t.key, t.uri, t.class_name)
            if t.retired:
                entry["observed"] = observed(t.seen)
            entry["statuses"] += _statuses(t, table)
    for m in report.members:
        if m.member == ODD_NAME:
            continue  # a name that is user data is never suggested
        entry = entries.entry(m.key, known[m.key].uri, m.class_name)
        entry["extra_fields"].append({"name": m.member, "kind": field_kind(m.kinds), "description": NEW_FIELD, "observed": observed(m.seen)})
    _enum_fields(report, known, entries)
    for r in report.retired:
        if r.field is not None and r.value is None:
            entry = entries.entry(r.key, known[r.key].uri, r.class_name)
            entry["extra_fields"].append({"name": r.field, "kind": r.field_kind or "any", "description": RETIRED_FIELD, "observed": observed(r.seen)})
    return [_tidy(e) for _, e in sorted(entries.items()) if e["statuses"] or e["extra_fields"] or "observed" in e]


class _Entries(dict[str, dict[str, Any]]):
    """The suggested entries by key, knowing the supplement's own spelling of each uri."""

    def __init__(self, supplement_uris: dict[str, str]) -> None:
        super().__init__()
        self.supplement_uris = supplement_uris

    def entry(self, key: str, uri: str, class_name: str) -> dict[str, Any]:
        """The entry of ``key``, made on first use."""
        if key not in self:
            spelled = self.supplement_uris.get(uri_key(uri))
            whole = {"uri": uri, "class_name": class_name, "cite": None}
            self[key] = {**({"uri": spelled} if spelled else whole), "statuses": [], "extra_fields": []}
        return self[key]


def _new_type(t: TypeFinding, name: str, table: set[int]) -> dict[str, Any]:
    # a type no spec, doc or earlier observation has: keyed by its URI as it came
    fields = [{"name": m.name, "kind": field_kind(m.kinds), "description": NEW_FIELD, "observed": observed(m.seen)} for m in t.members if m.name != ODD_NAME]
    return {"uri": t.uri, "class_name": name, "observed": observed(t.seen), "statuses": _statuses(t, table), "extra_fields": fields}


def _statuses(t: TypeFinding, table: set[int]) -> list[dict[str, Any]]:
    """The type's undocumented statuses (``audit`` decides which: error statuses only, none
    for ``about:blank``), each with its evidence; only codes of the docs' table, which merge
    requires."""
    seen = dict(t.statuses)
    return [{"code": code, "when": OBSERVED_WHEN, "observed": observed(seen[str(code)])} for code in t.undocumented_statuses if code in table]


def _enum_fields(report: AuditReport, known: dict[str, Any], entries: _Entries) -> None:
    """One extra field per enum field with undeclared (code-like) values."""
    grouped: dict[tuple[str, str], list[Any]] = {}
    for e in report.enum_values:
        if e.value is not None:
            grouped.setdefault((e.key, e.field), []).append(e)
    for (key, name), found in sorted(grouped.items()):
        entry = entries.entry(key, known[key].uri, found[0].class_name)
        total = Seen(
            sum(e.seen.count for e in found),
            min((e.seen.first_seen for e in found if e.seen.first_seen), default=None),
            max((e.seen.last_seen for e in found if e.seen.last_seen), default=None),
            found[0].seen.first_at,
            tuple(dict.fromkeys(f for e in found for f in e.seen.files)),
        )
        values = sorted(e.value for e in found)
        entry["extra_fields"].append({"name": name, "kind": found[0].field_kind, "description": NEW_VALUES, "enum_values": values, "observed": observed(total)})


def _tidy(entry: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty lists (the supplement's lists are optional)."""
    return {k: v for k, v in entry.items() if v != []}


_HEADER = """\
# Suggested by `xproblems audit --suggest` from recorded traffic ({files}).
# Review every entry before merging it into specs/supplement.yaml.
# - An entry with only a uri (spelled as the supplement spells it) and statuses,
#   extra_fields or observed extends the supplement's entry of that uri: append its
#   statuses and extra_fields there (and add `observed` where that entry has no cite).
#   An observed extra field may share its name with a cited one (observed enum values of
#   a field the docs describe): keep both.
# - An entry with a class_name is new: append it to `problems`. Class names of types new
#   to the catalogue are derived from their URI: rename them now, as they become public.
"""


def render_suggestions(report: AuditReport, catalogue: Catalogue, supplement: Supplement) -> str:
    """The fragment as YAML text (``problems:``), with a header saying how to merge it."""
    entries = suggestions(report, catalogue, supplement)
    body = yaml.safe_dump({"problems": entries}, sort_keys=False, allow_unicode=False, default_flow_style=False, width=100)
    files = ", ".join(PurePath(f).name for f in report.files) or "no files"
    return _HEADER.format(files=terminal_line(files)) + body
