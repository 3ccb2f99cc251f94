"""The ```calculator fence: options, prerendering and author errors."""

import pytest

from calculators import widgets
from hooks.markdown import calculator_fence


@pytest.fixture(autouse=True)
def fresh_page():
    calculator_fence.begin_page("docs/test.md")


def test_renders_form_and_prerendered_result():
    html = calculator_fence.render({"widget": "weight-memory", "params": "70e9", "format": "int4"})
    expected = widgets.run("weight-memory", {"params": "70e9", "format": "int4"})["outputs"]
    assert f'data-out="gib">{expected["gib"]}<' in html
    assert '<option value="int4" selected>' in html
    assert '<label for="calc-1-params">' in html and 'id="calc-1-params"' in html
    assert 'aria-live="polite"' in html


def test_ids_are_unique_per_page():
    first = calculator_fence.render({"widget": "weight-memory"})
    second = calculator_fence.render({"widget": "weight-memory"})
    assert 'id="calc-1"' in first and 'id="calc-2"' in second


@pytest.mark.parametrize("source, message", [
    ("params: 1e9", "the first option must be 'widget: <id>'"),
    ("widget: nothing", "unknown widget 'nothing'"),
    ("widget: weight-memory\ncolour: red", "has no input 'colour'"),
    ("widget: weight-memory\nparams: lots", "params: 'lots' is not a number"),
    ("widget: weight-memory\njust text", "expected 'name: value'"),
    ("widget: weight-memory\nparams: 1\nparams: 2", "given twice"),
])
def test_author_errors_are_recorded_for_the_page(source, message):
    html = calculator_fence.format_fence(source, "calculator", "calculator", {}, None)
    assert "calc-build-error" in html
    assert any(message in error for error in calculator_fence.page_errors())


def test_markup_in_options_is_escaped():
    calculator_fence.format_fence('widget: weight-memory\nparams: <script>x</script>', "calculator", "calculator", {}, None)
    (error,) = calculator_fence.page_errors()
    html = calculator_fence.format_fence('widget: weight-memory\nparams: <script>x</script>', "calculator",
                                         "calculator", {}, None)
    assert "<script>" not in html and "&lt;script&gt;" in html
