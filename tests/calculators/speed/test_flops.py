"""The 2N / 6ND rules and GPU time at a given MFU."""

import pytest

from calculators.catalogs import gpus
from calculators.core.errors import InputError
from calculators.speed import flops


def test_rules():
    assert flops.forward_flops_per_token(8e9) == 1.6e10
    assert flops.training_flops(8.03e9, 15e12) == pytest.approx(7.227e23)


def test_llama_3_8b_pretraining_takes_about_half_a_million_h100_hours():
    h100 = gpus.get("h100-sxm")
    time = flops.gpu_time(flops.training_flops(8.03e9, 15e12), h100, mfu_percent=40)
    assert time.gpu_hours == pytest.approx(507_000, rel=0.01)
    eight = flops.gpu_time(time.flops, h100, mfu_percent=40, gpus=8)
    assert eight.wall_seconds == pytest.approx(time.gpu_seconds / 8)


@pytest.mark.parametrize("kwargs, field", [({"mfu_percent": 0}, "mfu"), ({"mfu_percent": 101}, "mfu"),
                                           ({"gpus": 0}, "gpus"), ({"dtype": "fp8", "gpu": "rtx-3090"}, "dtype")])
def test_bad_inputs_name_their_field(kwargs, field):
    gpu = gpus.get(kwargs.pop("gpu", "h100-sxm"))
    with pytest.raises(InputError) as caught:
        flops.gpu_time(1e20, gpu, **kwargs)
    assert caught.value.field == field
