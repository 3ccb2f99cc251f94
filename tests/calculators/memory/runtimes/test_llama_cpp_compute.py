"""llama.cpp's compute buffers from its own graph, scheduler and allocator: one test per mechanism, each
reproducing the buffer a public log printed (shared/field-truth records; the quoted line is in each docstring)."""

import pytest

from calculators.catalogs import models
from calculators.memory import InferenceSetup, estimate_inference
from calculators.memory.placement import LlamaCppOptions, Placement

MIB = 2**20


def buffers(model, **setup):
    arch = models.resolve(model)[1]
    estimate = estimate_inference(arch, InferenceSetup(new_tokens=0, runtime=setup.pop("runtime", "llama.cpp"),
                                                       **setup))
    return {d.device: d.compute_bytes / MIB for d in estimate.devices}, estimate


def test_without_flash_attention_the_scores_of_one_micro_batch_over_the_whole_cache_dominate():
    """'CPU compute buffer size =  8743.51 MiB' (Gemma 3 27B Q4_0, CPU only, n_ctx 131072, flash attention off):
    the f32 KQ scores of 512 tokens against 131072 cells for 32 heads alone are 8192 MiB."""
    sizes, _ = buffers("gemma-3-27b", prompt_tokens=131072, weight_format="q4_0", attn="eager",
                       runtime="ik_llama.cpp", placement=Placement(gpu_count=0),
                       llama_cpp=LlamaCppOptions(backend="CPU"))
    assert sizes["host"] == pytest.approx(8743.51, abs=0.01)


def test_the_output_gpu_holds_the_logits_of_every_token_of_the_micro_batch():
    """'Vulkan0 compute buffer size =   613.01 MiB', 'Vulkan_Host compute buffer size =    80.01 MiB' (Llama 3.1 8B
    Q4_0, n_ctx 16384, n_ubatch 1024, build 5781): 1024 x 128256 f32 logits plus the final norm and its hole."""
    sizes, _ = buffers("llama-3.1-8b", prompt_tokens=16384, weight_format="q4_0", micro_batch_tokens=1024,
                       runtime_build=5781, llama_cpp=LlamaCppOptions(backend="Vulkan"))
    assert (sizes["gpu0"], sizes["host"]) == pytest.approx((613.01, 80.01), abs=0.01)


def test_weights_kept_in_system_ram_are_copied_to_the_gpu_one_at_a_time_for_a_micro_batch():
    """'-ot blk\\.1[4-9]\\.ffn.*=CPU -ot blk\\.[2-9][0-9]\\.ffn.*=CPU' and 'CUDA0 compute buffer size =  1024.00 MiB'
    (Qwen3-235B-A22B Q8_0, build 5274): the scheduler offloads each expert matmul of the 512-token micro-batch to the
    GPU and copies its weight there (ggml_backend_sched_split_graph), so the largest expert tensor sits in it."""
    sizes, _ = buffers("qwen3-235b-a22b", prompt_tokens=32768, weight_format="q8_0", kv_format="q8_0",
                       runtime_build=5274,
                       placement=Placement(tensor_overrides=(("blk\\.1[4-9]\\.ffn.*", "CPU"),
                                                             ("blk\\.[2-9][0-9]\\.ffn.*", "CPU"))))
    assert sizes["gpu0"] == pytest.approx(1024.00, abs=0.01)


def test_pipeline_parallelism_keeps_four_copies_of_every_split_input():
    """'pipeline parallelism enabled (n_copies=4)', 'CUDA0 compute buffer size =   368.01 MiB', 'CUDA1 compute buffer
    size =   444.77 MiB', 'CUDA_Host compute buffer size =   260.02 MiB' (Qwen3-30B-A3B on two T4s, -fmoe)."""
    sizes, _ = buffers("qwen3-30b-a3b", prompt_tokens=32768, weight_format="q4_k_m", runtime="ik_llama.cpp",
                       runtime_build=3673, placement=Placement(gpu_count=2),
                       llama_cpp=LlamaCppOptions(fused_moe=True))
    assert (sizes["gpu0"], sizes["gpu1"], sizes["host"]) == pytest.approx((368.01, 444.77, 260.02), abs=0.01)


def test_an_architecture_without_a_graph_gets_a_flagged_rule_of_thumb():
    _, estimate = buffers("gemma-2-9b", prompt_tokens=8192, weight_format="q4_k_m")
    assert "compute_buffer_estimated" in [w.code for w in estimate.warnings]
