"""Prefill: the prompt's forward pass, which sets the time to first token."""

import dataclasses
import math

from calculators.architectures import Architecture
from calculators.catalogs import gpus
from calculators.core import validate
from calculators.speed import efficiency as efficiency_data
from calculators.speed.efficiency import Efficiency
from calculators.speed.forward import (
    allreduce_seconds,
    bits_per_weight,
    canonical_format,
    linear_times,
    needs_dequantization,
)
from calculators.speed.kernels import achievable_bandwidth_bytes_per_s, achievable_flops_per_s, pnorm


@dataclasses.dataclass(frozen=True)
class Prefill:
    """Forward pass over ``batch`` prompts of ``prompt_tokens`` tokens, logits for the last position only."""
    gpu_id: str
    batch: int
    prompt_tokens: int
    tensor_parallel: int
    flops: float
    linear_seconds: float
    attention_seconds: float
    overhead_seconds: float
    communication_seconds: float
    seconds: float
    compute_known: bool

    @property
    def ttft_seconds(self) -> float:
        """Time to first token: the prefill produces the first token's logits."""
        return self.seconds

    @property
    def tokens_per_s(self) -> float:
        return self.batch * self.prompt_tokens / self.seconds


def prefill(arch: Architecture, gpu, *, prompt_tokens: int, batch: int = 1, weight_format: str = "bf16",
            compute_format: str = "bf16", tensor_parallel: int = 1, eff: Efficiency | None = None) -> Prefill:
    """Time of the prompt's forward pass: linears on batch x prompt rows, causal attention, per-kernel overhead.

    FLOPs are 2 x active params per token plus 4 x heads x head_dim per query-key pair; the
    weights are read once. With long prompts this is compute-bound, unlike decoding.
    """
    gpu, eff = gpus.get(gpu), eff or efficiency_data.default()
    batch = validate.integer("batch", batch, minimum=1, maximum=validate.MAX_BATCH)
    prompt = validate.integer("prompt_tokens", prompt_tokens, minimum=1, maximum=validate.MAX_CONTEXT_TOKENS)
    tp = validate.integer("tensor_parallel", tensor_parallel, minimum=1, maximum=validate.MAX_TENSOR_PARALLEL)
    compute_fmt = canonical_format(compute_format, field="compute_format")
    wfmt = canonical_format(weight_format, field="weight_format")
    act_bytes = bits_per_weight(compute_fmt, field="compute_format") / 8
    rows = batch * prompt
    linears = linear_times(arch, gpu, eff, batch=rows, tp=tp, weight_bits=bits_per_weight(wfmt),
                           act_bytes=act_bytes, compute_format=compute_fmt, dequantize=needs_dequantization(wfmt),
                           lm_head_rows=batch)
    bandwidth = achievable_bandwidth_bytes_per_s(gpu, eff)
    rate = achievable_flops_per_s(gpu, compute_fmt, eff)
    heads = math.ceil(arch.num_heads / tp)
    kv_split = min(tp, max(arch.num_kv_heads, 1))
    attn_flops = attention = 0.0
    for layer in arch.attention:
        flops = batch * layer.prefill_flops(prompt, heads, arch.head_dim)
        moved = batch * prompt * (layer.values_per_token() / kv_split + 2 * heads * arch.head_dim) * act_bytes
        attn_flops += flops
        attention += pnorm(moved / bandwidth, flops / rate if rate else 0.0, eff.overlap_exponent) \
            + eff.kernel_overhead_seconds
    communication = 2 * arch.num_layers * allreduce_seconds(
        gpu, eff, tp=tp, bytes_per_gpu=rows * arch.hidden_size * act_bytes) if tp > 1 else 0.0
    overhead = eff.extra_kernels_per_layer * arch.num_layers * eff.kernel_overhead_seconds
    linear_seconds = sum(t.seconds for t in linears)
    return Prefill(gpu_id=gpu.id, batch=batch, prompt_tokens=prompt, tensor_parallel=tp,
                   flops=sum(t.flops for t in linears) + attn_flops, linear_seconds=linear_seconds,
                   attention_seconds=attention, overhead_seconds=overhead, communication_seconds=communication,
                   seconds=linear_seconds + attention + overhead + communication, compute_known=rate is not None)
