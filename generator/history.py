"""The catalogue's history: pruned, canonical copies of every accepted X spec, and pins.json.

The live API still returns problem types that newer specs dropped, so the catalogue is built
from the current spec *and* every older spec the project accepted. Those specs live in
``specs/`` as *pruned* copies: a valid OpenAPI 3 document with ``openapi``, ``info`` (title,
version), the component schemas problem extraction reaches, the streaming markers of
``paths``, and an ``x-xproblems-source`` object saying where it came from. Each is canonical
JSON (sorted keys, indent 2, ASCII, LF, trailing newline), so a pull request that adds one
shows the semantic change.

``specs/pins.json`` says which versions are accepted and what their files hash to::

    {"schema": "xproblems-pins/1", "current": "2.167",
     "history": [{"version": "2.134", "file": "x-api-v2-2.134.json", "sha256": "..."}, ...]}

``history`` is in version order and ends with ``current``. A catalogue built for a spec of
version V takes, as its history, every pinned version older than V: the same rule for
``generate``, ``check`` and both sides of ``diff``, so identical inputs report nothing.

This module is on the warm path: it imports no dataclasses and no stage module.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .model import Diagnostic, SpecCatalogue

PINS_FILE = "pins.json"
PINS_SCHEMA = "xproblems-pins/1"
SOURCE_KEY = "x-xproblems-source"
#: What a pinned version may look like: it becomes part of a file name.
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}")
_FILE_PREFIX = "x-api-v2-"
#: The description of the stand-in response of a pruned streaming operation (OpenAPI 3.0
#: requires ``responses``; the real ones reference schemas the catalogue does not need).
PRUNED_RESPONSE = "Pruned by xproblems: only the x-twitter-streaming marker of this operation is kept."


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Sort key of a spec version: numeric parts numerically (``2.9 < 2.10``)."""
    return tuple((int(p), "") if p.isascii() and p.isdigit() and len(p) <= 18 else (-1, p) for p in version.split("."))


def pin_file_name(version: str) -> str:
    """The file name of the pruned copy of ``version``."""
    return f"{_FILE_PREFIX}{version}.json"


def sha256_file(path: Path) -> str:
    """sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Pin(NamedTuple):
    """One accepted spec version (a NamedTuple: the warm path avoids ``dataclasses``)."""

    version: str
    file: str
    sha256: str


class History(NamedTuple):
    """pins.json, read and checked: every accepted version, oldest first, current last."""

    directory: Path
    pins: tuple[Pin, ...]

    @property
    def current(self) -> Pin:
        """The newest accepted version: what a bare ``generate`` builds."""
        return self.pins[-1]

    def path(self, pin: Pin) -> Path:
        """Where the pruned copy of ``pin`` lives."""
        return self.directory / pin.file

    def find(self, version: str) -> Pin | None:
        """The pin of exactly that version, if accepted."""
        return next((p for p in self.pins if p.version == version), None)

    def holding(self, path: Path) -> Pin | None:
        """The pin whose pruned copy is the file at ``path``, if it is one."""
        real = path.resolve()
        return next((p for p in self.pins if self.path(p).resolve() == real), None)

    def older_than(self, version: str) -> tuple[Pin, ...]:
        """The history a catalogue of ``version`` is built with: strictly older pins."""
        key = version_key(version)
        return tuple(p for p in self.pins if version_key(p.version) < key)


def error(file: Path | str, pointer: str, message: str) -> Diagnostic:
    """An error diagnostic about ``file`` at ``pointer`` (model is imported only then)."""
    from .model import Diagnostic  # lazy: errors are off the warm path

    return Diagnostic("error", str(file), pointer, message)


def load_history(directory: Path) -> tuple[History | None, list[Diagnostic]]:
    """Read ``directory/pins.json`` and check its shape; the files are checked by :func:`verify`."""
    path = directory / PINS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [error(path, "", "no pins file: the pinned spec history is missing")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [error(path, "", f"cannot read: {getattr(exc, 'strerror', None) or exc}")]
    except ValueError as exc:
        return None, [error(path, "", f"invalid JSON: {exc}")]
    pins, diags = _parse_pins(data, path)
    if diags:
        return None, diags
    return History(directory, pins), []


def _parse_pins(data: Any, path: Path) -> tuple[tuple[Pin, ...], list[Diagnostic]]:
    from .pointer import cut

    if not isinstance(data, dict) or data.get("schema") != PINS_SCHEMA:
        return (), [error(path, "/schema", f"not a pins file: expected schema {PINS_SCHEMA!r}")]
    entries = data.get("history")
    if not isinstance(entries, list) or not entries:
        return (), [error(path, "/history", "must be a non-empty list of pinned versions")]
    pins: list[Pin] = []
    diags: list[Diagnostic] = []
    for index, entry in enumerate(entries):
        here = f"/history/{index}"
        if not isinstance(entry, dict) or set(entry) != {"version", "file", "sha256"}:
            diags.append(error(path, here, "each entry has exactly 'version', 'file' and 'sha256'"))
            continue
        version, file, digest = entry["version"], entry["file"], entry["sha256"]
        if not isinstance(version, str) or not _VERSION.fullmatch(version):
            diags.append(error(path, here + "/version", f"not a version: {cut(version)}"))
        elif file != pin_file_name(version):
            diags.append(error(path, here + "/file", f"must be {pin_file_name(version)!r}, not {cut(file)}"))
        elif not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
            diags.append(error(path, here + "/sha256", f"not a sha256 digest: {cut(digest)}"))
        else:
            pins.append(Pin(version, file, digest))
    if diags:
        return (), diags
    versions = [p.version for p in pins]
    if versions != sorted(versions, key=version_key) or len(set(versions)) != len(versions):
        return (), [error(path, "/history", "versions must be distinct and in version order")]
    if data.get("current") != pins[-1].version:
        return (), [error(path, "/current", f"must name the newest pinned version {pins[-1].version!r}, not {cut(data.get('current'))}")]
    return tuple(pins), []


def verify(history: History, pins: Sequence[Pin] | None = None) -> list[Diagnostic]:
    """Every pinned file (or those of ``pins``) exists and hashes to its recorded digest."""
    diags = []
    for pin in history.pins if pins is None else pins:
        path = history.path(pin)
        try:
            if path.is_symlink() or not path.is_file():
                raise FileNotFoundError
            digest = sha256_file(path)
        except OSError:
            diags.append(error(path, "", f"pinned spec {pin.version} is missing (listed in {PINS_FILE})"))
            continue
        if digest != pin.sha256:
            diags.append(error(path, "", f"pinned spec {pin.version} does not match its digest in {PINS_FILE}: edited or replaced; re-pin it with `xproblems pin`"))
    return diags


def pins_text(pins: Sequence[Pin]) -> str:
    """pins.json for ``pins`` (sorted by version; the newest is current), canonical."""
    ordered = sorted(pins, key=lambda p: version_key(p.version))
    data = {"schema": PINS_SCHEMA, "current": ordered[-1].version, "history": [p._asdict() for p in ordered]}
    return canonical_json(data)


def canonical_json(data: Any) -> str:
    """Sorted keys, indent 2, ASCII only (no hidden characters in a reviewed diff), LF, final newline."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=True) + "\n"


