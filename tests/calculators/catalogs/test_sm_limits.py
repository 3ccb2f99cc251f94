"""Per-SM limits by compute capability: the data file against the CUDA Programming Guide, and the GPUs it covers."""

import pytest

from calculators.catalogs import gpus, sm_limits
from calculators.core.errors import InputError


def test_data_file_matches_the_programming_guide():
    table = sm_limits.all_limits()
    def row(cc):
        return table[cc].max_warps_per_sm, table[cc].max_blocks_per_sm, table[cc].shared_memory_per_sm_kib

    assert row("9.0") == (64, 32, 228) and row("8.0") == (64, 32, 164)
    assert row("8.9") == (48, 24, 100) and row("12.0") == (48, 24, 100)
    assert (table["7.5"].max_warps_per_sm, table["7.5"].reserved_shared_memory_per_block_kib) == (32, 0)
    for sm in table.values():
        assert sm.max_threads_per_sm == 32 * sm.max_warps_per_sm
        reserve = sm.reserved_shared_memory_per_block_kib
        assert sm.max_shared_memory_per_block_kib == sm.shared_memory_per_sm_kib - reserve
        assert sm.source.startswith("https://docs.nvidia.com/")


def test_every_nvidia_gpu_in_the_catalog_has_limits():
    for gpu in gpus.all_gpus().values():
        if gpu.vendor == "nvidia":
            assert sm_limits.limits_for_gpu(gpu).compute_capability == gpu.compute_capability


def test_unknown_capability_and_non_nvidia_gpu():
    with pytest.raises(InputError, match="known: 7.0"):
        sm_limits.limits("6.1")
    with pytest.raises(InputError, match="NVIDIA"):
        sm_limits.limits_for_gpu(gpus.get("mi300x"))
