"""Little's law for memory: bytes that must be in flight to sustain a bandwidth at a given latency.

``concurrency = throughput × latency`` (Little, 1961). Spread over the SMs, and divided into loads, it says how
much independent memory traffic every SM must keep outstanding for a kernel to reach full bandwidth.
"""

import dataclasses

from calculators.core.errors import InputError

#: Largest latency accepted: 1 ms, far beyond any DRAM or network round trip on one node.
MAX_LATENCY_NS = 1e6


@dataclasses.dataclass(frozen=True)
class InFlight:
    bandwidth_bytes_per_s: float
    latency_s: float
    total_bytes: float
    units: int | None              # SMs (or CUs) the bytes are spread over; None = unknown
    per_unit_bytes: float | None

    def loads_per_unit(self, load_bytes: int) -> float | None:
        """Loads of ``load_bytes`` each that every SM must keep outstanding."""
        return None if self.per_unit_bytes is None else self.per_unit_bytes / load_bytes

    def loads_per_thread(self, load_bytes: int, resident_threads: int) -> float | None:
        """Loads each thread must keep in flight when ``resident_threads`` threads share an SM's share."""
        loads = self.loads_per_unit(load_bytes)
        return None if loads is None else loads / resident_threads


def bytes_in_flight(bandwidth_bytes_per_s: float, latency_s: float, *, units: int | None = None) -> InFlight:
    """Bytes outstanding at every moment to sustain ``bandwidth_bytes_per_s`` when each request takes ``latency_s``."""
    if not bandwidth_bytes_per_s > 0:
        raise InputError("bandwidth", "must be greater than 0")
    if not 0 < latency_s <= MAX_LATENCY_NS * 1e-9:
        raise InputError("latency", f"must be greater than 0 and at most {MAX_LATENCY_NS:,.0f} ns")
    total = bandwidth_bytes_per_s * latency_s
    per_unit = total / units if units else None
    return InFlight(bandwidth_bytes_per_s=bandwidth_bytes_per_s, latency_s=latency_s, total_bytes=total,
                    units=units or None, per_unit_bytes=per_unit)
