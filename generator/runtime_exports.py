"""The public names of the two static runtime modules, and the names they reserve.

``templates/_base.py.j2`` and ``templates/_runtime.py.j2`` are plain Python; the
generator does not parse them.  What it needs to know about them lives here:

* :data:`BASE_EXPORTS` and :data:`RUNTIME_EXPORTS`: each module's ``__all__``, which
  the generated ``__init__.py`` re-exports;
* :data:`RESERVED_ATTRS`: every attribute a generated field attribute must never be
  named (see CONTRACT.md); the generator renames such a field by appending ``_``.

``tests/test_runtime_modules.py`` checks these against the rendered modules.
"""

from __future__ import annotations

BASE_EXPORTS: tuple[str, ...] = (
    "ClientError",
    "FieldSpec",
    "LimitKind",
    "Problem",
    "RateLimit",
    "ResponseBody",
    "ServerError",
    "UnknownProblem",
    "XAPIError",
)

RUNTIME_EXPORTS: tuple[str, ...] = (
    "StreamEvent",
    "StreamEventKind",
    "classify_stream_line",
    "error_from_response",
    "from_httpx",
    "from_requests",
    "parse_problem",
    "parse_rate_limit",
    "partial_errors",
    "raise_for_response",
    "rate_limit_kind",
    "retry_after",
)

#: Module-level names the generated data modules define besides their classes.
GENERATED_NAMES: tuple[str, ...] = ("DEPRECATED_ALIASES", "PROBLEM_CLASSES", "ProblemType", "STATUS_CLASSES")

RESERVED_NAMES: frozenset[str] = frozenset(BASE_EXPORTS) | frozenset(RUNTIME_EXPORTS) | frozenset(GENERATED_NAMES)
"""Every public name of the generated package that is not a problem, status or enum class.

A class name pinned in the supplement must not be one of these: ``merge`` would have to
rename it, breaking the promise of a pinned public name.
"""

#: Names defined on ``Problem``, ``XAPIError`` (whose attributes an error that is
#: also a problem carries too), their bases ``Exception``/``BaseException``/``object``
#: (Python 3.9 to 3.14), and the instance attributes either sets.
_PROBLEM_ATTRS = frozenset(
    {
        "_fields",
        "_load",
        "_rows",
        "_summary",
        "detail",
        "issues",
        "problem_type",
        "raw",
        "retired",
        "slug",
        "status",
        "title",
        "type",
    }
)
_ERROR_ATTRS = frozenset(
    {
        "_status_line",
        "body",
        "from_dict",
        "headers",
        "http_status",
        "http_text",
        "limit_kind",
        "problem",
        "problems",
        "rate_limit",
        "retryable",
        "status",
        "to_dict",
    }
)
_EXCEPTION_ATTRS = frozenset(
    {
        "__annotate__",
        "__annotate_func__",
        "__annotations__",
        "__annotations_cache__",
        "__base__",
        "__bases__",
        "__cause__",
        "__class__",
        "__class_getitem__",
        "__context__",
        "__copy__",
        "__deepcopy__",
        "__delattr__",
        "__dict__",
        "__dir__",
        "__doc__",
        "__eq__",
        "__firstlineno__",
        "__format__",
        "__ge__",
        "__getattr__",
        "__getattribute__",
        "__getnewargs__",
        "__getnewargs_ex__",
        "__getstate__",
        "__gt__",
        "__hash__",
        "__init__",
        "__init_subclass__",
        "__le__",
        "__lt__",
        "__match_args__",
        "__module__",
        "__mro__",
        "__name__",
        "__ne__",
        "__new__",
        "__notes__",
        "__orig_bases__",
        "__parameters__",
        "__qualname__",
        "__reduce__",
        "__reduce_ex__",
        "__repr__",
        "__setattr__",
        "__setstate__",
        "__sizeof__",
        "__slots__",
        "__static_attributes__",
        "__str__",
        "__subclasshook__",
        "__suppress_context__",
        "__traceback__",
        "__type_params__",
        "__weakref__",
        "add_note",
        "args",
        "with_traceback",
    }
)

RESERVED_ATTRS: frozenset[str] = _PROBLEM_ATTRS | _ERROR_ATTRS | _EXCEPTION_ATTRS
