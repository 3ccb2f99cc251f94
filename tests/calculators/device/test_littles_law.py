"""Little's law: the bytes in flight that keep memory busy, per GPU, per compute unit and per thread."""

import pytest

from calculators.catalogs import gpus
from calculators.core.errors import InputError
from calculators.device.littles_law import bytes_in_flight


def test_littles_law_on_the_h100():
    h100 = gpus.get("h100-sxm")
    flight = bytes_in_flight(h100.memory_bandwidth_bytes_per_s, 600e-9, units=h100.compute_units)
    assert flight.total_bytes == pytest.approx(2.01e6)
    assert flight.per_unit_bytes == pytest.approx(2.01e6 / 132)
    assert flight.loads_per_unit(128) == pytest.approx(119, abs=1)
    assert flight.loads_per_thread(4, 2048) == pytest.approx(1.86, abs=0.01)
    assert bytes_in_flight(1e12, 1e-6).per_unit_bytes is None


def test_littles_law_rejects_bad_latency():
    with pytest.raises(InputError) as error:
        bytes_in_flight(1e12, 0)
    assert error.value.field == "latency"
