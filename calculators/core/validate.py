"""Input checks shared by every calculator; each failure names its field."""

import math

from calculators.core.errors import InputError

#: Largest absolute number any input may hold; keeps arithmetic finite and fast.
MAX_NUMBER = 1e18
#: Longest name (catalog model id, GPU id or device name) looked up; longer text is refused before any
#: fuzzy matching, which would otherwise take seconds on a megabyte of text.
MAX_NAME_CHARS = 200
#: Largest parameter count accepted (10 trillion): beyond any published model.
MAX_PARAMS = 10**13
#: Most sequences in one batch the engines accept: far beyond any GPU, small enough to stay exact in floats.
MAX_BATCH = 1 << 20
#: Most tokens in one sequence for the memory engine (prompt or generated tokens, KV-cache sizes).
MAX_SEQUENCE_TOKENS = 1 << 26
#: Most tokens of context for the speed model and of one training sequence.
MAX_CONTEXT_TOKENS = 1 << 24
#: Most GPUs sharing one job (data-parallel ZeRO/FSDP sharding).
MAX_GPUS = 100_000
#: Most GPUs splitting one model by tensor parallelism in the speed model.
MAX_TENSOR_PARALLEL = 1024


def number(field: str, value, *, minimum: float | None = None, maximum: float = MAX_NUMBER,
           exclusive_minimum: bool = False) -> float:
    """Parse ``value`` (a number or numeric text) as a finite float within bounds."""
    if isinstance(value, bool):
        raise InputError(field, f"expected a number, got {value!r}")
    if isinstance(value, str):
        text = value.strip().replace("_", "").replace(",", "")
        if not text:
            raise InputError(field, "is required")
        if len(text) > 64:
            raise InputError(field, "is not a number (too long)")
        try:
            value = float(text)
        except ValueError:
            raise InputError(field, f"{_quote(text)} is not a number") from None
    elif isinstance(value, int):
        if abs(value) > MAX_NUMBER:
            raise InputError(field, f"must be at most {MAX_NUMBER:g}")
        value = float(value)
    elif not isinstance(value, float):
        raise InputError(field, f"expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise InputError(field, "must be a finite number")
    if minimum is not None:
        if exclusive_minimum and value <= minimum:
            raise InputError(field, f"must be greater than {minimum:g}")
        if not exclusive_minimum and value < minimum:
            raise InputError(field, f"must be at least {minimum:g}")
    if value > maximum:
        raise InputError(field, f"must be at most {maximum:g}")
    return value


def integer(field: str, value, *, minimum: int = 0, maximum: int = 10**12) -> int:
    """Parse ``value`` as a whole number within bounds."""
    parsed = number(field, value, minimum=minimum, maximum=maximum)
    if parsed != int(parsed):
        raise InputError(field, f"must be a whole number, got {parsed:g}")
    return int(parsed)


def choice(field: str, value, options) -> str:
    """Check that ``value`` is one of ``options`` (case-insensitive); return the canonical spelling."""
    if not isinstance(value, str):
        raise InputError(field, f"expected text, got {type(value).__name__}")
    wanted = value.strip().lower()
    for option in options:
        if option.lower() == wanted:
            return option
    shown = ", ".join(sorted(options))
    raise InputError(field, f"unknown value {_quote(value)}; expected one of: {shown}")


def _quote(text: str, limit: int = 40) -> str:
    text = str(text)
    return repr(text if len(text) <= limit else text[:limit] + "…")
