"""Link transfers and ring collectives over a GPU's interconnect or host link, and the size parser."""

import pytest

from calculators.catalogs import gpus
from calculators.core.errors import InputError
from calculators.core.units import GIB, MIB
from calculators.device import interconnect


@pytest.mark.parametrize("text, expected", [("16 GB", 16e9), ("1.5 GiB", 1.5 * GIB), ("64MiB", 64 * MIB),
                                            ("2e9", 2e9), ("1,000 kb", 1e6), (" 3 tb ", 3e12)])
def test_parse_size(text, expected):
    assert interconnect.parse_size("size", text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "lots", "-1 GB", "0", "1 GX", "nan", "1e30", "x" * 100])
def test_parse_size_rejects(text):
    with pytest.raises(InputError) as error:
        interconnect.parse_size("size", text)
    assert error.value.field == "size"


def test_copy_uses_one_direction_of_the_link():
    h100 = gpus.get("h100-sxm")
    nvlink = interconnect.transfer(GIB, interconnect.link(h100, "interconnect"))
    pcie = interconnect.transfer(GIB, interconnect.link(h100, "host"))
    assert nvlink.seconds == pytest.approx(GIB / 450e9)   # 2.4 ms, as the NVLink entry computes
    assert pcie.seconds == pytest.approx(GIB / 64e9)      # 16.8 ms


def test_ring_all_reduce():
    link = interconnect.link(gpus.get("h100-sxm"), "interconnect")
    result = interconnect.transfer(64 * MIB, link, collective="all-reduce", gpus=8)
    assert result.bytes_per_gpu == pytest.approx(112 * MIB)   # 2 × 7/8 × 64 MiB (NCCL entry)
    assert result.seconds == pytest.approx(112 * MIB / 450e9)
    assert interconnect.collective_factor("all-gather", 4) == 0.75
    with pytest.raises(InputError, match="at least 2"):
        interconnect.transfer(GIB, link, collective="all-reduce", gpus=1)


def test_missing_link_is_an_input_error():
    with pytest.raises(InputError, match="host link") as error:
        interconnect.link(gpus.get("rtx-4090"), "interconnect")
    assert error.value.field == "link"
