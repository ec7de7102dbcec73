"""Spec document -> the problem types it declares, whichever shape the spec uses.

Shapes handled (all found from ``components/schemas/Problem``):

* a base object with a ``discriminator`` whose ``mapping`` points at ``allOf`` subtypes
  (X up to 2.159);
* a ``oneOf`` of flat schemas that pin ``type`` with a one-value ``enum`` (X 2.167), with or
  without a mapping; members may themselves be ``allOf`` compositions;
* a discriminator without ``mapping``: the implicit value is the schema name, unless the
  member pins ``type`` itself.

Schemas that extend ``Problem`` or are named like problems but are not reachable from it are
reported as warnings and left out: neither silently dropped nor silently invented.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .gcpause import gc_paused
from .model import Diagnostic, FieldKind, SpecCatalogue, SpecField, SpecProblem, StreamingEndpoint
from .names import problem_key
from .pointer import cut, join, split
from .spec import RefResolver

#: RFC 7807 members every problem has; the runtime base class handles them.
BASE_FIELDS = frozenset({"type", "title", "detail", "status"})
_SCHEMAS = "/components/schemas"
_KINDS: dict[str, FieldKind] = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "array": "array",
    "object": "object",
}


class _Extractor:
    def __init__(self, doc: dict[str, Any], file: str) -> None:
        self.doc = doc
        self.file = file
        self.refs = RefResolver(doc, file)
        self.diags: list[Diagnostic] = []
        self.unreached: list[tuple[str, str]] = []
        #: problem key -> (first URI, schema name) of the members found so far
        self.by_key: dict[str, tuple[str, str]] = {}
        comps = doc.get("components")
        schemas = comps.get("schemas") if isinstance(comps, dict) else None
        self.schemas: dict[str, Any] = schemas if isinstance(schemas, dict) else {}

    def error(self, pointer: str, message: str) -> None:
        self.diags.append(Diagnostic("error", self.file, pointer, message))

    def warn(self, pointer: str, message: str) -> None:
        self.diags.append(Diagnostic("warning", self.file, pointer, message))

    # -- members ----------------------------------------------------------------------

    def members(self) -> dict[str, tuple[str, str]]:
        """Type URI -> (schema name, pointer) for every member of the Problem union."""
        root_ptr = join(_SCHEMAS, "Problem")
        if "Problem" not in self.schemas:
            self.error(_SCHEMAS, "no 'Problem' schema: cannot find the problem types")
            return {}
        root = self.refs.follow(self.schemas["Problem"], root_ptr, self.diags)
        if root is None or not isinstance(root.schema, dict):
            return {}
        self.root_ptr = root.pointer
        found: dict[str, tuple[str, str]] = {}
        by_schema: dict[str, str] = {}
        disc = root.schema.get("discriminator")
        if isinstance(disc, dict):
            self._from_mapping(disc, join(root.pointer, "discriminator"), found, by_schema)
        union = [*root.schema.get("oneOf", []), *root.schema.get("anyOf", [])]
        for index, item in enumerate(union):
            key = "oneOf" if "oneOf" in root.schema else "anyOf"
            self._from_union_item(item, join(root.pointer, key, index), found, by_schema)
        if not union and not (isinstance(disc, dict) and disc.get("mapping")):
            for name in sorted(self.schemas):
                if self._extends_root(name):
                    ptr = join(_SCHEMAS, name)
                    self._add(self._pinned(ptr) or name, name, ptr, found, by_schema, ptr)
        self._note_unreached(by_schema)
        return found

    def _from_mapping(self, disc: dict[str, Any], ptr: str, found: dict[str, tuple[str, str]], by_schema: dict[str, str]) -> None:
        if disc.get("propertyName") != "type":
            self.error(join(ptr, "propertyName"), f"discriminator must use 'type', not {cut(disc.get('propertyName'))}")
            return
        mapping = disc.get("mapping") or {}
        for uri in sorted(mapping):
            target = mapping[uri]
            here = join(ptr, "mapping", uri)
            pointer = target[1:] if target.startswith("#") else join(_SCHEMAS, target)
            name = self._schema_name(pointer)
            if name is None:
                self.error(here, f"mapping target {cut(target)} is not a schema in components/schemas")
                continue
            pinned = self._pinned(pointer)
            if pinned is not None and pinned != uri:
                self.error(here, f"mapping key {cut(uri)} disagrees with the schema's type enum {cut(pinned)} at {pointer}")
                continue
            self._add(uri, name, pointer, found, by_schema, here)

    def _from_union_item(self, item: Any, ptr: str, found: dict[str, tuple[str, str]], by_schema: dict[str, str]) -> None:
        ref = item.get("$ref") if isinstance(item, dict) else None
        if not isinstance(ref, str):
            self.error(ptr, "a Problem union member must be a $ref to a named schema")
            return
        resolved = self.refs.follow(item, ptr, self.diags)
        if resolved is None:
            return
        name = self._schema_name(resolved.pointer)
        if name is None:
            self.error(ptr, f"a Problem union member must be a schema in components/schemas, not {cut(resolved.pointer)}")
            return
        if name in by_schema:
            return
        uri = self._pinned(resolved.pointer) or name
        self._add(uri, name, resolved.pointer, found, by_schema, ptr)

    def _schema_name(self, pointer: str) -> str | None:
        """The name of the component schema ``pointer`` designates directly, else None."""
        tokens = split(pointer)
        if len(tokens) != 3 or tokens[:2] != ["components", "schemas"] or tokens[2] not in self.schemas:
            return None
        return tokens[2]

    def _add(self, uri: str, name: str, pointer: str, found: dict[str, tuple[str, str]], by_schema: dict[str, str], here: str) -> None:
        if uri in found and found[uri][0] != name:
            self.error(here, f"type {cut(uri)} is claimed by both {found[uri][0]!r} and {name!r}")
            return
        key = problem_key(uri)
        twin = self.by_key.get(key)  # one dict look-up: a scan here made extraction quadratic
        if twin is not None and twin[1] != name:
            self.error(here, f"type {cut(uri)} and type {cut(twin[0])} name the same problem {cut(key)} (host-independent); keep one")
            return
        self.by_key.setdefault(key, (uri, name))
        found[uri] = (name, pointer)
        by_schema.setdefault(name, uri)

    def _pinned(self, pointer: str) -> str | None:
        """The URI a schema pins with a one-value ``type`` enum or ``const``, if any."""
        props, _ = self._flatten(pointer, set(), quiet=True)
        prop = props.get("type")
        if prop is None:
            return None
        schema = prop[0]
        if isinstance(schema.get("const"), str):
            return str(schema["const"])
        enum = schema.get("enum")
        if isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str):
            return enum[0]
        return None

    def _extends_root(self, name: str) -> bool:
        parts = self.schemas[name].get("allOf") if isinstance(self.schemas[name], dict) else None
        return isinstance(parts, list) and any(
            isinstance(p, dict) and p.get("$ref") == "#" + join(_SCHEMAS, "Problem") for p in parts
        )

    def _note_unreached(self, by_schema: dict[str, str]) -> None:
        """Record schemas that look like problem types but are not union members (as data:
        whether one is really missing is known only once every spec is merged)."""
        for name in sorted(self.schemas):
            if name == "Problem" or name in by_schema:
                continue
            if self._extends_root(name) or name.endswith("Problem"):
                self.unreached.append((name, join(_SCHEMAS, name)))

    # -- fields -----------------------------------------------------------------------

    def _flatten(self, pointer: str, seen: set[str], quiet: bool = False) -> tuple[dict[str, tuple[dict[str, Any], str]], set[str]]:
        """Properties (schema, pointer) and required names of a schema, through allOf."""
        props: dict[str, tuple[dict[str, Any], str]] = {}
        required: set[str] = set()
        stack = [pointer]
        sink: list[Diagnostic] = [] if quiet else self.diags
        while stack:
            ptr = stack.pop(0)
            if ptr in seen:
                continue
            if ptr == getattr(self, "root_ptr", None):
                # The union/discriminator root is not walked (it lists every subtype), but
                # the base members it requires are required of each subtype that extends it.
                root = self.refs.follow({"$ref": "#" + ptr}, ptr, [])
                root_required = root.schema.get("required", []) if root is not None and isinstance(root.schema, dict) else []
                required.update(r for r in root_required if isinstance(r, str) and r in BASE_FIELDS)
                seen.add(ptr)
                continue
            seen.add(ptr)
            resolved = self.refs.follow({"$ref": "#" + ptr}, ptr, sink)
            if resolved is None or not isinstance(resolved.schema, dict):
                continue
            schema, real = resolved.schema, resolved.pointer
            for index, part in enumerate(schema.get("allOf", [])):
                part_ptr = join(real, "allOf", index)
                target = self.refs.follow(part, part_ptr, sink)
                if target is not None:
                    stack.append(target.pointer)
            req = schema.get("required", [])
            required.update(r for r in req if isinstance(r, str))
            for prop_name, prop in (schema.get("properties") or {}).items():
                prop_ptr = join(real, "properties", prop_name)
                target = self.refs.follow(prop, prop_ptr, sink)
                if target is None or not isinstance(target.schema, dict):
                    continue
                if prop_name in props and not quiet:
                    old_kind = self._kind(props[prop_name][0])
                    if old_kind != self._kind(target.schema):
                        self.error(prop_ptr, f"allOf parts disagree on the type of {prop_name!r}: {old_kind} vs {self._kind(target.schema)}")
                        continue
                props.setdefault(prop_name, (target.schema, target.pointer))
        return props, required

    @staticmethod
    def _kind(schema: dict[str, Any]) -> FieldKind:
        declared = schema.get("type")
        if isinstance(declared, list):
            declared = next((t for t in declared if t != "null"), None)
        if declared is None and isinstance(schema.get("enum"), list):
            return "string" if all(isinstance(v, str) for v in schema["enum"]) else "any"
        return _KINDS.get(declared, "any") if isinstance(declared, str) else "any"

    def problem(self, uri: str, name: str, pointer: str) -> SpecProblem:
        """One member schema as a :class:`SpecProblem`."""
        props, required = self._flatten(pointer, set())
        fields = []
        # Sorted by JSON name: the output must not depend on the key order of the file.
        for prop_name, (schema, _ptr) in sorted(props.items()):
            if prop_name in BASE_FIELDS:
                continue
            enum = schema.get("enum")
            values = tuple(v for v in enum if isinstance(v, str)) if isinstance(enum, list) else None
            fmt, desc = schema.get("format"), schema.get("description")
            fields.append(
                SpecField(
                    name=prop_name,
                    kind=self._kind(schema),
                    required=prop_name in required,
                    enum_values=values or None,
                    format=fmt if isinstance(fmt, str) else None,
                    description=desc if isinstance(desc, str) else None,
                )
            )
        schema = self.schemas.get(name, {})
        title, desc = schema.get("title"), schema.get("description")
        return SpecProblem(
            uri=uri,
            schema_name=name,
            title=title if isinstance(title, str) else None,
            description=desc if isinstance(desc, str) else None,
            fields=tuple(fields),
            pointer=pointer,
            base_required=tuple(sorted(BASE_FIELDS & required)),
        )

    def streaming(self) -> tuple[StreamingEndpoint, ...]:
        """Operations marked ``x-twitter-streaming: true``, sorted by path and method."""
        found = []
        paths = self.doc.get("paths")
        for path, ops in (paths.items() if isinstance(paths, dict) else []):
            for method, op in (ops.items() if isinstance(ops, dict) else []):
                if isinstance(op, dict) and op.get("x-twitter-streaming") is True:
                    found.append(StreamingEndpoint(method.upper(), path))
        return tuple(sorted(found, key=lambda e: (e.path, e.method)))


def problems_digest(doc: dict[str, Any], names: list[str]) -> str:
    """sha256 of the canonical JSON of the Problem schema and the named member schemas."""
    schemas = doc.get("components", {}).get("schemas", {})
    subset = {n: schemas.get(n) for n in sorted({"Problem", *names})}
    text = json.dumps(subset, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


@gc_paused()
def extract(doc: dict[str, Any], file: str, sha256: str) -> tuple[SpecCatalogue | None, list[Diagnostic]]:
    """Every problem type the spec declares, sorted by type URI, plus its streaming endpoints."""
    ex = _Extractor(doc, file)
    members = ex.members()
    problems = tuple(ex.problem(uri, name, ptr) for uri, (name, ptr) in sorted(members.items()))
    if any(d.level == "error" for d in ex.diags):
        return None, ex.diags
    if not problems:
        ex.error(join(_SCHEMAS, "Problem"), "the Problem schema declares no problem types")
        return None, ex.diags
    version = doc["info"]["version"]
    digest = problems_digest(doc, [n for n, _ in members.values()])
    return SpecCatalogue(file, version, sha256, problems, ex.streaming(), digest, tuple(ex.unreached)), ex.diags
