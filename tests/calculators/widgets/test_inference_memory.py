"""The inference-memory widget: its headline verdict and its list of cards agree with what the runtime does."""

from calculators.memory import InferenceSetup, estimate_inference
from calculators.memory.fit import fits
from tests.calculators.widgets.support import run
from tests.reliability.support import arch


def test_a_vllm_verdict_agrees_with_its_pool():
    """4 sequences of 32k need 40.6 GiB of KV cache and the pool on an H100 holds 32.8: the headline says so, and
    the cards that fit are judged the same way (the H100 SXM is not among them)."""
    out = run("inference-memory", model="llama-3.1-70b", runtime="vllm", batch="4", prompt="32768", output="512",
              weights="int4", gpu="h100-sxm")
    assert out["verdict"].startswith("does not fit on NVIDIA H100") and "holds 3 of the 4 sequences" in out["verdict"]
    assert "H100 SXM5" not in out["fits"] and "H100 NVL" in out["fits"]
    one = run("inference-memory", model="llama-3.1-70b", runtime="vllm", batch="3", prompt="32768", output="512",
              weights="int4", gpu="h100-sxm")
    assert one["verdict"] == "fits on NVIDIA H100 SXM5 80GB"


def test_fit_lists_offer_only_cards_the_runtime_runs_on():
    model = arch("llama-3.1-8b")
    cards = {runtime: {fit.gpu_id for fit in fits(estimate_inference(model, InferenceSetup(runtime=runtime)))}
             for runtime in ("transformers", "vllm", "llama.cpp")}
    assert "tpu-v5p" in cards["vllm"] and "gaudi3" in cards["vllm"] and "m4-max-128gb" not in cards["vllm"]
    assert "m4-max-128gb" in cards["transformers"] and not {"tpu-v5p", "gaudi3"} & cards["transformers"]
    assert "m4-max-128gb" in cards["llama.cpp"] and "tpu-v5p" not in cards["llama.cpp"]


def test_advice_fits_the_weights_and_the_runtime():
    """No "quantize to int4" for weights that already are; vLLM's KV pool shrinks with its utilization setting."""
    quantized = run("inference-memory", model="llama-3.1-70b", weights="int4", gpu="rtx-4090")["advice"]
    assert "already at 4.4 bits per weight" in quantized and "quantize" not in quantized
    assert "quantize the weights" in run("inference-memory", model="llama-3.1-70b", weights="bf16")["advice"]
    served = run("inference-memory", model="llama-3.1-8b", runtime="vllm", gpu="h100-sxm")["advice"]
    assert served.startswith("The KV cache takes") and "--gpu-memory-utilization" in served


def test_no_cuda_labels_on_a_mac():
    chart = run("inference-memory", model="llama-3.1-8b", runtime="llama.cpp", gpu="m4-max-128gb")["chart"]
    assert "Metal context" in chart and "CUDA" not in chart
    assert "CUDA context" in run("inference-memory", model="llama-3.1-8b", gpu="h100-sxm")["chart"]
