"""black's layout for the few statement shapes of the data modules, decided while rendering.

The data modules (``_enums``, ``_problems``, ``_errors``, ``__init__``) are rendered in the
layout black gives them, so a cold run need not import and run black (most of its cost):
``render`` passes a module through black only when :func:`needs_black` finds something
laid out here does not cover (a code line that stays too long, a docstring black would
touch). The layouts below are black's, for these shapes only, and are checked against black
itself: by the property tests over random lengths, and, with ``XPROBLEMS_VERIFY_FORMAT=1``
(set by the test suite), on every module any test renders.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Sequence

#: black's line length for the output (part of the output's identity, in the header).
LINE_LENGTH = 88
_INDENT = "    "


def _fits(line: str) -> bool:
    return len(line) <= LINE_LENGTH


def assignment(indent: str, target: str, value: str) -> str:
    """``target = value`` for an atom ``value``; wrapped in parentheses when only that fits."""
    line = f"{indent}{target} = {value}"
    inner = f"{indent}{_INDENT}{value}"
    if _fits(line) or not _fits(inner):
        return line  # too long either way: black leaves it, and needs_black sends it to black
    return f"{indent}{target} = (\n{inner}\n{indent})"


def import_from(indent: str, module: str, names: Sequence[str]) -> str:
    """``from module import a, b`` on one line when it fits, else one name per line."""
    line = f"{indent}from {module} import {', '.join(names)}"
    if _fits(line):
        return line
    body = "".join(f"{indent}{_INDENT}{name},\n" for name in names)
    return f"{indent}from {module} import (\n{body}{indent})"


def call(indent: str, callee: str, args: Sequence[str], end: str = "") -> str:
    """``callee(args)`` + ``end``: on one line, else the arguments on one line, else one each."""
    line = f"{indent}{callee}({', '.join(args)}){end}"
    if _fits(line):
        return line
    hugged = f"{indent}{_INDENT}{', '.join(args)}"
    if _fits(hugged):
        return f"{indent}{callee}(\n{hugged}\n{indent}){end}"
    body = "".join(f"{indent}{_INDENT}{arg},\n" for arg in args)
    return f"{indent}{callee}(\n{body}{indent}){end}"


def tuple_assignment(indent: str, target: str, callee: str, items: Sequence[Sequence[str]]) -> str:
    """``target = (callee(...), ...)``: ``()`` when empty, one line for a one-tuple that fits,
    else one call per line (each laid out by :func:`call`) with trailing commas."""
    if not items:
        return f"{indent}{target} = ()"
    if len(items) == 1:
        line = f"{indent}{target} = ({callee}({', '.join(items[0])}),)"
        if _fits(line):
            return line
    body = "\n".join(call(indent + _INDENT, callee, args, ",") for args in items)
    return f"{indent}{target} = (\n{body}\n{indent})"


def collection(opening: str, lines: Sequence[str], closing: str) -> str:
    """An exploded literal (``opening`` ends with ``[`` or ``{``), or an empty one joined."""
    if not lines:
        return f"{opening}{closing}"
    return "\n".join([opening, *lines, closing])


def _stable_string_statement(token: str) -> bool:
    """Whether black leaves a string that stands alone as a statement (a docstring) as it is.

    black strips a docstring, pads it when it starts or ends with its quote character or
    ends with a backslash, and re-indents a multi-line one; ``escape.py_docstring`` never
    writes such a docstring, and ``escape.py_literal`` already quotes as black does.
    """
    quote = token[:3] if token.startswith('"""') else token[:1]
    if quote not in ('"""', '"', "'") or token[-len(quote) :] != quote:
        return False
    body = token[len(quote) : -len(quote)]
    if not body or body[0] in (quote[0], " ") or body.endswith("\\"):
        return False
    if "\n" not in body:
        return body[-1] not in (quote[0], " ")
    # A multi-line docstring ends with its closing quotes on a line of their own.
    return len(quote) == 3 and "\\" not in body and not body.rsplit("\n", 1)[1].strip()


def needs_black(source: str) -> bool:
    """Whether black may change ``source``: a code line over the limit (black leaves a long
    docstring line as it is), a code line with a non-ASCII character (black measures those
    in display columns, East Asian wide characters counting two, and the layouts here count
    characters), or a docstring that black would strip, pad or re-indent."""
    lines = source.splitlines()
    docstring_lines: set[int] = set()
    previous = tokenize.NEWLINE
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING and previous in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            if not _stable_string_statement(tok.string):
                return True
            docstring_lines.update(range(tok.start[0], tok.end[0] + 1))
        if tok.type not in (tokenize.COMMENT, tokenize.NL):
            previous = tok.type
    return any(not (_fits(line) and line.isascii()) for n, line in enumerate(lines, 1) if n not in docstring_lines)
