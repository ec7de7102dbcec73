"""Read generated Markdown as GitHub would: render it with cmark-gfm, then check the HTML.

``cmarkgfm`` is GitHub's own fork of cmark (tables, strikethrough, autolinks, tag filter).
Raw HTML is rendered (``CMARK_OPT_UNSAFE``), as GitHub renders it before sanitizing, so the
checks see every tag a spec string could have smuggled in. GitHub adds heading anchors
after rendering; :func:`heading_ids` adds them the same way (``escape.github_slug``, with
``-1``, ``-2``... for repeats in document order).

:func:`check` asserts what a reader relies on:

* every tag is one Markdown produces, or one of the few this project writes itself
  (``<a id>``, ``<details>``, ``<summary>``); ``<a>`` has only ``href`` or ``id``; tags nest
  and close (so ``<details>`` blocks are balanced);
* every ``#x`` link resolves to an explicit id or a heading's anchor, explicit ids are
  unique and no heading anchor takes one; every other link is an https ``DOC_URL``;
* each table has the header it should, and as many rows as the source has table lines
  (a line break in a cell would end the table early), each source row with exactly its
  header's number of cell separators (an unescaped ``|`` would add a cell);
* code blocks are only those expected (a ``mermaid`` block, checked by :func:`mermaid`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

from xproblems.escape import DOC_URL, github_slug

#: Tags cmark-gfm writes for Markdown, plus those this project writes as raw HTML.
MARKDOWN_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "em", "strong", "a", "del", "br", "hr", "blockquote", "input"])
OWN_TAGS = frozenset({"details", "summary"})
VOID = frozenset({"br", "hr", "input"})
_HEADING = re.compile(r"h[1-6]")


def render(markdown: str) -> str:
    """The HTML GitHub's renderer makes of ``markdown`` (before GitHub's sanitizer)."""
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE))


@dataclass
class Table:
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


class Page(HTMLParser):
    """What a reader sees: headings, links, ids, tables, code blocks; and every tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self.hrefs: list[str] = []
        self.ids: list[str] = []
        #: explicit id -> index in ``headings`` of the heading it sits in.
        self.anchored: dict[str, int] = {}
        self.tables: list[Table] = []
        self.blocks: list[tuple[str, str]] = []
        self.comments: list[str] = []
        self.text: list[str] = []
        self.details = 0
        self._stack: list[str] = []
        self._heading: list[str] | None = None
        self._cell: list[str] | None = None
        self._block: list[str] | None = None
        self._block_lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.details += tag == "details"
        if tag not in MARKDOWN_TAGS | OWN_TAGS:
            self.problems.append(f"unexpected tag <{tag}> {attrs}")
        if tag not in VOID:
            self._stack.append(tag)
        a = dict(attrs)
        if tag == "a":
            if set(a) not in ({"href"}, {"id"}):
                self.problems.append(f"<a> with attributes {sorted(a)}")
            if a.get("href") is not None:
                self.hrefs.append(str(a["href"]))
            if a.get("id") is not None:
                self.ids.append(str(a["id"]))
                if self._heading is not None:
                    self.anchored[str(a["id"])] = len(self.headings)
        elif tag in ("pre", "code") and (a.get("lang") or a.get("class")):
            self._block_lang = str(a.get("lang") or a.get("class") or "").removeprefix("language-")
        elif a and tag not in ("input", "th", "td"):
            self.problems.append(f"<{tag}> with attributes {attrs}")
        if _HEADING.fullmatch(tag):
            self._heading = []
        elif tag == "table":
            self.tables.append(Table())
        elif tag == "tr":
            self.tables[-1].rows.append([])
        elif tag in ("th", "td"):
            self._cell = []
        elif tag == "pre":
            self._block = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self._stack or self._stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self._stack[-1:] or 'nothing'}")
        else:
            self._stack.pop()
        if _HEADING.fullmatch(tag) and self._heading is not None:
            self.headings.append((int(tag[1]), "".join(self._heading)))
            self._heading = None
        elif tag in ("th", "td") and self._cell is not None:
            self.tables[-1].rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "pre" and self._block is not None:
            self.blocks.append((self._block_lang, "".join(self._block)))
            self._block, self._block_lang = None, ""

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for part in (self._heading, self._cell, self._block):
            if part is not None:
                part.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def close(self) -> None:
        super().close()
        if self._stack:
            self.problems.append(f"unclosed tags {self._stack}")
        for table in self.tables:
            if table.rows:
                table.head = table.rows.pop(0)


def parse(markdown: str) -> Page:
    """Render and parse ``markdown``."""
    page = Page()
    page.feed(render(markdown))
    page.close()
    return page


def heading_ids(page: Page) -> list[str]:
    """The anchors GitHub gives the page's headings, in document order."""
    seen: dict[str, int] = {}
    ids = []
    for _, text in page.headings:
        slug = github_slug(text)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        ids.append(slug if n == 0 else f"{slug}-{n}")
    return ids


