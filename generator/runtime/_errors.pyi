# What the generated _errors.py provides to the static runtime modules.
from ._base import XAPIError

STATUS_CLASSES: dict[int, type[XAPIError]]
