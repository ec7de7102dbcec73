"""Every line the CLI prints is terminal-safe; Markdown reports mention nobody (issue 14, item 6).

Spec text (titles, descriptions, enum values, field names, type URIs, ``info.version``) and
file names carry escape sequences, every C0 and C1 control, the bidi controls, line and
paragraph separators and lone surrogates. Through ``diff`` (text, markdown, json),
``fetch``, ``pin`` (stdout, ``--report``, ``--changelog``), diagnostics and argparse's
errors, no byte of what is printed or written may be such a character (``\\n`` aside), and
no ``@name`` may reach a Markdown report. JSON stays exact data.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xproblems.escape import md_code, md_text, terminal_line

from .client_modes import serving

ROOT = Path(__file__).resolve().parents[1]
BASE_SPEC = ROOT / "tests" / "hostile" / "_base" / "spec.json"
BASE_SUPPLEMENT = ROOT / "tests" / "hostile" / "_base" / "supplement.yaml"

ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m"
C0 = "".join(chr(c) for c in range(0x20))
C1 = "\x7f" + "".join(chr(c) for c in range(0x80, 0xA0))
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
SEPARATORS = "\u2028\u2029\u0085"
SURROGATES = "\udc00x\ud800"  # low then high: never a pair, in Python or in JSON
#: What every hostile string holds: each character class above, and a mention.
HOSTILE = f"A {ESCAPES} {C0} {C1} {BIDI} {SEPARATORS} {SURROGATES} @octocat end"
#: A GitHub mention: ``@`` and a letter or digit (what the ``_NO_MENTION`` entity breaks).
MENTION = re.compile(r"@[A-Za-z0-9]")


def unsafe(text: str) -> list[str]:
    """The characters of ``text`` a terminal would act on (``\\n`` ends a line and is fine)."""
    return sorted({f"U+{ord(ch):04X}" for ch in text if ch != "\n" and not ch.isprintable()})


def assert_safe(data: bytes, what: str) -> str:
    """``data`` is UTF-8 (so holds no lone surrogate) and every line is terminal-safe."""
    text = data.decode("utf-8")  # strict
    assert not unsafe(text), f"{what}: {unsafe(text)}"
    return text


# --- the rule itself ------------------------------------------------------------------------


def test_terminal_line_shows_every_unsafe_character_as_a_code_point() -> None:
    line = terminal_line(HOSTILE)
    assert not unsafe(line) and "\n" not in line
    for ch in "\x1b\x07" + C0 + C1 + BIDI + SEPARATORS + "\udc00\ud800":
        assert f"U+{ord(ch):04X}" in line
    assert terminal_line(line) == line, "the result is its own escape"
    for benign in ("plain", "caf\u00e9 \u6f22\u5b57 \U0001f600", ""):
        assert terminal_line(benign) == benign


def test_markdown_escapes_neutralise_mentions_and_controls() -> None:
    for rendered in (md_text(HOSTILE), md_code(HOSTILE), md_code("@octocat"), md_code("team@org/x")):
        assert not unsafe(rendered) and "\n" not in rendered
        assert not MENTION.search(rendered), rendered
        assert "@&#8203;" in rendered
    assert md_code("usage-capped") == "`usage-capped`"


# --- the CLI, as a subprocess: the bytes a terminal would get ---------------------------------


def xp(*args: str | Path | bytes, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    """``python -m xproblems`` with raw byte output (no decoding that could hide anything)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    argv: list[str | bytes] = [sys.executable, "-m", "xproblems", *(a if isinstance(a, bytes) else str(a) for a in args)]
    return subprocess.run(argv, capture_output=True, cwd=cwd, env=env, timeout=120, check=False)


def hostile_spec(version: str = "1.1") -> dict[str, Any]:
    """The base spec with spec text in every place a report can quote."""
    spec: dict[str, Any] = json.loads(BASE_SPEC.read_text(encoding="utf-8"))
    spec["info"]["version"] = version
    schemas = spec["components"]["schemas"]
    schemas["AlphaProblem"]["title"] = HOSTILE
    schemas["AlphaProblem"]["description"] = HOSTILE
    alpha = schemas["AlphaProblem"]["allOf"][1]["properties"]
    alpha["kind"]["enum"].append(HOSTILE)
    alpha["value"]["description"] = HOSTILE
    alpha["@octocat" + ESCAPES + BIDI] = {"type": "string", "description": HOSTILE}
    mapping = schemas["Problem"]["discriminator"]["mapping"]
    mapping["https://api.x.com/2/problems/evil" + ESCAPES.replace(";", "") + "\u202e@octocat"] = "#/components/schemas/BetaProblem"
    return spec


