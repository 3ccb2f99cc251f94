"""Kernel time: the p-norm that blends memory time and compute time."""

import pytest

from calculators.speed.kernels import pnorm


def test_pnorm_is_between_max_and_sum():
    assert pnorm(3, 4, 2) == pytest.approx(5)
    assert pnorm(3, 0, 2) == 3
    assert max(3, 4) <= pnorm(3, 4, 2) <= 7
