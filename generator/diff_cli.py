"""The ``diff``, ``fetch`` and ``pin`` subcommands; ``cli.parser`` adds them with these functions.

Exit codes follow ``cli``: 0 ok; 1 ``diff --fail-on`` tripped; 2 bad input (missing or
invalid spec, supplement or URL, failed download).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cli_shared import EXIT_BAD_INPUT, EXIT_OK, add_history_options, emit, epilog, output_format, print_diagnostics
from .model import Diagnostic
from .request import file_problem
from .write import write_atomic

if TYPE_CHECKING:
    from .diff import Change
    from .history import History
    from .model import Catalogue

FORMATS = ("text", "markdown", "json")
FAIL_ON = ("breaking", "change", "never")


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
    return value


def add_diff_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``diff OLD NEW [--also ...] [--pins DIR] [--no-history] [--format ...] [--fail-on ...]``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "diff",
        help="report what changed in the problem types between two specs",
        description=(
            "Build the catalogue of OLD and of NEW, each on the pinned specs older than itself "
            "(plus any --also specs), and report every change, classified breaking / warning / info. "
            "OLD and NEW are pinned versions (such as 2.159, or current for the newest pin) or spec files."
        ),
        **epilog(
            "0  reported (and --fail-on did not trip)\n1  --fail-on tripped\n2  bad input: an unknown version, a missing or invalid spec\n3  internal error",
            "xproblems diff 2.159 2.167",
            "xproblems diff 2.167 latest.json --format markdown --fail-on breaking",
        ),
    )
    parser.add_argument("old", metavar="OLD", help="a pinned version or a spec file: what the current code was generated from")
    parser.add_argument("new", metavar="NEW", help="a pinned version or a spec file: the new spec")
    parser.add_argument("--also", type=Path, action="append", default=[], metavar="OLD_SPEC", help="an older spec merged into both sides, as for generate (repeat for more)")
    add_history_options(parser)
    parser.add_argument("--supplement", type=Path, help="curated supplement (default: the one shipped with xproblems)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    parser.add_argument("--fail-on", choices=FAIL_ON, default="never", help="exit 1 on a breaking change, on any change, or never (default)")
    parser.set_defaults(run=run_diff)
    return parser


def _pins(args: argparse.Namespace) -> tuple[History | None, list[Diagnostic]]:
    """The pinned history, checked against its digests."""
    from .history import load_history, verify
    from .resources import specs_dir

    history, diags = load_history(args.pins or specs_dir())
    if history is not None:
        diags = verify(history)
    return (None, diags) if diags else (history, [])


def _side(arg: str, pins: History) -> Path | Diagnostic:
    """A diff operand: ``current`` (the newest pin), a pinned version, else a spec file."""
    pin = pins.current if arg == "current" and pins.pins else pins.find(arg)
    if pin is not None:
        return pins.path(pin)
    path = Path(arg)
    if path.is_file():
        return path
    if path.is_dir():
        return Diagnostic("error", arg, "", "is a directory; give a pinned version or a spec file")
    known = ", ".join(p.version for p in pins.pins)
    return Diagnostic("error", arg, "", f"neither a pinned version ({known}) nor a spec file")


def run_diff(args: argparse.Namespace) -> int:
    """``diff``: print the report on stdout; 2 on bad input, else :func:`diff.exit_code`."""
    from .diff import diff_catalogues, exit_code
    from .pipeline import errors_in
    from .resources import default_supplement

    pins, diags = _pins(args)
    if pins is None:
        print_diagnostics(diags)
        return EXIT_BAD_INPUT
    history = None if args.no_history else pins
    sides = [_side(a, pins) for a in (args.old, args.new)]
    supplement = args.supplement or default_supplement()
    also: list[Path] = list(args.also)
    missing = [Diagnostic("error", str(p), "", why) for p in (*also, supplement) if (why := file_problem(p))]
    bad = [s for s in sides if isinstance(s, Diagnostic)] + missing
    if bad:
        print_diagnostics(bad)
        return EXIT_BAD_INPUT
    old_path, new_path = (s for s in sides if isinstance(s, Path))
    old, old_diags = _catalogue(old_path, pins, history, also, supplement)
    new, new_diags = _catalogue(new_path, pins, history, also, supplement)
    diags = list(dict.fromkeys(old_diags + new_diags))  # shared inputs are read by both sides
    print_diagnostics(diags)
    if old is None or new is None or errors_in(diags):
        return EXIT_BAD_INPUT
    changes = diff_catalogues(old, new)
    emit(_report(changes, old.spec_version, new.spec_version, args.format))
    if output_format() == "github":
        # Breaking changes and warnings as annotations on the new spec (info stays in the report).
        notes = [Diagnostic("error" if c.severity == "breaking" else "warning", str(new_path), "", f"{c.kind} ({c.key}): {c.message}") for c in changes if c.severity != "info"]
        print_diagnostics(notes)
    return exit_code(changes, args.fail_on)


def _catalogue(path: Path, pins: History, history: History | None, also: Sequence[Path], supplement: Path) -> tuple[Catalogue | None, list[Diagnostic]]:
    """One side's catalogue, its spec and ``also`` specs checked exactly as ``generate`` checks
    them: the weekly job diffs a freshly fetched spec, and a malformed schema (``oneOf: 5``)
    must be exit 2 with generate's diagnostics, not a crash in extraction. Only a pinned
    copy skips validation: it was validated when pinned, and ``_pins`` verified its digest."""
    from .pipeline import catalogue_for, load_spec

    current, found = load_spec(path, validate=pins.holding(path) is None)
    return catalogue_for(current, history=history, also=also, supplement=supplement, validate=True, diags=found)


def _report(changes: Sequence[Change], old: str, new: str, fmt: str) -> str:
    from .diff import render_json, render_markdown, render_text

    if fmt == "json":
        return render_json(changes, old, new)
    if fmt == "markdown":
        return render_markdown(changes, old, new)
    return render_text(changes)


def add_fetch_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``fetch URL --out PATH [--timeout S] [--max-bytes N] [--allow-port-redirect]``."""
    from .fetch import MAX_BYTES

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "fetch",
        help="download a spec over http(s), check it, write it atomically",
        description=(
            "Download an OpenAPI 3.x spec, check it (JSON or YAML, openapi 3.x, info.version), and write it "
            "atomically. Prints 'SHA256 VERSION'. --timeout is one wall-clock deadline for the whole download."
        ),
        **epilog(
            "0  downloaded, checked and written\n2  any failure (network, status, size, redirect, not a spec): nothing written\n3  internal error",
            "xproblems fetch https://api.x.com/2/openapi.json --out tmp/latest.json --timeout 60",
        ),
    )
    parser.add_argument("url", metavar="URL", help="http or https URL of the spec")
    parser.add_argument("--out", type=Path, required=True, help="where to write the spec (left untouched on any error)")
    parser.add_argument("--timeout", type=_positive_float, default=30.0, metavar="S", help="wall-clock deadline in seconds for the whole download: DNS, connect, headers, every redirect and the body (default 30)")
    parser.add_argument("--max-bytes", type=_positive_int, default=MAX_BYTES, metavar="N", help=f"refuse bodies larger than this (default {MAX_BYTES})")
    parser.add_argument(
        "--allow-port-redirect",
        action="store_true",
        help="follow a redirect to another port, including http -> https (default ports 80 -> 443); refused without it. An https -> http redirect is always refused",
    )
    parser.set_defaults(run=run_fetch)
    return parser


