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


def test_placements_and_cache_types_it_cannot_express_are_refused_naming_the_field():
    base = without_answers(one("mem-lcpp-l31-8b-q4_0-c16384-ub1024-4080vk"))
    settings = base["llama_cpp"]
    for change, field in ((("llama_cpp", {**settings, "override_tensor": ["exps=NPU0"]}), "llama_cpp.override_tensor"),
                          (("llama_cpp", {**settings, "override_tensor": ["blk.(=CPU"]}), "llama_cpp.override_tensor"),
                          (("llama_cpp", {**settings, "override_tensor": ["exps=CUDA1"]}), "llama_cpp.override_tensor"),
                          (("llama_cpp", {**settings, "tensor_split": [1, 2, 3]}), "llama_cpp.tensor_split"),
                          (("llama_cpp", {**settings, "type_k": "q3_k", "type_v": "q3_k"}), "llama_cpp.type_k"),
                          (("llama_cpp", {**settings, "n_gpu_layers": -1}), "llama_cpp.n_gpu_layers")):
        with pytest.raises(CalculatorError) as caught:
            scenarios.run({**base, change[0]: change[1]})
        assert caught.value.field == field, change


def test_the_speed_of_tensors_in_system_ram_is_refused_until_it_is_modelled():
    tg = without_answers(one("spd-pr4766-3090-q4_0-tg128"))
    for settings, field in (({"n_gpu_layers": 10}, "llama_cpp.n_gpu_layers"),
                            ({"override_tensor": ["ffn=CPU"]}, "llama_cpp.override_tensor")):
        with pytest.raises(InputError) as caught:
            scenarios.run({**tg, "llama_cpp": {**tg["llama_cpp"], **settings}})
        assert caught.value.field == field


def test_tensor_overrides_move_the_matching_gguf_tensors():
    """'-ot "blk\\.(0|1|2|3|4)\\.ffn.*=CUDA0" -ot "blk\\.(5|6|7|8|9)\\.ffn.*=CPU" ...' with -ngl 99 and
    'CUDA0 model buffer size = 15191.95 MiB' (Qwen3-235B-A22B Q6_K): attention of every layer and the FFN of
    layers 0-4 on the GPU, the other layers' FFN in system RAM."""
    record = one("mem-lcpp-qwen3-235b-q6k-c16384-q8kv-hybrid")
    predicted = scenarios.run(without_answers(record))["predicted"]
    assert predicted["weights_gpu_mib"] == pytest.approx(15191.95, rel=0.001)


def test_several_gpus_hold_the_layers_and_their_kv_cache_between_them():
    """'KV self size = 3072.00 MiB' for Qwen3-30B-A3B on two T4s (default layer split), 1600 + 1472 MiB per GPU as
    the record's notes read the per-device lines: the cache of each layer sits on that layer's GPU."""
    from calculators.catalogs.models import resolve
    from calculators.memory import InferenceSetup, estimate_inference
    from calculators.memory.placement import Placement
    arch = resolve("qwen3-30b-a3b")[1]
    setup = InferenceSetup(prompt_tokens=32768, new_tokens=0, weight_format="q4_k_m", runtime="ik_llama.cpp",
                           placement=Placement(gpu_count=2))
    devices = {d.device: d for d in estimate_inference(arch, setup).devices}
    assert set(devices) == {"gpu0", "gpu1", "host"}
    # llama.cpp cuts 49 layers (48 + output) where il / 49 passes 1/2: layers 0-24 on GPU 0, 25-47 and the output
    # on GPU 1 (std::upper_bound over the split points)
    assert (devices["gpu0"].kv_bytes, devices["gpu1"].kv_bytes) == (1600 * 2**20, 1472 * 2**20)
    # 'CUDA0 buffer size = 8509.23 MiB', 'CUDA1 buffer size = 8213.14 MiB': 25 layers outweigh 23 and the output
    assert devices["gpu0"].weights_bytes > devices["gpu1"].weights_bytes


def test_gpu_layers_put_the_last_layers_on_the_gpu_and_the_output_layer_only_when_all_fit():
    """llama-model.cpp load_tensors: i_gpu_start = n_layer - n_gpu_layers; the output layer is layer n_layer."""
    from calculators.catalogs.models import resolve
    from calculators.memory import InferenceSetup, estimate_inference
    from calculators.memory.placement import Placement
    from calculators.memory.weights import tensor_sizes
    arch = resolve("llama-3.1-8b")[1]
    sizes = list(tensor_sizes(arch, "q4_0"))
    per_layer = [sum(size for t, _, size in sizes if t.layer == i) for i in range(arch.num_layers)]
    output = sum(size for t, _, size in sizes if t.layer is None and t.role != "embedding")

    def gpu_weights(layers):
        setup = InferenceSetup(prompt_tokens=4096, new_tokens=0, weight_format="q4_0", runtime="llama.cpp",
                               placement=Placement(gpu_layers=layers))
        return sum(d.weights_bytes for d in estimate_inference(arch, setup).devices if d.is_gpu)

    assert gpu_weights(10) == pytest.approx(sum(per_layer[-10:]))
    assert gpu_weights(32) == pytest.approx(sum(per_layer))            # every layer, the output still on the CPU
    assert gpu_weights(33) == pytest.approx(sum(per_layer) + output)   # 33/33 layers: the output too
    assert gpu_weights(0) == 0


