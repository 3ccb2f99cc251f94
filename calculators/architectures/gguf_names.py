"""The name each parameter tensor has in a GGUF file, as llama.cpp's converter writes it.

llama.cpp places tensors by these names (``-ot`` / ``--override-tensor`` patterns, ``--n-cpu-moe``), so a model
of its memory needs them. The table follows ``gguf-py/gguf/constants.py`` (``TENSOR_NAMES``) and
``gguf-py/gguf/tensor_mapping.py`` in https://github.com/ggml-org/llama.cpp.
"""

from calculators.architectures.tensors import Tensor

#: Hugging Face module name -> GGUF tensor name inside a block, by the tensor's role.
_IN_BLOCK = {
    "attention": {
        "q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
        "qkv_proj": "attn_qkv", "query_key_value": "attn_qkv", "q_a_proj": "attn_q_a", "q_b_proj": "attn_q_b",
        "kv_a_proj_with_mqa": "attn_kv_a_mqa", "kv_b_proj": "attn_kv_b", "self_attn": "attn_sinks",
    },
    "norm": {
        "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm", "q_norm": "attn_q_norm",
        "k_norm": "attn_k_norm", "q_a_layernorm": "attn_q_a_norm", "kv_a_layernorm": "attn_kv_a_norm",
        "pre_feedforward_layernorm": "ffn_norm", "post_feedforward_layernorm": "post_ffw_norm",
    },
    "mlp": {"gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down", "gate_up_proj": "ffn_up",
            "w1": "ffn_gate", "w3": "ffn_up", "w2": "ffn_down"},
    "router": {"gate": "ffn_gate_inp", "router": "ffn_gate_inp"},
    "expert": {"gate_proj": "ffn_gate_exps", "up_proj": "ffn_up_exps", "down_proj": "ffn_down_exps",
               "gate_up_proj": "ffn_gate_up_exps", "w1": "ffn_gate_exps", "w3": "ffn_up_exps",
               "w2": "ffn_down_exps"},
    "shared_expert": {"gate_proj": "ffn_gate_shexp", "up_proj": "ffn_up_shexp", "down_proj": "ffn_down_shexp"},
}
#: Tensors outside the blocks.
_OUTSIDE = {"embedding": "token_embd", "lm_head": "output", "norm": "output_norm"}
#: Gemma 2/3 name the norm after attention ``post_attention_norm`` (their ``pre_feedforward_layernorm`` is
#: llama.cpp's ``ffn_norm``).
_GEMMA_POST_ATTENTION = "post_attention_norm"


def gguf_name(tensor: Tensor, *, has_pre_feedforward_norm: bool = False) -> str:
    """``blk.7.ffn_down_exps.weight``, ``token_embd.weight``: the tensor's name in a GGUF file."""
    suffix = "bias" if tensor.name.endswith(".bias") else "weight"
    if tensor.layer is None:
        return f"{_OUTSIDE.get(tensor.role, tensor.module)}.{suffix}"
    module = tensor.module if tensor.name.endswith((".weight", ".bias")) else tensor.name.rsplit(".", 1)[-1]
    if tensor.name.endswith(".sinks"):
        return f"blk.{tensor.layer}.attn_sinks.weight"
    if module == "post_attention_layernorm" and has_pre_feedforward_norm:
        name = _GEMMA_POST_ATTENTION
    else:
        name = _IN_BLOCK.get(tensor.role, {}).get(module, module)
    return f"blk.{tensor.layer}.{name}.{suffix}"


def gguf_names(tensors) -> list[str]:
    """The GGUF name of every tensor, in order (one pass, so Gemma's norm naming is known)."""
    tensors = list(tensors)
    gemma_norms = any(t.name.endswith("pre_feedforward_layernorm.weight") for t in tensors)
    return [gguf_name(t, has_pre_feedforward_norm=gemma_norms) for t in tensors]
