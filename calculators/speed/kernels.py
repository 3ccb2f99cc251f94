"""Time of one GEMM (an nn.Linear applied to ``m`` rows) on one GPU: bytes, FLOPs, waves, overhead."""

import dataclasses
import functools
import math

from calculators.catalogs.gpus import Gpu
from calculators.speed.efficiency import Efficiency


@dataclasses.dataclass(frozen=True)
class MatmulTime:
    """``count`` identical GEMMs of ``m`` x ``k`` activations times a ``k`` x ``n`` weight."""
    m: int
    k: int
    n: int
    count: int
    kernels: int
    weight_bytes: float
    bytes_moved: float
    flops: float
    memory_seconds: float
    compute_seconds: float
    overhead_seconds: float
    seconds: float
    compute_known: bool

    @property
    def bound(self) -> str:
        return "compute" if self.compute_seconds > self.memory_seconds else "memory"


def pnorm(a: float, b: float, p: float) -> float:
    """Soft maximum of two times: max(a, b) when p is large, a + b when p = 1."""
    top = max(a, b)
    if top == 0:
        return 0.0
    return top * ((a / top) ** p + (b / top) ** p) ** (1 / p)


def achievable_bandwidth_bytes_per_s(gpu: Gpu, eff: Efficiency) -> float:
    return gpu.memory_bandwidth_bytes_per_s * eff.memory_bandwidth_fraction


def achievable_flops_per_s(gpu: Gpu, compute_format: str, eff: Efficiency) -> float | None:
    peak = gpu.peak_flops_per_s(compute_format)
    return None if peak is None else peak * eff.compute_fraction


def _tile_m(m: int, eff: Efficiency) -> int:
    return eff.tile_m_small if m <= eff.small_m_max else eff.tile_m_large


def _configuration_flops(m: int, k: int, n: int, sms: int, tm: int, split: int, eff: Efficiency) -> float:
    """FLOPs the busiest SM executes times the SM count, for ``tm``-row tiles and a ``split``-way split of k."""
    tm = min(tm, 16 * math.ceil(m / 16))  # fewer rows than a tile: padded only to the 16-row MMA
    tiles = math.ceil(m / tm) * math.ceil(n / eff.tile_n)
    waves = math.ceil(tiles * split / sms)
    return waves * sms * 2 * tm * eff.tile_n * (k / split)


@functools.lru_cache(maxsize=4096)
def _best_configuration(m: int, k: int, n: int, sms: int, eff: Efficiency, pass_flops: float = 0.0) -> float:
    """The GEMM's cost after tile and wave quantization (in FLOPs at the tensor rate), for the cheapest
    configuration; ``pass_flops`` is what dequantizing the weight once per tile row costs in the same units.

    A GEMM library picks per shape among tile heights (``tile_m_small`` rows, or above ``small_m_max`` any
    multiple of the 16-row MMA from ``tile_m_small`` to ``tile_m_large``) and split-k factors (chunks of at least
    ``split_k_min_chunk``), so 152 rows run as two 80-row tiles rather than two 128-row ones and a GEMM with few
    tiles splits k to fill the SMs. Choosing the cheapest keeps the cost sub-additive in m: the configuration
    chosen for m, run on 2m, costs at most double, so a larger batch never lowers throughput."""
    heights = {eff.tile_m_small} if m <= eff.small_m_max else set(range(eff.tile_m_small, eff.tile_m_large + 1, 16))
    most_splits = max(1, min(sms, k // eff.split_k_min_chunk))
    return min(_configuration_flops(m, k, n, sms, tm, split, eff) + math.ceil(m / tm) * pass_flops
               for tm in heights for split in range(1, most_splits + 1))


@functools.lru_cache(maxsize=256)
def _calibration_utilisation(sms: int, tm: int, tn: int) -> float:
    """Share of SM time doing useful work in the 8192^3 GEMM the compute fraction was measured on."""
    tiles = math.ceil(8192 / tm) * math.ceil(8192 / tn)
    waves = math.ceil(tiles / sms)
    return tiles / (waves * sms)


def matmul_time(gpu: Gpu, eff: Efficiency, *, m: int, k: int, n: int, count: int = 1, kernels: int | None = None,
                weight_bits: float, activation_bytes: float, compute_format: str,
                dequantize: bool = False) -> MatmulTime:
    """Time for ``count`` GEMMs launched as ``kernels`` kernels (default: one each).

    Memory: the weight once per GEMM plus the activations read and the outputs written.
    Compute: 2 m k n FLOPs, rounded up to whole tiles and waves over the SMs, at the
    achievable rate for ``compute_format``; dequantization adds work on the FP32 pipe.
    Each kernel costs ``kernel_overhead_seconds`` on top of the soft maximum of the two.
    """
    kernels = count if kernels is None else kernels
    weight_bytes = k * n * weight_bits / 8
    bytes_moved = weight_bytes + m * (k + n) * activation_bytes
    memory = bytes_moved / achievable_bandwidth_bytes_per_s(gpu, eff)
    flops = 2.0 * m * k * n
    rate = achievable_flops_per_s(gpu, compute_format, eff)
    compute = 0.0
    if rate is not None:
        simt = achievable_flops_per_s(gpu, "fp32", eff) if dequantize else None
        dequant_seconds = eff.dequant_ops_per_weight * k * n / simt if simt else 0.0  # per tile row of m
        if gpu.compute_units:
            util = _calibration_utilisation(gpu.compute_units, eff.tile_m_large, eff.tile_n)
            compute = _best_configuration(m, k, n, gpu.compute_units, eff, dequant_seconds * rate / util) * util / rate
        else:
            compute = flops / rate + dequant_seconds * math.ceil(m / _tile_m(m, eff))
    per_gemm = pnorm(memory, compute, eff.overlap_exponent)
    overhead = kernels * eff.kernel_overhead_seconds
    return MatmulTime(m=m, k=k, n=n, count=count, kernels=kernels, weight_bytes=count * weight_bytes, bytes_moved=count * bytes_moved,
                      flops=count * flops, memory_seconds=count * memory, compute_seconds=count * compute,
                      overhead_seconds=overhead, seconds=count * per_gemm + overhead, compute_known=rate is not None)
