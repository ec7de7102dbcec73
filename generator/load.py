"""Bytes -> JSON document: size cap, strict decoding, duplicate keys, pointer-aware errors.

Every spec and supplement is read (size cap first) and parsed here; the generator's own
files (pins.json, manifests, templates, runtime) are read where they are used. Everything
that is not plain JSON data (NaN, huge integers, duplicate keys, YAML tags and aliases
beyond a limit, non-string keys) is refused here with the JSON pointer of the offending
value, so later stages can assume a clean tree of dict/list/str/int/float/bool/None.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, TypeAlias

from .model import Diagnostic
from .pointer import cut, join

#: Refuse documents larger than this before reading them (X's specs are under 1 MiB).
MAX_BYTES = 64 * 1024 * 1024
#: Integers with more digits than this are refused (JSON numbers in specs are small).
MAX_INT_DIGITS = 64
#: YAML alias uses allowed in one document (billion-laughs guard).
MAX_YAML_ALIASES = 64
#: Deepest nesting of objects and arrays accepted (X's specs nest 17 levels); later stages
#: (openapi-pydantic, json.dumps) recurse, so a deeper document is refused here.
MAX_DEPTH = 100


class _Bad:
    """A placeholder the JSON decoder leaves where a value must be refused."""

    def __init__(self, message: str) -> None:
        self.message = message


class _DupDict(dict[str, Any]):
    """A JSON object that had duplicate keys; ``dups`` names them."""

    dups: list[str]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    dups: list[str] = []
    for key, value in pairs:
        if key in result:
            dups.append(key)
        result[key] = value
    if dups:
        marked = _DupDict(result)
        marked.dups = dups
        return marked
    return result


def _parse_int(text: str) -> Any:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return _Bad(f"integer with {len(text)} digits is too large")
    return int(text)


def _parse_constant(name: str) -> Any:
    return _Bad(f"{name} is not valid JSON")


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> tuple[bytes | None, list[Diagnostic]]:
    """Read a file, refusing it before reading when it is larger than ``max_bytes``."""
    file = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [Diagnostic("error", file, "", f"file is {size} bytes, over the {max_bytes}-byte cap")]
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return None, [Diagnostic("error", file, "", f"cannot read: {exc.strerror or exc}")]
    if len(data) > max_bytes:
        return None, [Diagnostic("error", file, "", f"file grew over the {max_bytes}-byte cap")]
    return data, []


def decode_text(data: bytes, file: str) -> tuple[str | None, list[Diagnostic]]:
    """Strict UTF-8 (a leading BOM is dropped); the error names the byte offset."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [Diagnostic("error", file, "", f"not UTF-8: byte {exc.start}: {exc.reason}")]


