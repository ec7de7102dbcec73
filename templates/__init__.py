"""Package data: the Jinja2 templates (``xproblems.templates``), read with importlib.resources."""
