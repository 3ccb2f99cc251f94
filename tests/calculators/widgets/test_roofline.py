"""The roofline widget places a matmul or a decode step with the engine's numbers."""

from calculators import widgets
from calculators.catalogs import gpus, models
from calculators.speed import decode_step, matmul_intensity_flop_per_byte, place


def run(**inputs):
    result = widgets.run("roofline", inputs)
    assert result["ok"], result
    return result["outputs"]


def test_matmul_on_an_h100():
    out = run(gpu="h100-sxm", format="bf16", workload="matmul", m="4096", n="4096", k="4096")
    intensity = matmul_intensity_flop_per_byte(4096, 4096, 4096)
    assert out["intensity"] == f"{intensity:,.0f} FLOP/byte" == "1,365 FLOP/byte"
    assert out["bound"] == "compute-bound" and out["ridge"] == "295 FLOP/byte"
    assert out["attainable"].startswith("990 TFLOP/s (100% of peak)")
    assert "ridge 295" in out["chart"] and "matmul 4096×4096×4096" in out["chart"]


def test_decode_step_is_memory_bound():
    out = run(gpu="h100-sxm", format="bf16", workload="decode", model="llama-3.1-8b", batch="8", context="1024")
    step = decode_step(models.resolve("llama-3.1-8b")[1], "h100-sxm", batch=8, context_tokens=1024)
    point = place(gpus.get("h100-sxm"), step.arithmetic_intensity_flop_per_byte)
    assert out["bound"] == "memory-bound" == f"{point.bound}-bound"
    assert "decode, batch 8" in out["chart"]


def test_gpus_without_figures_are_rejected_on_the_right_field():
    result = widgets.run("roofline", {"gpu": "dgx-spark"})
    assert result["ok"] is False and result["field"] == "gpu"
    result = widgets.run("roofline", {"gpu": "a100-80gb-sxm", "format": "fp8"})
    assert result["ok"] is False and result["field"] == "format" and "FP8" in result["message"]
