"""What keeps the generated package fast: a light import and a fast path that agrees.

No timings here (benchmarks/bench.py measures those): only the properties that make
them, so that a regression shows up as a failing test rather than a slower figure.
"""

from __future__ import annotations

import ast
import random
import re
import subprocess
import sys
from typing import Any

import pytest

from .runtime_support import load, package_root

xp = load()
base = sys.modules["x_problems._base"]
runtime = sys.modules["x_problems._runtime"]

# Imported lazily, on the first call that needs them, or not at all. json brings re;
# typing, dataclasses and inspect are the usual accidental heavyweights.
NOT_AT_IMPORT = {"json", "re", "datetime", "_datetime", "math", "typing", "dataclasses", "inspect", "ast", "string", "tokenize", "warnings", "decimal", "textwrap"}


def _fresh(code: str) -> Any:
    """Run ``code`` in a fresh ``-I -S`` interpreter (no site: nothing preloaded);
    its output is one Python literal (printed with repr: no json import)."""
    setup = f"import sys; sys.path.insert(0, {str(package_root())!r})\n"
    result = subprocess.run([sys.executable, "-I", "-S", "-c", setup + code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())


def test_import_loads_no_json_re_or_typing() -> None:
    loaded = set(_fresh("before = set(sys.modules)\nimport x_problems\nprint(sorted(set(sys.modules) - before))"))
    assert "x_problems._runtime" in loaded
    assert not loaded & NOT_AT_IMPORT, sorted(loaded & NOT_AT_IMPORT)


def test_json_is_imported_on_first_decode_and_works() -> None:
    code = (
        "import x_problems\nbefore = 'json' in sys.modules\n"
        "found = x_problems.partial_errors(b'{\"errors\": [{\"title\": \"t\", \"detail\": \"d\"}]}')\n"
        "print([before, 'json' in sys.modules, len(found)])"
    )
    assert _fresh(code) == [False, True, 1]


# --- the fast path agrees with the slow one -------------------------------------------

NOT_FOUND = {
    "value": "1276230436478386177",
    "detail": "Could not find tweet with id: [1276230436478386177].",
    "title": "Not Found Error",
    "resource_type": "tweet",
    "parameter": "ids",
    "resource_id": "1276230436478386177",
    "type": "https://api.twitter.com/2/problems/resource-not-found",
}


class _Dict(dict):  # type: ignore[type-arg]
    """A dict subclass: not the exact type, so the slow path."""


def _variants() -> list[Any]:
    items: list[Any] = [NOT_FOUND, dict(NOT_FOUND, status=404), _Dict(NOT_FOUND), "text", None, 7, [NOT_FOUND]]
    replacements: list[Any] = [None, 1, 1.0, 1.5, True, "", "x", [], {}, 2**70]
    for key in ("type", "title", "detail", "status", "parameter", "resource_type", "value", "extra"):
        without = {k: v for k, v in NOT_FOUND.items() if k != key}
        items.append(without)
        items.extend(dict(NOT_FOUND, **{key: value}) for value in replacements)
    items.append(dict(NOT_FOUND, resource_type="undocumented"))
    items.append(dict(NOT_FOUND, resource_type="user"))
    items.append({"type": "https://api.x.com/2/problems/usage-capped", "title": "t", "detail": "d", "period": "Daily"})
    items.append({"type": "https://api.x.com/2/problems/usage-capped", "title": "t", "detail": "d", "period": "Hourly"})
    items.append({"type": "https://api.x.com/2/problems/invalid-request", "title": "t", "detail": "d", "errors": [{"message": "m"}]})
    items.append({"type": "about:blank", "title": "t", "status": 4.0})
    items.append({"title": "t"})
    items.append({"type": "nonsense", "title": "t"})
    return items


def _state(problem: Any) -> tuple[Any, ...]:
    return (type(problem), sorted((k, repr(v)) for k, v in vars(problem).items()), problem.args)


@pytest.mark.parametrize("item", _variants(), ids=repr)
def test_partial_errors_builds_what_the_class_builds(item: Any) -> None:
    (fast,) = xp.partial_errors({"errors": [item]})
    slow = runtime._class_for(item)(item)  # the public constructor: __init__ and all
    assert _state(fast) == _state(slow)
    assert fast == slow and fast.raw is item
    assert _state(xp.parse_problem(item)) == _state(slow)


@pytest.mark.parametrize("item", [i for i in _variants() if isinstance(i, dict)], ids=repr)
def test_fast_parse_equals_slow_parse(item: dict[str, Any]) -> None:
    for cls in (xp.ResourceNotFoundProblem, xp.UsageCapExceededProblem, xp.InvalidRequestProblem, xp.UnknownProblem):
        _, full, _ = base._rows_of(cls)
        assert base._parse(cls, item) == base._parse_slow(full, item)


def test_a_user_subclass_keeps_its_init() -> None:
    calls: list[object] = []

    class Mine(xp.ResourceNotFoundProblem):
        def __init__(self, raw: object = None) -> None:
            calls.append(raw)
            super().__init__(raw)

    problem = base._make_problem(Mine, NOT_FOUND)
    assert calls == [NOT_FOUND] and type(problem) is Mine and problem.parameter == "ids"


# --- the slug of a type URI without a regex -------------------------------------------

# The rule of generator/runtime/_uri.py written independently as a regex: ASCII letters in
# either case for the fixed parts, ASCII digits for the Labs version, Unicode whitespace
# around the URI and nowhere inside a segment.
_PROBLEMS = "[pP][rR][oO][bB][lL][eE][mM][sS]"
_PROBLEM_URI = re.compile(
    r"\s*[hH][tT][tT][pP][sS]?://[^/?#\s]+/(?:2|[lL][aA][bB][sS]/[0-9]+)/" + _PROBLEMS + r"/([^/?#\s]+)/?\s*"
)
_PIECES = ["h", "t", "p", "s", "S", "\u017f", ":", "/", "?", "#", " ", "\t", "\u00a0", "\u2028", "2", "problems", "PROBLEMS",
           "x", "api.x.com", "http://", "https://", "HTTPS://", "/2/problems/", "-", "\u212a", "\u0130", ".",
           "labs", "LABS", "/labs/", "1", "\u0661", "/1/"]  # fmt: skip


def _regex_slug(uri: str) -> str | None:
    match = _PROBLEM_URI.fullmatch(uri)
    return match.group(1) if match else None


def test_uri_slug_matches_an_independent_regex_of_the_rule() -> None:
    rng = random.Random(7)
    uris = ["https://api.x.com/2/problems/usage-capped", " /2/problems/x/ ", "https:///2/problems/a", "/2/problems//",
            "http://h?/2/problems/a", "https://a b/2/problems/c", "httpſ://h/2/problems/a", "about:blank", "",
            "https://h/labs/1/problems/a", "https://h/labs//problems/a", "https://h/labs/\u0661/problems/a"]  # fmt: skip
    uris += ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 9))) for _ in range(20_000)]
    slug = load()._uri.problem_slug
    for uri in uris:
        assert slug(uri) == _regex_slug(uri), repr(uri)


def test_the_type_cache_keeps_no_huge_uri() -> None:
    """600 errors with 1 MB type URIs used to stay in memory through the cache."""
    runtime = load()._runtime
    before = dict(runtime._class_cache)
    huge = "https://api.x.com/2/problems/" + "x" * 1_000_000
    for index in range(5):
        problem = load().parse_problem({"type": huge + str(index), "title": "t"})
        assert type(problem) is load().UnknownProblem
    assert not [key for key in runtime._class_cache if len(key) > runtime._CACHE_KEY_LIMIT]
    assert len(runtime._class_cache) <= runtime._CACHE_LIMIT and set(before) <= set(runtime._class_cache)
