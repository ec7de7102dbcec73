"""The static modules of every generated package, kept as Python source.

``_base.py`` and ``_runtime.py`` are copied verbatim under the generated header into
each output package; nothing in them is rendered. They import the generated data
modules (``_enums``, ``_problems``, ``_errors``) relatively, so they are not importable
from here: the ``.pyi`` files beside them state what those data modules provide, for
mypy, and the tests import the runtime from a package assembled out of this source and
the generated data modules (``tests/runtime_support.py``).

The runtime is stdlib-only and keeps Python 3.9 syntax (``ruff.toml`` here targets
py39); each copied file must already be black-clean in the output's mode (a test
checks it).
"""
