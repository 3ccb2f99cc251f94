"""Parameter tensors of a decoder, named and shaped as the Hugging Face model holds them."""

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
    def module(self) -> str:
        """The module this parameter belongs to, as PEFT and the mix rules name it (``q_proj``, ``down_proj``)."""
        return self.name.rsplit(".", 2)[-2]

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
