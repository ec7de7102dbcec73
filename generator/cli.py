"""Command line: argument parsing, and mapping ``pipeline``'s results to exit codes.

Exit codes (``cli_shared``): 0 success; 1 ``check`` found differences (or ``diff --fail-on``
tripped); 2 bad input or usage; 3 an internal error (a bug: please report it, with ``--debug``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .cli_shared import (
    EXIT_BAD_INPUT,
    EXIT_DIFFERENT,
    EXIT_INTERNAL,
    EXIT_OK,
    Parser,
    add_global_options,
    add_history_options,
    emit,
    epilog,
    output_format,
    print_diagnostics,
    set_output_format,
)
from .request import DEFAULT_PACKAGE, Request, make_request

if TYPE_CHECKING:  # imported where needed: a warm run imports no stage module
    from .model import Diagnostic

#: Subcommands that ``main`` parses without building the ``diff``/``fetch`` parsers (whose
#: module imports cost a warm run more than everything else it does).
_CORE_COMMANDS = frozenset({"generate", "check"})


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", type=Path, help="OpenAPI spec (default: the current pinned spec); pinned specs older than it are merged")
    parser.add_argument("--also", type=Path, action="append", default=[], metavar="OLD_SPEC", help="an older spec whose dropped types and fields are kept, marked retired (repeat for more)")
    add_history_options(parser)
    parser.add_argument("--supplement", type=Path, help="curated supplement (default: the one shipped with xproblems)")
    parser.add_argument("--out", type=Path, help="output directory (default: `out` of [tool.xproblems] in the nearest pyproject.toml, else generated/ of the checkout; an installed xproblems needs one of the two)")
    parser.add_argument("--package", help=f"package directory name (default {DEFAULT_PACKAGE})")


def _request(args: argparse.Namespace) -> Request | list[Diagnostic]:
    """The run's inputs, or why they cannot be used (a bad [tool.xproblems], package name, missing files).

    Options the command line leaves unset come from ``[tool.xproblems]`` in the nearest
    ``pyproject.toml`` (``config``), then from the defaults.
    """
    from .config import apply

    problems = apply(args)
    if problems:
        return problems
    package = args.package or DEFAULT_PACKAGE
    return make_request(spec=args.spec, also=args.also, supplement=args.supplement, out=args.out, package=package, pins=args.pins, no_history=args.no_history)


def run_generate(args: argparse.Namespace) -> int:
    """``generate``: exit 0 when the output is written or already fresh, 2 on bad input."""
    from .pipeline import generate

    req = _request(args)
    if isinstance(req, list):
        print_diagnostics(req)
        return EXIT_BAD_INPUT
    result = generate(req)
    print_diagnostics(result.diagnostics)
    if not result.ok:
        return EXIT_BAD_INPUT
    if not args.quiet and not result.fresh:
        emit(f"xproblems: {len(result.changed)} file(s) changed in {req.out}\n", sys.stderr)
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """``check``: exit 1 with a unified diff when the output is not what generate would write."""
    from .pipeline import check

    req = _request(args)
    if isinstance(req, list):
        print_diagnostics(req)
        return EXIT_BAD_INPUT
    result = check(req)
    print_diagnostics(result.diagnostics)
    if not result.ok:
        return EXIT_BAD_INPUT
    emit("".join(result.diffs))
    if result.diffs and output_format() == "github":
        from .model import Diagnostic

        stale = [Diagnostic("error", str(req.out / rel), "", "differs from what `xproblems generate` writes; regenerate") for rel in _diffed(result.diffs)]
        print_diagnostics(stale)
    if result.diffs:
        emit(f"xproblems: {len(result.diffs)} file(s) differ from what `generate` would write\n", sys.stderr)
        return EXIT_DIFFERENT
    return EXIT_OK


_GENERATE = (
    "Build the problem catalogue from the spec (by default the current pinned one), the pinned "
    "history of older specs and the curated supplement, and write the vendorable package and "
    "docs/errors.md into --out. Each output directory is swapped in whole: a run killed at any "
    "point leaves it old or new, never mixed. When the manifest says the output is fresh, "
    "nothing is read or written."
)
_GENERATE_CODES = "0  written, or already fresh\n2  bad input, or the environment (a file in the way, disk full, the lock held)\n3  internal error (a bug: rerun with --debug and report it)"
_GENERATE_EXAMPLES = ("xproblems generate --out src/myapp/vendor --package x_errors", "xproblems generate --spec x-api-v2.json --also older.json --out generated")
_CHECK = (
    "Compare --out with what `generate` would write, and print a unified diff of every "
    "difference (hand edits, stale files, a changed input or generator). Writes nothing of the "
    "output; it only finishes a swap that a killed run left half done."
)
_CHECK_CODES = "0  the output is what generate would write\n1  it differs (the diff is on stdout)\n2  bad input\n3  internal error"
_CHECK_EXAMPLES = ("xproblems check --out src/myapp/vendor --package x_errors",)


def _diffed(diffs: Sequence[str]) -> list[str]:
    """The output-relative path each unified diff of ``check`` is about."""
    paths = []
    for text in diffs:
        for line in text.splitlines()[:2]:
            if line.startswith(("--- a/", "+++ b/")):
                paths.append(line[6:])
                break
    return paths


def parser(*, extras: bool = True) -> argparse.ArgumentParser:
    """The argument parser for every subcommand (``extras=False``: generate and check only)."""
    top = Parser(prog="xproblems", description="X API v2 problem schemas -> a vendorable Python error package")
    top.add_argument("--version", action="version", version=f"xproblems {__version__}")
    add_global_options(top, top=True)
    sub = top.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write the package and docs", description=_GENERATE, **epilog(_GENERATE_CODES, *_GENERATE_EXAMPLES))
    _add_inputs(gen)
    gen.add_argument("--quiet", action="store_true", help="print only diagnostics")
    gen.set_defaults(run=run_generate)
    chk = sub.add_parser("check", help="exit 1 with a diff when the output is stale; writes nothing", description=_CHECK, **epilog(_CHECK_CODES, *_CHECK_EXAMPLES))
    _add_inputs(chk)
    chk.set_defaults(run=run_check)
    if extras:
        try:
            from .diff_cli import add_diff_parser, add_fetch_parser, add_pin_parser
        except ImportError:  # pragma: no cover - diff, fetch and pin ship with the generator
            pass
        else:
            add_diff_parser(sub)
            add_fetch_parser(sub)
            add_pin_parser(sub)
        from .audit_cli import add_audit_parser

        add_audit_parser(sub)
    for command in sub.choices.values():
        add_global_options(command)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``xproblems`` and ``python -m xproblems``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # The top-level options take no value, so the first bare word is the subcommand.
    command = next((a for a in argv if not a.startswith("-")), None)
    args = parser(extras=command not in _CORE_COMMANDS).parse_args(argv)
    set_output_format(args.output_format)
    try:
        code: int = args.run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            raise
        emit(f"error: internal: {type(exc).__name__}: {exc} (rerun with --debug and report it)\n", sys.stderr)
        return EXIT_INTERNAL
    return code
