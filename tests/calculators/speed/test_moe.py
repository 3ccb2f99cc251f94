"""Mixture of experts: the experts a batch of tokens is expected to touch."""

import pytest

from calculators import speed
from calculators.core.errors import InputError


def test_experts_touched_grow_with_batch():
    assert speed.expected_experts_touched(8, 2, 1) == pytest.approx(2)
    assert speed.expected_experts_touched(8, 2, 1000) == pytest.approx(8)
    assert speed.expected_experts_touched(128, 8, 4) == pytest.approx(128 * (1 - (1 - 8 / 128) ** 4))
    with pytest.raises(InputError) as info:
        speed.expected_experts_touched(8, 9, 1)
    assert info.value.field == "experts_per_token"
