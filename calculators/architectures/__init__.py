"""Parameter tensors and KV-cache geometry of decoder LLMs, from a Hugging Face config.json.

``build(config)`` is the one entry point. Layout data per ``model_type`` lives in
``calculators/data/model_types.json``; a model_type without a layout there is refused with an error naming it
(a multimodal wrapper whose ``text_config`` is known is counted as its language model, with a caveat).
"""

from calculators.architectures.dims import Reader, model_types, read_dims, supported_model_types
from calculators.architectures.layers import (
    Attention,
    ChunkedAttention,
    DecoderLayer,
    LatentAttention,
    SlidingWindowAttention,
)
from calculators.architectures.layout import attention_tensors, local_layers, localized, mlp_tensors, norm_tensors
from calculators.architectures.model import Architecture, LinearGroup
from calculators.architectures.moe import moe_layers, read_moe
from calculators.architectures.tensors import ROLES, Tensor
from calculators.core.caveats import Caveat
from calculators.core.errors import InputError
from calculators.core.json_input import parse_config
from calculators.core.validate import MAX_PARAMS

__all__ = ["Architecture", "Attention", "ChunkedAttention", "DecoderLayer", "LatentAttention", "LinearGroup", "ROLES", "SlidingWindowAttention",
           "Tensor", "build", "supported_model_types"]


def build(config) -> Architecture:
    """The ``Architecture`` a config.json (dict or JSON text) describes."""
    config = parse_config(config)
    warnings: list[Caveat] = []
    model_type = config.get("model_type")
    if model_type is not None and not isinstance(model_type, str):
        raise InputError("config.model_type", f"expected text, got {type(model_type).__name__}")
    layouts = model_types()
    if model_type not in layouts:
        text = config.get("text_config")
        if isinstance(text, dict) and text.get("model_type") in layouts:
            warnings.append(Caveat("text_model_only", f"model_type {model_type!r}: only the language model "
                                   "(text_config) is counted; vision or audio towers are not included"))
            config, model_type = text, text["model_type"]
        else:
            # One rule on every surface: an architecture whose layout is not known is refused, never guessed (a
            # Llama-shaped guess of a MoE or hybrid model can be several times too small).
            shown = "missing" if model_type is None else repr(model_type[:40])
            raise InputError("config.model_type", f"{shown} is not a supported architecture, so its parameters and "
                                                  f"memory cannot be computed; supported: "
                                                  f"{', '.join(supported_model_types())}")
    layout = layouts[model_type]
    structure = layout["structure"]
    reader = Reader(config, layout["defaults"])
    dims = read_dims(model_type, reader)
    moe = read_moe(structure["moe"], reader, dims)
    routed = moe_layers(structure["moe"], reader, dims)
    local = local_layers(structure["sliding"], reader, dims)

    h, v = dims.hidden_size, dims.vocab_size
    tensors: list[Tensor] = [Tensor("model.embed_tokens.weight", (v, h), "embedding", False)]
    attention: list[Attention] = []
    for i in range(dims.num_layers):
        attn, geometry = attention_tensors(structure, reader, dims, i)
        attention.append(localized(geometry, local[i]))
        tensors += attn
        tensors += mlp_tensors(structure, reader, dims, moe, i, routed[i])
        tensors += norm_tensors(structure["norms_per_layer"], h, i, structure["norm_placement"])
    tensors.append(Tensor("model.norm.weight", (h,), "norm", False))
    if not dims.tie_word_embeddings:
        tensors.append(Tensor("lm_head.weight", (v, h), "lm_head", True))

    n_params = sum(t.total_numel for t in tensors)
    if n_params > MAX_PARAMS:
        raise InputError("config", f"describes {n_params:.3g} parameters, more than the {MAX_PARAMS:.0e} accepted")
    expert_params = sum(t.total_numel for t in tensors if t.role == "expert")
    inactive = expert_params - (expert_params * moe.top_k // moe.num_experts if moe.num_experts else expert_params)
    return Architecture(
        model_type=dims.model_type,
        hidden_size=h, intermediate_size=dims.intermediate_size, vocab_size=v, num_layers=dims.num_layers,
        num_heads=dims.num_heads, num_kv_heads=dims.num_kv_heads, head_dim=dims.head_dim,
        tie_word_embeddings=dims.tie_word_embeddings, tensors=tuple(tensors), attention=tuple(attention),
        n_params=n_params, active_params=n_params - inactive, num_experts=moe.num_experts,
        experts_per_token=moe.top_k, moe_intermediate_size=moe.expert_size,
        max_position_embeddings=dims.max_position_embeddings, warnings=tuple(warnings),
        supports_sdpa=bool(structure.get("sdpa", True)), norm_style=structure["norm_style"],
        norm_placement=structure["norm_placement"], qk_norm=structure["qk_norm"],
        logit_softcapping=reader.positive_or_none("final_logit_softcapping"), attention_sinks=bool(structure["sinks"]))