def run_fetch(args: argparse.Namespace) -> int:
    """``fetch``: print ``SHA256 VERSION`` on success; 2 on any failure (nothing written)."""
    from .fetch import fetch_spec

    result, diags = fetch_spec(args.url, args.out, timeout=args.timeout, max_bytes=args.max_bytes, allow_port_redirect=args.allow_port_redirect)
    print_diagnostics(diags)
    if result is None:
        return EXIT_BAD_INPUT
    from .escape import terminal_line

    # One line whatever info.version holds, and the digest first (as sha256sum prints): a
    # line that starts with "::" is a workflow command in a GitHub Actions log, and the
    # version is spec text ("::add-mask::..." or "::error::..."), the digest is hex.
    emit(terminal_line(f"{result.sha256} {result.version}") + "\n")
    return EXIT_OK


def add_pin_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``pin SPEC [--pins DIR] [--url URL] [--report FILE] [--changelog FILE] [--supplement PATH]``."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "pin",
        help="accept a full X spec into the pinned history (prune, diff, record)",
        description=(
            "Prune a full X spec to what problem extraction needs and compare it with the current pin. "
            "The same problem subset is a no-op ('no change', exit 0, nothing written). Otherwise write the "
            "pruned copy and pins.json, print the report (committed pins vs committed pins + this spec) "
            "and, with --changelog, prepend it to that file. Regenerate with `xproblems generate` after."
        ),
        **epilog(
            "0  pinned, or no change (nothing written)\n2  bad input, or an older version than the current pin (nothing written)\n3  internal error",
            "xproblems pin tmp/latest.json --url https://api.x.com/2/openapi.json --report tmp/spec-diff.md",
        ),
    )
    parser.add_argument("spec", type=Path, metavar="SPEC", help="the full spec (JSON or YAML), as fetched")
    parser.add_argument("--pins", type=Path, metavar="DIR", help="directory of pins.json (default: specs/ of the checkout)")
    parser.add_argument("--url", help="where the spec was fetched from (recorded in the pruned copy)")
    parser.add_argument("--supplement", type=Path, help="curated supplement (default: the one shipped with xproblems)")
    parser.add_argument("--report", type=Path, metavar="FILE", help="also write the report as Markdown to FILE (a pull-request body)")
    parser.add_argument("--changelog", type=Path, metavar="FILE", help="prepend the Markdown report to FILE when something changed")
    parser.set_defaults(run=run_pin)
    return parser