def check_version_name(version: str) -> str | None:
    """Why ``version`` cannot be pinned (it names a file), or None."""
    if _VERSION.fullmatch(version):
        return None
    return "info.version must be 1-64 letters, digits, '.', '+', '_' or '-', starting with a letter or digit, to be pinned"


# --- pruning -------------------------------------------------------------------------------


def prune(doc: dict[str, Any], catalogue: SpecCatalogue, *, sha256: str, size: int, url: str | None = None) -> dict[str, Any]:
    """The pruned copy of a spec: what extraction of ``catalogue`` reaches, plus provenance.

    The roots are ``Problem`` and every member schema extraction found (whatever shape the
    spec uses); everything they ``$ref`` or map to is kept, transitively. Streaming
    operations keep only their marker (and a stand-in response: OpenAPI 3.0 requires one).
    """
    from .pointer import split

    info = doc["info"]  # check_version made it an object with a version
    pruned: dict[str, Any] = {"openapi": doc["openapi"], "info": {k: info[k] for k in ("title", "version") if k in info}}
    roots = ["/components/schemas/Problem", *(p.pointer for p in catalogue.problems)]
    todo = [tuple(split(r)) for r in roots]
    kept: set[tuple[str, ...]] = set()
    while todo:
        unit = _unit(todo.pop())
        if unit in kept or not _copy(doc, pruned, unit):
            continue
        kept.add(unit)
        todo.extend(tuple(split(ref)) for ref in _refs(_get(doc, unit)))
    paths = _streaming_paths(doc)
    pruned["paths"] = paths
    source: dict[str, Any] = {"sha256": sha256, "bytes": size}
    if url:
        source["url"] = url
    pruned[SOURCE_KEY] = source
    return pruned


def _unit(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """What to keep for a reference: the whole named component, else the exact value."""
    return tokens[:3] if tokens[:1] == ("components",) else tokens


def _get(doc: Any, tokens: Sequence[str]) -> Any:
    node = doc
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isascii() and token.isdigit() and len(token) <= 18 and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _copy(doc: Any, pruned: dict[str, Any], tokens: tuple[str, ...]) -> bool:
    """Copy the value at ``tokens`` into ``pruned`` at the same place; False if unreachable."""
    value = _get(doc, tokens)
    if value is None or not tokens:
        return False
    if any(t.isascii() and t.isdigit() and isinstance(_get(doc, tokens[:i]), list) for i, t in enumerate(tokens)):
        tokens = tokens[: next(i for i, t in enumerate(tokens) if isinstance(_get(doc, tokens[:i]), list))]
        value = _get(doc, tokens)  # a reference into an array keeps the whole array
    node = pruned
    for token in tokens[:-1]:
        node = node.setdefault(token, {})
    node[tokens[-1]] = value
    return True


def _refs(value: Any) -> list[str]:
    """Every local reference below ``value``: ``$ref`` strings and discriminator mappings."""
    found: list[str] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                found.append(ref[1:])
            disc = node.get("discriminator")
            mapping = disc.get("mapping") if isinstance(disc, dict) else None
            for target in (mapping or {}).values() if isinstance(mapping, dict) else ():
                if isinstance(target, str):
                    found.append(target[1:] if target.startswith("#") else f"/components/schemas/{target}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _streaming_paths(doc: dict[str, Any]) -> dict[str, Any]:
    paths = doc.get("paths")
    kept: dict[str, Any] = {}
    for path, ops in (paths.items() if isinstance(paths, dict) else ()):
        for method, op in (ops.items() if isinstance(ops, dict) else ()):
            if isinstance(op, dict) and op.get("x-twitter-streaming") is True:
                stub = {"responses": {"default": {"description": PRUNED_RESPONSE}}, "x-twitter-streaming": True}
                kept.setdefault(path, {})[method] = stub
    return kept


def subset(pruned: dict[str, Any]) -> dict[str, Any]:
    """What decides whether two pruned specs differ: all but ``info`` and provenance."""
    return {k: v for k, v in pruned.items() if k not in ("info", SOURCE_KEY)}
