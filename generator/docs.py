"""The sections of ``docs/errors.md``, each returned as escaped Markdown.

Spec and supplement strings go through ``md_text``/``md_code`` only; layout strings are
written here. Spec versions appear as the ranges of the merged history that declare a
type, field or enum value; the history grows only when a new spec changes the problem
schemas (``xproblems pin`` refuses an unchanged one), so an update that does not touch
them leaves this file unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from .escape import Md, md_code, md_text
from .model import Catalogue, EnumType, Field, ProblemType

#: Which Labs endpoint names cover which streaming paths (by a fragment of the path).
_STREAM_FAMILIES = (("/search/stream", "Filtered Stream"), ("/sample", "Sampled Stream"))


def _table(head: Iterable[str], rows: Iterable[Iterable[Md]]) -> Md:
    head = list(head)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return Md("\n".join(lines))


def _dash(value: str | None) -> Md:
    return md_text(value) if value else Md("—")


def _join(items: Iterable[Md], sep: str = ", ") -> Md:
    items = list(items)
    return Md(sep.join(items)) if items else Md("—")


def _sources(sources: Iterable[str]) -> Md:
    return _join(md_text(s) for s in sources)


def _docs(sources: Iterable[str]) -> Md:
    """The documentation pages among ``sources`` (spec versions have their own column)."""
    return _sources(s for s in sources if s != "spec" and not s.startswith("spec "))


#: Marks versions that stop before the current spec: the thing is kept from older specs.
RETIRED_MARK = "†"


def version_runs(declared: Iterable[str], every: tuple[str, ...]) -> list[tuple[str, str]]:
    """The runs (first, last) of ``every`` (all merged versions, oldest first) that
    ``declared`` covers, oldest first."""
    have = set(declared)
    runs: list[tuple[str, str]] = []
    extending = False
    for version in every:
        if version not in have:
            extending = False
        elif extending:
            runs[-1] = (runs[-1][0], version)
        else:
            runs.append((version, version))
            extending = True
    return runs


def versions_md(declared: Iterable[str], every: tuple[str, ...]) -> Md:
    """``since `2.134` ``, ```2.134`–`2.159` †`` or ```1.0`, since `1.2` ``.

    A run that reaches the current spec is open ("since"), so a newer spec that changes
    nothing about problems changes nothing here; one that stops before it is closed and
    marked. Versions are text from the specs, shown as code spans.
    """
    runs = version_runs(declared, every)
    if not runs:
        return Md("—")
    current = bool(every) and runs[-1][1] == every[-1]
    parts = [md_code(a) if a == b else Md(f"{md_code(a)}–{md_code(b)}") for a, b in runs]
    if current:
        parts[-1] = Md(f"since {md_code(runs[-1][0])}")
    text = ", ".join(parts)
    return Md(text if current else f"{text} {RETIRED_MARK}")


def _versions(declared: Iterable[str], cat: Catalogue) -> Md:
    return versions_md(declared, cat.spec_versions)


def overview(cat: Catalogue) -> Md:
    """The table of every problem type."""
    rows = [
        (
            md_code(p.uri),
            md_code(p.class_name),
            _dash(p.title),
            _join(md_code(f.name) for f in p.fields),
            _join(Md(str(s.code)) for s in p.statuses),
            Md("retired" if p.retired else "current"),
            _versions(p.spec_versions, cat),
            _docs(p.sources),
        )
        for p in cat.problems
    ]
    intro = Md(
        "## Problem types\n\nA type is identified by its URI: on any host (`api.twitter.com`, `api.x.com`, "
        "`api.X.com`), `/2/problems/<slug>` and the Labs form `/labs/<n>/problems/<slug>` name the type "
        "`<slug>`, and the runtime matches them the same way; any other URI is its own type. "
        "Spec versions: the versions of X's spec (among those of the pinned history) that declare the "
        f"type: `since` a version through the current spec, or ranges that end earlier, marked {RETIRED_MARK}. "
        "Docs: X's documentation pages that describe it.\n\n"
    )
    return Md(intro + _table(["Type URI", "Class", "Title", "Fields", "Usual status", "State", "Spec versions", "Docs"], rows))


def _field_row(f: Field, cat: Catalogue) -> tuple[Md, ...]:
    kind = md_text(f.kind + (f" ({f.format})" if f.format else ""))
    flags = "required" if f.required else "optional"
    if f.retired:
        flags += ", retired"
    return (
        md_code(f.name),
        md_code(f.attr) if f.attr != f.name else Md("same"),
        kind,
        Md(flags),
        md_code(f.enum) if f.enum else Md("—"),
        _dash(f.description),
        _versions(f.spec_versions, cat),
        _docs(f.sources),
    )


def _details(p: ProblemType, cat: Catalogue) -> Md:
    parts = [f"### {md_code(p.class_name)}", ""]
    parts.append(f"- Type: {md_code(p.uri)}; seen as {_join(md_code(u) for u in p.uris_seen)}")
    parts.append(f"- Title: {_dash(p.title)}")
    parts.append(f"- Description: {_dash(p.description)}")
    parts.append(f"- Spec schema names: {_join(md_code(n) for n in p.schema_names)}")
    parts.append(f"- Spec versions: {_versions(p.spec_versions, cat)}")
    parts.append(f"- Docs: {_docs(p.sources)}")
    if p.retired:
        parts.append("- Retired: only older spec versions define it; responses may still carry it.")
    for s in p.statuses:
        parts.append(f"- Usual status {s.code}: {md_text(s.when)} ({md_text(s.cite.page)})")
    for labs in p.labs:
        where = _join(md_text(e) for e in labs.endpoints) if labs.endpoints else Md("every endpoint")
        parts.append(f"- Labs-era name {md_text(labs.name)} ({where}): {md_text(labs.description)}")
        parts += [f"  - {md_text(r)}" for r in labs.reasons]
    for a in p.aliases:
        parts.append(f"- Deprecated alias {md_code(a.name)}: {md_text(a.note)}")
    if p.fields:
        parts += ["", _table(["Field", "Attribute", "Type", "Presence", "Enum", "Description", "Spec versions", "Docs"], (_field_row(f, cat) for f in p.fields))]
    for f in p.fields:
        if f.value_versions:
            values = _join(Md(f"{md_code(v)} ({_versions(vs, cat) if vs else Md('docs')})") for v, vs in f.value_versions)
            parts += ["", f"Values of {md_code(f.name)} by spec version: {values}"]
    return Md("\n".join(parts))


def details(cat: Catalogue) -> Md:
    """One subsection per problem type, with where each fact came from."""
    return Md("## Problem type details\n\n" + "\n\n".join(_details(p, cat) for p in cat.problems))


def enums(cat: Catalogue) -> Md:
    """The table of every open enum and its values."""
    rows = [(md_code(e.class_name), md_code(e.field_name), _enum_values(e)) for e in cat.enums]
    note = (
        "## Enums\n\nEnums are open: a value the module does not know is kept as a plain string. "
        "Values marked *older specs only* are listed by an older spec but no longer by the current one, "
        "which still lists others; they are kept because responses may still carry them. Where the "
        "current spec declares the field as free text (no enum), the values come from older specs and "
        "the row says so.\n\n"
    )
    return Md(note + _table(["Enum", "Field", "Values"], rows))


def _enum_values(e: EnumType) -> Md:
    if e.free_text_in_spec:
        values = _join(Md(md_code(v.value)) for v in e.values)
        return Md(f"{values} (the current spec declares {md_code(e.field_name)} as free text, with no enum; these values are from older specs)")
    return _join(Md(md_code(v.value) + (" (older specs only)" if v.retired else "")) for v in e.values)


def statuses(cat: Catalogue) -> Md:
    """The docs' HTTP status table with troubleshooting tips."""
    rows = [
        (
            Md(str(s.code)),
            md_text(s.text),
            md_code(s.class_name) if s.code >= 400 else Md("—"),
            Md("yes" if s.retryable else "no"),
            md_text(s.description),
            _dash(s.tip),
        )
        for s in cat.statuses
    ]
    return Md("## HTTP status codes\n\n" + _table(["Code", "Text", "Exception", "Retry can help", "Description", "Troubleshooting"], rows))


