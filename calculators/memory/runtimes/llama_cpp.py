"""llama.cpp: weights (token embeddings stay in host RAM), a KV cache for the whole context, and compute
buffers sized for one micro-batch (``n_ubatch``)."""

import math

from calculators.architectures import Architecture
from calculators.memory.result import Facts, MemoryEstimate, make_estimate
from calculators.memory.setup import InferenceSetup, common_warnings, kv_bytes_per_value, runtime_data
from calculators.memory.weights import weight_bytes


def estimate(arch: Architecture, setup: InferenceSetup) -> MemoryEstimate:
    """Model, KV and compute buffers as llama.cpp reserves them on the GPU."""
    rt = runtime_data()
    cfg = rt["llama_cpp"]
    weights = weight_bytes(arch, setup.weight_format)
    on_gpu = weights.total_bytes - (weights.role_bytes("embedding") if not arch.tie_word_embeddings else 0.0)
    kv_b = kv_bytes_per_value(setup) if setup.kv_format else 2  # llama.cpp defaults to an f16 cache
    pad = cfg["kv_padding_tokens"]
    context = math.ceil((setup.prompt_tokens + setup.new_tokens) / pad) * pad
    kv = setup.batch * sum(layer.cache_values(context, latent=True) for layer in arch.attention) * kv_b
    ubatch = min(setup.micro_batch_tokens or cfg["n_ubatch"], setup.batch * setup.prompt_tokens)
    # Compute buffer: the largest per-layer working set of one micro-batch (f32 intermediates),
    # the attention scores of one micro-batch against the context, and the f32 output logits.
    f = max(arch.intermediate_size, arch.moe_intermediate_size * max(arch.experts_per_token, 1))
    work = 4 * ubatch * (2 * arch.hidden_size + 2 * f)
    scores = 4 * ubatch * arch.num_heads * context if setup.attn == "eager" else 4 * ubatch * arch.num_heads * 256
    logits = 4 * ubatch * arch.vocab_size
    alive = {"weights": on_gpu, "kv_cache": kv, "activations": work + scores, "logits": logits}
    facts = Facts(kv_bytes_per_token=arch.kv_bytes_per_token(kv_b, latent=True),
                  weight_bits_per_param=weights.bits_per_weight,
                  host_embedding_bytes=weights.role_bytes("embedding") if not arch.tie_word_embeddings else 0.0)
    return make_estimate("inference", "llama.cpp", alive, context_bytes=rt["cuda_context_bytes"],
                         allocator_bytes=0.0, phase="decode", warnings=common_warnings(arch, setup), facts=facts)
