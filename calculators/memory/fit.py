"""Which GPUs of the catalog hold an estimate, and with how much memory to spare: the cards the estimate's runtime
runs on (``runs_on`` in runtimes.json), each judged the way that runtime uses memory."""

import dataclasses

from calculators.catalogs import gpus
from calculators.memory.result import MemoryEstimate
from calculators.memory.runtimes import vllm
from calculators.memory.setup import runtime_data


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
    figure already subtracts it). vLLM takes a share of the card and needs its KV pool to hold the batch, so it
    needs more than it shows in use (:func:`vllm.card_bytes_needed`)."""
    if estimate.runtime == "vllm":
        return vllm.card_bytes_needed(estimate)
    return estimate.device_used_bytes - estimate.component("cuda_context")


def runs_on(runtime: str, gpu: gpus.Gpu) -> bool:
    """Whether ``runtime`` has a GPU backend for ``gpu`` (runtimes.json ``runs_on``)."""
    support = runtime_data()["runs_on"].get(runtime)
    return support is None or (gpu.vendor in support["vendors"] and gpu.id not in support.get("excluded_gpus", ()))


def fit_on(estimate: MemoryEstimate, gpu: gpus.Gpu) -> GpuFit:
    """How ``estimate`` sits on one GPU: what it needs against what the card can use."""
    need = needed_bytes(estimate)
    return GpuFit(gpu.id, gpu.name, float(gpu.usable_memory_bytes), need, gpu.usable_memory_bytes - need)


def fits(estimate: MemoryEstimate, *, only_fitting: bool = False) -> tuple[GpuFit, ...]:
    """Every catalog GPU the estimate's runtime runs on, with its headroom, most headroom last (tightest first)."""
    rows = [fit_on(estimate, g) for g in gpus.all_gpus().values() if runs_on(estimate.runtime, g)]
    if only_fitting:
        rows = [r for r in rows if r.fits]
    rows.sort(key=lambda r: (not r.fits, abs(r.headroom_bytes)))
    return tuple(rows)
