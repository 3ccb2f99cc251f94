"""What autograd keeps for backward, per token, in one decoder layer of a transformers causal LM.

Each rule follows one piece of transformers' (5.x) eager PyTorch code and asks which tensors
the backward formulas of its operations need:

* RMSNorm (``llama`` style): ``x.to(fp32)`` is saved by ``pow``; the normalised value, cast
  back to the input dtype, is saved by ``weight * ...`` when the weight is trainable.
  ``gemma`` style: the fp32 copy, and the fp32 normalised value times ``(1 + weight)``.
* nn.Linear keeps its input when its weight is trainable. Under autocast every call casts a
  non-bf16 input to a fresh bf16 copy; peft casts a LoRA adapter's input to the adapter's
  fp32 dtype and autocast casts it back: one bf16 copy per adapted projection.
* Attention (SDPA): q and k after RoPE, v, the output and the log-sum-exp; K/V repeated to
  every query head when transformers passes a mask (sliding windows) to a grouped-query model.
  Eager: also the softmax output (fp32) and its cast, or one copy with attention sinks.
* Gated MLP: the gate output (activation input), the activation and up outputs (product
  inputs) and the product (down_proj input) when down_proj needs it.
"""

from calculators.architectures import Architecture
from calculators.memory import precision
from calculators.memory.precision import Precision

FP32, BF16 = precision.FP32, precision.BF16


def norm_saved(arch: Architecture, p: Precision, in_bytes: int) -> tuple[int, int]:
    """(bytes saved per normalised element, bytes per element of the norm's output)."""
    trainable = p.trainable_base
    if arch.norm_style == "gemma":
        return FP32 + (FP32 if trainable else 0), in_bytes
    return FP32 + (in_bytes if trainable else 0), max(p.weight, in_bytes)


def linear_inputs_saved(p: Precision, in_bytes: int, consumers: int, adapted: int) -> int:
    """Bytes per input element that ``consumers`` projections (``adapted`` of them LoRA-wrapped) keep."""
    saved = 0
    if p.trainable_base and consumers:
        saved += BF16 * consumers if (p.autocast and in_bytes != BF16) else in_bytes
    return saved + BF16 * adapted


def attention_saved(arch: Architecture, i: int, p: Precision, attn: str, seq: int, fused_qkv: bool) -> float:
    """Per token: the attention core's saved tensors (projections' inputs excluded).

    With one fused qkv_proj, v is a view of the fused output: saving v keeps all of it.
    """
    e = p.act
    layer = arch.attention[i]
    heads = max(layer.n_kv_heads, 1)
    q_w = arch.num_heads * (layer.k_dim // heads)
    out_w = arch.num_heads * (layer.v_dim // heads)
    groups = arch.num_heads // heads
    saved = e * (q_w + layer.k_dim + layer.v_dim + out_w) + FP32 * arch.num_heads
    if fused_qkv:
        saved += e * (q_w + layer.k_dim)
    if groups > 1 and (attn == "eager" or layer.masks_keys(seq)):
        saved += e * (groups - 1) * (layer.k_dim + layer.v_dim)
    if attn == "eager":
        per_score = e if arch.attention_sinks else FP32 + (e if e < FP32 else 0)
        saved += per_score * arch.num_heads * seq
    if arch.qk_norm:
        per_element, _ = norm_saved(arch, p, e)
        saved += per_element * (q_w + layer.k_dim)
    return saved


def mlp_saved(arch: Architecture, i: int, p: Precision) -> float:
    """Per token: a dense gated MLP's or the routed experts' saved intermediates (inputs excluded)."""
    h, e = arch.hidden_size, p.act
    tensors = [t for t in arch.layers[i].tensors if t.is_linear]
    routed = [t for t in tensors if t.role == "expert"]
    if routed:
        k, f = arch.experts_per_token, arch.moe_intermediate_size
        saved = k * (2 * e * h + 4 * e * f) + FP32 * arch.num_experts
        shared = [t.out_features for t in tensors if t.role == "shared_expert" and t.in_features == h
                  and t.out_features > 1]
        return saved + (4 * e * max(shared) if shared else 0)
    widths = [t.out_features for t in tensors if t.role == "mlp" and t.in_features == h]
    f = max(widths) // (2 if len(widths) == 1 else 1) if widths else 0
    # gate output, activation, up output; the product only when down_proj's weight is trained
    # (an adapted down_proj keeps its own bf16 copy instead, counted with the linear inputs).
    return e * f * (4 if p.trainable_base else 3)


def layer_saved(arch: Architecture, i: int, p: Precision, adapted: frozenset, rank: int, attn: str,
                seq: int) -> float:
    """Per token: everything autograd saves for decoder layer ``i``."""
    h, e = arch.hidden_size, p.act
    proj = arch.layers[i].linears
    lora = {name for name in proj if name in adapted and proj[name].role != "expert"} if rank else set()
    attn_in = [n for n in ("q_proj", "k_proj", "v_proj", "qkv_proj", "q_a_proj", "kv_a_proj_with_mqa") if n in proj]
    mlp_in = [n for n in ("gate_proj", "up_proj", "gate_up_proj") if n in proj]
    layer = arch.attention[i]
    out_w = arch.num_heads * (layer.v_dim // max(layer.n_kv_heads, 1))
    f = proj["down_proj"].in_features if "down_proj" in proj else 0

    saved = 0.0
    for block_inputs in (attn_in, mlp_in):
        adapted_here = len([n for n in block_inputs if n in lora])
        if arch.norm_placement == "post":  # the residual stream goes straight into the projections
            saved += h * linear_inputs_saved(p, p.residual, len(block_inputs), adapted_here)
        else:
            per_element, out_bytes = norm_saved(arch, p, p.residual)
            saved += h * (per_element + linear_inputs_saved(p, out_bytes, len(block_inputs), adapted_here))
        if arch.norm_placement in ("post", "sandwich"):  # a norm on the sub-block's output
            saved += h * norm_saved(arch, p, e)[0]
    # o_proj reads the attention output (already saved by SDPA) and down_proj the MLP product.
    saved += out_w * linear_inputs_saved(p, e, 0, 1 if "o_proj" in lora else 0)
    saved += f * linear_inputs_saved(p, e, 0, 1 if "down_proj" in lora else 0)
    saved += attention_saved(arch, i, p, attn, seq, "qkv_proj" in proj)
    saved += mlp_saved(arch, i, p)
    return saved + BF16 * rank * len(lora)  # each adapter's rank-r product, kept for lora_B


def final_norm_saved(arch: Architecture, p: Precision) -> float:
    """Per token: the final norm and lm_head's input."""
    per_element, out_bytes = norm_saved(arch, p, p.residual)
    return arch.hidden_size * (per_element + linear_inputs_saved(p, out_bytes, 1, 0))
