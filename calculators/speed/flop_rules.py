"""The FLOP rules of thumb: about 2N FLOP per token forward, 6ND for training over D tokens, and the GPU
time they take at a given model FLOP utilisation (MFU)."""

import dataclasses

from calculators import validate
from calculators.errors import InputError
from calculators.gpus import Gpu

#: Largest token count accepted for a training run (a quadrillion), far beyond any published run.
MAX_TRAINING_TOKENS = 1e15
SECONDS_PER_DAY = 86_400


def forward_flops_per_token(active_params: float) -> float:
    """About 2N FLOP per token: one multiply and one add per (active) weight."""
    return 2 * validate.number("params", active_params, minimum=1, maximum=1e13)


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


def gpu_time(flops: float, gpu: Gpu, *, dtype: str = "bf16", mfu_percent: float = 40, gpus: int = 1) -> GpuTime:
    """Time to do ``flops`` on ``gpus`` copies of ``gpu`` at ``mfu_percent`` of its dense ``dtype`` peak."""
    mfu = validate.number("mfu", mfu_percent, minimum=0, exclusive_minimum=True, maximum=100) / 100
    count = validate.integer("gpus", gpus, minimum=1, maximum=1_000_000)
    peak = gpu.peak_flops_per_s(dtype)
    if not peak:
        raise InputError("dtype", f"{gpu.name} has no published dense {dtype.upper()} figure; pick another format")
    return GpuTime(flops=flops, peak_flops_per_s=peak, mfu=mfu, gpus=count)
