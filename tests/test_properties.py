"""Property tests for escaping and naming, seeded with the hostile corpus's own strings.

Unit level: ``names`` and ``escape`` on text drawn from the nastiest characters (line
breaks Python or Markdown honour, controls, NUL, bidi and invisible characters, astral
characters, lone surrogates, quotes, backslashes, Markdown and Jinja syntax) mixed with
every string ``tests/hostile/*/expect.json`` states.

End to end: small specs whose descriptions, enum values, type slugs and property names
are drawn the same way go through the CLI; the generated package must parse, round-trip
every literal, keep its AST shape, import in a fresh interpreter and name every field with
a safe, one-to-one identifier that still parses its JSON key.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import keyword
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.test_docs_gfm import check_errors_md
from tests.test_hostile import (
    BASE_SPEC,
    BASE_SUPPLEMENT,
    PACKAGE,
    ast_shape,
    check_output_hygiene,
    corpus_strings,
    py_modules,
    string_constants,
)
from xproblems import names
from xproblems.escape import Code, Md, doc_text, md_code, md_text, py_docstring, py_literal, py_optional
from xproblems.load import parse_bytes
from xproblems.render import _finalize, environment
from xproblems.runtime_source import RESERVED_ATTRS

NASTY_CHARS = (
    "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\t\x00\x07\x1b\x7f\x9b"
    "\u202e\u2066\u2069\u200b\u200d\ufeff\u2060\u00ad\u00a0"
    "\U0001f389\U0001d4af\U0002000b\ud800\udfff"
    "\"'\\`|<>&[](){}#*_~!-:;.$%/= "
    "\ufb01\uff43\u0130\u0131\u017f\u212a\u00e9"
    "aZ09_"
)
CORPUS = corpus_strings()
_nasty_text = st.text(alphabet=st.sampled_from(NASTY_CHARS), max_size=24)
TEXT = st.one_of(st.sampled_from(CORPUS), _nasty_text, st.text(max_size=24))
NAME_WORDS = sorted(
    set(keyword.kwlist)
    | set(keyword.softkwlist)
    | {"args", "with_traceback", "add_note", "__traceback__", "__notes__", "mro", "name", "value", "_missing_", "upper", "problem_type", "retired", "_fields", "raw", "issues", "Any", "ClassVar", "FieldSpec", "ProblemType", "Exception"}
)
NAME = st.one_of(st.sampled_from(NAME_WORDS), TEXT)
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- names --------------------------------------------------------------------------------


def _safe_identifier(name: str) -> bool:
    return names.is_identifier(name) and not keyword.issoftkeyword(name) and len(name) <= names.MAX_IDENTIFIER + 8


@SETTINGS
@given(TEXT)
@example("")
@example("class")
@example("None")
@example("\ufb01eld")
@example("9" * 200)
def test_every_name_is_a_safe_ascii_identifier(text: str) -> None:
    cls, member, attr = names.class_name(text), names.member_name(text), names.attr_name(text, RESERVED_ATTRS)
    for name in (cls, member, attr):
        assert _safe_identifier(name), (text, name)
    assert cls not in dir(builtins) and cls not in names.MODULE_NAMES
    assert attr not in dir(builtins) and attr not in RESERVED_ATTRS and not attr.startswith("_")
    assert not member.startswith("_")
    assert (names.class_name(text), names.member_name(text), names.attr_name(text, RESERVED_ATTRS)) == (cls, member, attr)


@SETTINGS
@given(st.lists(NAME, max_size=12), st.sets(st.sampled_from(NAME_WORDS), max_size=5))
@example(["a-b", "a_b", "a.b", "A B"], set())
@example(["userId", "user_id", "UserID"], {"user_id"})
def test_unique_is_one_to_one_and_deterministic(raw: list[str], taken: set[str]) -> None:
    wanted = [names.attr_name(r, RESERVED_ATTRS) for r in raw]
    result = names.unique(wanted, taken)
    assert len(set(result)) == len(result) and not set(result) & taken
    assert names.unique(wanted, taken) == result
    assert all(_safe_identifier(n) for n in result)


# --- escaping -----------------------------------------------------------------------------


@SETTINGS
@given(TEXT)
@example("lone \ud800")
@example('"""')
@example("ends with \\")
def test_py_literal_round_trips_on_one_line(text: str) -> None:
    literal = py_literal(text)
    assert isinstance(literal, Code)
    assert ast.literal_eval(literal) == text
    assert all(ch.isprintable() for ch in literal), "a literal never carries a raw control or line break"
    tree = ast.parse(f"x = {literal}\n")
    assert len(tree.body) == 1
    assert py_optional(None) == "None" and ast.literal_eval(py_optional(text)) == text


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=3))
@example(['He said """; import os #', "trailing \\"])
@example(["lone \udfff", "\u2028import os"])
def test_py_docstring_is_one_statement_with_the_collapsed_text(lines: list[str]) -> None:
    doc = py_docstring(lines, "    ")
    assert all(ch == "\n" or ch.isprintable() for ch in doc)
    source = f"class C:\n    {doc}\n\n    x = 1\n"
    tree = ast.parse(source)
    body = tree.body[0].body  # type: ignore[attr-defined]
    assert len(body) == 2 and isinstance(body[0], ast.Expr)
    namespace: dict[str, Any] = {}
    exec(compile(tree, "<doc>", "exec"), namespace)  # the class must be creatable (tp_doc is UTF-8)
    expected = [t for t in (doc_text(line) for line in lines) if t] or ["(no description)"]
    assert inspect.cleandoc(namespace["C"].__doc__) == "\n\n".join(expected)


