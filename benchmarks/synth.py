"""Deterministic synthetic X API specs for the scale benchmark (standard library only).

``build(types, megabytes)`` returns an OpenAPI 3.0 document shaped like X's 2.167 spec:
``components/schemas/Problem`` is a ``oneOf`` of flat schemas, each pinning ``type`` with a
one-value ``enum`` and listed in the discriminator ``mapping``; beside it, ``megabytes`` MB
(serialized, 1 MB = 10**6 bytes) of unrelated paths that the generator must read, validate and
skip.

    python benchmarks/synth.py --types 1000 --megabytes 20 --out /tmp/synth.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

MB = 1_000_000
_BASE = "https://api.x.com/2/problems/"
_EXTRA = ("parameter", "value", "resource_id", "resource_type", "section", "field")


def _problem(index: int) -> dict[str, Any]:
    """One problem schema in the 2.167 shape; the extra fields vary with the index."""
    extra = [_EXTRA[(index + k) % len(_EXTRA)] for k in range(1 + index % 3)]
    props: dict[str, Any] = {
        "detail": {"type": "string"},
        "status": {"type": "integer"},
        "title": {"type": "string"},
        "type": {"type": "string", "enum": [_BASE + f"synthetic-{index:04d}"]},
    }
    for name in extra:
        props[name] = {"type": "string"}
    props[f"count_{index % 5}"] = {"type": "integer", "description": f"How many things problem {index} saw."}
    return {
        "type": "object",
        "description": f"Synthetic problem number {index}: something went wrong in area {index % 17}.",
        "required": ["type", "title", "detail"],
        "properties": dict(sorted(props.items())),
    }


def _schema_name(index: int) -> str:
    return f"Synthetic{index:04d}Problem"


def _path_item(index: int) -> dict[str, Any]:
    """An unrelated endpoint (about 2.5 kB serialized) with parameters and an inline response."""
    props = {
        f"attribute_{k}": {
            "type": "string" if k % 2 else "integer",
            "description": f"Attribute {k} of item {index}; unrelated to problems, present to weigh the spec.",
        }
        for k in range(12)
    }
    return {
        "get": {
            "operationId": f"getSyntheticItem{index}",
            "summary": f"Synthetic item {index}",
            "description": f"Returns synthetic item {index}. Unrelated to the problem types.",
            "tags": [f"Group{index % 50}"],
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,19}$"}},
                {"name": "expansions", "in": "query", "required": False, "schema": {"type": "array", "items": {"type": "string"}}},
            ],
            "responses": {
                "200": {
                    "description": "The request has succeeded.",
                    "content": {"application/json": {"schema": {"type": "object", "properties": props}}},
                },
                "default": {
                    "description": "The request has failed.",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        }
    }


def build(types: int, megabytes: float) -> dict[str, Any]:
    """The document: ``types`` problem types plus about ``megabytes`` MB of unrelated paths."""
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
        },
        "Problem": {
            "oneOf": [{"$ref": f"#/components/schemas/{_schema_name(i)}"} for i in range(types)],
            "discriminator": {
                "propertyName": "type",
                "mapping": {_BASE + f"synthetic-{i:04d}": f"#/components/schemas/{_schema_name(i)}" for i in range(types)},
            },
        },
    }
    for i in range(types):
        schemas[_schema_name(i)] = _problem(i)
    doc: dict[str, Any] = {
        "openapi": "3.0.0",
        "info": {"title": "Synthetic X API v2", "version": f"9.{types}"},
        "paths": {},
        "components": {"schemas": dict(sorted(schemas.items()))},
    }
    base = len(dumps(doc))
    one = len(dumps({"/2/synthetic/50000/items/{id}": _path_item(50000)})) - 4
    count = max(1, int(megabytes * MB // one))
    doc["paths"] = _paths(count)
    actual = len(dumps(doc))
    if actual > base and count > 1:  # one correction: nesting indents every line further
        count = max(1, round(count * megabytes * MB / (actual - base)))
        doc["paths"] = _paths(count)
    return doc


def _paths(count: int) -> dict[str, Any]:
    return {f"/2/synthetic/{i:05d}/items/{{id}}": _path_item(i) for i in range(count)}


def dumps(doc: Any) -> str:
    """Serialized the way X publishes its spec (indent 2)."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, types: int, megabytes: float) -> int:
    """Write the spec to ``path``; returns its size in bytes."""
    text = dumps(build(types, megabytes))
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", type=int, default=100)
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    size = write(args.out, args.types, args.megabytes)
    print(f"{args.out}: {args.types} problem types, {size / MB:.2f} MB")


if __name__ == "__main__":
    main()
