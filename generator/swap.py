"""Replace a whole output directory at once, and finish what a killed run left behind.

``publish`` builds each output directory (the package, ``docs/``) complete under a staging
name beside it in ``out``, then swaps the two names:

* On Linux, ``renameat2(RENAME_EXCHANGE)`` swaps them in one atomic step: at every instant
  an importer sees the whole old directory or the whole new one, even if the process is
  killed or the machine loses power (the staged files are fsync'd before the swap).
* Where that call is missing (macOS, Windows, old kernels, file systems that refuse it),
  a journalled swap: the journal names the staged and the old directory, then two renames
  move the old directory aside and the new one in. Between those two renames the directory
  is briefly absent (never mixed). A run killed there leaves the journal, and the next
  ``generate`` or ``check`` finishes the swap (or puts the old directory back when the new
  one is gone) before it does anything else: :func:`recover`.

Staging leftovers of killed runs (``.xproblems-stage-*``) are removed by :func:`recover`,
under the output lock. This module imports only the standard library, so the warm path can
ask :func:`leftovers` without importing the write stage.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import sys
from pathlib import Path
from typing import Any

STAGE_PREFIX = ".xproblems-stage-"
JOURNAL_NAME = ".xproblems-journal.json"
#: A journal is a few hundred bytes; anything larger was not written by us.
_JOURNAL_LIMIT = 4096
_RENAME_EXCHANGE = 2
#: Windows has no O_NOFOLLOW; there only the checks before opening guard against symlinks.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
#: renameat2 errnos that mean "this kernel or file system cannot exchange": fall back.
_NO_EXCHANGE = frozenset({errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV})


class JournalError(OSError):
    """A journal that ``recover`` cannot act on safely (hand-edited or not ours)."""


def leftovers(out: Path) -> bool:
    """Whether a killed run left a journal or staging entries in ``out`` (one directory read)."""
    try:
        with os.scandir(out) as entries:
            return any(_is_ours(entry.name) for entry in entries)
    except OSError:
        return False


def _is_ours(name: str) -> bool:
    return name.startswith(STAGE_PREFIX) or name == JOURNAL_NAME or name.startswith(f".{JOURNAL_NAME}.")


def swap_in(out: Path, name: str, staged: str, old: str) -> str | None:
    """Make ``out/staged`` (a complete directory) become ``out/name``.

    Returns the name under which the directory it replaced now lies in ``out`` (``staged``
    after an exchange, ``old`` after a journalled swap), or None when there was none; the
    caller removes it.
    """
    if not os.path.lexists(out / name):
        os.rename(out / staged, out / name)
        fsync_dir(out)
        return None
    if exchange(out, staged, name):
        fsync_dir(out)
        return staged
    _journalled_swap(out, name, staged, old)
    return old


def exchange(parent: Path, a: str, b: str) -> bool:
    """Swap ``parent/a`` and ``parent/b`` atomically; False when this platform cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    dir_fd = os.open(parent, os.O_RDONLY)
    try:
        if renameat2(dir_fd, os.fsencode(a), dir_fd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return True
    finally:
        os.close(dir_fd)
    import ctypes

    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(parent / b))


def _renameat2() -> Any:
    """libc's ``renameat2`` through ctypes, or None off Linux or without it (musl, old glibc)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (ImportError, OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _journalled_swap(out: Path, name: str, staged: str, old: str) -> None:
    journal = json.dumps({"schema": "xproblems-journal/1", "name": name, "new": staged, "old": old})
    _write_journal(out / JOURNAL_NAME, journal)
    os.rename(out / name, out / old)
    os.rename(out / staged, out / name)
    fsync_dir(out)
    os.unlink(out / JOURNAL_NAME)
    fsync_dir(out)


def _write_journal(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | getattr(os, "O_BINARY", 0), 0o644)
    try:
        os.write(fd, text.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def recover(out: Path) -> None:
    """Finish or roll back an interrupted journalled swap, then remove staging leftovers.

    Call it holding the output lock. Raises :class:`JournalError` for a journal that does
    not read as ours; nothing is moved then.
    """
    journal = out / JOURNAL_NAME
    if os.path.lexists(journal):
        name, new, old = _read_journal(journal)
        if not os.path.lexists(out / name):
            source = new if _is_dir(out / new) else old if _is_dir(out / old) else None
            if source is not None:
                os.rename(out / source, out / name)
        fsync_dir(out)
        os.unlink(journal)
    for entry in sorted(os.listdir(out)):
        if _is_ours(entry) and entry != JOURNAL_NAME:
            remove(out / entry)
    fsync_dir(out)


def _read_journal(path: Path) -> tuple[str, str, str]:
    def bad(why: str) -> JournalError:
        return JournalError(errno.EINVAL, f"{why}; check the output directory and remove the journal by hand", str(path))

    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise bad(f"cannot open the journal of an interrupted run ({exc.strerror})") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise bad("the journal of an interrupted run is not a regular file")
        raw = os.read(fd, _JOURNAL_LIMIT + 1)
    finally:
        os.close(fd)
    try:
        data = json.loads(raw.decode("ascii")) if len(raw) <= _JOURNAL_LIMIT else None
    except ValueError:
        data = None
    fields = [data.get(key) for key in ("name", "new", "old")] if isinstance(data, dict) else []
    names = [f for f in fields if isinstance(f, str) and _one_component(f)]
    if len(names) != 3:
        raise bad("the journal of an interrupted run is not one xproblems wrote")
    name, new, old = names
    if name.startswith(".") or not new.startswith(STAGE_PREFIX) or not old.startswith(STAGE_PREFIX):
        raise bad("the journal of an interrupted run names directories xproblems does not write")
    return name, new, old


def _one_component(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\0" not in name


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def remove(path: Path) -> None:
    """Delete a file, symlink or directory tree without following any symlink in it."""
    if _is_dir(path):
        # A staged copy keeps the live directory's mode; a read-only (0555) package would
        # stop rmtree from unlinking inside it. Staging trees are ours: make them writable.
        for directory, _, _ in os.walk(path):
            os.chmod(directory, stat.S_IMODE(os.lstat(directory).st_mode) | stat.S_IRWXU)
        shutil.rmtree(path)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def fsync_dir(directory: Path) -> None:
    """Make renames in ``directory`` durable; not every platform can open a directory."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
