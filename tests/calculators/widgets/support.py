"""Shared by the widget tests: a widget's outputs for some inputs, which must compute."""

from calculators import widgets


def run(widget_id, **inputs):
    result = widgets.run(widget_id, inputs)
    assert result["ok"], result
    return result["outputs"]
