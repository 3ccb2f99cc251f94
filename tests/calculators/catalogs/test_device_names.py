"""Device names as runtime logs print them map to one catalog entry, or to none: never to a near miss."""

import pytest

from calculators.catalogs import gpus


@pytest.mark.parametrize("printed, gpu_id", [
    ("Apple M4 Max (32-core GPU, 400 GB/s)", "m4-max-36gb"),    # the core count picks the variant
    ("Apple M4 Max (40-core GPU)", "m4-max-128gb"),
    ("AMD Radeon RX 7900 XTX (RADV NAVI31)", "rx-7900-xtx"),    # Vulkan's device line
    ("NVIDIA GeForce RTX 4090", "rtx-4090"),
    ("Tesla T4", "t4"),
])
def test_a_printed_device_name_finds_its_entry(printed, gpu_id):
    assert gpus.match_device_name(printed).id == gpu_id


@pytest.mark.parametrize("printed", ["RTX 3090 Ti", "Apple M4 Max (36-core GPU)", "Vulkan device 0", "", "x" * 5000])
def test_a_near_miss_is_no_match(printed):
    assert gpus.match_device_name(printed) is None
