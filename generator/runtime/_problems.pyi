# What the generated _problems.py provides to the static runtime modules.
from ._base import Problem

PROBLEM_CLASSES: dict[str, type[Problem]]
