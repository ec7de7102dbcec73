"""RFC 6901 JSON pointers: building, escaping and resolving them without recursion."""

from __future__ import annotations

from typing import Any


def escape(token: str | int) -> str:
    """Escape one reference token (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    """Undo :func:`escape` for one reference token."""
    return token.replace("~1", "/").replace("~0", "~")


#: Longest run of digits read as a number: no array, version part or byte count has more, and
#: ``int()`` refuses strings of over 4,300 digits (a crash, not an input error).
MAX_DIGITS = 18


def ascii_number(text: str, limit: int = MAX_DIGITS) -> int | None:
    """The value of ``text`` when it is 1 to ``limit`` ASCII digits, else None.

    ``str.isdigit`` is true for ``"²"`` (``int`` then fails) and for ``"٣"`` (``int`` reads 3):
    every number the generator reads from input text goes through here instead.
    """
    if not (0 < len(text) <= limit and text.isascii() and text.isdigit()):
        return None
    return int(text)


def join(pointer: str, *tokens: str | int) -> str:
    """Append escaped tokens to a pointer."""
    return pointer + "".join("/" + escape(t) for t in tokens)


def split(pointer: str) -> list[str]:
    """The unescaped tokens of a pointer (``""`` is the root, with no tokens)."""
    if pointer == "":
        return []
    return [unescape(t) for t in pointer[1:].split("/")]


class PointerError(Exception):
    """A pointer that does not lead to a value; ``at`` is the deepest valid prefix."""

    def __init__(self, message: str, at: str) -> None:
        super().__init__(message)
        self.at = at


def resolve(doc: Any, pointer: str) -> Any:
    """The value ``pointer`` designates in ``doc``; :class:`PointerError` if none."""
    node = doc
    here = ""
    for token in split(pointer):
        if isinstance(node, dict):
            if token not in node:
                raise PointerError(f"no member {token!r}", here)
            node = node[token]
        elif isinstance(node, list):
            index = ascii_number(token)
            if index is None or index >= len(node) or token != str(index):
                raise PointerError(f"no array index {token!r}", here)
            node = node[index]
        else:
            raise PointerError(f"cannot descend into a {type(node).__name__}", here)
        here = join(here, token)
    return node


def cut(value: object, limit: int = 60) -> str:
    """``repr(value)`` shortened to ``limit`` characters, for one-line messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
