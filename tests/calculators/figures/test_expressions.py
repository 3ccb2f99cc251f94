"""Figure expressions: derived prose figures agree with the calculators, and nothing but arithmetic runs."""

import pytest

from calculators import InputError
from calculators.catalogs import gpus, models
from calculators.core.units import GB, TB
from calculators.figures import expressions as fx
from calculators.memory.weights import weight_bytes


def test_weight_bytes_are_the_memory_engines():
    arch = models.resolve("llama-3.1-8b")[1]
    assert fx.evaluate('weight_bytes("llama-3.1-8b", "bf16")') == weight_bytes(arch, "bf16").total_bytes
    assert fx.evaluate('weight_bytes("llama-3.1-8b", "bf16")') == 2 * arch.n_params


def test_decode_floor_from_two_catalogs():
    bandwidth = gpus.get("rtx-4090").memory_bandwidth_tb_per_s
    expected = 2 * models.resolve("llama-3.1-8b")[1].n_params / (bandwidth * TB) * 1e3
    text = fx.render('weight_bytes("llama-3.1-8b", "bf16") / (gpu("rtx-4090", "memory_bandwidth_tb_per_s") * TB) '
                     '/ ms :.2f')
    assert text == f"{expected:.2f}"


def test_kv_cache_per_token_follows_the_config():
    config = models.get("llama-3.1-8b").config
    per_token = 2 * config["num_hidden_layers"] * config["num_key_value_heads"] * 128 * 2
    assert fx.evaluate('kv_bytes_per_token("llama-3.1-8b")') == per_token
    assert fx.evaluate('kv_bytes("llama-3.1-8b", 1000, batch=4)') == 4000 * per_token


def test_sm_limits_and_nested_fields():
    assert fx.evaluate('sm("9.0", "shared_memory_per_sm_kib")') == 228
    assert fx.evaluate('gpu("h100-sxm", "dense_tflops.bf16")') == gpus.get("h100-sxm").dense_tflops.bf16


@pytest.mark.parametrize(("text", "rendered"), [
    ("16.06", "16.1"), ("1234.5", "1,234"), ("2 ** 10", "1,024"), ("1 / 3 :.1%", "33.3%"),
    ("7 / 2 :.2f", "3.50"), ("GB / 1e9", "1"), ("-(3 - 5) * 2", "4"),
])
def test_default_and_explicit_formats(text, rendered):
    assert fx.render(text) == rendered


def test_a_colon_inside_text_is_not_a_format():
    assert fx.render('gpu("h100-sxm", "memory_gb")') == "80"


@pytest.mark.parametrize(("text", "message"), [
    ("__import__('os')", "unknown function"),
    ("().__class__", "not allowed"),
    ("open", "unknown name"),
    ("lambda: 1", "not allowed"),
    ("10 ** 10 ** 10", "exponent"),
    ("(2 ** 60) ** 60", "larger than"),
    ("1 / 0", "cannot be computed"),
    ("sqrt(-1)", "sqrt()"),
    ('gpu("h100-sxm", "name")', "not a number"),
    ('gpu("h100-sxm", "nope")', "no field"),
    ('gpu("no-such-gpu", "memory_gb")', "no entry"),
    ('weight_bytes("llama-3.1-8b", "fp5")', "fp5"),
    ('"text"', "finite number"),
    ('1 +', "not a valid expression"),
    ("", "empty"),
    ("1" * 500, "longer than"),
    ("max(**{})", "unpacking"),
])
def test_anything_else_is_refused_with_a_message(text, message):
    with pytest.raises(InputError) as caught:
        fx.evaluate(text)
    assert caught.value.field == "expression"
    assert message in caught.value.message


def test_every_function_is_documented_for_authors():
    from tests.conftest import ROOT
    guide = (ROOT / "CONTRIBUTING.md").read_text()
    for name in fx.FUNCTIONS:
        assert f"`{name}" in guide, name
    assert GB == fx.CONSTANTS["GB"]
