"""The llama.cpp widget: its figures are the engines', and its searches find the edge of what fits."""

from calculators.catalogs import gpus, models
from calculators.core.units import format_bytes
from calculators.memory import InferenceSetup, estimate_inference
from calculators.memory.placement import Placement
from tests.calculators.widgets.support import run


def gpu_bytes(model, context, weights="q4_k_m", **placement):
    arch = models.resolve(model)[1]
    setup = InferenceSetup(prompt_tokens=context, new_tokens=0, weight_format=weights, runtime="llama.cpp",
                           kv_format="fp16", placement=Placement(**placement))
    return sum(d.total_bytes for d in estimate_inference(arch, setup).devices if d.is_gpu)


def test_gpu_memory_is_what_the_memory_engine_puts_on_the_gpu():
    out = run("local-inference", model="llama-3.1-8b", context="16384", gpu="rtx-4090")
    assert out["gpu_total"] == format_bytes(gpu_bytes("llama-3.1-8b", 16384))
    assert out["verdict"].startswith("Fits on NVIDIA GeForce RTX 4090")


def test_the_largest_context_is_the_edge_of_what_fits():
    out = run("local-inference", model="llama-3.1-8b", gpu="rtx-4090", context="8192", weights="bf16")
    largest = int(out["largest_context"].split()[0].replace(",", ""))
    usable = gpus.get("rtx-4090").usable_memory_bytes
    assert gpu_bytes("llama-3.1-8b", largest, "bf16") <= usable < gpu_bytes("llama-3.1-8b", largest + 256, "bf16")
    capped = run("local-inference", model="llama-3.1-8b", gpu="rtx-4090", context="8192")  # Q4_K_M: all of it
    assert capped["largest_context"] == "131,072 tokens (the model's maximum)"


def test_the_gpu_layers_that_fit_are_the_edge_of_what_fits():
    out = run("local-inference", model="llama-3.1-70b", gpu="rtx-4090", context="8192")
    layers = int(out["most_layers"].split()[0])
    usable = gpus.get("rtx-4090").usable_memory_bytes
    assert gpu_bytes("llama-3.1-70b", 8192, gpu_layers=layers) <= usable
    assert gpu_bytes("llama-3.1-70b", 8192, gpu_layers=layers + 1) > usable
    placed = run("local-inference", model="llama-3.1-70b", gpu="rtx-4090", context="8192", gpu_layers=str(layers))
    assert placed["verdict"].startswith("Fits") and "stay in system RAM" in placed["notes"]


def test_experts_in_system_ram_move_memory_off_the_gpu_and_slow_generation():
    on_gpu = run("local-inference", model="qwen3-30b-a3b", gpu="rtx-4090", context="8192")
    off = run("local-inference", model="qwen3-30b-a3b", gpu="rtx-4090", context="8192", cpu_moe="48")
    assert off["gpu_total"] != on_gpu["gpu_total"] and "system RAM" in off["notes"]
    rate = lambda text: float(text.split()[0].replace(",", ""))  # noqa: E731
    assert rate(off["decode"]) < rate(on_gpu["decode"])


def test_cpu_only_says_its_speed_is_unknown_rather_than_guessing():
    out = run("local-inference", model="llama-3.1-8b", gpu="none")
    assert out["gpu_total"] == "no GPU" and out["decode"].startswith("unknown")


def test_ollama_defaults_decide_the_context_and_the_layers_it_offloads():
    out = run("local-inference", model="llama-3.1-70b", gpu="rtx-4090", ollama="0.32.15")
    # 24 GiB is above the 23 GiB tier: num_ctx 32768; whole layers while 457 MiB stay free
    assert "32,768 tokens of context" in out["ollama"]
    layers = int(out["ollama"].split("free: ")[1].split()[0])
    budget = gpus.get("rtx-4090").usable_memory_bytes - 457 * 2**20
    assert gpu_bytes("llama-3.1-70b", 32768, gpu_layers=layers) <= budget < \
        gpu_bytes("llama-3.1-70b", 32768, gpu_layers=layers + 1)
    old = run("local-inference", model="llama-3.1-8b", gpu="rtx-4090", ollama="0.6.0")
    assert "8,192 tokens of context (4 × num_ctx 2,048)" in old["ollama"]
