"""Per-SM limits by CUDA compute capability (``data/sm_limits.json``, from the CUDA C++ Programming Guide's
technical specifications), and which catalog GPUs have them."""

import dataclasses
import functools

from calculators import data
from calculators.catalogs import gpus
from calculators.core.errors import InputError
from calculators.core.units import KIB


@dataclasses.dataclass(frozen=True)
class SmLimits:
    compute_capability: str
    architecture: str
    warp_size: int
    max_threads_per_block: int
    max_blocks_per_sm: int
    max_warps_per_sm: int
    max_threads_per_sm: int
    registers_per_sm: int
    max_registers_per_block: int
    max_registers_per_thread: int
    register_allocation_unit: int
    register_sub_partitions: int
    shared_memory_per_sm_kib: float
    max_shared_memory_per_block_kib: float
    default_shared_memory_per_block_kib: float
    reserved_shared_memory_per_block_kib: float
    shared_memory_allocation_unit_bytes: int
    source: str

    @property
    def shared_memory_per_sm_bytes(self) -> int:
        return int(self.shared_memory_per_sm_kib * KIB)

    @property
    def max_shared_memory_per_block_bytes(self) -> int:
        return int(self.max_shared_memory_per_block_kib * KIB)


@functools.cache
def all_limits() -> dict[str, SmLimits]:
    """Per-SM limits by compute capability ("9.0"), in file order."""
    fields = {f.name for f in dataclasses.fields(SmLimits)}
    return {r["compute_capability"]: SmLimits(**{k: v for k, v in r.items() if k in fields})
            for r in data.load("sm_limits.json")["limits"]}


def limits(compute_capability: str, *, field: str = "gpu") -> SmLimits:
    table = all_limits()
    key = str(compute_capability).strip()
    if key not in table:
        raise InputError(field, f"no per-SM limits for compute capability {key[:12]!r}; "
                                f"known: {', '.join(table)}")
    return table[key]


def limits_for_gpu(gpu: gpus.Gpu, *, field: str = "gpu") -> SmLimits:
    """The limits of a catalog GPU's compute capability (NVIDIA only)."""
    if not gpu.compute_capability:
        raise InputError(field, f"{gpu.name} has no CUDA compute capability; occupancy here follows CUDA's "
                                "per-SM limits, so pick an NVIDIA GPU")
    return limits(gpu.compute_capability, field=field)


def gpus_with_limits() -> tuple[gpus.Gpu, ...]:
    """Catalog GPUs whose compute capability has limits in the data file."""
    return tuple(g for g in gpus.all_gpus().values() if g.compute_capability in all_limits())
