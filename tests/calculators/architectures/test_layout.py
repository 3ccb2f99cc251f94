"""Layer layout rules from config.json: which layers slide, over which window."""

from calculators.architectures import build


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