def _unescaped(text: str, char: str) -> int:
    count, i = 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        count += text[i] == char
        i += 1
    return count


@SETTINGS
@given(TEXT)
@example("a | b\n| c")
@example("[x](javascript:alert(1)) <script>")
@example("{{ 7*7 }} ```")
def test_markdown_text_is_one_inert_line(text: str) -> None:
    for out in (md_text(text), md_code(text)):
        assert isinstance(out, Md)
        assert all(ch.isprintable() for ch in out), "no raw control, bidi or line-break character"
        assert not any(ch in out for ch in LINE_BREAKS)
        assert _unescaped(out, "|") == 0, "a pipe would open a new table cell"
    plain = md_text(text)
    assert "<" not in plain and ">" not in plain
    for char in "[]`*_{}~":
        assert _unescaped(plain, char) == 0, char
    code = md_code(text)
    if code.startswith("`"):
        assert code.endswith("`") and "`" not in code[1:-1]


class _Sneaky(str):
    """A str subclass that is neither Code nor Md: a value that skipped escaping."""


@pytest.mark.parametrize("bad", [None, 1, b"bytes", _Sneaky("x"), ["x"]], ids=["None", "int", "bytes", "str-subclass", "list"])
@pytest.mark.parametrize("fn", [py_literal, md_text, md_code, lambda v: py_docstring([v], "")], ids=["py_literal", "md_text", "md_code", "py_docstring"])
def test_escapers_refuse_non_strings(fn: Any, bad: object) -> None:
    with pytest.raises(TypeError):
        fn(bad)


@pytest.mark.parametrize("fn", [py_literal, md_text, md_code, lambda v: py_docstring([v], "")], ids=["py_literal", "md_text", "md_code", "py_docstring"])
def test_escapers_refuse_jinja_undefined(fn: Any) -> None:
    import jinja2

    for undefined in (jinja2.Undefined(name="x"), jinja2.StrictUndefined(name="x")):
        with pytest.raises((TypeError, jinja2.UndefinedError)):
            fn(undefined)


@pytest.mark.parametrize("value", ["raw spec text", _Sneaky("x"), True, 1.5, None, b"x"])
def test_templates_print_nothing_unescaped(value: object) -> None:
    with pytest.raises(TypeError):
        _finalize(value)
    template = environment().from_string("{{ value }}")
    with pytest.raises(TypeError):
        template.render(value=value)


def test_templates_refuse_undefined() -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ missing }}").render()
    assert environment().from_string("{{ a }}{{ b }}{{ c }}").render(a=Code("x"), b=Md("y"), c=3) == "xy3"


# --- end to end -----------------------------------------------------------------------------


