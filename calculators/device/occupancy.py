"""Theoretical occupancy: how many thread blocks of a kernel fit on one SM, and what limits them.

The per-SM limits come from ``calculators.catalogs.sm_limits`` (CUDA C++ Programming Guide, technical specifications per
compute capability). The arithmetic follows the CUDA occupancy calculator (``cuda_occupancy.h``):

- warps: a block of ``t`` threads takes ``ceil(t / 32)`` warp slots;
- registers: each warp is given ``registers per thread × 32`` rounded up to 256, from one of four sub-partitions
  of the register file, so ``floor(registers_per_sm / 4 / per_warp) × 4`` warps fit;
- shared memory: each block takes its request plus the 1 KiB the driver reserves (compute capability 8.0 and
  later), rounded up to the allocation unit, out of the largest carveout the SM offers;
- a cap on resident blocks per SM.

It is the *theoretical* figure, as the occupancy calculator and Nsight Compute report it; achieved occupancy is
lower when blocks finish unevenly or the grid is too small.
"""

import dataclasses

from calculators.catalogs.sm_limits import SmLimits
from calculators.core.errors import InputError
from calculators.core.units import KIB

#: Resources, in the order the occupancy calculator reports them, with their labels.
RESOURCE_LABELS = {"warps": "Warp slots", "blocks": "Block slots", "registers": "Registers",
                   "shared_memory": "Shared memory"}


@dataclasses.dataclass(frozen=True)
class Occupancy:
    limits: SmLimits
    threads_per_block: int
    registers_per_thread: int
    shared_memory_per_block_bytes: int
    warps_per_block: int
    registers_per_warp: int          # allocated, after rounding to the allocation unit
    registers_per_block: int         # allocated
    shared_memory_allocated_bytes: int  # per block: request + reserve, rounded up
    blocks_by: tuple[tuple[str, int], ...]  # (resource, blocks per SM it allows)
    blocks_per_sm: int
    limiting: tuple[str, ...]        # resources that set blocks_per_sm (ties included)
    launch_error: str                # non-empty when one block cannot be resident at all

    @property
    def active_warps(self) -> int:
        return self.blocks_per_sm * self.warps_per_block

    @property
    def active_threads(self) -> int:
        return self.blocks_per_sm * self.threads_per_block

    @property
    def occupancy(self) -> float:
        """Active warps as a fraction of the SM's maximum."""
        return self.active_warps / self.limits.max_warps_per_sm

    def blocks_limited_by(self, resource: str) -> int:
        return dict(self.blocks_by)[resource]


def _round_up(value: int, unit: int) -> int:
    return -(-value // unit) * unit


def theoretical_occupancy(sm: SmLimits, *, threads_per_block: int, registers_per_thread: int,
                          shared_memory_per_block_bytes: int = 0) -> Occupancy:
    """Blocks per SM allowed by each resource and the resulting occupancy (see the module docstring)."""
    if not 1 <= threads_per_block <= sm.max_threads_per_block:
        raise InputError("threads", f"must be between 1 and {sm.max_threads_per_block} threads per block")
    if not 1 <= registers_per_thread <= sm.max_registers_per_thread:
        raise InputError("registers", f"must be between 1 and {sm.max_registers_per_thread} registers per thread")
    if not 0 <= shared_memory_per_block_bytes <= sm.max_shared_memory_per_block_bytes:
        raise InputError("shared", f"a block may use at most {sm.max_shared_memory_per_block_kib:g} KiB of shared "
                                   f"memory on compute capability {sm.compute_capability}")
    warps = -(-threads_per_block // sm.warp_size)
    per_warp = _round_up(registers_per_thread * sm.warp_size, sm.register_allocation_unit)
    per_block = per_warp * warps
    # The hardware check assumes every sub-partition gets the block's warps at once.
    assumed = registers_per_thread * sm.warp_size * _round_up(warps, sm.register_sub_partitions)
    launch_error = ""
    if max(per_block, assumed) > sm.max_registers_per_block:
        launch_error = (f"one block needs {max(per_block, assumed):,} registers, more than the "
                        f"{sm.max_registers_per_block:,} a block may use: the launch fails")
        by_registers = 0
    else:
        warps_per_partition = sm.registers_per_sm // sm.register_sub_partitions // per_warp
        by_registers = warps_per_partition * sm.register_sub_partitions // warps
    reserve = int(sm.reserved_shared_memory_per_block_kib * KIB)
    smem = _round_up(shared_memory_per_block_bytes + reserve, sm.shared_memory_allocation_unit_bytes)
    by_shared = sm.shared_memory_per_sm_bytes // smem if smem else sm.max_blocks_per_sm
    blocks_by = (("warps", sm.max_warps_per_sm // warps), ("blocks", sm.max_blocks_per_sm),
                 ("registers", by_registers), ("shared_memory", by_shared))
    blocks = min(count for _, count in blocks_by)
    limiting = tuple(name for name, count in blocks_by if count == blocks)
    return Occupancy(limits=sm, threads_per_block=threads_per_block, registers_per_thread=registers_per_thread,
                     shared_memory_per_block_bytes=shared_memory_per_block_bytes, warps_per_block=warps,
                     registers_per_warp=per_warp, registers_per_block=per_block,
                     shared_memory_allocated_bytes=smem, blocks_by=blocks_by, blocks_per_sm=blocks,
                     limiting=limiting, launch_error=launch_error)


def register_sweep(sm: SmLimits, *, threads_per_block: int, shared_memory_per_block_bytes: int = 0,
                   step: int = 1) -> tuple[tuple[int, float], ...]:
    """(registers per thread, occupancy) from ``step`` to the per-thread maximum, as the occupancy calculator plots."""
    counts = list(range(step, sm.max_registers_per_thread + 1, step))
    if counts[-1] != sm.max_registers_per_thread:
        counts.append(sm.max_registers_per_thread)
    return tuple((r, theoretical_occupancy(sm, threads_per_block=threads_per_block, registers_per_thread=r,
                                           shared_memory_per_block_bytes=shared_memory_per_block_bytes).occupancy)
                 for r in counts)
