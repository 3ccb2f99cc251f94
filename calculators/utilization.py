"""Model FLOP utilization (MFU): the arithmetic a run needs for the tokens it processed, over the hardware's peak.

FLOP per token follow the PaLM convention (Chowdhery et al., 2022, appendix B): ``6N`` per trained token (forward
and backward) and ``2N`` per token of inference (forward only), for ``N`` parameters a token passes through (the
active parameters of a mixture of experts), plus, if a sequence length ``T`` is given, the attention term
``12·L·H·Q·T`` for training and a third of it, ``4·L·H·Q·T``, for inference (``L`` layers, ``H`` heads of
dimension ``Q``). Recomputation is not counted: that would be hardware FLOP utilization.
"""

import dataclasses

from calculators.architectures import Architecture
from calculators.errors import InputError

MODES = {"training": ("Training (6N per token)", 6, 12), "inference": ("Inference (2N per token)", 2, 4)}


@dataclasses.dataclass(frozen=True)
class FlopPerToken:
    mode: str
    params: int
    dense: float        # 6N or 2N
    attention: float    # 12·L·H·Q·T or 4·L·H·Q·T; 0 without a sequence length

    @property
    def total(self) -> float:
        return self.dense + self.attention


def flop_per_token(arch: Architecture, mode: str = "training", *, sequence_tokens: int = 0) -> FlopPerToken:
    """Model FLOP per processed token (see the module docstring)."""
    if mode not in MODES:
        raise InputError("mode", f"unknown mode {mode[:20]!r}; expected one of: {', '.join(MODES)}")
    if sequence_tokens < 0:
        raise InputError("seq", "must be at least 0")
    _, dense_factor, attention_factor = MODES[mode]
    params = arch.active_params
    attention = attention_factor * arch.num_layers * arch.num_heads * arch.head_dim * sequence_tokens
    return FlopPerToken(mode=mode, params=params, dense=dense_factor * params, attention=float(attention))


@dataclasses.dataclass(frozen=True)
class Utilization:
    achieved_flops_per_s: float    # whole run
    peak_flops_per_s: float        # whole run: GPUs × per-GPU peak
    mfu: float


def model_flop_utilization(flop_per_token_value: float, tokens_per_s: float, *, gpus: int,
                           peak_flops_per_s_per_gpu: float) -> Utilization:
    """MFU = tokens/s × FLOP per token ÷ (GPUs × peak FLOP/s per GPU)."""
    if not tokens_per_s > 0:
        raise InputError("tokens_per_s", "must be greater than 0")
    if gpus < 1:
        raise InputError("gpus", "must be at least 1")
    if not peak_flops_per_s_per_gpu > 0:
        raise InputError("gpu", "no published peak for this GPU")
    achieved = tokens_per_s * flop_per_token_value
    peak = gpus * peak_flops_per_s_per_gpu
    return Utilization(achieved_flops_per_s=achieved, peak_flops_per_s=peak, mfu=achieved / peak)
