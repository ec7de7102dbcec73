"""The sections of ``docs/errors.md``, each returned as escaped Markdown.

Spec and supplement strings go through the :mod:`escape` functions only (``md_text``,
``md_code``, ``md_link``, ``mermaid_label``); layout strings are written here. The page is
laid out for GitHub's width: a contents list, a narrow summary table whose classes link to
one details section each (explicit ``<a id>`` anchors, :func:`class_anchors`), the exception
tree as a Mermaid diagram, and the wide facts (type URIs, fields, spec versions, doc pages)
in the details sections as lists, not table columns.

Facts the supplement has from recorded traffic (an ``observed`` source) are marked as such,
with how often, in which files and when they were seen; the file names are data too.

Spec versions appear as the ranges of the merged history that declare a type, field or
enum value; the history grows only when a new spec changes the problem schemas
(``xproblems pin`` refuses an unchanged one), so an update that does not touch them leaves
this file unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .escape import Md, github_slug, md_anchor, md_code, md_link, md_text, mermaid_label, one_line, terminal_line
from .model import OBSERVED, Catalogue, Citation, DocumentedStatus, EnumType, EnumValue, Field, Observation, ProblemType

#: Which Labs endpoint names cover which streaming paths (by a fragment of the path).
_STREAM_FAMILIES = (("/search/stream", "Filtered Stream"), ("/sample", "Sampled Stream"))
#: Longest one-line meaning in the summary table, in characters of spec text.
MEANING_CHARS = 100
#: The prefix of every class's details anchor. Section headings are fixed words, and a class
#: heading's own GitHub anchor is its lower-cased identifier (no ``-``), so no heading of the
#: page can take one of these ids.
CLASS_ANCHOR_PREFIX = "class-"


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


#: How many audited file names an observation lists before "and N more".
OBSERVED_FILES_SHOWN = 3


def observed_md(o: Observation) -> Md:
    """``12 times in `a.jsonl`, 2020-06-18 – 2020-07-09``: how often, in which recorded
    files and on which days (UTC) traffic showed a fact. File names are shown as code."""
    times = "1 time" if o.count == 1 else f"{o.count} times"
    files = ", ".join(md_code(f) for f in o.files[:OBSERVED_FILES_SHOWN])
    more = len(o.files) - OBSERVED_FILES_SHOWN
    if more > 0:
        files += f" and {more} more file{'s' if more > 1 else ''}"
    text = f"{times} in {files}"
    if o.first_seen and o.last_seen:
        first, last = md_text(o.first_seen[:10]), md_text(o.last_seen[:10])
        text += f", {first}" if first == last else f", {first} – {last}"
    return Md(text)


def observed_only(p: ProblemType) -> bool:
    """Whether only recorded traffic knows the type: no spec version or doc page declares it."""
    return p.observation is not None and not p.spec_versions and all(s == OBSERVED for s in p.sources)


def _status_code(s: DocumentedStatus) -> Md:
    return Md(f"{s.code}" + ("" if isinstance(s.cite, Citation) else " (observed)"))


def class_anchors(names: Iterable[str]) -> dict[str, str]:
    """Each class name's details anchor: ``class-`` and its GitHub slug (the name in lower
    case). Names that differ only in case would share one; they get ``-2``, ``-3``... in
    sorted name order, so an anchor changes only when such a twin appears."""
    by_slug: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        by_slug.setdefault(github_slug(name), []).append(name)
    anchors = {}
    for slug, group in by_slug.items():
        for i, name in enumerate(group):
            anchors[name] = f"{CLASS_ANCHOR_PREFIX}{slug}" + (f"-{i + 1}" if i else "")
    return anchors


@dataclass(frozen=True)
class _Links:
    """Where the page links to: each problem class's details, each doc page's address."""

    cat: Catalogue
    anchors: dict[str, str]
    urls: dict[str, str]

    @classmethod
    def of(cls, cat: Catalogue) -> _Links:
        urls = {p.title: p.url for p in cat.pages if p.url}
        return cls(cat, class_anchors(p.class_name for p in cat.problems), urls)

    def problem(self, name: str) -> Md:
        """A problem class's name, linked to its details section."""
        anchor = self.anchors.get(name)
        return md_link(md_code(name), "#" + anchor) if anchor else md_code(name)

    def page(self, title: str) -> Md:
        """A doc page's title, linked to the page where the supplement gives its address."""
        url = self.urls.get(title)
        return md_link(md_text(title), url) if url else md_text(title)

    def docs(self, sources: Iterable[str]) -> Md:
        """The documentation pages among ``sources`` (spec versions and traffic are listed apart)."""
        return _join(self.page(s) for s in sources if s not in ("spec", OBSERVED) and not s.startswith("spec "))

    def versions(self, declared: Iterable[str]) -> Md:
        return versions_md(declared, self.cat.spec_versions)