def run_pin(args: argparse.Namespace) -> int:
    """``pin``: exit 0 when pinned or unchanged, 2 on bad input (nothing written)."""
    from .diff import render_markdown, render_text
    from .escape import terminal_line
    from .history import PINS_FILE, History
    from .pin import pin_spec
    from .resources import checkout_root, specs_dir

    if args.pins is None and checkout_root() is None:
        print_diagnostics([Diagnostic("error", "<command line>", "", "--pins DIR is required: this xproblems is installed, and its own history is package data")])
        return EXIT_BAD_INPUT
    directory: Path = args.pins or specs_dir()
    if directory.is_dir() and not (directory / PINS_FILE).exists():
        history: History | None = History(directory, ())  # the first pin starts a history
        diags: list[Diagnostic] = []
    else:
        history, diags = _pins(args)
    why = file_problem(args.spec)
    if why:
        diags.append(Diagnostic("error", str(args.spec), "", why))
    if history is None or diags:
        print_diagnostics(diags)
        return EXIT_BAD_INPUT
    result, diags = pin_spec(args.spec, history, url=args.url, supplement=args.supplement, changelog=args.changelog)
    print_diagnostics(diags)
    if result is None:
        return EXIT_BAD_INPUT
    if result.changes is None:
        line = terminal_line(f"no change: the problem catalogue of {result.version} is the pinned {result.current}'s") + "\n"
        if args.report:
            write_atomic(args.report, line)
        emit(line)
        return EXIT_OK
    if args.report:
        write_atomic(args.report, render_markdown(result.changes, result.current, result.version))
    emit(terminal_line(f"pinned {result.version} (was {result.current})") + "\n" + render_text(result.changes))
    return EXIT_OK
