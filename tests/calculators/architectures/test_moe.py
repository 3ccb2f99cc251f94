"""MoE layouts are data: every model type names a known layout, and each layout's layer rule exists."""

import pytest

from calculators import data
from calculators.architectures import build, moe


def test_every_moe_model_type_names_a_layout_with_a_known_layer_rule():
    types = data.load("model_types.json")["model_types"]
    named = {t["structure"]["moe"] for t in types.values() if t["structure"]["moe"]}
    assert named == set(moe.layouts())
    assert {layout["layers"] for layout in moe.layouts().values()} <= set(moe.LAYER_RULES)


@pytest.mark.parametrize("config, routed", [
    ({"model_type": "deepseek_v3", "num_hidden_layers": 6, "first_k_dense_replace": 2, "moe_layer_freq": 2},
     [False, False, True, False, True, False]),
    ({"model_type": "qwen2_moe", "num_hidden_layers": 4, "decoder_sparse_step": 2}, [False, True, False, True]),
    ({"model_type": "qwen3_moe", "num_hidden_layers": 3, "mlp_only_layers": [1]}, [True, False, True]),
    ({"model_type": "mixtral", "num_hidden_layers": 2}, [True, True]),
])
def test_layer_rules_place_the_routed_layers_as_the_configuration_classes_do(config, routed):
    assert [layer.routed for layer in build(config).layers] == routed


def test_a_shared_expert_of_the_routed_width_counts_each_shared_expert():
    ds = build({"model_type": "deepseek_v3", "num_hidden_layers": 4, "first_k_dense_replace": 1, "n_shared_experts": 2})
    shared = [t for t in ds.layers[1].tensors if t.role == "shared_expert" and t.module == "gate_proj"]
    assert shared[0].out_features == 2 * ds.moe_intermediate_size
