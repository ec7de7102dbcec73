"""Large acyclic trees built without the cyclic garbage collector walking them again and again.

Reading a spec, validating it into models, extracting, merging and rendering allocate
millions of containers while the whole document is alive. Every burst of allocations made
the collector traverse everything alive: 40 % of the CPU of a 20 MB JSON spec, a YAML parse
that grew faster than linearly with its size, and, past a few thousand problem types, a
cost that grew with the square of their number (a third of the CPU at 12,000 types).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off inside the block (and as a decorator, the function).

    What these blocks build holds no reference cycle (YAML aliases aside, refused past a
    few), so reference counting frees it; the few cycles some library makes (Jinja2's
    environment) wait for the collector, which resumes, if it was on, when the block ends.
    It is process-wide: another thread allocating meanwhile is not collected either.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
