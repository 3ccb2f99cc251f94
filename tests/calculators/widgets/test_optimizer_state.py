"""The optimizer-state, lora, quantization and flop-rules widgets agree with their glossary entries."""

from calculators import widgets


def run(widget_id, **inputs):
    result = widgets.run(widget_id, inputs)
    assert result["ok"], result
    return result["outputs"]


def test_optimizer_state_matches_the_entry_table():
    out = run("optimizer-state")
    assert (out["per_param"], out["total"], out["state"]) == ("16 bytes", "128.48 GB", "64.24 GB")
    zero1 = run("optimizer-state", gpus="8", zero="1")
    assert zero1["total"] == "44.17 GB per GPU"  # 2 + 2 + 12/8 bytes per parameter


def test_optimizer_state_by_parameter_count():
    out = run("optimizer-state", model="params", params="70e9", optimizer="sgd", precision="bf16")
    assert out["per_param"] == "6 bytes" and "70 billion" in out["notes"]
    assert widgets.run("optimizer-state", {"model": "params", "optimizer": "adafactor"})["field"] == "optimizer"


def test_lora_matches_the_entry_worked_example():
    out = run("lora")
    assert out["trainable"] == "41,943,040" and out["share"].startswith("0.52%")
    assert (out["adapter_file"], out["lora_memory"]) == ("83.89 MB", "671.09 MB")


def test_quantization_counts_scales_and_16_bit_tensors():
    nvfp4 = run("quantization")  # Llama 3.1 70B in NVFP4, as in the FP4 entry
    assert 4.5 < float(nvfp4["bits"]) < 5  # embeddings and output layer stay in BF16
    q4 = run("quantization", model="llama-3.1-8b", format="q4_k_m")
    assert "Q6_K" in q4["mix"] and "(chosen)" in q4["table"]
    assert widgets.run("quantization", {"format": "q4_k"})["field"] == "format"


def test_flop_rules_match_the_entry():
    out = run("flop-rules")
    assert out["train_flops"] == "7.23 × 10²³ FLOP"
    assert out["gpu_days"].endswith("(507,217 GPU-hours)")
    assert out["per_token"] == "1.61 × 10¹⁰ FLOP"
    moe = run("flop-rules", model="mixtral-8x7b")
    assert "active parameters" in moe["explain"]