def write_spec(path: Path, spec: dict[str, Any]) -> Path:
    path.write_text(json.dumps(spec, indent=2, ensure_ascii=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_spec(tmp_path_factory.mktemp("hostile") / "hostile.json", hostile_spec("1.1" + ESCAPES + BIDI + "@octocat"))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_diff_reports_are_terminal_safe(fmt: str, hostile: Path) -> None:
    proc = xp("diff", BASE_SPEC, hostile, "--supplement", BASE_SUPPLEMENT, "--no-history", "--format", fmt)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    out = assert_safe(proc.stdout, "stdout")
    assert_safe(proc.stderr, "stderr")
    assert "U+001B" in out and "U+202E" in out, "the hostile text did reach the report, escaped"
    if fmt == "markdown":
        assert not MENTION.search(out), "a Markdown report would notify someone"
        assert "@&#8203;octocat" in out


@pytest.mark.slow
def test_diff_json_is_exact_and_ascii(hostile: Path) -> None:
    proc = xp("diff", BASE_SPEC, hostile, "--supplement", BASE_SUPPLEMENT, "--no-history", "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert proc.stdout.isascii()  # ensure_ascii: \\u escapes for everything past '~', DEL included
    assert not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", proc.stdout)
    report = json.loads(proc.stdout)
    assert report["new"] == "1.1" + ESCAPES + BIDI + "@octocat"
    titles = [c for c in report["changes"] if c["kind"] == "title-changed"]
    assert titles and titles[0]["new"] == HOSTILE, "JSON keeps spec text exactly"


@pytest.mark.slow
def test_diagnostics_quoting_hostile_names_are_terminal_safe(tmp_path: Path) -> None:
    spec = hostile_spec()
    mapping = spec["components"]["schemas"]["Problem"]["discriminator"]["mapping"]
    mapping["https://api.x.com/2/problems/gone" + ESCAPES + "\u202e"] = "#/components/schemas/Nope" + ESCAPES + "\n" + SURROGATES
    folder = tmp_path / ("dir" + ESCAPES + BIDI + "\n")
    folder.mkdir()
    path = write_spec(folder / ("spec\x1b[2J\u202e.json"), spec)
    runs = {
        "generate": xp("generate", "--spec", path, "--supplement", BASE_SUPPLEMENT, "--no-history", "--out", tmp_path / "out"),
        "check": xp("check", "--spec", path, "--supplement", BASE_SUPPLEMENT, "--no-history", "--out", tmp_path / "out"),
        "diff": xp("diff", BASE_SPEC, path, "--supplement", BASE_SUPPLEMENT, "--no-history"),
        "diff-operand": xp("diff", "2.1" + ESCAPES + BIDI, BASE_SPEC, "--no-history"),
        # argparse quotes an unknown argument as given (a bad choice it quotes with repr())
        "argparse": xp("diff", BASE_SPEC, BASE_SPEC, "x" + ESCAPES + BIDI),
        "argparse-bytes": xp("generate", b"\xff\x1b[2J"),  # argv's undecodable bytes are lone surrogates
    }
    for name, proc in runs.items():
        assert proc.returncode == 2, (name, proc.stderr.decode(errors="replace"))
        err = assert_safe(proc.stderr, name)
        assert_safe(proc.stdout, name)
        assert "U+001B" in err, f"{name}: the hostile name was not quoted at all: {err}"
        if name in ("generate", "check", "diff"):
            lines = err.rstrip("\n").split("\n")
            assert all(line.startswith(("error: ", "warning: ")) for line in lines), lines
    assert not (tmp_path / "out").exists()


HOSTILE_SPEC_BODY = json.dumps(hostile_spec("9.1" + ESCAPES + BIDI + "\n::error::pwned" + SURROGATES), ensure_ascii=True).encode()


@pytest.fixture
def hostile_server() -> Iterator[str]:
    with serving(HOSTILE_SPEC_BODY) as url:
        yield url


@pytest.mark.slow
def test_fetch_prints_a_hostile_version_as_one_safe_line(hostile_server: str, tmp_path: Path) -> None:
    proc = xp("fetch", hostile_server + "/openapi.json", "--out", tmp_path / "spec.json", "--timeout", "10")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    out = assert_safe(proc.stdout, "fetch stdout")
    assert out.count("\n") == 1 and out.endswith("\n"), "one line: SHA256 VERSION"
    digest, _, version = out.partition(" ")
    assert re.fullmatch("[0-9a-f]{64}", digest), out
    assert version.startswith("9.1U+001B]0;ownedU+0007"), out
    assert (tmp_path / "spec.json").read_bytes() == HOSTILE_SPEC_BODY, "the file keeps the bytes as served"


@pytest.mark.slow
def test_pin_stdout_report_and_changelog_are_safe(tmp_path: Path) -> None:
    pins = tmp_path / "pins"
    pins.mkdir()
    first = xp("pin", BASE_SPEC, "--pins", pins, "--supplement", BASE_SUPPLEMENT)
    assert first.returncode == 0, first.stderr.decode(errors="replace")
    report, changelog = tmp_path / "report.md", tmp_path / "CHANGES.md"
    spec = write_spec(tmp_path / "next.json", hostile_spec("1.1"))
    proc = xp("pin", spec, "--pins", pins, "--supplement", BASE_SUPPLEMENT, "--report", report, "--changelog", changelog)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    out = assert_safe(proc.stdout, "pin stdout")
    assert_safe(proc.stderr, "pin stderr")
    assert out.startswith("pinned 1.1 (was 1.0)\n") and "U+001B" in out
    for path in (report, changelog):
        text = assert_safe(path.read_bytes(), path.name)
        assert not MENTION.search(text), f"{path.name} would notify someone"
        assert "@&#8203;octocat" in text
    refused = xp("pin", write_spec(tmp_path / "bad\x1b[2J.json", hostile_spec("1.2" + ESCAPES + BIDI)), "--pins", pins, "--supplement", BASE_SUPPLEMENT)
    assert refused.returncode == 2
    assert "U+001B" in assert_safe(refused.stderr, "pin refusal")