def parse_json(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """Parse JSON text; syntax errors carry line:column, bad values their pointer."""
    try:
        doc = json.loads(
            text,
            object_pairs_hook=_pairs_hook,
            parse_int=_parse_int,
            parse_constant=_parse_constant,
        )
    except json.JSONDecodeError as exc:
        return None, [Diagnostic("error", file, "", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")]
    except RecursionError:
        return None, [Diagnostic("error", file, "", "JSON nested too deeply")]
    return check_plain(doc, file)


#: The tags a YAML 1.2 core-schema document of plain JSON data resolves to; any other tag
#: (``!!binary``, ``!!timestamp``, ``!!set``, ``!python/...``) is refused before construction.
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")
)


def _yaml12_loader() -> Any:
    """PyYAML's safe loader with YAML 1.2 core-schema scalars instead of YAML 1.1's.

    OpenAPI recommends YAML 1.2. Under it, ``2021-01-06T18:40:40.000Z`` and ``2021-01-06``
    are strings (1.1: timestamps), so are ``yes``/``no``/``on``/``off`` and ``1_000`` (1.1:
    booleans, an int) and ``1:30`` (1.1: sexagesimal); ``0o17`` is an octal int and ``.inf``
    and ``.nan`` are floats (which the JSON check then refuses, as JSON would). Integers are
    converted here, after their digits are counted, so no literal can cost quadratic time.
    """
    import re

    import yaml

    class Yaml12Loader(yaml.SafeLoader):
        yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's class-level table

        def construct_yaml_int(self, node: Any) -> Any:
            text = str(self.construct_scalar(node))
            sign, digits = (-1, text[1:]) if text[:1] == "-" else (1, text.lstrip("+"))
            base = 8 if digits[:2] == "0o" else 16 if digits[:2] == "0x" else 10
            digits = digits[2:] if base != 10 else digits
            if len(digits) > MAX_INT_DIGITS:
                return _Bad(f"integer with {len(digits)} digits is too large")
            return sign * int(digits, base)

        def construct_yaml_float(self, node: Any) -> Any:
            text = str(self.construct_scalar(node))
            special = text.lstrip("+-").lower()
            if special in (".inf", ".nan"):
                return float(text.replace(".", "", 1))
            return float(text)

    core = {
        "tag:yaml.org,2002:null": (r"~|null|Null|NULL|", ["~", "n", "N", ""]),
        "tag:yaml.org,2002:bool": (r"true|True|TRUE|false|False|FALSE", list("tTfF")),
        "tag:yaml.org,2002:int": (r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
        "tag:yaml.org,2002:float": (
            r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
            list("-+.0123456789"),
        ),
    }
    for tag, (pattern, first) in core.items():
        Yaml12Loader.add_implicit_resolver(tag, re.compile(rf"^(?:{pattern})$"), first)
    Yaml12Loader.add_constructor("tag:yaml.org,2002:int", Yaml12Loader.construct_yaml_int)
    Yaml12Loader.add_constructor("tag:yaml.org,2002:float", Yaml12Loader.construct_yaml_float)
    return Yaml12Loader


def parse_yaml(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """Parse YAML 1.2 plain data, refusing duplicate keys, tags and alias floods."""
    import yaml  # lazy: JSON specs never need it

    loader_class = _yaml12_loader()
    try:
        # The pure-Python loader on purpose: libyaml's composer (CSafeLoader) recurses in C
        # and crashes the process on deeply nested input (tests/hostile/016-yaml-deep-nesting).
        node = yaml.compose(text, Loader=loader_class)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Diagnostic("error", file, "", f"invalid YAML{where}: {problem}")]
    except RecursionError:
        return None, [Diagnostic("error", file, "", "YAML nested too deeply")]
    if node is None:
        return None, [Diagnostic("error", file, "", "empty document")]
    diags, aliases = _check_yaml_nodes(node, file)
    if diags:
        return None, diags
    loader = loader_class("")
    try:
        doc = loader.construct_document(node)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return None, [Diagnostic("error", file, "", f"invalid YAML value: {cut(str(exc))}")]
    finally:
        loader.dispose()
    problem = _alias_problem(doc) if aliases else None  # without aliases: a plain tree
    if problem:
        return None, [Diagnostic("error", file, "", problem)]
    return check_plain(doc, file)


def _check_yaml_nodes(root: Any, file: str) -> tuple[list[Diagnostic], int]:
    """Refuse tags, non-string keys and alias floods; also say how many aliases there are."""
    import yaml

    diags: list[Diagnostic] = []
    seen: set[int] = set()
    aliases = 0
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        node, pointer = stack.pop()
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                return [Diagnostic("error", file, pointer, f"more than {MAX_YAML_ALIASES} YAML aliases")], aliases
            continue
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            line = node.start_mark.line + 1
            diags.append(Diagnostic("error", file, pointer, f"YAML tag {cut(node.tag)} is not plain JSON data (line {line})"))
            continue
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                    diags.append(Diagnostic("error", file, pointer, "mapping key is not a string"))
                    continue
                if key_node.value == "<<" and key_node.style is None:
                    diags.append(Diagnostic("error", file, pointer, "YAML merge keys are not allowed"))
                    continue
                # A key is its text, as in JSON: `200:` (a YAML int) is the key "200".
                key_node.tag = "tag:yaml.org,2002:str"
                key = str(key_node.value)
                if key in keys:
                    line = key_node.start_mark.line + 1
                    diags.append(Diagnostic("error", file, join(pointer, key), f"duplicate key {cut(key)} (line {line})"))
                keys.add(key)
                stack.append((value_node, join(pointer, key)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, join(pointer, index)))
    return diags, aliases


#: A location in the tree as a linked list (parent, token): building an escaped pointer
#: string for every value of a large spec cost more than the rest of the walk.
_Path: TypeAlias = "tuple[_Path, str | int] | None"
_PLAIN = (str, bool, type(None))


def _pointer(path: _Path) -> str:
    tokens: list[str | int] = []
    while path is not None:
        path, token = path
        tokens.append(token)
    return join("", *reversed(tokens))


def _scalar_problem(value: Any) -> str | None:
    """Why a non-container value is not plain JSON data, or None when it is."""
    if isinstance(value, _PLAIN):
        return None
    if isinstance(value, _Bad):
        return value.message
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{value!r} is not valid JSON"
    if isinstance(value, int):
        # 64 decimal digits need at most 213 bits; bit_length avoids str() on every int.
        return "integer is too large" if value.bit_length() > 213 and len(str(abs(value))) > MAX_INT_DIGITS else None
    return f"{type(value).__name__} is not a JSON value"


def check_plain(doc: Any, file: str) -> tuple[Any, list[Diagnostic]]:
    """Walk the tree once (no recursion) and refuse anything that is not plain JSON data."""
    if doc is None:  # `null` or YAML `~`: every caller takes a None document for a failure
        return None, [Diagnostic("error", file, "", "the document is null")]
    found: list[tuple[_Path, str]] = []
    stack: list[tuple[Any, _Path, int]] = [(doc, None, 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict):
            items: Any = value.items()
            if isinstance(value, _DupDict):
                found.extend(((path, key), f"duplicate key {cut(key)}") for key in value.dups)
        elif isinstance(value, list):
            items = enumerate(value)
        else:
            problem = _scalar_problem(value)
            if problem:
                found.append((path, problem))
            continue
        if depth >= MAX_DEPTH:
            found.append((path, f"nested deeper than {MAX_DEPTH} levels"))
            continue
        for key, item in items:
            if not isinstance(key, (str, int)) or (isinstance(key, int) and isinstance(value, dict)):
                found.append((path, f"key {cut(key)} is not a string"))
            elif isinstance(item, (dict, list)):
                stack.append((item, (path, key), depth + 1))
            elif not isinstance(item, _PLAIN):
                problem = _scalar_problem(item)
                if problem:
                    found.append(((path, key), problem))
    diags = sorted((Diagnostic("error", file, _pointer(p), m) for p, m in found), key=lambda d: d.pointer)
    return (None, diags) if diags else (doc, [])


def _alias_problem(doc: Any) -> str | None:
    """Why a YAML document whose aliases share values cannot be used, or None.

    Every later walk (``check_plain`` first) sees each alias expanded: a recursive
    alias (``&a [*a]``) is endless, and 30 doubling aliases (under the alias cap) make
    2**30 values. Refused: a cycle, and an expansion past ``MAX_YAML_ALIASES + 1``
    times the document's own size. Each shared value is sized once (a loop, no
    recursion); ``check_plain`` then walks what is left, depth included, expanded.
    """
    if not isinstance(doc, (dict, list)):
        return None
    sizes: dict[int, int] = {}  # id -> values once expanded
    own = 0  # values without expanding: what the document holds
    path: set[int] = set()  # containers being expanded: meeting one again is a cycle
    stack: list[tuple[Any, bool]] = [(doc, False)]
    while stack:
        value, done = stack.pop()
        members = [m for m in (value.values() if isinstance(value, dict) else value) if isinstance(m, (dict, list))]
        if done:
            path.discard(id(value))
            scalars = len(value) - len(members)
            sizes[id(value)] = 1 + scalars + sum(sizes[id(m)] for m in members)
            own += 1 + scalars
        elif id(value) in path:
            return "a YAML alias refers to a value that holds it (recursive)"
        elif id(value) not in sizes:
            path.add(id(value))
            stack.append((value, True))
            stack.extend((m, False) for m in members)
    if sizes[id(doc)] > own * (MAX_YAML_ALIASES + 1):
        return f"YAML aliases expand the document to {sizes[id(doc)]} values, over {MAX_YAML_ALIASES + 1} times its own {own}"
    return None


def load_document(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[Any | None, list[Diagnostic]]:
    """Read and parse a JSON or YAML file (by suffix) into plain data, or say why not."""
    data, diags = read_bytes(path, max_bytes)
    if data is None:
        return None, diags
    return parse_bytes(data, str(path), yaml_syntax=path.suffix.lower() in (".yaml", ".yml"))


def parse_bytes(data: bytes, file: str, *, yaml_syntax: bool = False) -> tuple[Any | None, list[Diagnostic]]:
    """Parse already-read bytes as JSON (or YAML)."""
    text, diags = decode_text(data, file)
    if text is None:
        return None, diags
    return parse_yaml(text, file) if yaml_syntax else parse_json(text, file)
