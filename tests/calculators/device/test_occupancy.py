"""Theoretical occupancy against the worked examples of the glossary and the CUDA occupancy calculator's rules."""

import pytest

from calculators.catalogs import sm_limits
from calculators.core.errors import InputError
from calculators.device import occupancy


def run(cc="9.0", threads=256, registers=64, shared=0):
    return occupancy.theoretical_occupancy(sm_limits.limits(cc), threads_per_block=threads,
                                           registers_per_thread=registers, shared_memory_per_block_bytes=shared)


@pytest.mark.parametrize("registers, blocks, warps", [(32, 8, 64), (64, 4, 32), (80, 3, 24), (96, 2, 16), (128, 2, 16),
                                                      (255, 1, 8)])
def test_register_limit_on_hopper(registers, blocks, warps):
    result = run(registers=registers)
    assert (result.blocks_per_sm, result.active_warps) == (blocks, warps)
    assert "registers" in result.limiting


def test_per_warp_rounding_to_256_registers():
    # 255 × 32 = 8,160 rounds to 8,192: two warps per 16,384-register sub-partition, eight per SM.
    assert run(registers=255).registers_per_warp == 8192
    assert run(threads=32, registers=255).blocks_per_sm == 8


def test_shared_memory_with_the_driver_reserve():
    # Thread-block entry: 128 threads, 96 registers, 40 KiB shared on 228 KiB: 5 blocks by both limits.
    result = run(threads=128, registers=96, shared=40 * 1024)
    assert result.blocks_limited_by("shared_memory") == 5 and result.blocks_limited_by("registers") == 5
    assert result.limiting == ("registers", "shared_memory")
    assert result.shared_memory_allocated_bytes == 41 * 1024
    # 113 KiB + 1 KiB reserve = 114 KiB: exactly two fit in 228 KiB.
    assert run(threads=64, registers=32, shared=113 * 1024).blocks_per_sm == 2


def test_block_slot_limit_for_tiny_blocks():
    result = run(threads=32, registers=16)
    assert result.blocks_per_sm == 32 and result.limiting == ("blocks",) and result.occupancy == 0.5


def test_a_block_that_cannot_launch():
    result = run(threads=1024, registers=255)
    assert result.blocks_per_sm == 0 and result.occupancy == 0 and "launch fails" in result.launch_error


@pytest.mark.parametrize("kwargs, field", [({"threads": 0}, "threads"), ({"threads": 1025}, "threads"),
                                           ({"registers": 256}, "registers"), ({"shared": 228 * 1024}, "shared")])
def test_out_of_range_inputs_name_their_field(kwargs, field):
    with pytest.raises(InputError) as error:
        run(**kwargs)
    assert error.value.field == field


def test_register_sweep_is_non_increasing():
    sweep = occupancy.register_sweep(sm_limits.limits("8.0"), threads_per_block=256)
    values = [o for _, o in sweep]
    assert sweep[-1][0] == 255 and values[0] == 1.0
    assert all(a >= b for a, b in zip(values, values[1:]))
