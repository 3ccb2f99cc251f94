"""What the speed model needs from a model: its architecture and its matmuls grouped by shape and role."""

import dataclasses

from calculators import architectures
from calculators.catalogs import formats
from calculators.architectures import Architecture
from calculators.core.errors import InputError

#: Roles that transformers >= 5 keeps as bare parameters rather than nn.Linear modules
#: (routed experts as one 3-D tensor per layer, MoE routers as a plain weight).
NOT_NN_LINEAR = frozenset({"expert", "router"})


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


#: Recent results of :func:`linear_groups` by architecture object (a sweep or a ranking asks for the same model
#: hundreds of times); the object is kept with its groups so an id is never mistaken for a newer object's.
_GROUPS_CACHE: dict[int, tuple[Architecture, tuple["LinearGroup", ...]]] = {}
_GROUPS_CACHE_SIZE = 16


def linear_groups(arch: Architecture) -> tuple[LinearGroup, ...]:
    """Every matmul weight of one forward pass, grouped by shape and role (tied lm_head included)."""
    hit = _GROUPS_CACHE.get(id(arch))
    if hit is not None and hit[0] is arch:
        return hit[1]
    groups = _linear_groups(arch)
    if len(_GROUPS_CACHE) >= _GROUPS_CACHE_SIZE:
        _GROUPS_CACHE.clear()
    _GROUPS_CACHE[id(arch)] = (arch, groups)
    return groups


def _linear_groups(arch: Architecture) -> tuple[LinearGroup, ...]:
    merged: dict[tuple[int, int, str], int] = {}
    for tensor in arch.tensors:
        if tensor.is_linear:
            key = (tensor.in_features, tensor.out_features, tensor.role)
            merged[key] = merged.get(key, 0) + tensor.count
    if arch.tie_word_embeddings:
        key = (arch.hidden_size, arch.vocab_size, "lm_head")
        merged[key] = merged.get(key, 0) + 1
    return tuple(LinearGroup(i, o, n, role) for (i, o, role), n in merged.items())


def resolve(model=None, config=None) -> Architecture:
    """An ``Architecture`` from a config.json (dict or text), an ``Architecture``, or a catalog model name."""
    if isinstance(model, Architecture):
        return model
    if config is not None:
        return architectures.build(config)
    if isinstance(model, dict):
        return architectures.build(model)
    if isinstance(model, str) and model.strip():
        return architectures.build(_catalog_config(model))
    raise InputError("model", "give a model name from the catalog or a config.json")


def _catalog_config(name: str) -> dict:
    """config.json values of a catalog model (``calculators.model_catalog``)."""
    from calculators.catalogs import models  # local: model_catalog imports the architectures, not the speed model

    return dict(models.get(name).config)


def bits_per_weight(weight_format: str, *, field: str = "weight_format") -> float:
    return formats.get(weight_format, field=field).bits_per_value


def canonical_format(fmt: str, *, field: str) -> str:
    """Catalog id of a dtype given as 'bfloat16', 'bf16', 'float16', …"""
    return formats.get(fmt, field=field).id
