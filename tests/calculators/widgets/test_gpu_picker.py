"""The GPU picker ranks with calculators.speed.rank and reads price overrides."""

from calculators import widgets
from calculators.catalogs import models
from calculators.speed import rank


def run(**inputs):
    return widgets.run("gpu-picker", inputs)


def test_first_choice_is_the_engine_ranking():
    result = run(model="llama-3.1-70b", weights="fp8", batch="8", context="4096", counts="1, 2", sort="tokens_per_s")
    assert result["ok"]
    options = rank(models.resolve("llama-3.1-70b")[1], weight_format="fp8", batch=8, context_tokens=4096,
                   counts=(1, 2))
    assert result["outputs"]["best"] == f"{options[0].gpu_name} × {options[0].count}"
    assert f"{len(options)} options fit" in result["outputs"]["summary"]


def test_price_overrides_change_the_cheapest():
    result = run(model="llama-3.1-8b", sort="cost", counts="1", prices="rtx-4090=0.01")
    assert result["ok"]
    assert result["outputs"]["best"] == "NVIDIA GeForce RTX 4090 × 1"
    assert "your price" in result["outputs"]["table"]


def test_bad_prices_and_counts_point_at_their_field():
    for prices in ("h100-sxm", "h100-sxm=cheap", "not-a-gpu=1", "h100-sxm=-1"):
        result = run(prices=prices)
        assert result["ok"] is False and result["field"] == "prices", (prices, result)
    for counts in ("", "0", "2.5", "1,100", "x"):
        result = run(counts=counts)
        assert result["ok"] is False and result["field"] == "counts", (counts, result)


def test_nothing_fits_is_an_answer_not_an_error():
    result = run(model="llama-3.1-405b", weights="bf16", counts="1")
    assert result["ok"] and result["outputs"]["best"] == "none fits"


def test_table_is_escaped():
    result = run(model="custom", config='{"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, '
                                         '"num_hidden_layers": 2, "num_attention_heads": 4, "vocab_size": 100}')
    assert result["ok"], result
    assert "<script" not in result["outputs"]["table"]
