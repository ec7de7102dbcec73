"""docs/errors.md, CHANGES.md and the pull-request body read well on GitHub (issue 15, item 8).

Each document is rendered with cmark-gfm (GitHub's renderer, ``tests/gfm.py``) and the HTML
is checked as a reader meets it: narrow tables with the expected columns, a contents list
and class links that land, doc links to the pages, the exception tree as an intact Mermaid
diagram, folded ``<details>`` blocks that close, and no markup from spec text. The hostile
corpus runs the same check on every errors.md it generates (``test_hostile.py``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from xproblems.changelog import TITLE, changelog_text
from xproblems.diff import FOLD_KEYS, FOLD_ROWS, Change, diff_catalogues, render_markdown, sort_changes
from xproblems.docs import MEANING_CHARS, SECTIONS, class_anchors, sections
from xproblems.escape import Md, github_slug, md_anchor, md_link, mermaid_label, one_line, terminal_line
from xproblems.model import Catalogue
from xproblems.pipeline import build_catalogue
from xproblems.render import render_templates

from . import gfm
from .conftest import ROOT, spec_path

GENERATED = ROOT / "generated"
#: The tables of errors.md, by header: none is wider than four columns.
ERRORS_MD_TABLES = {
    ("Class", "Status", "Meaning"): "summary",
    ("Status", "Exception", "Retry can help", "Description"): "statuses",
    ("Enum", "Field", "Values"): "enums",
    ("Method", "Path", "Labs family", "Connection errors"): "streaming",
    ("Type", "What", "Detail"): "conflicts",
}
REPORT_TABLES = {
    ("severity", "changes", "kinds"): "summary",
    ("type", "change", "subject", "old", "new", "details"): "changes",
}


def check_errors_md(text: str) -> gfm.Page:
    """Everything errors.md promises a GitHub reader, for any catalogue (hostile ones too)."""
    page = gfm.check(text, tables=ERRORS_MD_TABLES, blocks=("mermaid",))
    assert max(len(t.head) for t in page.tables) <= 4
    gfm.mermaid(page.blocks[0][1])
    # The contents list: one link per section, each landing on that section's heading.
    h2 = [h for h, (level, _) in zip(gfm.heading_ids(page), page.headings, strict=True) if level == 2]
    toc = re.findall(r"^- \[[^\]]+\]\(#([a-z0-9-]+)\)$", text.split("## Contents\n\n", 1)[1].split("\n\n", 1)[0], re.M)
    assert h2[0] == "contents" and toc == h2[1:] == [github_slug(title) for title, _ in SECTIONS]
    # Each class of the summary table links to the heading of its own details section.
    summary = next(t for t in page.tables if t.head == ["Class", "Status", "Meaning"])
    links = re.findall(r"^\| \[`([^`]+)`\]\(#([a-z0-9_-]+)\) \|", text, re.M)
    assert [name for name, _ in links] == [row[0] for row in summary.rows]
    for name, anchor in links:
        assert page.headings[page.anchored[anchor]] == (3, name), (name, anchor)
    for row in summary.rows:
        assert len(row[2].removeprefix("Retired. ").removeprefix("Observed in traffic only. ")) <= MEANING_CHARS, row
    return page


# --- the pieces ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Problem types", "problem-types"),
        ("HTTP status codes", "http-status-codes"),
        ("UsageCapExceededProblem", "usagecapexceededproblem"),
        ("snake_case Name", "snake_case-name"),
        ("What's new? (2.167)", "whats-new-2167"),
        ("Ünïcode Überschrift", "ünïcode-überschrift"),
        ("a -- b", "a----b"),
    ],
)
def test_github_slug(text: str, slug: str) -> None:
    """github-slugger's rule: lower case, punctuation dropped, each space a hyphen."""
    assert github_slug(text) == slug


def test_section_titles_are_words_with_single_spaces() -> None:
    """Every description of GitHub's anchor rule agrees on such titles (they differ only on
    runs of spaces and punctuation), and each title's anchor is distinct."""
    titles = [title for title, _ in SECTIONS]
    assert all(re.fullmatch(r"[A-Za-z]+( [A-Za-z]+)*", t) for t in titles)
    assert len({github_slug(t) for t in [*titles, "Contents"]}) == len(titles) + 1


