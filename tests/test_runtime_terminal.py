"""What the runtime prints is safe on any terminal and in any log (issue 14, item 6)."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import pytest

from .runtime_support import load, package_root

xp = load()

HOSTILE = ["\ud800", "\x1b]0;owned\x07\x1b[2J", "\u202eevil", "a\x00b", "\u2028line", "\x9bcsi"]


@pytest.mark.parametrize("text", HOSTILE)
def test_str_of_errors_and_problems_shows_hostile_characters_as_code_points(text: str) -> None:
    body = {"type": "about:blank", "title": text, "detail": text}
    for value in (xp.error_from_response(400, body), xp.parse_problem(body), xp.error_from_response(502, text.encode("utf-8", "surrogatepass"))):
        shown = str(value)
        assert shown.isprintable(), repr(shown)
        shown.encode("utf-8")  # no lone surrogate left
    if text.split() == [text]:  # a line separator is whitespace: collapsed to a space instead
        assert "U+" in str(xp.parse_problem(body))


def test_printing_and_logging_a_surrogate_title_works() -> None:
    error = xp.error_from_response(400, b'{"title":"\\ud800"}')
    code = "import x_problems as xp; print(xp.error_from_response(400, b'{\"title\":\"\\\\ud800\"}'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(package_root()), "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 0 and "U+D800" in done.stdout, done.stderr
    stream = io.StringIO()
    logger = logging.getLogger("xproblems-terminal-test")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        logger.error("failed: %s", error)
    finally:
        logger.removeHandler(handler)
    assert "U+D800" in stream.getvalue() and "Logging error" not in stream.getvalue()
