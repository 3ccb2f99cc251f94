"""Field records (llama.cpp, ik_llama.cpp and vLLM logs, llama-bench rows): every one is answered under the keys
it measured, or refused with the record field that cannot be expressed; and the mechanisms it checks."""

import json
import math
import subprocess
import sys

import pytest

from calculators import scenarios
from calculators.core.errors import CalculatorError, InputError
from validation.truth import ROOT, field_truth_files, records, without_answers

FIELD = [record for path in field_truth_files() for record in records(path)]
#: The ``measured`` keys the record format defines (validation/field-truth/README.md): llama.cpp's, then vLLM's.
KEYS = {False: {"weights_gpu_mib", "weights_host_mib", "weights_total_mib", "kv_mib", "kv_k_mib", "kv_v_mib",
                "compute_gpu_mib", "compute_host_mib", "tokens_per_s"},
        True: {"weights_gib", "activation_gib", "non_torch_gib", "kv_pool_gib", "kv_tokens", "max_concurrency",
               "cuda_graph_gib", "gpu_blocks"}}


def test_the_field_records_are_there():
    assert len(FIELD) >= 70 and {r["kind"] for r in FIELD} == {"runtime_memory", "runtime_speed"}


@pytest.mark.parametrize("record", FIELD, ids=lambda r: r["id"])
def test_each_record_is_answered_under_its_measured_keys_or_refused_naming_a_field(record):
    try:
        answer = scenarios.run(without_answers(record))
    except InputError as error:
        head = error.field.split(".", 1)[0]
        assert head in record or head in ("config",), error  # the field named is one the record has
        return
    predicted = answer["predicted"]
    assert set(predicted) <= KEYS[record["runtime"] == "vllm"], predicted  # only keys the record format defines
    assert set(predicted) & set(record["measured"]), "none of the measured keys is predicted"
    assert all(math.isfinite(value) and value >= 0 for value in predicted.values()), predicted


def one(record_id: str) -> dict:
    return next(r for r in FIELD if r["id"] == record_id)


def test_llama_cpp_keeps_token_embeddings_in_host_memory():
    """'load_tensors:      Vulkan0 model buffer size =  4155.99 MiB', 'CPU_Mapped model buffer size =   281.81 MiB'
    and 'K (f16): 1024.00 MiB, V (f16): 1024.00 MiB' (Llama 3.1 8B Q4_0, n_ctx 16384; ik_llama.cpp discussion 562)."""
    record = one("mem-lcpp-l31-8b-q4_0-c16384-ub1024-4080vk")
    predicted = scenarios.run(without_answers(record))["predicted"]
    for key in ("weights_gpu_mib", "weights_host_mib", "kv_mib"):
        assert predicted[key] == pytest.approx(record["measured"][key], rel=0.002), key


def test_vllm_memory_the_engine_does_not_model_is_not_answered():
    """Non-torch and CUDA-graph memory are flat defaults in runtimes.json, not a model: no figure is claimed."""
    record = one("mem-vllm-llama3-8b-h100-u090")
    predicted = scenarios.run(without_answers(record))["predicted"]
    assert "weights_gib" in predicted and not {"non_torch_gib", "cuda_graph_gib"} & set(predicted)


def test_partial_offload_and_several_devices_are_refused_not_guessed():
    base = without_answers(one("mem-lcpp-l31-8b-q4_0-c16384-ub1024-4080vk"))
    for change, field in ((("llama_cpp", {**base["llama_cpp"], "n_gpu_layers": 10}), "llama_cpp.n_gpu_layers"),
                          (("llama_cpp", {**base["llama_cpp"], "override_tensor": ["exps=CPU"]}),
                           "llama_cpp.override_tensor"),
                          (("gpu_count", 2), "gpu_count"),
                          (("llama_cpp", {**base["llama_cpp"], "type_k": "q5_1", "type_v": "q5_1"}),
                           "llama_cpp.type_k")):
        with pytest.raises(CalculatorError) as caught:
            scenarios.run({**base, change[0]: change[1]})
        assert caught.value.field == field