def streaming(cat: Catalogue) -> Md:
    """The spec's streaming endpoints with the connection errors that apply to each."""
    by_family: dict[str, list[ProblemType]] = {}
    for p in cat.problems:
        for labs in p.labs:
            if labs.during != "connection":
                continue  # e.g. rules cap: an answer to POSTing rules, not to the stream's GET
            for endpoint in labs.endpoints:
                by_family.setdefault(endpoint, []).append(p)
    rows = []
    for e in cat.streaming:
        families = [name for fragment, name in _STREAM_FAMILIES if fragment in e.path]
        applies = sorted({p.class_name for f in families for p in by_family.get(f, [])})
        label = _join(md_text(f) for f in families) if families else Md("—")
        rows.append((md_text(e.method), md_code(e.path), label, _join(md_code(a) for a in applies)))
    note = Md(
        "## Streaming endpoints\n\nEndpoints the spec marks `x-twitter-streaming`. The Labs-era page names "
        "the connection errors of Filtered Stream and Sampled Stream; endpoints of neither family get no "
        "documented list. Errors the page ties to submitting rules (rules cap) are not connection errors "
        "and are not listed here.\n\n"
    )
    return Md(note + _table(["Method", "Path", "Labs family", "Connection errors"], rows))


def partial(cat: Catalogue) -> Md:
    """The partial-errors rule, quoted from the docs."""
    return Md(
        "## Partial errors\n\nA 2xx response may carry both `data` and an `errors` array; each item is a "
        "problem object (read them with `partial_errors`). From "
        f"{md_text(cat.partial_errors.page)}: “{md_text(cat.partial_errors.quote)}”"
    )


def conflicts(cat: Catalogue) -> Md:
    """Disagreements between sources (generation went on; the current spec won)."""
    if not cat.conflicts:
        return Md("## Conflicts\n\nNone: the spec, older specs and the docs agree on every title and field type.")
    rows = [(md_code(c.key), md_text(c.subject), md_text(c.detail)) for c in cat.conflicts]
    return Md("## Conflicts\n\n" + _table(["Type", "What", "Detail"], rows))


def sections(cat: Catalogue) -> list[Md]:
    """Every section in reading order."""
    return [overview(cat), statuses(cat), enums(cat), streaming(cat), partial(cat), conflicts(cat), details(cat)]
