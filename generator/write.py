"""Publish a rendered mapping safely, or compare it with what is on disk (check mode).

* Files are staged in a temporary directory inside ``out`` and moved into place with
  ``os.replace`` (atomic per file); the manifest goes last, so an interrupted run leaves a
  manifest that does not match and the next run (or ``check``) notices.
* A symlink anywhere below ``out`` on a path we write is refused, never followed.
* Files the previous manifest listed and this run does not write are removed when their
  content is still what the manifest recorded; files the generator never wrote, or that
  were edited since, are left alone.
* An advisory lock (``.xproblems.lock``) keeps two runs from publishing at once.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from .fingerprint import file_digest, is_link, read_manifest
from .model import Diagnostic

LOCK_NAME = ".xproblems.lock"


def sha256_text(text: str) -> str:
    """Digest of a file's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_paths(out: Path, rel_paths: Sequence[str], inputs: Sequence[Path]) -> list[Diagnostic]:
    """Refuse symlinks on any path we would write, and an ``out`` that holds an input."""
    diags = []
    if is_link(out):
        diags.append(Diagnostic("error", str(out), "", "output directory is a symlink; refusing to follow it"))
        return diags
    real_out = out.resolve()
    for source in inputs:
        real = source.resolve()
        if real == real_out or real_out in real.parents:
            diags.append(Diagnostic("error", str(source), "", f"input lies inside the output directory {str(out)!r}; refusing to overwrite it"))
    if out.exists() and not out.is_dir():
        diags.append(Diagnostic("error", str(out), "", "output path exists and is not a directory"))
        return diags
    for rel in [*rel_paths, LOCK_NAME]:
        link = _link_on_path(out, rel)
        if link is not None:
            diags.append(Diagnostic("error", str(link), "", "is a symlink inside the output directory; refusing to follow it"))
    return diags


def _link_on_path(out: Path, rel: str) -> Path | None:
    """The first symlink on the way from ``out`` to ``out / rel``, if any."""
    path = out
    for part in Path(rel).parts:
        path = path / part
        if is_link(path):
            return path
    return None


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``out`` for the duration, or raise BlockingIOError."""
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise BlockingIOError("another xproblems run holds the lock") from exc
            raise
        yield
    finally:
        os.close(fd)


def _recorded(out: Path, manifest_rel: str) -> dict[str, object]:
    """File name -> sha256 of what the previous manifest says the generator wrote."""
    files = (read_manifest(out, manifest_rel) or {}).get("files")
    return {str(rel): digest for rel, digest in files.items()} if isinstance(files, dict) else {}


def _owned(out: Path, rel: str, digest: object) -> bool:
    """Whether a stale file is still exactly what the generator wrote (the content the
    manifest recorded, read as ``fingerprint.file_digest`` reads: a regular file inside
    ``out`` with no symlink on the way). A file edited since, or a manifest naming someone
    else's file, is left alone."""
    return isinstance(digest, str) and file_digest(out, rel) == digest


def _write_file(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, 0o644)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Replace one file atomically: temp file beside it, fsync, ``os.replace``, fsync the directory.

    Text is written as UTF-8 with LF line ends. An existing file keeps its permission bits
    (new files get 0644). On any error the old file is untouched and no temp file survives.
    """
    body = data.encode("utf-8") if isinstance(data, str) else data
    parent = path.parent
    parent.mkdir(parents=True, exist_ok=True)
    if is_link(path) or path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory or a symlink; refusing to replace it", str(path))
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable; not every platform can open a directory."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _on_disk(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8") if not is_link(path) else None
    except (OSError, UnicodeDecodeError):
        return None


def publish(out: Path, files: Mapping[str, str], manifest_rel: str) -> list[str]:
    """Write ``files`` (manifest included, written last) under ``out``; returns changed paths.

    Files the manifest does not list (a changelog kept across runs) are written the same
    way and, since no manifest names them, never removed as stale.
    """
    digests = _recorded(out, manifest_rel)
    changed = [rel for rel, text in files.items() if _on_disk(out / rel) != text]
    stage = Path(tempfile.mkdtemp(prefix=".xproblems-stage-", dir=out))
    try:
        order = sorted(changed, key=lambda rel: rel == manifest_rel)
        for index, rel in enumerate(order):
            _write_file(stage / str(index), files[rel])
        for index, rel in enumerate(order):
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / str(index), target)
        # As write_atomic does: the renames are durable once their directories are synced.
        for directory in sorted({(out / rel).parent for rel in order}):
            _fsync_dir(directory)
        for rel in sorted(set(digests) - set(files)):
            stale = out / rel
            if _owned(out, rel, digests.get(rel)):
                stale.unlink()
                changed.append(rel)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return sorted(changed)


def compare(out: Path, files: Mapping[str, str], manifest_rel: str) -> list[str]:
    """Unified diffs between ``files`` and the disk, plus stale files; empty when in sync."""
    diffs = []
    for rel, text in files.items():
        current = _on_disk(out / rel)
        if current == text:
            continue
        old_lines = (current or "").splitlines(keepends=True)
        label = f"a/{rel}" if current is not None else "/dev/null"
        diffs.append("".join(difflib.unified_diff(old_lines, text.splitlines(keepends=True), label, f"b/{rel}")))
    for rel in sorted(set(_recorded(out, manifest_rel)) - set(files)):
        if (out / rel).exists():
            diffs.append(f"--- a/{rel}\n+++ /dev/null\n(stale file the generator no longer writes)\n")
    return diffs
