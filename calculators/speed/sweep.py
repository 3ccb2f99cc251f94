"""The batch sweep: latency per user against total throughput, and where decoding turns compute-bound."""

import dataclasses

from calculators.architectures import Architecture
from calculators.core import validate
from calculators.core.errors import InputError
from calculators.speed.decode import DecodeStep, decode_step

DEFAULT_BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


@dataclasses.dataclass(frozen=True)
class SweepRow:
    batch: int
    step_seconds: float
    tokens_per_s_per_user: float
    tokens_per_s_total: float
    memory_seconds: float
    compute_seconds: float
    bound: str


@dataclasses.dataclass(frozen=True)
class Sweep:
    gpu_id: str
    context_tokens: int
    rows: tuple[SweepRow, ...]
    #: Smallest batch whose compute time exceeds its memory time (None: never within validate.MAX_BATCH or unknown compute).
    compute_bound_batch: int | None


def _row(step: DecodeStep) -> SweepRow:
    return SweepRow(batch=step.batch, step_seconds=step.step_seconds,
                    tokens_per_s_per_user=step.tokens_per_s_per_user, tokens_per_s_total=step.tokens_per_s_total,
                    memory_seconds=step.memory_seconds, compute_seconds=step.compute_seconds, bound=step.bound)


def compute_bound_batch(step_at) -> int | None:
    """Smallest batch b with step_at(b).compute_seconds > memory_seconds (doubling, then bisection)."""
    first = step_at(1)
    if not first.compute_known:
        return None
    if first.bound == "compute":
        return 1
    low, high = 1, 2
    while step_at(high).bound != "compute":
        low, high = high, high * 2
        if high > validate.MAX_BATCH:
            return None
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if step_at(mid).bound == "compute" else (mid, high)
    return high


def batch_sweep(arch: Architecture, gpu, *, batches=DEFAULT_BATCHES, context_tokens: int = 1024, **options) -> Sweep:
    """Decode steps at each batch size; ``options`` go to :func:`decode_step` (weight_format, tensor_parallel, …)."""
    if isinstance(batches, (int, str)) or len(batches) == 0:
        raise InputError("batches", "give one or more batch sizes")
    sizes = sorted({validate.integer("batches", b, minimum=1, maximum=validate.MAX_BATCH) for b in batches})
    steps = [decode_step(arch, gpu, batch=b, context_tokens=context_tokens, **options) for b in sizes]
    crossover = compute_bound_batch(
        lambda b: decode_step(arch, gpu, batch=b, context_tokens=context_tokens, **options))
    return Sweep(gpu_id=steps[0].gpu_id, context_tokens=steps[0].context_tokens,
                 rows=tuple(_row(s) for s in steps), compute_bound_batch=crossover)
