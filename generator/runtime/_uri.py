"""The identity of a problem type URI: one rule for the generator and the runtime.

X has written one problem type under several URIs::

    https://api.twitter.com/2/problems/usage-capped
    https://api.x.com/2/problems/usage-capped        (also api.X.com)
    https://api.twitter.com/labs/1/problems/usage-capped

On any host, in any letter case of scheme, host and the fixed path parts, a path of
``/2/problems/<slug>`` or ``/labs/<n>/problems/<slug>`` (one trailing ``/`` allowed)
names the type ``<slug>``. Any other URI (``about:blank``, another path, a query or
fragment, another scheme) is keyed whole: it never matches an X type by slug, and
nothing that depends on a slug (retry advice, the kind of limit) applies to it.

The generator keys its catalogue with :func:`problem_key` imported from this very file,
and copies the file into every generated package, where the runtime looks classes up
with it: the two cannot disagree.
"""

from __future__ import annotations

__all__ = ["problem_key", "problem_slug"]


def _ascii_equal(text: str, expected: str) -> bool:
    """ASCII case-insensitive equality (non-ASCII look-alikes never match)."""
    return text.isascii() and text.lower() == expected


def _token(text: str) -> bool:
    """A non-empty URI segment without ``/``, ``?``, ``#`` or whitespace."""
    return (
        bool(text)
        and not any(char in text for char in "/?#")
        and text.split() == [text]
    )


def problem_slug(uri: str) -> str | None:
    """``usage-capped`` for any X problem URI of that type (see above), else None."""
    text = uri.strip()
    scheme, separator, rest = text.partition("://")
    if not separator or not (
        _ascii_equal(scheme, "https") or _ascii_equal(scheme, "http")
    ):
        return None
    host, slash, path = rest.partition("/")
    if not slash or not _token(host):
        return None
    parts = path.split("/")
    if parts[-1] == "":
        parts.pop()  # one trailing slash
    if len(parts) == 3 and parts[0] == "2" and _ascii_equal(parts[1], "problems"):
        slug = parts[2]
    elif (
        len(parts) == 4
        and _ascii_equal(parts[0], "labs")
        and parts[1].isascii()
        and parts[1].isdigit()
        and _ascii_equal(parts[2], "problems")
    ):
        slug = parts[3]
    else:
        return None
    return slug if _token(slug) else None


def problem_key(uri: str) -> str:
    """The identity of a type URI: its slug, else the whole URI (stripped)."""
    slug = problem_slug(uri)
    return uri.strip() if slug is None else slug
