"""Little's law, link transfers and ring collectives, and model FLOP flops."""

import pytest

from calculators.catalogs import gpus
from calculators.device import interconnect
from calculators.catalogs import models
from calculators.speed import flops
from calculators.core.errors import InputError
from calculators.device.littles_law import bytes_in_flight
from calculators.core.units import GIB, MIB


def test_littles_law_on_the_h100():
    h100 = gpus.get("h100-sxm")
    flight = bytes_in_flight(h100.memory_bandwidth_bytes_per_s, 600e-9, units=h100.compute_units)
    assert flight.total_bytes == pytest.approx(2.01e6)
    assert flight.per_unit_bytes == pytest.approx(2.01e6 / 132)
    assert flight.loads_per_unit(128) == pytest.approx(119, abs=1)
    assert flight.loads_per_thread(4, 2048) == pytest.approx(1.86, abs=0.01)
    assert bytes_in_flight(1e12, 1e-6).per_unit_bytes is None


def test_littles_law_rejects_bad_latency():
    with pytest.raises(InputError) as error:
        bytes_in_flight(1e12, 0)
    assert error.value.field == "latency"


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


def test_mfu_matches_the_glossary_examples():
    arch = models.get("llama-3.1-8b").architecture()
    per_token = flops.flop_per_token(arch, "training")
    assert per_token.total == 6 * arch.active_params
    result = flops.model_flop_utilization(per_token.total, 8000, gpus=1, peak_flops_per_s_per_gpu=989.5e12)
    assert result.mfu == pytest.approx(0.39, abs=0.005)
    # Attention term at 8,192 tokens: 12 × 32 layers × 4096 × 8192, about 1.3e10 FLOP per token.
    long = flops.flop_per_token(arch, "training", sequence_tokens=8192)
    assert long.attention == 12 * 32 * 4096 * 8192
    inference = flops.flop_per_token(arch, "inference", sequence_tokens=8192)
    assert inference.dense == 2 * arch.active_params and inference.attention == long.attention / 3


def test_mfu_uses_active_parameters_of_a_moe():
    arch = models.get("deepseek-v3").architecture()
    assert flops.flop_per_token(arch).params == arch.active_params < arch.n_params


def test_mfu_input_errors():
    with pytest.raises(InputError) as error:
        flops.model_flop_utilization(1e9, 0, gpus=1, peak_flops_per_s_per_gpu=1e15)
    assert error.value.field == "tokens_per_s"
    with pytest.raises(InputError):
        flops.flop_per_token(models.get("llama-3.1-8b").architecture(), "pretraining")
