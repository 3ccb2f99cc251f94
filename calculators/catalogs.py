"""Load the packaged data files once (works from a wheel in CPython and Pyodide)."""

import functools
import json
from importlib import resources


@functools.cache
def load(name: str):
    """Parsed contents of ``calculators/data/<name>``."""
    return json.loads(resources.files("calculators.data").joinpath(name).read_text(encoding="utf-8"))
