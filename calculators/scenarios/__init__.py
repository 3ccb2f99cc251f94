"""Scenario records (the gpu-truth JSONL format) to results: one handler per ``kind``.

``HANDLERS`` maps a kind to a function ``record dict -> JSON-ready dict``; another
calculator adds its kind with one entry (``HANDLERS["linear_decode_step"] = ...``).
Measured fields in a record (``baseline``, ``after_*``, ``steps``…) are ignored.
"""

from calculators.core import validate
from calculators.core.errors import InputError
from calculators.scenarios import memory, runtime, speed

#: Largest record accepted, in top-level keys.
MAX_KEYS = 200


#: Record kind -> the function that answers it (``record dict -> JSON-ready dict``).
HANDLERS = {
    "inference": memory.inference,
    "training": memory.training,
    "linear_decode_step": speed.estimate,
    "runtime_memory": runtime.runtime_memory,
    "runtime_speed": runtime.runtime_speed,
}


def run(record) -> dict:
    """Dispatch one scenario record on its ``kind``."""
    if not isinstance(record, dict):
        raise InputError("scenario", f"expected a JSON object, got {type(record).__name__}")
    if len(record) > MAX_KEYS:
        raise InputError("scenario", f"has more than {MAX_KEYS} keys")
    kind = record.get("kind")
    if not isinstance(kind, str):
        raise InputError("kind", f"is required; one of: {', '.join(HANDLERS)}")
    return HANDLERS[validate.choice("kind", kind, tuple(HANDLERS))](record)
