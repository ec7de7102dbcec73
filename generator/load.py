"""Bytes -> JSON document: size cap, strict decoding, duplicate keys, pointer-aware errors.

Every spec and supplement is read (size cap first) and parsed here; the generator's own
files (pins.json, manifests, templates, runtime) are read where they are used. Everything
that is not plain JSON data (NaN, huge integers, duplicate keys, YAML tags and aliases
beyond a limit, non-string keys) is refused here with the JSON pointer of the offending
value, so later stages can assume a clean tree of dict/list/str/int/float/bool/None.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path
from typing import Any, NamedTuple, TypeAlias

from .gcpause import gc_paused
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
    with gc_paused():
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


#: A location in the tree as a linked list (parent, token): building an escaped pointer
#: string for every value of a large spec cost more than the rest of the walk.
_Path: TypeAlias = "tuple[_Path, str | int] | None"


def _pointer(path: _Path) -> str:
    tokens: list[str | int] = []
    while path is not None:
        path, token = path
        tokens.append(token)
    return join("", *reversed(tokens))


# --- YAML -------------------------------------------------------------------------------

#: Deepest YAML nesting read at all: ``check_plain`` refuses anything deeper than MAX_DEPTH
#: with its pointer; this bound only stops the reader early on a flood (50,000 nested flow
#: sequences) with one message.
MAX_YAML_NESTING = 1000
_TAG = "tag:yaml.org,2002:"
#: The tags of plain JSON data; any other (``!!binary``, ``!!timestamp``, ``!!set``,
#: ``!python/...``) is refused before a value is built from the node.
_PLAIN_TAGS = frozenset(_TAG + name for name in ("str", "int", "float", "bool", "null", "map", "seq"))
#: The YAML 1.2 core schema: the forms of each scalar type. A plain scalar takes the first
#: type whose form matches all of it, else it is a string; an explicitly tagged scalar must
#: have its tag's form.
_CORE = {
    "null": r"~|null|Null|NULL|",
    "bool": r"true|True|TRUE|false|False|FALSE",
    "int": r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+",
    "float": r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
}
_RESOLVE = re.compile("|".join(f"(?P<{kind}>{form})" for kind, form in _CORE.items()))
_FORMS = {_TAG + kind: re.compile(form) for kind, form in _CORE.items()}
#: The first characters of every plain scalar that is not a string (the empty one aside):
#: the others, most of a spec, skip the regular expression.
_NOT_STR_FIRST = frozenset("~nNtTfF-+.0123456789")


def _core_value(kind: str | None, text: str) -> Any:
    """The value of ``text``, which has the core-schema form of ``kind``."""
    if kind == "null":
        return None
    if kind == "bool":
        return text[0] in "tT"
    if kind == "int":
        # Converted here, after the digits are counted, so no literal can cost quadratic time.
        sign, digits = (-1, text[1:]) if text[:1] == "-" else (1, text.lstrip("+"))
        base = 8 if digits[:2] == "0o" else 16 if digits[:2] == "0x" else 10
        digits = digits[2:] if base != 10 else digits
        if len(digits) > MAX_INT_DIGITS:
            return _Bad(f"integer with {len(digits)} digits is too large")
        return sign * int(digits, base)
    special = text.lstrip("+-").lower()
    return float(text.replace(".", "", 1)) if special in (".inf", ".nan") else float(text)


def _plain_value(text: str) -> Any:
    """A plain (unquoted, untagged) scalar under the YAML 1.2 core schema."""
    if text and text[0] not in _NOT_STR_FIRST:
        return text
    match = _RESOLVE.fullmatch(text)
    return text if match is None else _core_value(match.lastgroup, text)


class _Stop(Exception):
    """A limit hit while reading: the document is refused with this one message."""

    def __init__(self, path: _Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class _Frame:
    """A mapping or sequence whose events are arriving."""

    __slots__ = ("expect_key", "key", "mapping", "path", "quiet", "skip", "value")

    def __init__(self, value: Any, path: _Path, quiet: bool) -> None:
        self.value = value
        self.path = path
        #: Inside a refused node: the rest is built (aliases may point into it) but not reported.
        self.quiet = quiet
        self.mapping = isinstance(value, dict)
        #: A mapping's next node is a key (else the value of ``key``, or of a refused key: ``skip``).
        self.expect_key = self.mapping
        self.key = ""
        self.skip = False


class _Anchor(NamedTuple):
    value: Any
    #: The text the node stands for as a mapping key; None when it cannot be one.
    key: str | None
    plain: bool
    mark: Any


class _YamlReader:
    """Plain JSON data from a YAML stream's events, checked as they arrive (no node tree).

    What it refuses, each with the pointer where it is: tags beyond JSON data, keys that are
    not scalars of such tags, merge keys, duplicate keys, and explicitly tagged scalars not in
    their tag's core-schema form; more than MAX_YAML_ALIASES aliases or MAX_YAML_NESTING levels
    end the read with one message. A scalar key is its text, as in JSON (``200:`` is "200").
    """

    def __init__(self, events: Any) -> None:
        import yaml

        self.events = events
        self.error = yaml.composer.ComposerError
        self.found: list[tuple[_Path, str]] = []
        self.anchors: dict[str, _Anchor] = {}
        #: One str object per distinct key, as the JSON decoder keeps them: a spec repeats
        #: ``type`` and ``description`` hundreds of thousands of times.
        self.keys: dict[str, str] = {}
        self.aliases = 0
        self.root: list[Any] = []
        self.stack = [_Frame(self.root, None, False)]

    def read(self) -> list[Any]:
        """The stream's one document as ``[value]``, or ``[]`` for an empty stream."""
        import yaml

        get = self.events.get_event
        get()  # StreamStartEvent
        start = get()
        if isinstance(start, yaml.StreamEndEvent):
            return self.root
        handlers: dict[type, Any] = {
            yaml.ScalarEvent: self.scalar,
            yaml.MappingStartEvent: lambda event: self.start(event, {}),
            yaml.SequenceStartEvent: lambda event: self.start(event, []),
            yaml.MappingEndEvent: self.end,
            yaml.SequenceEndEvent: self.end,
            yaml.AliasEvent: self.alias,
        }
        event = get()
        while not isinstance(event, yaml.DocumentEndEvent):
            handlers[type(event)](event)
            event = get()
        event = get()
        if not isinstance(event, yaml.StreamEndEvent):
            raise self.error("expected a single document in the stream", start.start_mark, "but found another document", event.start_mark)
        return self.root

    def report(self, path: _Path, quiet: bool, message: str) -> None:
        if not quiet:
            self.found.append((path, message))

    def slot(self) -> tuple[_Path, bool]:
        """The path of the node that comes next (not a key), and whether it is quiet."""
        top = self.stack[-1]
        if top.mapping:
            return (top.path, top.key), top.quiet or top.skip
        return ((top.path, len(top.value)) if len(self.stack) > 1 else None), top.quiet

    def put(self, value: Any) -> None:
        """Store the next node's value in the open mapping or sequence."""
        top = self.stack[-1]
        if not top.mapping:
            top.value.append(value)
            return
        if not top.skip:
            top.value[top.key] = value
        top.expect_key, top.skip = True, False

    def take_key(self, top: _Frame, key: str | None, plain: bool, mark: Any) -> None:
        """``key`` (None: not a string) arrives as the next key of mapping ``top``."""
        top.expect_key = False
        if key is None or (key == "<<" and plain):
            self.report(top.path, top.quiet, "mapping key is not a string" if key is None else "YAML merge keys are not allowed")
            top.skip = True
            return
        if key in top.value:
            self.report((top.path, key), top.quiet, f"duplicate key {cut(key)} (line {mark.line + 1})")
        top.key = self.keys.setdefault(key, key)

    def remember(self, event: Any, anchor: _Anchor) -> None:
        """Keep what an alias of ``event``'s anchor, if it has one, stands for."""
        name = event.anchor
        if name is None:
            return
        if name in self.anchors:
            raise self.error(f"found duplicate anchor {name!r}; first occurrence", self.anchors[name].mark, "second occurrence", event.start_mark)
        self.anchors[name] = anchor

    def scalar(self, event: Any) -> None:
        """A scalar: a key of the open mapping, or a value."""
        tag, text, top = event.tag, event.value, self.stack[-1]
        plain_tag = tag is None or tag == "!" or tag in _PLAIN_TAGS
        if top.expect_key:  # a key is its text; an alias of it elsewhere is the scalar's value
            value = self.scalar_value(event, None, True)
            self.remember(event, _Anchor(value, text if plain_tag else None, not event.style, event.start_mark))
            self.take_key(top, text if plain_tag else None, not event.style, event.start_mark)
            return
        path, quiet = self.slot()
        value = self.scalar_value(event, path, quiet)
        self.remember(event, _Anchor(value, text if plain_tag else None, not event.style, event.start_mark))
        self.put(value)

    def scalar_value(self, event: Any, path: _Path, quiet: bool) -> Any:
        """A scalar's value by its tag (None when refused, and reported unless ``quiet``)."""
        tag, text = event.tag, event.value
        if tag is None:  # plain scalars resolve by their form; quoted and block ones are strings
            return _plain_value(text) if event.implicit[0] else text
        if tag == "!" or tag == _TAG + "str":  # "!": YAML's non-specific tag, a string
            return text
        line = event.start_mark.line + 1
        if tag not in _PLAIN_TAGS:
            self.report(path, quiet, f"YAML tag {cut(tag)} is not plain JSON data (line {line})")
        elif tag in _FORMS and _FORMS[tag].fullmatch(text):
            return _core_value(tag[len(_TAG) :], text)
        else:
            self.report(path, quiet, f"invalid YAML value: !!{tag[len(_TAG) :]} {cut(text)} (line {line})")
        return None

    def start(self, event: Any, value: dict[str, Any] | list[Any]) -> None:
        """A mapping or sequence (``value``, empty) begins."""
        mapping = isinstance(value, dict)
        top = self.stack[-1]
        if top.expect_key:
            self.remember(event, _Anchor(value, None, False, event.start_mark))
            self.take_key(top, None, False, event.start_mark)
            self.push(_Frame(value, None, True))  # a key: read and dropped
            return
        path, quiet = self.slot()
        tag, line = event.tag, event.start_mark.line + 1
        if tag not in (None, "!", _TAG + ("map" if mapping else "seq")):
            if tag in _PLAIN_TAGS:
                self.report(path, quiet, f"invalid YAML value: !!{tag[len(_TAG) :]} on a {'mapping' if mapping else 'sequence'} (line {line})")
            else:
                self.report(path, quiet, f"YAML tag {cut(tag)} is not plain JSON data (line {line})")
            quiet = True
        self.remember(event, _Anchor(value, None, False, event.start_mark))
        self.put(value)
        self.push(_Frame(value, path, quiet))

    def push(self, frame: _Frame) -> None:
        if len(self.stack) > MAX_YAML_NESTING:
            raise _Stop(None, "YAML nested too deeply")
        self.stack.append(frame)

    def end(self, event: Any) -> None:
        self.stack.pop()

    def alias(self, event: Any) -> None:
        """An alias: the anchored node's value again (counted), or its text as a key."""
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            raise self.error(None, None, f"found undefined alias {event.anchor!r}", event.start_mark)
        top = self.stack[-1]
        self.aliases += 1
        if self.aliases > MAX_YAML_ALIASES:
            raise _Stop(top.path if top.expect_key else self.slot()[0], f"more than {MAX_YAML_ALIASES} YAML aliases")
        if top.expect_key:
            self.take_key(top, anchor.key, anchor.plain, event.start_mark)
        else:
            self.put(anchor.value)


