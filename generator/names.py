"""Every identifier decision: problem keys, class, member and attribute names.

Rules (documented in the README, tested with hypothesis):

* Identifiers are ASCII only. Python folds identifiers with NFKC, so a non-ASCII look-alike
  could silently alias another name; every non-ASCII-alphanumeric character is a separator.
* Words are split on separators and on lower->upper case changes, then joined: CamelCase for
  classes, UPPER_SNAKE for enum members, lower_snake for attributes.
* A name that would start with a digit gets a prefix (``V`` for members and classes, ``f_`` for
  attributes); an empty name becomes ``VALUE`` / ``Value`` / ``field``.
* An attribute that is a keyword, soft keyword, builtin or reserved by the runtime gets a
  trailing ``_``; so does a class name that is a keyword or builtin (``None_``,
  ``Exception_``) or a name the generated modules import (``Any_``, ``ClassVar_``).
* When two distinct values map to the same name, the later one (in the order given) gets
  ``_2``, ``_3``... (``2``, ``3`` for classes): deterministic for a deterministic input order.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

# The URI identity rule lives in the runtime, which the generator copies into every package:
# one function for both (re-exported here as the generator's name for it).
from .runtime._uri import problem_key as problem_key
from .runtime._uri import problem_slug as problem_slug

_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")
_DIGITS = "0123456789"  # not str.isdigit, which is true for "²"
#: Longest identifier we emit; longer ones are cut and given a digest-free deterministic tail.
MAX_IDENTIFIER = 64


def canonical_uri(key: str, host: str = "api.x.com") -> str:
    """The URI the generated ``ProblemType`` uses for a key: the v2 URI of a slug, else the
    key itself (a URI keyed whole, which has a scheme and so a colon)."""
    uri = f"https://{host}/2/problems/{key}"
    return uri if ":" not in key and problem_slug(uri) == key else key


def words(text: str) -> list[str]:
    """Split text into ASCII words on separators and case changes."""
    ascii_only = "".join(ch if ch.isascii() else " " for ch in text)
    parts: list[str] = []
    for chunk in _SEPARATORS.split(ascii_only):
        parts.extend(p for p in _WORD_BREAK.split(chunk) if p)
    return parts


def _cap(name: str) -> str:
    return name[:MAX_IDENTIFIER]


def class_name(text: str) -> str:
    """CamelCase class name, or ``Value`` for text with no usable characters."""
    name = "".join(w[:1].upper() + w[1:] for w in words(text)) or "Value"
    name = "V" + name if name[0] in _DIGITS else name
    name = _cap(name)
    return name + "_" if name in _BLOCKED or name in MODULE_NAMES else name


def problem_class_name(pinned: str | None, schema_name: str | None, key: str) -> str:
    """The class name a problem type wants: the supplement's pin, else its newest schema name,
    else one made from its key (``usage-capped`` -> ``UsageCappedProblem``)."""
    if pinned is not None:
        return pinned
    if schema_name is not None:
        return class_name(schema_name)
    return class_name(key) + "Problem"


def member_name(text: str) -> str:
    """UPPER_SNAKE enum member name; never starts with ``_`` or a digit."""
    name = "_".join(w.upper() for w in words(text)) or "VALUE"
    name = "V" + name if name[0] in _DIGITS else name
    return _cap(name)


def attr_name(text: str, reserved: Iterable[str] = ()) -> str:
    """lower_snake attribute name that is not a keyword, builtin or reserved name."""
    name = "_".join(w.lower() for w in words(text)) or "field"
    name = "f_" + name if name[0] in _DIGITS else name
    name = _cap(name)
    if name in _BLOCKED or name in set(reserved):
        name += "_"
    return name


#: Every name of ``builtins`` on CPython 3.9 to 3.13, plus those ``site`` adds (``exit``,
#: ``help``, ...): pinned here, not read from the running interpreter, so the same spec gives
#: the same names under ``python -S`` and on every Python version (a test checks the running
#: interpreter adds nothing new).
BUILTIN_NAMES = frozenset(
    {
        "ArithmeticError", "AssertionError", "AttributeError", "BaseException",
        "BaseExceptionGroup", "BlockingIOError", "BrokenPipeError", "BufferError",
        "BytesWarning", "ChildProcessError", "ConnectionAbortedError", "ConnectionError",
        "ConnectionRefusedError", "ConnectionResetError", "DeprecationWarning", "EOFError",
        "Ellipsis", "EncodingWarning", "EnvironmentError", "Exception", "ExceptionGroup",
        "False", "FileExistsError", "FileNotFoundError", "FloatingPointError",
        "FutureWarning", "GeneratorExit", "IOError", "ImportError", "ImportWarning",
        "IndentationError", "IndexError", "InterruptedError", "IsADirectoryError",
        "KeyError", "KeyboardInterrupt", "LookupError", "MemoryError",
        "ModuleNotFoundError", "NameError", "None", "NotADirectoryError", "NotImplemented",
        "NotImplementedError", "OSError", "OverflowError", "PendingDeprecationWarning",
        "PermissionError", "ProcessLookupError", "PythonFinalizationError",
        "RecursionError", "ReferenceError", "ResourceWarning", "RuntimeError",
        "RuntimeWarning", "StopAsyncIteration", "StopIteration", "SyntaxError",
        "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TimeoutError", "True",
        "TypeError", "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError",
        "UnicodeError", "UnicodeTranslateError", "UnicodeWarning", "UserWarning",
        "ValueError", "Warning", "ZeroDivisionError", "_IncompleteInputError",
        "__build_class__", "__debug__", "__doc__", "__import__", "__loader__", "__name__",
        "__package__", "__spec__", "abs", "aiter", "all", "anext", "any", "ascii", "bin",
        "bool", "breakpoint", "bytearray", "bytes", "callable", "chr", "classmethod",
        "compile", "complex", "copyright", "credits", "delattr", "dict", "dir", "divmod",
        "enumerate", "eval", "exec", "exit", "filter", "float", "format", "frozenset",
        "getattr", "globals", "hasattr", "hash", "help", "hex", "id", "input", "int",
        "isinstance", "issubclass", "iter", "len", "license", "list", "locals", "map",
        "max", "memoryview", "min", "next", "object", "oct", "open", "ord", "pow", "print",
        "property", "quit", "range", "repr", "reversed", "round", "set", "setattr", "slice",
        "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "vars", "zip"
    }
)  # fmt: skip
#: Soft keywords of CPython 3.10 to 3.13 (3.9 has none; ``type`` came with 3.12): pinned too.
SOFT_KEYWORDS = frozenset({"_", "case", "match", "type"})
_BLOCKED = frozenset(keyword.kwlist) | SOFT_KEYWORDS | BUILTIN_NAMES
#: Module-level names the generated modules import or define besides the runtime's exports
#: (which ``merge`` reserves): a class of the same name would shadow them.
MODULE_NAMES = frozenset({"Any", "ClassVar", "TYPE_CHECKING", "annotations", "enum"})


def unique(names: Iterable[str], taken: Iterable[str] = (), sep: str = "_") -> list[str]:
    """Make names distinct from each other and from ``taken`` by numbered suffixes.

    ``name``, ``name_2``, ``name_3``...: the first free one. The next number to try is kept
    per name (every one before it is taken, and ``used`` only grows), so 20,000 equal
    names cost linear time, not quadratic.
    """
    used = set(taken)
    next_number: dict[str, int] = {}
    result = []
    for name in names:
        candidate = name
        if candidate in used:
            n = next_number.get(name, 2)
            candidate = f"{name}{sep}{n}"
            while candidate in used:
                n += 1
                candidate = f"{name}{sep}{n}"
            next_number[name] = n + 1
        used.add(candidate)
        result.append(candidate)
    return result


def is_identifier(name: str) -> bool:
    """A plain ASCII identifier that is not a keyword."""
    return name.isascii() and name.isidentifier() and not keyword.iskeyword(name)
