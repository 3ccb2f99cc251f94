"""transformers: eager PyTorch, one prefill of ``batch x prompt_tokens`` then decode steps; what
``torch.cuda.max_memory_allocated`` reports (the reference measurements' protocol)."""

from calculators.architectures import Architecture
from calculators.core.caveats import Caveat
from calculators.memory import forward
from calculators.memory.result import Facts, MemoryEstimate, make_estimate
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
    """Peak of prefill, the lm_head, decode and loading, as transformers allocates them."""
    e = COMPUTE_DTYPES[setup.compute_dtype]
    weights = weight_bytes(arch, setup.weight_format)
    w = weights.total_bytes
    kv_b = kv_bytes_per_value(setup)
    b, s = setup.batch, setup.prompt_tokens
    tokens = b * s
    kept = tokens if setup.logits_to_keep == 0 else b * min(setup.logits_to_keep, s)
    # transformers' sliding-window cache layers keep a view of the last window of what they were
    # given: after prefill they still hold the whole prompt, until the first decode step replaces it.
    kv_prefill = b * s * arch.kv_bytes_per_token(kv_b)
    # Prefill: the last layer of each kind runs with (nearly) the whole cache already written.
    layer_peak = max(forward.layer_peak(arch, i, tokens, b, s, e, setup.attn, setup.compute_dtype)
                     for i in representative_layers(arch))
    if setup.attn == "sdpa":
        layer_peak += forward.sdpa_mask_bytes(arch, s, s)
    hidden, logits = forward.head_phase(arch, tokens, kept, e)
    candidates = {
        "prefill": ({"weights": w, "kv_cache": kv_prefill, "activations": layer_peak}),
        "prefill-lm-head": ({"weights": w, "kv_cache": kv_prefill, "activations": hidden, "logits": logits}),
    }
    # Decode: the cache grows by concatenation (one layer's K/V copied), prefill logits still held. The first
    # step starts from the whole prompt in every layer; the last ends with the windows applied to all tokens.
    total = s + max(setup.new_tokens, 1)
    kv_decode = max(kv_prefill, arch.kv_cache_bytes(b, total, kv_b))
    one_layer = max(layer.cache_values(total) for layer in arch.attention) * b * kv_b
    decode_act = one_layer + forward.layer_peak(arch, arch.num_layers - 1, b, b, total, e, setup.attn,
                                                setup.compute_dtype)
    candidates["decode"] = {"weights": w, "kv_cache": kv_decode, "activations": decode_act,
                            "logits": logits + b * arch.vocab_size * e}
    # Loading: transformers materialises a tied lm_head before tying it to the embeddings.
    load_extra = weights.role_bytes("embedding") if arch.tie_word_embeddings else 0.0
    candidates["load"] = {"weights": w, "activations": load_extra}
    phase, alive = max(candidates.items(), key=lambda item: sum(item[1].values()))
    rt = runtime_data()
    non_weight = sum(alive.values()) - w
    facts = Facts(kv_bytes_per_token=arch.kv_bytes_per_token(kv_b), weight_bits_per_param=weights.bits_per_weight,
                  n_params=arch.n_params)
    warnings = common_warnings(arch, setup)
    if any(layer.cached_tokens(s) < s for layer in arch.attention):
        warnings.append(Caveat("sliding_prompt_kept", "transformers keeps the whole prompt's keys and values in "
                                                      "sliding-window layers until the first decode step; "
                                                      "the window caps the cache only after that"))
    return make_estimate("inference", "transformers", alive, context_bytes=rt["cuda_context_bytes"],
                         allocator_bytes=rt["allocator_cache_fraction"] * non_weight, phase=phase,
                         warnings=warnings, facts=facts)
