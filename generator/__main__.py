"""``python -m xproblems``: the same as the ``xproblems`` console script."""

import sys

from .cli import main

sys.exit(main())
