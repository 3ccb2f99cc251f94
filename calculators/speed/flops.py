"""FLOP counts and what they take: the 2N / 6ND rules of thumb, GPU time at a given model FLOP utilisation,
and MFU itself.

Model FLOP utilization (MFU): the arithmetic a run needs for the tokens it processed, over the hardware's peak.

FLOP per token follow the PaLM convention (Chowdhery et al., 2022, appendix B): ``6N`` per trained token (forward
and backward) and ``2N`` per token of inference (forward only), for ``N`` parameters a token passes through (the
active parameters of a mixture of experts), plus, if a sequence length ``T`` is given, the attention term
``12·L·H·Q·T`` for training and a third of it, ``4·L·H·Q·T``, for inference (``L`` layers, ``H`` heads of
dimension ``Q``). Recomputation is not counted: that would be hardware FLOP utilization.
"""

import dataclasses

from calculators.architectures import Architecture
from calculators.catalogs.gpus import Gpu
from calculators.core import validate
from calculators.core.errors import InputError

#: Largest token count accepted for a training run (a quadrillion), far beyond any published run.
MAX_TRAINING_TOKENS = 1e15
SECONDS_PER_DAY = 86_400
#: Smallest MFU accepted, in percent: below a hundredth of a percent a run is not using the GPU at all, and the
#: time it implies overflows any unit.
MIN_MFU_PERCENT = 0.01


def forward_flops_per_token(active_params: float) -> float:
    """About 2N FLOP per token: one multiply and one add per (active) weight."""
    return 2 * validate.number("params", active_params, minimum=1, maximum=validate.MAX_PARAMS)


def training_flops(active_params: float, tokens: float) -> float:
    """About 6ND FLOP: forward (2N) plus backward (4N) per token, over ``tokens`` tokens."""
    tokens = validate.number("tokens", tokens, minimum=1, maximum=MAX_TRAINING_TOKENS)
    return 3 * forward_flops_per_token(active_params) * tokens


@dataclasses.dataclass(frozen=True)
class GpuTime:
    flops: float
    peak_flops_per_s: float
    mfu: float
    gpus: int

    @property
    def achieved_flops_per_s(self) -> float:
        """What one GPU delivers: its dense peak times the MFU."""
        return self.peak_flops_per_s * self.mfu

    @property
    def gpu_seconds(self) -> float:
        return self.flops / self.achieved_flops_per_s

    @property
    def gpu_days(self) -> float:
        return self.gpu_seconds / SECONDS_PER_DAY

    @property
    def gpu_hours(self) -> float:
        return self.gpu_seconds / 3600

    @property
    def wall_seconds(self) -> float:
        """Elapsed time with the work spread evenly over ``gpus`` GPUs."""
        return self.gpu_seconds / self.gpus


def gpu_time(flops: float, gpu: Gpu, *, compute_format: str = "bf16", mfu_percent: float = 40, gpus: int = 1) -> GpuTime:
    """Time to do ``flops`` on ``gpus`` copies of ``gpu`` at ``mfu_percent`` of its dense ``compute_format`` peak."""
    mfu = validate.number("mfu", mfu_percent, minimum=MIN_MFU_PERCENT, maximum=100) / 100
    count = validate.integer("gpus", gpus, minimum=1, maximum=1_000_000)
    peak = gpu.peak_flops_per_s(compute_format)
    if not peak:
        raise InputError("compute_format", f"{gpu.name} has no published dense {compute_format.upper()} figure; "
                                           "pick another format")
    return GpuTime(flops=flops, peak_flops_per_s=peak, mfu=mfu, gpus=count)




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
