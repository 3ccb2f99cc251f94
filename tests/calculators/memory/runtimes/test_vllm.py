"""The vLLM runtime: the KV pool left after weights and activations, and what it holds."""

from tests.calculators.memory.support import GIB, LLAMA8, est


def test_vllm_reports_kv_capacity():
    result = est(runtime="vllm", gpu_memory_bytes=80 * GIB, prompt_tokens=4096, new_tokens=512, batch=4)
    details = dict(result.details)
    pool = details["kv_pool_bytes"]
    assert details["kv_capacity_tokens"] == pool // (128 * 1024)
    assert details["max_concurrent_sequences"] == details["kv_capacity_tokens"] // 4608
    assert 0.9 * 80 * GIB - LLAMA8.n_params * 2 - 3 * GIB < pool < 0.9 * 80 * GIB - LLAMA8.n_params * 2
    tiny_gpu = est(runtime="vllm", gpu_memory_bytes=16 * GIB)
    assert any("fail to start" in w for w in tiny_gpu.warnings)
