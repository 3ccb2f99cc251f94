"""The training-memory widget agrees with the engine and reports per GPU."""

import time

from calculators import widgets
from calculators.catalogs import models
from calculators.core.units import format_bytes
from calculators.memory import TrainingSetup, estimate_training


def run(**inputs):
    result = widgets.run("training-memory", inputs)
    assert result["ok"], result
    return result["outputs"]


def test_defaults_are_the_engine_lora_estimate():
    out = run()
    arch = models.resolve("llama-3.1-8b")[1]
    targets = ("down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj")
    estimate = estimate_training(arch, TrainingSetup(batch=1, context_tokens=2048, mode="lora", lora_rank=16, lora_targets=targets))
    assert out["total"] == format_bytes(estimate.device_used_bytes)
    assert out["trainable"].startswith("41,943,040 of 8,030,261,248")
    assert out["verdict"].startswith("fits on NVIDIA H100")


def test_zero_3_shards_per_gpu_and_full_training_trains_everything():
    one = run(model="llama-3.1-8b", mode="bf16")
    eight = run(model="llama-3.1-8b", mode="bf16", gpus="8", zero="3")
    assert "per GPU" in eight["verdict"] and "100.00%" in eight["trainable"]
    assert one["total"] != eight["total"]


def test_field_errors():
    for field, value in [("rank", "0"), ("gpus", "0"), ("zero", "4"), ("grad_ckpt", "maybe"), ("mode", "int8")]:
        result = widgets.run("training-memory", {"mode": "lora", field: value})
        assert result["ok"] is False and result["field"] == field, (field, result)
    result = widgets.run("training-memory", {"model": "phi-4", "targets": "qv"})
    assert result["field"] == "targets"


def test_recompute_is_fast():
    run(model="llama-3.1-405b")
    start = time.perf_counter()
    run(model="llama-3.1-70b", mode="qlora", grad_ckpt="yes", seq="8192")
    assert time.perf_counter() - start < 0.05
