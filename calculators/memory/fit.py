"""Which GPUs of the catalog hold an estimate, and with how much memory to spare."""

import dataclasses

from calculators.catalogs import gpus
from calculators.memory.result import MemoryEstimate


@dataclasses.dataclass(frozen=True)
class GpuFit:
    gpu_id: str
    name: str
    usable_bytes: float
    needed_bytes: float
    headroom_bytes: float

    @property
    def fits(self) -> bool:
        return self.headroom_bytes >= 0


def needed_bytes(estimate: MemoryEstimate) -> float:
    """Memory the scenario needs on the card, the runtime context excluded (the catalog's usable
    figure already subtracts it)."""
    return estimate.device_used_bytes - estimate.component("cuda_context")


def fit_on(estimate: MemoryEstimate, gpu: gpus.Gpu) -> GpuFit:
    """How ``estimate`` sits on one GPU: what it needs against what the card can use."""
    need = needed_bytes(estimate)
    return GpuFit(gpu.id, gpu.name, float(gpu.usable_memory_bytes), need, gpu.usable_memory_bytes - need)


def fits(estimate: MemoryEstimate, *, only_fitting: bool = False) -> tuple[GpuFit, ...]:
    """Every catalog GPU with its headroom for ``estimate``, most headroom last (tightest fit first)."""
    rows = [fit_on(estimate, g) for g in gpus.all_gpus().values()]
    if only_fitting:
        rows = [r for r in rows if r.fits]
    rows.sort(key=lambda r: (not r.fits, abs(r.headroom_bytes)))
    return tuple(rows)
