"""layout.py lays out the data modules as black does, and needs_black sees where it cannot.

Each property: for any input, either ``needs_black`` says black must run, or black leaves
the laid-out text exactly as it is. Lengths are drawn around the 88-column limit, where the
layouts change shape.
"""

from __future__ import annotations

import ast
import keyword
import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from xproblems import layout
from xproblems.escape import py_docstring, py_literal
from xproblems.render import format_python

IDENT = st.text(string.ascii_letters + "_", min_size=1, max_size=60).filter(lambda s: s.isidentifier() and not keyword.iskeyword(s))
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=110)
PLAIN = st.text(string.ascii_letters + string.digits + " -.,:()'", max_size=110)


def _black_agrees(text: str) -> None:
    """Either needs_black is True, or black changes nothing: the property every layout keeps."""
    ast.parse(text)
    if not layout.needs_black(text):
        assert format_python(text) == text


@settings(max_examples=150, deadline=None)
@given(TEXT)
@example("it's")
@example('say "hi"')
@example("a'b\"c")
@example("\\'\"")
def test_py_literal_is_quoted_as_black_quotes(value: str) -> None:
    literal = py_literal(value)
    assert ast.literal_eval(literal) == value
    assert format_python(f"x = {literal}\n") == f"x = {literal}\n"


@settings(max_examples=200, deadline=None)
@given(IDENT, st.one_of(PLAIN, TEXT))
@example("NOT_AUTHORIZED_FOR_RESOURCE", "https://api.x.com/2/problems/not-authorized-for-resource")
@example("A" * 40, "x" * 75)
@example("A" * 40, "x" * 80)
@example("VALUE", "名" * 38)  # wide characters: black counts two columns each (found by a red-team run)
@example("VALUE", "https://api.x.com/2/problems/" + "名" * 23)
def test_enum_member_assignment(member: str, value: str) -> None:
    line = layout.assignment("    ", member, py_literal(value))
    _black_agrees(f"class E:\n{line}\n")


ARGS = st.lists(st.one_of(IDENT.map(py_literal), IDENT, st.sampled_from(["True", "False", "None"])), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(ARGS, max_size=3))
@example([['"disconnect_type"', '"disconnect_type"', '"string"', "False", "DisconnectType"]])
@example([['"x"', '"x"', '"string"', "False", "None"]])
@example([['"' + 'a' * 30 + '"', '"b"', '"string"', "False", "N" * 20]])
@example([['"' + "名" * 40 + '"', '"field"', '"string"', "False", "None"]])
def test_fields_tuple(items: list[list[str]]) -> None:
    text = layout.tuple_assignment("    ", "_fields: ClassVar[tuple[FieldSpec, ...]]", "FieldSpec", items)
    _black_agrees(f"class P:\n{text}\n")


@settings(max_examples=150, deadline=None)
@given(st.lists(IDENT, min_size=1, max_size=12, unique=True), st.sampled_from(["", "    "]))
def test_import_from(names: list[str], indent: str) -> None:
    text = layout.import_from(indent, "._enums", names)
    _black_agrees(f"if x:\n{text}\n" if indent else text + "\n")


@given(st.lists(st.tuples(IDENT, IDENT), max_size=3))
@settings(max_examples=50, deadline=None)
def test_collections_empty_or_exploded(pairs: list[tuple[str, str]]) -> None:
    lines = [f"    {py_literal(k)}: {v}," for k, v in pairs]
    _black_agrees(layout.collection("D: dict[str, type] = {", lines, "}") + "\n")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(PLAIN, TEXT), min_size=1, max_size=3), st.booleans())
@example(['A problem with "quotes" at the end"'], True)
@example(["ends with a backslash \\"], False)
@example(["x" * 120], True)
def test_docstrings_in_class_and_attribute_position(lines: list[str], first_in_class: bool) -> None:
    doc = py_docstring(lines, "    ")
    body = f"    {doc}\n" if first_in_class else f"    x: int\n    {doc}\n"
    _black_agrees(f"class C:\n{body}")


def test_needs_black_sees_a_long_code_line_but_not_a_long_docstring_line() -> None:
    long_doc = 'class C:\n    """' + "word " * 30 + 'end"""\n'
    assert not layout.needs_black(long_doc)
    assert layout.needs_black("X = " + "1 + " * 30 + "1\n")
    assert layout.needs_black('class C:\n    """ padded"""\n')
    # black measures display columns (a wide character is two), the layouts count characters:
    # any code line with a non-ASCII character goes to black; a docstring line need not.
    assert layout.needs_black('X = "名"\n')
    assert not layout.needs_black('class C:\n    """名前 you’re"""\n')