def _source_tables(markdown: str) -> list[list[str]]:
    """The table lines of the source, table by table (delimiter rows left out)."""
    tables: list[list[str]] = []
    in_table = False
    for line in markdown.split("\n"):
        if line.startswith("|"):
            if not in_table:
                tables.append([])
                in_table = True
            if not re.fullmatch(r"\|(-+:?\|)+", line):
                tables[-1].append(line)
        else:
            in_table = False
    return tables


def unescaped_pipes(line: str) -> int:
    """``|`` that split a table row (a backslash escapes the next character)."""
    count, i = 0, 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        count += line[i] == "|"
        i += 1
    return count


def check(markdown: str, *, tables: dict[tuple[str, ...], str] | None = None, blocks: tuple[str, ...] = ()) -> Page:
    """Render ``markdown`` and assert the structure above. ``tables`` maps each allowed header
    to a label (``None``: any header); ``blocks`` lists the languages of the code blocks, in
    order. Returns the parsed page for more specific checks."""
    page = parse(markdown)
    assert not page.problems, page.problems[:10]
    # Links: internal ones land, external ones are plain https pages.
    explicit = page.ids
    assert len(explicit) == len(set(explicit)), f"an explicit id is used twice: {sorted(i for i in explicit if explicit.count(i) > 1)}"
    automatic = heading_ids(page)
    assert not set(explicit) & set(automatic), f"a heading's anchor is also an explicit id: {sorted(set(explicit) & set(automatic))}"
    targets = set(explicit) | set(automatic)
    for href in page.hrefs:
        if href.startswith("#"):
            assert href[1:] in targets, f"link {href} has no target"
        else:
            assert DOC_URL.fullmatch(href), f"link to {href!r}"
    # Tables: the expected headers, and no row split or merged.
    source = _source_tables(markdown)
    assert len(page.tables) == len(source), f"{len(source)} tables in the source, {len(page.tables)} rendered"
    for table, lines in zip(page.tables, source, strict=True):
        if tables is not None:
            assert tuple(table.head) in tables, f"unexpected table header {table.head}"
        assert len(table.rows) + 1 == len(lines), f"table {table.head}: {len(lines) - 1} source rows, {len(table.rows)} rendered"
        for line in lines:
            assert unescaped_pipes(line) == len(table.head) + 1, f"row with {unescaped_pipes(line) - 1} cells under {table.head}: {line[:200]!r}"
        for row in table.rows:
            assert len(row) == len(table.head)
    assert tuple(lang for lang, _ in page.blocks) == blocks, f"code blocks {[lang for lang, _ in page.blocks]}, expected {list(blocks)}"
    # Nothing GitHub would turn into a notification.
    mentions = [t for t in page.text if re.search(r"(?<![\w`])@[A-Za-z0-9]", t)]
    assert not mentions, mentions[:5]
    return page


_NODE = re.compile(r'  (n\d+)\["([A-Za-z0-9 _.,()#;-]*)"\]')
_EDGE = re.compile(r"  (n\d+) --> (n\d+)")
_CLASSDEF = re.compile(r"  classDef retired stroke-dasharray: 5 5")
_CLASS = re.compile(r"  class (n\d+(?:,n\d+)*) retired")


@dataclass(frozen=True)
class Diagram:
    """A Mermaid ``graph`` as :func:`docs.exception_tree` writes it."""

    labels: dict[str, str]
    edges: list[tuple[str, str]]
    dashed: set[str]

    def named_edges(self) -> list[tuple[str, str]]:
        """The edges with each node's label decoded (``#35;`` entity codes)."""
        return [(decode(self.labels[a]), decode(self.labels[b])) for a, b in self.edges]


def decode(label: str) -> str:
    """A Mermaid label with its ``#<decimal>;`` entity codes resolved."""
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), label)


def mermaid(code: str) -> Diagram:
    """Parse the block, asserting that every line is one of the few forms the generator writes
    and that the graph is a tree (one root, each other node with one parent)."""
    lines = code.rstrip("\n").split("\n")
    assert lines[0] == "graph LR", lines[0]
    labels: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    dashed: set[str] = set()
    for line in lines[1:]:
        if m := _NODE.fullmatch(line):
            assert m[1] not in labels, f"node {m[1]} declared twice"
            labels[m[1]] = m[2]
        elif m := _EDGE.fullmatch(line):
            assert m[1] in labels and m[2] in labels, line
            edges.append((m[1], m[2]))
        elif m := _CLASS.fullmatch(line):
            dashed |= set(m[1].split(","))
        else:
            assert _CLASSDEF.fullmatch(line), f"unexpected Mermaid line {line[:200]!r}"
    parents: dict[str, list[str]] = {}
    for a, b in edges:
        parents.setdefault(b, []).append(a)
    roots = [n for n in labels if n not in parents]
    assert len(roots) == 1, f"roots {roots}"
    assert all(len(p) == 1 for p in parents.values()), "a node with two parents"
    assert dashed <= set(labels)
    return Diagram(labels, edges, dashed)
