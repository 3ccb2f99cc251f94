"""The 2N / 6ND rules, GPU time at a given MFU, and FLOP per token and model FLOP utilization."""

import pytest

from calculators.catalogs import gpus, models
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
                                           ({"mfu_percent": 5e-324}, "mfu"), ({"mfu_percent": 1e-9}, "mfu"),
                                           ({"gpus": 0}, "gpus"), ({"compute_format": "fp8", "gpu": "rtx-3090"}, "compute_format")])
def test_bad_inputs_name_their_field(kwargs, field):
    gpu = gpus.get(kwargs.pop("gpu", "h100-sxm"))
    with pytest.raises(InputError) as caught:
        flops.gpu_time(1e20, gpu, **kwargs)
    assert caught.value.field == field


def test_mfu_matches_the_glossary_examples():
    arch = models.resolve("llama-3.1-8b")[1]
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
    arch = models.resolve("deepseek-v3")[1]
    assert flops.flop_per_token(arch).params == arch.active_params < arch.n_params


def test_mfu_input_errors():
    with pytest.raises(InputError) as error:
        flops.model_flop_utilization(1e9, 0, gpus=1, peak_flops_per_s_per_gpu=1e15)
    assert error.value.field == "tokens_per_s"
    with pytest.raises(InputError):
        flops.flop_per_token(models.resolve("llama-3.1-8b")[1], "pretraining")
