"""What a decoder model holds: parameter tensors and per-layer attention (KV-cache) geometry."""

import dataclasses
import math

#: Tensor roles, from the input side of the network to the output side.
ROLES = ("embedding", "attention", "norm", "mlp", "router", "expert", "shared_expert", "lm_head")


@dataclasses.dataclass(frozen=True)
class Tensor:
    """One parameter tensor (or ``count`` identical ones, e.g. the experts of a layer).

    ``shape`` follows PyTorch: an nn.Linear weight is ``(out_features, in_features)``.
    ``layer`` is the decoder layer index, ``None`` outside the layers.
    """

    name: str
    shape: tuple[int, ...]
    role: str
    is_linear: bool
    layer: int | None = None
    count: int = 1

    @property
    def numel(self) -> int:
        """Elements of one copy."""
        return math.prod(self.shape)

    @property
    def total_numel(self) -> int:
        """Elements of all ``count`` copies."""
        return self.numel * self.count

    @property
    def in_features(self) -> int:
        return self.shape[-1]

    @property
    def out_features(self) -> int:
        return self.shape[0]


@dataclasses.dataclass(frozen=True)
class LayerAttention:
    """KV-cache geometry of one decoder layer.

    ``kind`` is ``full`` (every past token), ``sliding`` (the last ``window`` tokens)
    or ``mla`` (DeepSeek latent attention). ``k_dim``/``v_dim`` are the per-token
    widths of the key and value caches summed over KV heads, as a Hugging Face cache
    stores them; ``latent_dim`` is the compressed width an MLA-aware runtime stores
    (``kv_lora_rank + qk_rope_head_dim``), 0 for other kinds.
    """

    kind: str
    n_kv_heads: int
    k_dim: int
    v_dim: int
    window: int | None = None
    latent_dim: int = 0

    def cached_tokens(self, tokens: int) -> int:
        """Tokens this layer keeps after seeing ``tokens`` tokens."""
        if self.kind == "sliding" and self.window:
            return min(tokens, self.window)
        return tokens

    def values_per_token(self, *, latent: bool = False) -> int:
        """Cached values per token (keys plus values)."""
        if latent and self.kind == "mla":
            return self.latent_dim
        return self.k_dim + self.v_dim


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
    attention: tuple[LayerAttention, ...]
    n_params: int
    active_params: int
    num_experts: int = 0
    experts_per_token: int = 0
    moe_intermediate_size: int = 0
    max_position_embeddings: int | None = None
    warnings: tuple[str, ...] = ()
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

    @property
    def is_generic(self) -> bool:
        """True when the model_type was not recognised and the layout is a guess."""
        return bool(self.warnings)

    def linear_layers(self) -> tuple[tuple[int, int, int], ...]:
        """``(in_features, out_features, count)`` for every nn.Linear weight (experts included).

        A tied lm_head is listed too: it shares the embedding's storage but still runs
        as a matmul every forward pass. Routed experts are listed as matrices although
        transformers >= 5 keeps each layer's experts in one 3-D parameter. Identical
        shapes are merged, so ``count`` is the number of matrices of that shape.
        """
        merged: dict[tuple[int, int], int] = {}
        for tensor in self.tensors:
            if tensor.is_linear:
                key = (tensor.in_features, tensor.out_features)
                merged[key] = merged.get(key, 0) + tensor.count
        if self.tie_word_embeddings:
            key = (self.hidden_size, self.vocab_size)
            merged[key] = merged.get(key, 0) + 1
        return tuple((i, o, n) for (i, o), n in merged.items())

    def params_by_role(self) -> dict[str, int]:
        """Parameter count per role (embedding, attention, mlp, expert, …)."""
        totals: dict[str, int] = {}
        for tensor in self.tensors:
            totals[tensor.role] = totals.get(tensor.role, 0) + tensor.total_numel
        return totals

    def linear_params(self) -> int:
        """Parameters held in nn.Linear weights (what LoRA and weight quantizers act on)."""
        return sum(t.total_numel for t in self.tensors if t.is_linear)

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
        values = sum(layer.cached_tokens(tokens) * layer.values_per_token(latent=latent)
                     for layer in self.attention)
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
