"""Where a JSON pointer's value starts in its JSON or YAML file: line and column.

Diagnostics are located by file and pointer when they are found (the stages work on parsed
data); only when they are printed does this module read the file again and walk its YAML
event stream (JSON is read the same way: its syntax is YAML's flow style) to give each
pointer a ``line:col``. A pointer that names something absent (a missing ``required``)
gets the position of its nearest ancestor that is there. Nothing here can fail a run: a
file that cannot be read or parsed again just gets no positions.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .pointer import join, split

if TYPE_CHECKING:
    from .model import Diagnostic

#: Files larger than this are not read again for positions (the loader's own cap is larger).
LOCATE_LIMIT = 32 * 1024 * 1024


def positions(path: Path, pointers: Iterable[str]) -> dict[str, tuple[int, int]]:
    """``pointer -> (line, column)``, both 1-based, for each pointer that can be placed."""
    wanted = {p for p in pointers if p.startswith("/") or p == ""}
    text = _text(path)
    if not wanted or text is None:
        return {}
    prefixes = {prefix for p in wanted for prefix in _prefixes(p)}
    found = _walk(text, prefixes)
    located = {}
    for pointer in wanted:
        best = next((found[prefix] for prefix in reversed(_prefixes(pointer)) if prefix in found), None)
        if best is not None:
            located[pointer] = best
    return located


def _prefixes(pointer: str) -> list[str]:
    """``""``, ``/a``, ``/a/b`` for ``/a/b``: the pointer and every ancestor, root first."""
    try:
        tokens = split(pointer)
    except ValueError:
        return [""]
    return [join("", *tokens[:n]) for n in range(len(tokens) + 1)]


def _text(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > LOCATE_LIMIT:
            return None
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _walk(text: str, wanted: set[str]) -> dict[str, tuple[int, int]]:
    """The start of every wanted pointer's node, in one pass over the events."""
    from .load import yaml_events

    found: dict[str, tuple[int, int]] = {}
    # Each frame: [pointer of the container, is_mapping, next index or pending key, key expected]
    stack: list[list[Any]] = []
    events = yaml_events(text)
    try:
        while len(found) < len(wanted):
            event = events.get_event()
            kind = type(event).__name__
            if kind in ("MappingEndEvent", "SequenceEndEvent"):
                stack.pop()
                _advance(stack)
                continue
            if kind not in ("ScalarEvent", "MappingStartEvent", "SequenceStartEvent", "AliasEvent"):
                if kind == "StreamEndEvent":
                    break
                continue
            if stack and stack[-1][1] and stack[-1][3]:  # a mapping key
                stack[-1][2] = str(getattr(event, "value", ""))
                stack[-1][3] = False
                continue
            pointer = _here(stack)
            if pointer in wanted:
                found[pointer] = (event.start_mark.line + 1, event.start_mark.column + 1)
            if kind == "MappingStartEvent":
                stack.append([pointer, True, None, True])
            elif kind == "SequenceStartEvent":
                stack.append([pointer, False, 0, False])
            else:
                _advance(stack)
    except Exception:  # a file that no longer parses gets no positions, not a crash
        found = {}
    finally:
        with contextlib.suppress(Exception):
            events.dispose()
    return found


def _here(stack: list[list[Any]]) -> str:
    """The pointer of the node that comes next."""
    if not stack:
        return ""
    base, _, token, _ = stack[-1]
    return join(base, token)


def _advance(stack: list[list[Any]]) -> None:
    """A value ended: the mapping expects a key, the sequence its next index."""
    if not stack:
        return
    if stack[-1][1]:
        stack[-1][3] = True
    else:
        stack[-1][2] += 1


def located(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """``diags`` with ``line``/``column`` filled in wherever the file and pointer allow."""
    wanted: dict[str, set[str]] = {}
    for d in diags:
        if d.line is None and d.pointer:
            wanted.setdefault(d.file, set()).add(d.pointer)
    places = {file: positions(Path(file), pointers) for file, pointers in wanted.items()}
    out = []
    for d in diags:
        place = places.get(d.file, {}).get(d.pointer) if d.line is None else None
        out.append(dataclasses.replace(d, line=place[0], column=place[1]) if place else d)
    return out
