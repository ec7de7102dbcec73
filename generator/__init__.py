"""xproblems: X API v2 problem schemas + curated docs -> a vendorable Python error package."""

__version__ = "0.1.0"
