"""The two meanings of "mixed precision" have distinct ids, and every surface maps its published spelling."""

import pytest

from calculators import scenarios, widgets
from calculators.catalogs.models import resolve
from calculators.core.units import format_bytes
from calculators.memory import TrainingSetup, estimate_training, precision
from calculators.memory.model_states import model_states


def test_amp_and_bf16_master_are_different_recipes():
    amp, master = precision.STATES["amp"], precision.STATES["bf16-master"]
    assert amp[0] == 4 and amp[2] == 0       # FP32 weights are their own master copy
    assert master[0] == 2 and master[2] == 4  # BF16 weights plus an FP32 master copy
    assert precision.TRAINING["amp"].weight == 4 and precision.TRAINING["amp"].autocast
    assert "mixed" not in precision.STATES and "mixed" not in precision.TRAINING


def test_the_records_mixed_is_amp():
    record = {"kind": "training", "model": "llama-3.2-1b", "batch": 1, "seq": 512}
    mixed = scenarios.run({**record, "mode": "mixed"})
    amp = estimate_training(resolve("llama-3.2-1b")[1], TrainingSetup(batch=1, context_tokens=512, mode="amp"))
    assert mixed["peak_allocated_bytes"] == round(amp.peak_allocated_bytes)


@pytest.mark.parametrize("widget_value, engine_mode", [("mixed", "amp"), ("bf16", "bf16"), ("fp32", "fp32")])
def test_published_training_widget_modes_compute_the_engine_mode(widget_value, engine_mode):
    out = widgets.run("training-memory", {"model": "llama-3.2-1b", "mode": widget_value, "seq": "512", "batch": "1"})
    engine = estimate_training(resolve("llama-3.2-1b")[1], TrainingSetup(batch=1, context_tokens=512, mode=engine_mode))
    assert out["ok"] and out["outputs"]["peak"] == format_bytes(engine.peak_allocated_bytes)


def test_published_optimizer_widget_mixed_is_bf16_with_an_fp32_master_copy():
    out = widgets.run("optimizer-state", {"model": "params", "params": "1e9", "precision": "mixed", "optimizer": "adamw"})
    states = model_states("adamw", "bf16-master", params=10**9)
    assert states.master_weights == 4 * 10**9 and states.weights == 2 * 10**9
    assert out["ok"] and out["outputs"]["total"] == format_bytes(states.total, binary=False)
    # amp has the same 16 bytes per parameter in total, so the rows tell the recipes apart
    assert "<td>Weights</td><td>2</td>" in out["outputs"]["table"]
    assert "<td>FP32 master weights</td><td>4</td>" in out["outputs"]["table"]