@functools.cache
def _python_events() -> type:
    """PyYAML's pure-Python reader, scanner and parser: events without libyaml."""
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class PythonEvents(Reader, Scanner, Parser):
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)

    return PythonEvents


def yaml_events(text: str, *, libyaml: bool = True) -> Any:
    """An event source over ``text``: libyaml's parser (PyYAML's C extension) when it is
    there and ``libyaml``, else PyYAML's pure-Python one (the same events wherever both
    accept a document; a test compares them).

    libyaml's parser is a state machine with its own stack, safe at any depth; its composer
    (``CSafeLoader``) is not used: it recurses in C and crashes on deep nesting
    (tests/hostile/016-yaml-deep-nesting). The reader above composes instead.
    """
    import yaml

    if libyaml and yaml.__with_libyaml__:
        from yaml._yaml import CParser

        return CParser(text)
    return _python_events()(text)


def _read_yaml(text: str, libyaml: bool) -> _YamlReader:
    events = yaml_events(text, libyaml=libyaml)
    reader = _YamlReader(events)
    try:
        reader.read()
    finally:
        events.dispose()
    return reader


def parse_yaml(text: str, file: str, *, libyaml: bool = True) -> tuple[Any, list[Diagnostic]]:
    """Parse YAML 1.2 plain data, refusing tags, keys and alias floods that JSON cannot hold.

    OpenAPI recommends YAML 1.2. Under it, ``2021-01-06T18:40:40.000Z`` and ``2021-01-06``
    are strings (1.1: timestamps), so are ``yes``/``no``/``on``/``off`` and ``1_000`` (1.1:
    booleans, an int) and ``1:30`` (1.1: sexagesimal); ``0o17`` is an octal int and ``.inf``
    and ``.nan`` are floats (which the JSON check then refuses, as JSON would).

    libyaml reads the events (ten times faster than PyYAML's own parser); a document it
    refuses is read again by PyYAML's parser, which decides: it accepts the escape of a lone
    surrogate (``"\\ud800"``) that libyaml refuses, and words the error as it always has.
    libyaml also accepts what YAML allows and PyYAML's parser did not: a tab between tokens
    of a line, a ``?`` inside a flow scalar (``{a?b: 1}``).
    """
    import yaml  # lazy: JSON specs never need it

    try:
        with gc_paused():
            try:
                reader = _read_yaml(text, libyaml)
            except yaml.YAMLError:
                if not (libyaml and yaml.__with_libyaml__):
                    raise
                reader = _read_yaml(text, False)
            if not reader.root:
                return None, [Diagnostic("error", file, "", "empty document")]
            if reader.found:
                return None, sorted((Diagnostic("error", file, _pointer(p), m) for p, m in reader.found), key=lambda d: d.pointer)
            problem = _alias_problem(reader.root[0]) if reader.aliases else None  # without aliases: a plain tree
            if problem:
                return None, [Diagnostic("error", file, "", problem)]
            return check_plain(reader.root[0], file)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Diagnostic("error", file, "", f"invalid YAML{where}: {problem}")]
    except _Stop as stop:
        return None, [Diagnostic("error", file, _pointer(stop.path), stop.message)]


_PLAIN = (str, bool, type(None))


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
