"""What decode and prefill share: every matmul of one forward pass, split over tensor-parallel GPUs, and the
all-reduces between them; the weight formats they read."""

import math

from calculators.catalogs import formats
from calculators.catalogs.gpus import Gpu
from calculators.core.errors import InputError
from calculators.speed.efficiency import Efficiency
from calculators.speed.kernels import MatmulTime, matmul_time
from calculators.speed.moe import expected_experts_touched

#: Roles that transformers >= 5 keeps as bare parameters rather than nn.Linear modules
#: (routed experts as one 3-D tensor per layer, MoE routers as a plain weight).
NOT_NN_LINEAR = frozenset({"expert", "router"})


def linear_times(arch, gpu, eff, *, batch, tp, weight_bits, act_bytes, compute_format, dequantize,
                 lm_head_rows=None) -> list[MatmulTime]:
    """Every matmul of one forward pass over ``batch`` token rows, split ``tp`` ways (lm_head on ``lm_head_rows``)."""
    out: list[MatmulTime] = []
    for g in arch.linear_groups:
        n = math.ceil(g.out_features / tp)
        if g.role == "expert" and arch.num_experts:
            # one grouped kernel per layer and projection over the experts the batch touches
            touched = expected_experts_touched(arch.num_experts, arch.experts_per_token, batch)
            kernels = round(g.count / arch.num_experts)
            rows = math.ceil(batch * arch.experts_per_token / max(touched, 1.0))
            out.append(matmul_time(gpu, eff, m=rows, k=g.in_features, n=max(1, round(n * touched)), count=kernels,
                                   weight_bits=weight_bits, activation_bytes=act_bytes,
                                   compute_format=compute_format, dequantize=dequantize))
        else:
            rows = lm_head_rows if (g.role == "lm_head" and lm_head_rows) else batch
            out.append(matmul_time(gpu, eff, m=rows, k=g.in_features, n=n, count=g.count, weight_bits=weight_bits,
                                   activation_bytes=act_bytes, compute_format=compute_format, dequantize=dequantize))
    return out


def allreduce_seconds(gpu: Gpu, eff: Efficiency, *, tp: int, bytes_per_gpu: float) -> float:
    """Ring all-reduce of ``bytes_per_gpu`` over ``tp`` GPUs: 2 (tp-1)/tp of the data each way, plus a fixed latency."""
    if tp <= 1:
        return 0.0
    one_way = gpu.link_bytes_per_s_one_way()
    if not one_way:
        raise InputError("tensor_parallel", f"{gpu.name} has no published interconnect; "
                                            "tensor parallelism cannot be estimated")
    return 2 * (tp - 1) / tp * bytes_per_gpu / (one_way * eff.memory_bandwidth_fraction) + eff.allreduce_latency_seconds


def needs_dequantization(weight_format: str) -> bool:
    """True when tensor cores cannot take the weights as stored (``tensor_core_native`` in the format catalog)."""
    return not formats.get(weight_format, field="weight_format").tensor_core_native


def bits_per_weight(weight_format: str, *, field: str = "weight_format") -> float:
    return formats.get(weight_format, field=field).bits_per_value


def canonical_format(fmt: str, *, field: str) -> str:
    """Catalog id of a dtype given as 'bfloat16', 'bf16', 'float16', …"""
    return formats.get(fmt, field=field).id
