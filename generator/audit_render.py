"""An :class:`audit.AuditReport` as text, Markdown or JSON (schema ``xproblems-audit/1``).

Each renderer reads only the report. Everything in it that came from traffic (type URIs,
member names, code-like values, routes, file names) is data: text lines go through
``escape.terminal_line``, Markdown through ``md_text``/``md_code``, and JSON is ASCII.
The JSON report is what the report holds and nothing else: no header value, no URL query,
no body value unless ``--show-values`` asked for masked ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .audit import AuditReport, Seen
from .diff import FOLD_ROWS
from .escape import md_code, md_text, terminal_line

SCHEMA = "xproblems-audit/1"


def _when(seen: Seen) -> str:
    if seen.first_seen is None:
        return f"first at {seen.first_at}"
    span = seen.first_seen if seen.first_seen == seen.last_seen else f"{seen.first_seen} .. {seen.last_seen}"
    return f"{span}, first at {seen.first_at}"


def _pairs(pairs: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{name} ×{count}" for name, count in pairs) or "-"


def _statuses(statuses: Sequence[tuple[str, Seen]]) -> str:
    return _pairs([(status, seen.count) for status, seen in statuses])


def _label(class_name: str | None, key: str) -> str:
    return class_name or f"(unknown) {_name(key)}"


#: Longer names from traffic (a member name can be anything) are cut in text and Markdown.
_NAME_LIMIT = 100


def _name(text: str) -> str:
    return text if len(text) <= _NAME_LIMIT else text[:_NAME_LIMIT] + "..."


def _enum_value(value: str | None, masked: str | None) -> str:
    if value is not None:
        return value
    return f"(not a code: {masked})" if masked is not None else "(not a code; --show-values shows it masked)"


# --- text -----------------------------------------------------------------------------------


def render_text(report: AuditReport) -> str:
    """A terminal report: totals, then one section per finding kind that has findings."""
    lines = [
        f"audited {len(report.files)} file(s) against the catalogue of spec {report.spec_version}: "
        f"{report.responses} response(s), {report.frames} stream frame(s)"
        + (f", {report.other_hosts} HAR entries of other hosts skipped" if report.other_hosts else ""),
        f"outcomes: {_pairs(report.outcomes)}",
        f"new to the catalogue: {report.new}",
    ]
    for title, body in _text_sections(report):
        if body:
            lines += ["", f"{title} ({len(body)}):", *(f"  {b}" for b in body)]
    return "\n".join(terminal_line(line) for line in lines) + "\n"


def _text_sections(report: AuditReport) -> list[tuple[str, list[str]]]:
    return [
        ("unknown problem types", [f"{_name(t.uri)}: ×{t.seen.count}, statuses {_statuses(t.statuses)}, {_when(t.seen)}{_routes(t.routes, t.more_routes)}; example {t.example}" for t in report.unknown_types]),
        ("undeclared members", [f"{m.class_name}.{_name(m.member)}: {'/'.join(m.kinds)} ×{m.seen.count}, {_when(m.seen)}" + (f"; e.g. {m.example}" if m.example else "") for m in report.members]),
        ("required members missing", [f"{m.class_name}.{m.member}: missing in {m.missing} of {m.of}" for m in report.missing]),
        ("undeclared enum values", [f"{e.class_name}.{e.field} = {_enum_value(e.value, e.masked)}: ×{e.seen.count}, {_when(e.seen)}" for e in report.enum_values]),
        ("retired but still occurring", [f"{_retired_subject(r.class_name, r.field, r.value)}: ×{r.seen.count}, {_when(r.seen)}" for r in report.retired]),
        ("observed statuses", [f"{_label(t.class_name, t.key)}: {_statuses(t.statuses)}" + (f" (undocumented: {', '.join(map(str, t.undocumented_statuses))})" if t.undocumented_statuses else "") for t in report.types]),
        ("bodies that are not problems", [f"{b.kind}: ×{b.seen.count}, statuses {_pairs(b.statuses)}, {_when(b.seen)}" for b in report.bodies]),
        ("rate-limit header families", [f"{h.family} ({', '.join(h.members)}): ×{h.seen.count}, statuses {_pairs(h.statuses)}" + ("" if h.known else "; not read by the runtime's RateLimit") for h in report.rate_limits]),
        ("stream frames", [f"{kind}: ×{count}" for kind, count in report.stream.frames]),
        ("stream disconnect types", [f"{kind}: ×{count}" for kind, count in report.stream.disconnects]),
    ]


def _routes(routes: Sequence[tuple[str, int]], more: int) -> str:
    listed = _pairs(routes) + (f" and ×{more} on other routes" if more else "")
    return f", from {listed}" if routes else ""


def _md_routes(routes: Sequence[tuple[str, int]], more: int) -> str:
    return md_text(_routes(routes, more).removeprefix(", from ") or "-")


def _retired_subject(class_name: str, field: str | None, value: str | None) -> str:
    if field is None:
        return f"{class_name} (the type)"
    return f"{class_name}.{field}" + (f" = {value}" if value is not None else "")


# --- Markdown -------------------------------------------------------------------------------


def render_markdown(report: AuditReport) -> str:
    """A pull-request or issue body: a summary table, then one table per finding kind."""
    lines = [
        f"## X API traffic audit against spec {md_code(report.spec_version)}",
        "",
        f"{report.responses} responses and {report.frames} stream frames in {len(report.files)} file(s); "
        f"**{report.new}** new to the catalogue.",
        "",
        "| outcome | count |",
        "|---|---:|",
        *(f"| {md_text(name)} | {count} |" for name, count in report.outcomes),
        "",
    ]
    for title, header, rows in _md_sections(report):
        if not rows:
            continue
        table = [header, _rule(header), *rows]
        if len(rows) > FOLD_ROWS:
            table = ["<details>", f"<summary>{len(rows)} rows</summary>", "", *table, "", "</details>"]
        lines += [f"### {title} ({len(rows)})", "", *table, ""]
    return "\n".join(lines)


def _rule(header: str) -> str:
    return "|" + "---|" * (header.count("|") - 1)


def _md_seen(seen: Seen) -> str:
    return f"{seen.count} | {md_text(seen.first_seen or '-')} | {md_text(seen.last_seen or '-')}"


def _md_sections(report: AuditReport) -> list[tuple[str, str, list[str]]]:
    return [
        (
            "Unknown problem types",
            "| type | count | first seen | last seen | statuses | routes | example |",
            [f"| {md_code(_name(t.uri))} | {_md_seen(t.seen)} | {md_text(_statuses(t.statuses))} | {_md_routes(t.routes, t.more_routes)} | {md_code(t.example)} |" for t in report.unknown_types],
        ),
        (
            "Undeclared members",
            "| class | member | kinds | count | first seen | last seen |",
            [f"| {md_code(m.class_name)} | {md_code(_name(m.member))} | {md_text('/'.join(m.kinds))} | {_md_seen(m.seen)} |" for m in report.members],
        ),
        (
            "Required members missing",
            "| class | member | missing | of |",
            [f"| {md_code(m.class_name)} | {md_code(m.member)} | {m.missing} | {m.of} |" for m in report.missing],
        ),
        (
            "Undeclared enum values",
            "| class | field | value | count | first seen | last seen |",
            [f"| {md_code(e.class_name)} | {md_code(e.field)} | {md_code(e.value) if e.value is not None else md_text(_enum_value(None, e.masked))} | {_md_seen(e.seen)} |" for e in report.enum_values],
        ),
        (
            "Retired but still occurring",
            "| retired | count | first seen | last seen |",
            [f"| {md_code(_retired_subject(r.class_name, r.field, r.value))} | {_md_seen(r.seen)} |" for r in report.retired],
        ),
        (
            "Observed statuses",
            "| type | statuses | undocumented |",
            [f"| {md_code(_label(t.class_name, t.key))} | {md_text(_statuses(t.statuses))} | {md_text(', '.join(map(str, t.undocumented_statuses)) or '-')} |" for t in report.types],
        ),
        (
            "Bodies that are not problems",
            "| kind | count | first seen | last seen | statuses |",
            [f"| {md_text(b.kind)} | {_md_seen(b.seen)} | {md_text(_pairs(b.statuses))} |" for b in report.bodies],
        ),
        (
            "Rate-limit header families",
            "| family | members | responses | statuses | read by the runtime |",
            [f"| {md_code(h.family)} | {md_text(', '.join(h.members))} | {h.seen.count} | {md_text(_pairs(h.statuses))} | {'yes' if h.known else 'no'} |" for h in report.rate_limits],
        ),
        (
            "Stream frames",
            "| kind | count |",
            [f"| {md_text(k)} | {c} |" for k, c in report.stream.frames] + [f"| disconnect: {md_code(k)} | {c} |" for k, c in report.stream.disconnects],
        ),
    ]


# --- JSON -----------------------------------------------------------------------------------


def _seen(seen: Seen) -> dict[str, Any]:
    return {"count": seen.count, "first_seen": seen.first_seen, "last_seen": seen.last_seen, "first_at": seen.first_at, "files": list(seen.files)}


def report_data(report: AuditReport) -> dict[str, Any]:
    """The report as plain JSON data (``xproblems-audit/1``; the schema is in ``schemas/``)."""
    return {
        "schema": SCHEMA,
        "spec_version": report.spec_version,
        "files": list(report.files),
        "show_values": report.show_values,
        "totals": {"responses": report.responses, "frames": report.frames, "other_hosts": report.other_hosts, "new": report.new},
        "outcomes": dict(report.outcomes),
        "types": [
            {
                "key": t.key,
                "uri": t.uri,
                "class_name": t.class_name,
                "known": t.class_name is not None,
                "retired": t.retired,
                "seen": _seen(t.seen),
                "statuses": {status: seen.count for status, seen in t.statuses},
                "undocumented_statuses": list(t.undocumented_statuses),
                "routes": dict(t.routes),
                "more_routes": t.more_routes,
                "members": {m.name: {"kinds": list(m.kinds), "count": m.seen.count} for m in t.members},
                "example": t.example,
            }
            for t in report.types
        ],
        "undeclared_members": [{"key": m.key, "class_name": m.class_name, "member": m.member, "kinds": list(m.kinds), "seen": _seen(m.seen), "example": m.example} for m in report.members],
        "missing_required": [{"key": m.key, "class_name": m.class_name, "member": m.member, "missing": m.missing, "of": m.of} for m in report.missing],
        "undeclared_enum_values": [{"key": e.key, "class_name": e.class_name, "field": e.field, "value": e.value, "masked": e.masked, "seen": _seen(e.seen)} for e in report.enum_values],
        "retired_in_use": [{"key": r.key, "class_name": r.class_name, "field": r.field, "value": r.value, "seen": _seen(r.seen)} for r in report.retired],
        "non_problem_bodies": [{"kind": b.kind, "statuses": dict(b.statuses), "seen": _seen(b.seen)} for b in report.bodies],
        "rate_limit_headers": [{"family": h.family, "members": list(h.members), "known": h.known, "statuses": dict(h.statuses), "seen": _seen(h.seen)} for h in report.rate_limits],
        "stream": {"frames": dict(report.stream.frames), "disconnects": dict(report.stream.disconnects)},
    }


def render_json(report: AuditReport) -> str:
    """The JSON report: ASCII, two-space indented, one trailing newline."""
    return json.dumps(report_data(report), indent=2, ensure_ascii=True) + "\n"
