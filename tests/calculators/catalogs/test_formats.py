"""The number-format catalog: the format ids the calculators accept."""

from calculators.catalogs import formats


def test_existing_format_ids_still_work():
    for fid in ("fp32", "fp16", "bf16", "fp8", "int8", "int4"):
        assert formats.get(fid).id == fid
