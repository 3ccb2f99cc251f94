"""LoRA target presets and trainable parameters per module, against PEFT's counts."""

import pytest

from calculators.catalogs import models
from calculators.core.errors import InputError
from calculators.memory import lora, lora_params
from tests.calculators.truth import records


def arch(model_id):
    return models.resolve(model_id)[1]


def test_llama_8b_all_linear_rank_16_matches_the_glossary():
    llama = arch("llama-3.1-8b")
    targets = lora.target_modules(llama, "all-linear")
    assert targets == ("down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj")
    by_module = dict(lora.params_by_module(llama, 16, targets))
    assert sum(by_module.values()) == 41_943_040
    assert by_module["q_proj"] == 32 * 16 * (4096 + 4096)


@pytest.mark.parametrize("model_id, preset, expected", [
    ("llama-3.1-8b", "qv", ("q_proj", "v_proj")),
    ("phi-4", "attention", ("o_proj", "qkv_proj")),
    ("deepseek-v3", "attention", ("kv_a_proj_with_mqa", "kv_b_proj", "o_proj", "q_a_proj", "q_b_proj")),
    ("qwen1.5-moe-a2.7b", "mlp", ("down_proj", "gate_proj", "shared_expert_gate", "up_proj")),
])
def test_presets_follow_each_architecture(model_id, preset, expected):
    assert lora.target_modules(arch(model_id), preset) == expected


@pytest.mark.parametrize("model_id, preset", [("phi-4", "qv"), ("mixtral-8x7b", "mlp"), ("llama-3.1-8b", "all")])
def test_impossible_presets_name_the_field(model_id, preset):
    with pytest.raises(InputError) as caught:
        lora.target_modules(arch(model_id), preset)
    assert caught.value.field == "targets"


@pytest.mark.parametrize("record", [r for r in records("training") if r.get("lora")], ids=lambda r: r["model"])
def test_lora_trainable_params_match_peft(record):
    arch = models.resolve(record["model"], record["config"])[1]
    assert lora_params(arch, record["lora"]["r"], tuple(record["lora"]["targets"])) == record["trainable_params"]
