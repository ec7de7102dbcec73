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
    from .model import Catalogue, Supplement

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

    usage = _usage_problems(args.suggest, args.files)
    if usage:
        print_diagnostics(usage)
        return EXIT_BAD_INPUT
    catalogue, supplement, diags = _catalogue(args)
    if catalogue is None or supplement is None:
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
        problem = _write_suggestions(args.suggest, report, catalogue, supplement)
        if problem is not None:
            print_diagnostics([problem])
            return EXIT_BAD_INPUT
    emit(_render(report, args.format))
    if args.fail_on == "new" and report.new:
        emit(f"xproblems: {report.new} fact(s) new to the catalogue (--fail-on new)\n", sys.stderr)
        return EXIT_DIFFERENT
    return EXIT_OK


def _usage_problems(suggest: Path | None, files: list[Path]) -> list[Diagnostic]:
    """What is wrong with the files given before anything is read: standard input twice, or
    a ``--suggest`` that would replace a recording, a device or a FIFO, or needs a directory."""
    found = []
    if sum(str(p) == "-" for p in files) > 1:
        found.append(Diagnostic("error", "<command line>", "", "- (standard input) is given more than once"))
    if suggest is not None:
        why = _suggest_problem(suggest, files)
        if why:
            found.append(Diagnostic("error", str(suggest), "", why))
    return found


def _suggest_problem(suggest: Path, files: list[Path]) -> str | None:
    if str(suggest) == "-":
        return "--suggest needs a file name (standard output carries the report)"
    if not suggest.parent.is_dir():
        return "--suggest: its directory does not exist"
    if suggest.exists() or suggest.is_symlink():
        if suggest.is_symlink() or not suggest.is_file():
            return "--suggest: exists and is not a regular file (a device, FIFO, directory or link); not replaced"
        if any(str(p) != "-" and p.exists() and p.samefile(suggest) for p in files) or ("-" in map(str, files) and _is_stdin(suggest)):
            return "--suggest names a recording being audited; it would be replaced"
    return None


def _is_stdin(path: Path) -> bool:
    """Whether standard input is redirected from ``path`` (``< traffic.jsonl``); a pipe
    (``cat traffic.jsonl |``) cannot be told from it, and the README says so."""
    import os

    try:
        mine, theirs = os.fstat(sys.stdin.fileno()), os.stat(path)
    except (OSError, ValueError, AttributeError):
        return False
    return (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)


def _catalogue(args: argparse.Namespace) -> tuple[Catalogue | None, Supplement | None, list[Diagnostic]]:
    """The catalogue ``generate`` would build from the same options (and [tool.xproblems])."""
    from .config import apply
    from .pipeline import catalogue_for, errors_in, load_spec, load_supplement_cached
    from .request import DEFAULT_PACKAGE, make_request

    problems = apply(args)
    if problems:
        return None, None, problems
    # audit writes no package: ``out`` only satisfies make_request, which checks every input.
    req = make_request(spec=args.spec, also=args.also, supplement=args.supplement, out=Path("."), package=DEFAULT_PACKAGE, pins=args.pins, no_history=args.no_history)
    if isinstance(req, list):
        return None, None, req
    pinned = req.history is not None and req.history.holding(req.spec) is not None
    current, found = load_spec(req.spec, validate=not pinned)
    catalogue, diags = catalogue_for(current, history=req.history, also=req.also, supplement=req.supplement, validate=True, diags=found)
    if catalogue is None or errors_in(diags):
        return None, None, diags
    supplement, _ = load_supplement_cached(req.supplement)  # read (and cached) by catalogue_for
    # Warnings about the catalogue's inputs (conflicts, left-out schemas) are generate's and
    # diff's to report; an audit of traffic is not the place to repeat them.
    return catalogue, supplement, []


def _write_suggestions(path: Path, report: AuditReport, catalogue: Catalogue, supplement: Supplement) -> Diagnostic | None:
    from .suggest import render_suggestions
    from .write import write_atomic

    try:
        write_atomic(path, render_suggestions(report, catalogue, supplement))
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