def test_class_anchors_are_lower_case_and_unique_for_case_twins() -> None:
    anchors = class_anchors(["Foo", "FOO", "foo", "Bar_Baz", "Foo"])
    assert anchors == {"FOO": "class-foo", "Foo": "class-foo-2", "foo": "class-foo-3", "Bar_Baz": "class-bar_baz"}
    assert class_anchors(["Foo", "Bar"]) == {"Bar": "class-bar", "Foo": "class-foo"}  # stable without twins


@pytest.mark.parametrize("target", ["javascript:alert(1)", "http://example.com/", "https://a.b/c d", "https://a.b/(x)", "https://a.b/?q=1", "#Upper", "#a b", "#", "//a.b/c", "https://a.b/x>"])
def test_links_to_anything_but_an_anchor_or_a_plain_https_page_are_refused(target: str) -> None:
    with pytest.raises(ValueError, match="not a link target"):
        md_link(Md("x"), target)


def test_links_and_anchors_that_are_written() -> None:
    assert md_link(Md("`A`"), "#class-a") == "[`A`](#class-a)"
    assert md_link(Md("page"), "https://docs.x.com/x-api/fundamentals/response-codes-and-errors") == "[page](https://docs.x.com/x-api/fundamentals/response-codes-and-errors)"
    assert md_anchor("class-a_b-2") == '<a id="class-a_b-2"></a>'
    with pytest.raises(TypeError):
        md_link("unescaped", "#a")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        md_anchor('x"><script>')


@pytest.mark.parametrize(
    "text",
    [
        'end"] --> evil["x',
        "```\n</pre><script>alert(1)</script>",
        "A <b>bold</b> &amp; 'quoted' `tick` #35; @octocat\u202e\u2028\x1b[31m\udc00",
        "日本語 ünïcode",
        "",
    ],
)
def test_mermaid_labels_cannot_close_the_label_the_block_or_open_markup(text: str) -> None:
    label = mermaid_label(text)
    assert re.fullmatch(r"[A-Za-z0-9 _.,()#;-]*", label), label
    assert gfm.decode(label) == terminal_line(one_line(text))
    block = f'```mermaid\ngraph LR\n  n0["{label}"]\n```\n'
    page = gfm.check(block, blocks=("mermaid",))
    assert gfm.decode(gfm.mermaid(page.blocks[0][1]).labels["n0"]) == gfm.decode(label)


def test_the_checker_fails_on_what_it_guards_against() -> None:
    """Each broken document below must fail the GFM check: the test can fail."""
    good = "## A\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n[to A](#a)\n"
    gfm.check(good)
    broken = {
        "a row with an extra cell": good.replace("| 1 | 2 |", "| 1 | 2 | 3 |"),
        "a cell split by a line break": good.replace("| 1 | 2 |", "| 1\n| 2 |"),
        "a link with no target": good.replace("(#a)", "(#b)"),
        "raw HTML": good.replace("[to A]", "<img src=x onerror=alert(1)>[to A]"),
        "an unclosed details block": good + "\n<details>\n<summary>s</summary>\n\nx\n",
        "a link to another scheme": good.replace("(#a)", "(javascript:alert(1))"),
        "an explicit id twice": good + '\n<a id="z"></a><a id="z"></a>\n',
        "a mention": good + "\nhi @octocat\n",
        "an unexpected code block": good + "\n```\ncode\n```\n",
    }
    for what, text in broken.items():
        with pytest.raises(AssertionError):
            gfm.check(text)
            pytest.fail(f"not caught: {what}")


# --- errors.md -----------------------------------------------------------------------------------


def _docstring_tree(init_source: str) -> list[tuple[str, str]]:
    """(parent, child) of the tree drawn in the package's ``__init__`` docstring."""
    doc = ast.get_docstring(ast.parse(init_source)) or ""
    art = doc.split("Exception tree::\n\n", 1)[1].split("\n\n", 1)[0]
    edges: list[tuple[str, str]] = []
    stack: list[str] = []
    for line in art.split("\n"):
        m = re.fullmatch(r" {4}((?:│   |    )*)(?:[├└]── )?(.+)", line)
        assert m, line
        depth = len(m[1]) // 4 + (m[2] != line.strip())
        del stack[depth:]
        if stack:
            edges.append((stack[-1], m[2]))
        stack.append(m[2])
    return edges


