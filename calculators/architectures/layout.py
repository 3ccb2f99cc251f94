"""Turn a model_type's structure flags and sizes into parameter tensors and attention geometry.

Names follow the Hugging Face modules (``model.layers.{i}.self_attn.q_proj.weight``);
routed experts are one record per layer and projection with ``count`` = experts.
"""

from calculators.architectures.dims import LIMITS, Dims, Reader
from calculators.architectures.layers import (
    LOCAL_KINDS,
    Attention,
    LatentAttention,
    LocalAttention,
    SlidingWindowAttention,
)
from calculators.architectures.moe import Moe
from calculators.architectures.tensors import Tensor
from calculators.core.errors import InputError


def local_layers(rule: str, reader: Reader, dims: Dims) -> tuple[tuple[type[LocalAttention], int] | None, ...]:
    """Per layer, the local attention kind and its span, or None for full attention: from ``layer_types``
    ("sliding_attention", "chunked_attention", …) when config.json has it, else the model_type's sliding rule."""
    types = reader.str_list("layer_types", length=dims.num_layers)
    if types is not None:
        out = []
        for layer_type in types:
            kind = next((cls for word, cls in LOCAL_KINDS.items() if word in layer_type), None)
            if kind is None:
                out.append(None)
                continue
            span = reader.optional_integer(kind.span_key, minimum=1, maximum=LIMITS["window"])
            if span is None:
                raise InputError(f"config.{kind.span_key}", f"is required when layer_types has {kind.kind} layers")
            out.append((kind, span))
        return tuple(out)
    return tuple(None if w is None else (SlidingWindowAttention, w) for w in _sliding_rule(rule, reader, dims))


def localized(full: Attention, local: tuple[type[LocalAttention], int] | None) -> Attention:
    """A full-attention layer's geometry restricted to its local kind (MLA and unrestricted layers unchanged)."""
    if local is None or full.kind != "full":
        return full
    kind, span = local
    return kind.from_full(full, span)


def _sliding_rule(rule: str, reader: Reader, dims: Dims) -> tuple[int | None, ...]:
    """Window per layer (``None`` = full attention) from the model_type's rule, for configs without layer_types."""
    n = dims.num_layers
    window = reader.optional_integer("sliding_window", minimum=1, maximum=LIMITS["window"])
    if window is None or rule == "none":
        return (None,) * n
    if rule == "all":
        return (window,) * n
    if rule == "qwen2":
        if not reader.flag("use_sliding_window", False):
            return (None,) * n
        first = reader.integer("max_window_layers", minimum=0, maximum=10**6)
        return tuple(window if i >= first else None for i in range(n))
    if rule == "alternate":
        return tuple(window if i % 2 == 0 else None for i in range(n))
    if rule == "pattern":
        pattern = reader.integer("sliding_window_pattern", maximum=LIMITS["num_hidden_layers"] + 1)
        return tuple(None if (i + 1) % pattern == 0 else window for i in range(n))
    raise AssertionError(f"unknown sliding rule {rule}")


def linear(name, out_features, in_features, role, layer, *, bias=False, count=1):
    """An nn.Linear weight and, when present, its bias."""
    items = [Tensor(f"{name}.weight", (out_features, in_features), role, True, layer, count)]
    if bias:
        items.append(Tensor(f"{name}.bias", (out_features,), role, False, layer, count))
    return items


def attention_tensors(structure: dict, reader: Reader, dims: Dims, i: int) -> tuple[list[Tensor], Attention]:
    """Projection weights, biases and norms of one attention block, and its cache geometry."""
    p = f"model.layers.{i}.self_attn"
    h, nh, nkv, d = dims.hidden_size, dims.num_heads, dims.num_kv_heads, dims.head_dim
    qkv_bias = reader.structure_flag(structure["qkv_bias"])
    o_bias = reader.structure_flag(structure["o_bias"])
    out: list[Tensor] = []
    kind = structure["attention"]
    if kind == "mla":
        return mla_tensors(reader, dims, i)
    if kind == "fused_qkv":
        out += linear(f"{p}.qkv_proj", (nh + 2 * nkv) * d, h, "attention", i, bias=qkv_bias)
    else:
        out += linear(f"{p}.q_proj", nh * d, h, "attention", i, bias=qkv_bias)
        out += linear(f"{p}.k_proj", nkv * d, h, "attention", i, bias=qkv_bias)
        out += linear(f"{p}.v_proj", nkv * d, h, "attention", i, bias=qkv_bias)
    out += linear(f"{p}.o_proj", h, nh * d, "attention", i, bias=o_bias)
    if structure["qk_norm"] == "head":
        out += [Tensor(f"{p}.q_norm.weight", (d,), "norm", False, i), Tensor(f"{p}.k_norm.weight", (d,), "norm", False, i)]
    elif structure["qk_norm"] == "full":
        out += [Tensor(f"{p}.q_norm.weight", (nh * d,), "norm", False, i),
                Tensor(f"{p}.k_norm.weight", (nkv * d,), "norm", False, i)]
    if structure["sinks"]:
        out.append(Tensor(f"{p}.sinks", (nh,), "attention", False, i))
    return out, Attention(nkv, nkv * d, nkv * d)


