"""Mixture-of-experts: how many routed experts a decode step touches."""

from calculators.core import validate


def expected_experts_touched(num_experts: int, experts_per_token: int, tokens: int) -> float:
    """Expected distinct experts of one layer that ``tokens`` tokens select, routing uniform at random.

    Each token picks ``experts_per_token`` of ``num_experts``; an expert stays idle with
    probability (1 - k/E)^tokens, so E (1 - (1 - k/E)^tokens) are read. One token reads k
    experts; a large batch reads them all, which is why MoE decoding loses its weight-traffic
    advantage as the batch grows.
    """
    e = validate.integer("num_experts", num_experts, minimum=1, maximum=10**6)
    k = validate.integer("experts_per_token", experts_per_token, minimum=1, maximum=e)
    t = validate.integer("tokens", tokens, minimum=0, maximum=10**9)
    return e * (1.0 - (1.0 - k / e) ** t)
