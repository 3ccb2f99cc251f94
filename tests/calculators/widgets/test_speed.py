"""The speed, batch-size, prefill-decode and decode-bound widgets agree with the speed engine."""

import re
import time

import pytest

from calculators import widgets
from calculators.catalogs import gpus
from calculators.catalogs import models
from calculators.speed import batch_sweep, decode_ceiling, decode_step, request
from calculators.widgets import speed_format as show

SPEED_WIDGETS = ("speed", "roofline", "gpu-picker", "decode-bound", "batch-size", "prefill-decode", "tensor-parallel")


def run(widget_id, **inputs):
    result = widgets.run(widget_id, inputs)
    assert result["ok"], result
    return result["outputs"]


def test_speed_matches_the_request_model():
    out = run("speed", model="llama-3.1-8b", gpu="h100-sxm", weights="bf16", batch="16", prompt="1024", output="256")
    arch = models.resolve("llama-3.1-8b")[1]
    req = request(arch, "h100-sxm", prompt_tokens=1024, output_tokens=256, batch=16)
    assert out["per_user"] == show.rate(req.tokens_per_s_per_user)
    assert out["total"] == show.rate(req.tokens_per_s_total)
    assert out["ttft"] == show.duration(req.ttft_seconds)
    assert out["tpot"] == show.duration(req.time_per_output_token_seconds)
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


def test_batch_size_compares_with_batch_one():
    out = run("batch-size", model="llama-3.1-8b", gpu="h100-sxm", batch="64", context="2000")
    arch = models.resolve("llama-3.1-8b")[1]
    step = decode_step(arch, "h100-sxm", batch=64, context_tokens=2000)
    assert out["total"] == show.rate(step.tokens_per_s_total)
    assert out["per_user"] == show.rate(step.tokens_per_s_per_user)
    assert out["compare"].startswith("Against a batch of 1")


def test_prefill_decode_splits_the_request():
    out = run("prefill-decode", model="llama-3.1-8b", gpu="rtx-4090", prompt="4000", output="500")
    arch = models.resolve("llama-3.1-8b")[1]
    req = request(arch, "rtx-4090", prompt_tokens=4000, output_tokens=500)
    assert out["ttft"] == show.duration(req.ttft_seconds) and out["total"] == show.duration(req.total_seconds)
    assert "<title" in out["chart"] and "Prefill (time to first token)" in out["chart"]


def test_decode_bound_is_bandwidth_over_bytes():
    out = run("decode-bound", gpu="h100-sxm", model="llama-3.1-8b", weights="bf16")
    arch = models.resolve("llama-3.1-8b")[1]
    bound = decode_ceiling(arch, gpus.get("h100-sxm"))
    assert out["ceiling"] == show.rate(bound.ceiling_tokens_per_s)
    assert "3.35 TB/s" in out["how"]
    faster = run("decode-bound", gpu="h100-sxm", model="llama-3.1-8b", weights="int4")
    assert int(re.sub(r"\D", "", faster["ceiling"])) > 3 * int(re.sub(r"\D", "", out["ceiling"]))


@pytest.mark.parametrize("widget_id", SPEED_WIDGETS)
def test_recompute_is_fast(widget_id):
    widget = widgets.get(widget_id)
    for inputs in (widget.defaults(), {**widget.defaults(), **widget.example}):
        widgets.run(widget_id, inputs)  # warm imports and caches
        best = min(_timed(widget_id, inputs) for _ in range(3))
        assert best < 0.05, f"{widget_id} took {best * 1000:.0f} ms"


def _timed(widget_id, inputs):
    start = time.perf_counter()
    widgets.run(widget_id, inputs)
    return time.perf_counter() - start