def mla_tensors(reader: Reader, dims: Dims, i: int) -> tuple[list[Tensor], Attention]:
    """DeepSeek multi-head latent attention: low-rank query and a shared compressed KV latent."""
    p = f"model.layers.{i}.self_attn"
    h, nh = dims.hidden_size, dims.num_heads
    q_rank = reader.optional_integer("q_lora_rank", minimum=1, maximum=LIMITS["hidden_size"])
    kv_rank = reader.integer("kv_lora_rank", maximum=LIMITS["hidden_size"])
    rope = reader.integer("qk_rope_head_dim", minimum=0, maximum=LIMITS["head_dim"])
    nope = reader.integer("qk_nope_head_dim", minimum=0, maximum=LIMITS["head_dim"])
    v_dim = reader.integer("v_head_dim", maximum=LIMITS["head_dim"])
    qk_dim = rope + nope
    if qk_dim < 1:
        raise InputError("config.qk_nope_head_dim", "qk_nope_head_dim + qk_rope_head_dim must be positive")
    out: list[Tensor] = []
    if q_rank is None:
        out += linear(f"{p}.q_proj", nh * qk_dim, h, "attention", i)
    else:
        out += linear(f"{p}.q_a_proj", q_rank, h, "attention", i)
        out.append(Tensor(f"{p}.q_a_layernorm.weight", (q_rank,), "norm", False, i))
        out += linear(f"{p}.q_b_proj", nh * qk_dim, q_rank, "attention", i)
    out += linear(f"{p}.kv_a_proj_with_mqa", kv_rank + rope, h, "attention", i)
    out.append(Tensor(f"{p}.kv_a_layernorm.weight", (kv_rank,), "norm", False, i))
    out += linear(f"{p}.kv_b_proj", nh * (nope + v_dim), kv_rank, "attention", i)
    out += linear(f"{p}.o_proj", h, nh * v_dim, "attention", i)
    return out, LatentAttention(nh, nh * qk_dim, nh * v_dim, latent_width=kv_rank + rope,
                                 rope_width=rope)


def mlp_tensors(structure: dict, reader: Reader, dims: Dims, moe: Moe, i: int, routed: bool) -> list[Tensor]:
    """Dense gated MLP, or router + routed experts (+ shared expert) for a MoE layer."""
    p = f"model.layers.{i}.mlp"
    h = dims.hidden_size
    bias = reader.structure_flag(structure["mlp_bias"])
    if not routed:
        f = dims.intermediate_size
        if structure["mlp"] == "fused_gated":
            return linear(f"{p}.gate_up_proj", 2 * f, h, "mlp", i, bias=bias) + linear(f"{p}.down_proj", h, f, "mlp", i, bias=bias)
        return gated(p, h, f, "mlp", i, bias=bias)
    out = linear(f"{p}.router" if moe.router_bias else f"{p}.gate", moe.num_experts, h, "router", i, bias=moe.router_bias)
    e, f = moe.num_experts, moe.expert_size
    if moe.fused_gate_up:
        out += linear(f"{p}.experts.*.gate_up_proj", 2 * f, h, "expert", i, bias=moe.expert_bias, count=e)
        out += linear(f"{p}.experts.*.down_proj", h, f, "expert", i, bias=moe.expert_bias, count=e)
    else:
        out += gated(f"{p}.experts.*", h, f, "expert", i, count=e)
    if moe.shared_size:
        out += gated(f"{p}.shared_expert{'s' if not moe.shared_gate else ''}", h, moe.shared_size, "shared_expert", i)
    if moe.shared_gate:
        out += linear(f"{p}.shared_expert_gate", 1, h, "shared_expert", i)
    return out


def gated(prefix, h, f, role, i, *, bias=False, count=1) -> list[Tensor]:
    return (linear(f"{prefix}.gate_proj", f, h, role, i, bias=bias, count=count)
            + linear(f"{prefix}.up_proj", f, h, role, i, bias=bias, count=count)
            + linear(f"{prefix}.down_proj", h, f, role, i, bias=bias, count=count))


def norm_tensors(count: int, h: int, i: int, placement: str = "pre") -> list[Tensor]:
    """Hidden-size norm weights of decoder layer ``i`` (OLMo 2's post-norms only: its own names)."""
    if placement == "post":
        picked = ("post_attention_layernorm", "post_feedforward_layernorm")
    else:
        picked = ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                  "post_feedforward_layernorm")[:count]
    return [Tensor(f"model.layers.{i}.{n}.weight", (h,), "norm", False, i) for n in picked]
