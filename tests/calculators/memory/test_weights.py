"""Weight bytes under every format and quantization scheme, tensor by tensor."""

import pytest

from calculators.architectures import build
from calculators.catalogs import formats
from calculators.core.errors import InputError
from calculators.memory.weights import weight_bytes

LLAMA3_8B = {"model_type": "llama", "vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336,
             "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8}
ARCH = build(LLAMA3_8B)
SCHEMES = [f.id for f in formats.all_formats().values() if f.kind != "block"]

#: Whole-file bits per weight of Llama-3-8B GGUF files: the file sizes listed in llama.cpp's
#: tools/quantize/quantize.cpp, x 8 / 8.03e9 parameters.
LLAMA_CPP_BPW = {"q8_0": 8.51, "q6_k": 6.57, "q5_k_m": 5.70, "q4_k_m": 4.90, "q3_k_m": 4.00, "q2_k": 3.17}


@pytest.mark.parametrize("format_id", SCHEMES)
def test_every_format_gives_positive_bytes_below_fp32(format_id):
    result = weight_bytes(ARCH, format_id)
    assert 0 < result.total_bytes <= ARCH.n_params * 4
    assert sum(result.role_bytes(r) for r in ARCH.params_by_role()) == pytest.approx(result.total_bytes)


@pytest.mark.parametrize("format_id, bpw", sorted(LLAMA_CPP_BPW.items()))
def test_gguf_mixes_match_llama_cpp_file_sizes(format_id, bpw):
    assert weight_bytes(ARCH, format_id).bits_per_weight == pytest.approx(bpw, abs=0.03)


def test_mixes_keep_output_at_q6_k_and_raise_chosen_layers():
    result = dict(weight_bytes(ARCH, "q4_k_m").by_format_params)
    assert result["q6_k"] > ARCH.vocab_size * ARCH.hidden_size  # output + half of attn_v/ffn_down
    assert result["q4_k"] > result["q6_k"]


def test_hf_quantizers_keep_embeddings_and_head_in_16_bits():
    for scheme in ("gptq-int4", "awq-int4", "nf4", "nf4-dq", "int8-bnb", "fp8"):
        result = weight_bytes(ARCH, scheme)
        assert result.role_bytes("embedding") == ARCH.vocab_size * ARCH.hidden_size * 2
        assert result.role_bytes("lm_head") == ARCH.vocab_size * ARCH.hidden_size * 2


def test_group_scales_and_double_quant_are_counted():
    linear = ARCH.params_by_role()["attention"] + ARCH.params_by_role()["mlp"]
    assert weight_bytes(ARCH, "gptq-int4").role_bytes("mlp") == pytest.approx(ARCH.params_by_role()["mlp"] * 4.15625 / 8)
    assert weight_bytes(ARCH, "nf4").role_bytes("mlp") > weight_bytes(ARCH, "nf4-dq").role_bytes("mlp")
    int8 = weight_bytes(ARCH, "int8-bnb")
    rows = sum(t.count * t.out_features for t in ARCH.tensors if t.is_linear and t.role in ("attention", "mlp"))
    # one byte per weight plus an FP32 scale (row_scale_bits in the catalog) per output row
    assert int8.role_bytes("attention") + int8.role_bytes("mlp") == linear + rows * 32 / 8


def test_plain_formats_scale_every_tensor():
    assert weight_bytes(ARCH, "bf16").total_bytes == ARCH.n_params * 2
    assert weight_bytes(ARCH, "fp32").total_bytes == ARCH.n_params * 4


@pytest.mark.parametrize("bad", ["q9", "", "int3", 4])
def test_unknown_quantization_names_the_field(bad):
    with pytest.raises(InputError) as caught:
        weight_bytes(ARCH, bad)
    assert caught.value.field == "weight_format"


def test_a_fractional_parameter_count_is_refused_not_rounded():
    from calculators.memory.weights import weight_memory
    with pytest.raises(InputError) as caught:
        weight_memory("1.5", "bf16")
    assert caught.value.field == "params"
    assert weight_memory("8.03e9", "bf16").params == 8_030_000_000