def test_committed_errors_md_reads_well_on_github() -> None:
    """The real page: contents, a three-column summary, links that land, the tree drawn."""
    text = (GENERATED / "docs" / "errors.md").read_text(encoding="utf-8")
    page = check_errors_md(text)
    diagram = gfm.mermaid(page.blocks[0][1])
    init = (GENERATED / "x_problems" / "__init__.py").read_text(encoding="utf-8")
    assert diagram.named_edges() == _docstring_tree(init), "the diagram and the docstring draw different trees"
    retired = {"ConflictProblem", "NonCompliantRulesProblem", "Oauth1PermissionsProblem"}
    assert {gfm.decode(diagram.labels[n]) for n in diagram.dashed} == retired
    externals = {h for h in page.hrefs if not h.startswith("#")}
    assert externals == {"https://docs.x.com/x-api/fundamentals/response-codes-and-errors", "https://developer.twitter.com/en/docs/labs/overview/error-codes"}
    # The wide facts live in the details: every type URI, version range and field is there.
    details = text.split("## Problem type details", 1)[1]
    for uri in ("https://api.x.com/2/problems/usage-capped", "about:blank"):
        assert f"- Type URI: `{uri}`" in details
    assert "- Spec versions: `2.134`–`2.159` †" in details and "- Spec versions: since `2.167`" in details
    assert "  - `period`: string, optional, enum [`Period`](#enums); spec versions `2.134`–`2.159` †" in details
    summary = text.split("## Problem types", 1)[1].split("## Exception tree", 1)[0]
    assert "https://" not in summary and "2.134" not in summary


@pytest.fixture(scope="module")
def pinned() -> Catalogue:
    from xproblems.request import make_request

    req = make_request(spec=None, also=(), supplement=None, out=ROOT / "unused", package="x_problems", pins=None, no_history=False)
    assert not isinstance(req, list)
    cat, diags = build_catalogue(req.spec, history=req.history, supplement=req.supplement, validate=False)
    assert cat is not None, [d.render() for d in diags]
    return cat


def test_rendered_errors_md_is_the_committed_one(pinned: Catalogue) -> None:
    """What the checks above read is what the generator writes (the golden tests hold the rest)."""
    assert render_templates(pinned, "x_problems")["docs/errors.md"] == (GENERATED / "docs" / "errors.md").read_text(encoding="utf-8")
    assert sections(pinned)[0].startswith("## Contents\n\n- [Problem types](#problem-types)\n")


@pytest.mark.slow
def test_errors_md_of_a_hostile_catalogue_reads_well_on_github(tmp_path: Path) -> None:
    """Spec text in every place errors.md quotes (tests/test_cli_output.py's hostile spec)."""
    from .test_cli_output import BASE_SPEC, hostile_spec, write_spec

    cat, diags = build_catalogue(write_spec(tmp_path / "hostile.json", hostile_spec()), validate=False)
    assert cat is not None, [d.render() for d in diags]
    text = render_templates(cat, "x_problems")["docs/errors.md"]
    check_errors_md(text)
    assert "U+001B" in text and "@&#8203;octocat" in text  # the hostile text is there, escaped
    base, _ = build_catalogue(BASE_SPEC, validate=False)
    assert base is not None
    check_report(render_markdown(diff_catalogues(base, cat), "1.0", "1.1"))


# --- the pull-request body and CHANGES.md -----------------------------------------------------------


def check_report(text: str) -> gfm.Page:
    """A Markdown report: summary first, folded long groups, balanced ``<details>``."""
    page = gfm.check(text, tables=REPORT_TABLES)
    if page.tables:
        assert page.tables[0].head == ["severity", "changes", "kinds"], "the report leads with its summary"
        assert text.index("| severity |") < text.index("### ")
    # Each <details> block stands on its own lines with blank lines inside, or GitHub shows
    # the Markdown in it as text.
    blocks = re.findall(r"^<details>\n<summary>[^<\n]+</summary>\n\n((?:.*\n)*?)\n</details>$", text, re.M)
    assert len(blocks) == text.count("\n<details>\n") and all(b.startswith("| type |") for b in blocks)
    assert text.count("<details>") == text.count("</details>") == page.details
    return page


