"""Publish a rendered mapping safely, or compare it with what is on disk (check mode).

* Each output directory (the package, ``docs/``) is built complete under a staging name
  and swapped in whole (:mod:`.swap`): a run killed at any point leaves every directory
  all old or all new. The package, which holds the manifest, goes last.
* A symlink anywhere below ``out`` on a path we write is refused, never followed.
* Files the previous manifest listed and this run does not write are removed when their
  content is still what the manifest recorded; files the generator never wrote, or that
  were edited since, are left alone.
* The caller holds :func:`.lock.locked`, so two runs never publish at once.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from .fingerprint import file_digest, is_link, read_manifest
from .lock import LOCK_NAME
from .model import Diagnostic
from .swap import STAGE_PREFIX, fsync_dir, recover, remove, swap_in


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
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # not fchmod: Windows has it only from Python 3.13
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(parent)


def _on_disk(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8") if not is_link(path) else None
    except (OSError, UnicodeDecodeError):
        return None


def publish(out: Path, files: Mapping[str, str], manifest_rel: str) -> list[str]:
    """Write ``files`` under ``out``, one whole output directory at a time; returns changed paths.

    Call it holding :func:`locked`. Each top-level directory with a change (the package,
    ``docs/``) is built complete under a staging name and swapped in whole
    (:mod:`.swap`); the directory holding the manifest goes last, so a manifest that
    matches means everything before it was published. Files the generator did not write
    (a changelog, ``__pycache__``, a user's own file) are carried into the new directory;
    files the previous manifest listed and this run does not write are dropped when their
    content is still what the manifest recorded.
    """
    recover(out)
    digests = _recorded(out, manifest_rel)
    changed = [rel for rel, text in files.items() if _on_disk(out / rel) != text]
    stale = [rel for rel in sorted(set(digests) - set(files)) if _owned(out, rel, digests.get(rel))]
    manifest_dir = manifest_rel.split("/", 1)[0]
    units = sorted({rel.split("/", 1)[0] for rel in [*changed, *stale] if "/" in rel}, key=lambda unit: (unit == manifest_dir, unit))
    token = secrets.token_hex(6)
    try:
        # Every directory is built before any is swapped: a full disk or a read-only file
        # fails here, with nothing of the output changed.
        staged = [_stage(out, unit, token, files, stale, changed) for unit in units]
        replaced = [swap_in(out, unit, name, f"{STAGE_PREFIX}{token}-old-{unit}") for unit, name in zip(units, staged, strict=True)]
    except BaseException:
        # Whatever step failed, each live directory is whole (old or new); recover() drops
        # the staging entries, or finishes a journalled swap that got half way.
        with contextlib.suppress(OSError):
            recover(out)
        raise
    for name in replaced:
        if name is not None:
            remove(out / name)
    for rel in changed:
        if "/" not in rel:  # a file directly in ``out``: no directory to swap
            write_atomic(out / rel, files[rel])
    for rel in stale:
        if "/" not in rel:
            os.unlink(out / rel)
    return sorted(changed + stale)


def _below(unit: str, rels: Iterable[str]) -> Iterator[tuple[str, str]]:
    """``(rel, path below unit)`` for each of ``rels`` inside directory ``unit``."""
    prefix = f"{unit}/"
    return ((rel, rel[len(prefix) :]) for rel in rels if rel.startswith(prefix))


def _stage(out: Path, unit: str, token: str, files: Mapping[str, str], stale: Iterable[str], changed: Iterable[str]) -> str:
    """Build the new ``out/unit`` complete under a staging name; returns that name."""
    name = f"{STAGE_PREFIX}{token}-{unit}"
    texts = {below: files[rel] for rel, below in _below(unit, files)}
    _build(out / unit, out / name, texts, {below for _, below in _below(unit, stale)}, {below for _, below in _below(unit, changed)})
    return name


def _build(live: Path, staged: Path, texts: Mapping[str, str], drop: set[str], changed: set[str]) -> None:
    """Write the complete new directory: the generator's files plus everything else ``live`` holds."""
    os.mkdir(staged, 0o700)
    live_is_dir = live.is_dir() and not is_link(live)
    modes = _carry(live, staged, set(texts) | drop) if live_is_dir else []
    for rel, text in sorted(texts.items()):
        target = staged / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        # An unchanged file keeps its inode, so its mtime too: tools watching it see no change.
        if rel in changed or not live_is_dir or not _linked(live / rel, target):
            _write_file(target, text)
    # Carried directories get their own modes last: one made read-only (0555) had to take
    # its files first.
    for directory, mode in sorted(modes, key=lambda item: -len(item[0].parts)):
        os.chmod(directory, mode)
    for directory in sorted({staged, *(p for p in staged.rglob("*") if p.is_dir() and not p.is_symlink())}, key=lambda p: -len(p.parts)):
        fsync_dir(directory)
    os.chmod(staged, stat.S_IMODE(os.lstat(live).st_mode) if live_is_dir else 0o755)


def _carry(live: Path, staged: Path, generated: set[str]) -> list[tuple[Path, int]]:
    """Copy into ``staged`` what ``live`` holds beside the generator's files, as it is.

    Returns the carried directories with the modes they must get once filled.
    """
    modes: list[tuple[Path, int]] = []
    for dirpath, dirnames, filenames in os.walk(live):
        for name in [*dirnames, *filenames]:
            source = Path(dirpath, name)
            rel = source.relative_to(live).as_posix()
            mode = os.lstat(source).st_mode
            if rel in generated:
                if stat.S_ISDIR(mode):
                    raise IsADirectoryError(errno.EISDIR, "is a directory where the generator writes a file", str(source))
                continue
            target = staged / rel
            if stat.S_ISLNK(mode):
                os.symlink(os.readlink(source), target)
            elif stat.S_ISDIR(mode):
                os.mkdir(target, 0o700)
                modes.append((target, stat.S_IMODE(mode)))
            elif stat.S_ISREG(mode):
                if not _linked(source, target):
                    shutil.copy2(source, target)
            elif stat.S_ISFIFO(mode) and hasattr(os, "mkfifo"):
                os.mkfifo(target, stat.S_IMODE(mode))  # never opened: opening one can block
            else:
                raise OSError(errno.EINVAL, "is not a regular file, directory or symlink; cannot carry it into the new output", str(source))
    return modes


def _linked(source: Path, target: Path) -> bool:
    """Hard-link ``source`` as ``target``; False where links are not allowed (then copy)."""
    try:
        os.link(source, target, follow_symlinks=False)
    except (OSError, NotImplementedError):
        return False
    return True


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
