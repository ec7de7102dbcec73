"""The ``diff`` and ``fetch`` subcommands; ``cli.parser`` adds them with these functions.

Exit codes follow ``cli``: 0 ok; 1 ``diff --fail-on`` tripped; 2 bad input (missing or
invalid spec, supplement or URL, failed download).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .model import Diagnostic

EXIT_OK, EXIT_BAD_INPUT = 0, 2
FORMATS = ("text", "markdown", "json")
FAIL_ON = ("breaking", "change", "never")


def _print(diags: list[Diagnostic]) -> None:
    for d in diags:
        print(d.render(), file=sys.stderr)


def _write(text: str) -> None:
    """UTF-8 bytes on stdout whatever the locale, so reports are byte-identical everywhere."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8"))
        buffer.flush()


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
    """Add ``diff OLD NEW [--also ...] [--format ...] [--fail-on ...] [--supplement ...]``."""
    from .pipeline import DEFAULT_SUPPLEMENT

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "diff",
        help="report what changed in the problem types between two specs",
        description="Build the catalogue of OLD alone and of NEW (with --also specs) and report every change, classified breaking / warning / info.",
    )
    parser.add_argument("old", type=Path, metavar="OLD", help="the spec the current code was generated from")
    parser.add_argument("new", type=Path, metavar="NEW", help="the new spec")
    parser.add_argument("--also", type=Path, nargs="*", action="extend", default=[], metavar="OLD_SPEC", help="older specs merged into NEW (as for generate): dropped types show as retired")
    parser.add_argument("--supplement", type=Path, default=DEFAULT_SUPPLEMENT, help="curated supplement (default specs/supplement.yaml)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default text)")
    parser.add_argument("--fail-on", choices=FAIL_ON, default="never", help="exit 1 on a breaking change, on any change, or never (default)")
    parser.set_defaults(run=run_diff)
    return parser


def run_diff(args: argparse.Namespace) -> int:
    """``diff``: print the report on stdout; 2 on bad input, else :func:`diff.exit_code`."""
    from .diff import diff_catalogues, exit_code, render_json, render_markdown, render_text
    from .pipeline import build_catalogue, errors_in

    also: list[Path] = list(args.also)
    missing = [Diagnostic("error", str(p), "", "no such file") for p in (args.old, args.new, *also, args.supplement) if not p.is_file()]
    if missing:
        _print(missing)
        return EXIT_BAD_INPUT
    # No openapi-pydantic validation here (its import alone costs ~0.3 s): diff reads only
    # the problem schemas, which the version check and extraction check themselves;
    # generate validates the whole document.
    old, old_diags = build_catalogue(args.old, supplement=args.supplement, validate=False)
    new, new_diags = build_catalogue(args.new, also=also, supplement=args.supplement, validate=False)
    diags = list(dict.fromkeys(old_diags + new_diags))  # the supplement is read twice
    _print(diags)
    if old is None or new is None or errors_in(diags):
        return EXIT_BAD_INPUT
    changes = diff_catalogues(old, new)
    if args.format == "json":
        text = render_json(changes, old.spec_version, new.spec_version)
    elif args.format == "markdown":
        text = render_markdown(changes, old.spec_version, new.spec_version)
    else:
        text = render_text(changes)
    _write(text)
    return exit_code(changes, args.fail_on)


def add_fetch_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``fetch URL --out PATH [--timeout S] [--max-bytes N]``."""
    from .fetch import MAX_BYTES

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "fetch",
        help="download a spec over http(s), check it, write it atomically",
        description="Download an OpenAPI 3.x spec, check it (JSON or YAML, openapi 3.x, info.version), and write it atomically. Prints 'VERSION SHA256'.",
    )
    parser.add_argument("url", metavar="URL", help="http or https URL of the spec")
    parser.add_argument("--out", type=Path, required=True, help="where to write the spec (left untouched on any error)")
    parser.add_argument("--timeout", type=_positive_float, default=30.0, metavar="S", help="seconds for connecting and for the whole transfer (default 30)")
    parser.add_argument("--max-bytes", type=_positive_int, default=MAX_BYTES, metavar="N", help=f"refuse bodies larger than this (default {MAX_BYTES})")
    parser.set_defaults(run=run_fetch)
    return parser


def run_fetch(args: argparse.Namespace) -> int:
    """``fetch``: print ``VERSION SHA256`` on success; 2 on any failure (nothing written)."""
    from .fetch import fetch_spec

    result, diags = fetch_spec(args.url, args.out, timeout=args.timeout, max_bytes=args.max_bytes)
    _print(diags)
    if result is None:
        return EXIT_BAD_INPUT
    _write(f"{result.version} {result.sha256}\n")
    return EXIT_OK
