"""Document -> validated OpenAPI document; local ``$ref`` resolution with cycle detection.

Validation uses openapi-pydantic (imported lazily: it costs ~0.3 s). Extraction then walks the
plain JSON tree, so every finding keeps an exact RFC 6901 pointer into the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .gcpause import gc_paused
from .model import Diagnostic
from .pointer import PointerError, cut, join, resolve

_OPENAPI_VERSION = re.compile(r"3\.(0|1)\.\d+")


def check_version(doc: Any, file: str) -> list[Diagnostic]:
    """Refuse anything but an OpenAPI 3.0/3.1 object before the (slow) model validation."""
    if not isinstance(doc, dict):
        return [Diagnostic("error", file, "", f"root must be an object, not {type(doc).__name__}")]
    if "swagger" in doc:
        return [Diagnostic("error", file, "/swagger", f"Swagger {cut(doc['swagger'])} is not supported; need OpenAPI 3.0 or 3.1")]
    version = doc.get("openapi")
    if not isinstance(version, str) or not _OPENAPI_VERSION.fullmatch(version):
        return [Diagnostic("error", file, "/openapi", f"unsupported OpenAPI version {cut(version)}; need 3.0.x or 3.1.x")]
    info = doc.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("version"), str):
        return [Diagnostic("error", file, "/info/version", "missing info.version string")]
    return []


def validate(doc: dict[str, Any], file: str) -> list[Diagnostic]:
    """Validate with openapi-pydantic; one diagnostic per distinct failing location."""
    from openapi_pydantic import parse_obj  # lazy: see module docstring
    from pydantic import ValidationError

    try:
        with gc_paused():  # the models of a large spec: see gc_paused
            parse_obj(doc)
    except ValidationError as exc:
        found: dict[str, str] = {}
        for error in exc.errors():
            pointer = _pointer_for(doc, error["loc"])
            found.setdefault(pointer, f"{error['msg']} (got {cut(error.get('input'))})")
        return [Diagnostic("error", file, p, m) for p, m in sorted(found.items())]
    except (ValueError, TypeError, RecursionError) as exc:
        return [Diagnostic("error", file, "", f"not a valid OpenAPI document: {cut(str(exc), 120)}")]
    return []


def _pointer_for(doc: Any, loc: tuple[int | str, ...]) -> str:
    """Map a pydantic error location onto the document, skipping union-branch labels."""
    node, pointer = doc, ""
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node, pointer = node[part], join(pointer, part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node, pointer = node[part], join(pointer, part)
    return pointer


@dataclass(frozen=True)
class Resolved:
    """A schema reached through zero or more ``$ref`` hops, with where it really lives."""

    schema: Any
    pointer: str


class RefResolver:
    """Resolves local references in one document; remote and file references are refused."""

    def __init__(self, doc: Any, file: str) -> None:
        self.doc = doc
        self.file = file

    def follow(self, schema: Any, pointer: str, diags: list[Diagnostic]) -> Resolved | None:
        """Follow a chain of pure ``$ref`` objects to a real schema, detecting alias cycles."""
        chain: list[str] = []
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not isinstance(ref, str):
                diags.append(Diagnostic("error", self.file, join(pointer, "$ref"), f"$ref must be a string, not {cut(ref)}"))
                return None
            if not ref.startswith("#"):
                diags.append(Diagnostic("error", self.file, join(pointer, "$ref"), f"only local references are allowed, not {cut(ref)}"))
                return None
            target = ref[1:]
            if target in chain:
                cycle = " -> ".join([*chain, target])
                diags.append(Diagnostic("error", self.file, join(pointer, "$ref"), f"reference cycle: {cycle}"))
                return None
            chain.append(target)
            try:
                schema = resolve(self.doc, target)
            except PointerError as exc:
                diags.append(Diagnostic("error", self.file, join(pointer, "$ref"), f"{cut(ref)} does not resolve: {exc} at {exc.at or '/'}"))
                return None
            pointer = target
        return Resolved(schema, pointer)
