"""The tensor-parallel widget: weights per GPU, all-reduce cost and the comparison table."""

from calculators import widgets
from calculators.catalogs import models
from calculators.core.units import format_bytes
from calculators.speed import tensor_parallel_plan


def test_four_h100s_hold_llama_70b():
    result = widgets.run("tensor-parallel", {"model": "llama-3.1-70b", "gpu": "h100-sxm", "tp": "4"})
    assert result["ok"], result
    out = result["outputs"]
    plan = tensor_parallel_plan(models.resolve("llama-3.1-70b")[1], "h100-sxm", tensor_parallel=4)
    assert out["weights"] == format_bytes(plan.weights_per_gpu_bytes)
    assert "fits" in out["notes"] and "160 all-reduces" in out["notes"]
    assert out["table"].count("<tr>") == 5  # header and degrees 1, 2, 4, 8


def test_no_interconnect_is_reported_on_the_degree():
    result = widgets.run("tensor-parallel", {"model": "llama-3.1-8b", "gpu": "m4-max-128gb", "tp": "2"})
    assert result["ok"] is False and result["field"] == "tp" and "interconnect" in result["message"]
    single = widgets.run("tensor-parallel", {"model": "llama-3.1-8b", "gpu": "m4-max-128gb", "tp": "1"})
    assert single["ok"] and single["outputs"]["table"].count("<tr>") == 2


def test_kv_heads_replicated_beyond_their_count():
    config = ('{"model_type": "llama", "hidden_size": 1024, "intermediate_size": 2048, "num_hidden_layers": 2, '
              '"num_attention_heads": 8, "num_key_value_heads": 2, "vocab_size": 1000}')
    result = widgets.run("tensor-parallel", {"model": "custom", "config": config, "tp": "8"})
    assert result["ok"], result
    assert "2 key-value heads" in result["outputs"]["notes"]
