"""The Architecture a config builds: linear groups, tensor records by role, and KV-cache geometry per token."""

from calculators.architectures import build
from calculators.catalogs import models


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


def test_linear_groups_are_computed_once_per_architecture_object(llama8b):
    assert llama8b.linear_groups is llama8b.linear_groups
    other = build(models.get("llama-3.1-8b").config)
    assert other is not llama8b and other.linear_groups == llama8b.linear_groups
