"""Read the sizes a layout needs from a config.json dict, with each model_type's defaults.

Every value is checked; a bad one raises ``InputError`` naming ``config.<key>``.
"""

import dataclasses
import functools

from calculators import data
from calculators.core import validate
from calculators.core.errors import InputError

#: Bounds that keep every count finite and the tensor list small (the largest
#: published decoders have ~130 layers, 64k hidden size and 1M-token vocabularies).
LIMITS = {
    "vocab_size": 10**7, "hidden_size": 2**17, "intermediate_size": 2**20, "num_hidden_layers": 1024,
    "num_attention_heads": 4096, "num_key_value_heads": 4096, "head_dim": 2**14, "num_experts": 4096,
    "num_experts_per_tok": 4096, "moe_intermediate_size": 2**20, "lora_rank": 2**16, "window": 10**9,
}

#: Other spellings of the same quantity, tried in order (GPT-2/Falcon/MPT style configs).
ALIASES = {
    "hidden_size": ("hidden_size", "n_embd", "d_model", "dim"),
    "num_hidden_layers": ("num_hidden_layers", "n_layer", "num_layers", "n_layers"),
    "num_attention_heads": ("num_attention_heads", "n_head", "num_heads", "n_heads"),
    "num_key_value_heads": ("num_key_value_heads", "n_kv_heads", "num_kv_heads", "multi_query_group_num"),
    "intermediate_size": ("intermediate_size", "n_inner", "ffn_hidden_size", "ffn_dim"),
    "vocab_size": ("vocab_size", "padded_vocab_size", "n_vocab"),
    "max_position_embeddings": ("max_position_embeddings", "n_positions", "max_seq_len", "seq_length"),
}


@functools.cache
def model_types() -> dict:
    """Layouts by model_type from ``data/model_types.json``."""
    return data.load("model_types.json")["model_types"]


def supported_model_types() -> tuple[str, ...]:
    return tuple(k for k in model_types() if not k.startswith("_"))


class Reader:
    """Typed access to one config dict, falling back to the model_type's defaults."""

    def __init__(self, config: dict, defaults: dict):
        self.config = config
        self.defaults = defaults

    def raw(self, key: str):
        for name in ALIASES.get(key, (key,)):
            if name in self.config:  # an explicit null means "none" (e.g. sliding_window: null)
                return self.config[name]
        return self.defaults.get(key)

    def has(self, key: str) -> bool:
        return any(name in self.config and self.config[name] is not None for name in ALIASES.get(key, (key,)))

    def integer(self, key: str, *, minimum: int = 1, maximum: int | None = None, default=None) -> int | None:
        value = self.raw(key)
        if value is None:
            if default is None:
                raise InputError(f"config.{key}", "is required for this model_type")
            return default
        limit = maximum if maximum is not None else LIMITS.get(key, 10**9)
        return validate.integer(f"config.{key}", value, minimum=minimum, maximum=limit)

    def optional_integer(self, key: str, *, minimum: int = 0, maximum: int = 10**9) -> int | None:
        value = self.raw(key)
        if value is None:
            return None
        return validate.integer(f"config.{key}", value, minimum=minimum, maximum=maximum)

    def positive_or_none(self, key: str) -> bool:
        """True when ``key`` holds a positive number (a soft-capping value, say); null, 0 or absent: False."""
        value = self.raw(key)
        if value is None or value is False:
            return False
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"config.{key}", "expected a number or null")
        return value > 0

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise InputError(f"config.{key}", f"expected true or false, got {type(value).__name__}")
        return value

    def int_list(self, key: str, *, maximum: int) -> tuple[int, ...]:
        value = self.raw(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise InputError(f"config.{key}", f"expected a list, got {type(value).__name__}")
        if len(value) > 10_000:
            raise InputError(f"config.{key}", "has too many entries")
        return tuple(validate.integer(f"config.{key}", v, minimum=0, maximum=maximum) for v in value)

    def str_list(self, key: str, *, length: int) -> tuple[str, ...] | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"config.{key}", "expected a list of strings")
        if len(value) < length:
            raise InputError(f"config.{key}", f"has {len(value)} entries for {length} layers")
        return tuple(value[:length])

    def structure_flag(self, setting) -> bool:
        """A structure flag: a literal bool, or the name of the config key that decides it."""
        if isinstance(setting, bool):
            return setting
        return self.flag(setting, bool(self.defaults.get(setting, False)))


@dataclasses.dataclass(frozen=True)
class Dims:
    """The sizes common to every decoder."""

    model_type: str
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_layers: int
    num_heads: int
    num_kv_heads: int
    head_dim: int
    tie_word_embeddings: bool
    max_position_embeddings: int | None


def read_dims(model_type: str, reader: Reader) -> Dims:
    """Common sizes, cross-checked (heads divide evenly, and so on)."""
    hidden = reader.integer("hidden_size")
    heads = reader.integer("num_attention_heads")
    layers = reader.integer("num_hidden_layers")
    vocab = reader.integer("vocab_size")
    kv_heads = reader.integer("num_key_value_heads", default=heads)
    if kv_heads > heads or heads % kv_heads:
        raise InputError("config.num_key_value_heads",
                         f"{kv_heads} must divide num_attention_heads ({heads})")
    if reader.raw("head_dim") is not None:
        head_dim = reader.integer("head_dim")
    else:
        if hidden % heads:
            raise InputError("config.num_attention_heads",
                             f"{heads} does not divide hidden_size ({hidden}); give head_dim")
        head_dim = hidden // heads
    intermediate = reader.integer("intermediate_size", default=4 * hidden)
    return Dims(model_type=model_type, vocab_size=vocab, hidden_size=hidden, intermediate_size=intermediate,
                num_layers=layers, num_heads=heads, num_kv_heads=kv_heads, head_dim=head_dim,
                tie_word_embeddings=reader.flag("tie_word_embeddings", bool(reader.defaults.get("tie_word_embeddings"))),
                max_position_embeddings=reader.optional_integer("max_position_embeddings", minimum=1,
                                                                maximum=10**9))
