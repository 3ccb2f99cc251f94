"""Training memory: modes, optimizers, checkpointing, LoRA/QLoRA, ZeRO/FSDP, loss logits."""

import pytest

from calculators.architectures import build
from calculators.catalogs import models as model_catalog
from calculators.catalogs.models import resolve
from calculators.core.errors import InputError
from calculators.memory import TrainingSetup, estimate_training
from calculators.memory.training import gathered_params
from tests.calculators.memory.support import DIMS, B, S

LLAMA1B = resolve("llama-3.2-1b")[1]
LLAMA8 = resolve("llama-3.1-8b")[1]


def est(arch=LLAMA1B, **kw):
    return estimate_training(arch, TrainingSetup(**kw))


def test_mixed_precision_model_states():
    result = est(batch=8, context_tokens=2048)
    assert result.peak_phase == "backward"
    assert result.component("weights") == LLAMA1B.n_params * 4
    assert result.component("optimizer_states") == LLAMA1B.n_params * 8
    step = est(batch=1, context_tokens=16)
    assert step.peak_phase == "optimizer-step"  # W + G + 2 states + foreach temporary
    assert step.component("optimizer_states") == LLAMA1B.n_params * 4 * 3
    assert step.peak_allocated_bytes == LLAMA1B.n_params * 4 * 5


def test_pure_bf16_halves_model_states():
    assert est(mode="bf16", context_tokens=16).peak_allocated_bytes == LLAMA1B.n_params * 2 * 5


def test_fp32_activations_are_larger_than_mixed():
    mixed = est(mode="amp", batch=4, context_tokens=1024)
    fp32 = est(mode="fp32", batch=4, context_tokens=1024)
    assert fp32.facts.saved_activation_bytes > mixed.facts.saved_activation_bytes


@pytest.mark.parametrize("optimizer, states_per_param", [
    ("adamw", 8), ("torch.optim.AdamW", 8), ("sgd", 4), ("lion", 4), ("adamw8bit", 2.00390625)])
def test_optimizer_states(optimizer, states_per_param):
    result = est(optimizer=optimizer, batch=4, context_tokens=1024)
    assert result.component("optimizer_states") == pytest.approx(LLAMA1B.n_params * states_per_param)


def test_adafactor_factors_matrices():
    states = est(optimizer="adafactor", batch=4, context_tokens=1024).component("optimizer_states")
    assert states < 0.01 * LLAMA1B.n_params * 4


def test_gradient_checkpointing_cuts_saved_activations():
    full = est(batch=8, context_tokens=2048)
    ckpt = est(batch=8, context_tokens=2048, grad_ckpt=True)
    assert ckpt.facts.saved_activation_bytes < 0.5 * full.facts.saved_activation_bytes


def test_loss_logits_are_fp32_for_every_position():
    result = est(batch=8, context_tokens=1024)
    assert result.component("logits") == 3 * 4 * 8 * 1024 * LLAMA1B.vocab_size


def test_lora_and_qlora():
    lora = est(LLAMA8, mode="lora", lora_rank=16, batch=1, context_tokens=2048)
    qlora = est(LLAMA8, mode="qlora", lora_rank=16, batch=1, context_tokens=2048)
    assert lora.component("adapters") == 13_631_488 * 4
    assert lora.component("optimizer_states") == 13_631_488 * 8
    assert lora.component("weights") == LLAMA8.n_params * 2
    assert qlora.component("weights") < 0.4 * lora.component("weights")
    more = est(LLAMA8, mode="lora", lora_rank=64, lora_targets="all-linear", batch=1, context_tokens=2048)
    assert more.component("adapters") > 10 * lora.component("adapters")


def test_zero_stages_shard_more_and_more():
    peaks = [est(LLAMA8, mode="amp", zero_stage=z, num_gpus=8, batch=1, context_tokens=2048, grad_ckpt=True)
             for z in (0, 1, 2, 3)]
    assert peaks[0].peak_allocated_bytes > peaks[1].peak_allocated_bytes > peaks[2].peak_allocated_bytes \
        > peaks[3].peak_allocated_bytes
    assert peaks[1].component("optimizer_states") == pytest.approx(LLAMA8.n_params * (8 + 4) / 8)
    single = est(LLAMA8, zero_stage=3, num_gpus=1, context_tokens=512)
    assert [w.code for w in single.warnings] == ["nothing_sharded"]


@pytest.mark.parametrize("field, kw", [
    ("mode", {"mode": "int4"}), ("optimizer", {"optimizer": "adam9"}), ("batch", {"batch": 0}),
    ("context_tokens", {"context_tokens": -1}), ("lora_rank", {"mode": "lora", "lora_rank": 0}),
    ("lora_targets", {"mode": "lora", "lora_rank": 8, "lora_targets": ("wq",)}),
    ("zero_stage", {"zero_stage": 4}), ("num_gpus", {"num_gpus": 0}), ("grad_ckpt", {"grad_ckpt": "yes"}),
    ("qlora_format", {"mode": "qlora", "lora_rank": 8, "qlora_format": "nf3"}),
])
def test_bad_training_inputs_name_their_field(field, kw):
    with pytest.raises(InputError) as caught:
        est(**kw)
    assert caught.value.field == field


def test_soft_capped_logits_keep_the_tanh_output():
    capped = build({"model_type": "gemma2", **DIMS})
    plain = build({"model_type": "gemma2", **DIMS, "final_logit_softcapping": None})
    setup = TrainingSetup(batch=B, context_tokens=S)
    difference = (estimate_training(capped, setup).component("logits")
                  - estimate_training(plain, setup).component("logits"))
    assert difference == 2 * B * S * 32000


def test_zero3_gathers_a_layer_and_its_neighbour_not_two_copies_of_the_largest():
    config = dict(model_catalog.get("deepseek-v3").config, num_hidden_layers=4)  # three dense layers, then one MoE layer
    arch = build(config)
    dense, moe = arch.layers[0].params, arch.layers[3].params
    assert moe > 10 * dense
    assert gathered_params(arch) == dense + moe
    assert gathered_params(LLAMA8) == 2 * LLAMA8.layers[0].params
    sharded = est(arch, mode="bf16", zero_stage=3, num_gpus=8, batch=1, context_tokens=16)
    assert sharded.component("weights") == pytest.approx(2 * (arch.n_params / 8 + dense + moe))
