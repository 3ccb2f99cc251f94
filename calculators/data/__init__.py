"""Load the packaged data files once (works from a wheel in CPython and Pyodide)."""

import functools
import json
from importlib import resources


@functools.cache
def load(name: str):
    """Parsed contents of ``calculators/data/<name>``."""
    return json.loads(resources.files("calculators.data").joinpath(name).read_text(encoding="utf-8"))


def find(name: str, key: str, entry_id: str, *, id_field: str = "id") -> dict | None:
    """The record of ``load(name)[key]`` whose ``id_field`` is ``entry_id``, or None."""
    return next((r for r in load(name)[key] if str(r.get(id_field)) == entry_id), None)


def dig(record: dict, path: str):
    """The value at a dotted ``path`` inside a record (``dense_tflops.bf16``); KeyError when it is not there."""
    value = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value
