# What the generated _enums.py provides to the static runtime modules. Its members are
# generated from the catalogue, so none can be listed here.
import enum

class ProblemType(str, enum.Enum): ...  # type: ignore[misc]
