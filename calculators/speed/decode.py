"""A decode step: every weight read once, the KV cache read per sequence, FLOPs 2 x active params x batch."""

import dataclasses
import math

from calculators.architectures import Architecture
from calculators.catalogs import formats, gpus
from calculators.core import validate
from calculators.speed import efficiency as efficiency_data
from calculators.speed.efficiency import Efficiency
from calculators.speed.forward import (
    NOT_NN_LINEAR,
    allreduce_seconds,
    bits_per_weight,
    canonical_format,
    linear_times,
    needs_dequantization,
)
from calculators.speed.kernels import achievable_bandwidth_bytes_per_s, achievable_flops_per_s, matmul_time, pnorm


@dataclasses.dataclass(frozen=True)
class LinearDecodeStep:
    """Every nn.Linear of the model applied once to ``batch`` rows (attention excluded)."""
    gpu_id: str
    batch: int
    dtype: str
    linear_count: int
    weight_bytes: float
    flops: float
    memory_seconds: float
    compute_seconds: float
    overhead_seconds: float
    step_seconds: float


@dataclasses.dataclass(frozen=True)
class DecodeStep:
    """One generated token for each of ``batch`` sequences holding ``context_tokens`` tokens."""
    gpu_id: str
    batch: int
    context_tokens: int
    tensor_parallel: int
    weight_format: str
    weight_bytes_read: float
    kv_bytes_read: float
    flops: float
    memory_seconds: float
    compute_seconds: float
    linear_seconds: float
    attention_seconds: float
    overhead_seconds: float
    communication_seconds: float
    step_seconds: float
    compute_known: bool

    @property
    def tokens_per_s_per_user(self) -> float:
        return 1.0 / self.step_seconds

    @property
    def tokens_per_s_total(self) -> float:
        return self.batch / self.step_seconds

    @property
    def arithmetic_intensity_flop_per_byte(self) -> float:
        return self.flops / (self.weight_bytes_read + self.kv_bytes_read)

    @property
    def bound(self) -> str:
        return "compute" if self.compute_seconds > self.memory_seconds else "memory"


def linear_decode_step(arch: Architecture, gpu, *, batch: int, weight_format: str = "bf16",
                       eff: Efficiency | None = None) -> LinearDecodeStep:
    """The ``decode_sweep`` measurement: each nn.Linear weight applied once to a (batch, in) activation.

    Routed experts and routers are bare parameters in transformers >= 5, so they are not part of it.
    """
    gpu, eff = gpus.get(gpu), eff or efficiency_data.default()
    batch = validate.integer("batch", batch, minimum=1, maximum=validate.MAX_BATCH)
    fmt = canonical_format(weight_format, field="weight_format")
    bits = bits_per_weight(fmt, field="weight_format")
    parts = [matmul_time(gpu, eff, m=batch, k=g.in_features, n=g.out_features, count=g.count, weight_bits=bits,
                         activation_bytes=bits / 8, compute_format=fmt)
             for g in arch.linear_groups if g.role not in NOT_NN_LINEAR]
    return LinearDecodeStep(
        gpu_id=gpu.id, batch=batch, dtype=fmt, linear_count=sum(p.count for p in parts),
        weight_bytes=sum(p.weight_bytes for p in parts), flops=sum(p.flops for p in parts),
        memory_seconds=sum(p.memory_seconds for p in parts), compute_seconds=sum(p.compute_seconds for p in parts),
        overhead_seconds=sum(p.overhead_seconds for p in parts), step_seconds=sum(p.seconds for p in parts))


def decode_step(arch: Architecture, gpu, *, batch: int = 1, context_tokens: int = 1024, weight_format: str = "bf16",
                kv_format: str | None = None, compute_format: str = "bf16", tensor_parallel: int = 1,
                per_step_overhead_seconds: float = 0.0, eff: Efficiency | None = None) -> DecodeStep:
    """Time of one decode step on one GPU (or one of ``tensor_parallel`` GPUs sharing the model).

    Linear layers: the weights once per step (for MoE, only the experts the batch touches),
    with wave quantization and per-kernel overhead. Attention: each sequence's KV cache read
    once, 4 x heads x head_dim x cached tokens FLOPs per token per layer. Tensor parallelism
    splits every weight and the KV heads, and adds two all-reduces of the hidden state per layer.
    """
    gpu, eff = gpus.get(gpu), eff or efficiency_data.default()
    batch = validate.integer("batch", batch, minimum=1, maximum=validate.MAX_BATCH)
    context = validate.integer("context_tokens", context_tokens, minimum=0, maximum=validate.MAX_CONTEXT_TOKENS)
    tp = validate.integer("tensor_parallel", tensor_parallel, minimum=1, maximum=validate.MAX_TENSOR_PARALLEL)
    extra = validate.number("per_step_overhead_seconds", per_step_overhead_seconds, minimum=0, maximum=3600)
    compute_fmt = canonical_format(compute_format, field="compute_format")
    wfmt = canonical_format(weight_format, field="weight_format")
    kv_fmt = formats.get_kv_cache(kv_format or compute_fmt).id
    act_bytes = bits_per_weight(compute_fmt, field="compute_format") / 8
    kv_bytes_per_value = bits_per_weight(kv_fmt, field="kv_format") / 8
    dequantize = needs_dequantization(wfmt)
    linears = linear_times(arch, gpu, eff, batch=batch, tp=tp, weight_bits=bits_per_weight(wfmt),
                            act_bytes=act_bytes, compute_format=compute_fmt, dequantize=dequantize)

    bandwidth = achievable_bandwidth_bytes_per_s(gpu, eff)
    rate = achievable_flops_per_s(gpu, compute_fmt, eff)
    kv_split = min(tp, max(arch.num_kv_heads, 1))
    heads_per_gpu = math.ceil(arch.num_heads / tp)
    kv_bytes = attn_flops = attn_memory = attn_compute = attention = 0.0
    for mixer, layers in arch.distinct_mixers:
        layer_bytes = batch * mixer.decode_read_values(context) * kv_bytes_per_value / kv_split
        layer_flops = batch * mixer.decode_flops(context, heads_per_gpu, arch.head_dim)
        mem_t = layer_bytes / bandwidth
        comp_t = layer_flops / rate if rate else 0.0
        kv_bytes += layers * layer_bytes
        attn_flops += layers * layer_flops
        attn_memory += layers * mem_t
        attn_compute += layers * comp_t
        attention += layers * (pnorm(mem_t, comp_t, eff.overlap_exponent) + eff.kernel_overhead_seconds)

    communication = allreduce_seconds(gpu, eff, tp=tp, bytes_per_gpu=batch * arch.hidden_size * act_bytes) \
        * 2 * arch.num_layers if tp > 1 else 0.0
    overhead = eff.extra_kernels_per_layer * arch.num_layers * eff.kernel_overhead_seconds + extra
    linear_seconds = sum(t.seconds for t in linears)
    return DecodeStep(
        gpu_id=gpu.id, batch=batch, context_tokens=context, tensor_parallel=tp, weight_format=wfmt,
        weight_bytes_read=sum(t.weight_bytes for t in linears),
        kv_bytes_read=kv_bytes, flops=sum(t.flops for t in linears) + attn_flops,
        memory_seconds=sum(t.memory_seconds for t in linears) + attn_memory,
        compute_seconds=sum(t.compute_seconds for t in linears) + attn_compute,
        linear_seconds=linear_seconds, attention_seconds=attention, overhead_seconds=overhead,
        communication_seconds=communication,
        step_seconds=linear_seconds + attention + overhead + communication,
        compute_known=rate is not None)
