"""The output lock on any OS: fcntl where it exists, msvcrt on Windows, an owner file elsewhere.

The publish path runs end to end with ``fcntl`` hidden (as on Windows or an exotic POSIX),
so ``generate`` on a system without it is exercised here, not only on one.
"""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import types
from pathlib import Path

import pytest

from xproblems.lock import LOCK_NAME, OWNER_NAME, locked

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "x-api-v2-2.159.json"


def test_a_second_lock_is_refused_while_the_first_is_held(tmp_path: Path) -> None:
    with locked(tmp_path), pytest.raises(BlockingIOError), locked(tmp_path):
        pass
    with locked(tmp_path):  # released
        pass


def _without_fcntl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fcntl", None)  # import fcntl -> ImportError
    monkeypatch.setitem(sys.modules, "msvcrt", None)


def test_without_fcntl_the_owner_file_locks_and_is_removed_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_fcntl(monkeypatch)
    with locked(tmp_path):
        owner = (tmp_path / OWNER_NAME).read_text(encoding="utf-8")
        assert owner == f"{socket.gethostname()} {os.getpid()}\n"
        with pytest.raises(BlockingIOError, match=OWNER_NAME), locked(tmp_path):
            pass
    assert not (tmp_path / OWNER_NAME).exists()


def test_without_fcntl_a_dead_owner_is_taken_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _without_fcntl(monkeypatch)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    (tmp_path / OWNER_NAME).write_text(f"{socket.gethostname()} {dead.stdout.strip()}\n", encoding="utf-8")
    with locked(tmp_path):
        assert (tmp_path / OWNER_NAME).read_text(encoding="utf-8").endswith(f" {os.getpid()}\n")


@pytest.mark.parametrize("owner", ["another-host 1", "garbage", "", f"{socket.gethostname()} ١٢"])
def test_without_fcntl_an_owner_we_cannot_judge_is_never_taken_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, owner: str) -> None:
    _without_fcntl(monkeypatch)
    (tmp_path / OWNER_NAME).write_text(owner, encoding="utf-8")
    with pytest.raises(BlockingIOError, match="remove it if no xproblems run"), locked(tmp_path):
        pass
    assert (tmp_path / OWNER_NAME).read_text(encoding="utf-8") == owner


def test_with_msvcrt_the_lock_is_taken_and_released_through_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []
    held: set[str] = set()

    def locking(fd: int, mode: int, nbytes: int) -> None:  # msvcrt.locking's contract
        assert nbytes == 1 and os.lseek(fd, 0, os.SEEK_CUR) == 0
        calls.append((mode, nbytes))
        key = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else "lock"
        if mode == fake.LK_NBLCK:
            if key in held:
                raise OSError(errno.EACCES, "Permission denied")
            held.add(key)
        else:
            held.discard(key)

    fake = types.SimpleNamespace(LK_NBLCK=2, LK_UNLCK=0, locking=locking)
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    with locked(tmp_path), pytest.raises(BlockingIOError), locked(tmp_path):
        pass
    assert calls == [(2, 1), (2, 1), (0, 1)]
    assert not (tmp_path / OWNER_NAME).exists()


_HIDDEN = "import sys; sys.modules['fcntl'] = None; sys.modules['msvcrt'] = None\nfrom xproblems.cli import main\nsys.exit(main(sys.argv[1:]))"


@pytest.mark.slow
def test_generate_and_check_work_without_fcntl(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["--no-history", "--spec", str(SPEC), "--out", str(out)]
    done = subprocess.run([sys.executable, "-c", _HIDDEN, "generate", *argv], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (out / "x_problems" / "_errors.py").is_file() and (out / LOCK_NAME).exists()
    assert not (out / OWNER_NAME).exists()
    (out / "x_problems" / "_errors.py").write_text("# edited\n", encoding="utf-8")
    assert subprocess.run([sys.executable, "-c", _HIDDEN, "check", *argv], capture_output=True).returncode == 1
    (out / OWNER_NAME).write_text(f"{socket.gethostname()} {os.getpid()}\n", encoding="utf-8")  # a live run
    held = subprocess.run([sys.executable, "-c", _HIDDEN, "generate", *argv], capture_output=True, text=True)
    assert held.returncode == 2 and OWNER_NAME in held.stderr
    assert (out / "x_problems" / "_errors.py").read_text(encoding="utf-8") == "# edited\n"