def _spec(description: str, title: str, enum_values: list[str], slug: str, props: list[str]) -> dict[str, Any]:
    """The base spec with hostile text in BetaProblem (Alpha's enum removed: one enum class)."""
    spec: dict[str, Any] = json.loads(BASE_SPEC.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    del schemas["AlphaProblem"]["allOf"][1]["properties"]["kind"]["enum"]
    beta = schemas["BetaProblem"]
    beta["description"], beta["title"] = description, title
    beta["allOf"][1]["properties"] = {"count": {"type": "integer"}, "beta_kind": {"type": "string", "enum": enum_values}, **{p: {"type": "string", "description": description} for p in props}}
    mapping = schemas["Problem"]["discriminator"]["mapping"]
    mapping["https://api.x.com/2/problems/" + slug] = mapping.pop("https://api.x.com/2/problems/beta")
    return spec


def _benign_twin(spec: dict[str, Any], slug: str) -> dict[str, Any]:
    """The same spec with benign text and names that sort in the same places."""
    twin: dict[str, Any] = json.loads(json.dumps(spec))
    schemas = twin["components"]["schemas"]
    beta = schemas["BetaProblem"]
    beta["description"], beta["title"] = "d" if beta["description"] else "", "t" if beta["title"] else ""
    props = beta["allOf"][1]["properties"]
    renamed = {}
    for rank, key in enumerate(sorted(props)):
        schema = dict(props[key])
        if "description" in schema:
            schema["description"] = "d" if schema["description"] else ""  # empty: no docstring
        if "enum" in schema:
            schema["enum"] = [f"v{i}" for i in range(len(schema["enum"]))]
        renamed[f"n{rank:02d}"] = schema
    beta["allOf"][1]["properties"] = renamed
    mapping = schemas["Problem"]["discriminator"]["mapping"]
    uri = "https://api.x.com/2/problems/" + slug
    benign_slug = "aaa" if names.problem_key(uri) < "alpha" else "beta"
    mapping["https://api.x.com/2/problems/" + benign_slug] = mapping.pop(uri)
    return twin


_E2E_PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import x_problems as xp
out = []
for key, cls in xp.PROBLEM_CLASSES.items():
    raw = {"type": cls.problem_type.value, "title": "t"}
    raw.update({f.name: "p%d" % i for i, f in enumerate(cls._fields) if f.kind == "string"})
    problem = xp.parse_problem(raw)
    out.append([key, type(problem) is cls, [[f.name, f.attr, getattr(problem, f.attr) == "p%d" % i] for i, f in enumerate(cls._fields) if f.kind == "string"]])
print(json.dumps({"classes": out, "types": [m.value for m in xp.ProblemType]}))
"""

_SLUG = st.one_of(st.sampled_from(["beta", "it's-\"q\"", "a{{b}}", "x\\y", "ünï", "\u202e", "{0}"]), st.text(alphabet=st.sampled_from("abc-_'\"\\{}<>|\u202e\u00e9"), min_size=1, max_size=8))


# No shrinking: each example generates two packages, and a failure prints its inputs anyway.
@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    description=TEXT,
    title=TEXT,
    enum_values=st.lists(TEXT, min_size=1, max_size=4, unique=True),
    slug=_SLUG,
    props=st.lists(NAME, max_size=4, unique=True),
)
@example(description='"""\\', title="\u2028import os", enum_values=["mro", "", '"); x #'], slug="beta", props=["class", "a-b", "a_b", "\ufb01eld"])
@pytest.mark.slow
def test_generated_package_escapes_and_renames(tmp_path_factory: pytest.TempPathFactory, description: str, title: str, enum_values: list[str], slug: str, props: list[str]) -> None:
    from xproblems.cli import main

    # What the spec file says: JSON joins an adjacent \ud800\udfff into one astral character.
    description, title, slug = json.loads(json.dumps([description, title, slug]))
    enum_values = list(dict.fromkeys(json.loads(json.dumps(enum_values))))
    props = list(dict.fromkeys(p for p in json.loads(json.dumps(props)) if p not in ("type", "title", "detail", "status", "count", "beta_kind")))
    where = tmp_path_factory.mktemp("e2e")
    spec_path = where / "spec.json"
    benign_path = where / "benign.json"
    hostile = _spec(description, title, enum_values, slug, props)
    spec_path.write_text(json.dumps(hostile), encoding="utf-8")
    benign_path.write_text(json.dumps(_benign_twin(hostile, slug)), encoding="utf-8")
    outs = {}
    for name, path in (("hostile", spec_path), ("benign", benign_path)):
        outs[name] = where / name
        rc = main(["generate", "--quiet", "--spec", str(path), "--supplement", str(BASE_SUPPLEMENT), "--out", str(outs[name])])
        assert rc == 0
    trees, benign = py_modules(outs["hostile"]), py_modules(outs["benign"])
    constants, docs = string_constants(trees)
    uri = "https://api.x.com/2/problems/" + slug
    for value in [*enum_values, *props, uri]:
        assert value in constants, f"{value!r} is not an exact literal"
    assert any(doc_text(description) in d for d in docs) or not doc_text(description)
    for module in trees:
        assert ast_shape(trees[module]) == ast_shape(benign[module]), module
    proc = subprocess.run([sys.executable, "-I", "-B", "-c", _E2E_PROBE, str(outs["hostile"])], capture_output=True, text=True, encoding="utf-8", check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout)
    assert uri in summary["types"]
    for _key, dispatched, fields in summary["classes"]:
        assert dispatched
        attrs = [attr for _, attr, _ in fields]
        assert len(set(attrs)) == len(attrs)
        for json_name, attr, parsed in fields:
            assert parsed, f"{json_name!r} -> {attr!r} did not parse its JSON key"
            assert _safe_identifier(attr) and attr not in dir(builtins) and attr not in RESERVED_ATTRS
    beta_fields = next(f for _, _, f in summary["classes"] if {n for n, _, _ in f} >= set(props))
    assert {n for n, _, _ in beta_fields} >= set(props)
    assert Path(outs["hostile"] / PACKAGE / "__init__.py").is_file()


# --- observed facts (issue 16) --------------------------------------------------------------

def _no_surrogates(text: str) -> str:
    # The supplement is YAML, whose escapes never join a surrogate pair as JSON's do: the
    # file is written with the characters themselves, so lone surrogates cannot be in it.
    return "".join(ch for ch in text if not "\ud800" <= ch <= "\udfff")


_BLANKLESS = TEXT.map(_no_surrogates).filter(lambda t: bool(t.strip()))
_MOMENT = st.datetimes(min_value=datetime(2006, 3, 21), max_value=datetime(2100, 1, 1)).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))