# --- the summary -------------------------------------------------------------------------


def by_class(cat: Catalogue) -> list[ProblemType]:
    """The problem types in class-name order (as in the exception tree): a reader looks a
    class up by its name, which the summary and the details sections are ordered by."""
    return sorted(cat.problems, key=lambda p: p.class_name)


def meaning(p: ProblemType) -> str:
    """One line that says what a problem type means: the first sentence of its description
    (else its title), cut at a word to :data:`MEANING_CHARS` characters. Spec text, not yet
    escaped. A sentence ends at ". " before a capital, so "Post, User, etc. does" stays whole."""
    # Cut what a reader sees: an invisible character is shown as six (``U+202E``).
    text = terminal_line(one_line(p.description or p.title or ""))
    text = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(text) <= MEANING_CHARS:
        return text
    cut = text[: MEANING_CHARS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


_SENTENCE_END = re.compile(r"(?<=\.) +(?=[A-Z])")


def _mark(p: ProblemType) -> str:
    """The summary's note before a type's meaning: retired, or known from traffic only."""
    return "*Retired.* " if p.retired else "*Observed in traffic only.* " if observed_only(p) else ""


def overview(cat: Catalogue, links: _Links | None = None) -> Md:
    """The narrow table of every problem type: class (linked to its details), the statuses
    the docs give it, and what it means."""
    links = links or _Links.of(cat)
    rows = [
        (
            links.problem(p.class_name),
            _join(_status_code(s) for s in p.statuses),
            Md(_mark(p) + (md_text(meaning(p)) if meaning(p) else "—")),
        )
        for p in by_class(cat)
    ]
    intro = (
        "Every problem type, by class name. Each class links to its details below: the full type URI, "
        "its fields with their types and enum values, the spec versions that declare it and the "
        "documentation pages that describe it. Status: the HTTP statuses X's docs give for the type. "
        "*Retired*: only older spec versions declare it; responses may still carry it."
    )
    if any(p.observation or any(not isinstance(s.cite, Citation) for s in p.statuses) for p in cat.problems):
        intro += " *Observed*: seen in recorded X traffic, which no spec or doc page states."
    return Md(intro + "\n\n" + _table(["Class", "Status", "Meaning"], rows))


# --- the exception tree --------------------------------------------------------------------


def tree_edges(cat: Catalogue) -> list[tuple[str, str]]:
    """(parent, child) of the exception tree in depth-first order, as the package's
    ``__init__`` docstring draws it: status classes under ``ClientError``/``ServerError``,
    problem classes under ``Problem``."""
    edges = [("Exception", "XAPIError"), ("XAPIError", "ClientError")]
    edges += [("ClientError", s.class_name) for s in cat.statuses if 400 <= s.code < 500]
    edges.append(("XAPIError", "ServerError"))
    edges += [("ServerError", s.class_name) for s in cat.statuses if s.code >= 500]
    edges.append(("Exception", "Problem"))
    edges += [("Problem", name) for name in [*sorted(p.class_name for p in cat.problems), "UnknownProblem"]]
    return edges


def exception_tree(cat: Catalogue) -> Md:
    """The exception tree as a Mermaid diagram, which GitHub draws. Node ids are ``n0``,
    ``n1``... in tree order, never a name (a name could be a Mermaid keyword such as
    ``end``); labels go through :func:`escape.mermaid_label`."""
    codes = {s.class_name: s.code for s in cat.statuses}
    retired = {p.class_name for p in cat.problems if p.retired}
    ids: dict[str, str] = {}
    lines = ["```mermaid", "graph LR"]
    for parent, child in tree_edges(cat):
        for name in (parent, child):
            if name not in ids:
                ids[name] = f"n{len(ids)}"
                label = f"{name} ({codes[name]})" if name in codes and codes[name] >= 400 else name
                lines.append(f'  {ids[name]}["{mermaid_label(label)}"]')
        lines.append(f"  {ids[parent]} --> {ids[child]}")
    dashed = [ids[name] for name in sorted(retired)]
    if dashed:
        lines += ["  classDef retired stroke-dasharray: 5 5", f"  class {','.join(dashed)} retired"]
    lines.append("```")
    note = (
        "\n\nAn error whose body is one problem is an instance of both its status class and its problem "
        "class, so `except` catches it by either."
        + (" Dashed: retired problem types." if dashed else "")
    )
    return Md("\n".join(lines) + note)


# --- the other tables ----------------------------------------------------------------------


def statuses(cat: Catalogue) -> Md:
    """The docs' HTTP status table, then X's troubleshooting tips as a list."""
    rows = [
        (
            Md(f"{s.code} {md_text(s.text)}"),
            md_code(s.class_name) if s.code >= 400 else Md("—"),
            Md("yes" if s.retryable else "no"),
            md_text(s.description),
        )
        for s in cat.statuses
    ]
    tips = [f"- **{s.code}**: {md_text(s.tip)}" for s in cat.statuses if s.tip]
    text = _table(["Status", "Exception", "Retry can help", "Description"], rows)
    if tips:
        text = Md(text + "\n\nTroubleshooting, from X's docs:\n\n" + "\n".join(tips))
    return text


def enums(cat: Catalogue) -> Md:
    """The table of every open enum and its values."""
    rows = [(md_code(e.class_name), md_code(e.field_name), _enum_values(e)) for e in cat.enums]
    note = (
        "Enums are open: a value the module does not know is kept as a plain string. "
        "Values marked *older specs only* are listed by an older spec but no longer by the current one, "
        "which still lists others; they are kept because responses may still carry them. Where the "
        "current spec declares the field as free text (no enum), the values come from older specs and "
        "the row says so."
    )
    if any(v.observed for e in cat.enums for v in e.values):
        note += " Values marked *observed* are seen in recorded X traffic only; no spec or doc page lists them."
    return Md(note + "\n\n" + _table(["Enum", "Field", "Values"], rows))


def _value_mark(v: EnumValue) -> str:
    return " (observed)" if v.observed else ""


def _enum_values(e: EnumType) -> Md:
    if e.free_text_in_spec:
        values = _join(Md(md_code(v.value) + _value_mark(v)) for v in e.values)
        # Values the docs or traffic add to a free-text field are not from older specs.
        whence = "these values are from older specs" if all(v.retired for v in e.values) else "unmarked values are from older specs or the docs"
        return Md(f"{values} (the current spec declares {md_code(e.field_name)} as free text, with no enum; {whence})")
    return _join(Md(md_code(v.value) + (" (older specs only)" if v.retired else _value_mark(v))) for v in e.values)


def streaming(cat: Catalogue, links: _Links | None = None) -> Md:
    """The spec's streaming endpoints with the connection errors that apply to each."""
    links = links or _Links.of(cat)
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
        rows.append((md_text(e.method), md_code(e.path), label, _join(links.problem(a) for a in applies)))
    note = Md(
        "Endpoints the spec marks `x-twitter-streaming`. The Labs-era page names "
        "the connection errors of Filtered Stream and Sampled Stream; endpoints of neither family get no "
        "documented list. Errors the page ties to submitting rules (rules cap) are not connection errors "
        "and are not listed here.\n\n"
    )
    return Md(note + _table(["Method", "Path", "Labs family", "Connection errors"], rows))


def partial(cat: Catalogue, links: _Links | None = None) -> Md:
    """The partial-errors rule, quoted from the docs."""
    links = links or _Links.of(cat)
    return Md(
        "A 2xx response may carry both `data` and an `errors` array; each item is a "
        "problem object (read them with `partial_errors`). From "
        f"{links.page(cat.partial_errors.page)}: “{md_text(cat.partial_errors.quote)}”"
    )


def conflicts(cat: Catalogue) -> Md:
    """Disagreements between sources (generation went on; the current spec won)."""
    if not cat.conflicts:
        return Md("None: the spec, older specs and the docs agree on every title and field type.")
    rows = [(md_code(c.key), md_text(c.subject), md_text(c.detail)) for c in cat.conflicts]
    return _table(["Type", "What", "Detail"], rows)


# --- the details ----------------------------------------------------------------------------


def _field_item(f: Field, links: _Links) -> list[str]:
    """One field as a list item (with its description and enum values nested under it)."""
    name = md_code(f.name) + (f" (attribute {md_code(f.attr)})" if f.attr != f.name else "")
    facts = [md_text(f.kind + (f" ({f.format})" if f.format else "")), "required" if f.required else "optional"]
    if f.retired:
        facts.append("retired")
    if f.enum:
        facts.append(f"enum {md_link(md_code(f.enum), '#' + github_slug('Enums'))}")
    where = [f"spec versions {links.versions(f.spec_versions)}" if f.spec_versions else "in no spec"]
    docs = links.docs(f.sources)
    if docs != "—":
        where.append(f"docs {docs}")
    if f.observation is not None:
        where.append(f"observed {observed_md(f.observation)}")
    item = [f"  - {name}: {', '.join(facts)}; {'; '.join(where)}"]
    if f.description:
        item.append(f"    - {md_text(f.description)}")
    if f.value_versions:
        observed = frozenset(f.observed_values)
        values = _join(Md(f"{md_code(v)} ({links.versions(vs) if vs else 'observed' if v in observed else 'docs'})") for v, vs in f.value_versions)
        item.append(f"    - Values by spec version: {values}")
    return item


def _details(p: ProblemType, links: _Links) -> Md:
    parts = [f"### {md_anchor(links.anchors[p.class_name])}{md_code(p.class_name)}", ""]
    parts.append(f"- Type URI: {md_code(p.uri)}")
    others = [u for u in p.uris_seen if u != p.uri]
    if others:
        parts.append(f"- Also seen as: {_join(md_code(u) for u in others)}")
    parts.append(f"- Title: {_dash(p.title)}")
    parts.append(f"- Description: {_dash(p.description)}")
    parts.append(f"- Spec schema names: {_join(md_code(n) for n in p.schema_names)}")
    parts.append(f"- Spec versions: {links.versions(p.spec_versions)}")
    parts.append(f"- Docs: {links.docs(p.sources)}")
    if p.retired:
        parts.append("- Retired: only older spec versions define it; responses may still carry it.")
    if p.observation is not None:
        alone = "; no spec or doc declares it" if observed_only(p) else ""
        parts.append(f"- Observed in traffic: {observed_md(p.observation)}{alone}")
    for s in p.statuses:
        source = links.page(s.cite.page) if isinstance(s.cite, Citation) else Md(f"observed: {observed_md(s.cite)}")
        parts.append(f"- Usual status {s.code}: {md_text(s.when)} ({source})")
    for labs in p.labs:
        where = _join(md_text(e) for e in labs.endpoints) if labs.endpoints else Md("every endpoint")
        parts.append(f"- Labs-era name {md_text(labs.name)} ({where}): {md_text(labs.description)}")
        parts += [f"  - {md_text(r)}" for r in labs.reasons]
    for a in p.aliases:
        parts.append(f"- Deprecated alias {md_code(a.name)}: {md_text(a.note)}")
    if p.fields:
        parts.append("- Fields:")
        for f in p.fields:
            parts += _field_item(f, links)
    else:
        parts.append("- Fields: none beyond `type`, `title`, `detail` and `status`.")
    return Md("\n".join(parts))


def details(cat: Catalogue, links: _Links | None = None) -> Md:
    """One subsection per problem type, with where each fact came from."""
    links = links or _Links.of(cat)
    intro = (
        "A type is identified by its URI: on any host (`api.twitter.com`, `api.x.com`, `api.X.com`), "
        "`/2/problems/<slug>` and the Labs form `/labs/<n>/problems/<slug>` name the type `<slug>`, and the "
        "runtime matches them the same way; any other URI is its own type. Spec versions: the versions of "
        "X's spec (among those of the pinned history) that declare the type or field: `since` a version "
        f"through the current spec, or ranges that end earlier, marked {RETIRED_MARK}. Docs: X's "
        "documentation pages that describe it."
    )
    return Md(intro + "\n\n" + "\n\n".join(_details(p, links) for p in by_class(cat)))


def sources(cat: Catalogue, links: _Links | None = None) -> Md:
    """The documentation pages the curated supplement is written from, linked."""
    links = links or _Links.of(cat)
    items = [f"- {links.page(p.title)}" for p in cat.pages]
    if not items:
        return Md("Only X's OpenAPI specs.")
    return Md("Besides X's OpenAPI specs, the facts above come from these pages:\n\n" + "\n".join(items))


# --- the page -------------------------------------------------------------------------------

#: The sections in reading order. The contents list and the headings are made from these
#: titles, and each title's GitHub anchor is :func:`escape.github_slug` of it: the titles are
#: distinct words, and come before any class heading, so GitHub gives each its plain slug.
SECTIONS: tuple[tuple[str, Callable[[Catalogue, _Links], Md]], ...] = (
    ("Problem types", overview),
    ("Exception tree", lambda cat, _links: exception_tree(cat)),
    ("HTTP status codes", lambda cat, _links: statuses(cat)),
    ("Enums", lambda cat, _links: enums(cat)),
    ("Streaming endpoints", streaming),
    ("Partial errors", partial),
    ("Conflicts", lambda cat, _links: conflicts(cat)),
    ("Problem type details", details),
    ("Sources", sources),
)


def contents() -> Md:
    """The table of contents: one link per section."""
    return Md("\n".join(f"- {md_link(Md(title), '#' + github_slug(title))}" for title, _ in SECTIONS))


def sections(cat: Catalogue) -> list[Md]:
    """Every section in reading order, the contents first, each with its heading."""
    links = _Links.of(cat)
    return [Md("## Contents\n\n" + contents()), *(Md(f"## {title}\n\n{build(cat, links)}") for title, build in SECTIONS)]
