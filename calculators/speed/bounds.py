"""Bandwidth ceilings: the fastest one sequence can decode when every byte it needs is read once per token."""

import dataclasses

from calculators.architectures import Architecture
from calculators.catalogs import gpus
from calculators.speed import efficiency as efficiency_data
from calculators.speed.decode import decode_step


@dataclasses.dataclass(frozen=True)
class DecodeCeiling:
    """Batch-1 decoding: bytes read per token and the tokens/s that memory bandwidth allows."""
    gpu_id: str
    weight_format: str
    context_tokens: int
    weight_bytes_per_token: float
    kv_bytes_per_token: float
    bandwidth_bytes_per_s: float
    bandwidth_fraction: float
    modelled_step_seconds: float

    @property
    def bytes_per_token(self) -> float:
        return self.weight_bytes_per_token + self.kv_bytes_per_token

    @property
    def floor_seconds(self) -> float:
        """Bytes ÷ spec-sheet bandwidth: no kernel can be faster."""
        return self.bytes_per_token / self.bandwidth_bytes_per_s

    @property
    def ceiling_tokens_per_s(self) -> float:
        return 1.0 / self.floor_seconds

    @property
    def achievable_tokens_per_s(self) -> float:
        """The ceiling at the bandwidth a copy kernel measures (the speed model's fraction)."""
        return self.ceiling_tokens_per_s * self.bandwidth_fraction

    @property
    def modelled_tokens_per_s(self) -> float:
        """The speed model's full estimate: bandwidth plus kernel overheads and compute."""
        return 1.0 / self.modelled_step_seconds


def decode_ceiling(arch: Architecture, gpu, *, weight_format: str = "bf16", context_tokens: int = 0,
                   kv_format: str | None = None) -> DecodeCeiling:
    """Upper bound on one user's tokens/s: spec bandwidth ÷ (weights read + KV cache read) per token.

    Weights read are those a batch-1 step touches (for a mixture of experts, the active experts only).
    """
    gpu = gpus.get(gpu)
    step = decode_step(arch, gpu, batch=1, context_tokens=context_tokens, weight_format=weight_format,
                       kv_format=kv_format)
    return DecodeCeiling(gpu_id=gpu.id, weight_format=step.weight_format, context_tokens=step.context_tokens,
                         weight_bytes_per_token=step.weight_bytes_read, kv_bytes_per_token=step.kv_bytes_read,
                         bandwidth_bytes_per_s=gpu.memory_bandwidth_bytes_per_s,
                         bandwidth_fraction=efficiency_data.default().memory_bandwidth_fraction,
                         modelled_step_seconds=step.step_seconds)
