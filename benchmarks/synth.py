"""Deterministic synthetic X API specs for the scale benchmark (standard library only).

``build(types, megabytes)`` returns an OpenAPI 3.0 document shaped like X's 2.167 spec:
``components/schemas/Problem`` is a ``oneOf`` of flat schemas, each pinning ``type`` with a
one-value ``enum`` and listed in the discriminator ``mapping``; beside it, ``megabytes`` MB
(serialized, 1 MB = 10**6 bytes) of unrelated paths that the generator must read, validate and
skip. ``enum_values`` > 0 gives the first problem a ``reason`` field with that many enum values,
half of them distinct names (``reason-00000``) and half spellings of one name (``same----``,
``-.--same``...: all the member name ``SAME``), the worst case for making names unique.

An output path ending in ``.yaml`` gets the same document as block-style YAML (plain scalars
where YAML 1.2 reads them back as the same string, JSON-quoted otherwise), sized the same way.

    python benchmarks/synth.py --types 1000 --megabytes 20 --out /tmp/synth.json
    python benchmarks/synth.py --types 100 --megabytes 12 --out /tmp/synth.yaml
    python benchmarks/synth.py --types 10 --enum-values 20000 --out /tmp/enum.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
from pathlib import Path
from typing import Any

MB = 1_000_000
_BASE = "https://api.x.com/2/problems/"
_EXTRA = ("parameter", "value", "resource_id", "resource_type", "section", "field")
#: Characters that are word separators in member names: ``same`` with any run of them is ``SAME``.
_PUNCT = "-.!#$%&*+/;<=>?@^_|~"


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


def enum_values(count: int) -> list[str]:
    """``count`` distinct values: even ones distinct names, odd ones all named ``SAME``
    (four separators each: every value has the same length, whatever ``count``)."""
    spellings = ("".join(chars) for chars in itertools.product(_PUNCT, repeat=4))
    values = []
    for index in range(count):
        if index % 2 == 0:
            values.append(f"reason-{index:05d}")
        else:
            sep = next(spellings)
            values.append(f"same{sep}" if index % 4 == 1 else f"{sep}same")
    return values


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


def build(types: int, megabytes: float, enum_count: int = 0, dump: Any = None) -> dict[str, Any]:
    """The document: ``types`` problem types plus about ``megabytes`` MB (as ``dump``
    serializes it, JSON by default) of unrelated paths."""
    dump = dump or dumps
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
    if enum_count:
        props = schemas[_schema_name(0)]["properties"]
        props["reason"] = {"type": "string", "enum": enum_values(enum_count)}
        schemas[_schema_name(0)]["properties"] = dict(sorted(props.items()))
    doc: dict[str, Any] = {
        "openapi": "3.0.0",
        "info": {"title": "Synthetic X API v2", "version": f"9.{types}"},
        "paths": {},
        "components": {"schemas": dict(sorted(schemas.items()))},
    }
    base = len(dump(doc))
    one = len(dump({"/2/synthetic/50000/items/{id}": _path_item(50000)})) - 4
    count = max(1, int(megabytes * MB // one))
    doc["paths"] = _paths(count)
    actual = len(dump(doc))
    if actual > base and count > 1:  # one correction: nesting indents every line further
        count = max(1, round(count * megabytes * MB / (actual - base)))
        doc["paths"] = _paths(count)
    return doc


def _paths(count: int) -> dict[str, Any]:
    return {f"/2/synthetic/{i:05d}/items/{{id}}": _path_item(i) for i in range(count)}


def dumps(doc: Any) -> str:
    """Serialized the way X publishes its spec (indent 2)."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


#: A string YAML 1.2 (core schema) and YAML 1.1 both read back as itself when written plain.
_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9 _./{}()'-]*")
_NOT_PLAIN = re.compile(r"(?i:y|n|yes|no|on|off|true|false|null)|.* $|.*: |.* #")


def _yaml_str(text: str) -> str:
    if _PLAIN.fullmatch(text) and not _NOT_PLAIN.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _yaml_scalar(value: Any) -> str:
    return _yaml_str(value) if isinstance(value, str) else json.dumps(value)


def _yaml_lines(value: Any, indent: str, out: list[str]) -> None:
    """Block-style YAML lines of ``value`` (a dict or list) at ``indent``."""
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    for key, item in items:
        lead = f"{indent}{_yaml_str(key)}:" if key is not None else f"{indent}-"
        if key is None and isinstance(item, dict) and item:  # "- name: id" as PyYAML writes it
            start = len(out)
            _yaml_lines(item, indent + "  ", out)
            out[start] = f"{indent}- {out[start][len(indent) + 2:]}"
        elif isinstance(item, (dict, list)) and item:
            out.append(lead)
            _yaml_lines(item, indent + "  ", out)
        elif isinstance(item, (dict, list)):
            out.append(f"{lead} {'{}' if isinstance(item, dict) else '[]'}")
        else:
            out.append(f"{lead} {_yaml_scalar(item)}")


def yaml_dumps(doc: Any) -> str:
    """Block-style YAML of a JSON document (no library: the benchmark's peers stay out)."""
    out: list[str] = []
    _yaml_lines(doc, "", out)
    return "\n".join(out) + "\n"


def write(path: Path, types: int, megabytes: float, enum_count: int = 0) -> int:
    """Write the spec to ``path`` (YAML for a ``.yaml`` path); returns its size in bytes."""
    dump = yaml_dumps if path.suffix == ".yaml" else dumps
    text = dump(build(types, megabytes, enum_count, dump))
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", type=int, default=100)
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--enum-values", type=int, default=0, help="enum values of one field")
    parser.add_argument("--out", type=Path, required=True, help="a .json or .yaml path")
    args = parser.parse_args()
    size = write(args.out, args.types, args.megabytes, args.enum_values)
    print(f"{args.out}: {args.types} problem types, {args.enum_values} enum values, {size / MB:.2f} MB")


if __name__ == "__main__":
    main()
