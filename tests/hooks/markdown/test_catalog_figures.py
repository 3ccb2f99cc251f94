"""The page hook fills the three figure placeholders and reports every bad one."""

from calculators.figures import expressions
from hooks.markdown import catalog_figures


def test_quotes_computes_and_passes_givens_through():
    text, errors = catalog_figures.replace(
        "{{ gpu:h100-sxm:memory_gb }} holds {{ = weight_bytes('llama-3.1-8b', 'bf16') / GB :.2f }} GB "
        "of weights in {{ given: 2 MiB }} blocks")
    weights = expressions.evaluate("weight_bytes('llama-3.1-8b', 'bf16') / GB")
    assert errors == []
    assert text == f"80 GB holds {weights:.2f} GB of weights in 2 MiB blocks"


def test_every_bad_placeholder_is_reported_and_left_visible():
    text, errors = catalog_figures.replace("{{ gpu:nope:memory_gb }} and {{ = open('x') }}")
    assert len(errors) == 2
    assert "nope" in errors[0] and "open" in errors[1]
    assert "{{ = open('x') }}" in text