def _changes(n_rows: int, n_keys: int, severity: str = "warning") -> tuple[Change, ...]:
    kinds = {"warning": "field-optional", "breaking": "field-removed", "info": "field-added"}
    return sort_changes(Change(severity, kinds[severity], f"type-{k:02d}", f"field f{r}", "required", "optional", f"m{r}") for r in range(n_rows) for k in range(n_keys))  # type: ignore[arg-type]


def test_report_folds_long_sections_and_long_type_lists_but_never_breaking_changes() -> None:
    short = render_markdown(_changes(FOLD_ROWS, 1), "1", "2")
    assert "<details>" not in check_report(short).tables[1].rows[0][0] and "<details>" not in short
    long = render_markdown(_changes(FOLD_ROWS + 1, FOLD_KEYS + 1), "1", "2")
    page = check_report(long)
    assert long.count("\n<details>\n<summary>") == 1 and f"<summary>{(FOLD_ROWS + 1) * (FOLD_KEYS + 1)} warning changes in {FOLD_ROWS + 1} rows</summary>" in long
    assert all(row[0].startswith(f"{FOLD_KEYS + 1} types") for row in page.tables[1].rows)  # the folded list's summary shows
    breaking = render_markdown(_changes(FOLD_ROWS + 1, 1, "breaking"), "1", "2")
    assert "<details>" not in breaking
    check_report(breaking)


def test_report_summary_counts_kinds_by_severity() -> None:
    page = check_report(render_markdown(_changes(2, 2) + _changes(1, 1, "info"), "1", "2"))
    assert page.tables[0].rows == [["breaking", "0", "—"], ["warning", "4", "field-optional ×4"], ["info", "1", "field-added"], ["total", "5", ""]]


def test_report_with_hostile_spec_text_reads_well_on_github() -> None:
    evil = "<details><summary>x</summary> | </details> ``` <img src=x onerror=1> [l](javascript:1) @octocat\n| new | row |"
    changes = sort_changes(Change("warning", "field-optional", evil + str(k), f"field {evil}", evil, evil, evil) for k in range(FOLD_ROWS + FOLD_KEYS + 2))
    text = render_markdown(changes, evil, evil)
    check_report(text)
    assert text.count("<details>") == 1  # the section's (each row lists one type); none from spec text


@pytest.mark.skipif(not spec_path("2.167").is_file(), reason="../shared/specs not present")
def test_report_of_the_real_2_167_update_reads_well_on_github(pinned: Catalogue) -> None:
    from xproblems.request import make_request

    req = make_request(spec=spec_path("2.159"), also=(), supplement=None, out=ROOT / "unused", package="x_problems", pins=None, no_history=False)
    assert not isinstance(req, list)
    old, _ = build_catalogue(req.spec, history=req.history, supplement=req.supplement, validate=False)
    assert old is not None
    text = render_markdown(diff_catalogues(old, pinned), "2.159", "2.167")
    page = check_report(text)
    assert page.tables[0].rows[-1][:2] == ["total", "75"]
    assert "<summary>17 types</summary>" in text and "<summary>52 warning changes in 12 rows</summary>" in text


def test_changelog_leads_each_entry_with_its_summary(tmp_path: Path, pinned: Catalogue) -> None:
    """CHANGES.md is the reports, newest first: each entry checked as GitHub shows the file."""
    log = tmp_path / "CHANGES.md"
    from dataclasses import replace

    older = replace(pinned, spec_version="2.166")
    newer = replace(pinned, spec_version="2.168", problems=pinned.problems[1:])
    log.write_text(changelog_text(log, older, pinned), encoding="utf-8")
    log.write_text(changelog_text(log, pinned, newer), encoding="utf-8")
    text = log.read_text(encoding="utf-8")
    assert text.startswith(TITLE)
    page = gfm.check(text, tables=REPORT_TABLES)
    entries = [h for level, h in page.headings if level == 2]
    assert entries == ["X API problem types: 2.167 -> 2.168", "X API problem types: 2.166 -> 2.167"]
    assert sum(t.head == ["severity", "changes", "kinds"] for t in page.tables) == 1  # the empty entry has no table
