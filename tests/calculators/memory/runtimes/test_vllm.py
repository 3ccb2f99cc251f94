"""The vLLM runtime: the KV pool left after weights and activations, and what it holds."""

from tests.calculators.memory.support import GIB, LLAMA8, est


def test_vllm_reports_kv_capacity():
    result = est(runtime="vllm", gpu_memory_bytes=80 * GIB, prompt_tokens=4096, new_tokens=512, batch=4)
    pool = result.kv_pool.pool_bytes
    assert result.kv_pool.capacity_tokens == pool // (128 * 1024)
    assert result.kv_pool.max_concurrent_sequences == result.kv_pool.capacity_tokens // 4608
    assert 0.9 * 80 * GIB - LLAMA8.n_params * 2 - 3 * GIB < pool < 0.9 * 80 * GIB - LLAMA8.n_params * 2
    tiny_gpu = est(runtime="vllm", gpu_memory_bytes=16 * GIB)
    assert "vllm_cannot_start" in [w.code for w in tiny_gpu.warnings]
