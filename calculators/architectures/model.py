"""What a decoder model holds: parameter tensors, decoder layers and their KV-cache geometry."""

import dataclasses
import functools

from calculators.architectures.layers import Attention, DecoderLayer
from calculators.architectures.tensors import Tensor
from calculators.core.caveats import Caveat


@dataclasses.dataclass(frozen=True)
class LinearGroup:
    """``count`` weight matrices of shape ``out_features`` x ``in_features`` with the same role."""
    in_features: int
    out_features: int
    count: int
    role: str

    @property
    def params(self) -> int:
        return self.in_features * self.out_features * self.count


@dataclasses.dataclass(frozen=True)
class Architecture:
    """Parameters and cache geometry of one model, built from a config.json.

    ``n_params`` is what ``sum(p.numel() for p in model.parameters())`` reports for
    the Hugging Face model (tied embeddings counted once); ``active_params`` is the
    count one token passes through (routed experts: only ``experts_per_token`` of them).
    """

    model_type: str
    hidden_size: int
    intermediate_size: int
    vocab_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    tie_word_embeddings: bool
    tensors: tuple[Tensor, ...]
    attention: tuple[Attention, ...]
    n_params: int
    active_params: int
    num_experts: int = 0
    experts_per_token: int = 0
    moe_intermediate_size: int = 0
    max_position_embeddings: int | None = None
    warnings: tuple[Caveat, ...] = ()
    supports_sdpa: bool = True
    #: What transformers' forward code does, which decides the transient and saved activations:
    #: RMSNorm arithmetic ('llama' or 'gemma'), norm placement ('pre', 'sandwich', 'post'),
    #: q/k norms (None, 'head', 'full'), tanh soft-capping of the logits, attention-sink logits.
    norm_style: str = "llama"
    norm_placement: str = "pre"
    qk_norm: str | None = None
    logit_softcapping: bool = False
    attention_sinks: bool = False

    @property
    def is_moe(self) -> bool:
        return self.num_experts > 0

    @functools.cached_property
    def layers(self) -> tuple[DecoderLayer, ...]:
        """Each decoder layer with its sequence mixer and its own tensors."""
        per_layer: list[list[Tensor]] = [[] for _ in range(self.num_layers)]
        for tensor in self.tensors:
            if tensor.layer is not None:
                per_layer[tensor.layer].append(tensor)
        return tuple(DecoderLayer(i, self.attention[i], tuple(per_layer[i])) for i in range(self.num_layers))

    @functools.cached_property
    def linear_groups(self) -> tuple[LinearGroup, ...]:
        """Every matmul weight of one forward pass, grouped by shape and role (experts included).

        A tied lm_head is listed too: it shares the embedding's storage but still runs as a matmul every
        forward pass. Routed experts are listed as matrices although transformers >= 5 keeps each layer's
        experts in one 3-D parameter. ``count`` is the number of matrices of that shape and role.
        """
        merged: dict[tuple[int, int, str], int] = {}
        for tensor in self.tensors:
            if tensor.is_linear:
                key = (tensor.in_features, tensor.out_features, tensor.role)
                merged[key] = merged.get(key, 0) + tensor.count
        if self.tie_word_embeddings:
            key = (self.hidden_size, self.vocab_size, "lm_head")
            merged[key] = merged.get(key, 0) + 1
        return tuple(LinearGroup(i, o, n, role) for (i, o, role), n in merged.items())

    @functools.cached_property
    def distinct_mixers(self) -> tuple[tuple[Attention, int], ...]:
        """Each distinct sequence mixer with the number of layers that have it: layers alike cost the same, so
        the engines compute each kind once (a model has one to three kinds over up to a few hundred layers)."""
        counts: dict[Attention, int] = {}
        for mixer in self.attention:
            counts[mixer] = counts.get(mixer, 0) + 1
        return tuple(counts.items())

    @property
    def matmul_params(self) -> int:
        """Weights applied as matmuls in one forward pass (a tied lm_head counted again)."""
        return sum(g.params for g in self.linear_groups)

    def params_by_role(self) -> dict[str, int]:
        """Parameter count per role (embedding, attention, mlp, expert, …)."""
        totals: dict[str, int] = {}
        for tensor in self.tensors:
            totals[tensor.role] = totals.get(tensor.role, 0) + tensor.total_numel
        return totals

    # --- KV cache -----------------------------------------------------------------
    def kv_values_per_token(self, *, latent: bool = False) -> int:
        """Cached values per token summed over layers, windows ignored."""
        return sum(layer.values_per_token(latent=latent) for layer in self.attention)

    def kv_bytes_per_token(self, bytes_per_value: float = 2, *, latent: bool = False) -> float:
        """KV-cache bytes one token adds across all layers (no window cap)."""
        return self.kv_values_per_token(latent=latent) * bytes_per_value

    def kv_cache_bytes(self, batch: int, tokens: int, bytes_per_value: float = 2, *,
                       latent: bool = False) -> float:
        """KV-cache bytes for ``batch`` sequences of ``tokens`` tokens (sliding layers capped)."""
        values = sum(layer.cache_values(tokens, latent=latent) for layer in self.attention)
        return batch * values * bytes_per_value

    @property
    def attention_kinds(self) -> tuple[str, ...]:
        """Distinct layer kinds, e.g. ``('full', 'sliding')`` for a hybrid model."""
        seen: list[str] = []
        for layer in self.attention:
            if layer.kind not in seen:
                seen.append(layer.kind)
        return tuple(seen)

    @property
    def kv_sharing(self) -> str:
        """MHA, GQA, MQA or MLA."""
        if "mla" in self.attention_kinds:
            return "MLA"
        if self.num_kv_heads == self.num_heads:
            return "MHA"
        if self.num_kv_heads == 1:
            return "MQA"
        return "GQA"
