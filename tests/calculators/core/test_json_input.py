"""config.json parsing: dicts and pasted text, with hostile input refused by field."""

import time

import pytest

from calculators.architectures import build
from calculators.core.errors import InputError
from calculators.core.json_input import MAX_DEPTH, parse_config

LLAMA_TEXT = ('{"model_type": "llama", "vocab_size": 128256, "hidden_size": 4096, "intermediate_size": 14336, '
              '"num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8}')


def test_text_and_dict_give_the_same_architecture():
    assert build(LLAMA_TEXT).n_params == build(parse_config(LLAMA_TEXT)).n_params == 8_030_261_248


def test_bytes_are_accepted():
    assert parse_config(LLAMA_TEXT.encode())["hidden_size"] == 4096


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"),
    ("   ", "empty"),
    ("{", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ('"just text"', "JSON object"),
    ('{"hidden_size": NaN}', "NaN"),
    ('{"hidden_size": Infinity}', "Infinity"),
    ('{"hidden_size": 1e999}', "too large"),
    ('{"hidden_size": ' + "9" * 5000 + "}", "too large"),
    ("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), "nested"),
    ('{"a": ' * 10_000 + "1" + "}" * 10_000, "nested"),
    ("x" * 2_000_000, "at most"),
    (b"\xff\xfe{}", "UTF-8"),
])
def test_hostile_text_is_refused_quickly(text, fragment):
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        parse_config(text)
    assert caught.value.field.startswith("config")
    assert fragment in caught.value.message
    assert time.perf_counter() - start < 2


def test_wrong_value_types_name_the_field():
    with pytest.raises(InputError) as caught:
        build('{"model_type": "llama", "hidden_size": [4096]}')
    assert caught.value.field == "config.hidden_size"
    with pytest.raises(InputError) as caught:
        build('{"model_type": "llama", "num_hidden_layers": true}')
    assert caught.value.field == "config.num_hidden_layers"


def test_many_keys_are_bounded():
    huge = {f"k{i}": i for i in range(200_000)}
    with pytest.raises(InputError) as caught:
        parse_config(huge)
    assert "values" in caught.value.message


def test_non_json_python_values_are_refused():
    with pytest.raises(InputError) as caught:
        parse_config({"model_type": "llama", "hidden_size": object()})
    assert caught.value.field == "config.hidden_size"
