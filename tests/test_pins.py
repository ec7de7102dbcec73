"""specs/pins.json records the digest of every spec we reviewed; the Makefile agrees with it."""

from __future__ import annotations

import hashlib
import json
import re

from generator.pipeline import DEFAULT_SPEC

from .conftest import ROOT, SPECS

PINS = json.loads((ROOT / "specs" / "pins.json").read_text())


def test_every_shared_spec_matches_its_reviewed_digest() -> None:
    for name, digest in PINS["sha256"].items():
        assert hashlib.sha256((SPECS / name).read_bytes()).hexdigest() == digest, f"{name} changed since it was reviewed"


def test_makefile_cli_and_pins_name_the_same_default_spec() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert f"DEFAULT_SPEC := $(SPECS)/{PINS['default']}" in makefile
    assert DEFAULT_SPEC.name == PINS["default"]
    older = re.search(r"^OLDER\s*:=(.*)$", makefile, re.M)
    assert older is not None
    assert [p.rsplit("/", 1)[-1] for p in older.group(1).split()] == PINS["older"]
