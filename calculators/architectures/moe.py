"""Routed experts: what each MoE layout named in ``model_types.json`` (``moe_layouts``) means for the tensors.

A layout is data (which config keys hold the expert counts and widths, whether there is a shared expert, biases,
fused projections, and which layers are routed); the layer rules below are the only code, one per way the
transformers configuration classes place their MoE layers. A new MoE model type with a known placement is one
``moe_layouts`` entry.
"""

import dataclasses
import functools

from calculators import data
from calculators.architectures.dims import LIMITS, Dims, Reader


@dataclasses.dataclass(frozen=True)
class Moe:
    """Routed-expert sizes of a MoE model (all zero for dense models)."""

    num_experts: int = 0
    top_k: int = 0
    expert_size: int = 0
    shared_size: int = 0
    shared_gate: bool = False
    router_bias: bool = False
    expert_bias: bool = False
    fused_gate_up: bool = False


@functools.cache
def layouts() -> dict:
    """MoE layouts by name (``data/model_types.json``, ``moe_layouts``)."""
    return {k: v for k, v in data.load("model_types.json")["moe_layouts"].items() if not k.startswith("_")}


def read_moe(kind: str | None, reader: Reader, dims: Dims) -> Moe:
    """Expert counts and widths of the layout ``kind`` (None: a dense model)."""
    if kind is None:
        return Moe()
    layout = layouts()[kind]
    experts = reader.integer(layout["experts"], maximum=LIMITS["num_experts"])
    top_k = reader.integer("num_experts_per_tok", maximum=experts)
    if layout["expert_size"] == "intermediate_size":
        size = dims.intermediate_size
    else:
        size = reader.integer(layout["expert_size"], maximum=LIMITS["moe_intermediate_size"])
    shared = 0
    if layout["shared_size"]:
        shared = reader.integer(layout["shared_size"], minimum=0, maximum=LIMITS["intermediate_size"])
    elif layout["shared_count"]:
        shared = size * reader.integer(layout["shared_count"], minimum=0, maximum=LIMITS["num_experts"])
    return Moe(num_experts=experts, top_k=top_k, expert_size=size, shared_size=shared,
               shared_gate=layout["shared_gate"], router_bias=layout["router_bias"],
               expert_bias=layout["expert_bias"], fused_gate_up=layout["fused_gate_up"])


def _all(reader: Reader, n: int) -> tuple[bool, ...]:
    return (True,) * n


def _sparse_step(reader: Reader, n: int) -> tuple[bool, ...]:
    """Qwen-MoE: every ``decoder_sparse_step``-th layer is routed, except those in ``mlp_only_layers``."""
    step = reader.integer("decoder_sparse_step", maximum=max(n, 1))
    dense_only = set(reader.int_list("mlp_only_layers", maximum=n))
    return tuple(i not in dense_only and (i + 1) % step == 0 for i in range(n))


def _first_k_dense(reader: Reader, n: int) -> tuple[bool, ...]:
    """DeepSeek: the first ``first_k_dense_replace`` layers are dense, then every ``moe_layer_freq``-th is routed."""
    first_dense = reader.integer("first_k_dense_replace", minimum=0, maximum=n)
    freq = reader.integer("moe_layer_freq", maximum=max(n, 1))
    return tuple(i >= first_dense and i % freq == 0 for i in range(n))


LAYER_RULES = {"all": _all, "sparse_step": _sparse_step, "first_k_dense": _first_k_dense}


def moe_layers(kind: str | None, reader: Reader, dims: Dims) -> tuple[bool, ...]:
    """For each layer, whether its MLP is routed experts."""
    if kind is None:
        return (False,) * dims.num_layers
    return LAYER_RULES[layouts()[kind]["layers"]](reader, dims.num_layers)
