"""What every subcommand shares: exit codes, diagnostics on stderr, the history options.

``cli`` (generate, check) and ``diff_cli`` (diff, fetch, pin) both import this module, so
neither imports the other's module-level names and ``cli`` can load ``diff_cli`` lazily.

Exit codes: 0 success; 1 ``check`` found differences (or ``diff --fail-on`` tripped);
2 bad input or usage; 3 an internal error (a bug: please report it, with ``--debug``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where needed: a warm run imports no stage module
    from .model import Diagnostic

EXIT_OK, EXIT_DIFFERENT, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def print_diagnostics(diags: Sequence[Diagnostic]) -> None:
    """One line per diagnostic on stderr."""
    for d in diags:
        print(d.render(), file=sys.stderr)


def add_history_options(parser: argparse.ArgumentParser) -> None:
    """``--pins`` and ``--no-history``: which pinned spec history a run builds on."""
    parser.add_argument("--pins", type=Path, metavar="DIR", help="directory holding pins.json and the pruned specs (default: the ones shipped with xproblems)")
    parser.add_argument("--no-history", action="store_true", help="build from the spec alone: no pinned older specs")
