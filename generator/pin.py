"""``xproblems pin SPEC``: accept a full X spec into the pinned history.

Prune the spec, and stop (a no-op) when its problem subset equals the current pin's.
Otherwise diff what is committed (the current pin on its history) against what would be
committed (the new spec on the pins older than it), write the pruned copy and pins.json
atomically, and, when asked, prepend the report to the changelog. Fetching is a separate step.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from .changelog import changelog_text
from .diff import Change, diff_catalogues
from .extract import extract
from .history import (
    PINS_FILE,
    History,
    Pin,
    canonical_json,
    check_version_name,
    pin_file_name,
    pins_text,
    prune,
    subset,
    version_key,
)
from .lock import locked
from .model import Catalogue, Diagnostic, SpecCatalogue
from .pipeline import build_catalogue, catalogue_for, errors_in, read_spec
from .spec import validate
from .write import sha256_text, write_atomic


@dataclass(frozen=True)
class PinResult:
    """What ``pin`` did: nothing (``changes is None``), or the pin it wrote and the changes."""

    version: str
    current: str
    changes: tuple[Change, ...] | None
    old: Catalogue | None = None
    new: Catalogue | None = None


def _error(file: str, pointer: str, message: str) -> Diagnostic:
    return Diagnostic("error", file, pointer, message)


def pruned_copy(spec: Path, *, url: str | None = None) -> tuple[tuple[str, SpecCatalogue] | None, list[Diagnostic]]:
    """The canonical pruned text of a full spec and its catalogue, checked to be the same catalogue.

    The full spec is validated with openapi-pydantic, so is the pruned copy; extraction
    from both must agree (anything else is a bug in pruning, raised as such).
    """
    read, diags = read_spec(spec)
    if read is None:
        return None, diags
    version = read.doc["info"]["version"]
    refused = check_version_name(version)
    if refused:
        return None, [_error(str(spec), "/info/version", refused)]
    full, found = extract(read.doc, str(spec), read.sha256)
    diags += found
    if full is None:
        return None, diags
    text = canonical_json(prune(read.doc, full, sha256=read.sha256, size=read.size, url=url))
    pruned_doc = json.loads(text)
    file = pin_file_name(version)
    problems = validate(pruned_doc, file)
    pruned, found = extract(pruned_doc, file, read.sha256)
    if problems or pruned is None or dataclasses.replace(pruned, file=full.file) != full:
        raise RuntimeError(f"pruning {spec} changed its problem catalogue: {[d.render() for d in problems + found]}")
    return (text, pruned), diags


def pin_spec(spec: Path, history: History, *, url: str | None = None, supplement: Path | None = None, changelog: Path | None = None) -> tuple[PinResult | None, list[Diagnostic]]:
    """Accept ``spec`` into ``history`` (see the module docstring); nothing is written on error."""
    made, diags = pruned_copy(spec, url=url)
    if made is None:
        return None, diags
    text, new_spec = made
    if not history.pins:  # the first pin: nothing to compare with
        _record(history, new_spec.version, text, None, None, None)
        return PinResult(new_spec.version, "none", ()), diags
    current = history.current
    if version_key(new_spec.version) < version_key(current.version):
        return None, [*diags, _error(str(spec), "/info/version", f"version {new_spec.version} is older than the current pin {current.version}; refusing to go back")]
    committed = json.loads(history.path(current).read_text(encoding="utf-8"))
    if subset(json.loads(text)) == subset(committed):
        return PinResult(new_spec.version, current.version, None), diags
    old, old_diags = build_catalogue(history.path(current), history=history, supplement=supplement, validate=False)
    new, new_diags = catalogue_for(new_spec, history=history, supplement=supplement, validate=False)
    diags += list(dict.fromkeys(old_diags + new_diags))  # both sides read the same supplement
    if old is None or new is None or errors_in(diags):
        return None, diags
    changes = diff_catalogues(old, new)
    _record(history, new_spec.version, text, changelog, old, new)
    return PinResult(new_spec.version, current.version, changes, old, new), diags


def _record(history: History, version: str, text: str, changelog: Path | None, old: Catalogue | None, new: Catalogue | None) -> None:
    """Write the pruned copy, then pins.json (the commit point), then the changelog entry."""
    pin = Pin(version, pin_file_name(version), sha256_text(text))
    pins = [p for p in history.pins if p.version != version] + [pin]
    with locked(history.directory):
        write_atomic(history.directory / pin.file, text)
        write_atomic(history.directory / PINS_FILE, pins_text(pins))
    if changelog is not None and old is not None and new is not None:
        write_atomic(changelog, changelog_text(changelog, old, new))
