"""The only ways spec text leaves the generator: a Python literal, escaped Markdown, a terminal line.

Templates print nothing but :class:`Code` (Python source decided here) and :class:`Md`
(escaped Markdown), plus ints; the Jinja ``finalize`` hook refuses everything else, so a
spec string that skipped these functions cannot reach a file. The CLI prints every line
through :func:`terminal_line` (``cli_shared.emit``); Markdown reports (``diff --format
markdown``, the changelog, the pull-request body) are made of :func:`md_text` and
:func:`md_code`, as docs/errors.md is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence


class Code(str):
    """Python source text that is safe to paste: an identifier, literal or generated line."""

    __slots__ = ()


class Md(str):
    """Markdown text whose spec-derived parts have been escaped."""

    __slots__ = ()


def _require_str(value: object, what: str) -> str:
    if type(value) is not str and not isinstance(value, (Code, Md)):
        raise TypeError(f"{what} takes a str, not {type(value).__name__}")
    return str(value)


def py_literal(value: object) -> Code:
    """A Python string literal that evaluates to exactly ``value``, quoted as black quotes it.

    ``repr`` decides the escapes; the quotes follow black's rule (double quotes unless they
    need more backslashes than single quotes), so black leaves the literal as it is.
    """
    text = _require_str(value, "py_literal")
    literal = repr(text)
    if literal[0] == '"' or text.count('"') > text.count("'"):
        return Code(literal)
    # Re-quote: \' becomes ', and " becomes \"; every other escape stays as repr wrote it.
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            pair = body[i : i + 2]
            out.append("'" if pair == "\\'" else pair)
            i += 2
            continue
        out.append('\\"' if ch == '"' else ch)
        i += 1
    return Code('"' + "".join(out) + '"')


def py_optional(value: str | None) -> Code:
    """``None`` or a string literal."""
    return Code("None") if value is None else py_literal(value)


def _plain(line: str) -> bool:
    return line.isprintable() and '"' not in line and "\\" not in line


def one_line(text: str) -> str:
    """Collapse every whitespace run (newlines, U+2028, NBSP...) into one space."""
    return " ".join(text.split())


_SURROGATE = re.compile("[\ud800-\udfff]")


def doc_text(text: str) -> str:
    """Docstring prose: one line, lone surrogates shown as ``U+D800``.

    CPython copies a class docstring into ``tp_doc`` as UTF-8, so a lone surrogate in a
    class docstring would make the generated module fail to import.
    """
    return _SURROGATE.sub(lambda m: f"U+{ord(m.group()):04X}", one_line(text))


def py_docstring(lines: Sequence[str], indent: str) -> Code:
    """A docstring literal: triple-quoted when every line is plain, else one ``repr`` line.

    Each line is collapsed to one line of text first, so black's docstring re-indenting
    has nothing to change and the docstring reads the same in source and ``help()``.
    """
    texts = [doc_text(_require_str(line, "py_docstring")) for line in lines]
    texts = [t for t in texts if t] or ["(no description)"]
    if all(_plain(t) for t in texts):
        if len(texts) == 1:
            return Code(f'"""{texts[0]}"""')
        rest = "\n\n".join(indent + t for t in texts[1:])
        return Code(f'"""{texts[0]}\n\n{rest}\n{indent}"""')
    return py_literal("\n\n".join(texts))


# Characters that can start markup inside a table cell or list item: emphasis, code, links
# (``[`` makes ``](...)`` and ``![`` inert), pipes, strikethrough, and ``{`` for site
# generators' template syntax. ``<``/``>``/``&`` are HTML-escaped before this runs.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|~])")


def terminal_line(text: str) -> str:
    """``text`` as one line that is safe on any terminal and in any log.

    Every character a terminal acts on or that can disguise a line is shown as ``U+XXXX``,
    as the runtime's ``str()`` and docs/errors.md show them: C0 and C1 controls (escape
    sequences, line breaks, tabs), bidi controls and every other format character, lone
    surrogates (which cannot even be encoded), private-use and unassigned code points,
    and every space but U+0020. That is ``not str.isprintable()``; printable text,
    non-ASCII included, is returned unchanged, and the result is its own escape.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"U+{ord(ch):04X}" for ch in text)


#: GitHub notifies ``@name`` in a pull request body, and (Dependabot found) in the plain-text
#: e-mail of a reply to one even when the name is inside a code span, so code spans are not
#: enough. A zero-width space after the ``@`` stops both and renders the same; Renovate and
#: Dependabot do this. Written as an entity, so the Markdown file itself holds no invisible
#: character (the output-hygiene checks hold for it).
_NO_MENTION = "@&#8203;"