@st.composite
def _observation(draw: st.DrawFn) -> dict[str, Any]:
    """An ``observed`` record: hostile file names, any positive count, ordered times or none."""
    times = sorted(draw(st.lists(_MOMENT, min_size=2, max_size=2))) if draw(st.booleans()) else [None, None]
    files = draw(st.lists(_BLANKLESS, min_size=1, max_size=5, unique=True))
    return {"files": files, "count": draw(st.integers(1, 10**30)), "first_seen": times[0], "last_seen": times[1]}


@st.composite
def _observed_type(draw: st.DrawFn, index: int) -> dict[str, Any]:
    """A problem type only traffic shows, with observed statuses and fields."""
    names_ = draw(st.lists(NAME.map(_no_surrogates).filter(lambda n: bool(n.strip()) and n not in ("type", "title", "detail", "status")), max_size=3, unique=True))
    fields = [
        {"name": n, "kind": "string", "description": draw(_BLANKLESS), "enum_values": draw(st.one_of(st.none(), st.lists(_BLANKLESS, min_size=1, max_size=3, unique=True))), "observed": draw(_observation())}
        for n in names_
    ]
    codes = draw(st.lists(st.sampled_from([400, 429]), max_size=2, unique=True))
    statuses = [{"code": c, "when": draw(_BLANKLESS), "observed": draw(_observation())} for c in codes]
    slug = draw(_SLUG.map(_no_surrogates).filter(lambda t: bool(t) and not any(ch.isspace() for ch in t)))
    return {"uri": f"https://api.x.com/2/problems/{slug}", "class_name": f"Seen{index}Problem", "observed": draw(_observation()), "statuses": statuses, "extra_fields": fields}


_OBSERVED_PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import x_problems as xp
out = []
for uri, name in json.loads(sys.argv[2]):
    problem = xp.parse_problem({"type": uri, "title": "t"})
    out.append([name, type(problem).__name__, type(problem).retired])
