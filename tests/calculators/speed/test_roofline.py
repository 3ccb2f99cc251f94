"""The roofline: ridge points, matmul intensity, where a workload sits, and the roof's corner."""

import pytest

from calculators import speed
from calculators.catalogs import gpus
from calculators.core.errors import InputError
from calculators.speed import roof
from calculators.speed.efficiency import default as eff


@pytest.mark.parametrize("gpu, ridge", [("h100-sxm", 295), ("a100-80gb-sxm", 153), ("h200", 206), ("mi300x", 247)])
def test_ridge_points_match_published_values(gpu, ridge):
    # calculators-landscape reference: ridge points from vendor dense peaks
    assert speed.ridge_point_flop_per_byte(gpu, "bf16") == pytest.approx(ridge, abs=1)


def test_matmul_intensity_and_placement():
    gemv = speed.matmul_intensity_flop_per_byte(1, 4096, 4096)
    assert gemv == pytest.approx(1.0, rel=0.01)
    assert speed.matmul_intensity_flop_per_byte(1, 4096, 4096, weight_bytes_per_value=0.5) == pytest.approx(4, rel=0.01)
    assert speed.place("h100-sxm", gemv).bound == "memory"
    big = speed.matmul_intensity_flop_per_byte(8192, 8192, 8192)
    point = speed.place("h100-sxm", big)
    assert point.bound == "compute" and point.attainable_flops_per_s == 989.5e12
    assert speed.ridge_point_flop_per_byte("dgx-spark") is None


def test_roof_has_a_corner_at_the_ridge():
    h100 = gpus.get("h100-sxm")
    points = roof(h100, "bf16", 1, 10_000)
    assert [x for x, _ in points] == pytest.approx([1, 989.5e12 / 3.35e12, 10_000])
    assert points[0][1] == pytest.approx(3.35e12) and points[-1][1] == pytest.approx(989.5e12)
    achievable = roof(h100, "bf16", 1, 10_000, achievable=True)
    assert achievable[-1][1] == pytest.approx(989.5e12 * eff().compute_fraction)
    assert len(roof(h100, "bf16", 1000, 10_000)) == 2  # right of the ridge: the flat roof only
    with pytest.raises(InputError):
        roof("dgx-spark", "bf16", 1, 10)
