"""``pin --changelog FILE``: keep ``docs/CHANGES.md``, newest entry first.

The changelog is not in the manifest: ``generate`` and ``check`` leave it alone, and an
entry already present (same versions, same report) is not added twice.
"""

from __future__ import annotations

from pathlib import Path

from .diff import diff_catalogues, render_markdown
from .model import Catalogue

TITLE = "# Changes to the X API problem catalogue\n\nNewest first; each entry is `xproblems diff OLD NEW --format markdown`.\n"


def changelog_text(path: Path, old: Catalogue, new: Catalogue) -> str:
    """The changelog at ``path`` with the entry for ``old -> new`` added on top (once)."""
    entry = render_markdown(diff_catalogues(old, new), old.spec_version, new.spec_version).rstrip("\n") + "\n"
    try:
        current = path.read_text(encoding="utf-8") if not path.is_symlink() else ""
    except (OSError, UnicodeDecodeError):
        current = ""
    body = current[len(TITLE):] if current.startswith(TITLE) else current
    if entry in body:
        return TITLE + body
    return TITLE + "\n" + entry + (body if body.startswith("\n") or not body else "\n" + body)
