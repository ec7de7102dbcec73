"""The static runtime modules as the generator sees them: their text, and the names they take.

The runtime (``xproblems.runtime``: ``_base.py``, ``_runtime.py``) is Python source that the
generator copies verbatim into every output package. What the generator must know about it
is read here, once, from that source with :mod:`ast`:

* :data:`EXPORTS`: each runtime module's ``__all__``, which the generated ``__init__.py``
  re-exports;
* :data:`RESERVED_NAMES`: every public module-level name of the generated package that is
  not a problem, status or enum class; a class may not take one;
* :data:`RESERVED_ATTRS`: every attribute a generated field attribute must never be named
  (``merge`` renames such a field by appending ``_``).
"""

from __future__ import annotations

import ast
from typing import TypeGuard

from .names import MODULE_NAMES
from .resources import runtime_dir

#: The runtime classes whose attributes every generated problem or error carries: problem
#: classes derive from ``Problem``, and an error whose body is one problem is an instance of
#: its status class (``XAPIError`` via ``ClientError``/``ServerError``) and its problem class.
ATTRIBUTE_CLASSES = ("Problem", "UnknownProblem", "XAPIError", "ClientError", "ServerError")
#: Module-level names the generated data modules define besides their classes (their home
#: is the data templates; ``tests/test_runtime_modules.py`` checks this list against them).
GENERATED_NAMES: tuple[str, ...] = ("DEPRECATED_ALIASES", "PROBLEM_CLASSES", "ProblemType", "STATUS_CLASSES")


def _read_sources() -> dict[str, str]:
    found = sorted(p for p in runtime_dir().glob("*.py") if p.name != "__init__.py")
    return {p.stem: p.read_text(encoding="utf-8") for p in found}


#: Module name (``_base``) -> source text, as shipped.
SOURCES: dict[str, str] = _read_sources()
_TREES = {name: ast.parse(text, filename=f"{name}.py") for name, text in SOURCES.items()}


def _all_of(tree: ast.Module, module: str) -> tuple[str, ...]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["__all__"]:
            names = ast.literal_eval(node.value)
            return tuple(str(n) for n in names)
    raise RuntimeError(f"runtime module {module} has no literal __all__")


#: Runtime module name -> its ``__all__`` (what ``__init__.py`` re-exports from it).
EXPORTS: dict[str, tuple[str, ...]] = {name: _all_of(tree, name) for name, tree in _TREES.items()}

RESERVED_NAMES: frozenset[str] = frozenset(n for names in EXPORTS.values() for n in names) | frozenset(GENERATED_NAMES) | MODULE_NAMES
"""Every public module-level name of the generated package that is not a generated class.

A class name pinned in the supplement must not be one of these (``merge`` would have to
rename it, breaking the promise of a pinned public name); a derived one is renamed.
"""


def _class_attrs(cls: ast.ClassDef) -> set[str]:
    """Names a class body defines, its ``__slots__``, and the attributes its methods set
    (``self.x = ...``, or ``obj.__dict__["x"] = ...``)."""
    found: set[str] = set()
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add(node.name)
            targets = [t for sub in ast.walk(node) for t in _targets(sub)]
            found |= {t.attr for t in targets if _is_self_attr(t)}
            found |= {key for t in targets if (key := _dict_key(t)) is not None}
        for target in _targets(node):
            if isinstance(target, ast.Name):
                found.add(target.id)
                if target.id == "__slots__" and isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                    found |= {str(s) for s in ast.literal_eval(node.value)}
    return found


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        return [node.target]
    return []


def _dict_key(target: ast.expr) -> str | None:
    """``"x"`` for a target ``<anything>.__dict__["x"]``."""
    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute) and target.value.attr == "__dict__":
        key = target.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


def _is_self_attr(target: ast.expr) -> TypeGuard[ast.Attribute]:
    return isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"


def _runtime_attrs() -> frozenset[str]:
    classes = {n.name: n for tree in _TREES.values() for n in tree.body if isinstance(n, ast.ClassDef)}
    missing = [name for name in ATTRIBUTE_CLASSES if name not in classes]
    if missing:
        raise RuntimeError(f"runtime classes not found in {runtime_dir()}: {missing}")
    return frozenset(a for name in ATTRIBUTE_CLASSES for a in _class_attrs(classes[name]))


#: What ``Exception``, ``BaseException`` and ``object`` define on Python 3.9 to 3.14, plus
#: what typing adds to a class. Python's own names, not the runtime's: a fixed list, so the
#: output does not depend on the interpreter that generates it.
PYTHON_EXCEPTION_ATTRS = frozenset(
    {
        "__annotate__", "__annotate_func__", "__annotations__", "__annotations_cache__", "__base__",
        "__bases__", "__cause__", "__class__", "__class_getitem__", "__context__", "__copy__",
        "__deepcopy__", "__delattr__", "__dict__", "__dir__", "__doc__", "__eq__", "__firstlineno__",
        "__format__", "__ge__", "__getattr__", "__getattribute__", "__getnewargs__", "__getnewargs_ex__",
        "__getstate__", "__gt__", "__hash__", "__init__", "__init_subclass__", "__le__", "__lt__",
        "__match_args__", "__module__", "__mro__", "__name__", "__ne__", "__new__", "__notes__",
        "__orig_bases__", "__parameters__", "__qualname__", "__reduce__", "__reduce_ex__", "__repr__",
        "__setattr__", "__setstate__", "__sizeof__", "__slots__", "__static_attributes__", "__str__",
        "__subclasshook__", "__suppress_context__", "__traceback__", "__type_params__", "__weakref__",
        "add_note", "args", "with_traceback",
    }
)  # fmt: skip

#: Every attribute name a generated field attribute must not take.
RESERVED_ATTRS: frozenset[str] = _runtime_attrs() | PYTHON_EXCEPTION_ATTRS
