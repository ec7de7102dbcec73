"""Package data: the curated supplement and the pinned, pruned spec history (``xproblems.specs``)."""
