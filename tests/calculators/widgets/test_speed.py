"""The speed widget agrees with the speed engine's request model and marks where decode turns compute-bound."""

from calculators.catalogs import models
from calculators.core.units import format_duration, format_rate
from calculators.speed import batch_sweep, request
from tests.calculators.widgets.support import run


def test_speed_matches_the_request_model():
    out = run("speed", model="llama-3.1-8b", gpu="h100-sxm", weights="bf16", batch="16", prompt="1024", output="256")
    arch = models.resolve("llama-3.1-8b")[1]
    req = request(arch, "h100-sxm", prompt_tokens=1024, output_tokens=256, batch=16)
    assert out["per_user"] == format_rate(req.tokens_per_s_per_user)
    assert out["total"] == format_rate(req.tokens_per_s_total)
    assert out["ttft"] == format_duration(req.ttft_seconds)
    assert out["tpot"] == format_duration(req.time_per_output_token_seconds)
    assert out["bound"].startswith("Memory-bound")
    assert "memory-bound at every batch size" in out["notes"]


def test_speed_chart_marks_the_compute_bound_knee():
    out = run("speed")  # 70B in FP8 on an H200: the knee is inside the sweep
    arch = models.resolve("llama-3.1-70b")[1]
    knee = batch_sweep(arch, "h200", context_tokens=1024 + 128, weight_format="fp8").compute_bound_batch
    assert knee is not None and knee <= 1024
    assert f"compute-bound from batch {knee}" in out["chart"]
    assert f"From a batch of {knee}" in out["notes"]
    assert out["chart"].count("<circle") >= 11 + 2  # one marker per batch size, the knee and the chosen batch


def test_speed_says_when_the_model_does_not_fit():
    out = run("speed", model="llama-3.1-405b", gpu="rtx-4090", weights="bf16", batch="1")
    assert "does not fit" in out["notes"]
