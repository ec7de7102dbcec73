"""The ``audit`` subcommand: recorded X traffic vs the catalogue; ``cli.parser`` adds it.

Exit codes follow ``cli``: 0 reported (and ``--fail-on new`` did not trip); 1 ``--fail-on
new`` tripped; 2 bad input (an unreadable or malformed recording, a bad spec, supplement or
pins); 3 an internal error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cli_shared import EXIT_BAD_INPUT, EXIT_DIFFERENT, EXIT_OK, add_history_options, emit, epilog, print_diagnostics
from .model import Diagnostic

if TYPE_CHECKING:
    from .audit import AuditReport
    from .model import Catalogue

FORMATS = ("text", "markdown", "json")
FAIL_ON = ("new", "never")
#: Bad records printed before the rest are only counted (a broken recording of a million lines).
MAX_PRINTED = 20

_DESCRIPTION = (
    "Read recorded X API responses (JSON Lines of status, headers and body, or HAR 1.2) and "
    "recorded streams (JSON Lines of frames), and report what they hold that the catalogue "
    "(the pinned spec history plus the supplement) does not: unknown problem types, undeclared "
    "members and enum values, required members missing, the statuses each type came with, "
    "retired types and fields still in use, bodies that are not problems, rate-limit header "
    "families and stream frames. Header values, cookies, tokens and URL queries are never shown; "
    "values only with --show-values, and then masked."
)


def add_audit_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``audit FILE... [--format ...] [--fail-on ...] [--show-values] [--suggest FILE]``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "audit",
        help="compare recorded X traffic (JSON Lines, HAR) with the problem catalogue",
        description=_DESCRIPTION,
        **epilog(
            "0  reported (and --fail-on did not trip)\n1  --fail-on new tripped: something is new to the catalogue\n2  bad input: an unreadable or malformed recording, spec, supplement or pins\n3  internal error",
            "xproblems audit traffic.jsonl session.har",
            "xproblems audit traffic.jsonl --format markdown --fail-on new",
            "xproblems audit traffic.jsonl --suggest observed.yaml",
        ),
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="a recording: .har is HAR 1.2, anything else JSON Lines (- is standard input)")
    parser.add_argument("--spec", type=Path, help="OpenAPI spec (default: the current pinned spec); pinned specs older than it are merged")
    parser.add_argument("--also", type=Path, action="append", default=[], metavar="OLD_SPEC", help="an older spec merged in, as for generate (repeat for more)")
    add_history_options(parser)
    parser.add_argument("--supplement", type=Path, help="curated supplement (default: the one shipped with xproblems)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    parser.add_argument("--fail-on", choices=FAIL_ON, default="never", help="exit 1 when a type, member or enum value is new to the catalogue (default never)")
    parser.add_argument("--show-values", action="store_true", help="show example values, masked (ids and text longer than a few characters are never shown)")
    parser.add_argument("--suggest", type=Path, metavar="FILE", help="write a supplement fragment (YAML) of the observed facts to FILE, for review")
    parser.set_defaults(run=run_audit)
    return parser


def run_audit(args: argparse.Namespace) -> int:
    """``audit``: the report on stdout; 2 on bad input (nothing written), else 0 or 1."""
    from .audit import Tally
    from .traffic import Findings, ReadStats, read_records

    clash = _suggest_clash(args.suggest, args.files)
    if clash is not None:
        print_diagnostics([clash])
        return EXIT_BAD_INPUT
    catalogue, diags = _catalogue(args)
    if catalogue is None:
        print_diagnostics(diags)
        return EXIT_BAD_INPUT
    tally = Tally(catalogue, show_values=args.show_values)
    stats = ReadStats()
    found = Findings(keep=MAX_PRINTED)
    for path in args.files:
        for record in read_records(path, found, stats):
            tally.add(record)
    print_diagnostics(diags + found.kept)
    if found.more:
        emit(f"error: {found.more} more bad record(s) not shown\n", sys.stderr)
    if found.errors:
        return EXIT_BAD_INPUT
    report = tally.report(files=[str(p) for p in args.files], other_hosts=stats.other_hosts)
    if args.suggest is not None:
        problem = _write_suggestions(args.suggest, report, catalogue)
        if problem is not None:
            print_diagnostics([problem])
            return EXIT_BAD_INPUT
    emit(_render(report, args.format))
    return EXIT_DIFFERENT if args.fail_on == "new" and report.new else EXIT_OK


def _suggest_clash(suggest: Path | None, files: list[Path]) -> Diagnostic | None:
    """Why ``--suggest`` may not be written: it names a recording (which it would replace)."""
    if suggest is None:
        return None
    for path in files:
        if str(path) != "-" and (path == suggest or (path.exists() and suggest.exists() and path.samefile(suggest))):
            return Diagnostic("error", str(suggest), "", "--suggest names a recording being audited; it would be replaced")
    return None


def _catalogue(args: argparse.Namespace) -> tuple[Catalogue | None, list[Diagnostic]]:
    """The catalogue ``generate`` would build from the same options (and [tool.xproblems])."""
    from .config import apply
    from .pipeline import catalogue_for, errors_in, load_spec
    from .request import DEFAULT_PACKAGE, make_request

    problems = apply(args)
    if problems:
        return None, problems
    # audit writes no package: ``out`` only satisfies make_request, which checks every input.
    req = make_request(spec=args.spec, also=args.also, supplement=args.supplement, out=Path("."), package=DEFAULT_PACKAGE, pins=args.pins, no_history=args.no_history)
    if isinstance(req, list):
        return None, req
    pinned = req.history is not None and req.history.holding(req.spec) is not None
    current, found = load_spec(req.spec, validate=not pinned)
    catalogue, diags = catalogue_for(current, history=req.history, also=req.also, supplement=req.supplement, validate=True, diags=found)
    if catalogue is None or errors_in(diags):
        return None, diags
    # Warnings about the catalogue's inputs (conflicts, left-out schemas) are generate's and
    # diff's to report; an audit of traffic is not the place to repeat them.
    return catalogue, []


def _write_suggestions(path: Path, report: AuditReport, catalogue: Catalogue) -> Diagnostic | None:
    from .suggest import render_suggestions
    from .write import write_atomic

    try:
        write_atomic(path, render_suggestions(report, catalogue))
    except OSError as exc:
        return Diagnostic("error", str(path), "", f"cannot write: {exc.strerror or exc}")
    return None


def _render(report: AuditReport, fmt: str) -> str:
    from .audit_render import render_json, render_markdown, render_text

    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    return render_text(report)