def md_text(value: object) -> Md:
    """Escape text for a Markdown table cell or paragraph: one line, inert markup, no mention."""
    text = terminal_line(one_line(_require_str(value, "md_text")))
    text = html.escape(text, quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    # At the start of a list item or paragraph, '#', '-', '+', '=' or '1.' would open a
    # heading, a nested list or an ordered list: make that first marker literal too.
    text = _BLOCK_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", text)
    # GitHub links bare addresses in text (its autolink extension); spec text never becomes
    # a link: an escaped ':' or '.' renders the same and stops it (an '@' is handled below).
    text = _AUTOLINK.sub(lambda m: m.group() + "\\", text)
    # In issues, pull requests and job summaries GitHub also links #12, GH-12 and owner/repo#12,
    # draws :emoji: and typesets $math$: a zero-width space (as after '@') or an escape stops each.
    text = _REFERENCE.sub(lambda m: m.group() + "&#8203;", text).replace("$", "\\$")
    return Md(text.replace("@", _NO_MENTION))


#: Where GitHub's references and emoji start: ``#`` before a digit, ``GH`` before ``-1``, and
#: ``:`` opening an emoji short code (``:+1:``; a time's ``10:00:00`` is not one).
_REFERENCE = re.compile(r"#(?=[0-9])|(?i:gh)(?=-[0-9])|:(?=[a-z_+-][a-z0-9_+-]*:)")


#: Where GitHub's autolinks start (a scheme before ``:``, ``www`` before ``.``), even inside a
#: word: ``_https://`` and ``1www.`` are still linked.
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp|mailto|xmpp)(?=:)|www(?=\.)")


_BLOCK_START = re.compile(r"\A(?:([#+=-])|(\d{1,9})([.)]))")


def md_code(value: object) -> Md:
    """A Markdown code span for identifiers and URIs; text with a backtick, a pipe or an
    ``@`` (a code span does not stop every mention: see :data:`_NO_MENTION`) is escaped
    text instead."""
    text = terminal_line(one_line(_require_str(value, "md_code")))
    if "`" in text or "|" in text or "@" in text or not text:
        return md_text(text)
    return Md(f"`{text}`")


# --- links, anchors and diagrams (docs/errors.md on GitHub) ------------------------------

#: A documentation page's address as the supplement may give it: https, a plain host, a
#: path and a fragment of unreserved characters. Nothing here can close a Markdown link
#: (no space, parenthesis, ``<`` or ``>``), start a query, or name another scheme.
DOC_URL = re.compile(r"https://[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?:/[A-Za-z0-9._~%/-]{0,400})?(?:#[A-Za-z0-9._~%-]{0,100})?")
#: The anchors this project writes: lower-case ASCII, digits, ``_`` and ``-``.
_ANCHOR = re.compile(r"[a-z0-9_][a-z0-9_-]{0,200}")


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading whose text is ``text`` (github-slugger's rule):
    lower-cased, every character that is not a letter, mark, number, ``_``, ``-`` or a
    space dropped, and each space made a ``-``. Repeats are the caller's business
    (GitHub appends ``-1``, ``-2``... in document order)."""
    import unicodedata  # only the docs need it

    kept = (ch for ch in text.lower() if ch in "-_ " or unicodedata.category(ch)[0] in "LMN")
    return "".join(kept).replace(" ", "-")


def md_anchor(anchor: str) -> Md:
    """An explicit link target, ``<a id="anchor"></a>``; GitHub keeps the id (prefixed
    ``user-content-``, which its own script resolves ``#anchor`` links to)."""
    if not _ANCHOR.fullmatch(anchor):
        raise ValueError(f"not an anchor this project writes: {anchor!r}")
    return Md(f'<a id="{anchor}"></a>')


def md_link(label: Md, target: str) -> Md:
    """``[label](target)``: ``label`` is already escaped Markdown, ``target`` an anchor
    (``#x``) or a :data:`DOC_URL`; anything else is refused, never written."""
    if not isinstance(label, Md):
        raise TypeError("md_link takes an escaped label (Md)")
    anchor = target[1:] if target.startswith("#") else None
    if not (_ANCHOR.fullmatch(anchor) if anchor is not None else DOC_URL.fullmatch(target)):
        raise ValueError(f"not a link target this project writes: {target!r}")
    return Md(f"[{label}]({target})")


#: What a Mermaid label keeps as it is; everything else becomes an entity code.
_MERMAID_PLAIN = re.compile(r"[A-Za-z0-9 _.,()-]")


def mermaid_label(value: object) -> Md:
    """A Mermaid node label, to be written inside ``["..."]``: one line, and every character
    but letters, digits, space and ``_.,()-`` written as Mermaid's ``#<decimal>;`` entity
    code, so no text can close the label or the node, start markup (Mermaid labels are
    HTML), or reach the closing fence of the code block."""
    text = terminal_line(one_line(_require_str(value, "mermaid_label")))
    return Md("".join(ch if _MERMAID_PLAIN.fullmatch(ch) else f"#{ord(ch)};" for ch in text))
