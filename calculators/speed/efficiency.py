"""Achievable fractions and kernel constants of the speed model (``data/efficiency.json``)."""

import dataclasses
import functools

from calculators import data


@dataclasses.dataclass(frozen=True)
class Efficiency:
    """What real kernels reach, as fractions of the spec sheet plus per-kernel constants.

    Every value comes from ``data/efficiency.json``, which records how it was derived.
    Pass a modified copy (``dataclasses.replace``) to explore other assumptions.
    """
    memory_bandwidth_fraction: float
    compute_fraction: float
    kernel_overhead_seconds: float
    overlap_exponent: float
    tile_m_small: int
    tile_m_large: int
    tile_n: int
    small_m_max: int
    split_k_min_chunk: int
    extra_kernels_per_layer: int
    dequant_ops_per_weight: float
    allreduce_latency_seconds: float


@functools.cache
def default() -> Efficiency:
    record = data.load("efficiency.json")
    tiles = record["gemm_tiles"]
    return Efficiency(
        memory_bandwidth_fraction=float(record["memory_bandwidth_fraction"]["value"]),
        compute_fraction=float(record["compute_fraction"]["value"]),
        kernel_overhead_seconds=float(record["kernel_overhead_seconds"]["value"]),
        overlap_exponent=float(record["overlap_exponent"]["value"]),
        tile_m_small=int(tiles["m_small"]), tile_m_large=int(tiles["m_large"]), tile_n=int(tiles["n"]),
        small_m_max=int(tiles["small_m_max"]), split_k_min_chunk=int(tiles["split_k_min_chunk"]),
        extra_kernels_per_layer=int(record["extra_kernels_per_layer"]["value"]),
        dequant_ops_per_weight=float(record["dequant_ops_per_weight"]["value"]),
        allreduce_latency_seconds=float(record["allreduce_latency_seconds"]["value"]),
    )
