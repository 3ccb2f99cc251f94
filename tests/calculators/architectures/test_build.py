"""Parameter counts and KV geometry from config.json, per model_type."""

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


def test_every_listed_model_type_is_supported():
    assert set(HF_DEFAULT_COUNTS) == set(supported_model_types())


@pytest.mark.parametrize("model_type", sorted(HF_DEFAULT_COUNTS))
def test_default_config_counts_match_transformers(model_type):
    assert build({"model_type": model_type}).n_params == HF_DEFAULT_COUNTS[model_type]


@pytest.mark.parametrize("record", TRUTH, ids=lambda r: f"{r['model']}-{r['kind']}-{r['batch']}x{r['seq']}")
def test_counts_match_pytorch_n_params(record):
    assert build(record["config"]).n_params == record["n_params"]


def test_linear_groups_cover_experts_and_tied_head():
    arch = build({"model_type": "mixtral"})
    experts = {(g.in_features, g.out_features): g.count for g in arch.linear_groups if g.role == "expert"}
    assert experts[(4096, 14336)] == 32 * 8 * 2  # w1 and w3 of 8 experts in 32 layers
    assert experts[(14336, 4096)] == 32 * 8
    assert arch.matmul_params == sum(t.total_numel for t in arch.tensors if t.is_linear)
    tied = build({"model_type": "llama", "tie_word_embeddings": True, "num_hidden_layers": 2})
    assert (tied.hidden_size, tied.vocab_size, 1, "lm_head") in [
        (g.in_features, g.out_features, g.count, g.role) for g in tied.linear_groups]
    assert all(t.role != "lm_head" for t in tied.tensors)


def test_tensor_records_sum_to_the_count():
    arch = build({"model_type": "deepseek_v3"})
    assert sum(t.total_numel for t in arch.tensors) == arch.n_params
    roles = arch.params_by_role()
    assert roles["expert"] > roles["attention"] > roles["embedding"]
    assert any(t.layer == 0 and t.role == "mlp" for t in arch.tensors)  # dense first layers
    assert not any(t.layer == 0 and t.role == "expert" for t in arch.tensors)
    assert any(t.layer == 3 and t.role == "shared_expert" for t in arch.tensors)


def test_moe_active_params():
    arch = build({"model_type": "mixtral"})
    expert = arch.params_by_role()["expert"]
    assert arch.active_params == arch.n_params - expert + expert * 2 // 8
    dense = build({"model_type": "llama"})
    assert dense.active_params == dense.n_params


def test_kv_per_token_gqa_mha_mqa():
    llama = build({"model_type": "llama", "num_key_value_heads": 8, "max_position_embeddings": 131072,
                   "vocab_size": 128256, "intermediate_size": 14336})
    assert llama.kv_bytes_per_token(2) == 128 * 1024  # 32 layers x 2 x 8 heads x 128 x 2 B
    assert llama.kv_sharing == "GQA"
    assert build({"model_type": "llama"}).kv_bytes_per_token(2) == 512 * 1024
    assert build({"model_type": "llama"}).kv_sharing == "MHA"
    mqa = build({"model_type": "llama", "num_key_value_heads": 1})
    assert mqa.kv_sharing == "MQA" and mqa.kv_bytes_per_token(2) == 32 * 2 * 128 * 2


def test_kv_mla_latent_and_decompressed():
    arch = build({"model_type": "deepseek_v3"})
    assert arch.kv_sharing == "MLA"
    assert arch.kv_bytes_per_token(2, latent=True) == 61 * (512 + 64) * 2
    assert arch.kv_bytes_per_token(2) == 61 * 128 * (192 + 128) * 2


def test_kv_sliding_and_hybrid_layers():
    gemma3 = build({"model_type": "gemma3_text"})
    kinds = [layer.kind for layer in gemma3.attention]
    assert kinds[:6] == ["sliding"] * 5 + ["full"]
    per_layer = 2 * 4 * 256 * 2
    tokens = 32768
    expected = (kinds.count("full") * tokens + kinds.count("sliding") * 4096) * per_layer
    assert gemma3.kv_cache_bytes(1, tokens, 2) == expected
    assert gemma3.kv_cache_bytes(1, 100, 2) == 26 * 100 * per_layer
    mistral = build({"model_type": "mistral"})
    assert mistral.attention_kinds == ("sliding",)
    no_window = build({"model_type": "mistral", "sliding_window": None})
    assert no_window.attention_kinds == ("full",)
    oss = build({"model_type": "gpt_oss"})
    assert oss.attention_kinds == ("sliding", "full") and oss.attention[0].window == 128


def test_sliding_pattern_longer_than_the_model_slides_every_layer():
    # transformers: layer i is full only when (i + 1) % sliding_window_pattern == 0
    short = build({"model_type": "gemma3_text", "num_hidden_layers": 2, "sliding_window_pattern": 6})
    assert [layer.kind for layer in short.attention] == ["sliding", "sliding"]


def test_unknown_model_type_gives_generic_estimate_with_warning():
    arch = build({"model_type": "brand_new_lm", "hidden_size": 1024, "num_hidden_layers": 4,
                  "num_attention_heads": 8, "vocab_size": 1000, "intermediate_size": 4096})
    assert arch.warnings and "brand_new_lm" in arch.warnings[0]
    assert arch.n_params == 1000 * 1024 * 2 + 4 * (4 * 1024 * 1024 + 3 * 1024 * 4096 + 2 * 1024) + 1024
    gpt2 = build({"model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "vocab_size": 50257})
    assert gpt2.warnings and gpt2.hidden_size == 768


def test_multimodal_wrapper_counts_text_model_with_warning():
    arch = build({"model_type": "gemma3", "text_config": {"model_type": "gemma3_text"}})
    assert arch.n_params == HF_DEFAULT_COUNTS["gemma3_text"]
    assert "text_config" in arch.warnings[0]


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
    ({"model_type": "brand_new_lm"}, "config.hidden_size"),
    ({"model_type": "llama", "hidden_size": 131072, "intermediate_size": 1048576, "num_hidden_layers": 1024,
      "num_attention_heads": 1024, "vocab_size": 10**7}, "config"),
])
def test_bad_configs_name_the_field(config, field):
    with pytest.raises(InputError) as caught:
        build(config)
    assert caught.value.field == field
