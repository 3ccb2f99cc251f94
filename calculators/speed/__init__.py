"""Speed model: decode steps, prefill and time to first token, batch sweeps, roofline, tensor parallelism
and GPU ranking, from the GPU catalog, the efficiency data and a model's architecture.

Pure standard-library Python (runs in Pyodide); every result is a frozen dataclass with units in its names.
"""

from calculators.speed.bounds import DecodeCeiling, decode_ceiling
from calculators.speed.decode import DecodeStep, LinearDecodeStep, decode_step, linear_decode_step
from calculators.speed.efficiency import Efficiency
from calculators.speed.efficiency import default as default_efficiency
from calculators.speed.forward import allreduce_seconds
from calculators.speed.kernels import MatmulTime, matmul_time
from calculators.speed.moe import expected_experts_touched
from calculators.speed.parallel import TensorParallelPlan, tensor_parallel_plan
from calculators.speed.prefill import Prefill, prefill
from calculators.speed.ranking import GpuOption, MemoryNeed, memory_needed, rank
from calculators.speed.request import Request, mean_decode_context, request
from calculators.speed.roofline import (
                                        RooflinePoint,
                                        matmul_intensity_flop_per_byte,
                                        place,
                                        ridge_point_flop_per_byte,
                                        roof,
)
from calculators.speed.sweep import Sweep, SweepRow, batch_sweep

__all__ = [
    "DecodeCeiling", "Request", "TensorParallelPlan", "decode_ceiling", "mean_decode_context", "request", "roof",
    "tensor_parallel_plan",
    "DecodeStep", "Efficiency", "GpuOption", "LinearDecodeStep", "MatmulTime", "MemoryNeed",
    "Prefill", "RooflinePoint", "Sweep", "SweepRow", "allreduce_seconds", "batch_sweep", "decode_step",
    "default_efficiency", "expected_experts_touched", "linear_decode_step",
    "matmul_intensity_flop_per_byte", "matmul_time", "memory_needed", "place", "prefill", "rank",
    "ridge_point_flop_per_byte",
]
