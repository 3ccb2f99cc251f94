"""Memory taken by model weights: parameter count × bits per weight."""

import dataclasses

from calculators import formats, validate
from calculators.units import GB, GIB

#: Largest parameter count accepted (10 trillion): beyond any published model.
MAX_PARAMS = 10**13


@dataclasses.dataclass(frozen=True)
class WeightMemory:
    params: int
    format: formats.NumberFormat
    bytes: float

    @property
    def gib(self) -> float:
        return self.bytes / GIB

    @property
    def gb(self) -> float:
        return self.bytes / GB


def weight_memory(params, format_id: str) -> WeightMemory:
    """Bytes needed to hold ``params`` weights stored in ``format_id``."""
    count = validate.number("params", params, minimum=1, maximum=MAX_PARAMS)
    fmt = formats.get(format_id)
    count = round(count)
    return WeightMemory(params=count, format=fmt, bytes=count * fmt.bits_per_value / 8)
