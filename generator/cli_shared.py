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
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where needed: a warm run imports no stage module
    from .model import Diagnostic

EXIT_OK, EXIT_DIFFERENT, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def emit(text: str, stream: IO[str] | None = None) -> None:
    """Write ``text`` to ``stream`` (default stdout): the one way the CLI prints anything.

    Each line goes through :func:`escape.terminal_line`, so no spec text (a title, an enum
    value, a version, a file name or pointer in a diagnostic) can send an escape sequence,
    a bidi override or a lone surrogate to a terminal or a CI log. ``\\n`` alone ends
    lines, so a record that must stay one line (a diagnostic, a line of ``diff``'s text
    report, ``fetch``'s ``SHA256 VERSION``) is composed with ``terminal_line`` first: a
    newline in spec text must not start a line of its own. The bytes are UTF-8 whatever
    the locale, so reports are byte-identical everywhere.
    """
    from .escape import terminal_line  # lazy: the warm path prints nothing

    target = sys.stdout if stream is None else stream
    safe = "\n".join(terminal_line(line) for line in text.split("\n"))
    target.flush()
    buffer = getattr(target, "buffer", None)
    if buffer is None:
        target.write(safe)
    else:
        buffer.write(safe.encode("utf-8"))
        buffer.flush()


#: How diagnostics are printed: ``text`` (``level: file:line:col: pointer: message``) or
#: ``github`` (workflow commands, which GitHub shows as annotations on the file and line).
OUTPUT_FORMATS = ("text", "github")
_output_format = ["text"]


def set_output_format(name: str) -> None:
    """Choose how :func:`print_diagnostics` prints (``--output-format``)."""
    _output_format[0] = name


def output_format() -> str:
    """The format chosen with :func:`set_output_format`."""
    return _output_format[0]


def print_diagnostics(diags: Sequence[Diagnostic]) -> None:
    """One line per diagnostic on stderr, located (``line:col``) where its file allows."""
    if not diags:
        return
    from .locate import located  # lazy: only a run with something to say reads files again

    lines = [_github(d) if output_format() == "github" else d.render() for d in located(diags)]
    emit("".join(line + "\n" for line in lines), sys.stderr)


def _github(diag: Diagnostic) -> str:
    """An annotation attaches to a file by its path in the repository: relative where it lies
    below the working directory; a "file" that is none (a URL, the command line) attaches to none."""
    import dataclasses
    import os

    if not os.path.exists(diag.file):
        return diag.github(attach=False)
    path, cwd = os.path.abspath(diag.file), os.getcwd()
    if os.path.commonpath([path, cwd]) == cwd:
        diag = dataclasses.replace(diag, file=os.path.relpath(path, cwd).replace(os.sep, "/"))
    return diag.github()


class Parser(argparse.ArgumentParser):
    """``argparse``, printing through :func:`emit`: its usage errors quote command-line values."""

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            emit(message, file or sys.stderr)


def epilog(codes: str, *examples: str) -> dict[str, Any]:
    """``add_parser`` keywords for a subcommand's ``--help``: exit codes and examples, as written."""
    text = "exit codes:\n" + "".join(f"  {line}\n" for line in codes.splitlines())
    text += "\nexamples:\n" + "".join(f"  {example}\n" for example in examples)
    return {"epilog": text, "formatter_class": argparse.RawDescriptionHelpFormatter}


def add_global_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--debug`` and ``--output-format``, accepted before the subcommand and after it alike."""
    # After the subcommand the default is SUPPRESS, so a sub-parser never resets a
    # --debug given before it.
    default = False if top else argparse.SUPPRESS
    parser.add_argument("--debug", action="store_true", default=default, help="show the traceback of an internal error")
    parser.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        default="text" if top else argparse.SUPPRESS,
        help="diagnostics as text lines (default) or as GitHub Actions annotations (::error file=...,line=...,col=...::)",
    )


def add_history_options(parser: argparse.ArgumentParser) -> None:
    """``--pins`` and ``--no-history``: which pinned spec history a run builds on."""
    parser.add_argument("--pins", type=Path, metavar="DIR", help="directory holding pins.json and the pruned specs (default: the ones shipped with xproblems)")
    parser.add_argument("--no-history", action="store_true", help="build from the spec alone: no pinned older specs")
