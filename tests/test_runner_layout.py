"""Where the scheduled job runs: a plain clone with nothing beside it, X played by a loopback server.

One clone per module: the files of this checkout that git tracks or would track, committed in
a fresh repository under a temporary directory that has no ``../shared``, then set up with
the README's first command (``make setup generate``). Each test leaves the clone as it found
it. Slow (a real venv is installed), so ``make test-fast`` leaves it out.
"""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, spec_path
from .test_history import newer_spec, public_names

pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(Path.home()), "LANG": "C.UTF-8"}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _status(repo: Path) -> str:
    return _run(["git", "status", "--porcelain"], repo).stdout


def copy_checkout(target: Path) -> Path:
    """This checkout's tracked and unignored files, committed in a fresh repository at ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, listed.decode().split("\0")):
        source = ROOT / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-qm", "clone"]):
        subprocess.run(cmd, cwd=target, check=True, capture_output=True)
    return target


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = copy_checkout(tmp_path_factory.mktemp("runner") / "repo")
    assert not (repo.parent / "shared").exists()
    done = _run(["make", "setup", "generate"], repo, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _status(repo) == "", "make setup generate dirtied a fresh clone"
    return repo


def _reset(repo: Path) -> None:
    _run(["git", "checkout", "-q", "--", "."], repo)
    _run(["git", "clean", "-fdq", "-e", ".venv"], repo)


class Server:
    """A loopback HTTP server whose paths and bodies the test sets."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        bodies = self.bodies

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = bodies.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.httpd.shutdown()


@pytest.fixture
def repo(clone: Path) -> Iterator[Path]:
    try:
        yield clone
    finally:
        _reset(clone)


def _spec_update(repo: Path, url: str) -> subprocess.CompletedProcess[str]:
    return _run(["make", "spec-update", f"URL={url}"], repo)


def test_a_fresh_clone_checks_clean_with_make_and_with_a_bare_check(repo: Path) -> None:
    assert _run(["make", "check"], repo).returncode == 0
    for cwd in (repo, repo / "tests", repo.parent):  # defaults never come from the current directory
        done = _run([str(repo / ".venv" / "bin" / "xproblems"), "check"], cwd)
        assert done.returncode == 0, (cwd, done.stdout, done.stderr)
    assert _status(repo) == ""


def test_weekly_job_on_the_pinned_spec_says_no_change_and_changes_nothing(repo: Path, server: Server) -> None:
    server.bodies["/2/openapi.json"] = spec_path("2.167").read_bytes()
    done = _spec_update(repo, server.url("/2/openapi.json"))
    assert done.returncode == 0, done.stderr
    assert "no change: the problem catalogue of 2.167 is the pinned 2.167's" in done.stdout
    assert _status(repo) == ""


def test_weekly_job_with_a_newer_spec_pins_it_keeps_the_history_and_is_idempotent(repo: Path, server: Server, tmp_path: Path) -> None:
    before = public_names(repo / "generated")
    server.bodies["/2/openapi.json"] = newer_spec(tmp_path).read_bytes()
    done = _spec_update(repo, server.url("/2/openapi.json"))
    assert done.returncode == 0, done.stderr
    report = (repo / "tmp" / "spec-diff.md").read_text()
    assert "`quota-exhausted`" in report and "type-added" in report
    changed = sorted(line[3:] for line in _status(repo).splitlines())
    assert changed == [
        "generated/docs/CHANGES.md",
        "generated/docs/errors.md",
        "generated/x_problems/__init__.py",
        "generated/x_problems/_enums.py",
        "generated/x_problems/_manifest.json",
        "generated/x_problems/_problems.py",
        "specs/pins.json",
        "specs/x-api-v2-2.168.json",
    ]
    after = public_names(repo / "generated")
    assert before <= after, sorted(before - after)  # every class, field and enum of the history
    assert "QuotaExhaustedProblem" in after
    assert json.loads((repo / "specs" / "pins.json").read_text())["current"] == "2.168"
    assert _run(["make", "check"], repo).returncode == 0
    snapshot = {rel: (repo / rel).read_bytes() for rel in changed}
    again = _spec_update(repo, server.url("/2/openapi.json"))
    assert again.returncode == 0 and "no change: the problem catalogue of 2.168 is the pinned 2.168's" in again.stdout
    assert {rel: (repo / rel).read_bytes() for rel in changed} == snapshot
    assert sorted(line[3:] for line in _status(repo).splitlines()) == changed


def test_weekly_job_with_a_pinned_file_deleted_exits_2_naming_it(repo: Path, server: Server) -> None:
    server.bodies["/2/openapi.json"] = spec_path("2.167").read_bytes()
    victim = repo / "specs" / "x-api-v2-2.152.json"
    victim.unlink()
    done = _spec_update(repo, server.url("/2/openapi.json"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "specs/x-api-v2-2.152.json: /: pinned spec 2.152 is missing (listed in pins.json)" in done.stderr
    assert [line for line in _status(repo).splitlines() if not line.endswith("x-api-v2-2.152.json")] == []


def test_weekly_job_fails_loudly_on_a_fetch_failure_and_changes_nothing(repo: Path, server: Server) -> None:
    done = _spec_update(repo, server.url("/no-such-spec.json"))
    assert done.returncode == 2
    assert "HTTP 404" in done.stderr
    assert _status(repo) == ""
