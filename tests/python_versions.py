"""Run the tests on every Python the project supports: ``make test-versions``.

* 3.11, 3.12 and 3.13 (the generator's range): the whole suite, each in its own venv under
  ``.venvs/`` with ``.[dev]`` installed;
* 3.9 and 3.10 (the generated package's range): the runtime tests, against the committed
  ``generated/x_problems`` (``make check`` keeps it equal to the runtime source), in a venv
  with only the test dependencies: the generator itself cannot be installed there.

An interpreter is looked for on ``PATH`` (``python3.X``) and in ``$PYENV_ROOT/versions`` (pyenv's
shims refuse versions that are not selected, so each candidate is asked for its version).
An absent one is skipped with a message; ``--require`` makes that a failure. ``--skip VERSION``
leaves one out (``make test-all`` skips the venv's own, which ``make test`` just ran).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FULL = ("3.11", "3.12", "3.13")
RUNTIME_ONLY = ("3.9", "3.10")
#: What the runtime tests import besides the generated package (kept in step with pyproject's dev extra).
RUNTIME_TEST_DEPS = ("pytest>=8", "hypothesis>=6.100", "httpx>=0.27", "requests>=2.31", "mypy>=1.10")
#: The tests that exercise only the generated package (no generator import).
RUNTIME_TESTS = (
    "tests/test_runtime_charset.py",
    "tests/test_runtime_errors.py",
    "tests/test_runtime_http.py",
    "tests/test_runtime_payloads.py",
    "tests/test_runtime_perf.py",
    "tests/test_runtime_request.py",
    "tests/test_runtime_streamed.py",
    "tests/test_runtime_table.py",
    "tests/test_runtime_terminal.py",
    "tests/test_runtime_typing.py",
    "tests/test_retry_after.py",
    "tests/test_follow_stream.py",
    "tests/test_runtime_deep.py",
)


def find(version: str) -> Path | None:
    """An interpreter that really is Python ``version``, or None."""
    candidates = [shutil.which(f"python{version}")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        candidates += [str(p / "bin" / f"python{version}") for p in sorted(pyenv.glob(f"{version}.*"), reverse=True)]
    for candidate in candidates:
        if candidate and _reports(candidate, version):
            return Path(candidate)
    return None


def _reports(interpreter: str, version: str) -> bool:
    try:
        done = subprocess.run([interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == version


def venv(interpreter: Path, version: str, full: bool) -> Path:
    """``.venvs/pyX.Y`` with what the run needs; rebuilt when pyproject.toml changed since."""
    home = ROOT / ".venvs" / f"py{version}"
    python = home / "bin" / "python"
    stamp = home / ".installed"
    wanted = (ROOT / "pyproject.toml").read_text(encoding="utf-8") + repr(RUNTIME_TEST_DEPS) + str(full)
    if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return python
    shutil.rmtree(home, ignore_errors=True)
    subprocess.run([str(interpreter), "-m", "venv", str(home)], check=True)
    packages = ["-e", ".[dev]"] if full else list(RUNTIME_TEST_DEPS)
    # pip's chatter (index warnings) only when the install fails.
    done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *packages], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"pip install into {home} failed")
    stamp.write_text(wanted, encoding="utf-8")
    return python


def run(version: str, interpreter: Path, pytest_args: list[str]) -> int:
    """The suite (or the runtime tests) on ``version``; pytest's exit code."""
    full = version in FULL
    python = venv(interpreter, version, full)
    env = dict(os.environ)
    if not full:
        env["XPROBLEMS_RUNTIME_ROOT"] = str(ROOT / "generated")
    targets = [] if full else list(RUNTIME_TESTS)
    print(f"== Python {version} ({interpreter}): {'the whole suite' if full else 'the runtime tests'}", flush=True)
    return subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *targets, *pytest_args], cwd=ROOT, env=env).returncode


def main(argv: list[str] | None = None) -> int:
    """Run each version in turn; a summary line per version; non-zero if any failed."""
    parser = argparse.ArgumentParser(prog="python -m tests.python_versions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", action="append", default=[], metavar="VERSION", help="leave this version out (repeatable)")
    parser.add_argument("--require", action="store_true", help="an absent interpreter is a failure, not a skip")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)
    summary, failed = [], False
    for version in (*RUNTIME_ONLY, *FULL):
        if version in args.skip:
            summary.append(f"Python {version}: left out (--skip)")
            continue
        interpreter = find(version)
        if interpreter is None:
            summary.append(f"Python {version}: SKIPPED, no python{version} on PATH or in pyenv")
            failed |= args.require
            continue
        code = run(version, interpreter, args.pytest_args)
        summary.append(f"Python {version}: {'passed' if code == 0 else f'FAILED (pytest exit {code})'}")
        failed |= code != 0
    print("\n".join(summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
