"""build(): parameter counts per model_type, MoE active parameters, unknown and wrapped types, bad fields."""

import pytest

from calculators.architectures import build, supported_model_types
from calculators.core.errors import InputError
from tests.calculators.truth import records

TRUTH = [r for r in records("inference", "training")]

#: sum(p.numel()) of AutoModelForCausalLM.from_config(AutoConfig.for_model(model_type)) on the meta
#: device, transformers 5.24.0: the configuration classes' defaults, one per model_type.
HF_DEFAULT_COUNTS = {
    "llama": 6_738_415_616, "mistral": 7_241_732_096, "mixtral": 46_702_792_704, "qwen2": 12_049_846_272,
    "qwen2_moe": 14_315_784_192, "qwen3": 12_049_461_248, "qwen3_moe": 15_350_731_776, "gemma": 8_537_680_896,
    "gemma2": 2_614_341_888, "gemma3_text": 2_628_658_432, "phi3": 3_821_079_552, "deepseek_v3": 671_026_404_352,
    "gpt_oss": 116_829_156_672, "olmo2": 6_888_624_128,
}


#: model_types whose configuration defaults do not build a model (DeepseekV2Config leaves num_experts_per_tok
#: None): checked on a published config instead, against the total its runtime printed.
PUBLISHED_COUNTS = {
    # DeepSeek-Coder-V2-Lite-Instruct config.json; 'llm_load_print_meta: model params     = 15.706 B'
    # (ik_llama.cpp log in shared/field-truth, mem-ik-dsv2lite-q4km-c512-cpu-nomla)
    "deepseek_v2": ({"model_type": "deepseek_v2", "vocab_size": 102400, "hidden_size": 2048,
                     "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 27,
                     "num_attention_heads": 16, "num_key_value_heads": 16, "n_shared_experts": 2,
                     "n_routed_experts": 64, "num_experts_per_tok": 6, "first_k_dense_replace": 1,
                     "moe_layer_freq": 1, "kv_lora_rank": 512, "q_lora_rank": None, "qk_rope_head_dim": 64,
                     "v_head_dim": 128, "qk_nope_head_dim": 128, "tie_word_embeddings": False}, 15.706e9),
}


def test_every_listed_model_type_is_supported():
    assert set(HF_DEFAULT_COUNTS) | set(PUBLISHED_COUNTS) == set(supported_model_types())


@pytest.mark.parametrize("model_type", sorted(PUBLISHED_COUNTS))
def test_published_configs_count_the_published_total(model_type):
    config, total = PUBLISHED_COUNTS[model_type]
    assert build(config).n_params == pytest.approx(total, abs=0.0005e9)  # the figure's rounding


@pytest.mark.parametrize("model_type", sorted(HF_DEFAULT_COUNTS))
def test_default_config_counts_match_transformers(model_type):
    assert build({"model_type": model_type}).n_params == HF_DEFAULT_COUNTS[model_type]


@pytest.mark.parametrize("record", TRUTH, ids=lambda r: f"{r['model']}-{r['kind']}-{r['batch']}x{r['seq']}")
def test_counts_match_pytorch_n_params(record):
    assert build(record["config"]).n_params == record["n_params"]


def test_moe_active_params():
    arch = build({"model_type": "mixtral"})
    expert = arch.params_by_role()["expert"]
    assert arch.active_params == arch.n_params - expert + expert * 2 // 8
    dense = build({"model_type": "llama"})
    assert dense.active_params == dense.n_params


@pytest.mark.parametrize("config", [
    {"model_type": "brand_new_lm", "hidden_size": 1024, "num_hidden_layers": 4, "num_attention_heads": 8,
     "vocab_size": 1000, "intermediate_size": 4096},
    {"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "vocab_size": 50257},
    {"hidden_size": 1024, "num_hidden_layers": 4},
])
def test_an_unknown_architecture_is_refused_naming_its_model_type(config):
    """Never a silent guess: a Llama-shaped estimate of an unknown MoE or hybrid can be several times off."""
    with pytest.raises(InputError) as caught:
        build(config)
    assert caught.value.field == "config.model_type"
    expected = repr(config["model_type"]) if "model_type" in config else "missing"
    assert expected in caught.value.message
    assert "supported: llama" in caught.value.message


def test_every_surface_refuses_an_unknown_architecture():
    import json

    from calculators import scenarios, widgets
    config = {"model_type": "glm4_moe", "hidden_size": 4096, "num_hidden_layers": 46, "num_attention_heads": 96,
              "vocab_size": 151552}
    result = widgets.run("inference-memory", {"model": "custom", "config": json.dumps(config)})
    assert not result["ok"] and result["field"] == "config" and "glm4_moe" in result["message"]
    with pytest.raises(InputError) as caught:
        scenarios.run({"kind": "inference", "config": config})
    assert caught.value.field == "config.model_type"


def test_multimodal_wrapper_counts_text_model_with_warning():
    arch = build({"model_type": "gemma3", "text_config": {"model_type": "gemma3_text"}})
    assert arch.n_params == HF_DEFAULT_COUNTS["gemma3_text"]
    assert arch.warnings[0].code == "text_model_only" and "text_config" in arch.warnings[0].text


@pytest.mark.parametrize("config, field", [
    ({"model_type": "llama", "hidden_size": 0}, "config.hidden_size"),
    ({"model_type": "llama", "hidden_size": -4096}, "config.hidden_size"),
    ({"model_type": "llama", "hidden_size": "big"}, "config.hidden_size"),
    ({"model_type": "llama", "num_hidden_layers": 10**9}, "config.num_hidden_layers"),
    ({"model_type": "llama", "num_key_value_heads": 5}, "config.num_key_value_heads"),
    ({"model_type": "llama", "hidden_size": 4000, "num_attention_heads": 3}, "config.num_attention_heads"),
    ({"model_type": "llama", "tie_word_embeddings": "yes"}, "config.tie_word_embeddings"),
    ({"model_type": "llama", "vocab_size": 1.5}, "config.vocab_size"),
    ({"model_type": 7}, "config.model_type"),
    ({"model_type": "mixtral", "num_experts_per_tok": 9}, "config.num_experts_per_tok"),
    ({"model_type": "qwen3_moe", "mlp_only_layers": "all"}, "config.mlp_only_layers"),
    ({"model_type": "gemma3_text", "layer_types": ["full_attention"]}, "config.layer_types"),
    ({"model_type": "brand_new_lm"}, "config.model_type"),
    ({"model_type": "llama", "hidden_size": 131072, "intermediate_size": 1048576, "num_hidden_layers": 1024,
      "num_attention_heads": 1024, "vocab_size": 10**7}, "config"),
])
def test_bad_configs_name_the_field(config, field):
    with pytest.raises(InputError) as caught:
        build(config)
    assert caught.value.field == field