@pytest.mark.parametrize("record_id, k_mib, v_mib", [
    ("mem-lcpp-dsr1-q8_0-c2048-premla-mainline", 5856.0, 3904.0),   # build 4905: per-head K (192) and V (128)
    ("mem-lcpp-dsv3-q2k-c16384-mla-mainline", 1098.0, 976.0),       # build 5331: latent K (576) and V (512)
])
def test_mainline_caches_deepseek_attention_as_its_build_does(record_id, k_mib, v_mib):
    """'K (f16): 5856.00 MiB, V (f16): 3904.00 MiB' (build 4905) and 'K (f16): 1098.00 MiB, V (f16):  976.00 MiB'
    (build 5331, after https://github.com/ggml-org/llama.cpp/pull/12801)."""
    predicted = scenarios.run(without_answers(one(record_id)))["predicted"]
    assert (predicted["kv_k_mib"], predicted["kv_v_mib"]) == pytest.approx((k_mib, v_mib), rel=1e-6)


def test_ik_llama_cpp_mla_3_keeps_only_the_latent():
    """'KV self size  = 2196.00 MiB, c^KV (f16): 2196.00 MiB, kv^T: not used' (DeepSeek-V3, -mla 3, n_ctx 32768)
    and 'c^KV (q8_0): 1166.62 MiB' with -ctk q8_0."""
    for record_id in ("mem-ik-dsv3-q4km-c32768-mla3-4090-hybrid", "mem-ik-dsv3-c32768-mla3-q8kv-3080-hybrid"):
        record = one(record_id)
        predicted = scenarios.run(without_answers(record))["predicted"]
        assert predicted["kv_mib"] == pytest.approx(record["measured"]["kv_mib"], abs=0.01)


def test_cpu_only_runs_keep_everything_in_system_ram():
    """'CPU buffer size = 14888.20 MiB' and 'KV self size  = 63488.00 MiB' (Gemma 3 27B Q4_0, CPU only, n_ctx
    131072): no GPU buffer at all."""
    record = one("mem-ik-gemma3-27b-q4_0-c131072-fa0-cpu")
    predicted = scenarios.run(without_answers(record))["predicted"]
    assert predicted["kv_mib"] == 63488.0 and predicted["weights_gpu_mib"] == 0
    assert "compute_gpu_mib" not in predicted
    assert predicted["weights_total_mib"] == pytest.approx(14888.20, rel=0.005)  # 7 q4_1 tensors are not modelled


def test_a_prefill_without_a_measured_kernel_path_or_flops_is_refused():
    """ROCm has no f16-weight prefill row to measure its float path on, and the DGX Spark publishes no f16 rate:
    neither gets a prefill figure."""
    row = without_answers(one("spd-pr26284-7900xtx-q4km-pp2048"))
    for change in ({"weight_format": "fp16"}, {"gpu": "dgx-spark", "backend": "CUDA"}):
        with pytest.raises(InputError) as caught:
            scenarios.run({**row, **change})
        assert caught.value.field == "gpu" and "FLOP/s" in caught.value.message


def test_apple_prefill_is_compute_on_the_metal_path():
    """'| llama 7B mostly F16 | ... | Metal | pp 512 | 1401.85' on an M2 Ultra (76-core GPU, 27.2 TFLOP/s derived from
    cores x 128 ALUs x 2 x 1.398 GHz): prefill is compute-bound, answered within the target."""
    record = one("spd-4167-m2ultra76-fp16-pp512")
    predicted = scenarios.run(without_answers(record))["predicted"]
    assert predicted["tokens_per_s"] == pytest.approx(record["measured"]["tokens_per_s"], rel=0.15)


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


def test_the_methodology_table_is_up_to_date():
    """docs/methodology/_generated/field-validation.md is what scripts/benchmark_field.py --write makes of the records
    this repository carries."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import benchmark_field
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    text = benchmark_field.GENERATED.read_text(encoding="utf-8")
    body = text.split("-->\n", 1)[1]
    assert body == benchmark_field.report(benchmark_field.vendored_files()), \
        "stale: run python scripts/benchmark_field.py --write"


def test_one_override_value_may_hold_several_comma_separated_rules():
    """'-ot "blk\\.[0-9]\\.ffn=CUDA0,blk\\.1[0-4]\\.ffn=CUDA0"' and 'CUDA0 buffer size = 23731.17 MiB', 'CUDA1 buffer size =
    22811.95 MiB' (Qwen3-235B-A22B Q4_K_M on two RTX 5090s, ik_llama.cpp issue 530): llama.cpp splits the value at
    commas (common/arg.cpp) before matching."""
    from calculators.catalogs.models import resolve
    from calculators.memory import InferenceSetup, estimate_inference
    from calculators.memory.placement import Placement
    arch = resolve("qwen3-235b-a22b")[1]
    rules = ("blk\\.[0-9]\\.ffn=CUDA0,blk\\.1[0-4]\\.ffn=CUDA0", "blk\\.1[5-9]\\.ffn=CUDA1,blk\\.2[0-9]\\.ffn=CUDA1",
             "exps=CPU")
    setup = InferenceSetup(prompt_tokens=65536, new_tokens=0, weight_format="q4_k_m", runtime="ik_llama.cpp",
                           kv_format="q8_0", placement=Placement(gpu_count=2, tensor_overrides=rules))
    devices = {d.device: d for d in estimate_inference(arch, setup).devices}
    assert devices["gpu0"].weights_bytes + devices["gpu1"].weights_bytes == pytest.approx(46543.12 * 2**20, rel=0.001)
