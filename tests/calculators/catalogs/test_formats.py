"""The number-format catalog: the format ids the calculators accept."""

from calculators.catalogs import formats


def test_existing_format_ids_still_work():
    for fid in ("fp32", "fp16", "bf16", "fp8", "int8", "int4"):
        assert formats.get(fid).id == fid


def test_tensor_core_native_formats_are_the_floating_point_ones_tensor_cores_take():
    native = {f.id for f in formats.all_formats().values() if f.tensor_core_native}
    assert native == {"fp32", "fp16", "bf16", "fp8"}


def test_every_gguf_type_and_mix_belongs_to_llama_cpp():
    gguf = {f.id for f in formats.all_formats().values() if f.kind == "block" or "GGUF" in f.label}
    assert gguf and {formats.get(fid).runtime for fid in gguf} == {"llama.cpp"}
    assert formats.get("awq-int4").runtime is None and formats.get("bf16").runtime is None


def test_row_scale_bits_come_from_the_record():
    assert formats.get("int8-bnb").row_scale_bits == 32
    assert all(f.row_scale_bits == 0 for f in formats.all_formats().values() if f.id != "int8-bnb")


def test_only_kv_cache_formats_are_accepted_for_the_cache():
    import pytest

    from calculators.core.errors import InputError
    assert formats.get_kv_cache("fp8").id == "fp8" and formats.get_kv_cache("q8_0").id == "q8_0"
    for weight_only in ("q4_k_m", "gptq-int4", "nf4", "int8-bnb"):
        with pytest.raises(InputError) as caught:
            formats.get_kv_cache(weight_only)
        assert caught.value.field == "kv_format" and "not a KV-cache format" in caught.value.message
