"""llama.cpp: weights (token embeddings stay in host RAM), a KV cache for the whole context, and compute
buffers sized for one micro-batch (``n_ubatch``).

Sliding-window (and chunked) layers get their own, smaller cache since llama.cpp's iSWA cache
(``src/llama-kv-cache-unified-iswa.cpp``): ``min(n_ctx, GGML_PAD(n_swa * n_seq_max + n_ubatch, n_pad))`` cells,
unless ``--swa-full`` asks for the whole context (which ik_llama.cpp always allocates).
"""

import math

from calculators.architectures import Architecture
from calculators.architectures.layers import LocalAttention
from calculators.memory.result import Facts, MemoryEstimate, make_estimate
from calculators.memory.setup import InferenceSetup, common_warnings, kv_bytes_per_value, runtime_data
from calculators.memory.weights import weight_bytes


def _cells(layer, context: int, n_ubatch: int, pad: int, setup: InferenceSetup) -> int:
    """KV cells llama.cpp allocates for one layer: the padded context, or a local layer's own smaller cache."""
    if not isinstance(layer, LocalAttention) or setup.swa_full or not layer.span:
        return context
    return min(context, math.ceil((layer.span * setup.batch + n_ubatch) / pad) * pad)


def estimate(arch: Architecture, setup: InferenceSetup) -> MemoryEstimate:
    """Model, KV and compute buffers as llama.cpp reserves them on the GPU."""
    rt = runtime_data()
    cfg = rt["llama_cpp"]
    weights = weight_bytes(arch, setup.weight_format)
    # token embeddings are looked up on the host; a tied model's output layer is a second copy of them on the GPU
    host = weights.role_bytes("embedding")
    on_gpu = weights.total_bytes - (host if not arch.tie_word_embeddings else 0.0)
    kv_b = kv_bytes_per_value(setup) if setup.kv_format else 2  # llama.cpp defaults to an f16 cache
    pad = cfg["kv_padding_tokens"]
    context = math.ceil((setup.prompt_tokens + setup.new_tokens) / pad) * pad
    n_ubatch = setup.micro_batch_tokens or cfg["n_ubatch"]
    kv = setup.batch * sum(_cells(layer, context, n_ubatch, pad, setup) * layer.values_per_token(latent=True)
                           for layer in arch.attention) * kv_b
    ubatch = min(n_ubatch, setup.batch * setup.prompt_tokens)
    # Compute buffer: the largest per-layer working set of one micro-batch (f32 intermediates),
    # the attention scores of one micro-batch against the context, and the f32 output logits.
    f = max(arch.intermediate_size, arch.moe_intermediate_size * max(arch.experts_per_token, 1))
    work = 4 * ubatch * (2 * arch.hidden_size + 2 * f)
    scores = 4 * ubatch * arch.num_heads * context if setup.attn == "eager" else 4 * ubatch * arch.num_heads * 256
    logits = 4 * ubatch * arch.vocab_size
    alive = {"weights": on_gpu, "kv_cache": kv, "activations": work + scores, "logits": logits}
    facts = Facts(kv_bytes_per_token=arch.kv_bytes_per_token(kv_b, latent=True),
                  weight_bits_per_param=weights.bits_per_weight,
                  host_embedding_bytes=host)
    return make_estimate("inference", "llama.cpp", alive, context_bytes=rt["cuda_context_bytes"],
                         allocator_bytes=0.0, phase="decode", warnings=common_warnings(arch, setup), facts=facts)
