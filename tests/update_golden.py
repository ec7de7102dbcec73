"""Rewrite tests/golden/ from the current generator: ``make golden``; review the diff after."""

from __future__ import annotations

import shutil

from .golden_support import GOLDEN, GOLDEN_VERSIONS, rendered


def main() -> None:
    """Regenerate every golden tree from scratch."""
    for version in GOLDEN_VERSIONS:
        target = GOLDEN / version
        shutil.rmtree(target, ignore_errors=True)
        for rel, text in rendered(version).items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
