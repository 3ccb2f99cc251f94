"""The roofline: ridge points, arithmetic intensity of a matmul or a decode step, and where a workload sits."""

import dataclasses

from calculators.catalogs import gpus
from calculators.catalogs.gpus import Gpu
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.speed import efficiency as efficiency_data
from calculators.speed.efficiency import Efficiency


@dataclasses.dataclass(frozen=True)
class RooflinePoint:
    gpu_id: str
    format: str
    intensity_flop_per_byte: float
    ridge_flop_per_byte: float
    attainable_flops_per_s: float
    peak_flops_per_s: float
    bound: str


def ridge_point_flop_per_byte(gpu, compute_format: str = "bf16", *, achievable: bool = False,
                              eff: Efficiency | None = None) -> float | None:
    """FLOPs per byte at which peak compute and peak bandwidth take equal time (None: no FLOP/s figure)."""
    gpu = gpus.get(gpu)
    peak = gpu.peak_flops_per_s(compute_format)
    if peak is None:
        return None
    ratio = peak / gpu.memory_bandwidth_bytes_per_s
    if achievable:
        eff = eff or efficiency_data.default()
        ratio *= eff.compute_fraction / eff.memory_bandwidth_fraction
    return ratio


def matmul_intensity_flop_per_byte(m: int, k: int, n: int, *, weight_bytes_per_value: float = 2,
                                   activation_bytes: float = 2) -> float:
    """2mkn FLOPs over the bytes of weight (k x n), input (m x k) and output (m x n)."""
    m = validate.integer("m", m, minimum=1, maximum=10**9)
    k = validate.integer("k", k, minimum=1, maximum=10**9)
    n = validate.integer("n", n, minimum=1, maximum=10**9)
    w = validate.number("weight_bytes_per_value", weight_bytes_per_value, minimum=0.01, maximum=8)
    a = validate.number("activation_bytes", activation_bytes, minimum=0.01, maximum=8)
    return 2.0 * m * k * n / (k * n * w + m * (k + n) * a)


def place(gpu, intensity_flop_per_byte: float, compute_format: str = "bf16") -> RooflinePoint:
    """Attainable FLOP/s = min(peak, intensity x bandwidth) and which roof limits it."""
    gpu: Gpu = gpus.get(gpu)
    intensity = validate.number("intensity_flop_per_byte", intensity_flop_per_byte, minimum=0, exclusive_minimum=True)
    peak = gpu.peak_flops_per_s(compute_format)
    if peak is None:
        raise InputError("gpu", f"{gpu.name} publishes no {compute_format} throughput")
    ridge = peak / gpu.memory_bandwidth_bytes_per_s
    return RooflinePoint(gpu_id=gpu.id, format=compute_format, intensity_flop_per_byte=intensity, ridge_flop_per_byte=ridge,
                         attainable_flops_per_s=min(peak, intensity * gpu.memory_bandwidth_bytes_per_s),
                         peak_flops_per_s=peak, bound="compute" if intensity >= ridge else "memory")


def roof(gpu, compute_format: str, low_flop_per_byte: float, high_flop_per_byte: float, *, achievable: bool = False,
         eff: Efficiency | None = None) -> tuple[tuple[float, float], ...]:
    """Corner points (intensity, attainable FLOP/s) of the roofline between two intensities: the bandwidth
    slope up to the ridge, then the flat compute peak. ``achievable`` scales both roofs by the measured
    fractions of the speed model."""
    gpu = gpus.get(gpu)
    low = validate.number("intensity", low_flop_per_byte, minimum=0, exclusive_minimum=True)
    high = validate.number("intensity", high_flop_per_byte, minimum=low)
    peak = gpu.peak_flops_per_s(compute_format)
    if peak is None:
        raise InputError("gpu", f"{gpu.name} publishes no {compute_format} throughput")
    bandwidth = gpu.memory_bandwidth_bytes_per_s
    if achievable:
        eff = eff or efficiency_data.default()
        peak, bandwidth = peak * eff.compute_fraction, bandwidth * eff.memory_bandwidth_fraction
    ridge = peak / bandwidth
    points = [(low, min(peak, low * bandwidth))]
    if low < ridge < high:
        points.append((ridge, peak))
    points.append((high, min(peak, high * bandwidth)))
    return tuple(points)
