"""One run at a time per output (or history) directory, on any OS.

The lock is taken on ``.xproblems.lock`` in the directory, by the first of:

* ``fcntl.flock`` (Linux, macOS, BSDs): released by the kernel when the process dies;
* ``msvcrt.locking`` (Windows): likewise released with the process;
* elsewhere, creating ``.xproblems.lock.owner`` exclusively, holding the owner's host and
  pid. An owner file whose process is gone (same host, pid not running) is stale and taken
  over; one from another host is never guessed about: the message says which file to remove.

A lock held by another run raises :class:`BlockingIOError`; any other failure is the
``OSError`` it was (the caller reports it as the user's environment, exit 2).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .pointer import ascii_number

LOCK_NAME = ".xproblems.lock"
OWNER_NAME = ".xproblems.lock.owner"
_HELD = "another xproblems run holds the lock"


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` for the duration, or raise BlockingIOError."""
    directory.mkdir(parents=True, exist_ok=True)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(directory / LOCK_NAME, flags, 0o644)
    try:
        with _exclusive(fd, directory):
            yield
    finally:
        os.close(fd)


@contextmanager
def _exclusive(fd: int, directory: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:
        pass
    else:
        _refuse_if_held(lambda: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB))
        yield
        return
    try:
        import msvcrt
    except ImportError:
        with _owner_file(directory / OWNER_NAME):
            yield
        return
    # Locks one byte at the current offset (0); the lock file stays empty.
    _refuse_if_held(lambda: msvcrt.locking(fd, msvcrt.LK_NBLCK, 1))  # type: ignore[attr-defined,unused-ignore]
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined,unused-ignore]


def _refuse_if_held(take: object) -> None:
    try:
        take()  # type: ignore[operator]
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EDEADLK):
            raise BlockingIOError(_HELD) from exc
        raise


@contextmanager
def _owner_file(path: Path) -> Iterator[None]:
    """The lock where the OS offers no file locking: an exclusively created owner file."""
    me = f"{socket.gethostname()} {os.getpid()}\n"
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except FileExistsError:
            if not _stale(path):
                raise BlockingIOError(f"{_HELD} ({path}; remove it if no xproblems run is going on)") from None
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            continue
        try:
            os.write(fd, me.encode("utf-8"))
        finally:
            os.close(fd)
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        return
    raise BlockingIOError(_HELD)


def _stale(path: Path) -> bool:
    """Whether the owner file names a process on this host that is no longer running."""
    try:
        with open(path, "rb") as handle:
            host, _, pid = handle.read(512).decode("utf-8", "replace").strip().rpartition(" ")
    except OSError:
        return False
    number = ascii_number(pid)
    if host != socket.gethostname() or number is None:
        return False
    try:
        os.kill(number, 0)  # POSIX only: this path never runs on Windows (msvcrt is there)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False
