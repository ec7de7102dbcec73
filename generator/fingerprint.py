"""The warm path: is the output already what ``generate`` would write?

A run's fingerprint is what its output depends on (spec, pinned history, older specs,
supplement, generator code, templates, runtime source, black version, package name), taken
cheaply: file digests, no parsing. When the manifest records the same fingerprint and every
file it lists still has its recorded digest, nothing is imported, rendered or written.

This module imports only the standard library and ``history``; ``write`` reads manifests
through :func:`read_manifest` here, so there is one reader.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .history import sha256_file
from .resources import code_dir, runtime_dir, templates_dir

if TYPE_CHECKING:
    from .request import Request

MANIFEST = "_manifest.json"
#: black is part of the output's identity: same version, same mode, same bytes.
BLACK_VERSION = "26.10.1"
#: Generator modules that cannot change what ``generate`` writes. Every other module (new
#: ones too) is part of the fingerprint, so forgetting to list one errs on the safe side.
NOT_OUTPUT_MODULES = frozenset(
    {"__main__.py", "cli.py", "cli_shared.py", "diff.py", "diff_cli.py", "fetch.py", "changelog.py", "pin.py", "audit.py", "audit_cli.py", "audit_render.py", "suggest.py", "traffic.py"}
)


def is_link(path: Path) -> bool:
    """Whether ``path`` itself is a symlink (a missing path is not)."""
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def read_manifest(out: Path, manifest_rel: str) -> dict[str, Any] | None:
    """A previous run's manifest, or None when absent, a symlink or unreadable."""
    path = out / manifest_rel
    try:
        if is_link(path):
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def code_digest() -> str:
    """sha256 over the generator's sources, templates and runtime: a code change is an input change."""
    sources = [p for p in code_dir().glob("*.py") if p.name not in NOT_OUTPUT_MODULES]
    groups = (("", sources), ("templates/", templates_dir().glob("*.j2")), ("runtime/", runtime_dir().glob("*.py")))
    digest = hashlib.sha256()
    for prefix, paths in groups:
        for path in sorted(paths, key=lambda p: p.name):
            digest.update((prefix + path.name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _spec_digest(req: Request) -> str:
    """The spec's digest; a pinned spec's comes from pins.json, which ``make_request`` verified."""
    pin = req.history.holding(req.spec) if req.history is not None else None
    return pin.sha256 if pin is not None else sha256_file(req.spec)


def _history_inputs(req: Request) -> list[str]:
    """Digests of the pinned files a run may read (verified against pins.json already)."""
    if req.history is None:
        return []
    spec = req.history.holding(req.spec)
    return sorted(p.sha256 for p in req.history.pins if p != spec)


def fingerprint(req: Request) -> dict[str, Any]:
    """What the output depends on, cheaply: file digests, no parsing."""
    return {
        "generator": __version__,
        "code_sha256": code_digest(),
        "black": BLACK_VERSION,
        "package": req.package,
        "spec_sha256": _spec_digest(req),
        "history_sha256": _history_inputs(req),
        "also_sha256": sorted(sha256_file(p) for p in req.also),
        "supplement_sha256": sha256_file(req.supplement),
    }


#: The largest file a manifest entry is read for: generated files are kilobytes.
MAX_MANIFEST_FILE = 16 * 1024 * 1024


def file_digest(out: Path, rel: object) -> str | None:
    """sha256 of the file a manifest entry names, or None when the entry is not a relative
    path inside ``out`` with no symlink on the way, or the file is not a regular file of at
    most :data:`MAX_MANIFEST_FILE` bytes. A manifest is an input too: one naming
    ``/dev/zero``, a FIFO or ``../..`` must not make a run read for ever, hang or look
    outside ``out``."""
    if not isinstance(rel, str):
        return None
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or ".." in parts:
        return None
    path = out
    for part in parts:
        path = path / part
        if is_link(path):
            return None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)  # non-blocking: opening a FIFO must not wait for a writer
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST_FILE:
                return None
            data = handle.read(MAX_MANIFEST_FILE + 1)
    except OSError:
        return None
    return hashlib.sha256(data).hexdigest() if len(data) <= MAX_MANIFEST_FILE else None


def is_fresh(req: Request) -> bool:
    """True when the manifest matches the inputs and every file it lists: nothing to do."""
    manifest = read_manifest(req.out, f"{req.package}/{MANIFEST}")
    if not manifest or manifest.get("inputs") != fingerprint(req):
        return False
    files = manifest.get("files")
    if not isinstance(files, dict):
        return False
    return all(file_digest(req.out, rel) == digest for rel, digest in files.items())