print(json.dumps(out))
"""


# No shrinking, as above: each example generates a package and imports it in a fresh interpreter.
@settings(max_examples=10, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
@pytest.mark.slow
def test_an_observed_only_supplement_renders_a_package_that_imports(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    """Types, statuses, fields and values only recorded traffic shows, with hostile names and
    file names, generate a package that imports and dispatches each type, and an errors.md
    that reads well on GitHub."""
    from xproblems.cli import main

    count = data.draw(st.integers(1, 3), label="types")
    types = [data.draw(_observed_type(i), label=f"type {i}") for i in range(count)]
    seen, unique_types = set(), []
    for t in types:
        if names.problem_key(t["uri"]) not in seen:
            seen.add(names.problem_key(t["uri"]))
            unique_types.append(t)
    doc = yaml.safe_load(BASE_SUPPLEMENT.read_text(encoding="utf-8"))
    doc["problems"] = unique_types
    where = tmp_path_factory.mktemp("observed")
    supplement = where / "supplement.yaml"
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    supplement.write_text(text, encoding="utf-8")
    # What the file says: PyYAML's emitter folds a NEL in a quoted scalar into a line break.
    said, _ = parse_bytes(text.encode(), str(supplement), yaml_syntax=True)
    unique_types = said["problems"]
    out = where / "out"
    assert main(["generate", "--quiet", "--spec", str(BASE_SPEC), "--supplement", str(supplement), "--out", str(out)]) == 0
    check_output_hygiene(out)
    check_errors_md((out / "docs" / "errors.md").read_text(encoding="utf-8"))
    constants, _ = string_constants(py_modules(out))
    for t in unique_types:
        for f in t["extra_fields"]:
            for value in f["enum_values"] or ():
                assert value in constants, f"{value!r} is not an exact literal"
    wanted = [[t["uri"], t["class_name"]] for t in unique_types]
    proc = subprocess.run([sys.executable, "-I", "-B", "-c", _OBSERVED_PROBE, str(out), json.dumps(wanted)], capture_output=True, text=True, encoding="utf-8", check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for name, got, retired in json.loads(proc.stdout):
        # A slug the spec already declares (alpha, beta) keeps the spec's class.
        assert got == name or got in ("AlphaProblem", "BetaProblem"), (name, got)
        assert retired is False


def _unique_reference(names: list[str], taken: list[str], sep: str) -> list[str]:
    """The quadratic rule names.unique replaced: the first free ``name``, ``name<sep>2``, ..."""
    used, result = set(taken), []
    for name in names:
        candidate, n = name, 2
        while candidate in used:
            candidate, n = f"{name}{sep}{n}", n + 1
        used.add(candidate)
        result.append(candidate)
    return result


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "a_2", "a_3", "b", "a2", "b_2", "c"]), max_size=30), st.lists(st.sampled_from(["a", "a_2", "b_4", "a_5"]), max_size=4), st.sampled_from(["_", ""]))
def test_unique_is_the_first_free_suffix_in_linear_time(names_: list[str], taken: list[str], sep: str) -> None:
    assert names.unique(names_, taken, sep) == _unique_reference(names_, taken, sep)


def test_unique_on_twenty_thousand_equal_names() -> None:
    got = names.unique(["value"] * 20_000)
    assert got[:3] == ["value", "value_2", "value_3"] and got[-1] == "value_20000" and len(set(got)) == 20_000


def test_reserved_names_are_pinned_not_read_from_the_interpreter() -> None:
    """The same spec gives the same names under `python -S` and on any Python 3.9-3.13."""
    import builtins
    import keyword

    assert set(dir(builtins)) <= names.BUILTIN_NAMES, f"a new builtin: add to names.BUILTIN_NAMES {sorted(set(dir(builtins)) - names.BUILTIN_NAMES)}"
    assert set(keyword.softkwlist) <= names.SOFT_KEYWORDS
    assert {"exit", "help", "license", "quit", "credits", "copyright", "PythonFinalizationError"} <= names.BUILTIN_NAMES
    assert names.class_name("PythonFinalizationError") == "PythonFinalizationError_"
    assert names.attr_name("exit") == "exit_" and names.attr_name("type") == "type_"
