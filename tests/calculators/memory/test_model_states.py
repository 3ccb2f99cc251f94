"""Model states per parameter (weights, gradients, master weights, optimizer state) and ZeRO sharding."""

import pytest

from calculators.catalogs import models
from calculators.core.errors import InputError
from calculators.memory.model_states import model_states

_, LLAMA_8B = models.resolve("llama-3.1-8b")


@pytest.mark.parametrize("optimizer, precision, per_param", [
    ("adamw", "bf16-master", 16), ("adamw", "amp", 16), ("adamw", "bf16", 8), ("adamw", "fp32", 16),
    ("sgd", "bf16-master", 12), ("lion", "bf16", 6), ("adamw8bit", "bf16-master", 8 + 2.00390625),
])
def test_bytes_per_parameter(optimizer, precision, per_param):
    states = model_states(optimizer, precision, params=10**9)
    assert states.per_param("total") == pytest.approx(per_param)


def test_mixed_precision_splits_like_the_zero_paper():
    states = model_states("adamw", "bf16-master", arch=LLAMA_8B)
    assert (states.per_param("weights"), states.per_param("gradients"), states.per_param("master_weights"),
            states.per_param("optimizer_states")) == (2, 2, 4, 8)
    assert states.total == pytest.approx(16 * 8_030_261_248)


def test_zero_stages_shard_progressively():
    states = model_states("adamw", "bf16-master", params=10**9)
    per_gpu = [states.sharded(8, stage).per_param("total") for stage in range(4)]
    assert per_gpu == pytest.approx([16, 2 + 2 + 12 / 8, 2 + 14 / 8, 16 / 8])


def test_adafactor_is_factored_and_needs_shapes():
    factored = model_states("adafactor", "bf16-master", arch=LLAMA_8B)
    assert 0 < factored.optimizer_states < 0.01 * LLAMA_8B.n_params * 4
    with pytest.raises(InputError) as caught:
        model_states("adafactor", "bf16-master", params=10**9)
    assert caught.value.field == "optimizer"


def test_bad_inputs_name_their_field():
    for kwargs, field in [({"optimizer": "adamw", "precision": "fp64", "params": 1}, "precision"),
                          ({"optimizer": "adamw", "precision": "bf16", "params": 0}, "params")]:
        with pytest.raises(InputError) as caught:
            model_states(**kwargs)
        assert caught.value.field == field