def test_a_prefill_on_a_gpu_without_flops_is_refused():
    apple = next(r for r in FIELD if r["kind"] == "runtime_speed" and r["test"].startswith("pp")
                 and (r["gpu"] or "").startswith("m"))
    with pytest.raises(InputError) as caught:
        scenarios.run(without_answers(apple))
    assert caught.value.field == "gpu" and "FLOP/s" in caught.value.message


def test_the_command_line_prints_the_predictions_as_json(tmp_path):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(without_answers(one("mem-lcpp-l31-8b-q4_0-c16384-ub1024-4080vk"))))
    proc = subprocess.run([sys.executable, "-m", "calculators", "estimate", "--json", str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)["predicted"]) >= {"weights_gpu_mib", "kv_mib"}


def test_the_field_benchmark_reports_every_runtime():
    proc = subprocess.run([sys.executable, "scripts/benchmark_field.py"], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    for runtime in ("llama.cpp", "ik_llama.cpp", "vllm"):
        assert f"| {runtime} |" in proc.stdout
    assert "(bandwidth only)" in proc.stdout and "Refused (field):" in proc.stdout


def test_ik_llama_cpp_gives_sliding_window_layers_the_whole_context():
    """'llama_new_context_with_model: KV self size  = 15872.00 MiB' for Gemma 3 27B at n_ctx 32768 in
    ik_llama.cpp (62 layers x 32768 cells x 2 x 2048 values x 2 B: no separate sliding-window cache)."""
    record = one("mem-ik-gemma3-27b-q4km-c32768-a6000")
    predicted = scenarios.run(without_answers(record))["predicted"]
    assert predicted["kv_mib"] == record["measured"]["kv_mib"] == 15872.0


def test_mainline_llama_cpp_sizes_a_sliding_window_cache_as_its_iswa_code_does():
    """src/llama-kv-cache-unified-iswa.cpp: size_swa = min(kv_size, GGML_PAD(n_swa * n_seq_max + n_ubatch, n_pad))."""
    from calculators.catalogs.models import resolve
    from calculators.memory import InferenceSetup, estimate_inference
    gemma = resolve("gemma-3-27b")[1]
    window, layers = gemma.attention[0].window, len(gemma.attention)
    sliding = sum(1 for layer in gemma.attention if layer.kind == "sliding")
    per_cell = 2 * gemma.attention[0].k_dim * 2  # keys and values, f16
    setup = InferenceSetup(prompt_tokens=32768, new_tokens=0, weight_format="q4_k_m", runtime="llama.cpp",
                           micro_batch_tokens=512)
    swa_cells = min(32768, -(-(window + 512) // 256) * 256)
    expected = (sliding * swa_cells + (layers - sliding) * 32768) * per_cell
    assert estimate_inference(gemma, setup).component("kv_cache") == expected
    full = estimate_inference(gemma, InferenceSetup(**{**setup.__dict__, "swa_full": True})).component("kv_cache")
    assert full == layers * 32768 * per_cell


def test_a_tied_embedding_is_looked_up_on_the_host_and_stored_as_the_output_layer():
    """'CPU buffer (1102.77 MiB) is the Q6_K token-embedding copy kept for lookups' and the CUDA model buffer of
    15773.97 MiB (Gemma 3 27B Q4_K_M, tied output): llama-quant.cpp gives token_embd the output type (Q6_K) when
    there is no separate output tensor, and the GPU holds it again as the output layer."""
    record = one("mem-ik-gemma3-27b-q4km-c32768-a6000")
    predicted = scenarios.run(without_answers(record))["predicted"]
    for key in ("weights_host_mib", "weights_gpu_mib"):
        assert predicted[key] == pytest.approx(record["measured"][key], rel=0.001), key
