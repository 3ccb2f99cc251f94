"""Transient tensors of one Hugging Face forward pass (inference), phase by phase.

Each function returns bytes alive *in addition to* weights and KV cache while one
decoder layer runs over ``tokens`` tokens: the residual stream, the normalised input,
the projections and the intermediate MLP tensors that coexist at that moment in
transformers' eager PyTorch code (``modeling_llama.py`` and its copies).
"""

from calculators.architectures import Architecture, Attention

#: Bytes per element of the fp32 temporaries RMSNorm creates (it upcasts to fp32).
FP32 = 4


def norm_phase(arch: Architecture, tokens: int, e: int) -> float:
    """RMSNorm: the fp32 copy of its input, its square and the normalised result."""
    return 2 * FP32 * tokens * arch.hidden_size + e * tokens * arch.hidden_size


def attention_phase(arch: Architecture, layer: Attention, tokens: int, batch: int, kv_len: int, e: int,
                    attn: str, dtype: str = "bf16") -> float:
    """Normed input, q/k/v before and after RoPE, attention output and o_proj output, plus what the
    attention implementation itself materialises (score matrices, K/V repeated to every query head)."""
    h = arch.hidden_size
    q_width = arch.num_heads * (layer.k_dim // max(layer.n_kv_heads, 1))
    v_out = arch.num_heads * (layer.v_dim // max(layer.n_kv_heads, 1))
    live = e * tokens * (h + 2 * q_width + 2 * layer.k_dim + layer.v_dim + v_out + h)
    if attn == "eager":
        live += eager_scores(arch, layer, tokens, batch, kv_len, e, dtype)
    elif attn == "sdpa":
        live += sdpa_extra(arch, layer, tokens, batch, kv_len, e)
    return live




def sdpa_mask_bytes(arch: Architecture, queries: int, kv_len: int) -> int:
    """The boolean (1, 1, q, k) mask transformers builds once per forward for sliding-window layers
    (broadcast over the batch); full-attention layers use SDPA's causal flag instead."""
    return queries * kv_len if any(layer.masks_keys(kv_len) for layer in arch.attention) else 0


def sdpa_extra(arch: Architecture, layer: Attention, tokens: int, batch: int, kv_len: int, e: int) -> float:
    """What ``torch.nn.functional.scaled_dot_product_attention`` adds beyond q, k, v and its output.

    transformers asks for ``enable_gqa`` when K/V heads are shared, no mask is passed and the
    head size is at most 256; otherwise it repeats K and V to every query head first (copies).
    PyTorch's fused kernels never materialise scores, but only flash attention (half precision)
    accepts ``enable_gqa``: an fp32 grouped-query call falls back to the math kernel, which
    holds the fp32 score matrix twice (product and softmax) next to repeated K/V.
    """
    groups = arch.num_heads // max(layer.n_kv_heads, 1)
    if groups <= 1:
        return 0.0
    repeated = e * batch * kv_len * (layer.k_dim + layer.v_dim) * groups
    head = layer.k_dim // max(layer.n_kv_heads, 1)
    if layer.masks_keys(kv_len) or head > 256 or layer.k_dim != layer.v_dim:
        return repeated
    if e < FP32:
        return 0.0
    queries = tokens // max(batch, 1)
    scores = batch * arch.num_heads * queries * kv_len
    return 2 * FP32 * scores + repeated + e * tokens * arch.num_heads * head + FP32 * queries * kv_len


def eager_scores(arch: Architecture, layer: Attention, tokens: int, batch: int, kv_len: int, e: int,
                 dtype: str = "bf16") -> float:
    """Eager attention materialises the (batch, heads, q, k) score matrix several times at once.

    transformers' ``eager_attention_forward``: ``matmul * scaling`` and the mask add hold two
    copies at a time; ``softmax(dtype=float32)`` converts a bf16 input to fp32 first (fp16 on
    CUDA has a fused half-to-float kernel), so the input, the fp32 copy and the fp32 result
    coexist, and ``.to(dtype)`` adds the cast back. With attention sinks (gpt-oss) the softmax
    stays in the input dtype over the scores concatenated with the sink logit: three copies.
    Plus the additive mask (batch, 1, q, k) and K/V repeated to every query head.
    """
    queries_per_seq = tokens // max(batch, 1)
    keys = kv_len  # a sliding window is applied through the mask; the score matrix is still q x k
    scores = batch * arch.num_heads * queries_per_seq * keys
    if arch.attention_sinks:
        per_score = 3 * e
    elif e >= FP32:
        per_score = 2 * e
    else:
        converted = FP32 if dtype == "bf16" else 0
        per_score = max(2 * e, e + converted + FP32, e + FP32 + e)
    mask = batch * queries_per_seq * keys * e
    repeated = 0
    if layer.n_kv_heads < arch.num_heads:
        repeated = e * batch * keys * (layer.k_dim + layer.v_dim) * (arch.num_heads // layer.n_kv_heads)
    return scores * per_score + mask + repeated


def mlp_phase(arch: Architecture, layer_index: int, tokens: int, e: int) -> float:
    """Residual + normed input plus the gated MLP's intermediates (or the routed experts')."""
    h = arch.hidden_size
    base = 2 * e * tokens * h
    layer = arch.layers[layer_index]
    if layer.routed:
        return base + moe_phase(arch, layer_index, tokens, e)
    widths = [t.out_features for t in layer.tensors if t.role == "mlp" and t.is_linear and t.in_features == h]
    if not widths:
        return base
    if len(widths) == 1:  # fused gate_up: [gate|up] (2f), act(gate) (f), product (f)
        f = widths[0] // 2
        return base + 4 * e * tokens * f
    f = max(widths)
    return base + 3 * e * tokens * f  # act(gate), up, product


def moe_phase(arch: Architecture, layer_index: int, tokens: int, e: int) -> float:
    """transformers' grouped_mm experts: every token copied once per chosen expert.

    Rows = tokens x top-k: gathered inputs, [gate|up] output, act and product; later the
    down output, its weighted copy and the un-permuted copy coexist with the inputs.
    Router logits are fp32; a shared expert runs as a dense MLP afterwards.
    """
    h, f = arch.hidden_size, arch.moe_intermediate_size
    rows = tokens * arch.experts_per_token
    up = e * rows * h + 4 * e * rows * f
    down = 4 * e * rows * h
    router = 2 * FP32 * tokens * arch.num_experts
    shared = [t.out_features for t in arch.layers[layer_index].tensors
              if t.role == "shared_expert" and t.is_linear and t.in_features == h and t.out_features > 1]
    shared_phase = e * tokens * h + 3 * e * tokens * max(shared) if shared else 0
    return max(up, down, shared_phase) + router


def layer_peak(arch: Architecture, layer_index: int, tokens: int, batch: int, kv_len: int, e: int, attn: str,
               dtype: str = "bf16") -> float:
    """Largest transient set while decoder layer ``layer_index`` runs (embeddings output and layer input included)."""
    h = arch.hidden_size
    held = 2 * e * tokens * h
    layer = arch.attention[layer_index]
    return held + max(norm_phase(arch, tokens, e) + e * tokens * h,
                      attention_phase(arch, layer, tokens, batch, kv_len, e, attn, dtype),
                      mlp_phase(arch, layer_index, tokens, e))


def head_phase(arch: Architecture, tokens: int, kept_tokens: int, e: int) -> tuple[float, float]:
    """After the last layer: (hidden-state bytes, logits bytes) while lm_head runs."""
    h = arch.hidden_size
    hidden = 3 * e * tokens * h  # embeddings output, last hidden state, final-norm output
    return hidden, e * kept_tokens * arch.vocab_size
