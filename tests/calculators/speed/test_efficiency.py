"""The efficiency data file: every derived value follows from the measurements it cites."""

import dataclasses
import json
from importlib import resources

import pytest

from calculators import speed
from calculators.architectures import build
from calculators.catalogs import gpus
from tests.calculators.truth import records

DATA = json.loads(resources.files("calculators.data").joinpath("efficiency.json").read_text(encoding="utf-8"))
MEASURED = DATA["measured"]


def test_every_constant_documents_its_derivation():
    for key, value in DATA.items():
        if isinstance(value, dict) and key != "measured":
            assert len(value.get("derivation", "")) > 40, key


def test_spec_figures_are_the_catalog_ones():
    h200 = gpus.get(MEASURED["gpu"])
    assert MEASURED["spec_memory_bandwidth_tb_per_s"] == h200.memory_bandwidth_tb_per_s
    assert MEASURED["spec_bf16_dense_tflops"] == h200.dense_tflops.bf16


def test_fractions_are_measured_over_spec():
    assert DATA["memory_bandwidth_fraction"]["value"] == pytest.approx(
        MEASURED["copy_tb_per_s_read_plus_write"] / MEASURED["spec_memory_bandwidth_tb_per_s"], rel=1e-6)
    assert DATA["compute_fraction"]["value"] == pytest.approx(
        MEASURED["gemm_8192_bf16_tflops"] / MEASURED["spec_bf16_dense_tflops"], rel=1e-6)


def test_measured_inputs_match_the_truth_file():
    bandwidth = [r for r in records("bandwidth") if "copy_TBps_read_plus_write" in r]
    sweeps = [r for r in records("decode_sweep") if r.get("model") == MEASURED["decode_sweep_model"]]
    if not bandwidth or not sweeps:
        pytest.skip("gpu-truth measurements not available")
    assert any(r["copy_TBps_read_plus_write"] == MEASURED["copy_tb_per_s_read_plus_write"] for r in bandwidth)
    assert any(r["gemm_8192_bf16_TFLOPs"] == MEASURED["gemm_8192_bf16_tflops"] for r in bandwidth)
    assert any(s["rows"][0]["step_s"] == MEASURED["decode_sweep_batch1_step_seconds"] for s in sweeps)


def test_kernel_overhead_is_rederived_from_the_batch_one_row():
    arch = build(dict(model_type="llama", vocab_size=128256, hidden_size=4096, intermediate_size=14336,
                      num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8, head_dim=128,
                      tie_word_embeddings=False))
    no_overhead = dataclasses.replace(speed.default_efficiency(), kernel_overhead_seconds=0.0)
    step = speed.linear_decode_step(arch, "h200", batch=1, eff=no_overhead)
    tau = (MEASURED["decode_sweep_batch1_step_seconds"] - step.step_seconds) / step.linear_count
    assert DATA["kernel_overhead_seconds"]["value"] == pytest.approx(tau, rel=0.002)
