"""vLLM: preallocates ``gpu_memory_utilization`` of the card; the KV pool is what is left after weights,
the profiled activation peak, CUDA graphs and non-torch memory."""

from calculators.architectures import Architecture
from calculators.core.caveats import Caveat
from calculators.memory import forward, kv_cache
from calculators.memory.result import Facts, KvPool, MemoryEstimate, make_estimate
from calculators.memory.setup import (
    COMPUTE_DTYPES,
    InferenceSetup,
    common_warnings,
    kv_bytes_per_value,
    representative_layers,
    runtime_data,
)
from calculators.memory.weights import weight_bytes


def estimate(arch: Architecture, setup: InferenceSetup) -> MemoryEstimate:
    """Weights, the profiled activation peak and the KV pool vLLM preallocates (or the cache a batch needs)."""
    rt = runtime_data()
    cfg = rt["vllm"]
    e = COMPUTE_DTYPES[setup.compute_dtype]
    kv_b = kv_bytes_per_value(setup)
    stored = weight_bytes(arch, setup.weight_format)
    w = stored.total_bytes
    chunk = setup.max_num_batched_tokens or cfg["max_num_batched_tokens"]
    # Profiling run: one forward of `chunk` tokens, flash attention, logits for the sampled rows only.
    activation = max(forward.layer_peak(arch, i, chunk, 1, chunk, e, "sdpa") for i in representative_layers(arch))
    activation += 4 * min(chunk, 256) * arch.vocab_size  # fp32 logits of the sampler's rows
    fixed = activation + cfg["cuda_graph_bytes"] + cfg["non_torch_bytes"]
    per_seq_tokens = setup.prompt_tokens + setup.new_tokens
    block = cfg["block_size"]
    # MLA layers store the latent (vLLM's MLA backends); others store K and V.
    per_token = arch.kv_bytes_per_token(kv_b, latent=True)
    needed_kv = setup.batch * kv_cache.paged_sequence_values(arch, per_seq_tokens, block_tokens=block) * kv_b
    warnings = common_warnings(arch, setup)
    utilization = setup.gpu_memory_utilization or cfg["gpu_memory_utilization"]
    if setup.gpu_memory_bytes:
        budget = setup.gpu_memory_bytes * utilization
        pool = budget - w - fixed
        if pool <= 0:
            warnings.append(Caveat("vllm_cannot_start", f"weights and activations ({(w + fixed) / 2**30:.1f} GiB) "
                                   f"exceed {utilization:.0%} of the GPU; vLLM would fail to start"))
            pool = 0.0
        capacity_tokens = int(pool // per_token) if per_token else 0
        kv_pool = KvPool(pool_bytes=pool, capacity_tokens=capacity_tokens,
                         max_concurrent_sequences=capacity_tokens // per_seq_tokens,
                         gpu_memory_utilization=utilization, requested_bytes=needed_kv)
        if not kv_pool.holds_request:
            warnings.append(Caveat("kv_pool_too_small", f"{setup.batch} sequences of {per_seq_tokens} tokens need "
                                   f"{needed_kv / 2**30:.1f} GiB of KV cache; the pool holds {pool / 2**30:.1f} GiB"))
        kv_alive = pool
    else:
        kv_alive, kv_pool = needed_kv, None
    alive = {"weights": w, "kv_cache": kv_alive, "activations": activation}
    overhead = cfg["cuda_graph_bytes"] + cfg["non_torch_bytes"]
    return make_estimate("inference", "vllm", alive, context_bytes=rt["cuda_context_bytes"],
                         allocator_bytes=overhead, phase="serving", warnings=warnings,
                         facts=Facts(kv_bytes_per_token=per_token, profiled_activation_bytes=activation,
                                     weight_bits_per_param=stored.bits_per_weight), kv_pool=kv_pool)


def card_bytes_needed(estimate: MemoryEstimate) -> float:
    """The card memory on which vLLM starts and its pool holds every requested sequence at once: weights, the
    profiled peak, CUDA graphs and non-torch memory, plus the batch's KV cache, over ``gpu_memory_utilization``
    (the share of the card vLLM takes; the rest is never used)."""
    pool = estimate.kv_pool
    utilization = pool.gpu_memory_utilization if pool else runtime_data()["vllm"]["gpu_memory_utilization"]
    kv = pool.requested_bytes if pool else estimate.component("kv_cache")
    fixed = estimate.component("weights") + estimate.component("activations") + estimate.component("allocator_overhead")
    return (fixed + kv) / utilization
